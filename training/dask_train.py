"""Train a model version on a Dask cluster, with LightGBM's own Dask interface.

The procedure is the single-machine one (:func:`training.train.train_version` with the
``regression`` objective and no evaluation), step for step, with the work spread over
partitions:

1. the data directory is read partition-wise, co-partitioned by firm and checked with
   the contract's rules (:mod:`training.dask_io`);
2. the peer benchmarks are fitted from per-cell sums computed by a Dask group-by and
   shrunk with the formula of :meth:`CapabilityProfiler.fit`
   (:meth:`CapabilityProfiler.from_sums`): the same benchmarks, to rounding;
3. each partition builds its labelled pair features with the pandas code of
   :mod:`training.pairs` (history from the firm's own earlier outcomes, which live in
   the same partition);
4. ``lightgbm.dask.DaskLGBMRegressor`` (data-parallel LightGBM across the workers)
   fits on every year but the last for up to ``max_rounds`` rounds; the rounds are
   chosen on the last year by the early-stopping rule of :class:`Ranker` (stop 30
   rounds after the best validation L2), computed exactly from per-tree predictions;
   the final model is refitted on every labelled pair with that many rounds;
5. a normal registry version is written: ``model.txt`` and ``pipeline.joblib`` that
   :meth:`Recommender.load` serves unchanged, and a manifest saying ``engine: dask``.
"""

from __future__ import annotations

import platform
import warnings
from collections.abc import Callable
from importlib.metadata import version as pkg_version
from pathlib import Path
from typing import Any, Final

import dask
import dask.dataframe as dd
import joblib
import lightgbm as lgb
import numpy as np
import pandas as pd
from distributed import Client, wait
from lightgbm.dask import DaskLGBMRegressor

from recommender.contract.fields import FIRM_COLUMNS
from recommender.contract.canonical import canonical_firms
from recommender.errors import DataValidationError, Problem
from recommender.features import (
    CELL_KEYS,
    PAIR_FEATURES,
    CapabilityProfiler,
    FeaturePipeline,
    ProgrammeTable,
    capability_cells,
    cell_totals,
)
from recommender.ranker import BASE_PARAMS, Ranker
from recommender.adapters.registry import Registry
from training.dask_io import (
    DEFAULT_PARTITION_ROWS,
    Checked,
    dask_client,
    fingerprint,
    open_tables,
    raise_problems,
)
from training.fit import PEER_QUERY, validation_mask
from training.metrics import ndcg_at_k
from training.pairs import labelled_pairs, prepared_firms
from training.report import shap_plots, write_report
from training.train import MODEL_FILE, PIPELINE_FILE, library_versions

Progress = Callable[[str], None]
ENGINE: Final[str] = "dask"
PATIENCE: Final[int] = 30  # as lgb.early_stopping(30) in recommender.ranker
MIN_ROUNDS: Final[int] = 10
MIN_PAIRS: Final[int] = 20
LABEL: Final[str] = "outcome"
EXTRA: Final[tuple[str, ...]] = ("firm_id", "year", LABEL)


def dask_params(seed: int) -> dict[str, Any]:
    """LightGBM parameters of the Dask fit: :data:`BASE_PARAMS`, the regression
    objective and the seed, as :meth:`Ranker._params` sets them (threads are the
    workers' own)."""
    return {**BASE_PARAMS, "objective": "regression", "metric": "l2", "seed": seed}


def early_stopping_rounds(curve: np.ndarray, *, patience: int = PATIENCE) -> int:
    """Rounds LightGBM's ``early_stopping(patience)`` keeps for a validation-loss curve.

    ``curve[t]`` is the loss after ``t + 1`` rounds (lower is better); training stops
    ``patience`` rounds after the last strict improvement, keeping the best round.
    """
    best, best_at = np.inf, 0
    for t, value in enumerate(np.asarray(curve, float)):
        if value < best:
            best, best_at = value, t
        elif t - best_at >= patience:
            break
    return best_at + 1


# --- per partition (run on the workers) -------------------------------------------------
def _firms(checked: Checked) -> pd.DataFrame:
    assert checked.dataset is not None, "partition failed its checks"
    return checked.dataset.firms


def _cells(checked: Checked) -> pd.DataFrame:
    return capability_cells(_firms(checked))


def labelled_frame(checked: Checked, pipeline: FeaturePipeline) -> pd.DataFrame:
    """The labelled pair features of one co-partition (:data:`PAIR_FEATURES`, then
    firm_id, year and outcome), built by the single-machine code."""
    ds = checked.dataset
    assert ds is not None, "partition failed its checks"
    if ds.outcomes is None or ds.outcomes.empty:
        return _frame(np.empty((0, len(PAIR_FEATURES))), pd.DataFrame(columns=list(EXTRA)))
    firms = prepared_firms(ds)
    pairs = labelled_pairs(ds, pipeline, firms, ProgrammeTable(ds.programmes))
    return _frame(pairs.X, pairs.meta)


def _frame(X: np.ndarray, meta: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(X, columns=list(PAIR_FEATURES))
    out["firm_id"] = meta["firm_id"].to_numpy(dtype=object)
    out["year"] = meta["year"].to_numpy(dtype=np.int64)
    out[LABEL] = meta[LABEL].to_numpy(dtype=float) if LABEL in meta else np.empty(0)
    return out


def staged_sse(frame: pd.DataFrame, model: str, rounds: int) -> np.ndarray:
    """Summed squared error of the first ``t + 1`` trees for every ``t < rounds``."""
    out = np.zeros(rounds)
    if frame.empty:
        return out
    booster = lgb.Booster(model_str=model)
    X = frame[list(PAIR_FEATURES)].to_numpy(float)
    y = frame[LABEL].to_numpy(float)
    pred = np.zeros(len(X))
    for t in range(min(rounds, booster.num_trees())):
        pred += booster.predict(X, start_iteration=t, num_iteration=1, raw_score=True,
                                num_threads=1)
        out[t] = float(((y - pred) ** 2).sum())
    return out


def _scored(frame: pd.DataFrame, model: str, rounds: int) -> pd.DataFrame:
    booster = lgb.Booster(model_str=model)
    X = frame[list(PAIR_FEATURES)].to_numpy(float)
    score = (booster.predict(X, num_iteration=rounds, raw_score=True, num_threads=1)
             if len(X) else np.empty(0))
    return pd.DataFrame({"year": frame["year"].to_numpy(), "sector": frame["sector"].to_numpy(),
                         "size_band": frame["size_band"].to_numpy(),
                         LABEL: frame[LABEL].to_numpy(), "score": score})


# --- steps ---------------------------------------------------------------------------
def fit_pipeline(parts: list[Any]) -> FeaturePipeline:
    """The feature pipeline with peer benchmarks from a Dask group-by over the checked
    partitions: per-cell sums, then :meth:`CapabilityProfiler.from_sums`."""
    empty = canonical_firms(pd.DataFrame(columns=list(FIRM_COLUMNS)))
    cells_of = dask.delayed(_cells, pure=True)
    cells = dd.from_delayed([cells_of(p) for p in parts], meta=capability_cells(empty),
                            verify_meta=False)
    summed = cells.groupby(list(CELL_KEYS)).sum().compute()
    profiler = CapabilityProfiler.from_sums(*cell_totals(summed),
                                            feature_names_in=list(empty.columns))
    return FeaturePipeline(profiler)


def _nonempty(frame: dd.DataFrame) -> dd.DataFrame:
    lengths = frame.map_partitions(len).compute()
    keep = [i for i, n in enumerate(lengths) if n]
    return frame.partitions[keep]


def usable_categoricals(frame: dd.DataFrame) -> list[str]:
    """The categorical features to declare: those with a value in every partition.

    Data-parallel LightGBM 4.7 crashes (``Socket recv error``) when one worker's rows
    hold no value at all of a declared categorical feature, as happens with
    ``hist_last_type`` when only the first year is labelled. A feature missing from a
    whole partition is passed as a plain number instead; one missing everywhere is
    never split on either way.
    """
    cats = list(FeaturePipeline.categorical_features)
    present = frame[cats].map_partitions(lambda p: p.notna().sum().to_frame().T,
                                         meta={c: np.int64 for c in cats}).compute()
    return [c for c in cats if bool((present[c] > 0).all())]


def _fit(client: Client, frame: dd.DataFrame, *, rounds: int,
         seed: int) -> tuple[lgb.Booster, list[str]]:
    model = DaskLGBMRegressor(client=client, n_estimators=rounds, **dask_params(seed))
    frame = _nonempty(frame)
    cats = usable_categoricals(frame)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Parameter n_jobs will be ignored")
        model.fit(frame[list(PAIR_FEATURES)], frame[LABEL], categorical_feature=cats)
    return model.booster_, cats


def _held_out(feats: dd.DataFrame, years: list[int], *, seed: int) -> dd.Series:
    """Validation rows as :func:`training.fit.validation_mask` picks them."""
    if len(years) >= 2:
        return feats["year"] == years[-1]
    ids = feats["firm_id"].unique().compute().to_numpy(dtype=object)
    mask = validation_mask(pd.DataFrame({"year": years[0], "firm_id": ids}), seed=seed)
    return feats["firm_id"].isin(set(ids[mask]))


def choose_rounds(client: Client, train: dd.DataFrame, valid: dd.DataFrame, *,
                  max_rounds: int, seed: int) -> tuple[int, float]:
    """Boosting rounds by early stopping on ``valid``, and its peer NDCG@3 there."""
    booster, _ = _fit(client, train, rounds=max_rounds, seed=seed)
    text = booster.model_to_string()
    model = dask.delayed(text, pure=True)
    curves = dask.compute(*[dask.delayed(staged_sse)(p, model, max_rounds)
                            for p in valid.to_delayed()])
    rounds = early_stopping_rounds(np.sum(curves, axis=0)[:booster.num_trees()])
    scored = pd.concat(dask.compute(*[dask.delayed(_scored)(p, model, rounds)
                                      for p in valid.to_delayed()]), ignore_index=True)
    score = float(ndcg_at_k(scored, k=3, query=PEER_QUERY, score="score", gain=LABEL))
    return rounds, score


def train_version_dask(data_dir: Path, *, registry: Registry, version: str | None = None,
                       scheduler: str | None = None, n_workers: int = 2,
                       objective: str = "regression", seed: int = 42, max_rounds: int = 300,
                       partition_rows: int = DEFAULT_PARTITION_ROWS,
                       progress: Progress | None = None) -> str:
    """Train on a data directory with Dask and write a new version; returns its name.

    Parameters
    ----------
    data_dir
        A contract data directory; tables as Parquet (a file with row groups or a
        directory of part files) or CSV.
    registry, version
        As in :func:`training.train.train_version`; the first version of an empty
        registry becomes the champion.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); without one a
        ``LocalCluster`` of ``n_workers`` single-threaded processes is started.
    objective
        Only ``"regression"`` (pointwise L2 on the grade) is trained on Dask.
    partition_rows
        Firm profiles per co-partition (bounds each task's memory).
    """
    if objective != "regression":
        raise ValueError(f"the Dask engine trains the 'regression' objective only, not "
                         f"{objective!r}")
    say = progress or (lambda _m: None)
    with dask_client(scheduler, n_workers=n_workers) as client:
        workers = len(client.scheduler_info()["workers"])
        say(f"Dask cluster {client.scheduler.address}: {workers} workers")
        tables = open_tables(Path(data_dir), partition_rows=partition_rows,
                             require_outcomes=True, minimum_partitions=workers)
        say(f"reading and checking {tables.npartitions} partitions (co-partitioned by firm)")
        parts = client.persist(tables.parts)
        wait(parts)
        attr = dask.delayed(getattr, pure=True)
        raise_problems(list(dask.compute(*[attr(p, "problems") for p in parts])))
        digests = list(dask.compute(*[attr(p, "digests") for p in parts]))
        say("fitting peer benchmarks (Dask group-by of per-cell sums)")
        pipeline = fit_pipeline(parts)
        say("building labelled pair features partition by partition")
        label = dask.delayed(labelled_frame, pure=True)
        pipe = dask.delayed(pipeline, pure=True)
        feats = dd.from_delayed([label(p, pipe) for p in parts],
                                meta=_frame(np.empty((0, len(PAIR_FEATURES))),
                                            pd.DataFrame(columns=list(EXTRA))),
                                verify_meta=False)
        feats = client.persist(feats)
        wait(feats)
        del parts
        n_pairs = int(feats.map_partitions(len).compute().sum())
        if n_pairs < MIN_PAIRS:
            raise DataValidationError([Problem(tables.files.get("outcomes", "outcomes"), None,
                                               None, n_pairs, f"at least {MIN_PAIRS} "
                                               "participations in scored programmes")])
        years = sorted(int(y) for y in feats["year"].unique().compute())
        held = _held_out(feats, years, seed=seed)
        say(f"fitting DaskLGBMRegressor on {n_pairs} labelled pairs; choosing rounds on "
            "the held-out split")
        rounds, score = choose_rounds(client, feats[~held], feats[held],  # type: ignore[operator]
                                      max_rounds=max_rounds, seed=seed)
        rounds = max(MIN_ROUNDS, rounds)
        say(f"{rounds} rounds (validation peer NDCG@3 {score:.4f}); refitting on all pairs")
        booster, cats = _fit(client, feats, rounds=rounds, seed=seed)
        sample = feats.sample(frac=min(1.0, 4000 / n_pairs), random_state=seed)
        X_sample = sample[list(PAIR_FEATURES)].compute().to_numpy(float)
        address = scheduler or "LocalCluster"
    ranker = Ranker(objective="regression", seed=seed, max_rounds=max_rounds)
    ranker.booster_ = booster
    firm_rows = sum(d["firms"][0] for d in digests)
    metadata = {
        "engine": ENGINE,
        "features": list(FeaturePipeline.feature_names),
        "categorical_features": list(FeaturePipeline.categorical_features),
        "categorical_as_numeric": [c for c in FeaturePipeline.categorical_features
                                   if c not in cats],
        "data_fingerprint": fingerprint(digests, tables.programmes),
        "data_fingerprint_method": "sha256 of per-table row counts and row-hash sums "
                                   "(independent of partitioning and row order)",
        "params": {"objective": "regression", "rounds": booster.num_trees(), "seed": seed,
                   **dask_params(seed)},
        "metrics": {"validation_score": score},
        "objective_scores": {"regression": score},
        "training_rows": n_pairs,
        "years": years,
        "dask": {"scheduler": address, "workers": workers, "partitions": tables.npartitions,
                 "partition_rows": partition_rows},
        "library_versions": {**library_versions(),
                             **{n: pkg_version(n) for n in ("dask", "distributed")}},
    }
    say("writing the version")
    pending = registry.create_version(version, metadata=metadata)
    with pending as folder:
        ranker.save(folder / MODEL_FILE)
        joblib.dump(pipeline, folder / PIPELINE_FILE)
        plots = shap_plots(ranker, X_sample, list(FeaturePipeline.feature_names), folder,
                           seed=seed)
        summary = {"engine": f"dask ({address}, {workers} workers, "
                             f"{tables.npartitions} partitions)",
                   "objective": "regression", "trees": booster.num_trees(),
                   "training pairs": n_pairs, "firm profiles": firm_rows,
                   "programmes": len(tables.programmes),
                   "validation peer NDCG@3": round(score, 4),
                   "python": platform.python_version()}
        write_report(folder, version=pending.version, evaluation=None, summary=summary,
                     plots=plots)
    if registry.champion() is None:
        registry.promote(pending.version, force=True)
    return pending.version
