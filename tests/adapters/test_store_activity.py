"""Audit log, feedback, subscriptions, alerts and saved profiles in the store."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from recommender.adapters.store import (
    add_alerts,
    delete_saved_profile,
    get_saved_profile,
    get_subscription,
    import_dataset,
    list_alerts,
    list_audit,
    list_feedback,
    list_subscriptions,
    record_feedback,
    save_profile,
    session_scope,
    subscribe,
    unsubscribe,
    write_audit,
)
from recommender.errors import DataValidationError, NotFoundError
from tests.data.factories import valid_dataset

ITEMS: list[dict[str, Any]] = [
    {"programme_id": "P24-GLOB", "rank": 1},
    {"programme_id": "P24-EDU", "rank": 2},
    {"programme_id": "P24-OTH", "rank": None},  # listed, ineligible: no rank
]


# --- audit ----------------------------------------------------------------------------
def test_audit_entries_keep_who_when_which_firm_model_and_order(engine: Engine) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    with session_scope(engine) as s:
        write_audit(
            s,
            key_name="desk-1",
            role="caseworker",
            request_id="r1",
            endpoint="/v1/recommendations",
            model_version="demo-v1",
            items=ITEMS,
            firm_id="F001",
            year=2024,
        )
        write_audit(
            s,
            key_name="partner-a",
            role="partner",
            request_id="r2",
            endpoint="/v1/recommendations",
            model_version="demo-v1",
            items=ITEMS[:1],
        )
    with session_scope(engine) as s:
        entries = list_audit(s)
        assert [e.request_id for e in entries] == ["r2", "r1"]  # newest first
        first = entries[1]
        assert (first.key_name, first.role, first.firm_id, first.year) == (
            "desk-1",
            "caseworker",
            "F001",
            2024,
        )
        assert first.model_version == "demo-v1" and first.items == ITEMS
        assert first.at.tzinfo is not None and first.at >= before
        assert [e.request_id for e in list_audit(s, key_name="partner-a")] == ["r2"]
        assert [e.request_id for e in list_audit(s, firm_id="F001")] == ["r1"]
        assert list_audit(s, since=datetime.now(UTC) + timedelta(minutes=1)) == []
        assert len(list_audit(s, since=before, limit=1)) == 1


def test_audit_time_filters_compare_in_utc(engine: Engine) -> None:
    local = datetime(2025, 3, 1, 18, 0, tzinfo=timezone(timedelta(hours=9)))  # 09:00 UTC
    with session_scope(engine) as s:
        write_audit(
            s,
            key_name="k",
            role="analyst",
            request_id="r",
            endpoint="/x",
            model_version="v",
            items=[],
            at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
        )
    with session_scope(engine) as s:
        assert [e.request_id for e in list_audit(s, since=local)] == ["r"]
        assert list_audit(s, since=local + timedelta(seconds=1)) == []
        assert list_audit(s)[0].at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


# --- feedback -------------------------------------------------------------------------
def test_feedback_is_recorded_and_listed(engine: Engine) -> None:
    with session_scope(engine) as s:
        record_feedback(
            s,
            request_id="r1",
            programme_id="P24-EDU",
            action="accepted",
            key_name="desk-1",
            firm_id="F001",
            note="good fit",
        )
        record_feedback(
            s, request_id="r1", programme_id="P24-GLOB", action="declined", key_name="desk-1"
        )
    with session_scope(engine) as s:
        got = list_feedback(s)
        assert {(f.programme_id, f.action) for f in got} == {
            ("P24-EDU", "interested"),  # the legacy "accepted" is stored as its successor
            ("P24-GLOB", "declined"),
        }
        assert [f.note for f in list_feedback(s, programme_id="P24-EDU")] == ["good fit"]
        assert list_feedback(s, key_name="someone-else") == []
        statuses = "contacted, interested, applied, selected, joined, declined"
        with pytest.raises(DataValidationError, match=statuses):
            record_feedback(s, request_id="r1", programme_id="P", action="liked", key_name="desk-1")


def test_concurrent_feedback_writers_lose_nothing(engine: Engine) -> None:
    per_thread, failures = 60, []

    def writer(name: str) -> None:
        try:
            for i in range(per_thread):
                with session_scope(engine) as s:
                    record_feedback(
                        s,
                        request_id=f"{name}-{i}",
                        programme_id="P24-EDU",
                        action="applied",
                        key_name=name,
                    )
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with session_scope(engine) as s:
        got = list_feedback(s, limit=10_000)
    assert sorted(f.request_id for f in got) == sorted(
        f"w{n}-{i}" for n in range(2) for i in range(per_thread)
    )


# --- subscriptions and alerts ---------------------------------------------------------
def test_subscriptions_need_a_stored_firm_or_a_profile(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        by_firm = subscribe(s, created_by="desk-1", firm_id="F001", k=3)
        by_profile = subscribe(
            s, created_by="partner-a", profile={"sector": "kbs_ict", "cap_marketing": float("nan")}
        )
        assert by_profile.profile == {"sector": "kbs_ict", "cap_marketing": None}
        with pytest.raises(NotFoundError, match="'F999'"):
            subscribe(s, created_by="desk-1", firm_id="F999")
        with pytest.raises(DataValidationError):
            subscribe(s, created_by="desk-1")
    with session_scope(engine) as s:
        assert [x.id for x in list_subscriptions(s)] == [by_firm.id, by_profile.id]
        assert [x.id for x in list_subscriptions(s, created_by="partner-a")] == [by_profile.id]
        assert get_subscription(s, by_firm.id).k == 3
        with pytest.raises(NotFoundError):  # partners see only their own
            get_subscription(s, by_firm.id, created_by="partner-a")
        with pytest.raises(NotFoundError):
            unsubscribe(s, by_firm.id, created_by="partner-a")
        unsubscribe(s, by_firm.id, created_by="desk-1")
    with session_scope(engine) as s:
        assert [x.id for x in list_subscriptions(s)] == [by_profile.id]
        assert len(list_subscriptions(s, active_only=False)) == 2


def test_alerts_are_never_repeated(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        sub = subscribe(s, created_by="desk-1", firm_id="F001").id
        other = subscribe(s, created_by="partner-a", profile={"sector": "kbs_ict"}).id
    first = pd.DataFrame(
        {
            "subscription_id": [sub, sub, other],
            "programme_id": ["P24-EDU", "P24-GLOB", "P24-EDU"],
            "rank": [1, 2, 1],
            "score": [2.1, 1.7, 0.9],
        }
    )
    with session_scope(engine) as s:
        assert add_alerts(s, first) == 3
    again = [
        {"subscription_id": sub, "programme_id": "P24-EDU", "rank": 1, "score": 2.5},
        {"subscription_id": sub, "programme_id": "P24-OTH", "rank": 3, "score": 0.2},
        {"subscription_id": sub, "programme_id": "P24-OTH", "rank": 3, "score": 0.2},
    ]
    with session_scope(engine) as s:
        assert add_alerts(s, again) == 1
        assert add_alerts(s, again) == 0
    with session_scope(engine) as s:
        mine = list_alerts(s, subscription_id=sub)
        assert sorted(a.programme_id for a in mine) == ["P24-EDU", "P24-GLOB", "P24-OTH"]
        assert next(a.score for a in mine if a.programme_id == "P24-EDU") == 2.1
        assert [a.programme_id for a in list_alerts(s, created_by="partner-a")] == ["P24-EDU"]
        assert list_alerts(s, since=datetime.now(UTC) + timedelta(minutes=1)) == []


# --- saved profiles -------------------------------------------------------------------
def test_saved_profiles_can_be_read_and_deleted(engine: Engine) -> None:
    with session_scope(engine) as s:
        pid = save_profile(s, {"region": "busan", "employees": 12, "revenue_growth": None})
    with session_scope(engine) as s:
        assert get_saved_profile(s, pid) == {
            "region": "busan",
            "employees": 12,
            "revenue_growth": None,
        }
        assert delete_saved_profile(s, pid) is True
        assert delete_saved_profile(s, pid) is False
        with pytest.raises(NotFoundError):
            get_saved_profile(s, pid)
