"""The database schema as typed SQLAlchemy 2 mappings: one class per table.

The migrations under ``recommender/adapters/store/migrations/`` create exactly this schema (a
test compares them). Column names of ``firms``, ``programmes`` and ``outcomes`` are the
contract's (``docs/contract.md``); everything else belongs to the service.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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


def _in(column: str, values: tuple[str, ...]) -> str:
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
class Firm(Base):
    """One firm profile: a firm in one year (``docs/contract.md``, firms)."""

    __tablename__ = "firms"
    __table_args__ = (Index(None, "year"),)

    firm_id: Mapped[str] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region: Mapped[str]
    sector: Mapped[str]
    founded_year: Mapped[int]
    employees: Mapped[int]
    revenue_krw_m: Mapped[float]
    revenue_growth: Mapped[float | None]
    export_share: Mapped[float]
    rnd_spend_krw_m: Mapped[float]
    researchers: Mapped[int]
    patents: Mapped[int]
    has_rnd_lab: Mapped[bool]
    cap_tech_planning: Mapped[float | None]
    cap_rnd_execution: Mapped[float | None]
    cap_commercialization: Mapped[float | None]
    cap_marketing: Mapped[float | None]
    cap_hr_skills: Mapped[float | None]
    cap_funding_access: Mapped[float | None]
    cap_internal_coordination: Mapped[float | None]
    cap_nontech_innovation: Mapped[float | None]
    cap_tech_acquisition: Mapped[float | None]
    cap_feedback: Mapped[float | None]
    cap_global_orientation: Mapped[float | None]
    cap_global_partnerships: Mapped[float | None]
    firm_name: Mapped[str | None]
    district: Mapped[str | None]
    industry_code: Mapped[str | None]
    business_description: Mapped[str | None] = mapped_column(Text)
    firm_flags: Mapped[str | None]


class Programme(Base):
    """One programme offering in one year, plus how its type was determined."""

    __tablename__ = "programmes"
    __table_args__ = (Index(None, "year"), Index(None, "programme_type"))

    programme_id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    programme_type: Mapped[str]
    agency: Mapped[str | None]
    targets: Mapped[str | None]
    year: Mapped[int]
    min_employees: Mapped[int | None]
    max_employees: Mapped[int | None]
    min_firm_age: Mapped[int | None]
    max_firm_age: Mapped[int | None]
    sectors: Mapped[str]
    regions: Mapped[str]
    requires_rnd_lab: Mapped[bool | None]
    max_revenue_krw_m: Mapped[float | None]
    support_krw_m: Mapped[float | None]
    duration_months: Mapped[int | None]
    capacity: Mapped[int | None]
    apply_start: Mapped[date | None]
    apply_end: Mapped[date | None]
    url: Mapped[str | None]
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None]
    districts: Mapped[str | None] = mapped_column(Text)
    target_groups: Mapped[str | None]
    industries: Mapped[str | None]
    support_kind: Mapped[str | None]
    offers_nothing: Mapped[bool | None]
    type_evidence: Mapped[str | None] = mapped_column(Text)
    type_method: Mapped[str | None]
    type_confidence: Mapped[float | None]


class Outcome(Base):
    """One firm's participation in one programme and how it went."""

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("firm_id", "year", "programme_id"),
        Index(None, "programme_id"),
        CheckConstraint(_in("source", OUTCOME_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[str]
    year: Mapped[int]
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.programme_id"))
    outcome: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16))


class Application(Base):
    """A firm applied for a programme of a year (contract v2 ``applications``): when a
    year has any, a cohort allocation gives each firm only what it applied for."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("firm_id", "year", "programme_id"),
        Index(None, "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[str]
    year: Mapped[int]
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.programme_id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TypeOverride(Base):
    """A person's correction of a programme's type; wins over the imported type."""

    __tablename__ = "type_overrides"

    programme_id: Mapped[str] = mapped_column(
        ForeignKey("programmes.programme_id"), primary_key=True
    )
    programme_type: Mapped[str]
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    set_by: Mapped[str]


class FieldOverride(Base):
    """A person's correction of one field the Bizinfo readers fill (districts, target
    groups ...), as the cell they wrote (``*``: none); wins over the readers."""

    __tablename__ = "field_overrides"

    programme_id: Mapped[str] = mapped_column(
        ForeignKey("programmes.programme_id"), primary_key=True
    )
    field: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[str]
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    set_by: Mapped[str]


# --- service records ------------------------------------------------------------------
class ApiKey(Base):
    """An API key, stored only as a hash of the key."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class Feedback(Base):
    """What a caseworker or firm did with one recommended programme."""

    __tablename__ = "feedback"
    __table_args__ = (
        Index(None, "created_at"),
        Index(None, "programme_id"),
        CheckConstraint(_in("action", FEEDBACK_ACTIONS), name="action"),
        UniqueConstraint("request_id", "firm_id", "programme_id", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str]
    programme_id: Mapped[str]
    firm_id: Mapped[str | None]
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    key_name: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    year: Mapped[int | None]  # the served list's year (its firm profile's)
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None]


class ChangeEntry(Base):
    """One change a person made to stored data: who, when, what it was and became."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index(None, "at"),
        Index(None, "entity", "entity_key"),
        CheckConstraint(_in("entity", CHANGE_ENTITIES), name="entity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    key_name: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(16))
    entity_key: Mapped[str]
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class AuditEntry(Base):
    """One served recommendation: who, when, which firm, which model, what order."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "at"), Index(None, "key_name"), Index(None, "firm_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    key_name: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str]
    firm_id: Mapped[str | None]
    year: Mapped[int | None]
    model_version: Mapped[str]
    endpoint: Mapped[str]
    items: Mapped[list[dict[str, Any]]]


class Subscription(Base):
    """A standing request to be alerted when a new programme fits a firm or profile."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index(None, "created_by"),
        CheckConstraint("firm_id IS NOT NULL OR profile IS NOT NULL", name="target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[str | None]
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    k: Mapped[int]
    created_by: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)


class Alert(Base):
    """One programme recommended to one subscription; never repeated."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("subscription_id", "programme_id"),
        Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    programme_id: Mapped[str]
    rank: Mapped[int]
    score: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertSeenProgramme(Base):
    """A programme ``recommender alerts run`` has already considered (never new again)."""

    __tablename__ = "alert_seen_programmes"

    programme_id: Mapped[str] = mapped_column(primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedProfile(Base):
    """A firm profile kept with the firm's consent (portal), without a firm record."""

    __tablename__ = "saved_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredAllocation(Base):
    """One cohort allocation of a year's seats: its options, headline and programme table."""

    __tablename__ = "allocations"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_name: Mapped[str]
    request_id: Mapped[str]
    year: Mapped[int]
    model_version: Mapped[str]
    per_firm: Mapped[int]
    as_of: Mapped[date | None]
    floors: Mapped[list[str]] = mapped_column(JSON)
    solver: Mapped[str]
    summary: Mapped[dict[str, Any]]
    programmes: Mapped[list[dict[str, Any]]]


class AllocationAssignment(Base):
    """One seat of a stored allocation: which firm, which programme, and why."""

    __tablename__ = "allocation_assignments"

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), primary_key=True)
    firm_id: Mapped[str] = mapped_column(primary_key=True)
    programme_id: Mapped[str] = mapped_column(primary_key=True)
    expected_outcome: Mapped[float]
    score: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)


def table(mapped: type[Base]) -> Table:
    """The Core ``Table`` behind a mapped class (for bulk statements)."""
    tbl = mapped.__table__
    if not isinstance(tbl, Table):  # pragma: no cover - every mapping here is a Table
        raise TypeError(f"{mapped.__name__} is not mapped to a table")
    return tbl


class StaffSession(Base):
    """A caseworker's or analyst's sign-in to the staff pages (kept after it ends: the
    record of who signed in, when, from where, and how the session ended)."""

    __tablename__ = "staff_sessions"
    __table_args__ = (
        Index(None, "key_name"),
        CheckConstraint(_in("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # never the token
    key_name: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    csrf_token: Mapped[str] = mapped_column(String(64))
    client: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_why: Mapped[str | None] = mapped_column(String(16))
