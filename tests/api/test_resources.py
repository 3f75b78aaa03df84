"""The catalogue, outreach candidates, feedback, posted outcomes and the audit log."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from api.filing import PARTNER_PREFIX
from api.paging import DEFAULT_LIMIT
from recommender.adapters.store import export_dataset, list_feedback, load_outcomes, session_scope
from recommender.eligibility import eligibility_mask
from tests.api.conftest import Deployment, every_page

PROBLEM = "application/problem+json"


# --- programmes --------------------------------------------------------------------------
def test_programmes_are_listed_and_filtered_by_year_and_type(
    deployment: Deployment, world: Any
) -> None:
    programmes = world.dataset.programmes
    year = int(programmes["year"].max())
    with deployment.client("partner") as client:
        everything = every_page(client, "/v1/programmes", {"limit": 40})
        first = client.get("/v1/programmes").json()
        of_year = client.get("/v1/programmes", params={"year": year, "limit": 500}).json()
        consulting = client.get(
            "/v1/programmes", params={"year": year, "type": "consulting", "limit": 500}
        ).json()
        bad = client.get("/v1/programmes", params={"type": "astrology"})
    assert len(programmes) > DEFAULT_LIMIT  # so the default page is a part of them
    assert len(first["items"]) == DEFAULT_LIMIT and first["next_cursor"]
    assert [(p["year"], p["programme_id"]) for p in everything] == sorted(
        zip(programmes["year"], programmes["programme_id"], strict=True)
    )
    assert {p["programme_id"] for p in of_year["items"]} == set(
        programmes[programmes["year"] == year]["programme_id"]
    )
    expected = programmes[
        (programmes["year"] == year) & (programmes["programme_type"] == "consulting")
    ]
    assert len(consulting["items"]) == len(expected) > 0
    assert all(p["programme_type"] == "consulting" for p in consulting["items"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "type"


def test_one_programme_is_read_with_its_targets(deployment: Deployment, world: Any) -> None:
    row = world.dataset.programmes.dropna(subset=["targets"]).iloc[0]
    with deployment.client("partner") as client:
        found = client.get(f"/v1/programmes/{row['programme_id']}")
        missing = client.get("/v1/programmes/NO-SUCH")
    assert found.status_code == 200
    body = found.json()
    assert body["name"] == row["name"] and body["year"] == row["year"]
    assert body["targets"] == row["targets"].split(";")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_candidates_are_eligible_stored_firms_best_fit_first(
    deployment: Deployment, world: Any
) -> None:
    programmes = world.dataset.programmes
    scored = programmes[programmes["programme_type"] != "other"].reset_index(drop=True)
    programme = scored.iloc[len(scored) // 2]
    firms = world.dataset.firms
    year_firms = firms[firms["year"] == programme["year"]].reset_index(drop=True)
    eligible = eligibility_mask(year_firms, pd.DataFrame([programme]))[:, 0]
    expected_ids = set(year_firms["firm_id"][eligible])
    path = f"/v1/programmes/{programme['programme_id']}/candidates"
    with deployment.client("caseworker") as client:
        top = client.get(path, params={"limit": 10}).json()
        every = every_page(client, path, {"limit": 25})
        missing = client.get("/v1/programmes/NO-SUCH/candidates")
    assert {c["firm_id"] for c in every} == expected_ids
    assert [c["firm_id"] for c in top["items"]] == [c["firm_id"] for c in every[:10]]
    assert [c["rank"] for c in every] == list(range(1, len(expected_ids) + 1))
    scores = [c["score"] for c in every]
    assert scores == sorted(scores, reverse=True)
    assert all(c["year"] == programme["year"] for c in every)
    assert missing.status_code == 404


# --- feedback ----------------------------------------------------------------------------
def _served(deployment: Deployment, profile: dict[str, Any]) -> dict[str, Any]:
    with deployment.client("partner") as client:
        return dict(client.post("/v1/recommendations", json={"profile": profile}).json())


def test_feedback_on_a_served_programme_is_recorded(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    served = _served(deployment, profiles[30])
    programme_id = served["recommendations"][1]["programme_id"]
    with deployment.client("caseworker") as client:
        response = client.post(
            "/v1/feedback",
            json={
                "request_id": served["request_id"],
                "programme_id": programme_id,
                "action": "applied",
                "note": "called the firm",
            },
        )
    assert response.status_code == 201, response.text
    body = response.json()
    # the list was a partner's inline profile: filed in the partner's namespace
    filed = f"{PARTNER_PREFIX}test-partner:{served['firm_id']}"
    assert body["firm_id"] == filed and body["action"] == "applied"
    with session_scope(deployment.engine) as session:
        stored = list_feedback(session, request_id=served["request_id"])
    assert [(f.programme_id, f.action, f.key_name, f.note) for f in stored] == [
        (programme_id, "applied", "test-caseworker", "called the firm")
    ]


def test_feedback_on_an_unknown_request_or_programme_is_refused(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    served = _served(deployment, profiles[31])
    with deployment.client("analyst") as client:
        unknown = client.post(
            "/v1/feedback", json={"request_id": "0" * 32, "programme_id": "P", "action": "joined"}
        )
        stranger = client.post(
            "/v1/feedback",
            json={
                "request_id": served["request_id"],
                "programme_id": "NOT-SERVED",
                "action": "joined",
            },
        )
        bad_action = client.post(
            "/v1/feedback",
            json={
                "request_id": served["request_id"],
                "programme_id": served["recommendations"][0]["programme_id"],
                "action": "liked",
            },
        )
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["field"] == "programme_id"
    assert bad_action.status_code == 422
    assert bad_action.json()["errors"][0]["field"] == "action"
    with session_scope(deployment.engine) as session:
        assert list_feedback(session, request_id=served["request_id"]) == []


# --- outcomes ----------------------------------------------------------------------------
def _new_outcome_rows(world: Any, n: int) -> list[dict[str, Any]]:
    """Rows naming stored firm profiles and programmes of their year, not yet stored."""
    ds = world.dataset
    taken = set(ds.outcomes[["firm_id", "year", "programme_id"]].itertuples(index=False, name=None))
    rows = []
    last = int(ds.firms["year"].max())
    firms = ds.firms[ds.firms["year"] == last]["firm_id"].tolist()
    programmes = ds.programmes[ds.programmes["year"] == last]["programme_id"].tolist()
    for i, firm in enumerate(reversed(firms)):
        key = (firm, last, programmes[i % len(programmes)])
        if key not in taken:
            rows.append(
                {"firm_id": key[0], "year": key[1], "programme_id": key[2], "outcome": i % 4}
            )
        if len(rows) == n:
            return rows
    raise AssertionError("the world is too small for new outcome rows")


def _stored_count(deployment: Deployment) -> int:
    with session_scope(deployment.engine) as session:
        return len(load_outcomes(session))


def test_posted_outcomes_are_stored_and_exported(deployment: Deployment, world: Any) -> None:
    rows = _new_outcome_rows(world, 3)
    before = _stored_count(deployment)
    with deployment.client("analyst") as client:
        response = client.post("/v1/outcomes", json={"rows": rows})
        again = client.post("/v1/outcomes", json={"rows": rows[:1]})
    assert response.status_code == 201, response.text
    assert response.json() == {"stored": 3}
    assert _stored_count(deployment) == before + 3
    exported = export_dataset(deployment.engine).outcomes
    assert exported is not None
    keys = set(
        exported[["firm_id", "year", "programme_id", "outcome"]].itertuples(index=False, name=None)
    )
    assert {(r["firm_id"], r["year"], r["programme_id"], r["outcome"]) for r in rows} <= keys
    assert again.status_code == 409
    assert [e["field"] for e in again.json()["errors"]] == ["rows.0"]


def test_bad_outcome_rows_are_each_named_and_nothing_is_stored(
    deployment: Deployment, world: Any
) -> None:
    good = _new_outcome_rows(world, 6)[3:]
    programmes = world.dataset.programmes
    other_year = programmes[programmes["year"] != good[0]["year"]]["programme_id"].iloc[0]
    rows = [
        good[0],
        {**good[1], "firm_id": "NO-SUCH-FIRM"},
        {**good[2], "programme_id": other_year},
        dict(good[0]),
        {**good[1], "programme_id": "NO-SUCH-PROGRAMME"},
    ]
    before = _stored_count(deployment)
    with deployment.client("analyst") as client:
        response = client.post("/v1/outcomes", json={"rows": rows})
        typed = client.post("/v1/outcomes", json={"rows": [{**good[0], "outcome": 7}]})
    assert response.status_code == 422
    problem = response.json()
    fields = {e["field"] for e in problem["errors"]}
    assert {"rows.1.firm_id", "rows.2.year", "rows.3.firm_id", "rows.4.programme_id"} <= fields
    assert not any(f.startswith("rows.0") for f in fields)
    assert typed.status_code == 422
    assert typed.json()["errors"][0]["field"] == "rows.0.outcome"
    assert _stored_count(deployment) == before


# --- audit -------------------------------------------------------------------------------
def test_the_audit_log_is_filtered_by_key_newest_first(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    served = [_served(deployment, p)["request_id"] for p in profiles[40:43]]
    with deployment.client("analyst") as client:
        body = client.get("/v1/audit", params={"key_name": "test-partner", "limit": 3}).json()
        bad = client.get("/v1/audit", params={"limit": 0})
    assert [e["request_id"] for e in body["items"]] == served[::-1]
    assert all(e["key_name"] == "test-partner" for e in body["items"])
    assert bad.status_code == 422


@pytest.mark.parametrize("path", ["/v1/audit", "/v1/models"])
def test_audit_and_models_hold_no_key_material(deployment: Deployment, path: str) -> None:
    with deployment.client("analyst") as client:
        text = client.get(path).text
    assert all(key not in text for key in deployment.keys.values())
