"""Validation of the off-policy value estimators against the simulator's oracle.

For each world (seed, firms, years): six rankers are trained on the years before the
last, as the time split of the evaluation does (the shipped procedure's model, the
lambdarank objective, plain LightGBM on raw columns, the capability-gap heuristic,
programme-type popularity, random). Each ranks the last year's eligible scored pairs;
its value is estimated from that year's outcomes alone by every method, and compared
with the true value (the oracle's expected outcome of its top pick):

    .venv/bin/python bench/policy_value.py --worlds 7:30000:2021-2023 19:40000:2022-2024
    .venv/bin/python bench/policy_value.py --summary bench/out/policy_value*.json

Prints a table per world and a summary, and writes bench/out/policy_value.json (or
``--out``); ``--summary`` prints the summary of the rows of earlier runs.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

from recommender import FeaturePipeline, World, simulate_world
from recommender.features import ProgrammeTable
from training import baselines
from training.fit import fit_ranker
from training.off_policy import logged_values
from training.pairs import candidate_pairs, labelled_pairs, prepared_firms
from training.policies import oracle_value, ranking_from_scores
from training.policy_value import METHODS, overlap, policy_value
from training.rules import MAX_ROUNDS

RANKERS: tuple[str, ...] = (
    "model",
    "lambdarank",
    "raw_lightgbm",
    "gap_heuristic",
    "type_popularity",
    "random",
)
TOLERANCE = 0.05  # the bound on |estimate - truth|
OUT = Path(__file__).parent / "out" / "policy_value.json"


def rankings(
    world: World, *, seed: int = 42, num_threads: int = 2, max_rounds: int = MAX_ROUNDS
) -> dict[str, pd.DataFrame]:
    """Each ranker's ranking of the last year's eligible scored pairs (trained before it);
    ``max_rounds`` bounds the boosting rounds of the two fitted objectives."""
    ds = world.dataset
    firms = prepared_firms(ds)
    last = int(firms["year"].max())
    train_mask = (firms["year"] < last).to_numpy()
    table = ProgrammeTable(ds.programmes)
    pipeline = FeaturePipeline().fit(firms.loc[train_mask])
    labelled = labelled_pairs(ds, pipeline, firms, table)
    train = labelled.subset(np.isin(labelled.meta["firm_row"], np.flatnonzero(train_mask)))
    test_firms = firms.loc[~train_mask]
    cand = candidate_pairs(pipeline, test_firms.reset_index(drop=True), table)
    cand.meta["firm_row"] = test_firms.index.to_numpy()[cand.meta["firm_row"]]

    def fitted(objective: str) -> np.ndarray:
        fit = fit_ranker(
            train, objective=objective, seed=seed, num_threads=num_threads, max_rounds=max_rounds
        )
        return fit.ranker.predict(cand.X)

    scorers: dict[str, Callable[[], np.ndarray]] = {
        "model": lambda: fitted("regression"),
        "lambdarank": lambda: fitted("lambdarank"),
        "raw_lightgbm": lambda: baselines.raw_lightgbm_scores(
            baselines.raw_matrix(train, firms, ds.programmes),
            train.meta["outcome"].to_numpy(),
            baselines.raw_matrix(cand, firms, ds.programmes),
            seed=seed,
            num_threads=num_threads,
        ),
        "gap_heuristic": lambda: baselines.gap_heuristic_scores(cand),
        "type_popularity": lambda: baselines.popularity_scores(cand, train),
        "random": lambda: baselines.random_scores(cand, seed=seed),
    }
    return {name: ranking_from_scores(cand.meta, scorers[name]()) for name in RANKERS}


def study(
    world: World, *, seed: int = 42, n_boot: int = 1000, methods: tuple[str, ...] = METHODS
) -> pd.DataFrame:
    """One row per ranker x method: true value, estimate, interval, error, covered."""
    year = int(world.dataset.firms["year"].max())
    logged = logged_values(world.dataset, seed=seed)
    rows = []
    for name, ranking in rankings(world, seed=seed).items():
        truth = oracle_value(ranking, world.oracle, year=year)
        diag = overlap(logged, ranking)
        for method in methods:
            v = policy_value(logged, ranking, method=method, n_boot=n_boot, seed=seed)  # type: ignore[arg-type]
            rows.append(
                {
                    "ranker": name,
                    "method": method,
                    "truth": truth,
                    "estimate": v.estimate,
                    "ci_low": v.ci_low,
                    "ci_high": v.ci_high,
                    "allowance": v.allowance,
                    "error": v.estimate - truth,
                    "covered": v.ci_low <= truth <= v.ci_high,
                    "n_firms": v.n_firms,
                    "n_matched": v.n_matched,
                    "ess": diag["ess"],
                    "share_below_1pct": diag["share_below_1pct"],
                }
            )
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per method: share within the tolerance, coverage, max |error|, Kendall tau by world."""
    out = []
    for method, part in table.groupby("method", sort=False):
        allowance = part.get("allowance", 0.0)  # runs before the bias-aware interval: none
        taus = [
            kendalltau(w["truth"], w["estimate"]).statistic
            for _, w in part.groupby("world", sort=False)
        ]
        out.append(
            {
                "method": method,
                "cases": len(part),
                "within_0.05": float((part["error"].abs() <= TOLERANCE).mean()),
                "covered": float(part["covered"].mean()),
                "max_abs_error": float(part["error"].abs().max()),
                "mean_ci_width": float((part["ci_high"] - part["ci_low"]).mean()),
                "covered_percentile": float(
                    (
                        (part["ci_low"] + allowance <= part["truth"])
                        & (part["truth"] <= part["ci_high"] - allowance)
                    ).mean()
                ),
                "min_tau": float(min(taus)),
                "mean_tau": float(np.mean(taus)),
            }
        )
    return pd.DataFrame(out)


def _world(spec: str) -> tuple[int, int, tuple[int, int]]:
    seed, firms, years = spec.split(":")
    first, last = years.split("-")
    return int(seed), int(firms), (int(first), int(last))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--worlds", nargs="+", default=["7:20000:2021-2023"], help="SEED:FIRMS:FIRST-LAST per world"
    )
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--summary", type=Path, nargs="+", help="print the summary of runs")
    args = parser.parse_args()
    if args.summary:
        rows = [row for path in args.summary for row in json.loads(path.read_text())]
        print(summary(pd.DataFrame(rows)).round(3).to_string(index=False))
        return
    tables = []
    for spec in args.worlds:
        seed, n_firms, years = _world(spec)
        t0 = time.perf_counter()
        world = simulate_world(n_firms=n_firms, years=years, seed=seed)
        table = study(world, n_boot=args.n_boot).assign(world=spec)
        tables.append(table)
        print(f"\nworld {spec} ({time.perf_counter() - t0:.0f} s)")
        print(table.drop(columns=["world"]).round(3).to_string(index=False))
    everything = pd.concat(tables, ignore_index=True)
    print("\nsummary")
    print(summary(everything).round(3).to_string(index=False))
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(everything.to_dict(orient="records"), indent=1, default=float))


if __name__ == "__main__":
    main()
