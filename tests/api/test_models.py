"""Model versions over HTTP, and the served model following the champion.

These tests switch champions, so they run against their own server over a copy of
the registry (same store), leaving the shared deployment on ``v1``.
"""

from __future__ import annotations

import gc
import json
import shutil
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from recommender.adapters.registry import Registry
from recommender.adapters.store import (
    create_key,
    get_engine,
    import_dataset,
    session_scope,
    upgrade_database,
    upsert_programmes,
)
from recommender.constants import CHAMPION
from recommender.contract.canonical import Dataset
from tests.api.conftest import Deployment, LiveServer, copy_version, make_settings
from tests.signing import TEST_SIGNING_KEY
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def models_server(
    deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Registry]]:
    root = tmp_path_factory.mktemp("models")
    shutil.copytree(deployment.settings.models_dir, root / "models")
    settings = make_settings(root, database_url=deployment.settings.db_url)
    with LiveServer(create_app(settings)) as server:
        yield server, Registry(settings.models_dir, signing_key=TEST_SIGNING_KEY)


def _serving(client: httpx.Client) -> str:
    return str(client.get("/readyz").json()["model_version"])


def _wait_for(client: httpx.Client, version: str, *, seconds: float = 10.0) -> None:
    wait_until(
        lambda: _serving(client) == version,
        timeout=seconds,
        what=f"the server switching to {version}",
    )


def test_versions_are_listed_with_champion_and_served_version(
    models_server: tuple[LiveServer, Registry], deployment: Deployment
) -> None:
    server, _ = models_server
    with server.client(deployment.keys["analyst"]) as client:
        body = client.get("/v1/models").json()
    assert body["champion"] == body["serving"] == "v1"
    listed = {v["version"]: v for v in body["versions"]}
    assert set(listed) == {"v1", "v2-better", "v3-worse"}
    assert listed["v1"]["is_champion"] and listed["v1"]["serving"]
    assert all(v["valid"] for v in listed.values())
    assert "validation_score" in listed["v3-worse"]["metrics"]


def test_a_worse_version_is_refused_unless_forced_then_rolled_back(
    models_server: tuple[LiveServer, Registry],
    deployment: Deployment,
    profiles: list[dict[str, Any]],
) -> None:
    server, registry = models_server
    with server.client(deployment.keys["analyst"]) as client:
        refused = client.post("/v1/models/v3-worse/promote")
        assert refused.status_code == 409
        assert refused.json()["type"] == "/problems/promotion-refused"
        # v1 was trained on every year the store holds: no year to judge it on (the
        # gate's refusals on a judged year: tests/api/test_promotion_gate.py)
        detail = " ".join(refused.json()["detail"].split())
        assert "nothing is promoted" in detail and "would be in-sample" in detail
        assert registry.champion() == "v1" and _serving(client) == "v1"

        forced = client.post("/v1/models/v3-worse/promote", params={"force": True})
        assert forced.status_code == 200
        assert forced.json() == {"champion": "v3-worse", "serving": "v3-worse"}
        served = client.post("/v1/recommendations", json={"profile": profiles[0]}).json()
        assert served["model_version"] == "v3-worse"

        back = client.post("/v1/models/rollback")
        assert back.json() == {"champion": "v1", "serving": "v1"}
        unknown = client.post("/v1/models/no-such-version/promote")
        assert unknown.status_code == 404


def test_a_version_failing_verification_is_never_served(
    models_server: tuple[LiveServer, Registry],
    deployment: Deployment,
    profiles: list[dict[str, Any]],
) -> None:
    server, registry = models_server
    copy_version(registry, "v1", "v4-tampered", score=99.0)
    model = registry.root / "v4-tampered" / "model.txt"
    model.write_bytes(model.read_bytes().replace(b"tree", b"TREE", 1))
    with server.client(deployment.keys["analyst"]) as client:
        refused = client.post("/v1/models/v4-tampered/promote", params={"force": True})
        assert refused.status_code == 409
        assert refused.json()["type"] == "/problems/model-integrity"
        # a hand-edited champion pointer: the poller refuses it, the old model keeps serving
        (registry.root / "champion").write_text("v4-tampered\n")
        assert "model.txt" in server.refusal("v4-tampered")  # it looked, and refused
        assert _serving(client) == "v1"
        response = client.post("/v1/recommendations", json={"profile": profiles[0]})
        assert response.status_code == 200 and response.json()["model_version"] == "v1"
        assert client.get("/readyz").status_code == 200
    (registry.root / "champion").write_text("v1\n")


def test_unsigned_and_tampered_versions_are_listed_invalid_with_why(
    models_server: tuple[LiveServer, Registry], deployment: Deployment
) -> None:
    server, registry = models_server
    copy_version(registry, "v1", "v5-edited", score=1.0)
    model = registry.root / "v5-edited" / "model.txt"
    model.write_bytes(model.read_bytes().replace(b"tree", b"TREE", 1))
    copy_version(registry, "v1", "v6-unsigned", score=1.0)
    manifest = registry.root / "v6-unsigned" / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "hmac": None}))
    try:
        with server.client(deployment.keys["analyst"]) as client:
            body = client.get("/v1/models").json()
        listed = {v["version"]: v for v in body["versions"]}
        assert listed["v1"]["valid"] and listed["v1"]["error"] is None
        assert not listed["v5-edited"]["valid"]
        assert "model.txt: sha256 mismatch" in listed["v5-edited"]["error"]
        assert not listed["v6-unsigned"]["valid"]
        assert "unsigned" in listed["v6-unsigned"]["error"]
        for name in ("v5-edited", "v6-unsigned"):  # reasons name files, not server paths
            assert str(registry.root) not in listed[name]["error"]
            assert "/" not in listed[name]["error"]
    finally:
        for name in ("v5-edited", "v6-unsigned"):
            shutil.rmtree(registry.root / name)


def test_a_champion_promoted_elsewhere_is_picked_up(
    models_server: tuple[LiveServer, Registry], deployment: Deployment
) -> None:
    server, registry = models_server
    registry.promote("v2-better")  # as `recommender models promote` in another process
    with server.client(deployment.keys["analyst"]) as client:
        _wait_for(client, "v2-better")
        registry.promote("v1", force=True)
        _wait_for(client, "v1")


def test_the_served_model_is_frozen_and_a_replaced_one_is_freed(
    models_server: tuple[LiveServer, Registry], deployment: Deployment
) -> None:
    """The long-lived heap is kept out of the garbage collector's way (api.serving's
    settle_heap), and that never keeps a model no longer served alive."""
    server, registry = models_server
    holder = server.app.state.holder
    assert gc.get_freeze_count() > 0
    served = weakref.ref(holder.current)
    registry.promote("v2-better")
    with server.client(deployment.keys["analyst"]) as client:
        _wait_for(client, "v2-better")
        wait_until(lambda: served() is None, timeout=20, what="the replaced model freed")
        registry.promote("v1", force=True)
        _wait_for(client, "v1")


def test_promotion_under_load_loses_no_request_and_switches_version(
    models_server: tuple[LiveServer, Registry],
    deployment: Deployment,
    profiles: list[dict[str, Any]],
) -> None:
    server, registry = models_server
    assert registry.champion() == "v1"
    stop = threading.Event()
    promoted_at: list[float] = []
    results: list[tuple[float, float, int, str | None]] = []
    lock = threading.Lock()

    def hammer(offset: int) -> None:
        with server.client(deployment.keys["partner"]) as client:
            i = offset
            while not stop.is_set():
                start = time.monotonic()
                r = client.post(
                    "/v1/recommendations", json={"profile": profiles[i % len(profiles)], "k": 3}
                )
                version = r.json().get("model_version") if r.status_code == 200 else None
                with lock:
                    results.append((start, time.monotonic(), r.status_code, version))
                i += 7

    def started_after(moment: float) -> int:
        with lock:
            return sum(r[0] > moment for r in results)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: started_after(0.0) >= 12, timeout=60, what="12 requests before")
    with server.client(deployment.keys["analyst"]) as client:
        # forced: the swap under load is under test, not the gate (see above)
        response = client.post("/v1/models/v2-better/promote", params={"force": True})
        promoted_at.append(time.monotonic())
    wait_until(
        lambda: started_after(promoted_at[0]) >= 12,
        timeout=60,
        what="12 requests after the promotion",
    )
    stop.set()
    for t in threads:
        t.join()
    assert response.status_code == 200 and response.json()["serving"] == "v2-better"
    assert len(results) >= 20, "the load did not run"
    assert [r for r in results if r[2] != 200] == []
    assert {r[3] for r in results} == {"v1", "v2-better"}
    after = [r for r in results if r[0] > promoted_at[0]]
    assert after and all(r[3] == "v2-better" for r in after)
    registry.promote("v1", force=True)


def test_no_champion_means_not_ready_and_503(
    tmp_path: Path, deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    settings = make_settings(tmp_path, database_url=deployment.settings.db_url)
    with (
        LiveServer(create_app(settings)) as server,
        server.client(deployment.keys["partner"]) as client,
    ):
        ready = client.get("/readyz")
        served = client.post("/v1/recommendations", json={"profile": profiles[0]})
        healthy = client.get("/healthz")
    assert ready.status_code == 503 and ready.headers["content-type"] == "application/problem+json"
    assert served.status_code == 503 and "promote" in served.json()["detail"]
    assert healthy.status_code == 200


def test_the_served_catalogue_follows_the_store(
    tmp_path: Path, deployment: Deployment, world: Any, scratch_db_url: str
) -> None:
    programmes = world.dataset.programmes
    late = programmes[programmes["programme_type"] != "other"].iloc[[-1]]
    pid = str(late["programme_id"].iloc[0])
    settings = make_settings(
        tmp_path, models_dir=deployment.settings.models_dir, database_url=scratch_db_url
    )
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    import_dataset(engine, Dataset(world.dataset.firms, programmes.drop(index=late.index), None))
    with session_scope(engine) as session:
        key = create_key(session, name="catalogue-test", role="analyst")
    with LiveServer(create_app(settings)) as server, server.client(key) as client:
        assert client.get("/readyz").json()["programmes"] == len(programmes) - 1
        assert client.get(f"/v1/programmes/{pid}/candidates").status_code == 404
        with session_scope(engine) as session:  # as `recommender import` would
            upsert_programmes(session, late)
        wait_until(
            lambda: client.get("/readyz").json()["programmes"] == len(programmes),
            timeout=10,
            what="the new programme being served",
        )
        found = client.get(f"/v1/programmes/{pid}/candidates")
    assert found.status_code == 200 and found.json()["items"]


def test_an_unreadable_champion_pointer_keeps_the_served_model(
    models_server: tuple[LiveServer, Registry], deployment: Deployment
) -> None:
    server, registry = models_server
    pointer = registry.root / "champion"
    _replace(pointer, "../../etc/passwd\n")
    try:
        assert "passwd" in server.refusal(CHAMPION)
        with server.client(deployment.keys["analyst"]) as client:
            assert _serving(client) == "v1"
            listed = client.get("/v1/models").json()
            assert listed["serving"] == "v1" and listed["champion"] is None
    finally:
        _replace(pointer, "v1\n")


def _replace(path: Path, text: str) -> None:
    """Swap a file's content in one rename, as the registry does: the poller never reads
    a half-written (empty) pointer."""
    staged = path.with_name(path.name + ".staged")
    staged.write_text(text)
    staged.replace(path)
