"""Access control beyond the role table of ``tests/api/test_auth.py``: keys are stored
only as hashes, keys, profiles and firm data never reach the server's log, and CORS
is closed by default."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx

from bench.server_process import ServerProcess
from tests.api.conftest import Deployment

KEY_NAMES = {"caseworker", "partner", "analyst", "revoked"}


def test_the_database_holds_no_plaintext_key(deployment: Deployment) -> None:
    conn = sqlite3.connect(deployment.settings.db_url.removeprefix("sqlite:///"))
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert "test-analyst" in dump  # the dump does hold the key table
    assert set(deployment.keys) == KEY_NAMES  # every role's key and a revoked one
    for key in deployment.keys.values():
        assert key not in dump
        assert key[3:] not in dump  # nor the secret part without its prefix


def test_keys_profiles_and_firm_data_never_appear_in_the_log(
    deployment: Deployment, profiles: list[dict[str, Any]], tmp_path: Path
) -> None:
    marker_revenue = 987_654.321
    note = "confidential-note-7f3a"
    profile = {**profiles[0], "revenue_krw_m": marker_revenue}
    firm_id = str(profile["firm_id"])
    log_path = tmp_path / "server.log"
    with ServerProcess(
        deployment.settings, log_path, env={"RECOMMENDER_LOG_LEVEL": "DEBUG"}
    ) as server:
        staff = {"X-API-Key": deployment.keys["caseworker"]}
        with httpx.Client(base_url=server.url, timeout=60) as client:
            served = client.post("/v1/recommendations", json={"profile": profile}, headers=staff)
            assert served.status_code == 200
            body = served.json()
            items = body["recommendations"] + body["unscored"]
            assert items  # so the confidential note below is really sent
            assert (
                client.post(
                    "/v1/feedback",
                    headers=staff,
                    json={
                        "request_id": body["request_id"],
                        "programme_id": items[0]["programme_id"],
                        "action": "accepted",
                        "note": note,
                    },
                ).status_code
                == 201
            )
            assert (
                client.get(
                    f"/v1/firms/{firm_id}/recommendations",
                    params={"year": profile["year"]},
                    headers=staff,
                ).status_code
                == 200
            )
            bad = client.post(
                "/v1/recommendations", headers=staff, json={"profile": {**profile, "employees": -1}}
            )
            assert bad.status_code == 422
            wrong = client.get("/v1/audit", params={"firm_id": firm_id}, headers=staff)
            assert wrong.status_code == 403
            unknown = client.get("/v1/models", headers={"X-API-Key": "rk_not-a-real-key"})
            assert unknown.status_code == 401
    log = log_path.read_text(errors="replace")
    assert "/v1/recommendations" in log  # the access log was on and captured
    assert set(deployment.keys) == KEY_NAMES
    for key in deployment.keys.values():
        assert key not in log
    assert "rk_not-a-real-key" not in log
    assert firm_id not in log
    assert f"{marker_revenue}" not in log and "987654" not in log
    assert note not in log


def test_cors_is_closed_by_default(deployment: Deployment) -> None:
    origin = {"Origin": "https://evil.example"}
    with deployment.client("partner") as client:
        simple = client.get("/v1/programmes", headers=origin)
        preflight = client.options(
            "/v1/recommendations",
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-API-Key",
            },
        )
    assert simple.status_code == 200
    for response in (simple, preflight):
        assert not any(h.lower().startswith("access-control-") for h in response.headers)
