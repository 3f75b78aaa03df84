"""Who may call what: every route of the app has a role rule, and it is enforced.

The table below is the specification; it is compared with the rules the app actually
carries, so a new route without a rule (or with a different one) fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from api.app import create_app
from api.deps import RoleGuard
from tests.api.conftest import Deployment, make_settings

ALL = frozenset({"partner", "caseworker", "analyst"})
STAFF = frozenset({"caseworker", "analyst"})
ANALYST = frozenset({"analyst"})

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/recommendations"): ALL,
    ("POST", "/v1/recommendations/batch"): ALL,
    ("GET", "/v1/firms/{firm_id}/recommendations"): STAFF,
    ("GET", "/v1/programmes"): ALL,
    ("GET", "/v1/programmes/{programme_id}"): ALL,
    ("GET", "/v1/programmes/{programme_id}/candidates"): STAFF,
    ("POST", "/v1/feedback"): STAFF,
    ("POST", "/v1/outcomes"): ANALYST,
    ("GET", "/v1/models"): ANALYST,
    ("POST", "/v1/models/{version}/promote"): ANALYST,
    ("POST", "/v1/models/rollback"): ANALYST,
    ("GET", "/v1/audit"): ANALYST,
    ("GET", "/v1/alerts"): STAFF,
    ("POST", "/v1/allocations"): STAFF,
    ("GET", "/v1/allocations/{allocation_id}"): STAFF,
    ("GET", "/v1/allocations/{allocation_id}/assignments.csv"): STAFF,
    ("GET", "/v1/firms"): STAFF,
    ("GET", "/v1/firms/{firm_id}"): STAFF,
    ("PUT", "/v1/firms/{firm_id}/profiles/{year}"): STAFF,
    ("POST", "/v1/firms/{firm_id}/profiles/{year}/carry-forward"): STAFF,
    ("GET", "/v1/programmes/{programme_id}/candidates.csv"): STAFF,
    ("PATCH", "/v1/feedback/{feedback_id}"): STAFF,
    ("PUT", "/v1/outcomes/{firm_id}/{year}/{programme_id}"): ANALYST,
    ("GET", "/v1/audit/changes"): ANALYST,
    ("GET", "/v1/audit/sign-ins"): ANALYST,
    ("GET", "/v1/allocations"): STAFF,
    ("GET", "/v1/allocations/{allocation_id}/assignments"): STAFF,
}
PUBLIC = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/static/{name}",  # the documentation pages' own scripts and styles
    "/redoc",
    "/",
}
# the firm's own self-diagnosis page: no key by design; the staff pages: a session cookie
# instead of a key (every one of them checked in tests/api/test_staff_views.py)
PUBLIC_PREFIXES = ("/portal", "/staff")
# Requests that pass authentication but change nothing (they fail validation or lookup).
PROBES: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {
    ("POST", "/v1/recommendations"): ("/v1/recommendations", {}),
    ("POST", "/v1/recommendations/batch"): ("/v1/recommendations/batch", {}),
    ("GET", "/v1/firms/{firm_id}/recommendations"): (
        "/v1/firms/NO-SUCH-FIRM/recommendations",
        None,
    ),
    ("GET", "/v1/programmes"): ("/v1/programmes?year=1900", None),
    ("GET", "/v1/programmes/{programme_id}"): ("/v1/programmes/NO-SUCH", None),
    ("GET", "/v1/programmes/{programme_id}/candidates"): (
        "/v1/programmes/NO-SUCH/candidates",
        None,
    ),
    ("POST", "/v1/feedback"): ("/v1/feedback", {}),
    ("POST", "/v1/outcomes"): ("/v1/outcomes", {}),
    ("GET", "/v1/models"): ("/v1/models", None),
    ("POST", "/v1/models/{version}/promote"): ("/v1/models/no-such-version/promote", None),
    ("POST", "/v1/models/rollback"): ("/v1/models/rollback", None),
    ("GET", "/v1/audit"): ("/v1/audit?limit=1", None),
    ("GET", "/v1/alerts"): ("/v1/alerts?limit=1", None),
    ("POST", "/v1/allocations"): ("/v1/allocations", {}),
    ("GET", "/v1/allocations/{allocation_id}"): ("/v1/allocations/999999", None),
    ("GET", "/v1/allocations/{allocation_id}/assignments.csv"): (
        "/v1/allocations/999999/assignments.csv",
        None,
    ),
    ("GET", "/v1/firms"): ("/v1/firms?q=NO-SUCH-FIRM-ANYWHERE", None),
    ("GET", "/v1/firms/{firm_id}"): ("/v1/firms/NO-SUCH-FIRM", None),
    ("PUT", "/v1/firms/{firm_id}/profiles/{year}"): ("/v1/firms/NO-SUCH-FIRM/profiles/2024", {}),
    ("POST", "/v1/firms/{firm_id}/profiles/{year}/carry-forward"): (
        "/v1/firms/NO-SUCH-FIRM/profiles/2024/carry-forward",
        {},
    ),
    ("GET", "/v1/programmes/{programme_id}/candidates.csv"): (
        "/v1/programmes/NO-SUCH/candidates.csv",
        None,
    ),
    ("PATCH", "/v1/feedback/{feedback_id}"): ("/v1/feedback/2147483647", {}),
    ("PUT", "/v1/outcomes/{firm_id}/{year}/{programme_id}"): (
        "/v1/outcomes/NO-SUCH-FIRM/2024/NO-SUCH",
        {"outcome": 1},
    ),
    ("GET", "/v1/audit/changes"): ("/v1/audit/changes?limit=1", None),
    ("GET", "/v1/audit/sign-ins"): ("/v1/audit/sign-ins?limit=1", None),
    ("GET", "/v1/allocations"): ("/v1/allocations?limit=1", None),
    ("GET", "/v1/allocations/{allocation_id}/assignments"): (
        "/v1/allocations/999999/assignments",
        None,
    ),
}


def route_rules(app: FastAPI) -> dict[tuple[str, str], frozenset[str] | None]:
    """(method, path) -> roles of the route's RoleGuard, ``None`` when it has none."""
    rules: dict[tuple[str, str], frozenset[str] | None] = {}
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        path = str(ctx.path)
        if path in PUBLIC or path.startswith(PUBLIC_PREFIXES) or not isinstance(route, APIRoute):
            continue
        stack, guards = list(route.dependant.dependencies), []
        while stack:
            dep = stack.pop()
            if isinstance(dep.call, RoleGuard):
                guards.append(dep.call)
            stack.extend(dep.dependencies)
        roles = frozenset(r for g in guards for r in g.roles) if guards else None
        for method in route.methods:
            rules[(method, path)] = roles
    return rules


def _app_rules() -> dict[tuple[str, str], frozenset[str] | None]:
    return route_rules(create_app(make_settings(Path("/nonexistent"))))


RULES = _app_rules()
CASES = sorted(RULES)


def test_every_route_has_exactly_the_specified_role_rule() -> None:
    assert {k: v for k, v in RULES.items() if v is None} == {}, "routes without a role guard"
    assert RULES == EXPECTED


def test_a_partner_never_reaches_stored_firms_feedback_outcomes_models_or_audit() -> None:
    partner_routes = {k for k, roles in RULES.items() if roles and "partner" in roles}
    assert partner_routes == {
        ("POST", "/v1/recommendations"),
        ("POST", "/v1/recommendations/batch"),
        ("GET", "/v1/programmes"),
        ("GET", "/v1/programmes/{programme_id}"),
    }


def _call(deployment: Deployment, case: tuple[str, str], key: str | None) -> Any:
    path, body = PROBES[case]
    headers = {"X-API-Key": key} if key is not None else {}
    with deployment.server.client() as client:
        return client.request(case[0], path, json=body, headers=headers)


def _admission(role: str, response: Any) -> str:
    """``admitted`` (neither 401 nor 403), ``refused`` (a 403 forbidden problem naming
    ``role``), or else the status and body."""
    if response.status_code not in (401, 403):
        return "admitted"
    problem = response.json()
    if (
        response.status_code == 403
        and problem.get("type") == "/problems/forbidden"
        and role in problem.get("detail", "")
    ):
        return "refused"
    return f"{response.status_code} {response.text}"


@pytest.mark.parametrize("case", CASES, ids=[f"{m} {p}" for m, p in CASES])
def test_missing_unknown_and_revoked_keys_get_401(
    deployment: Deployment, case: tuple[str, str]
) -> None:
    for key in (None, "", "rk_not-a-real-key", deployment.keys["revoked"]):
        response = _call(deployment, case, key)
        assert response.status_code == 401, (key, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 401


@pytest.mark.parametrize("case", CASES, ids=[f"{m} {p}" for m, p in CASES])
def test_each_role_is_admitted_or_refused_with_403(
    deployment: Deployment, case: tuple[str, str]
) -> None:
    allowed = EXPECTED[case]
    # an admitted analyst would roll back for real (see test_models.py): refusals only
    rollback = case == ("POST", "/v1/models/rollback")
    roles = [role for role in sorted(ALL) if not (rollback and role in allowed)]
    got = {role: _admission(role, _call(deployment, case, deployment.keys[role])) for role in roles}
    assert got == {role: "admitted" if role in allowed else "refused" for role in roles}


def test_health_and_metrics_need_no_key(deployment: Deployment) -> None:
    with deployment.client() as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/metrics").status_code == 200


def test_openapi_documents_the_key_header(deployment: Deployment) -> None:
    with deployment.client() as client:
        spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("in") == "header" and s.get("name") == "X-API-Key" for s in schemes.values())
    request = spec["paths"]["/v1/recommendations"]["post"]
    assert request["security"] and "422" in request["responses"]
