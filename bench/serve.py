"""Serving benchmark: latency and throughput of the HTTP API and of batch ranking.

Runs, in one go and on this machine:

1. ``recommender serve`` (uvicorn, 1 and then 2 workers) on 127.0.0.1 over a temporary
   SQLite store holding the demo catalogue, with the registry's champion. A bounded load
   generator (asyncio, raw HTTP/1.1 keep-alive connections, a fixed number of requests)
   posts single profiles - top 5 explained over the profile year's catalogue - first
   one at a time (latency) and then with several connections (throughput). Server-side
   time is the ``X-Process-Time`` header.
2. Batch ranking through :meth:`Recommender.recommend_batch` in-process: pairs ranked
   per second (no explanations) and firms per second with the top 3 explained; then the
   same through ``POST /v1/recommendations/batch``.
3. The straightforward implementation - ``shap.TreeExplainer`` over every eligible
   programme, per request - against :meth:`Recommender.recommend`, in-process.

Prints a table and writes ``bench/out/serve.json``. Usage::

    python bench/serve.py [--requests 2000] [--firms 5000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender import Recommender, profile_frame, simulate_world  # noqa: E402
from recommender.constants import CAPABILITIES, DEMO_WORLD  # noqa: E402
from recommender.contract.canonical import Dataset  # noqa: E402
from recommender.adapters.artefact import load_recommender  # noqa: E402
from recommender.adapters.registry import Registry  # noqa: E402
from recommender.settings import get_settings  # noqa: E402
from recommender.adapters.store import (  # noqa: E402
    create_key,
    get_engine,
    import_dataset,
    session_scope,
    upgrade_database,
)

OUT = ROOT / "bench" / "out" / "serve.json"
TARGETS = {"server_p50_ms": 10.0, "server_p99_ms": 30.0, "pairs_per_s": 200_000.0,
           "firms_per_s_top3": 1_000.0}


# --- a minimal HTTP/1.1 load generator --------------------------------------------------
def request_bytes(path: str, body: dict[str, Any], key: str) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n")
    return head.encode() + payload


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    request: bytes) -> tuple[int, float, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:]
                                                           if ln)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, float(headers.get("x-process-time", "nan")), body


async def _run_load(port: int, requests: Sequence[bytes], *, concurrency: int
                    ) -> dict[str, Any]:
    queue = list(range(len(requests)))
    client_ms: list[float] = []
    server_ms: list[float] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while queue:
                i = queue.pop()
                start = time.perf_counter()
                status, server, _ = await _exchange(reader, writer, requests[i])
                client_ms.append((time.perf_counter() - start) * 1000)
                server_ms.append(server)
                failures += status != 200
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    c, s = np.array(client_ms), np.array(server_ms)
    return {"requests": len(requests), "concurrency": concurrency, "failures": failures,
            "req_per_s": len(requests) / wall,
            "client_p50_ms": float(np.percentile(c, 50)),
            "client_p99_ms": float(np.percentile(c, 99)),
            "server_p50_ms": float(np.nanpercentile(s, 50)),
            "server_p99_ms": float(np.nanpercentile(s, 99))}


def run_load(port: int, requests: Sequence[bytes], *, concurrency: int) -> dict[str, Any]:
    return asyncio.run(_run_load(port, requests, concurrency=concurrency))


async def _post_batches(port: int, requests: Sequence[bytes]) -> tuple[float, list[bytes]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    bodies = []
    start = time.perf_counter()
    for request in requests:
        status, _, body = await _exchange(reader, writer, request)
        if status != 200:
            raise RuntimeError(f"batch request failed ({status}): {body[:300]!r}")
        bodies.append(body)
    wall = time.perf_counter() - start
    writer.close()
    return wall, bodies


# --- the server ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``recommender serve`` in a subprocess, stopped (SIGTERM) on exit."""

    def __init__(self, env: dict[str, str], *, workers: int) -> None:
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        cmd = [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--workers", str(self.workers), "--no-access-log"]
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        ready = 0
        while ready < self.workers * 3:  # every worker answered (connections spread out)
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server did not start:\n{err[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    ready += sock.recv(64).startswith(b"HTTP/1.1 200")
            except OSError:
                pass
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --- in-process measurements -------------------------------------------------------------
def plain_profiles(firms: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for record in firms.to_dict("records"):
        row = {}
        for k, v in record.items():
            v = v.item() if hasattr(v, "item") else v
            if isinstance(v, float) and math.isnan(v):
                v = None
            if k in CAPABILITIES and v is not None:
                v = int(v)
            row[k] = v
        out.append(row)
    return out


def naive_recommend(rec: Recommender, explainer: Any, profile: dict[str, Any], *,
                    k: int) -> list[tuple[str, float, np.ndarray]]:
    """The straightforward way: score and SHAP-explain every eligible programme with the
    ``shap`` package, then keep the top ``k``."""
    firm = profile_frame(profile)
    cat = rec._years[int(firm["year"].iloc[0])]
    eligible = cat.eligibility.mask(firm)[0] & cat.table.scored
    rows = np.flatnonzero(eligible)
    X = rec.pipeline.matrix(firm, cat.table, np.zeros(len(rows), int), rows)
    scores = rec.ranker.predict(X)
    values = explainer.shap_values(X)
    order = np.argsort(-scores, kind="stable")[:k]
    ids = cat.programmes["programme_id"].to_numpy()
    return [(str(ids[rows[i]]), float(scores[i]), values[i]) for i in order]


def native_recommend(rec: Recommender, profile: dict[str, Any], *,
                     k: int) -> list[tuple[str, float, np.ndarray]]:
    """The same output as :func:`naive_recommend` (scores and SHAP values of the top
    ``k``) with LightGBM's native TreeSHAP on the shown rows only: the explanation cost
    of our path without its sentences."""
    firm = profile_frame(profile)
    cat = rec._years[int(firm["year"].iloc[0])]
    rows = np.flatnonzero(cat.eligibility.mask(firm)[0] & cat.table.scored)
    X = rec.pipeline.matrix(firm, cat.table, np.zeros(len(rows), int), rows)
    scores = rec.ranker.predict(X)
    order = np.argsort(-scores, kind="stable")[:k]
    values = rec.ranker.contributions(X[order])
    ids = cat.programmes["programme_id"].to_numpy()
    return [(str(ids[rows[i]]), float(scores[i]), values[n]) for n, i in enumerate(order)]


def time_per_call(fn: Any, items: Sequence[Any], *, warmup: int = 10) -> dict[str, float]:
    for item in items[:warmup]:
        fn(item)
    ms = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        ms.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "mean_ms": float(np.mean(ms)), "calls": len(ms)}


def batch_in_process(rec: Recommender, firms: pd.DataFrame) -> dict[str, Any]:
    """Pairs ranked per second and firms per second with the top 3 explained."""
    frame = firms.reset_index(drop=True)
    rec.recommend_batch(frame.head(50), k=3)  # warm-up
    pairs = sum(len(r.items) for r in rec.recommend_batch(frame, k=10_000, explain="none"))
    start = time.perf_counter()
    rec.recommend_batch(frame, k=5, explain="none")  # every eligible pair scored and sorted
    wall = time.perf_counter() - start
    start = time.perf_counter()
    rec.recommend_batch(frame, k=3, explain="top")
    wall_top3 = time.perf_counter() - start
    start = time.perf_counter()
    scored = rec.score(frame)
    wall_score = time.perf_counter() - start
    return {"firms": len(frame), "eligible_pairs": pairs,
            "lightgbm_threads": rec.ranker.num_threads,
            "pairs_per_s": pairs / wall, "firms_per_s_top3": len(frame) / wall_top3,
            "score_all_pairs_per_s": len(scored) / wall_score, "score_pairs": len(scored)}


def batch_over_http(port: int, profiles: list[dict[str, Any]], key: str, *,
                    size: int) -> dict[str, Any]:
    chunks = [profiles[i:i + size] for i in range(0, len(profiles), size)]
    path = "/v1/recommendations/batch"
    top3 = [request_bytes(path, {"profiles": c, "k": 3}, key) for c in chunks]
    ranked = [request_bytes(path, {"profiles": c, "k": 50, "explain": "none"}, key)
              for c in chunks]
    asyncio.run(_post_batches(port, top3[:1]))  # warm-up
    wall_top3, _ = asyncio.run(_post_batches(port, top3))
    wall_ranked, bodies = asyncio.run(_post_batches(port, ranked))
    pairs = sum(len(r["recommendations"]) for b in bodies for r in json.loads(b)["results"])
    return {"firms": len(profiles), "batch_size": size, "firms_per_s_top3": len(profiles) /
            wall_top3, "eligible_pairs": pairs, "pairs_per_s": pairs / wall_ranked}


# --- the run ------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="single requests per run")
    parser.add_argument("--firms", type=int, default=int(DEMO_WORLD["n_firms"]),  # type: ignore[call-overload]
                        help="firms of the simulated world")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    args = parser.parse_args(argv)
    n_requests = 300 if args.quick else args.requests

    settings = get_settings()
    registry = Registry(settings.models_dir, signing_key=settings.signing_key)
    version = registry.resolve("champion")
    say = lambda m: print(f"… {m}", file=sys.stderr, flush=True)  # noqa: E731
    say(f"simulating the demo world ({args.firms} firms) and loading model {version}")
    world = simulate_world(n_firms=args.firms, years=DEMO_WORLD["years"],  # type: ignore[arg-type]
                           seed=int(DEMO_WORLD["seed"]))  # type: ignore[call-overload]
    ds = world.dataset
    year = int(ds.firms["year"].max())
    firms = ds.firms[ds.firms["year"] == year].reset_index(drop=True)
    catalogue = int((ds.programmes["year"] == year).sum())
    profiles = plain_profiles(firms)
    rec = load_recommender(registry, version, programmes=ds.programmes, num_threads=1)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_avg_at_start": list(os.getloadavg())},
        "model": {"version": version, "trees": rec.ranker.booster.num_trees()},
        "catalogue": {"year": year, "programmes": catalogue}, "targets": TARGETS,
    }

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade_database(db)
        engine = get_engine(db)
        import_dataset(engine, Dataset(ds.firms.iloc[:0], ds.programmes, None))
        with session_scope(engine) as session:
            key = create_key(session, name="bench", role="partner")
        env = {**os.environ, "RECOMMENDER_DATABASE_URL": db, "RECOMMENDER_VAR_DIR": tmp,
               "RECOMMENDER_MODELS_DIR": str(settings.models_dir),
               "RECOMMENDER_RATE_LIMIT_PER_MINUTE": str(10**9),
               "RECOMMENDER_LOG_LEVEL": "WARNING", "RECOMMENDER_NUM_THREADS": "1"}
        single = [request_bytes("/v1/recommendations", {"profile": p, "k": 5}, key)
                  for p in profiles]
        picks = [single[i % len(single)] for i in range(n_requests)]
        for workers in (1, 2):
            say(f"HTTP: {workers} worker(s), {n_requests} requests sequential and "
                f"x{args.concurrency}")
            with Server(env, workers=workers) as server:
                run_load(server.port, picks[:100], concurrency=args.concurrency)  # warm-up
                seq = run_load(server.port, picks, concurrency=1)
                par = run_load(server.port, picks, concurrency=args.concurrency)
                results[f"http_single_{workers}w"] = {"sequential": seq, "concurrent": par}
                if workers == 1:
                    say("HTTP: batch endpoint")
                    n_batch = min(len(profiles), 1000 if args.quick else 4000)
                    results["http_batch"] = batch_over_http(server.port, profiles[:n_batch],
                                                            key, size=500)

    say("in-process: batch ranking (1 and 2 LightGBM threads)")
    results["batch_in_process"] = batch_in_process(rec, firms)
    both = load_recommender(registry, version, programmes=ds.programmes, num_threads=2)
    results["batch_in_process_2_threads"] = batch_in_process(both, firms)
    say("in-process: Recommender.recommend vs shap.TreeExplainer on every eligible programme")
    import shap

    explainer = shap.TreeExplainer(rec.ranker.booster)
    sample = profiles[: (100 if args.quick else 300)]
    ours = time_per_call(lambda p: rec.recommend(p, k=5), sample)
    naive = time_per_call(lambda p: naive_recommend(rec, explainer, p, k=5), sample)
    native = time_per_call(lambda p: native_recommend(rec, p, k=5), sample)
    results["single_in_process"] = {"recommender_top5": ours, "shap_all_eligible": naive,
                                    "native_top5": native,
                                    "speedup_p50": naive["p50_ms"] / ours["p50_ms"],
                                    "native_speedup_p50": naive["p50_ms"] / native["p50_ms"]}
    results["machine"]["load_avg_at_end"] = list(os.getloadavg())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return results


def print_table(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"serving benchmark - model {r['model']['version']} "
                    f"({r['model']['trees']} trees), {r['catalogue']['programmes']} programmes "
                    f"in {r['catalogue']['year']}, {r['machine']['cpus']} CPUs")
    for col in ("measurement", "p50 ms", "p99 ms", "throughput", "target"):
        t.add_column(col)
    for w in (1, 2):
        seq, par = r[f"http_single_{w}w"]["sequential"], r[f"http_single_{w}w"]["concurrent"]
        t.add_row(f"HTTP single top-5, {w} worker(s), server-side", f"{seq['server_p50_ms']:.2f}",
                  f"{seq['server_p99_ms']:.2f}", "", "p50 < 10, p99 < 30")
        t.add_row(f"HTTP single top-5, {w} worker(s), client, 1 conn",
                  f"{seq['client_p50_ms']:.2f}", f"{seq['client_p99_ms']:.2f}",
                  f"{seq['req_per_s']:.0f} req/s", "")
        t.add_row(f"HTTP single top-5, {w} worker(s), client, {par['concurrency']} conns",
                  f"{par['client_p50_ms']:.2f}", f"{par['client_p99_ms']:.2f}",
                  f"{par['req_per_s']:.0f} req/s ({par['failures']} failed)", "")
    h = r["http_batch"]
    for name in ("batch_in_process", "batch_in_process_2_threads"):
        b = r[name]
        label = f"batch in-process, {b['lightgbm_threads']} LightGBM thread(s)"
        t.add_row(f"{label}: pairs ranked", "", "", f"{b['pairs_per_s']:,.0f} pairs/s",
                  ">= 200,000")
        t.add_row(f"{label}: score() all pairs", "", "",
                  f"{b['score_all_pairs_per_s']:,.0f} pairs/s", "")
        t.add_row(f"{label}: top 3 explained", "", "", f"{b['firms_per_s_top3']:,.0f} firms/s",
                  ">= 1,000")
    t.add_row(f"batch endpoint ({h['batch_size']}/request): pairs ranked", "", "",
              f"{h['pairs_per_s']:,.0f} pairs/s", "")
    t.add_row(f"batch endpoint ({h['batch_size']}/request): top 3 explained", "", "",
              f"{h['firms_per_s_top3']:,.0f} firms/s", "")
    s = r["single_in_process"]
    t.add_row("in-process Recommender.recommend top 5", f"{s['recommender_top5']['p50_ms']:.2f}",
              f"{s['recommender_top5']['p99_ms']:.2f}", "", "")
    t.add_row("in-process shap.TreeExplainer, all eligible (scores + SHAP only)",
              f"{s['shap_all_eligible']['p50_ms']:.2f}",
              f"{s['shap_all_eligible']['p99_ms']:.2f}",
              f"x{s['speedup_p50']:.1f} of Recommender.recommend", "")
    t.add_row("in-process native pred_contrib, top 5 (scores + SHAP only)",
              f"{s['native_top5']['p50_ms']:.2f}", f"{s['native_top5']['p99_ms']:.2f}",
              f"TreeExplainer takes x{s['native_speedup_p50']:.1f} its time", "")
    Console(width=150).print(t)
    print(f"load average start {r['machine']['load_avg_at_start']}, "
          f"end {r['machine']['load_avg_at_end']}; results in {OUT}")


if __name__ == "__main__":
    main()
