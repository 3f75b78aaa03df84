"""Loading the fitted feature pipeline: plain JSON (what versions store) against joblib.

A pipeline fitted on the demo world (the shipped model's data) is written both ways in
memory and each is loaded ``--repeat`` times from its bytes (what serving does after the
registry verified them):
``joblib.load`` unpickles, :func:`recommender.adapters.pipeline_file.load_pipeline_bytes`
parses, checks every field and refits the profiler from its cell sums. Prints the
median and p95 per load and the sizes, and writes ``bench/out/pipeline_load.json``.

    .venv/bin/python bench/pipeline_load.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender import FeaturePipeline, simulate_world  # noqa: E402
from recommender.adapters.pipeline_file import dump_pipeline, load_pipeline_bytes  # noqa: E402
from recommender.constants import DEMO_WORLD  # noqa: E402


def timed(load: Callable[[], Any], repeat: int) -> dict[str, float]:
    load()  # warm-up: imports, caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        load()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": statistics.median(times), "p95_ms": float(np.percentile(times, 95))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    pipeline = FeaturePipeline().fit(simulate_world(**DEMO_WORLD).dataset.firms)  # type: ignore[arg-type]
    as_json = dump_pipeline(pipeline)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    as_pickle = buffer.getvalue()
    rows = {
        "json": {
            "bytes": len(as_json),
            **timed(lambda: load_pipeline_bytes(as_json, where="bench"), args.repeat),
        },
        "joblib": {
            "bytes": len(as_pickle),
            **timed(lambda: joblib.load(io.BytesIO(as_pickle)), args.repeat),
        },
    }
    again = load_pipeline_bytes(as_json, where="bench").profiler
    assert np.array_equal(again.benchmarks_, pipeline.profiler.benchmarks_), "not exact"
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "pipeline_load.json").write_text(json.dumps(rows, indent=2))
    print(f"{'format':<8} {'bytes':>8} {'median ms':>10} {'p95 ms':>8}")
    for name, r in rows.items():
        print(f"{name:<8} {r['bytes']:>8} {r['median_ms']:>10.3f} {r['p95_ms']:>8.3f}")


if __name__ == "__main__":
    main()
