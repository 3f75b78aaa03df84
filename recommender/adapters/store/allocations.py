"""Stored cohort allocations: the options and headline of each, its programme table and
one row per assignment with its reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from recommender.adapters.store.plain_values import jsonable
from recommender.adapters.store.tables import (
    AllocationAssignment,
    StoredAllocation,
    table,
    utcnow,
)
from recommender.allocate import ALLOCATION_COLUMNS
from recommender.errors import NotFoundError

_ROWS = table(AllocationAssignment)
_ROW_COLUMNS = ("firm_id", "programme_id", "expected_outcome", "score", "reason")
INSERT_CHUNK = 5_000


@dataclass(frozen=True)
class AllocationRecord:
    """One stored allocation without its assignments (:func:`load_assignments`)."""

    id: int
    created_at: datetime
    key_name: str
    request_id: str
    year: int
    model_version: str
    per_firm: int
    as_of: date | None
    floors: list[str]
    solver: str
    summary: dict[str, Any]
    programmes: list[dict[str, Any]]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Frame rows as JSON-friendly dicts (missing values as ``None``)."""
    return list(jsonable(frame.astype(object).where(frame.notna(), None).to_dict("records")))


def save_allocation(
    session: Session,
    *,
    key_name: str,
    request_id: str,
    year: int,
    model_version: str,
    per_firm: int,
    as_of: date | None,
    floors: Sequence[str],
    solver: str,
    summary: dict[str, Any],
    programmes: pd.DataFrame,
    assignments: pd.DataFrame,
) -> int:
    """Store an allocation and its assignments; returns its id.

    ``programmes`` is the allocation's programme table, ``assignments`` its rows
    (:data:`recommender.allocate.ALLOCATION_COLUMNS`).
    """
    header = StoredAllocation(
        created_at=utcnow(),
        key_name=key_name,
        request_id=request_id,
        year=int(year),
        model_version=model_version,
        per_firm=int(per_firm),
        as_of=as_of,
        floors=list(floors),
        solver=solver,
        summary=jsonable(summary),
        programmes=_records(programmes),
    )
    session.add(header)
    session.flush()
    rows = assignments[list(_ROW_COLUMNS)].to_dict("records")
    for start in range(0, len(rows), INSERT_CHUNK):
        part = [{"allocation_id": header.id, **r} for r in rows[start : start + INSERT_CHUNK]]
        session.execute(insert(_ROWS), part)
    return header.id


def get_allocation(session: Session, allocation_id: int) -> AllocationRecord:
    """A stored allocation's header.

    Raises
    ------
    NotFoundError
        No allocation has that id.
    """
    row = session.get(StoredAllocation, allocation_id)
    if row is None:
        raise NotFoundError(f"allocation {allocation_id} does not exist")
    return AllocationRecord(
        id=row.id,
        created_at=row.created_at,
        key_name=row.key_name,
        request_id=row.request_id,
        year=row.year,
        model_version=row.model_version,
        per_firm=row.per_firm,
        as_of=row.as_of,
        floors=list(row.floors),
        solver=row.solver,
        summary=dict(row.summary),
        programmes=list(row.programmes),
    )


def load_assignments(session: Session, allocation_id: int) -> pd.DataFrame:
    """A stored allocation's rows (``ALLOCATION_COLUMNS``), ordered by firm and programme.

    Raises
    ------
    NotFoundError
        No allocation has that id.
    """
    header = get_allocation(session, allocation_id)
    stmt = (
        select(*(_ROWS.c[c] for c in _ROW_COLUMNS))
        .where(_ROWS.c.allocation_id == allocation_id)
        .order_by(_ROWS.c.firm_id, _ROWS.c.programme_id)
    )
    frame = pd.DataFrame(session.connection().execute(stmt).all(), columns=list(_ROW_COLUMNS))
    frame.insert(1, "year", pd.Series([header.year] * len(frame), dtype="int64"))
    return frame.astype({"expected_outcome": float, "score": float})[list(ALLOCATION_COLUMNS)]


def list_allocation_ids(
    session: Session, *, year: int | None = None, before_id: int | None = None, limit: int = 50
) -> list[int]:
    """Ids of stored allocations, newest first, of one year if given, below ``before_id``."""
    stmt = select(StoredAllocation.id).order_by(StoredAllocation.id.desc()).limit(limit)
    if year is not None:
        stmt = stmt.where(StoredAllocation.year == year)
    if before_id is not None:
        stmt = stmt.where(StoredAllocation.id < before_id)
    return [int(i) for i in session.scalars(stmt)]
