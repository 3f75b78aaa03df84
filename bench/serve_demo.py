"""The serving benchmark on the demo catalogue (26 programmes a year): single requests
over HTTP with 1 and 2 workers, the batch endpoint, batch ranking in-process, and one
firm in-process beside ``shap.TreeExplainer`` on every eligible programme.

Every loop is a fixed number of requests or calls; each server stops with its block.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from bench.deployment import bench_settings
from bench.httpload import post_all, request_bytes, run_load
from bench.serve_catalogue import time_per_call
from bench.server_process import ServerProcess
from recommender import Recommender, profile_frame
from recommender.adapters.artefact import load_recommender
from recommender.adapters.registry import Registry
from recommender.adapters.store import (
    create_key,
    get_engine,
    import_dataset,
    session_scope,
    upgrade_database,
)
from recommender.contract.canonical import Dataset

TARGETS: Final[dict[str, float]] = {
    "server_p50_ms": 10.0,
    "server_p99_ms": 30.0,
    "pairs_per_s": 200_000.0,
    "firms_per_s_top3": 1_000.0,
}


def naive_recommend(
    rec: Recommender, explainer: Any, profile: dict[str, Any], *, k: int
) -> list[tuple[str, float, np.ndarray]]:
    """The straightforward way: score and SHAP-explain every eligible programme with the
    ``shap`` package, then keep the top ``k``."""
    firm = profile_frame(profile)
    cat = rec._years[int(firm["year"].iloc[0])]
    rows = np.flatnonzero(cat.eligibility.mask(firm)[0] & cat.table.scored)
    X = rec.pipeline.matrix(firm, cat.table, np.zeros(len(rows), int), rows)
    scores = rec.ranker.predict(X)
    values = explainer.shap_values(X)
    order = np.argsort(-scores, kind="stable")[:k]
    ids = cat.programmes["programme_id"].to_numpy()
    return [(str(ids[rows[i]]), float(scores[i]), values[i]) for i in order]


def native_recommend(
    rec: Recommender, profile: dict[str, Any], *, k: int
) -> list[tuple[str, float, np.ndarray]]:
    """The same output as :func:`naive_recommend` (scores and SHAP values of the top
    ``k``) with LightGBM's native TreeSHAP on the shown rows only."""
    firm = profile_frame(profile)
    cat = rec._years[int(firm["year"].iloc[0])]
    rows = np.flatnonzero(cat.eligibility.mask(firm)[0] & cat.table.scored)
    X = rec.pipeline.matrix(firm, cat.table, np.zeros(len(rows), int), rows)
    scores = rec.ranker.predict(X)
    order = np.argsort(-scores, kind="stable")[:k]
    values = rec.ranker.contributions(X[order])
    ids = cat.programmes["programme_id"].to_numpy()
    return [(str(ids[rows[i]]), float(scores[i]), values[n]) for n, i in enumerate(order)]


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
    return {
        "firms": len(frame),
        "eligible_pairs": pairs,
        "lightgbm_threads": rec.ranker.num_threads,
        "pairs_per_s": pairs / wall,
        "firms_per_s_top3": len(frame) / wall_top3,
        "score_all_pairs_per_s": len(scored) / wall_score,
        "score_pairs": len(scored),
    }


def batch_over_http(
    port: int, profiles: list[dict[str, Any]], key: str, *, size: int
) -> dict[str, Any]:
    """Firms per second through ``POST /v1/recommendations/batch``."""
    chunks = [profiles[i : i + size] for i in range(0, len(profiles), size)]
    path = "/v1/recommendations/batch"
    top3 = [request_bytes(path, {"profiles": c, "k": 3}, key) for c in chunks]
    ranked = [request_bytes(path, {"profiles": c, "k": 50, "explain": "none"}, key) for c in chunks]
    post_all(port, top3[:1])  # warm-up
    wall_top3, _ = post_all(port, top3)
    wall_ranked, bodies = post_all(port, ranked)
    pairs = sum(len(r["recommendations"]) for b in bodies for r in json.loads(b)["results"])
    return {
        "firms": len(profiles),
        "batch_size": size,
        "firms_per_s_top3": len(profiles) / wall_top3,
        "eligible_pairs": pairs,
        "pairs_per_s": pairs / wall_ranked,
    }


def run(
    root: Path,
    *,
    models_dir: Path,
    registry: Registry,
    version: str,
    dataset: Dataset,
    profiles: list[dict[str, Any]],
    requests: int,
    concurrency: int,
    quick: bool,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The demo catalogue's figures (see the module docstring)."""
    settings = bench_settings(root, models_dir=models_dir)
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    import_dataset(engine, Dataset(dataset.firms.iloc[:0], dataset.programmes, None))
    with session_scope(engine) as session:
        key = create_key(session, name="bench", role="partner")
    single = [request_bytes("/v1/recommendations", {"profile": p, "k": 5}, key) for p in profiles]
    picks = [single[i % len(single)] for i in range(requests)]
    out: dict[str, Any] = {}
    for workers in (1, 2):
        say(f"demo: HTTP, {workers} worker(s), {requests} requests sequential and x{concurrency}")
        with ServerProcess(
            settings, root / f"server-{workers}.log", workers=workers, args=("--no-access-log",)
        ) as server:
            run_load(server.port, picks[:100], concurrency=concurrency)  # warm-up
            seq = run_load(server.port, picks, concurrency=1)
            par = run_load(server.port, picks, concurrency=concurrency)
            out[f"http_single_{workers}w"] = {"sequential": seq, "concurrent": par}
            if workers == 1:
                say("demo: HTTP batch endpoint")
                n_batch = min(len(profiles), 1000 if quick else 4000)
                out["http_batch"] = batch_over_http(server.port, profiles[:n_batch], key, size=500)
    year = int(dataset.firms["year"].max())
    firms = dataset.firms[dataset.firms["year"] == year].reset_index(drop=True)
    say("demo: in-process batch ranking (1 and 2 LightGBM threads)")
    rec = load_recommender(registry, version, programmes=dataset.programmes, num_threads=1)
    out["batch_in_process"] = batch_in_process(rec, firms)
    both = load_recommender(registry, version, programmes=dataset.programmes, num_threads=2)
    out["batch_in_process_2_threads"] = batch_in_process(both, firms)
    say("demo: in-process Recommender.recommend vs shap.TreeExplainer on every eligible one")
    import shap

    explainer = shap.TreeExplainer(rec.ranker.booster)
    sample = profiles[: (100 if quick else 300)]
    ours = time_per_call(lambda p: rec.recommend(p, k=5), sample)
    naive = time_per_call(lambda p: naive_recommend(rec, explainer, p, k=5), sample)
    native = time_per_call(lambda p: native_recommend(rec, p, k=5), sample)
    out["single_in_process"] = {
        "recommender_top5": ours,
        "shap_all_eligible": naive,
        "native_top5": native,
        "speedup_p50": naive["p50_ms"] / ours["p50_ms"],
        "native_speedup_p50": naive["p50_ms"] / native["p50_ms"],
    }
    return out


def table_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """The section's rows of the printed table: measurement, p50, p99, note, target."""
    rows = []
    for w in (1, 2):
        seq, par = r[f"http_single_{w}w"]["sequential"], r[f"http_single_{w}w"]["concurrent"]
        rows += [
            (
                f"demo: HTTP top 5, {w} worker(s), server-side",
                f"{seq['server_p50_ms']:.2f}",
                f"{seq['server_p99_ms']:.2f}",
                "",
                "p50 < 10, p99 < 30",
            ),
            (
                f"demo: HTTP top 5, {w} worker(s), client, 1 conn",
                f"{seq['client_p50_ms']:.2f}",
                f"{seq['client_p99_ms']:.2f}",
                f"{seq['req_per_s']:.0f} req/s",
                "",
            ),
            (
                f"demo: HTTP top 5, {w} worker(s), client, {par['concurrency']} conns",
                f"{par['client_p50_ms']:.2f}",
                f"{par['client_p99_ms']:.2f}",
                f"{par['req_per_s']:.0f} req/s ({par['failures']} failed)",
                "",
            ),
        ]
    for name in ("batch_in_process", "batch_in_process_2_threads"):
        b = r[name]
        label = f"demo: batch in-process, {b['lightgbm_threads']} LightGBM thread(s)"
        rows += [
            (f"{label}: pairs ranked", "", "", f"{b['pairs_per_s']:,.0f} pairs/s", ">= 200,000"),
            (
                f"{label}: score() all pairs",
                "",
                "",
                f"{b['score_all_pairs_per_s']:,.0f} pairs/s",
                "",
            ),
            (
                f"{label}: top 3 explained",
                "",
                "",
                f"{b['firms_per_s_top3']:,.0f} firms/s",
                ">= 1,000",
            ),
        ]
    h, s = r["http_batch"], r["single_in_process"]
    rows += [
        (
            f"demo: batch endpoint ({h['batch_size']}/request): pairs ranked",
            "",
            "",
            f"{h['pairs_per_s']:,.0f} pairs/s",
            "",
        ),
        (
            f"demo: batch endpoint ({h['batch_size']}/request): top 3 explained",
            "",
            "",
            f"{h['firms_per_s_top3']:,.0f} firms/s",
            "",
        ),
        (
            "demo: in-process Recommender.recommend top 5",
            f"{s['recommender_top5']['p50_ms']:.2f}",
            f"{s['recommender_top5']['p99_ms']:.2f}",
            "",
            "",
        ),
        (
            "demo: in-process shap.TreeExplainer, all eligible (scores + SHAP only)",
            f"{s['shap_all_eligible']['p50_ms']:.2f}",
            f"{s['shap_all_eligible']['p99_ms']:.2f}",
            f"x{s['speedup_p50']:.1f} of Recommender.recommend",
            "",
        ),
        (
            "demo: in-process native pred_contrib, top 5 (scores + SHAP only)",
            f"{s['native_top5']['p50_ms']:.2f}",
            f"{s['native_top5']['p99_ms']:.2f}",
            f"TreeExplainer takes x{s['native_speedup_p50']:.1f} its time",
            "",
        ),
    ]
    return rows
