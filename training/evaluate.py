"""Honest evaluation: time and firm splits, the model beside every baseline.

Two splits: *time* (train on every year before the last, test on the last) and *firm*
(train on 80 % of the firms, test on the unseen 20 % in the last year). On each, the
model and the baselines rank the same candidates: every eligible scored programme of
each test firm-year. Observed metrics (NDCG@1/3/5, MAP) use the outcomes that exist;
where an oracle is given (the demo world) NDCG@3 with the true expected outcome as
gain over *all* eligible programmes, and the regret of the top pick, say how close the
ranking comes to the best possible one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd

from recommender import FeaturePipeline
from recommender.contract.canonical import Dataset
from recommender.features import ProgrammeTable
from recommender.ranker import OBJECTIVES
from training import baselines
from training.fit import FIRM_QUERY, fit_ranker
from training.masking import SHIPPED_MASKING, Masking
from training.metrics import average_precision, ndcg_at_k, top_pick_regret
from training.pairs import PairSet, candidate_pairs, labelled_pairs, prepared_firms

Progress = Callable[[str], None]
MODEL = "model"
BASELINES = ("random", "type_popularity", "gap_heuristic", "raw_lightgbm")
SEGMENTS = ("size_band", "sector", "region")


@dataclass
class Evaluation:
    """Tables of one evaluation run (long format: one row per split x method)."""

    metrics: pd.DataFrame
    segments: pd.DataFrame
    objectives: pd.DataFrame
    ceiling: pd.DataFrame
    chosen_objective: str
    notes: list[str] = field(default_factory=list)

    def headline(self, split: str = "time") -> dict[str, float]:
        """The model's metrics on one split, as a flat dict (for manifests)."""
        row = self.metrics[(self.metrics["split"] == split) & (self.metrics["method"] == MODEL)]
        if row.empty:
            return {}
        values = row.iloc[0].drop(["split", "method"]).to_dict()
        return {k: float(v) for k, v in values.items() if pd.notna(v)}


def _split_time(ds: Dataset) -> tuple[np.ndarray, np.ndarray, int]:
    last = int(ds.firms["year"].max())
    years = ds.firms["year"].to_numpy()
    return years < last, years == last, last


def _split_firms(ds: Dataset, *, seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    last = int(ds.firms["year"].max())
    ids = np.sort(ds.firms["firm_id"].unique())
    rng = np.random.default_rng(seed)
    unseen = set(rng.choice(ids, size=max(1, len(ids) // 5), replace=False))
    is_unseen = ds.firms["firm_id"].isin(unseen).to_numpy()
    return ~is_unseen, is_unseen & (ds.firms["year"].to_numpy() == last), last


def _scored(pairs: PairSet, scores: np.ndarray, oracle: pd.DataFrame | None) -> pd.DataFrame:
    frame = pairs.meta.assign(score=scores)
    if oracle is not None:
        frame = frame.merge(
            oracle[["firm_id", "year", "programme_id", "expected_outcome"]],
            on=["firm_id", "year", "programme_id"],
            how="left",
        )
    return frame


def ranking_metrics(frame: pd.DataFrame, observed: pd.DataFrame) -> dict[str, float]:
    """Observed and (where present) oracle metrics of one method's scores."""
    out: dict[str, float] = {}
    if not observed.empty:
        for k in (1, 3, 5):
            out[f"ndcg@{k}"] = ndcg_at_k(
                observed, k=k, query=FIRM_QUERY, score="score", gain="outcome"
            )
        out["map"] = average_precision(
            observed, query=FIRM_QUERY, score="score", relevant="outcome", threshold=2
        )
    if "expected_outcome" in frame and frame["expected_outcome"].notna().any():
        known = frame[frame["expected_outcome"].notna()]
        out["oracle_ndcg@3"] = ndcg_at_k(
            known, k=3, query=FIRM_QUERY, score="score", gain="expected_outcome"
        )
        out["regret"] = top_pick_regret(
            known, query=FIRM_QUERY, score="score", gain="expected_outcome"
        )
    out["n_queries"] = float(frame.groupby(FIRM_QUERY).ngroups)
    return out


def _observed(frame: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    if ds.outcomes is None:
        return frame.iloc[0:0].assign(outcome=np.nan)
    # only the pairs that were taken part in: the only ones observed outcomes speak for
    return frame.drop(columns=["outcome"]).merge(
        ds.outcomes, on=["firm_id", "year", "programme_id"]
    )


def evaluate(
    ds: Dataset,
    *,
    oracle: pd.DataFrame | None = None,
    objective: str = "auto",
    seed: int = 42,
    num_threads: int = 2,
    compare_objectives: bool = True,
    masking: Masking | None = SHIPPED_MASKING,
    progress: Progress | None = None,
) -> Evaluation:
    """Evaluate the full training procedure on the time and firm splits (training pairs
    masked by ``masking`` as the final fit's are; test pairs as the catalogue says)."""
    say = progress or (lambda _m: None)
    firms = prepared_firms(ds)
    table = ProgrammeTable(ds.programmes)
    rows: list[dict[str, object]] = []
    seg_rows: list[dict[str, object]] = []
    obj_rows: list[dict[str, object]] = []
    ceiling_rows: list[dict[str, object]] = []
    chosen = objective
    for split, (train_mask, test_mask, _last) in {
        "time": _split_time(ds),
        "firm": _split_firms(ds, seed=seed),
    }.items():
        if not test_mask.any() or not train_mask.any():
            continue
        say(f"{split} split: fitting the feature pipeline and the ranker")
        train_firms = firms.loc[train_mask]
        pipeline = FeaturePipeline().fit(train_firms)
        all_labelled = labelled_pairs(ds, pipeline, firms, table, masking)
        in_train = np.isin(all_labelled.meta["firm_row"].to_numpy(), np.flatnonzero(train_mask))
        train = all_labelled.subset(in_train)
        fit = fit_ranker(train, objective=objective, seed=seed, num_threads=num_threads)
        if split == "time":
            chosen = fit.objective
        test_firms = firms.loc[test_mask]
        candidates = candidate_pairs(pipeline, test_firms.reset_index(drop=True), table)
        # re-point firm rows to the full firm frame for raw features
        candidates.meta["firm_row"] = test_firms.index.to_numpy()[candidates.meta["firm_row"]]
        scores = {
            MODEL: fit.ranker.predict(candidates.X),
            "random": baselines.random_scores(candidates, seed=seed),
            "type_popularity": baselines.popularity_scores(candidates, train),
            "gap_heuristic": baselines.gap_heuristic_scores(candidates),
            "raw_lightgbm": baselines.raw_lightgbm_scores(
                baselines.raw_matrix(train, firms, ds.programmes),
                train.meta["outcome"].to_numpy(),
                baselines.raw_matrix(candidates, firms, ds.programmes),
                seed=seed,
                num_threads=num_threads,
            ),
        }
        frames = {}
        for method, s in scores.items():
            frame = _scored(candidates, s, oracle)
            frames[method] = frame
            rows.append(
                {"split": split, "method": method, **ranking_metrics(frame, _observed(frame, ds))}
            )
        model_frame = frames[MODEL]
        for seg in SEGMENTS:
            for value, part in model_frame.groupby(seg):
                seg_rows.append(
                    {
                        "split": split,
                        "segment": seg,
                        "value": value,
                        **ranking_metrics(part, _observed(part, ds)),
                    }
                )
        if split == "time" and oracle is not None:
            if compare_objectives:
                for obj in OBJECTIVES:
                    say(f"comparing objective {obj}")
                    alt = (
                        fit
                        if obj == fit.objective
                        else fit_ranker(train, objective=obj, seed=seed, num_threads=num_threads)
                    )
                    frame = _scored(candidates, alt.ranker.predict(candidates.X), oracle)
                    obj_rows.append(
                        {
                            "objective": obj,
                            "validation_peer_ndcg@3": alt.validation_score,
                            "chosen": obj == fit.objective,
                            **ranking_metrics(frame, _observed(frame, ds)),
                        }
                    )
            ceiling_rows.extend(
                _ceiling(candidates, model_frame, seed=seed, num_threads=num_threads)
            )
    return Evaluation(
        pd.DataFrame(rows),
        pd.DataFrame(seg_rows),
        pd.DataFrame(obj_rows),
        pd.DataFrame(ceiling_rows),
        chosen,
    )


def _ceiling(
    candidates: PairSet, model_frame: pd.DataFrame, *, seed: int, num_threads: int
) -> list[dict[str, object]]:
    """The observable ceiling: the same features fitted to the oracle on half the test
    firms, scored on the other half, beside the model on that same half."""
    known = model_frame["expected_outcome"].notna().to_numpy()
    if known.sum() < 50:
        return []
    ids = np.sort(model_frame["firm_id"].unique())
    rng = np.random.default_rng(seed + 1)
    half = set(rng.choice(ids, size=len(ids) // 2, replace=False))
    fit_rows = model_frame["firm_id"].isin(half).to_numpy() & known
    eval_rows = ~model_frame["firm_id"].isin(half).to_numpy() & known
    params = {
        "objective": "regression",
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 20,
        "verbosity": -1,
        "seed": seed,
        "deterministic": True,
        "num_threads": num_threads,
        "force_row_wise": True,
    }
    booster = lgb.train(
        params,
        lgb.Dataset(candidates.X[fit_rows], label=model_frame["expected_outcome"][fit_rows]),
        num_boost_round=300,
    )
    ceiling = model_frame[eval_rows].assign(score=booster.predict(candidates.X[eval_rows]))
    model = model_frame[eval_rows]
    empty = model.iloc[0:0]
    return [
        {"method": "observable_ceiling", **ranking_metrics(ceiling, empty)},
        {"method": MODEL, **ranking_metrics(model, empty)},
    ]
