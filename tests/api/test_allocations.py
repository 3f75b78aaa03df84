"""POST /v1/allocations over the stored firms, GET it back and as CSV; what is refused."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select

from recommender.adapters.store import session_scope, upsert_applications
from recommender.adapters.store.tables import Application, StoredAllocation
from recommender.allocate import ALLOCATION_COLUMNS
from recommender.eligibility import eligibility_mask
from tests.api.conftest import Deployment, every_page

PROBLEM = "application/problem+json"
YEAR = 2024


def stored_allocations(deployment: Deployment) -> int:
    with session_scope(deployment.engine) as session:
        return int(session.scalar(select(func.count()).select_from(StoredAllocation)) or 0)


def post(deployment: Deployment, body: dict[str, Any], role: str = "caseworker") -> Any:
    with deployment.client(role) as client:
        return client.post("/v1/allocations", json=body, timeout=120)


def test_an_allocation_is_created_stored_audited_and_read_back(
    deployment: Deployment, world: Any
) -> None:
    created = post(deployment, {"year": YEAR, "per_firm": 2})
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/allocations/{body['id']}"
    summary = body["summary"]
    assert summary["assignments"] > 0 and summary["solver"] == "min-cost flow (OR-Tools)"
    assert summary["assignments"] <= summary["seats_on_offer"]
    assert sum(p["assigned"] for p in body["programmes"]) == summary["assignments"]
    assert all(p["seat_value"] >= 0 for p in body["programmes"])
    assert body["model_version"] and body["per_firm"] == 2 and body["min_shares"] == []
    with deployment.client("analyst") as client:
        detail = client.get(f"/v1/allocations/{body['id']}", params={"limit": 10_000}).json()
        audit = client.get("/v1/audit", params={"request_id": body["request_id"]}).json()
        listed = client.get("/v1/allocations", params={"year": YEAR}).json()
        paged = every_page(client, f"/v1/allocations/{body['id']}/assignments", {"limit": 40})
    assert len(audit["items"]) == 1 and audit["next_cursor"] is None
    assert listed["items"][0]["id"] == body["id"]  # newest first
    assert paged == detail["assignments"]
    entry = audit["items"][0]
    assert (entry["endpoint"], entry["year"], entry["key_name"]) == (
        "POST /v1/allocations",
        YEAR,
        "test-caseworker",
    )
    assert {i["programme_id"] for i in entry["items"]} == {
        p["programme_id"] for p in body["programmes"] if p["assigned"] > 0
    }
    assert detail["total_assignments"] == summary["assignments"] == len(detail["assignments"])
    rows = pd.DataFrame(detail["assignments"])
    assert rows.groupby("firm_id").size().max() <= 2
    capacity = {p["programme_id"]: p["capacity"] for p in body["programmes"]}
    taken = rows.groupby("programme_id").size()
    assert all(capacity[pid] is None or n <= capacity[pid] for pid, n in taken.items())
    firms = world.dataset.firms[world.dataset.firms["year"] == YEAR].reset_index(drop=True)
    programmes = world.dataset.programmes
    programmes = programmes[programmes["year"] == YEAR].reset_index(drop=True)
    mask = eligibility_mask(firms, programmes)
    f = pd.Index(firms["firm_id"]).get_indexer(rows["firm_id"])
    p = pd.Index(programmes["programme_id"]).get_indexer(rows["programme_id"])
    assert (f >= 0).all() and (p >= 0).all() and mask[f, p].all()
    assert rows["reason"].str.len().gt(20).all()


def test_the_assignments_download_as_the_commands_csv_and_page_as_json(
    deployment: Deployment,
) -> None:
    created = post(deployment, {"year": YEAR}).json()
    with deployment.client("analyst") as client:
        csv = client.get(f"/v1/allocations/{created['id']}/assignments.csv")
        page = client.get(
            f"/v1/allocations/{created['id']}", params={"offset": 1, "limit": 2}
        ).json()
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    rows = pd.read_csv(io.StringIO(csv.text))
    assert tuple(rows.columns) == ALLOCATION_COLUMNS
    assert len(rows) == created["summary"]["assignments"] > 3
    assert (rows["year"] == YEAR).all()
    assert page["offset"] == 1 and len(page["assignments"]) == 2
    assert [a["firm_id"] for a in page["assignments"]] == rows["firm_id"].iloc[1:3].tolist()


def test_floors_hold_and_applications_restrict(deployment: Deployment, world: Any) -> None:
    held = post(deployment, {"year": YEAR, "min_shares": ["region:not:seoul,gyeonggi=0.5"]})
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["summary"]["solver"] == "mixed-integer programme (HiGHS)"
    [floor] = body["floors"]
    assert floor["floor"] == "region:not:seoul,gyeonggi=0.5"
    assert floor["assigned"] >= floor["required"] > 0
    oracle = world.oracle[world.oracle["year"] == YEAR]
    applied = oracle.sample(40, random_state=2)
    chosen = post(
        deployment,
        {
            "year": YEAR,
            "applications": [
                {"firm_id": r.firm_id, "programme_id": r.programme_id} for r in applied.itertuples()
            ],
        },
    )
    assert chosen.status_code == 201, chosen.text
    with deployment.client("caseworker") as client:
        rows = client.get(f"/v1/allocations/{chosen.json()['id']}").json()["assignments"]
    asked = set(zip(applied["firm_id"], applied["programme_id"], strict=True))
    assert len(rows) > 0
    assert {(r["firm_id"], r["programme_id"]) for r in rows} <= asked


def test_the_years_stored_applications_restrict_an_allocation_that_names_none(
    deployment: Deployment, world: Any
) -> None:
    oracle = world.oracle[world.oracle["year"] == YEAR]
    applied = oracle.sample(30, random_state=5)[["firm_id", "year", "programme_id"]]
    with session_scope(deployment.engine) as session:
        assert upsert_applications(session, applied)["added"] == 30
    try:
        created = post(deployment, {"year": YEAR})
        assert created.status_code == 201, created.text
        with deployment.client("caseworker") as client:
            rows = client.get(f"/v1/allocations/{created.json()['id']}").json()["assignments"]
    finally:
        with session_scope(deployment.engine) as session:
            session.execute(delete(Application))
    asked = set(zip(applied["firm_id"], applied["programme_id"], strict=True))
    assert 0 < len(rows) <= 30
    assert {(r["firm_id"], r["programme_id"]) for r in rows} <= asked


def test_an_infeasible_floor_or_bad_input_is_refused_and_nothing_is_stored(
    deployment: Deployment,
) -> None:
    before = stored_allocations(deployment)
    infeasible = post(deployment, {"year": YEAR, "min_shares": ["region:jeju=1.0"]})
    assert infeasible.status_code == 422
    assert infeasible.headers["content-type"] == PROBLEM
    assert "floor region:jeju=1 cannot be met" in infeasible.json()["detail"]
    assert "seats short" in infeasible.json()["detail"]
    bad_floor = post(deployment, {"year": YEAR, "min_shares": ["planet:mars=0.2"]})
    assert bad_floor.status_code == 422 and "unknown field 'planet'" in bad_floor.json()["detail"]
    no_year = post(deployment, {"year": 1999})
    assert no_year.status_code == 422 and "no scored programme of 1999" in no_year.json()["detail"]
    bad_row = post(
        deployment,
        {"year": YEAR, "applications": [{"firm_id": "NO-SUCH-FIRM", "programme_id": "NO-SUCH"}]},
    )
    assert bad_row.status_code == 422
    fields = {e["field"] for e in bad_row.json()["errors"]}
    assert fields == {"applications.0.firm_id", "applications.0.programme_id"}
    extra = post(deployment, {"year": YEAR, "colour": "blue"})
    assert extra.status_code == 422
    assert stored_allocations(deployment) == before


def test_partners_may_not_allocate_and_unknown_allocations_are_not_found(
    deployment: Deployment,
) -> None:
    assert post(deployment, {"year": YEAR}, role="partner").status_code == 403
    with deployment.client("caseworker") as client:
        missing = client.get("/v1/allocations/999999")
        missing_csv = client.get("/v1/allocations/999999/assignments.csv")
    assert missing.status_code == missing_csv.status_code == 404
    assert missing.headers["content-type"] == missing_csv.headers["content-type"] == PROBLEM
