"""Strict inputs at the API (a real server): no string is taken for a number, no number
for a boolean, no float for an integer; ids hold the contract's characters only (no NUL,
no '/'); JSON's non-standard NaN is refused. Dates still arrive as ISO text, and a whole
number is a fine float."""

from __future__ import annotations

import json
from typing import Any

import pytest

from recommender.contract.fields import ID_RULE
from tests.api.conftest import Deployment

LOOSE: dict[str, tuple[str, Any]] = {
    "string-for-int": ("employees", "42"),
    "string-for-float": ("revenue_krw_m", "8500"),
    "int-for-bool": ("has_rnd_lab", 0),
    "string-for-bool": ("has_rnd_lab", "false"),
    "float-for-int": ("patents", 3.0),
    "bool-for-int": ("researchers", True),
    "nul-in-id": ("firm_id", "F\x00001"),
    "slash-in-id": ("firm_id", "F/001"),
    "control-in-id": ("firm_id", "F\x1b[31m"),
    "id-too-long": ("firm_id", "F" * 129),
    "string-for-year": ("year", "2024"),
}


@pytest.mark.parametrize(("column", "value"), list(LOOSE.values()), ids=list(LOOSE))
def test_a_loose_profile_value_is_refused_naming_the_field(
    deployment: Deployment, profiles: list[dict[str, Any]], column: str, value: Any
) -> None:
    body = {"profile": {**profiles[0], column: value}}
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"profile.{column}"]


def test_an_id_error_says_the_rule(deployment: Deployment, profiles: list[dict[str, Any]]) -> None:
    body = {"profile": {**profiles[0], "firm_id": "F\x00001"}}
    with deployment.client("partner") as client:
        errors = client.post("/v1/recommendations", json=body).json()["errors"]
    assert errors == [{"field": "profile.firm_id", "message": f"expected an identifier: {ID_RULE}"}]


@pytest.mark.parametrize(
    ("option", "value"), [("k", "5"), ("include_ineligible", 1), ("k", 5.0), ("explain", 1)]
)
def test_loose_options_are_refused(
    deployment: Deployment, profiles: list[dict[str, Any]], option: str, value: Any
) -> None:
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations", json={"profile": profiles[0], option: value})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [option]


def test_other_bodies_are_strict_too(deployment: Deployment) -> None:
    with deployment.client("analyst") as client:
        outcome = client.post(
            "/v1/outcomes",
            json={"rows": [{"firm_id": "F/1", "year": "2024", "programme_id": "P1", "outcome": 1}]},
        )
        feedback = client.post(
            "/v1/feedback",
            json={"request_id": "x" * 32, "programme_id": "P\x00", "action": "applied"},
        )
    assert outcome.status_code == 422
    assert {e["field"] for e in outcome.json()["errors"]} == {"rows.0.firm_id", "rows.0.year"}
    assert feedback.status_code == 422
    assert [e["field"] for e in feedback.json()["errors"]] == ["programme_id"]


def test_nan_is_refused(deployment: Deployment, profiles: list[dict[str, Any]]) -> None:
    text = json.dumps({"profile": {**profiles[0], "revenue_growth": float("nan")}})
    assert "NaN" in text
    with deployment.client("partner") as client:
        response = client.post(
            "/v1/recommendations", content=text, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["profile.revenue_growth"]


def test_dates_as_text_and_whole_numbers_as_floats_are_still_fine(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    profile = {**profiles[0], "revenue_krw_m": 8500, "export_share": 0}
    with deployment.client("partner") as client:
        response = client.post(
            "/v1/recommendations", json={"profile": profile, "as_of": f"{profile['year']}-05-01"}
        )
    assert response.status_code == 200, response.text
