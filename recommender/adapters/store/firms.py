"""Firm profiles in the store: read as canonical frames or one record, write in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from recommender.adapters.store.frame_rows import FIRM_KINDS, firms_frame
from recommender.adapters.store.plain_values import frame_record
from recommender.adapters.store.tables import Firm, table
from recommender.adapters.store.upsert import chunks, upsert_frame
from recommender.contract.fields import FIRM_COLUMNS
from recommender.errors import NotFoundError

_COLUMNS = [table(Firm).c[c] for c in FIRM_COLUMNS]


def _select() -> Select[Any]:
    return select(*_COLUMNS).order_by(Firm.firm_id, Firm.year)


def load_firms(
    session: Session,
    *,
    year: int | None = None,
    years: Iterable[int] | None = None,
    firm_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Stored firm profiles as the canonical firms frame, ordered by firm and year.

    Parameters
    ----------
    session
        Open session.
    year, years
        Only profiles of this year / these years.
    firm_ids
        Only these firms (any number; queried in chunks).
    """
    stmt = _select()
    wanted_years = ([] if year is None else [year]) + ([] if years is None else list(years))
    if year is not None or years is not None:
        stmt = stmt.where(Firm.year.in_(sorted(set(wanted_years))))
    if firm_ids is None:
        return firms_frame(session.connection().execute(stmt).all())
    ids = sorted({str(f) for f in firm_ids})
    rows = [
        row
        for part in chunks(ids)
        for row in session.connection().execute(stmt.where(Firm.firm_id.in_(part))).all()
    ]
    return firms_frame(rows).sort_values(["firm_id", "year"], ignore_index=True)


def get_firm(session: Session, firm_id: str, year: int | None = None) -> dict[str, Any]:
    """One firm profile as a dict (missing values ``None``): of ``year``, else the latest.

    Raises
    ------
    NotFoundError
        The firm is unknown, or has no profile for ``year``.
    """
    if "\x00" in firm_id:  # no database stores NUL in text (PostgreSQL refuses the query)
        raise NotFoundError(f"firm {firm_id!r} not found")
    stmt = _select().where(Firm.firm_id == firm_id)
    if year is not None:
        stmt = stmt.where(Firm.year == year)
    row = session.execute(stmt.order_by(None).order_by(Firm.year.desc()).limit(1)).first()
    if row is None:
        if (
            year is not None
            and session.execute(select(Firm.year).where(Firm.firm_id == firm_id).limit(1)).first()
        ):
            raise NotFoundError(f"firm {firm_id!r} has no profile for year {year}")
        raise NotFoundError(f"firm {firm_id!r} not found")
    return frame_record(firms_frame([tuple(row)]))


def upsert_firms(session: Session, firms: pd.DataFrame) -> dict[str, int]:
    """Insert new firm profiles and update changed ones, keyed by ``(firm_id, year)``.

    ``firms`` must be a validated canonical frame. Returns added/updated/unchanged counts.
    """
    years = [int(y) for y in pd.unique(firms["year"])]
    existing = load_firms(session, years=years) if years else firms_frame([])
    return upsert_frame(
        session,
        table(Firm),
        firms,
        existing,
        key=("firm_id", "year"),
        kinds=FIRM_KINDS,
        what="firm profiles",
    )
