"""Training time and peak memory at several demo-world sizes (three years of history).

Each size runs in its own process so peak RSS is that training's alone:

    .venv/bin/python bench/train.py --sizes 10000 100000 300000

Prints a table and writes bench/out/train.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from recommender import simulate_world
from recommender.adapters.registry import Registry
from training.local import train_version
n, root = int(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
world = simulate_world(n_firms=n, years=(2022, 2024), seed=42)
t1 = time.perf_counter()
train_version(world.dataset, registry=Registry(root, signing_key="bench-scratch-registry-key"),
              version="bench", run_evaluation=False,
              num_threads=2)
t2 = time.perf_counter()
print(json.dumps({"firms": n, "profiles": len(world.dataset.firms),
                  "outcomes": len(world.dataset.outcomes), "simulate_s": round(t1 - t0, 1),
                  "train_s": round(t2 - t1, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(n), tmp],
                capture_output=True,
                text=True,
                check=True,
                timeout=3600,
            )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "train.json").write_text(json.dumps(rows, indent=2))
    print(f"\n{'firms':>8} {'profiles':>9} {'outcomes':>9} {'train s':>8} {'peak RSS MB':>12}")
    for r in rows:
        print(
            f"{r['firms']:>8} {r['profiles']:>9} {r['outcomes']:>9} {r['train_s']:>8} "
            f"{r['peak_rss_mb']:>12}"
        )


if __name__ == "__main__":
    main()
