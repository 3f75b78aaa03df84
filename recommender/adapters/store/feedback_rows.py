"""Feedback as contract v2's ``feedback`` table: exported beside outcomes, imported back.

Only feedback whose firm has a stored profile of the list's year, on a programme stored
for that year, is a contract row (a partner's inline profile is not stored, so feedback
on its list stays in the store only); :func:`export_feedback` says how many it left.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from recommender.adapters.store.activity import upsert_feedback
from recommender.adapters.store.tables import Feedback, Firm, Programme
from recommender.contract.canonical import canonical_frame
from recommender.contract.fields import FEEDBACK_COLUMNS

IMPORTED_BY = "import"


def export_feedback(session: Session, *, year: int | None = None) -> tuple[pd.DataFrame, int]:
    """The stored feedback that is contract data (canonical ``feedback`` frame, ordered
    by time), and how many other rows were left out."""
    stmt = (
        select(
            Feedback.firm_id,
            Feedback.year,
            Feedback.programme_id,
            Feedback.action,
            Feedback.request_id,
            Feedback.created_at,
            Feedback.note,
            Firm.firm_id.label("profile"),
            Programme.programme_id.label("offering"),
        )
        .outerjoin(Firm, and_(Firm.firm_id == Feedback.firm_id, Firm.year == Feedback.year))
        .outerjoin(
            Programme,
            and_(Programme.programme_id == Feedback.programme_id, Programme.year == Feedback.year),
        )
        .order_by(Feedback.created_at, Feedback.id)
    )
    if year is not None:
        stmt = stmt.where(Feedback.year == year)
    rows = session.execute(stmt).all()
    kept = [r for r in rows if r.profile is not None and r.offering is not None]
    frame = pd.DataFrame(
        [
            {
                "firm_id": r.firm_id,
                "year": int(r.year),
                "programme_id": r.programme_id,
                "status": r.action,
                "request_id": r.request_id,
                "recorded_at": r.created_at.astimezone(UTC).isoformat(),
                "note": r.note,
            }
            for r in kept
        ],
        columns=list(FEEDBACK_COLUMNS),
    )
    return canonical_frame(frame, "feedback"), len(rows) - len(kept)


def _when(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return datetime.now(UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def import_feedback(session: Session, feedback: pd.DataFrame) -> dict[str, int]:
    """Store a validated ``feedback`` frame: rows already stored (same request, firm,
    programme and status) are left as they are. Returns added/updated/unchanged."""
    added = 0
    for r in feedback.itertuples(index=False):
        _, created = upsert_feedback(
            session,
            request_id=str(r.request_id),
            programme_id=str(r.programme_id),
            action=str(r.status),
            key_name=IMPORTED_BY,
            firm_id=str(r.firm_id),
            note=None if r.note is None else str(r.note),
            year=int(r.year),
            created_at=_when(str(r.recorded_at)),
        )
        added += created
    return {"added": added, "updated": 0, "unchanged": len(feedback) - added}
