"""Finding stored firms: one row per firm (its latest profile), filtered and paged by id.

A page is a keyset page: ``after`` is the last firm id of the previous page, so a firm
stored between two requests never shifts or repeats the pages that follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from recommender.adapters.store.tables import Firm
from recommender.constants import SIZE_BAND_EDGES, SIZE_BANDS


@dataclass(frozen=True)
class FirmFilter:
    """What a search asks for; ``None`` means any."""

    q: str | None = None  # part of the firm id or name, any case
    region: str | None = None
    district: str | None = None
    sector: str | None = None
    size_band: str | None = None  # one of SIZE_BANDS (headcount of the latest profile)


def size_band_of(employees: int) -> str:
    """The size band of a headcount (micro < 10 <= small < 50 <= medium < 300 <= large)."""
    band = sum(1 for edge in SIZE_BAND_EDGES[1:] if employees >= edge)
    return SIZE_BANDS[band]


def _band_bounds(band: str) -> tuple[int, int | None]:
    i = SIZE_BANDS.index(band)
    high = SIZE_BAND_EDGES[i + 1] if i + 1 < len(SIZE_BAND_EDGES) else None
    return SIZE_BAND_EDGES[i], high


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern, its own ``%``, ``_`` and ``\\`` taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_firms(
    session: Session, wanted: FirmFilter, *, after: str | None, limit: int
) -> list[dict[str, Any]]:
    """Firms matching ``wanted`` by their latest profile, ordered by firm id, at most
    ``limit``, starting after firm id ``after``.

    Each row holds ``firm_id, firm_name, year`` (the latest profile's), ``region,
    district, sector, employees, years`` (how many profile years are stored).
    """
    latest = (
        select(
            Firm.firm_id.label("firm_id"),
            func.max(Firm.year).label("year"),
            func.count().label("years"),
        )
        .group_by(Firm.firm_id)
        .subquery()
    )
    stmt = (
        select(
            Firm.firm_id,
            Firm.firm_name,
            Firm.year,
            Firm.region,
            Firm.district,
            Firm.sector,
            Firm.employees,
            latest.c.years,
        )
        .join(latest, (Firm.firm_id == latest.c.firm_id) & (Firm.year == latest.c.year))
        .order_by(Firm.firm_id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(Firm.firm_id > after)
    if wanted.q:
        pattern = f"%{_escaped(wanted.q.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Firm.firm_id).like(pattern, escape="\\"),
                func.lower(Firm.firm_name).like(pattern, escape="\\"),
            )
        )
    if wanted.region is not None:
        stmt = stmt.where(Firm.region == wanted.region)
    if wanted.district is not None:
        stmt = stmt.where(Firm.district == wanted.district)
    if wanted.sector is not None:
        stmt = stmt.where(Firm.sector == wanted.sector)
    if wanted.size_band is not None:
        low, high = _band_bounds(wanted.size_band)
        stmt = stmt.where(Firm.employees >= low)
        if high is not None:
            stmt = stmt.where(Firm.employees < high)
    return [dict(row._mapping) for row in session.execute(stmt)]
