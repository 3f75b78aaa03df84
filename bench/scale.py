"""How training and batch scoring grow with the number of firms, on one machine and on Dask.

For each size (default 100k, 300k and 1M firms; three profile years each) this writes a
partitioned demo world (``recommender simulate --partitions``) and measures, each step
in its own child process:

``train-local``   ``read_data_dir`` + ``training.local.train_version`` (regression, no
                  evaluation)
``train-dask``    ``training.dask.train_version`` on a 2-worker ``LocalCluster``
``score-local``   ``Recommender.score`` of up to 100k last-year firm rows, in memory
``score-dask``    ``batch.dask.score`` of every last-year firm row, Parquet parts on disk

Time is wall-clock of the step. Memory is the peak resident set size (RSS) of every
process of the step, sampled every 0.2 s with psutil (plus the child's own
``ru_maxrss``): ``main`` is the process that runs the step (for Dask: the client and the
scheduler), ``workers`` the Dask worker processes. Results go to ``bench/out/scale.json``
and a table is printed.

    python bench/scale.py                      # 100k, 300k and 1M firms
    python bench/scale.py --sizes 100000,300000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (100_000, 300_000, 1_000_000)
YEARS = (2022, 2024)
SEED = 42
CHUNK_FIRMS = 50_000  # firms per simulated chunk (row group)
LOCAL_SCORE_ROWS = 100_000  # single-machine scoring sample (throughput is per row)
COMPARE_ROWS = 30_000  # last-year firm rows both models rank for the agreement check
STEPS = ("train-local", "train-dask", "score-local", "score-dask", "compare")


# --- the steps (run in a child process) ------------------------------------------------
def _last_year_firms(data: Path) -> Any:
    import pandas as pd

    firms = pd.read_parquet(data / "firms.parquet")
    return firms[firms["year"] == YEARS[1]]


def step(name: str, data: Path, models: Path, workers: int, out: Path) -> dict[str, Any]:
    """Run one measured step; returns its figures."""
    from bench.deployment import SCRATCH_SIGNING_KEY
    from recommender.adapters.registry import Registry

    registry = Registry(models, signing_key=SCRATCH_SIGNING_KEY)
    t0 = time.perf_counter()
    result: dict[str, Any] = {}
    if name == "train-local":
        from recommender.adapters.files import read_data_dir
        from training.local import train_version

        ds = read_data_dir(data, require_outcomes=True)
        result["read_seconds"] = time.perf_counter() - t0
        version = train_version(
            ds,
            registry=registry,
            version="local",
            objective="regression",
            run_evaluation=False,
            num_threads=2,
        )
        result["manifest"] = _manifest(registry, version)
    elif name == "train-dask":
        from training.dask import train_version as train_dask

        version = train_dask(
            data, registry=registry, version="dask", run_evaluation=False, n_workers=workers
        )
        result["manifest"] = _manifest(registry, version)
    elif name == "score-local":
        from recommender.adapters.artefact import load_recommender
        from recommender.adapters.files import read_data_dir

        ds = read_data_dir(data)
        firms = ds.firms[ds.firms["year"] == YEARS[1]].head(LOCAL_SCORE_ROWS)
        rec = load_recommender(registry, "local", programmes=ds.programmes, num_threads=2)
        t0 = time.perf_counter()  # scoring only; reading is train-local's read_seconds
        scored = rec.score(firms, outcomes=ds.outcomes)
        result.update(firm_rows=len(firms), rows=len(scored))
    elif name == "score-dask":
        from batch.dask import score as score_dask

        run = score_dask(
            data, registry=registry, out=out, model="dask", n_workers=workers, year=YEARS[1]
        )
        result.update(firm_rows=run.firm_rows, rows=run.rows, partitions=run.partitions)
    elif name == "compare":
        result.update(agreement(data, registry))
    else:
        raise SystemExit(f"unknown step {name!r}")
    result["seconds"] = time.perf_counter() - t0
    own, reaped = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    # children: the Dask worker processes, reaped when the local cluster closed
    result["cpu_seconds"] = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    result["ru_maxrss_mb"] = own.ru_maxrss / 1024
    return result


def agreement(data: Path, registry: Any) -> dict[str, Any]:
    """Both models on the same last-year firms: Spearman of their scores and each one's
    oracle NDCG@3 over every eligible scored pair."""
    import pandas as pd
    from scipy.stats import spearmanr

    from recommender.adapters.artefact import load_recommender
    from recommender.adapters.files import read_data_dir
    from training.metrics import ndcg_at_k

    ds = read_data_dir(data)
    firms = ds.firms[ds.firms["year"] == YEARS[1]].head(COMPARE_ROWS)
    key = ["firm_id", "year", "programme_id"]
    local, dask = (
        load_recommender(registry, v, programmes=ds.programmes, num_threads=2).score(
            firms, outcomes=ds.outcomes
        )
        for v in ("local", "dask")
    )
    both = local.merge(dask, on=key, suffixes=("_local", "_dask"))
    both = both[both["eligible_local"] & both["score_local"].notna()]
    oracle = pd.read_csv(data / "oracle.csv", dtype={"firm_id": str, "programme_id": str})
    both = both.merge(oracle, on=key)
    ndcg = {
        f"oracle_ndcg@3_{e}": ndcg_at_k(
            both, k=3, query=("firm_id", "year"), score=f"score_{e}", gain="expected_outcome"
        )
        for e in ("local", "dask")
    }
    return {
        "firm_rows": len(firms),
        "pairs": len(both),
        "spearman": float(spearmanr(both["score_local"], both["score_dask"]).statistic),
        **ndcg,
    }


def _manifest(registry: Any, version: str) -> dict[str, Any]:
    m = registry.verify(version)
    return {
        "rounds": m["params"]["rounds"],
        "training_rows": m["training_rows"],
        "validation_peer_ndcg@3": m["metrics"].get("validation_score"),
    }


# --- measuring a child process tree ------------------------------------------------------
class Sampler(threading.Thread):
    """Peak RSS of a process and all its descendants, sampled every ``interval`` s."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peaks: dict[int, float] = {}
        self.total_peak = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0.0
            for p in procs:
                try:
                    rss = p.memory_info().rss / 2**20
                except psutil.NoSuchProcess:
                    continue
                total += rss
                self.peaks[p.pid] = max(self.peaks.get(p.pid, 0.0), rss)
            self.total_peak = max(self.total_peak, total)
            time.sleep(self.interval)


def measure(name: str, data: Path, models: Path, workers: int, out: Path) -> dict[str, Any]:
    """Run a step in a child process; its figures plus the sampled memory."""
    cmd = [
        sys.executable,
        __file__,
        "--step",
        name,
        "--data",
        str(data),
        "--models",
        str(models),
        "--workers",
        str(workers),
        "--out-dir",
        str(out),
    ]
    started = time.perf_counter()
    child = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    sampler = Sampler(child.pid)
    sampler.start()
    stdout, stderr = child.communicate()
    sampler.stop.set()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    others = sorted((v for pid, v in sampler.peaks.items() if pid != child.pid), reverse=True)
    result.update(
        wall_seconds=time.perf_counter() - started,
        main_peak_mb=max(sampler.peaks.get(child.pid, 0.0), result["ru_maxrss_mb"]),
        worker_peaks_mb=[round(v, 1) for v in others if v > 60],  # not tiny helper processes
        tree_peak_mb=sampler.total_peak,
    )
    return result


def world(n: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """A partitioned world of ``n`` firms (reused when already written with these sizes)."""
    from recommender.adapters.worlds import write_partitioned_world

    data = work / f"world-{n}"
    stamp = data / "world.json"
    if stamp.exists():
        return data, json.loads(stamp.read_text())
    parts = max(2, math.ceil(n / CHUNK_FIRMS))
    t0 = time.perf_counter()
    done = write_partitioned_world(data, n_firms=n, partitions=parts, years=YEARS, seed=SEED)
    info = {
        "n_firms": n,
        "partitions": parts,
        "firm_rows": done.firm_rows,
        "outcomes": done.outcomes,
        "programmes": done.programmes,
        "simulate_seconds": time.perf_counter() - t0,
        "parquet_mb": sum(f.stat().st_size for f in data.glob("*.parquet")) / 2**20,
    }
    stamp.write_text(json.dumps(info))
    return data, info


def run(sizes: list[int], *, workers: int, work: Path, out: Path) -> dict[str, Any]:
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "years": list(YEARS),
            "seed": SEED,
            "dask_workers": workers,
            "threads_per_worker": 1,
            "local_threads": 2,
            "chunk_firms": CHUNK_FIRMS,
            "local_score_rows": LOCAL_SCORE_ROWS,
        },
        "sizes": [],
    }
    if out.exists():  # keep the figures of sizes not measured in this run
        kept = json.loads(out.read_text()).get("sizes", [])
        report["sizes"] = [e for e in kept if e["n_firms"] not in sizes]
    for n in sizes:
        data, info = world(n, work)
        print(
            f"{n:>9,} firms: {info['firm_rows']:,} profiles, {info['outcomes']:,} outcomes",
            flush=True,
        )
        entry: dict[str, Any] = {**info, "load_before": os.getloadavg()[0]}
        models = work / f"models-{n}"
        for name in STEPS:
            if name.startswith("train") and (models / name.removeprefix("train-")).exists():
                shutil.rmtree(models / name.removeprefix("train-"))  # a fresh version each run
            entry[name] = measure(name, data, models, workers, work / f"scores-{n}")
            print(
                f"    {name:<12} {entry[name]['seconds']:8.1f} s  cpu "
                f"{entry[name]['cpu_seconds']:7.1f} s  main "
                f"{entry[name]['main_peak_mb']:7.0f} MB   workers "
                f"{entry[name]['worker_peaks_mb']}",
                flush=True,
            )
        entry["load_after"] = os.getloadavg()[0]
        report["sizes"].append(entry)
        report["sizes"].sort(key=lambda e: e["n_firms"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
    return report


def table(report: dict[str, Any]) -> str:
    """The figures as a Markdown table."""
    head = (
        "| firms | profiles | labelled pairs | train local s (cpu s) | peak MB | "
        "train Dask s (cpu s) | client MB | worker peak MB | score local firm rows/s | "
        "peak MB | score Dask firm rows/s | worker peak MB | Spearman | oracle NDCG@3 "
        "local / Dask |"
    )
    lines = [head, "|" + "|".join(["---:"] * (head.count("|") - 1)) + "|"]
    for e in report["sizes"]:
        tl, td, sl, sd, cmp = (e[s] for s in STEPS)
        lines.append(
            f"| {e['n_firms']:,} | {e['firm_rows']:,} | {tl['manifest']['training_rows']:,} | "
            f"{tl['seconds']:.0f} ({tl['cpu_seconds']:.0f}) | {tl['main_peak_mb']:.0f} | "
            f"{td['seconds']:.0f} ({td['cpu_seconds']:.0f}) | {td['main_peak_mb']:.0f} | "
            f"{max(td['worker_peaks_mb'] or [0]):.0f} | "
            f"{sl['firm_rows'] / sl['seconds']:,.0f} | {sl['main_peak_mb']:.0f} | "
            f"{sd['firm_rows'] / sd['seconds']:,.0f} | {max(sd['worker_peaks_mb'] or [0]):.0f} | "
            f"{cmp['spearman']:.3f} | {cmp['oracle_ndcg@3_local']:.4f} / "
            f"{cmp['oracle_ndcg@3_dask']:.4f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated numbers of firms",
    )
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "rec-scale",
        help="where worlds, models and scores are written (reused)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "scale.json")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--models", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.data, args.models, args.workers, args.out_dir)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    report = run(sizes, workers=args.workers, work=args.work, out=args.out)
    print()
    print(table(report))
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
