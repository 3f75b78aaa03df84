"""Does a model trained on masked programme descriptions rank as well without them?

On a simulated world (time split: train on the years before the last, test on the
last), four oracle NDCG@3 figures of the one training procedure
(:func:`training.fit.fit_ranker`, regression objective):

* (a) trained on full descriptions, scored on full descriptions;
* (b) trained on full descriptions, scored on a catalogue masked like the Bizinfo feed;
* (c) trained with masking (:class:`training.masking.Masking`), scored on the masked
  catalogue;
* (d) trained with masking, scored on full descriptions.

A masked test catalogue loses each attribute per programme at the real rates
(:func:`training.masking.masked_catalogue`); the masked figures are the mean over the
catalogues drawn with ``--catalogue-seeds``. The oracle is the simulator's expected
outcome of the true programme, so what is lost is only what the model is shown.

    .venv/bin/python bench/masking.py [--firms 5000] [--seed 42] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from recommender import FeaturePipeline, simulate_world
from recommender.features import ProgrammeTable
from training.fit import FIRM_QUERY, fit_ranker
from training.masking import SHIPPED_MASKING, Masking, masked_catalogue
from training.metrics import ndcg_at_k
from training.pairs import PairSet, candidate_pairs, labelled_pairs, prepared_firms


def oracle_ndcg(candidates: PairSet, scores: object, oracle: pd.DataFrame) -> float:
    frame = candidates.meta.assign(score=scores).merge(
        oracle[["firm_id", "year", "programme_id", "expected_outcome"]],
        on=["firm_id", "year", "programme_id"],
    )
    return float(ndcg_at_k(frame, k=3, query=FIRM_QUERY, score="score", gain="expected_outcome"))


def measure(n_firms: int, seed: int, catalogue_seeds: list[int]) -> dict[str, object]:
    world = simulate_world(n_firms=n_firms, years=(2022, 2024), seed=seed)
    ds = world.dataset
    firms = prepared_firms(ds)
    last = int(firms["year"].max())
    train_rows = firms["year"].to_numpy() < last
    pipeline = FeaturePipeline().fit(firms.loc[train_rows])
    full = ProgrammeTable(ds.programmes)
    test = firms.loc[~train_rows].reset_index(drop=True)
    on_full = candidate_pairs(pipeline, test, full)
    on_masked = [
        candidate_pairs(
            pipeline,
            test,
            ProgrammeTable(masked_catalogue(ds.programmes, Masking(SHIPPED_MASKING.rates, seed=s))),
        )
        for s in catalogue_seeds
    ]
    out: dict[str, object] = {"firms": n_firms, "seed": seed, "test_year": last}
    for label, mask in (("current", None), ("masked", SHIPPED_MASKING)):
        pairs = labelled_pairs(ds, pipeline, firms, full, mask)
        train = pairs.subset(pairs.meta["year"].to_numpy() < last)
        ranker = fit_ranker(train, objective="regression", seed=seed).ranker
        out[f"{label} training, full descriptions"] = oracle_ndcg(
            on_full, ranker.predict(on_full.X), world.oracle
        )
        out[f"{label} training, masked descriptions"] = float(
            np.mean([oracle_ndcg(c, ranker.predict(c.X), world.oracle) for c in on_masked])
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--catalogue-seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.firms, args.seed, args.catalogue_seeds)
    for key, value in result.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
