"""Subscriptions to new programmes, the alerts they produced, and consented profiles.

An alert names one programme for one subscription and is never repeated: the pair is
unique in the database, and :func:`add_alerts` skips pairs already alerted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from recommender.adapters.store.plain_values import jsonable
from recommender.adapters.store.tables import Alert, Firm, SavedProfile, Subscription, table, utcnow
from recommender.adapters.store.upsert import chunks
from recommender.constants import DEFAULT_K
from recommender.errors import DataValidationError, NotFoundError, Problem


@dataclass(frozen=True)
class SubscriptionRecord:
    """A standing request for alerts: a stored firm, or a partner's consented profile."""

    id: int
    firm_id: str | None
    profile: dict[str, Any] | None
    k: int
    created_by: str
    created_at: datetime
    active: bool


@dataclass(frozen=True)
class AlertRecord:
    """One programme newly recommended to one subscription."""

    id: int
    subscription_id: int
    programme_id: str
    rank: int
    score: float
    created_at: datetime


def _subscription(row: Subscription) -> SubscriptionRecord:
    return SubscriptionRecord(
        id=row.id,
        firm_id=row.firm_id,
        profile=row.profile,
        k=row.k,
        created_by=row.created_by,
        created_at=row.created_at,
        active=row.active,
    )


def subscribe(
    session: Session,
    *,
    created_by: str,
    firm_id: str | None = None,
    profile: Mapping[str, Any] | None = None,
    k: int = DEFAULT_K,
) -> SubscriptionRecord:
    """Subscribe a stored firm or a consented profile to alerts of its top ``k``.

    Raises
    ------
    DataValidationError
        Neither or both of ``firm_id`` and ``profile`` given, or ``k < 1``.
    NotFoundError
        ``firm_id`` has no stored profile.
    """
    if (firm_id is None) == (profile is None):
        raise DataValidationError(
            [
                Problem(
                    "subscription",
                    None,
                    "firm_id / profile",
                    None,
                    "exactly one of a firm_id or a profile",
                )
            ]
        )
    if k < 1:
        raise DataValidationError([Problem("subscription", None, "k", k, "an integer >= 1")])
    if (
        firm_id is not None
        and session.execute(select(Firm.firm_id).where(Firm.firm_id == firm_id).limit(1)).first()
        is None
    ):
        raise NotFoundError(f"firm {firm_id!r} not found")
    stored = None if profile is None else jsonable(dict(profile))
    row = Subscription(
        firm_id=firm_id,
        profile=stored,
        k=int(k),
        created_by=created_by,
        created_at=utcnow(),
        active=True,
    )
    session.add(row)
    session.flush()
    return _subscription(row)


def _owned(session: Session, subscription_id: int, created_by: str | None) -> Subscription:
    """The subscription row, if it exists and (given ``created_by``) that key made it."""
    row = session.get(Subscription, subscription_id)
    if row is None or (created_by is not None and row.created_by != created_by):
        raise NotFoundError(f"subscription {subscription_id} not found")
    return row


def get_subscription(
    session: Session, subscription_id: int, *, created_by: str | None = None
) -> SubscriptionRecord:
    """One subscription; with ``created_by``, only if that key made it.

    Raises
    ------
    NotFoundError
        No such subscription (or not one of ``created_by``'s).
    """
    return _subscription(_owned(session, subscription_id, created_by))


def list_subscriptions(
    session: Session, *, created_by: str | None = None, active_only: bool = True
) -> list[SubscriptionRecord]:
    """Subscriptions by id, optionally only one key's and only active ones."""
    stmt = select(Subscription).order_by(Subscription.id)
    if created_by is not None:
        stmt = stmt.where(Subscription.created_by == created_by)
    if active_only:
        stmt = stmt.where(Subscription.active.is_(True))
    return [_subscription(row) for row in session.scalars(stmt)]


def unsubscribe(session: Session, subscription_id: int, *, created_by: str | None = None) -> None:
    """Stop a subscription (its alerts stay); with ``created_by``, only its owner may.

    Raises
    ------
    NotFoundError
        No such subscription (or not one of ``created_by``'s).
    """
    row = _owned(session, subscription_id, created_by)
    row.active = False
    session.flush()


def _alert_rows(alerts: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    records = alerts.to_dict("records") if isinstance(alerts, pd.DataFrame) else list(alerts)
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for rec in records:
        pair = (int(rec["subscription_id"]), str(rec["programme_id"]))
        rows.setdefault(
            pair,
            {
                "subscription_id": pair[0],
                "programme_id": pair[1],
                "rank": int(rec["rank"]),
                "score": float(rec["score"]),
            },
        )
    return list(rows.values())


def add_alerts(session: Session, alerts: pd.DataFrame | Iterable[Mapping[str, Any]]) -> int:
    """Store new alerts, skipping (subscription, programme) pairs already alerted.

    Parameters
    ----------
    session
        Open session.
    alerts
        Rows with ``subscription_id``, ``programme_id``, ``rank``, ``score``; a pair
        repeated within ``alerts`` counts once (first wins).

    Returns
    -------
    int
        Number of alerts written.
    """
    rows = _alert_rows(alerts)
    if not rows:
        return 0
    pairs = [(r["subscription_id"], r["programme_id"]) for r in rows]
    seen: set[tuple[int, str]] = set()
    for part in chunks(pairs):
        stmt = select(Alert.subscription_id, Alert.programme_id).where(
            tuple_(Alert.subscription_id, Alert.programme_id).in_(list(part))
        )
        seen.update((int(s), str(p)) for s, p in session.execute(stmt))
    now = utcnow()
    fresh = [
        {**r, "created_at": now}
        for r in rows
        if (r["subscription_id"], r["programme_id"]) not in seen
    ]
    if fresh:
        session.execute(insert(table(Alert)), fresh)
    return len(fresh)


def list_alerts(
    session: Session,
    *,
    since: datetime | None = None,
    subscription_id: int | None = None,
    created_by: str | None = None,
) -> list[AlertRecord]:
    """Alerts, oldest first, optionally since a time, for a subscription or a key's ones."""
    stmt = select(Alert).order_by(Alert.created_at, Alert.id)
    if since is not None:
        stmt = stmt.where(Alert.created_at >= since)
    if subscription_id is not None:
        stmt = stmt.where(Alert.subscription_id == subscription_id)
    if created_by is not None:
        stmt = stmt.join(Subscription, Subscription.id == Alert.subscription_id).where(
            Subscription.created_by == created_by
        )
    return [
        AlertRecord(
            id=a.id,
            subscription_id=a.subscription_id,
            programme_id=a.programme_id,
            rank=a.rank,
            score=a.score,
            created_at=a.created_at,
        )
        for a in session.scalars(stmt)
    ]


def save_profile(session: Session, profile: Mapping[str, Any]) -> int:
    """Keep a profile the firm consented to store; returns its id."""
    row = SavedProfile(profile=jsonable(dict(profile)), created_at=utcnow())
    session.add(row)
    session.flush()
    return row.id


def get_saved_profile(session: Session, profile_id: int) -> dict[str, Any]:
    """A saved profile.

    Raises
    ------
    NotFoundError
        No such saved profile (never saved, or deleted on withdrawal of consent).
    """
    row = session.get(SavedProfile, profile_id)
    if row is None:
        raise NotFoundError(f"saved profile {profile_id} not found")
    return dict(row.profile)


def delete_saved_profile(session: Session, profile_id: int) -> bool:
    """Delete a saved profile (consent withdrawn); ``True`` when it existed."""
    row = session.get(SavedProfile, profile_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
