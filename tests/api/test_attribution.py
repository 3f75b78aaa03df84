"""Attribution: a partner's inline profile is the partner's record. Reusing a stored
firm's id, it is neither stored as that firm nor filed under it: its audit entry and any
feedback on its list carry ``partner:<key name>:<firm_id>`` (a real server, SQLite)."""

from __future__ import annotations

from typing import Any

from api.filing import PARTNER_PREFIX
from recommender.adapters.store import list_audit, list_feedback, load_firms, session_scope
from tests.api.conftest import Deployment


def stored_firm(deployment: Deployment) -> dict[str, Any]:
    firms = deployment.world.dataset.firms
    row = firms[firms["year"] == firms["year"].max()].iloc[0]
    return {"firm_id": str(row["firm_id"]), "year": int(row["year"])}


def test_a_partner_profile_reusing_a_stored_id_is_filed_in_the_partner_s_namespace(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    firm = stored_firm(deployment)
    forged = {**profiles[1], **firm, "employees": 9_999}  # another firm's facts, same id
    with session_scope(deployment.engine) as session:
        before = load_firms(session, firm_ids=[firm["firm_id"]])
    with deployment.client("partner") as partner:
        served = partner.post("/v1/recommendations", json={"profile": forged})
    assert served.status_code == 200
    listed = served.json()
    assert listed["firm_id"] == firm["firm_id"]  # the partner sees its own id
    programme = listed["recommendations"][0]["programme_id"]
    with deployment.client("caseworker") as caseworker:
        feedback = caseworker.post(
            "/v1/feedback",
            json={
                "request_id": listed["request_id"],
                "programme_id": programme,
                "action": "applied",
            },
        )
        stored_list = caseworker.get(f"/v1/firms/{firm['firm_id']}/recommendations")
    filed = f"{PARTNER_PREFIX}test-partner:{firm['firm_id']}"
    assert feedback.status_code == 201
    assert feedback.json()["firm_id"] == filed
    with session_scope(deployment.engine) as session:
        after = load_firms(session, firm_ids=[firm["firm_id"]])
        under_firm = list_audit(session, firm_id=firm["firm_id"], limit=1000)
        entry = list_audit(session, key_name="test-partner", limit=1000)
        recorded = list_feedback(session, request_id=listed["request_id"])
    assert len(before) > 0 and after.equals(before)  # the stored firm is untouched
    assert listed["request_id"] not in {e.request_id for e in under_firm}
    assert [e.firm_id for e in entry if e.request_id == listed["request_id"]] == [filed]
    assert [f.firm_id for f in recorded] == [filed]
    assert stored_list.status_code == 200  # the stored firm's own list is still its own
    assert stored_list.json()["firm_id"] == firm["firm_id"]


def test_a_partner_batch_is_filed_per_profile_in_the_partner_s_namespace(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    firm = stored_firm(deployment)
    batch = [{**profiles[2], **firm}, profiles[3]]
    with deployment.client("partner") as partner:
        served = partner.post("/v1/recommendations/batch", json={"profiles": batch})
    assert served.status_code == 200
    ids = [r["request_id"] for r in served.json()["results"]]
    with session_scope(deployment.engine) as session:
        entries = {e.request_id: e.firm_id for e in list_audit(session, limit=10_000)}
    assert [entries[i] for i in ids] == [
        f"{PARTNER_PREFIX}test-partner:{firm['firm_id']}",
        f"{PARTNER_PREFIX}test-partner:{profiles[3]['firm_id']}",
    ]


def test_staff_inline_profiles_keep_their_id(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("caseworker") as caseworker:
        served = caseworker.post("/v1/recommendations", json={"profile": profiles[4]})
    assert served.status_code == 200
    with session_scope(deployment.engine) as session:
        entries = {e.request_id: e.firm_id for e in list_audit(session, limit=10_000)}
    assert entries[served.json()["request_id"]] == profiles[4]["firm_id"]
