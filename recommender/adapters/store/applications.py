"""Stored applications (contract v2): who applied for which programme of a year.

A cohort allocation over the store (``POST /v1/allocations``) gives each firm only the
programmes it applied for when its year has any stored application; an application is
a fact, not a value, so importing one again changes nothing.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.adapters.store.frame_rows import APPLICATION_KINDS, applications_frame
from recommender.adapters.store.tables import Application, table, utcnow
from recommender.adapters.store.upsert import upsert_frame
from recommender.contract.fields import APPLICATION_COLUMNS

KEY = ("firm_id", "year", "programme_id")
_TABLE = table(Application)


def load_applications(session: Session, *, years: list[int] | None = None) -> pd.DataFrame:
    """Stored applications (of ``years``, default all) as the canonical applications
    frame, ordered by firm, year, programme."""
    stmt = select(*(_TABLE.c[c] for c in APPLICATION_COLUMNS)).order_by(*(_TABLE.c[k] for k in KEY))
    if years is not None:
        stmt = stmt.where(Application.year.in_(years))
    return applications_frame(session.connection().execute(stmt).all())


def upsert_applications(session: Session, applications: pd.DataFrame) -> dict[str, int]:
    """Store the applications not stored yet; ``{"added", "updated": 0, "unchanged"}``."""
    existing = load_applications(session, years=sorted({int(y) for y in applications["year"]}))
    return upsert_frame(
        session,
        _TABLE,
        applications,
        existing,
        key=KEY,
        kinds=APPLICATION_KINDS,
        what="applications",
        insert_extra={"created_at": utcnow()},
    )
