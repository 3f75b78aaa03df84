"""Operations: health, readiness, metrics, timing headers, rate limits, CORS, error
documents for unknown routes, and logs that carry no keys or firm data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from api.logconfig import RedactingAccessFilter, redact_path
from api.security import RateLimiter
from tests.api.conftest import Deployment, LiveServer, make_settings

PARTNER_ORIGIN = "https://partner.example"


def test_health_and_readiness(deployment: Deployment) -> None:
    with deployment.client() as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")
    assert health.json() == {"status": "ok"}
    body = ready.json()
    assert body["status"] == "ready" and body["model_version"] == "v1"
    assert body["programmes"] == len(deployment.world.dataset.programmes)


def test_metrics_count_requests_by_route_and_show_the_model(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("partner") as client:
        served = [
            client.post("/v1/recommendations", json={"profile": p}).status_code
            for p in profiles[:3]
        ]
        assert served == [200, 200, 200]
        client.get("/v1/firms/X/recommendations")  # 403 for a partner
        text = client.get("/metrics").text
    lines = text.splitlines()

    def value(prefix: str) -> float:
        found = [float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(prefix)]
        assert found, prefix
        return found[0]

    assert value('http_requests_total{method="POST",route="/v1/recommendations",status="200"}') >= 3
    assert (
        value(
            'http_requests_total{method="GET",route="/v1/firms/{firm_id}/recommendations",'
            'status="403"}'
        )
        >= 1
    )
    assert value('recommender_model_info{version="v1"}') == 1.0
    assert value('recommendations_served_total{endpoint="POST /v1/recommendations"}') >= 3
    assert any(line.startswith("http_request_duration_seconds_bucket{") for line in lines)


def test_every_response_carries_its_server_time(deployment: Deployment) -> None:
    with deployment.client() as client:
        for path in ("/healthz", "/readyz", "/no-such-route"):
            assert float(client.get(path).headers["X-Process-Time"]) >= 0


def test_unknown_routes_and_methods_are_problem_documents(deployment: Deployment) -> None:
    with deployment.client("analyst") as client:
        missing = client.get("/v1/nothing-here")
        method = client.delete("/v1/programmes")
    assert missing.status_code == 404 and method.status_code == 405
    for response in (missing, method):
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code


@pytest.fixture(scope="module")
def limited(
    deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A second server over the same store: 3 requests a minute, CORS open to a partner."""
    settings = make_settings(
        tmp_path_factory.mktemp("limited"),
        database_url=deployment.settings.db_url,
        models_dir=deployment.settings.models_dir,
        rate_limit_per_minute=3,
        cors_origins=[PARTNER_ORIGIN],
    )
    with LiveServer(create_app(settings)) as server:
        yield server


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(
    deployment: Deployment, limited: LiveServer
) -> None:
    with limited.client(deployment.keys["caseworker"]) as client:
        statuses = [
            client.get("/v1/programmes", params={"year": 2024}).status_code for _ in range(4)
        ]
        refused = client.get("/v1/programmes")
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 20
    with limited.client(deployment.keys["analyst"]) as other:
        assert other.get("/v1/programmes", params={"year": 2024}).status_code == 200


def test_keys_and_portal_clients_take_tokens_of_one_limiter_in_their_own_buckets(
    deployment: Deployment, limited: LiveServer
) -> None:
    with limited.client(deployment.keys["partner"]) as client:
        keyed = [client.get("/v1/programmes", params={"year": 2024}).status_code for _ in range(4)]
        pages = [client.post("/portal/edit", data={"lang": "en"}) for _ in range(4)]
    assert keyed == [200, 200, 200, 429]  # the key's bucket is empty ...
    assert [p.status_code for p in pages] == [200, 200, 200, 429]  # ... the address's is not
    assert pages[-1].headers["content-type"].startswith("text/html")
    assert 1 <= int(pages[-1].headers["Retry-After"]) <= 20


def test_the_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.acquire("k") is None for _ in range(60))
    wait = limiter.acquire("k")
    assert wait == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.acquire("k") is None and limiter.acquire("k") is not None
    assert limiter.acquire("other") is None


def test_cors_is_closed_by_default_and_open_to_configured_origins(
    deployment: Deployment, limited: LiveServer
) -> None:
    preflight = {
        "Origin": PARTNER_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-API-Key, Content-Type",
    }
    with deployment.client() as closed:
        response = closed.options("/v1/recommendations", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    with limited.client() as open_:
        response = open_.options("/v1/recommendations", headers=preflight)
        assert response.headers["access-control-allow-origin"] == PARTNER_ORIGIN
        other = open_.options(
            "/v1/recommendations", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_access_logs_carry_no_firm_ids_or_query_values() -> None:
    assert (
        redact_path("/v1/firms/F000123/recommendations?year=2024")
        == "/v1/firms/{firm_id}/recommendations?…"
    )
    assert redact_path("/v1/audit?firm_id=F1&key_name=bob") == "/v1/audit?…"
    assert redact_path("/v1/programmes") == "/v1/programmes"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/firms/F9/recommendations?k=3", "1.1", 200),
        None,
    )
    assert RedactingAccessFilter().filter(record)
    assert "F9" not in record.getMessage() and "k=3" not in record.getMessage()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/firms/%00/recommendations", None),
        ("GET", "/v1/programmes/%00", None),  # NUL: PostgreSQL cannot store or search it
        (
            "POST",
            "/v1/outcomes",
            {
                "rows": [
                    {"firm_id": "\u0000", "year": 2020, "programme_id": "p\u0000", "outcome": 1}
                ]
            },
        ),
        ("GET", "/v1/firms/" + "x" * 5000 + "/recommendations", None),
        ("GET", "/v1/firms/F1/recommendations?year=abc&k=1e9", None),
        ("GET", "/v1/programmes?year=99999999999999999999", None),
        ("GET", "/v1/programmes/a%2Fb%2F..%2Fc", None),
        ("GET", "/v1/programmes/x/candidates?k=-1", None),
        ("GET", "/v1/audit?since=yesterday&limit=abc", None),
        ("POST", "/v1/models/..%2F..%2Fetc/promote", None),
        ("POST", "/v1/models/%20/promote?force=maybe", None),
        ("POST", "/v1/outcomes", {"rows": "all of them"}),
        (
            "POST",
            "/v1/outcomes",
            {"rows": [{"firm_id": None, "year": "x", "programme_id": 3, "outcome": [1]}]},
        ),
        ("POST", "/v1/feedback", {"request_id": 5, "programme_id": {}, "action": None}),
        ("POST", "/v1/recommendations/batch", {"profiles": [None, 1, "x"]}),
        ("POST", "/v1/recommendations", {"profile": {"firm_id": "x" * 10_000}}),
    ],
)
def test_odd_requests_get_a_4xx_problem_never_a_500(
    deployment: Deployment, method: str, path: str, body: Any
) -> None:
    with deployment.client("analyst") as client:
        response = client.request(method, path, json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
