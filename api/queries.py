"""Small queries the HTTP API needs beside the store's own repository functions.

Each takes the open ``Session`` it works on; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Integer, String, cast, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from recommender.adapters.store.activity import AuditRecord
from recommender.adapters.store.frame_rows import outcomes_frame
from recommender.adapters.store.tables import (
    AuditEntry,
    Firm,
    Outcome,
    Programme,
    TypeOverride,
    utcnow,
)
from recommender.adapters.store.upsert import chunks
from recommender.contract.fields import OUTCOME_COLUMNS

_OUTCOME_COLUMNS = [Outcome.__table__.c[c] for c in OUTCOME_COLUMNS]


def ping(session: Session) -> None:
    """Run a trivial query; raises if the database cannot be reached."""
    session.execute(text("SELECT 1")).scalar_one()


def store_is_empty(session: Session) -> bool:
    """``True`` when no firm profile and no programme is stored."""
    firms = session.execute(select(func.count()).select_from(Firm)).scalar_one()
    programmes = session.execute(select(func.count()).select_from(Programme)).scalar_one()
    return firms == 0 and programmes == 0


def _column_summary(column: Any) -> list[Any]:
    """Aggregates that move when any value of ``column`` changes (sums, lengths, extremes)."""
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    if kind is bool:  # PostgreSQL has no sum() or max() of booleans
        column = cast(column, Integer)
        kind = int
    if kind in (int, float):
        return [func.count(column), func.sum(column), func.max(column)]
    text_ = func.cast(column, String)
    return [func.count(column), func.sum(func.length(text_)), func.max(text_), func.min(text_)]


def catalogue_token(session: Session) -> tuple[str, ...]:
    """A change detector for the stored catalogue, computed inside the database.

    Aggregates of every programme column (counts, sums, lengths, extremes) and of the
    type overrides: adding, removing or editing programmes - their eligibility rules
    included - or overriding a type changes it, without reading the rows into Python.
    """
    prog = session.execute(_CATALOGUE_SUMMARY).one()
    over = session.execute(_OVERRIDES_SUMMARY).one()
    return tuple(str(v) for v in (*prog, *over))


_CATALOGUE_SUMMARY = select(
    func.count(), *(a for c in Programme.__table__.columns for a in _column_summary(c))
).select_from(Programme)
_OVERRIDES_SUMMARY = select(
    func.count(), *(a for c in TypeOverride.__table__.columns for a in _column_summary(c))
).select_from(TypeOverride)


def firm_outcomes(session: Session, firm_id: str) -> pd.DataFrame:
    """Every stored outcome of one firm, as the canonical outcomes frame."""
    stmt = (
        select(*_OUTCOME_COLUMNS)
        .where(Outcome.firm_id == firm_id)
        .order_by(Outcome.year, Outcome.programme_id)
    )
    return outcomes_frame(session.execute(stmt).all())


def stored_outcome_keys(
    session: Session, keys: Iterable[tuple[str, int, str]]
) -> set[tuple[str, int, str]]:
    """Which ``(firm_id, year, programme_id)`` keys already have a stored outcome."""
    wanted = sorted({(str(f), int(y), str(p)) for f, y, p in keys})
    found: set[tuple[str, int, str]] = set()
    key = tuple_(Outcome.firm_id, Outcome.year, Outcome.programme_id)
    for part in chunks(wanted, 300):
        rows = session.execute(
            select(Outcome.firm_id, Outcome.year, Outcome.programme_id).where(key.in_(list(part)))
        )
        found.update((str(f), int(y), str(p)) for f, y, p in rows)
    return found


def find_audit(session: Session, request_id: str) -> AuditRecord | None:
    """The audit entry of one served recommendation, by its request id."""
    e = session.execute(
        select(AuditEntry)
        .where(AuditEntry.request_id == request_id)
        .order_by(AuditEntry.id)
        .limit(1)
    ).scalar_one_or_none()
    if e is None:
        return None
    return AuditRecord(
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


def _audit_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """One served item: the programme, its rank, and the firm (outreach lists list firms)."""
    out: dict[str, Any] = {
        "programme_id": str(item["programme_id"]),
        "rank": None if item.get("rank") is None else int(item["rank"]),
    }
    if item.get("firm_id") is not None:
        out["firm_id"] = str(item["firm_id"])
    return out


def write_audit_many(
    session: Session, entries: Sequence[Mapping[str, Any]], *, at: datetime | None = None
) -> int:
    """Record many served lists in one statement (a batch); returns how many.

    Each entry holds ``key_name, role, request_id, endpoint, model_version, firm_id,
    year`` and ``items`` (mappings with ``programme_id``, ``rank`` and, in an outreach
    list, the item's ``firm_id``), as for
    :func:`recommender.adapters.store.activity.write_audit`.
    """
    if not entries:
        return 0
    when = at or utcnow()
    rows = [
        {
            "at": when,
            "key_name": e["key_name"],
            "role": e["role"],
            "request_id": e["request_id"],
            "endpoint": e["endpoint"],
            "model_version": e["model_version"],
            "firm_id": None if e.get("firm_id") is None else str(e["firm_id"]),
            "year": None if e.get("year") is None else int(e["year"]),
            "items": [_audit_item(i) for i in e["items"]],
        }
        for e in entries
    ]
    session.execute(insert(AuditEntry.__table__), rows)  # Core: no ORM bulk bookkeeping
    return len(rows)


def first_firm(session: Session) -> tuple[str, int] | None:
    """Some stored firm and its latest profile year (for examples), or ``None``."""
    row = session.execute(
        select(Firm.firm_id, func.max(Firm.year))
        .group_by(Firm.firm_id)
        .order_by(Firm.firm_id)
        .limit(1)
    ).first()
    return None if row is None else (str(row[0]), int(row[1]))
