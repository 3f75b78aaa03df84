"""The caseworker's workbench through the real HTTP server: finding firms, writing their
profiles, outreach lists with request ids and reasons, feedback that is stored once and
corrected with an audit trail, corrected outcomes, and the bounds of every page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest

from api.paging import MAX_LIMIT
from api.schemas.programmes import to_check
from recommender.adapters.store import export_dataset, list_feedback, session_scope
from recommender.eligibility import eligibility_mask
from recommender.explain import renderer
from tests.api.conftest import Deployment, as_profile, every_page

NEW_YEAR = 2030  # no world programme runs then: profiles written here change no list


def _body(profile: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A PUT body: a profile without its firm id and year (the path gives them)."""
    return {k: v for k, v in {**profile, **changes}.items() if k not in ("firm_id", "year")}


def _last_profile(world: Any, n: int) -> dict[str, Any]:
    firms = world.dataset.firms
    last = firms[firms["year"] == firms["year"].max()].reset_index(drop=True)
    return as_profile(last.iloc[n])


def _changes(deployment: Deployment, entity: str, key: str) -> list[dict[str, Any]]:
    with deployment.client("analyst") as client:
        page = client.get(
            "/v1/audit/changes", params={"entity": entity, "entity_key": key, "limit": 50}
        ).json()
    return list(page["items"])


# --- finding firms -------------------------------------------------------------------
def test_a_written_profile_is_found_by_name_district_and_band(
    deployment: Deployment, world: Any
) -> None:
    base = _last_profile(world, 3)
    body = _body(base, firm_name="Hanbit Precision 한빛정밀", district="포천시", employees=12)
    with deployment.client("caseworker") as client:
        put = client.put(f"/v1/firms/WB-SEARCH-1/profiles/{NEW_YEAR}", json=body)
        by_name = client.get("/v1/firms", params={"q": "hanbit PRECISION"}).json()
        by_korean = client.get("/v1/firms", params={"q": "한빛"}).json()
        by_place = client.get(
            "/v1/firms",
            params={"district": "포천시", "region": base["region"], "size_band": "small"},
        ).json()
        wrong_band = client.get(
            "/v1/firms", params={"q": "WB-SEARCH-1", "size_band": "large"}
        ).json()
        bad_region = client.get("/v1/firms", params={"region": "atlantis"})
        detail = client.get("/v1/firms/WB-SEARCH-1").json()
    assert put.status_code == 201, put.text
    assert [f["firm_id"] for f in by_name["items"]] == ["WB-SEARCH-1"]
    assert [f["firm_id"] for f in by_korean["items"]] == ["WB-SEARCH-1"]
    found = by_place["items"]
    assert [f["firm_id"] for f in found] == ["WB-SEARCH-1"]
    assert (found[0]["firm_name"], found[0]["year"], found[0]["size_band"]) == (
        "Hanbit Precision 한빛정밀",
        NEW_YEAR,
        "small",
    )
    assert wrong_band["items"] == []
    assert bad_region.status_code == 422 and bad_region.json()["errors"][0]["field"] == "region"
    assert detail["firm_name"] == "Hanbit Precision 한빛정밀"
    assert [p["year"] for p in detail["profiles"]] == [NEW_YEAR]


def test_firm_pages_are_bounded_and_cover_every_firm_once(
    deployment: Deployment, world: Any
) -> None:
    world_ids = set(world.dataset.firms["firm_id"])
    with deployment.client("analyst") as client:
        first = client.get("/v1/firms").json()
        walked = every_page(client, "/v1/firms", {"limit": 70})
        too_many = client.get("/v1/firms", params={"limit": MAX_LIMIT + 1})
        none = client.get("/v1/firms", params={"limit": 0})
        forged = client.get("/v1/firms", params={"cursor": "bm90LWEtY3Vyc29y"})
        other_list = client.get("/v1/programmes", params={"limit": 1}).json()["next_cursor"]
        crossed = client.get("/v1/firms", params={"cursor": other_list})
    ids = [f["firm_id"] for f in walked]
    assert len(first["items"]) == 50 and first["next_cursor"]
    assert len(ids) == len(set(ids)) and world_ids <= set(ids)
    assert ids == sorted(ids)
    assert too_many.status_code == none.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limit"
    assert forged.status_code == crossed.status_code == 422
    assert forged.json()["errors"][0]["field"] == "cursor"
    assert crossed.json()["errors"][0]["field"] == "cursor"


def test_a_firm_stored_between_pages_shifts_nothing(deployment: Deployment, world: Any) -> None:
    with deployment.client("caseworker") as client:
        first = client.get("/v1/firms", params={"limit": 5}).json()
        # a firm whose id sorts before every other: an offset would repeat a firm
        client.put(f"/v1/firms/0-WB-EARLY/profiles/{NEW_YEAR}", json=_body(_last_profile(world, 4)))
        second = client.get("/v1/firms", params={"limit": 5, "cursor": first["next_cursor"]}).json()
    seen = [f["firm_id"] for f in first["items"]]
    after = [f["firm_id"] for f in second["items"]]
    assert len(after) == 5 and not set(seen) & set(after)
    assert min(after) > max(seen)


def test_an_unknown_firm_is_404(deployment: Deployment) -> None:
    with deployment.client("caseworker") as client:
        response = client.get("/v1/firms/NO-SUCH-FIRM")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


# --- writing profiles ----------------------------------------------------------------
def test_a_profile_is_created_replaced_and_each_change_logged(
    deployment: Deployment, world: Any
) -> None:
    base = _last_profile(world, 5)
    path = f"/v1/firms/WB-PUT-1/profiles/{NEW_YEAR}"
    with deployment.client("caseworker") as client:
        created = client.put(path, json=_body(base, employees=20))
        replaced = client.put(path, json=_body(base, employees=25))
        same = client.put(path, json=_body(base, employees=25))
    assert (created.status_code, replaced.status_code, same.status_code) == (201, 200, 200)
    assert replaced.json()["profile"]["employees"] == 25
    changes = _changes(deployment, "firm_profile", f"WB-PUT-1/{NEW_YEAR}")
    assert [c["action"] for c in changes] == ["updated", "created"]  # newest first; no no-op
    assert all(c["key_name"] == "test-caseworker" and c["at"] for c in changes)
    assert changes[0]["before"]["employees"] == 20 and changes[0]["after"]["employees"] == 25
    assert changes[1]["before"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"employees": 0}, "employees"),
        ({"region": "atlantis"}, "region"),
        ({"founded_year": NEW_YEAR + 1}, "founded_year"),
        ({"cap_marketing": 9}, "cap_marketing"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_field_and_nothing_is_stored(
    deployment: Deployment, world: Any, change: dict[str, Any], field: str
) -> None:
    body = _body(_last_profile(world, 6), **change)
    with deployment.client("caseworker") as client:
        response = client.put(f"/v1/firms/WB-BAD-1/profiles/{NEW_YEAR}", json=body)
        stored = client.get("/v1/firms/WB-BAD-1")
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert stored.status_code == 404


def test_last_years_profile_is_carried_forward_with_edits(
    deployment: Deployment, world: Any
) -> None:
    base = _last_profile(world, 7)
    with deployment.client("caseworker") as client:
        client.put(f"/v1/firms/WB-CARRY-1/profiles/{NEW_YEAR}", json=_body(base, patents=2))
        carried = client.post(
            f"/v1/firms/WB-CARRY-1/profiles/{NEW_YEAR + 1}/carry-forward",
            json={"employees": 77, "firm_name": "Carried Co."},
        )
        again = client.post(f"/v1/firms/WB-CARRY-1/profiles/{NEW_YEAR + 1}/carry-forward", json={})
        bad = client.post(
            f"/v1/firms/WB-CARRY-1/profiles/{NEW_YEAR + 2}/carry-forward",
            json={"export_share": 3},
        )
        nothing = client.post(
            f"/v1/firms/WB-CARRY-1/profiles/{NEW_YEAR - 1}/carry-forward", json={}
        )
        detail = client.get("/v1/firms/WB-CARRY-1").json()
    assert carried.status_code == 201, carried.text
    body = carried.json()
    assert (body["carried_from"], body["profile"]["employees"]) == (NEW_YEAR, 77)
    assert body["profile"]["patents"] == 2 and body["profile"]["firm_name"] == "Carried Co."
    assert again.status_code == 409
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "export_share"
    assert nothing.status_code == 404
    assert [p["year"] for p in detail["profiles"]] == [NEW_YEAR, NEW_YEAR + 1]
    changes = _changes(deployment, "firm_profile", f"WB-CARRY-1/{NEW_YEAR + 1}")
    assert [c["action"] for c in changes] == ["carried"]


# --- outreach lists ------------------------------------------------------------------
def _outreach_programme(world: Any) -> tuple[pd.Series, set[str]]:
    programmes = world.dataset.programmes
    scored = programmes[programmes["programme_type"] != "other"].reset_index(drop=True)
    firms = world.dataset.firms
    for _, programme in scored.iloc[::-1].iterrows():
        year_firms = firms[firms["year"] == programme["year"]].reset_index(drop=True)
        eligible = eligibility_mask(year_firms, pd.DataFrame([programme]))[:, 0]
        if eligible.sum() >= 12:
            return programme, set(year_firms["firm_id"][eligible])
    raise AssertionError("no programme of the world has a dozen eligible firms")


def test_an_outreach_list_names_firms_gives_reasons_and_is_audited(
    deployment: Deployment, world: Any
) -> None:
    programme, eligible = _outreach_programme(world)
    pid, year = str(programme["programme_id"]), int(programme["year"])
    path = f"/v1/programmes/{pid}/candidates"
    with deployment.client("caseworker") as client:
        first = client.get(path, params={"limit": 5})
        korean = client.get(path, params={"limit": 5, "lang": "ko"}).json()
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["request_id"] and first.headers["X-Request-ID"] == page["request_id"]
    assert page["programme_name"] == programme["name"] and page["next_cursor"]
    items = page["items"]
    assert len(items) == 5 and {c["firm_id"] for c in items} <= eligible
    assert all(c["region"] and c["sector"] and c["size_band"] and c["employees"] for c in items)
    assert all(1 <= len(c["reasons"]) <= 3 and c["reasons"][0]["text"] for c in items)
    assert all("chance_measurable" in c for c in items)
    assert [c["firm_id"] for c in korean["items"]] == [c["firm_id"] for c in items]
    assert korean["items"][0]["reasons"][0]["text"] != items[0]["reasons"][0]["text"]
    # the programme's stated support: its amount, no kind (the demo world states none), words
    assert page["support_krw_m"] == pytest.approx(float(programme["support_krw_m"]))
    assert page["support_kind"] is None
    assert page["support"] == renderer("en").support(float(programme["support_krw_m"]), None)
    assert korean["support"].startswith("기업당 최대 ")
    with deployment.client("analyst") as client:
        audit = client.get("/v1/audit", params={"request_id": page["request_id"]}).json()
    assert len(audit["items"]) == 1
    entry = audit["items"][0]
    assert (entry["endpoint"], entry["year"], entry["key_name"], entry["firm_id"]) == (
        "GET /v1/programmes/{programme_id}/candidates",
        year,
        "test-caseworker",
        None,
    )
    assert [(i["programme_id"], i["firm_id"], i["rank"]) for i in entry["items"]] == [
        (pid, c["firm_id"], c["rank"]) for c in items
    ]


def test_an_outreach_list_downloads_as_csv(deployment: Deployment, world: Any) -> None:
    programme, _ = _outreach_programme(world)
    pid = str(programme["programme_id"])
    with deployment.client("caseworker") as client:
        json_page = client.get(f"/v1/programmes/{pid}/candidates", params={"limit": 4}).json()
        by_path = client.get(f"/v1/programmes/{pid}/candidates.csv", params={"limit": 4})
        by_accept = client.get(
            f"/v1/programmes/{pid}/candidates",
            params={"limit": 4},
            headers={"Accept": "text/csv"},
        )
    rows = list(csv.DictReader(io.StringIO(by_path.text)))
    assert by_path.status_code == by_accept.status_code == 200
    assert by_path.headers["content-type"].startswith("text/csv")
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert by_path.headers["X-Request-ID"] != json_page["request_id"]  # each list audited
    assert [r["firm_id"] for r in rows] == [c["firm_id"] for c in json_page["items"]]
    assert all(r["reasons"] for r in rows)
    assert by_path.headers["X-Next-Cursor"]


# --- feedback ------------------------------------------------------------------------
def test_feedback_on_an_outreach_list_needs_its_firm_and_is_stored_once(
    deployment: Deployment, world: Any
) -> None:
    programme, _ = _outreach_programme(world)
    pid = str(programme["programme_id"])
    with deployment.client("caseworker") as client:
        page = client.get(f"/v1/programmes/{pid}/candidates", params={"limit": 3}).json()
        rid, firm = page["request_id"], page["items"][1]["firm_id"]
        body = {"request_id": rid, "programme_id": pid, "firm_id": firm, "action": "contacted"}
        first = client.post("/v1/feedback", json=body)
        again = client.post("/v1/feedback", json=body)
        next_step = client.post("/v1/feedback", json={**body, "action": "interested"})
        no_firm = client.post("/v1/feedback", json={**body, "firm_id": None})
        stranger = client.post("/v1/feedback", json={**body, "firm_id": "NOT-LISTED"})
    assert (first.status_code, again.status_code, next_step.status_code) == (201, 200, 201)
    assert again.json()["id"] == first.json()["id"] and first.json()["firm_id"] == firm
    assert no_firm.status_code == 422 and no_firm.json()["errors"][0]["field"] == "firm_id"
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "firm_id"
    with session_scope(deployment.engine) as session:
        stored = list_feedback(session, request_id=rid)
    assert sorted(f.action for f in stored) == ["contacted", "interested"]
    exported = export_dataset(deployment.engine).feedback  # what `recommender export` writes
    assert exported is not None
    mine = exported[exported["request_id"] == rid]
    assert sorted(mine["status"]) == ["contacted", "interested"]
    assert set(mine["firm_id"]) == {firm} and set(mine["year"]) == {int(programme["year"])}


def test_feedback_on_a_firms_list_is_idempotent_and_takes_the_old_status(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("partner") as client:
        served = client.post("/v1/recommendations", json={"profile": profiles[50]}).json()
    pid = served["recommendations"][0]["programme_id"]
    body = {"request_id": served["request_id"], "programme_id": pid, "action": "accepted"}
    with deployment.client("caseworker") as client:
        first = client.post("/v1/feedback", json=body)
        again = client.post("/v1/feedback", json={**body, "action": "interested"})
        other_firm = client.post("/v1/feedback", json={**body, "firm_id": "SOMEONE-ELSE"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["action"] == "interested"  # the legacy value, stored as its successor
    assert other_firm.status_code == 422
    assert other_firm.json()["errors"][0]["field"] == "firm_id"


def test_feedback_is_corrected_and_the_change_log_keeps_what_it_was(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("partner") as client:
        served = client.post("/v1/recommendations", json={"profile": profiles[51]}).json()
    pid = served["recommendations"][0]["programme_id"]
    base = {"request_id": served["request_id"], "programme_id": pid}
    with deployment.client("caseworker") as client:
        applied = client.post("/v1/feedback", json={**base, "action": "applied"}).json()
        joined = client.post("/v1/feedback", json={**base, "action": "joined"}).json()
        fixed = client.patch(
            f"/v1/feedback/{applied['id']}", json={"action": "selected", "note": "typo"}
        )
        clash = client.patch(f"/v1/feedback/{applied['id']}", json={"action": "joined"})
        bad = client.patch(f"/v1/feedback/{applied['id']}", json={"action": "liked"})
        missing = client.patch("/v1/feedback/2147483000", json={"action": "joined"})
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["action"], fixed.json()["note"]) == ("selected", "typo")
    assert fixed.json()["updated_by"] == "test-caseworker" and fixed.json()["updated_at"]
    assert clash.status_code == 409 and joined["action"] == "joined"
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "action"
    assert missing.status_code == 404
    changes = _changes(deployment, "feedback", str(applied["id"]))
    assert [(c["before"]["action"], c["after"]["action"]) for c in changes] == [
        ("applied", "selected")
    ]


def test_the_feedback_statuses_are_documented_in_the_openapi(deployment: Deployment) -> None:
    with deployment.client() as client:
        schema = client.get("/openapi.json").json()
    action = schema["components"]["schemas"]["FeedbackIn"]["properties"]["action"]
    described = action["x-enum-descriptions"]
    assert set(described) >= {
        "contacted",
        "interested",
        "applied",
        "selected",
        "joined",
        "declined",
    }
    assert all(described.values())
    assert "contacted" in action["description"]


# --- outcomes ------------------------------------------------------------------------
def test_a_stored_outcome_is_corrected_with_its_old_value_logged(
    deployment: Deployment, world: Any
) -> None:
    row = world.dataset.outcomes.iloc[0]
    key = f"{row['firm_id']}/{int(row['year'])}/{row['programme_id']}"
    new = (int(row["outcome"]) + 1) % 4
    with deployment.client("analyst") as client:
        fixed = client.put(f"/v1/outcomes/{key}", json={"outcome": new})
        bad = client.put(f"/v1/outcomes/{key}", json={"outcome": 9})
        missing = client.put("/v1/outcomes/NO-SUCH/2024/NO-SUCH", json={"outcome": 1})
        back = client.put(f"/v1/outcomes/{key}", json={"outcome": int(row["outcome"])})
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["outcome"], fixed.json()["previous"]) == (new, int(row["outcome"]))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "outcome"
    assert missing.status_code == 404 and back.status_code == 200
    changes = _changes(deployment, "outcome", key)
    assert [(c["before"]["outcome"], c["after"]["outcome"]) for c in changes] == [
        (new, int(row["outcome"])),
        (int(row["outcome"]), new),
    ]


# --- the audit log's pages -------------------------------------------------------------
def test_audit_pages_run_newest_first_without_repeats(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    start = datetime.now(UTC).isoformat()  # the other tests' entries are all older
    with deployment.client("partner") as client:
        served = [
            client.post("/v1/recommendations", json={"profile": p}).json()["request_id"]
            for p in profiles[60:65]
        ]
    with deployment.client("analyst") as client:
        walked = every_page(
            client, "/v1/audit", {"key_name": "test-partner", "since": start, "limit": 2}
        )
    ids = [e["request_id"] for e in walked]
    assert ids == served[::-1]  # three pages (2, 2, 1), newest first, none repeated
    stamps = [e["at"] for e in walked]
    assert stamps == sorted(stamps, reverse=True)


def test_a_firm_id_outside_the_identifier_rule_is_refused_and_a_valid_one_is_located(
    deployment: Deployment, world: Any
) -> None:
    """Stored ids follow the contract's identifier rule (every one addressable in a path);
    one outside it is refused naming ``firm_id``, nothing stored."""
    body = _body(_last_profile(world, 8))
    with deployment.client("caseworker") as client:
        foreign = client.put(f"/v1/firms/한빛-𝔘1/profiles/{NEW_YEAR}", json=body)
        missing = client.get("/v1/firms/한빛-𝔘1")
        put = client.put(f"/v1/firms/WB-ID.rule~1/profiles/{NEW_YEAR}", json=body)
        back = client.get(put.headers.get("Location", "/v1/firms/none"))
    assert foreign.status_code == 422
    assert [e["field"] for e in foreign.json()["errors"]] == ["firm_id"]
    assert missing.status_code in (404, 422)
    assert put.status_code == 201, put.text
    assert put.headers["Location"] == "/v1/firms/WB-ID.rule~1"
    assert back.json()["firm_id"] == "WB-ID.rule~1"


def test_an_outreach_lists_conditions_name_only_what_the_programme_states() -> None:
    say = renderer("en")
    silent = {"apply_start": None, "apply_end": "2025-03-31", "capacity": float("nan"), "url": ""}
    assert to_check(silent, say) == ["apply by 2025-03-31"]
    stated = {"apply_start": "2025-03-01", "apply_end": None, "capacity": 20, "url": "https://x.kr"}
    assert to_check(stated, say) == [
        "applications open on 2025-03-01",
        "20 places in all",
        "the announcement's own conditions: https://x.kr",
    ]
