"""How long the costliest allowed request holds a worker, on the real catalogue.

``recommender serve`` (1 worker, 127.0.0.1) over a store holding Bizinfo's 1,864
offerings, the shipped model, and demo firms carried into 2025 (as
:mod:`bench.serve_catalogue` does). For each shape of request the batch is as large as
``Settings.max_request_cost`` allows (:mod:`api.cost`): every programme explained with
the ineligible ones listed, top 5 with the ineligible ones, top 5 only. Each is sent
``--repeat`` times, one at a time; the slowest is reported with its size. One profile
more than the cap allows must be refused in milliseconds. Usage::

    python bench/request_cost.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.deployment import bench_settings  # noqa: E402
from bench.serve_catalogue import BIZINFO, YEAR, bizinfo_profiles  # noqa: E402
from bench.server_process import ServerProcess  # noqa: E402
from recommender import simulate_world  # noqa: E402
from recommender.adapters.bizinfo.dbstore import import_into_store  # noqa: E402
from recommender.adapters.store import (  # noqa: E402
    create_key,
    get_engine,
    load_programmes,
    session_scope,
    upgrade_database,
)
from recommender.settings import PROJECT_ROOT, Settings  # noqa: E402

OUT = ROOT / "bench" / "out" / "request_cost.json"
SHAPES: dict[str, dict[str, Any]] = {
    "every programme explained + ineligible listed": {
        "explain": "all",
        "include_ineligible": True,
    },
    "top 5 explained + ineligible listed": {"k": 5, "include_ineligible": True},
    "top 5 explained": {"k": 5},
}


def per_profile(n: int, options: dict[str, Any]) -> int:
    """The cost of one profile against ``n`` programmes (:func:`api.cost.request_cost`)."""
    explained = n if options.get("explain") == "all" else min(options.get("k", 5), n)
    return n + explained + (n if options.get("include_ineligible") else 0)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cap = Settings().max_request_cost
    profiles = bizinfo_profiles(simulate_world(n_firms=400, seed=42).dataset.firms)
    results: dict[str, Any] = {"max_request_cost": cap, "shapes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as tmp:
        root = Path(tmp)
        settings = bench_settings(root, models_dir=PROJECT_ROOT / "models")
        upgrade_database(settings.db_url)
        engine = get_engine(settings.db_url)
        with session_scope(engine) as session:
            import_into_store(session, BIZINFO)
        with session_scope(engine) as session:
            key = create_key(session, name="bench", role="partner")
            n = int((load_programmes(session)["year"] == YEAR).sum())
        results["programmes"] = n
        env = {"RECOMMENDER_COST_BUDGET_PER_MINUTE": str(10**9)}
        with (
            ServerProcess(settings, root / "server.log", env=env) as server,
            httpx.Client(base_url=server.url, headers={"X-API-Key": key}, timeout=300) as c,
        ):
            c.post("/v1/recommendations", json={"profile": profiles[0]})  # warm-up
            for name, options in SHAPES.items():
                size = cap // per_profile(n, options)
                body = {"profiles": profiles[:size], **options}
                runs = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    r = c.post("/v1/recommendations/batch", json=body)
                    runs.append((time.perf_counter() - start, len(r.content), r.status_code))
                over = {"profiles": profiles[: size + 1], **options}
                start = time.perf_counter()
                refused = c.post("/v1/recommendations/batch", json=over)
                refused_ms = (time.perf_counter() - start) * 1000
                worst = max(runs)
                results["shapes"][name] = {
                    "profiles": size,
                    "cost": size * per_profile(n, options),
                    "statuses": sorted({s for *_, s in runs}),
                    "slowest_s": round(worst[0], 2),
                    "fastest_s": round(min(runs)[0], 2),
                    "response_mb": round(worst[1] / 1e6, 1),
                    "one_more_profile": refused.status_code,
                    "refused_in_ms": round(refused_ms, 1),
                }
                print(name, results["shapes"][name], flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
