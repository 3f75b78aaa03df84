"""What happened: the audit log of served recommendations, and feedback on them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.adapters.store.tables import (
    FEEDBACK_ACTIONS,
    LEGACY_FEEDBACK_ACTIONS,
    AuditEntry,
    Feedback,
    utcnow,
)
from recommender.errors import ConflictError, DataValidationError, NotFoundError, Problem

DEFAULT_LIMIT: Final[int] = 1000


@dataclass(frozen=True)
class AuditRecord:
    """One served recommendation list."""

    id: int
    at: datetime
    key_name: str
    role: str
    request_id: str
    firm_id: str | None
    year: int | None
    model_version: str
    endpoint: str
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class FeedbackRecord:
    """One piece of feedback on a recommended programme."""

    id: int
    request_id: str
    programme_id: str
    firm_id: str | None
    action: str
    note: str | None
    key_name: str
    created_at: datetime
    year: int | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


def _items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        rank = item.get("rank")
        out.append(
            {"programme_id": str(item["programme_id"]), "rank": None if rank is None else int(rank)}
        )
    return out


def write_audit(
    session: Session,
    *,
    key_name: str,
    role: str,
    request_id: str,
    endpoint: str,
    model_version: str,
    items: Iterable[Mapping[str, Any]],
    firm_id: str | None = None,
    year: int | None = None,
    at: datetime | None = None,
) -> int:
    """Record one served list: who asked, for which firm, with which model, what order.

    ``items`` are mappings with ``programme_id`` and ``rank`` (``None`` for a listed
    ineligible programme), in the order served. Returns the entry's id.
    """
    entry = AuditEntry(
        at=at or utcnow(),
        key_name=key_name,
        role=role,
        request_id=request_id,
        firm_id=firm_id,
        year=None if year is None else int(year),
        model_version=model_version,
        endpoint=endpoint,
        items=_items(items),
    )
    session.add(entry)
    session.flush()
    return entry.id


def list_audit(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    key_name: str | None = None,
    firm_id: str | None = None,
    limit: int = DEFAULT_LIMIT,
    after: tuple[datetime, int] | None = None,
) -> list[AuditRecord]:
    """Audit entries, newest first, filtered by time window, key and firm; ``after``
    (the ``at`` and ``id`` of an entry) starts with the entries older than it."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if after is not None:
        at, last = after
        stmt = stmt.where(or_(AuditEntry.at < at, and_(AuditEntry.at == at, AuditEntry.id < last)))
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    if key_name is not None:
        stmt = stmt.where(AuditEntry.key_name == key_name)
    if firm_id is not None:
        stmt = stmt.where(AuditEntry.firm_id == firm_id)
    return [
        AuditRecord(
            id=e.id,
            at=e.at,
            key_name=e.key_name,
            role=e.role,
            request_id=e.request_id,
            firm_id=e.firm_id,
            year=e.year,
            model_version=e.model_version,
            endpoint=e.endpoint,
            items=list(e.items),
        )
        for e in session.scalars(stmt)
    ]


def _status(action: str) -> str:
    """A stored status: a legacy one (``accepted``) becomes its successor."""
    action = LEGACY_FEEDBACK_ACTIONS.get(action, action)
    if action not in FEEDBACK_ACTIONS:
        raise DataValidationError(
            [Problem("feedback", None, "action", action, f"one of {', '.join(FEEDBACK_ACTIONS)}")]
        )
    return action


def _same(request_id: str, firm_id: str | None, programme_id: str, action: str) -> Any:
    firm = Feedback.firm_id.is_(None) if firm_id is None else Feedback.firm_id == firm_id
    return select(Feedback.id).where(
        Feedback.request_id == request_id,
        firm,
        Feedback.programme_id == programme_id,
        Feedback.action == action,
    )


def upsert_feedback(
    session: Session,
    *,
    request_id: str,
    programme_id: str,
    action: str,
    key_name: str,
    firm_id: str | None = None,
    note: str | None = None,
    year: int | None = None,
    created_at: datetime | None = None,
) -> tuple[int, bool]:
    """Store what was done with a programme of a served list, once: the same request,
    firm, programme and status give the stored row back. Returns ``(id, created)``.

    ``year`` is the served list's; ``created_at`` is now unless given (an import).

    Raises
    ------
    DataValidationError
        ``action`` is none of :data:`FEEDBACK_ACTIONS` (nor a legacy one).
    """
    action = _status(action)
    found = session.execute(_same(request_id, firm_id, programme_id, action)).scalar()
    if found is not None:
        return int(found), False
    row = Feedback(
        request_id=request_id,
        programme_id=programme_id,
        firm_id=firm_id,
        action=action,
        note=note,
        key_name=key_name,
        created_at=created_at or utcnow(),
        year=year,
    )
    try:
        with session.begin_nested():  # a concurrent twin may win the unique key
            session.add(row)
    except IntegrityError:
        found = session.execute(_same(request_id, firm_id, programme_id, action)).scalar()
        if found is None:
            raise
        return int(found), False
    return row.id, True


def record_feedback(
    session: Session,
    *,
    request_id: str,
    programme_id: str,
    action: str,
    key_name: str,
    firm_id: str | None = None,
    note: str | None = None,
    year: int | None = None,
) -> int:
    """:func:`upsert_feedback`, returning only the feedback id."""
    return upsert_feedback(
        session,
        request_id=request_id,
        programme_id=programme_id,
        action=action,
        key_name=key_name,
        firm_id=firm_id,
        note=note,
        year=year,
    )[0]


def correct_feedback(
    session: Session,
    feedback_id: int,
    *,
    key_name: str,
    action: str | None = None,
    note: str | None = None,
) -> tuple[FeedbackRecord, FeedbackRecord]:
    """Change a stored feedback row's status and/or note; returns it before and after.

    Raises
    ------
    NotFoundError
        No feedback has this id.
    ConflictError
        The new status is already stored for the same request, firm and programme.
    """
    row = session.get(Feedback, feedback_id)
    if row is None:
        raise NotFoundError(f"no feedback has id {feedback_id}")
    before = _record(row)
    if action is not None:
        action = _status(action)
        twin = session.execute(
            _same(row.request_id, row.firm_id, row.programme_id, action).where(
                Feedback.id != feedback_id
            )
        ).scalar()
        if twin is not None:
            raise ConflictError(
                f"feedback {twin} already records {action!r} for this list, firm and programme"
            )
        row.action = action
    if note is not None:
        row.note = note
    row.updated_at, row.updated_by = utcnow(), key_name
    session.flush()
    return before, _record(row)


def _record(f: Feedback) -> FeedbackRecord:
    return FeedbackRecord(
        id=f.id,
        request_id=f.request_id,
        programme_id=f.programme_id,
        firm_id=f.firm_id,
        action=f.action,
        note=f.note,
        key_name=f.key_name,
        created_at=f.created_at,
        year=f.year,
        updated_at=f.updated_at,
        updated_by=f.updated_by,
    )


def list_feedback(
    session: Session,
    *,
    since: datetime | None = None,
    programme_id: str | None = None,
    key_name: str | None = None,
    request_id: str | None = None,
    firm_id: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[FeedbackRecord]:
    """Feedback, newest first, filtered by time, programme, key, request and firm."""
    stmt = select(Feedback).order_by(Feedback.created_at.desc(), Feedback.id.desc())
    if since is not None:
        stmt = stmt.where(Feedback.created_at >= since)
    if programme_id is not None:
        stmt = stmt.where(Feedback.programme_id == programme_id)
    if key_name is not None:
        stmt = stmt.where(Feedback.key_name == key_name)
    if request_id is not None:
        stmt = stmt.where(Feedback.request_id == request_id)
    if firm_id is not None:
        stmt = stmt.where(Feedback.firm_id == firm_id)
    return [_record(f) for f in session.scalars(stmt.limit(limit))]
