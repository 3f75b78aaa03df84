"""The database schema as typed SQLAlchemy 2 mappings: one class per table.

The migrations under ``recommender/adapters/store/migrations/`` create exactly this schema (a
test compares them). Column names of ``firms``, ``programmes`` and ``outcomes`` are the
contract's (``docs/contract.md``); everything else belongs to the service.

The shared base is :mod:`~recommender.adapters.store.schema_base`, the service's tables
(keys, feedback, audit, alerts, allocations, sessions) are in
:mod:`~recommender.adapters.store.service_tables`; both are importable from here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from recommender.adapters.store.schema_base import (
    CHANGE_ENTITIES,
    FEEDBACK_ACTIONS,
    LEGACY_FEEDBACK_ACTIONS,
    NAMING_CONVENTION,
    OUTCOME_SOURCES,
    ROLES,
    Base,
    UTCDateTime,
    one_of_sql,
    table,
    utcnow,
)
from recommender.adapters.store.service_tables import (
    Alert,
    AlertSeenProgramme,
    AllocationAssignment,
    ApiKey,
    AuditEntry,
    ChangeEntry,
    Feedback,
    SavedProfile,
    StaffSession,
    StoredAllocation,
    Subscription,
)


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
    requires_patent: Mapped[bool | None]
    type_evidence: Mapped[str | None] = mapped_column(Text)
    type_method: Mapped[str | None]
    type_confidence: Mapped[float | None]


class Outcome(Base):
    """One firm's participation in one programme and how it went."""

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("firm_id", "year", "programme_id"),
        Index(None, "programme_id"),
        CheckConstraint(one_of_sql("source", OUTCOME_SOURCES), name="source"),
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


__all__ = [
    "Alert",
    "AlertSeenProgramme",
    "AllocationAssignment",
    "ApiKey",
    "Application",
    "AuditEntry",
    "Base",
    "CHANGE_ENTITIES",
    "ChangeEntry",
    "FEEDBACK_ACTIONS",
    "Feedback",
    "FieldOverride",
    "Firm",
    "LEGACY_FEEDBACK_ACTIONS",
    "NAMING_CONVENTION",
    "OUTCOME_SOURCES",
    "Outcome",
    "Programme",
    "ROLES",
    "SavedProfile",
    "StaffSession",
    "StoredAllocation",
    "Subscription",
    "TypeOverride",
    "UTCDateTime",
    "table",
    "utcnow",
]
