"""Fuzzed API: schemathesis generates requests for every operation of the app's own
OpenAPI schema and sends them, with a key of each role, to the real server.

Whatever it sends: never a 500, every response conforms to its documented schema and
status codes, and every error is ``application/problem+json``. Invalid input (the
``invalid`` pass: values outside the schema's types, bounds, patterns and enums) must
also be refused with a 4xx (schemathesis' ``negative_data_rejection``; 413 counts too:
the body or cost limit). (The file name sorts it last: fuzzing may roll the champion
back, which the other reliability tests must not see.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config._checks import NegativeDataRejectionConfig

from recommender.adapters.store import ROLES
from tests.api.conftest import Deployment

EXAMPLES = 12
REFUSALS = ("400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "429")
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


def operations(deployment: Deployment) -> list[Any]:
    raw = httpx.get(f"{deployment.server.url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    schema.config.base_url = deployment.server.url  # type: ignore[attr-defined]
    schema.config.checks.negative_data_rejection = NegativeDataRejectionConfig(  # type: ignore[attr-defined]
        expected_statuses=list(REFUSALS)
    )
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_v1_operation(deployment: Deployment) -> None:
    labels = {f"{op.method.upper()} {op.path}" for op in operations(deployment)}
    assert "POST /v1/recommendations" in labels
    assert "POST /v1/models/{version}/promote" in labels
    assert len([x for x in labels if " /v1/" in x]) >= 13


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_holds_under_fuzzing(
    deployment: Deployment,
    role: str,
    mode: GenerationMode,
    record_property: Callable[[str, object], None],
) -> None:
    key = deployment.keys[role]
    tried: list[str] = []
    calls: dict[int, int] = {}
    checks = (*CHECKS, negative_data_rejection) if mode is GenerationMode.NEGATIVE else CHECKS
    api = [
        op
        for op in operations(deployment)  # not the HTML pages for people
        if not op.path.startswith(("/portal", "/docs", "/redoc"))
    ]
    assert api
    for op in api:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            # the caller's real key replaces whatever key was generated; an invalid case
            # that left the key out on purpose is sent without one (and must be refused)
            if mode is GenerationMode.POSITIVE or "X-API-Key" in (case.headers or {}):
                case.headers = {**(case.headers or {}), "X-API-Key": key}
            response = case.call(base_url=deployment.server.url, timeout=60)
            calls[response.status_code] = calls.get(response.status_code, 0) + 1
            case.validate_response(response, checks=list(checks))
            kind = "".join(response.headers.get("content-type", []))
            problem = kind.startswith("application/problem+json")
            # every error is a problem document with its status, and nothing else is
            assert problem == (response.status_code >= 400), (
                f"{case.method} {case.formatted_path} -> {response.status_code} {kind}"
            )
            stated = response.json()["status"] if problem else response.status_code
            assert stated == response.status_code

        try:
            check()
        except Unsatisfiable:  # nothing of this operation can be made invalid (no inputs)
            assert mode is GenerationMode.NEGATIVE
            continue
        tried.append(f"{op.method.upper()} {op.path}")
    assert len(tried) >= (13 if mode is GenerationMode.POSITIVE else 8)
    print(f"{role}/{mode.value}: {sum(calls.values())} requests, statuses {sorted(calls.items())}")
    assert sum(calls.values()) >= 3 * len(tried)
    record_property("requests", sum(calls.values()))  # counted by bench/verify.py
