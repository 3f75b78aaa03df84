"""What every table of the store shares: the declarative base, UTC timestamps, the
naming convention of constraints and the enums the service tables check."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Double,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from recommender.constants import FEEDBACK_STATUSES

ROLES: Final[tuple[str, ...]] = ("caseworker", "partner", "analyst")
FEEDBACK_ACTIONS: Final[tuple[str, ...]] = FEEDBACK_STATUSES  # meanings: FEEDBACK_MEANINGS
# values of contract v1's feedback, still accepted and stored as their successor
LEGACY_FEEDBACK_ACTIONS: Final[dict[str, str]] = {"accepted": "interested"}
CHANGE_ENTITIES: Final[tuple[str, ...]] = ("firm_profile", "feedback", "outcome")
OUTCOME_SOURCES: Final[tuple[str, ...]] = ("import", "api")

NAMING_CONVENTION: Final[dict[str, str]] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only kind the store writes)."""
    return datetime.now(UTC)


def one_of_sql(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the value is
    converted to UTC and stored naive, then marked UTC again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: String(),
        int: Integer(),
        float: Double(),
        bool: Boolean(),
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
        list[dict[str, Any]]: JSON(),
    }


# --- contract data --------------------------------------------------------------------


def table(mapped: type[Base]) -> Table:
    """The Core ``Table`` behind a mapped class (for bulk statements)."""
    tbl = mapped.__table__
    if not isinstance(tbl, Table):  # pragma: no cover - every mapping here is a Table
        raise TypeError(f"{mapped.__name__} is not mapped to a table")
    return tbl
