"""Faults: broken model files, a planted pickle, a locked database, a restart.

* A model file truncated or altered on disk is refused on load and on promotion (409
  problem+json); the old model keeps serving.
* A version whose manifest does not verify is never read: a pickle that would touch a
  marker file when loaded, planted as the pipeline file, is promoted through the API and
  pointed at by hand, and the marker never appears.
* Nothing of a version is ever unpickled: a pipeline file forged *with* valid hashes (a
  pickle, text that is not JSON, benchmarks that do not follow from the cell sums) is
  refused before use, by the loader and by the serving poller, and the marker never
  appears.
* The database held by another writer: feedback requests wait (busy timeout) or fail
  cleanly with 503 problem+json, never 500, and every one answered 2xx is stored.
* A restarted server finds every feedback and audit entry written before.
* Training killed (SIGKILL) while writing its version: no half version, the champion
  and the served model unchanged.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import joblib
import pytest

from api.app import create_app
from bench.server_process import RECOMMENDER, settings_env
from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE, load_recommender
from recommender.adapters.files import write_data_dir
from recommender.adapters.store import list_audit, list_feedback, session_scope
from recommender.adapters.store.db import BUSY_TIMEOUT_MS
from recommender.adapters.versions import TMP_PREFIX
from recommender.constants import CHAMPION
from recommender.errors import ModelIntegrityError
from tests.api.conftest import Deployment, LiveServer, copy_version, every_page
from tests.waiting import wait_until


class Boom:
    """Unpickling this creates a marker file: stands for code run by joblib.load."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (pathlib.Path.touch, (self.marker,))


def served_version(d: Deployment, profile: dict[str, Any]) -> str:
    with d.client("partner") as client:
        response = client.post("/v1/recommendations", json={"profile": profile})
    assert response.status_code == 200, response.text
    return str(response.json()["model_version"])


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def plant_pickle(marker: Path) -> Any:
    def plant(path: Path) -> None:
        joblib.dump(Boom(marker), path)

    return plant


@pytest.mark.parametrize(
    ("fault", "file"),
    [
        ("truncated model", MODEL_FILE),
        ("truncated pipeline", PIPELINE_FILE),
        ("planted pickle", PIPELINE_FILE),
    ],
)
def test_a_broken_version_is_refused_and_the_old_model_keeps_serving(
    deployment: Deployment, profiles: list[dict[str, Any]], tmp_path: Path, fault: str, file: str
) -> None:
    registry = deployment.registry
    champion = registry.champion()
    name = f"broken-{fault.replace(' ', '-')}"
    copy_version(registry, "v1", name, score=99.0)
    marker = tmp_path / "pwned"
    path = registry.root / name / file
    (plant_pickle(marker) if fault == "planted pickle" else truncate)(path)

    with pytest.raises(ModelIntegrityError, match=file):
        load_recommender(registry, name, programmes=deployment.world.dataset.programmes)
    with deployment.client("analyst") as client:
        refused = client.post(f"/v1/models/{name}/promote", params={"force": True})
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "/problems/model-integrity"
    assert registry.champion() == champion
    assert served_version(deployment, profiles[0]) == champion

    pointer = registry.root / CHAMPION  # a hand-edited pointer: the poller refuses it too
    pointer.write_text(f"{name}\n")
    try:
        assert file in deployment.server.refusal(name)  # the poller looked, and refused
        assert served_version(deployment, profiles[0]) == champion
        with deployment.client() as client:
            assert client.get("/readyz").status_code == 200
    finally:
        pointer.write_text(f"{champion}\n")
    assert not marker.exists()


def forge_benchmark(source: bytes) -> bytes:
    """The pipeline document with one benchmark moved off what its cell sums give."""
    document = json.loads(source)
    document["profiler"]["benchmarks"][0][0][0] += 0.5
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("forgery", "why"),
    [
        ("pickle", "not JSON"),
        ("not json", "not JSON"),
        ("benchmark", "do not follow from its cell sums"),
    ],
)
def test_a_pipeline_forged_with_valid_hashes_is_refused_before_use(
    deployment: Deployment, profiles: list[dict[str, Any]], tmp_path: Path, forgery: str, why: str
) -> None:
    registry = deployment.registry
    champion = registry.champion()
    assert champion is not None
    name = f"forged-{forgery.replace(' ', '-')}"
    marker = tmp_path / "pwned"
    source = (registry.root / champion / PIPELINE_FILE).read_bytes()
    with registry.create_version(name, metadata={"metrics": {"validation_score": 99.0}}) as d:
        shutil.copy(registry.root / champion / MODEL_FILE, d / MODEL_FILE)
        if forgery == "pickle":
            plant_pickle(marker)(d / PIPELINE_FILE)
        else:
            (d / PIPELINE_FILE).write_bytes(
                b"{not json" if forgery == "not json" else forge_benchmark(source)
            )
    assert registry.verify(name)["version"] == name  # hashes and HMAC vouch for the bytes

    with pytest.raises(ModelIntegrityError, match=f"{PIPELINE_FILE} .*{why}"):
        load_recommender(registry, name, programmes=deployment.world.dataset.programmes)
    pointer = registry.root / CHAMPION  # pointed at by hand: the poller refuses it
    pointer.write_text(f"{name}\n")
    try:
        assert why in deployment.server.refusal(name)
        assert served_version(deployment, profiles[0]) == champion
    finally:
        pointer.write_text(f"{champion}\n")
    assert not marker.exists()


def test_the_planted_pickle_is_live(tmp_path: Path) -> None:
    """The payload of the test above really runs code when unpickled."""
    marker = tmp_path / "pwned"
    plant_pickle(marker)(tmp_path / "p.joblib")
    joblib.load(tmp_path / "p.joblib")
    assert marker.exists()


def serve_one(client: Any, profile: dict[str, Any]) -> tuple[str, str] | None:
    """Serve ``profile`` a list: (request_id, its first programme), None if it is empty."""
    response = client.post("/v1/recommendations", json={"profile": profile})
    assert response.status_code == 200, response.text
    body = response.json()
    items = body["recommendations"] + body["unscored"]
    return (body["request_id"], items[0]["programme_id"]) if items else None


def db_path(d: Deployment) -> str:
    return d.settings.db_url.removeprefix("sqlite:///")


def test_a_locked_database_makes_feedback_wait_or_fail_cleanly_and_loses_none(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("caseworker") as client:
        served = [s for s in (serve_one(client, p) for p in profiles[:20]) if s][:6]
    hold = BUSY_TIMEOUT_MS / 1000 + 1.5  # longer than the busy timeout: early ones fail
    locked = threading.Event()

    def lock_the_database() -> None:
        conn = sqlite3.connect(db_path(deployment), timeout=30, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(hold)  # the fault under test: a writer holding the lock for a set time
        conn.execute("COMMIT")
        conn.close()

    def send(i: int) -> tuple[int, str, str, dict[str, Any]]:
        # a schedule, not a wait: half the requests come late enough to wait out the lock
        time.sleep(0 if i % 2 == 0 else hold - 2.5)
        request_id, programme_id = served[i % len(served)]
        with deployment.client("caseworker") as client:
            response = client.post(
                "/v1/feedback",
                json={
                    "request_id": request_id,
                    "programme_id": programme_id,
                    # a list served twice gets another status: each request stores a row
                    "action": "applied" if i < len(served) else "interested",
                    "note": f"locked-{i}",
                },
            )
        return response.status_code, response.headers["content-type"], request_id, response.json()

    holder = threading.Thread(target=lock_the_database)
    holder.start()
    assert locked.wait(10)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    holder.join()

    statuses = [r[0] for r in results]
    assert set(statuses) <= {201, 503}, results
    assert 201 in statuses and 503 in statuses  # waited out, and timed out cleanly
    timed_out = [(kind, body) for status, kind, _, body in results if status == 503]
    assert timed_out
    for kind, body in timed_out:
        assert kind.startswith("application/problem+json")
        assert "busy" in body["detail"]
    with session_scope(deployment.engine) as session:
        stored = {f.id for f in list_feedback(session, limit=100_000)}
    assert {body["id"] for status, _, _, body in results if status == 201} <= stored


def test_a_restarted_server_has_every_feedback_and_audit_entry(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    written_feedback: set[int] = set()
    with LiveServer(create_app(deployment.settings)) as first:
        with first.client(deployment.keys["caseworker"]) as client:
            served = [s for s in (serve_one(client, p) for p in profiles[20:40]) if s]
            assert served
            for request_id, programme_id in served:
                fb = client.post(
                    "/v1/feedback",
                    json={
                        "request_id": request_id,
                        "programme_id": programme_id,
                        "action": "accepted",
                    },
                )
                assert fb.status_code == 201, fb.text
                written_feedback.add(fb.json()["id"])
        assert written_feedback
        with first.client(deployment.keys["analyst"]) as client:
            audit_before = every_page(client, "/v1/audit", {"limit": 500})
    with (
        LiveServer(create_app(deployment.settings)) as second,
        second.client(deployment.keys["analyst"]) as client,
    ):
        audit_after = every_page(client, "/v1/audit", {"limit": 500})
    ids = lambda entries: {e["request_id"] for e in entries}  # noqa: E731
    assert ids(audit_before) and ids(audit_before) <= ids(audit_after)
    with session_scope(deployment.engine) as session:
        assert written_feedback <= {f.id for f in list_feedback(session, limit=100_000)}
        assert len(list_audit(session, limit=100_000)) >= len(ids(audit_before))


def test_training_killed_part_way_leaves_no_half_version(
    deployment: Deployment, profiles: list[dict[str, Any]], tmp_path: Path
) -> None:
    registry = deployment.registry
    data = tmp_path / "data"
    write_data_dir(deployment.world.dataset, data, fmt="csv")
    names = [v["version"] for v in registry.versions()]
    champion = registry.champion()
    proc = subprocess.Popen(
        [
            str(RECOMMENDER),
            "train",
            "--data",
            str(data),
            "--version",
            "killed",
            "--no-evaluation",
            "--threads",
            "1",
        ],
        env=settings_env(deployment.settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def half_written() -> list[Path]:
        caught = [p for p in registry.root.glob(f"{TMP_PREFIX}*") if (p / "model.txt").exists()]
        if not caught and proc.poll() is not None:
            raise AssertionError("training finished before the model files were seen half-written")
        return caught

    try:
        caught = wait_until(
            half_written, timeout=120, interval=0.005, what="a version half-written by the training"
        )
    finally:
        proc.kill()  # SIGKILL: no clean-up handler runs
        proc.wait()
    assert caught
    assert proc.returncode == -signal.SIGKILL

    assert not (registry.root / "killed").exists()
    assert [v["version"] for v in registry.versions()] == names
    assert registry.champion() == champion
    assert served_version(deployment, profiles[0]) == champion
    assert registry.remove_stale_temp(older_than_seconds=0)  # the debris is swept away
    assert not list(registry.root.glob(f"{TMP_PREFIX}*"))
