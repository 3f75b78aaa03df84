"""The service's own tables: API keys, feedback, the change log and audit, alerts,
saved profiles, stored allocations and staff sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
    ROLES,
    Base,
    one_of_sql,
    utcnow,
)


class ApiKey(Base):
    """An API key, stored only as a hash of the key."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(one_of_sql("role", ROLES), name="role"),)

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
        CheckConstraint(one_of_sql("action", FEEDBACK_ACTIONS), name="action"),
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
        CheckConstraint(one_of_sql("entity", CHANGE_ENTITIES), name="entity"),
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


class StaffSession(Base):
    """A caseworker's or analyst's sign-in to the staff pages (kept after it ends: the
    record of who signed in, when, from where, and how the session ended)."""

    __tablename__ = "staff_sessions"
    __table_args__ = (
        Index(None, "key_name"),
        CheckConstraint(one_of_sql("role", ROLES), name="role"),
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
