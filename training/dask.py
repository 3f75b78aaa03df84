"""The Dask engine: train a version on a cluster, with LightGBM's own Dask interface.

:func:`train_version` takes the arguments of :func:`training.local.train_version` and
runs its procedure (:mod:`training.rules`, :mod:`training.version`) with the work spread
over partitions:

1. the data directory is read partition-wise, co-partitioned by firm and checked with
   the contract's rules (:mod:`recommender.adapters.partitioned`);
2. the peer benchmarks are fitted by :meth:`CapabilityProfiler.partial_fit` over each
   partition's :class:`CellTotals` -- the code path of ``fit``, so the same benchmarks;
3. each partition builds its labelled pair features with the pandas code of
   :mod:`training.pairs` (history from the firm's own earlier outcomes, which live in
   the same partition);
4. ``lightgbm.dask.DaskLGBMRegressor`` (data-parallel LightGBM across the workers) fits
   with the ranker's own parameters on the training split for up to ``max_rounds``
   rounds; the rounds are chosen on the validation split by the early-stopping rule of
   :class:`Ranker` (:func:`training.rules.early_stopping_rounds`, exact from per-tree
   predictions) and the final model is refitted on every labelled pair;
5. an ordinary registry version is written (:func:`training.version.publish_version`),
   with ``engine: dask`` and the cluster in its manifest.

Only the ``regression`` objective is trained on Dask; the objective comparison and the
baseline evaluation stay single-machine (``recommender evaluate``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import wait

from recommender import CapabilityProfiler, FeaturePipeline, Ranker
from recommender.adapters.partitioned import (
    DEFAULT_PARTITION_ROWS,
    dask_client,
    open_tables,
    raise_problems,
)
from recommender.adapters.registry import Registry
from recommender.features import PAIR_FEATURES
from training.calibrate import fit_calibration, named_cells
from training.dask_fit import OBJECTIVE, choose_rounds, dask_params, fit_booster, held_out
from training.dask_parts import (
    EXTRA,
    cell_totals,
    firm_years,
    labelled_frame,
    pair_frame,
    table_digests,
)
from training.fingerprint import TableDigest, combine, fingerprint
from training.masking import SHIPPED_MASKING, Masking
from training.rules import (
    DEFAULT_OBJECTIVE,
    MAX_ROUNDS,
    Progress,
    final_rounds,
    quiet,
    require_pairs,
)
from training.version import CATEGORICAL, publish_version, version_metadata

ENGINE: Final[str] = "dask"
SHAP_SAMPLE_ROWS: Final[int] = 4000


# --- steps ---------------------------------------------------------------------------
def fit_pipeline(parts: list[Any]) -> FeaturePipeline:
    """The feature pipeline, its profiler fitted by ``partial_fit`` over the cell totals
    of every checked partition (computed on the workers)."""
    totals = dask.compute(*[dask.delayed(cell_totals, pure=True)(p) for p in parts])
    profiler = CapabilityProfiler()
    for part in totals:
        profiler.partial_fit(part)
    return FeaturePipeline(profiler)


def train_version(
    data: Path,
    *,
    registry: Registry,
    version: str | None = None,
    objective: str = DEFAULT_OBJECTIVE,
    seed: int = 42,
    max_rounds: int = MAX_ROUNDS,
    run_evaluation: bool = True,
    oracle: pd.DataFrame | None = None,
    progress: Progress | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    masking: Masking | None = SHIPPED_MASKING,
) -> str:
    """Train on a data directory with Dask and write a new version; returns its name.

    Parameters
    ----------
    data
        A contract data directory; tables as Parquet (a file with row groups or a
        directory of part files) or CSV.
    registry, version, seed, max_rounds
        As in :func:`training.local.train_version`; the first version of an empty
        registry becomes the champion.
    objective
        ``"regression"`` (or ``"auto"``, which on Dask has only that one to choose).
    run_evaluation, oracle
        Accepted for the shared signature; the baseline evaluation runs on one machine
        (``recommender evaluate``), so it is skipped here (and said so).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); without one a
        ``LocalCluster`` of ``n_workers`` single-threaded processes is started.
    partition_rows
        Firm profiles per co-partition (bounds each task's memory).
    masking
        As in :func:`training.local.train_version` (the same pairs are masked the same
        way).

    Raises
    ------
    ValueError
        An objective the Dask engine does not train.
    DataValidationError
        Every contract problem of every partition, with the files' row numbers, or too
        few labelled pairs; nothing is written.
    """
    if objective not in ("auto", OBJECTIVE):
        raise ValueError(
            f"the Dask engine trains the {OBJECTIVE!r} objective only, not {objective!r}"
        )
    say = quiet(progress)
    if run_evaluation:
        say("the dask engine skips the baseline evaluation (run `recommender evaluate` for it)")
    ranker = Ranker(objective=OBJECTIVE, seed=seed, max_rounds=max_rounds)
    params = dask_params(ranker)
    with dask_client(scheduler, n_workers=n_workers) as client:
        workers = len(client.scheduler_info()["workers"])
        say(f"Dask cluster {client.scheduler_info()['address']}: {workers} workers")
        tables = open_tables(
            Path(data),
            partition_rows=partition_rows,
            require_outcomes=True,
            minimum_partitions=workers,
        )
        say(f"reading and checking {tables.npartitions} partitions (co-partitioned by firm)")
        parts = client.persist(tables.parts)
        wait(parts)
        attr = dask.delayed(getattr, pure=True)
        raise_problems(list(dask.compute(*[attr(p, "problems") for p in parts])))
        digests = combine(dask.compute(*[dask.delayed(table_digests, pure=True)(p) for p in parts]))
        profile_years = set().union(
            *dask.compute(*[dask.delayed(firm_years, pure=True)(p) for p in parts])
        )
        say("fitting peer benchmarks (partial_fit over each partition's cell totals)")
        pipeline = fit_pipeline(parts)
        say("building labelled pair features partition by partition")
        label = dask.delayed(labelled_frame, pure=True)
        pipe = dask.delayed(pipeline, pure=True)
        feats = dd.from_delayed(
            [label(p, pipe, masking) for p in parts],
            meta=pair_frame(np.empty((0, len(PAIR_FEATURES))), pd.DataFrame(columns=list(EXTRA))),
            verify_meta=False,
        )
        feats = client.persist(feats)
        wait(feats)
        del parts
        n_pairs = int(feats.map_partitions(len).compute().sum())
        require_pairs(n_pairs, file=tables.files.get("outcomes", "outcomes"))
        years = sorted(int(y) for y in feats["year"].unique().compute())
        held = held_out(feats, years, seed=seed)
        say(
            f"fitting DaskLGBMRegressor on {n_pairs} labelled pairs; choosing rounds on "
            "the held-out split"
        )
        rounds, score, scored = choose_rounds(
            client,
            feats[~held],  # type: ignore[operator]
            feats[held],
            max_rounds=max_rounds,
            params=params,
        )
        rounds = final_rounds(rounds)
        say(f"{rounds} rounds (validation peer NDCG@3 {score:.4f}); refitting on all pairs")
        booster, cats = fit_booster(client, feats, rounds=rounds, params=params)
        sample = feats.sample(frac=min(1.0, SHAP_SAMPLE_ROWS / n_pairs), random_state=seed)
        X_sample = sample[list(PAIR_FEATURES)].compute().to_numpy(float)
        address = scheduler or "LocalCluster"
    fitted = Ranker.from_booster(booster, objective=OBJECTIVE, seed=seed, max_rounds=max_rounds)
    say("calibrating the chance of a measurable result on the held-out rows")
    calibration = fit_calibration(scored["score"].to_numpy(), named_cells(scored), seed=seed)
    cluster = {
        "scheduler": address,
        "workers": workers,
        "partitions": tables.npartitions,
        "partition_rows": partition_rows,
    }
    metadata = version_metadata(
        engine=ENGINE,
        objective=OBJECTIVE,
        params=params,
        rounds=booster.num_trees(),
        seed=seed,
        validation_score=score,
        objective_scores={OBJECTIVE: score},
        data_fingerprint=fingerprint(
            {
                "firms": digests["firms"],
                "programmes": TableDigest.of(tables.programmes),
                "outcomes": digests.get("outcomes"),
            }
        ),
        training_rows=n_pairs,
        years=sorted(profile_years),
        masking=masking,
        libraries=("dask", "distributed"),
        extra={
            "categorical_as_numeric": [c for c in CATEGORICAL if c not in cats],
            "dask": cluster,
            **({} if calibration is None else {"calibration": calibration.metadata()}),
        },
    )
    summary: dict[str, object] = {
        "engine": f"dask ({address}, {workers} workers, {tables.npartitions} partitions)",
        "objective": OBJECTIVE,
        "trees": booster.num_trees(),
        "training pairs": n_pairs,
        "firm profiles": digests["firms"].rows,
        "programmes": len(tables.programmes),
        "validation peer NDCG@3": round(score, 4),
    }
    return publish_version(
        registry,
        version,
        ranker=fitted,
        pipeline=pipeline,
        metadata=metadata,
        summary=summary,
        shap_rows=X_sample,
        seed=seed,
        progress=say,
        calibration=calibration,
    )
