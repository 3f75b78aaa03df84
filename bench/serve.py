"""Serving benchmark: latency and throughput of the HTTP API and of batch ranking.

Runs, in one go and on this machine, with the registry's champion:

1. The demo catalogue (:mod:`bench.serve_demo`): ``recommender serve`` (uvicorn, 1 and
   then 2 workers) on 127.0.0.1 over a temporary SQLite store holding the demo world's
   catalogue; a bounded load generator (:mod:`bench.httpload`) posts single profiles -
   top 5 explained - one at a time (latency) and over several connections
   (throughput), then batches; batch ranking in-process; one firm in-process beside
   ``shap.TreeExplainer`` on every eligible programme.
2. The real catalogue (:mod:`bench.serve_catalogue`): the Bizinfo feed's 1,864
   offerings imported into a new store; top 5 explained and the same with every
   programme the firm cannot join (and why) over HTTP; every eligible programme
   explained in-process, beside the straightforward implementation.

Prints one table and writes ``bench/out/serve.json``. Usage::

    python bench/serve.py [--requests 2000] [--catalogue-requests 1000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import serve_catalogue, serve_demo  # noqa: E402
from bench.deployment import json_profile  # noqa: E402
from recommender import simulate_world  # noqa: E402
from recommender.adapters.registry import Registry  # noqa: E402
from recommender.adapters.signing import open_registry  # noqa: E402
from recommender.constants import DEMO_WORLD  # noqa: E402
from recommender.settings import get_settings  # noqa: E402

OUT = ROOT / "bench" / "out" / "serve.json"


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=2000, help="single requests per demo measurement"
    )
    parser.add_argument(
        "--catalogue-requests",
        type=int,
        default=1000,
        help="requests per real-catalogue HTTP measurement",
    )
    parser.add_argument(
        "--firms",
        type=int,
        default=int(DEMO_WORLD["n_firms"]),  # type: ignore[call-overload]
        help="firms of the simulated world",
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    parser.add_argument("--only", choices=("demo", "catalogue"), help="run one section")
    args = parser.parse_args(argv)

    settings = get_settings()
    registry = open_registry(settings)
    version = registry.resolve("champion")
    say = lambda m: print(f"… {m}", file=sys.stderr, flush=True)  # noqa: E731
    say(f"simulating the demo world ({args.firms} firms); model {version}")
    world = simulate_world(
        n_firms=args.firms,
        years=DEMO_WORLD["years"],  # type: ignore[arg-type]
        seed=int(DEMO_WORLD["seed"]),
    )  # type: ignore[call-overload]
    ds = world.dataset
    year = int(ds.firms["year"].max())
    firms = ds.firms[ds.firms["year"] == year].reset_index(drop=True)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_start": list(os.getloadavg()),
        },
        "model": {"version": version, "trees": registry_trees(registry, version)},
        "catalogue": {"year": year, "programmes": int((ds.programmes["year"] == year).sum())},
        "targets": serve_demo.TARGETS,
    }
    common = dict(models_dir=settings.models_dir, registry=registry, version=version, say=say)
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        if args.only != "catalogue":
            results["demo"] = serve_demo.run(
                Path(tmp) / "demo",
                dataset=ds,
                profiles=[json_profile(r) for r in firms.to_dict("records")],
                requests=300 if args.quick else args.requests,
                concurrency=args.concurrency,
                quick=args.quick,
                **common,
            )
        if args.only != "demo":
            results["real_catalogue"] = serve_catalogue.run(
                Path(tmp) / "catalogue",
                firms=ds.firms,
                requests=200 if args.quick else args.catalogue_requests,
                calls=50 if args.quick else 200,
                **common,
            )
    results["machine"]["load_avg_at_end"] = list(os.getloadavg())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return results


def registry_trees(registry: Registry, version: str) -> int:
    """Trees of a version's LightGBM model."""
    from recommender.adapters.artefact import load_ranker

    return int(load_ranker(registry, version).booster.num_trees())


def print_table(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(
        title=f"serving benchmark - model {r['model']['version']} "
        f"({r['model']['trees']} trees), demo: {r['catalogue']['programmes']} "
        f"programmes in {r['catalogue']['year']}, {r['machine']['cpus']} CPUs"
    )
    for col in ("measurement", "p50 ms", "p99 ms", "throughput / note", "target"):
        t.add_column(col)
    rows = []
    if "demo" in r:
        rows += serve_demo.table_rows(r["demo"])
    if "real_catalogue" in r:
        rows += serve_catalogue.table_rows(r["real_catalogue"])
    for row in rows:
        t.add_row(*row)
    Console(width=160).print(t)
    print(
        f"load average start {r['machine']['load_avg_at_start']}, "
        f"end {r['machine']['load_avg_at_end']}; results in {OUT}"
    )


if __name__ == "__main__":
    main()
