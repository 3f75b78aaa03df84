"""Which stored programmes the alerts run has not considered yet ("newly imported").

Every ``recommender alerts run`` asks :func:`unseen_programme_ids` for the programmes
imported since the previous run, and marks them with :func:`mark_programmes_seen` in
the same transaction as the alerts it writes: a programme is new for one run only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from recommender.adapters.store.alerts import SubscriptionRecord
from recommender.adapters.store.firms import get_firm
from recommender.adapters.store.tables import AlertSeenProgramme, Programme, table, utcnow
from recommender.adapters.store.upsert import chunks
from recommender.errors import NotFoundError


def unseen_programme_ids(session: Session) -> set[str]:
    """Ids of stored programmes no alerts run has considered yet (all of them at first)."""
    stmt = (
        select(Programme.programme_id)
        .outerjoin(
            AlertSeenProgramme,
            AlertSeenProgramme.programme_id == Programme.programme_id,
        )
        .where(AlertSeenProgramme.programme_id.is_(None))
    )
    return {str(pid) for pid in session.scalars(stmt)}


def mark_programmes_seen(session: Session, programme_ids: Iterable[str]) -> int:
    """Record programmes as considered by an alerts run; returns how many were new."""
    ids = sorted({str(p) for p in programme_ids})
    seen: set[str] = set()
    for part in chunks(ids):
        seen.update(
            session.scalars(
                select(AlertSeenProgramme.programme_id).where(
                    AlertSeenProgramme.programme_id.in_(list(part))
                )
            )
        )
    now = utcnow()
    fresh = [{"programme_id": p, "seen_at": now} for p in ids if p not in seen]
    if fresh:
        session.execute(insert(table(AlertSeenProgramme)), fresh)
    return len(fresh)


def subscriber_profiles(
    session: Session,
    subscriptions: Sequence[SubscriptionRecord],
) -> tuple[list[tuple[int, dict[str, Any], int]], list[int]]:
    """The profile each subscription follows: a stored firm's latest, or the saved one.

    Returns
    -------
    (subscribers, missing)
        ``(subscription_id, profile, k)`` per usable subscription, and the ids of
        subscriptions whose firm is no longer stored.
    """
    subscribers: list[tuple[int, dict[str, Any], int]] = []
    missing: list[int] = []
    for sub in subscriptions:
        if sub.profile is not None:
            subscribers.append((sub.id, dict(sub.profile), sub.k))
            continue
        try:
            subscribers.append((sub.id, get_firm(session, str(sub.firm_id)), sub.k))
        except NotFoundError:
            missing.append(sub.id)
    return subscribers, missing
