"""Cohort allocation: how good (on simulated worlds with the oracle) and how fast.

``quality``
    For each seed, a simulated world (default 8,000 firms, 2022-2024), its last year's
    cohort scored by a model trained as ``make model`` trains the shipped one (the demo
    world: 5,000 firms, seed 42; kept under ``--work``),
    and the total *true* expected outcome (the oracle's) of: the status quo (each firm
    applies to its top pick, served first come), greedy by score, the exact allocation
    over the model's scores, the same with floors of 30 % and 50 % of the seats for
    firms outside Seoul and Gyeonggi (about half the firms) and the optimum by the
    oracle. Also the allocation's share of the exact
    optimum over its own scores, checked by a second solver (HiGHS MIP).
``scale``
    For each size (default 10k and 100k firms) a world is written once (Parquet), then a
    child process runs what ``recommender allocate`` runs, phase by phase: read, score,
    build, solve, reasons, write; peak RSS is the child's ``ru_maxrss``. ``--catalogue``
    adds a row at the real catalogue's size: the 2024 offerings copied to about 1,900
    (seats split among the copies, so scarcity stays the same; each copy's support
    varied, so they are distinct offerings) for the first size.

    python bench/allocate.py quality --seeds 1 2 3
    python bench/allocate.py scale --sizes 10000 100000 --catalogue 1900
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

YEARS = (2022, 2024)
FLOORS = ("region:not:seoul,gyeonggi=0.30", "region:not:seoul,gyeonggi=0.50")
OUT = ROOT / "bench" / "out"


MODEL_FIRMS, MODEL_SEED = 5000, 42  # the demo world, as `make model` trains on it


def _registry(work: Path) -> Any:
    """A registry holding ``bench``: a regression model trained on the demo world, as
    ``make model`` trains the shipped one (trained once, kept in ``work``)."""
    from bench.deployment import SCRATCH_SIGNING_KEY
    from recommender.adapters.registry import Registry
    from recommender.simulate import simulate_world
    from training.local import train_version

    registry = Registry(work / "models", signing_key=SCRATCH_SIGNING_KEY)
    if "bench" not in {v["version"] for v in registry.versions()}:
        world = simulate_world(n_firms=MODEL_FIRMS, years=YEARS, seed=MODEL_SEED)
        train_version(
            world.dataset,
            registry=registry,
            version="bench",
            objective="regression",
            run_evaluation=False,
        )
    return registry


def _recommender(programmes: Any, work: Path) -> Any:
    from recommender.adapters.artefact import load_recommender

    return load_recommender(_registry(work), "bench", programmes=programmes, num_threads=2)


# --- quality -----------------------------------------------------------------------------
def quality_of(seed: int, n_firms: int, work: Path) -> dict[str, Any]:
    """The comparison on one simulated world."""
    from recommender import simulate_world
    from recommender.allocate import allocate, build_problem, parse_floor
    from recommender.allocate.cohort import candidate_scores
    from recommender.allocate.evaluate import compare, true_values
    from recommender.allocate.mip import solve_mip

    world = simulate_world(n_firms=n_firms, years=YEARS, seed=seed)
    ds = world.dataset
    rec = _recommender(ds.programmes, work)
    cohort = ds.firms[ds.firms["year"] == YEARS[1]]
    problem = build_problem(
        candidate_scores(rec, cohort, ds.outcomes), ds.firms, ds.programmes, year=YEARS[1]
    )
    table = compare(problem, world.oracle, seed=seed)
    truth = true_values(problem, world.oracle)
    best = table["true_expected_outcome"].iloc[-1]
    rows = table.to_dict("records")
    for place, text in enumerate(FLOORS, start=3):
        held = allocate(problem, floors=[parse_floor(text)])
        rows.insert(
            place,
            {
                "method": f"allocation with floor {text}",
                "assignments": int(held.chosen.sum()),
                "true_expected_outcome": float(truth[held.chosen].sum()),
                "share_of_oracle_optimum": float(truth[held.chosen].sum()) / best,
                "model_expected_outcome": held.total_expected_outcome,
                "share_of_model_optimum": held.total_expected_outcome
                / table["model_expected_outcome"].iloc[2],
            },
        )
    mip = solve_mip(problem, [])
    assert mip is not None
    outside = parse_floor(FLOORS[0]).members(problem.firms)
    free = allocate(problem)
    return {
        "seed": seed,
        "firms": len(problem.firms),
        "programmes": len(problem.programmes),
        "seats": problem.seats_on_offer(),
        "pairs": problem.n_pairs,
        "rows": rows,
        "exact_share_checked_by_mip": free.total_expected_outcome / float(problem.value[mip].sum()),
        "outside_share_free": float(outside[problem.firm[free.chosen]].sum())
        / problem.seats_on_offer(),
    }


def quality(seeds: list[int], n_firms: int, work: Path) -> dict[str, Any]:
    worlds = [quality_of(seed, n_firms, work) for seed in seeds]
    methods = [r["method"] for r in worlds[0]["rows"]]
    mean = [
        {
            "method": m,
            **{
                key: sum(w["rows"][i][key] for w in worlds) / len(worlds)
                for key in (
                    "assignments",
                    "true_expected_outcome",
                    "share_of_oracle_optimum",
                    "model_expected_outcome",
                    "share_of_model_optimum",
                )
            },
        }
        for i, m in enumerate(methods)
    ]
    return {"n_firms": n_firms, "seeds": seeds, "worlds": worlds, "mean": mean}


def quality_table(report: dict[str, Any]) -> str:
    lines = [
        "| method | assignments | true expected outcome | share of oracle optimum | "
        "share of optimum over own scores |",
        "|---|---|---|---|---|",
    ]
    for r in report["mean"]:
        lines.append(
            f"| {r['method']} | {r['assignments']:,.0f} | "
            f"{r['true_expected_outcome']:,.0f} | {r['share_of_oracle_optimum']:.1%} | "
            f"{r['share_of_model_optimum']:.1%} |"
        )
    checks = ", ".join(f"{w['exact_share_checked_by_mip']:.6f}" for w in report["worlds"])
    outside = ", ".join(f"{w['outside_share_free']:.1%}" for w in report["worlds"])
    return "\n".join(lines) + (
        f"\n\nexact allocation / HiGHS MIP optimum, per world: {checks}"
        f"\nseats outside Seoul and Gyeonggi without a floor: {outside}"
    )


# --- scale -------------------------------------------------------------------------------
def write_world(n: int, work: Path) -> Path:
    from recommender import simulate_world
    from recommender.adapters.worlds import write_world as write

    data = work / f"world-{n}"
    if not (data / "firms.parquet").is_file():
        write(simulate_world(n_firms=n, years=YEARS, seed=42), data, fmt="parquet")
    return data


def copied_catalogue(programmes: Any, size: int) -> Any:
    """The last year's scored offerings copied to about ``size``, seats split among the
    copies and each copy's support varied (x0.6-1.4, seeded), so the copies are distinct
    offerings a firm values differently, as the calls of a real catalogue are."""
    import numpy as np
    import pandas as pd

    from recommender.constants import OTHER_TYPE

    year = programmes[
        (programmes["year"] == YEARS[1]) & (programmes["programme_type"] != OTHER_TYPE)
    ]
    copies = max(1, math.ceil(size / len(year)))
    rng = np.random.default_rng(0)
    parts = [
        year.assign(
            programme_id=year["programme_id"] + f"-c{c:02d}",
            capacity=np.maximum(1, np.round(year["capacity"] / copies)),
            support_krw_m=year["support_krw_m"] * rng.uniform(0.6, 1.4, len(year)),
        )
        for c in range(copies)
    ]
    return pd.concat([programmes[programmes["year"] != YEARS[1]], *parts], ignore_index=True)


def scale_step(data: Path, out: Path, catalogue: int, work: Path) -> dict[str, Any]:
    """What ``recommender allocate`` does, timed phase by phase (in a child process)."""
    from batch.allocate import write_allocation
    from recommender.adapters.files import read_data_dir
    from recommender.allocate import allocate, build_problem
    from recommender.allocate.cohort import candidate_scores

    seconds: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        seconds[name] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()

    ds = read_data_dir(data)
    programmes = copied_catalogue(ds.programmes, catalogue) if catalogue else ds.programmes
    rec = _recommender(programmes, work)
    cohort = ds.firms[ds.firms["year"] == YEARS[1]]
    lap("read")
    scored = candidate_scores(rec, cohort, ds.outcomes)
    lap("score")
    problem = build_problem(scored, cohort, programmes, year=YEARS[1])
    del scored
    lap("build")
    allocation = allocate(problem)
    lap("solve")
    rows = allocation.assignments()
    lap("reasons")
    write_allocation(allocation, out, rows=rows)
    lap("write")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "firms": len(cohort),
        "programmes": len(problem.programmes),
        "pairs": problem.n_pairs,
        "seats": problem.seats_on_offer(),
        **allocation.work,
        "assignments": len(rows),
        "seconds": seconds,
        "allocation_seconds": round(sum(v for k, v in seconds.items() if k != "score"), 2),
        "total_seconds": round(sum(seconds.values()), 2),
        "peak_rss_mb": round(peak),
    }


def scale(sizes: list[int], catalogue: int, work: Path) -> list[dict[str, Any]]:
    runs = [(n, 0) for n in sizes] + ([(sizes[0], catalogue)] if catalogue else [])
    results = []
    for n, cat in runs:
        data = write_world(n, work)
        cmd = [
            sys.executable,
            __file__,
            "_step",
            str(data),
            str(work / f"alloc-{n}-{cat}.csv"),
            str(cat),
            str(work),
        ]
        child = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    return results


def scale_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| firms | programmes | candidate pairs | seats | networks (pairs in last) | "
        "score s | build s | solve s | reasons s | write s | allocation s (all but "
        "scoring) | total s | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r["seconds"]
        lines.append(
            f"| {r['firms']:,} | {r['programmes']:,} | {r['pairs']:,} | "
            f"{r['seats']:,} | {r['network_rounds']} ({r['network_pairs']:,}) | "
            f"{s['score']} | {s['build']} | {s['solve']} | "
            f"{s['reasons']} | {s['write']} | {r['allocation_seconds']} | "
            f"{r['total_seconds']} | {r['peak_rss_mb']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_step":
        print(
            json.dumps(
                scale_step(
                    Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
                )
            )
        )
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality", help="true expected outcome beside the baselines")
    q.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    q.add_argument("--firms", type=int, default=8000)
    s = sub.add_parser("scale", help="time and memory by number of firms")
    s.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    s.add_argument(
        "--catalogue", type=int, default=1900, help="offerings of the real-catalogue row (0 = none)"
    )
    for p in (q, s):
        p.add_argument(
            "--work",
            type=Path,
            default=Path(tempfile.gettempdir()) / "allocate-bench",
            help="where the model and the simulated worlds are kept between runs",
        )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.command == "quality":
        report = quality(args.seeds, args.firms, args.work)
        (OUT / "allocate-quality.json").write_text(json.dumps(report, indent=2))
        print(quality_table(report))
    else:
        results = scale(args.sizes, args.catalogue, args.work)
        (OUT / "allocate-scale.json").write_text(json.dumps(results, indent=2))
        print(scale_table(results))


if __name__ == "__main__":
    main()
