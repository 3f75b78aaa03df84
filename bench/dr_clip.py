"""How far the doubly robust estimator's importance ratios should be clipped, on tuning worlds.

For each world (seed, firms, years; tuning worlds only, never a validation world): the
logged pairs of the last year with their cross-fitted nuisances and the six rankers of
``bench/policy_value.py``; then, for each clip ``c`` of the grid, the DR estimate with
ratios ``min(1 / e, c)`` of every ranker's top pick against the oracle's true value:

* ``err``, ``se``, ``covered``: its error, bootstrap standard error and whether the
  95 % percentile interval (400 draws, firms resampled) holds the truth;
* ``bias``: the clipping's expected error, mean_i (1 - c e)+ (m - mu), mu the oracle's
  expected outcome of the pick;
* ``sd``: the estimate's standard deviation given the firms and the outcome model (who
  joins is Bernoulli(e), the grade has variance (mu - m)^2 + 0.6 around m), and
  ``sd_100k`` scaled to 100,000 firms, ``rmse_100k`` with the bias.

    .venv/bin/python bench/dr_clip.py --worlds 101:20000:2021-2023 101:40000:2021-2023 \\
        102:20000:2022-2024 103:40000:2020-2022
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.policy_value import _world, rankings  # noqa: E402
from recommender import simulate_world  # noqa: E402
from training.logged import JOINED, KEYS  # noqa: E402
from training.off_policy import logged_values  # noqa: E402
from training.policies import oracle_value, picks  # noqa: E402

CLIPS: tuple[float, ...] = (10.0, 20.0, 30.0, 50.0, 100.0, 200.0, np.inf)
NOISE = 0.6  # about the variance of a grade around its expected value (0.57-0.65 measured)
SCALE_TO = 100_000
N_BOOT = 400


def world_rows(spec: str) -> list[dict[str, object]]:
    """One row per ranker and clip of the world ``spec``."""
    seed, n_firms, years = _world(spec)
    world = simulate_world(n_firms=n_firms, years=years, seed=seed)
    year = years[1]
    logged = logged_values(world.dataset, seed=42)
    oracle = world.oracle[KEYS + ["expected_outcome"]]
    rng = np.random.default_rng(0)
    rows: list[dict[str, object]] = []
    for name, ranking in rankings(world, seed=42).items():
        chosen = picks(logged, ranking, k=1).merge(oracle, on=KEYS, how="left")
        truth = oracle_value(ranking, world.oracle, year=year)
        joined = chosen[JOINED].to_numpy(bool)
        e = chosen["propensity"].to_numpy(float)
        ratio = np.where(joined, 1.0 / e, 0.0)
        y = np.where(joined, chosen["outcome"].to_numpy(float), 0.0)
        m = chosen["expected"].to_numpy(float)
        mu = chosen["expected_outcome"].to_numpy(float)
        n = len(m)
        draws = rng.integers(0, n, size=(N_BOOT, n))
        for clip in CLIPS:
            terms = m + np.minimum(ratio, clip) * (y - m)
            boot = terms[draws].mean(1)
            low, high = np.quantile(boot, [0.025, 0.975])
            g = np.minimum(1.0 / e, clip)
            var = (e * g**2 * ((mu - m) ** 2 + NOISE) - (e * g * (mu - m)) ** 2).sum() / n**2
            rows.append(
                {
                    "world": spec,
                    "n": n,
                    "ranker": name,
                    "clip": clip,
                    "err": terms.mean() - truth,
                    "se": boot.std(),
                    "covered": bool(low <= truth <= high),
                    "bias": float((np.clip(1 - clip * e, 0, None) * (m - mu)).mean()),
                    "sd": float(np.sqrt(var)),
                }
            )
    return rows


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per clip: share within 0.05, coverage, max |error|, mean SE, |bias|, RMSE at 100k."""
    table = table.assign(sd_100k=table["sd"] * np.sqrt(table["n"] / SCALE_TO))
    table = table.assign(rmse_100k=np.sqrt(table["bias"] ** 2 + table["sd_100k"] ** 2))
    return table.groupby("clip").agg(
        cases=("err", "size"),
        within=("err", lambda x: float((x.abs() <= 0.05).mean())),
        covered=("covered", "mean"),
        max_abs_error=("err", lambda x: float(x.abs().max())),
        mean_se=("se", "mean"),
        mean_abs_bias=("bias", lambda x: float(x.abs().mean())),
        sd_100k=("sd_100k", "mean"),
        rmse_100k=("rmse_100k", "mean"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worlds", nargs="+", required=True, help="SEED:FIRMS:FIRST-LAST")
    args = parser.parse_args()
    table = pd.DataFrame([row for spec in args.worlds for row in world_rows(spec)])
    for spec, part in table.groupby("world", sort=False):
        print(f"\nworld {spec}")
        print(summary(part).round(4).to_string())
    print("\nall worlds")
    print(summary(table).round(4).to_string())


if __name__ == "__main__":
    main()
