"""Initial schema: contract data, type overrides, keys, feedback, audit, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Self-contained on purpose: a migration describes the schema as it was at this version,
so it spells every type out instead of importing the current mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAPABILITIES = (
    "cap_tech_planning",
    "cap_rnd_execution",
    "cap_commercialization",
    "cap_marketing",
    "cap_hr_skills",
    "cap_funding_access",
    "cap_internal_coordination",
    "cap_nontech_innovation",
    "cap_tech_acquisition",
    "cap_feedback",
    "cap_global_orientation",
    "cap_global_partnerships",
)


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _float(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Double(), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    """Create every table and index of version 1."""
    op.create_table(
        "firms",
        _text("firm_id"),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        _text("region"),
        _text("sector"),
        _int("founded_year"),
        _int("employees"),
        _float("revenue_krw_m"),
        _float("revenue_growth", nullable=True),
        _float("export_share"),
        _float("rnd_spend_krw_m"),
        _int("researchers"),
        _int("patents"),
        sa.Column("has_rnd_lab", sa.Boolean(), nullable=False),
        *(_float(cap, nullable=True) for cap in CAPABILITIES),
        sa.PrimaryKeyConstraint("firm_id", "year", name=op.f("pk_firms")),
    )
    op.create_index(op.f("ix_firms_year"), "firms", ["year"])

    op.create_table(
        "programmes",
        _text("programme_id"),
        _text("name"),
        _text("programme_type"),
        _text("agency", nullable=True),
        _text("targets", nullable=True),
        _int("year"),
        _int("min_employees", nullable=True),
        _int("max_employees", nullable=True),
        _int("min_firm_age", nullable=True),
        _int("max_firm_age", nullable=True),
        _text("sectors"),
        _text("regions"),
        sa.Column("requires_rnd_lab", sa.Boolean(), nullable=True),
        _float("max_revenue_krw_m", nullable=True),
        _float("support_krw_m", nullable=True),
        _int("duration_months", nullable=True),
        _int("capacity", nullable=True),
        sa.Column("apply_start", sa.Date(), nullable=True),
        sa.Column("apply_end", sa.Date(), nullable=True),
        _text("url", nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        _text("source", nullable=True),
        sa.Column("type_evidence", sa.Text(), nullable=True),
        _text("type_method", nullable=True),
        _float("type_confidence", nullable=True),
        sa.PrimaryKeyConstraint("programme_id", name=op.f("pk_programmes")),
    )
    op.create_index(op.f("ix_programmes_year"), "programmes", ["year"])
    op.create_index(op.f("ix_programmes_programme_type"), "programmes", ["programme_type"])

    op.create_table(
        "outcomes",
        _id(),
        _text("firm_id"),
        _int("year"),
        _text("programme_id"),
        _int("outcome"),
        _timestamp("created_at"),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.CheckConstraint("source IN ('import', 'api')", name=op.f("ck_outcomes_source")),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.programme_id"],
            name=op.f("fk_outcomes_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint(
            "firm_id", "year", "programme_id", name=op.f("uq_outcomes_firm_id_year_programme_id")
        ),
    )
    op.create_index(op.f("ix_outcomes_programme_id"), "outcomes", ["programme_id"])

    op.create_table(
        "type_overrides",
        _text("programme_id"),
        _text("programme_type"),
        _timestamp("set_at"),
        _text("set_by"),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.programme_id"],
            name=op.f("fk_type_overrides_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("programme_id", name=op.f("pk_type_overrides")),
    )

    op.create_table(
        "api_keys",
        _id(),
        _text("name"),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.CheckConstraint(
            "role IN ('caseworker', 'partner', 'analyst')", name=op.f("ck_api_keys_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_keys_name")),
    )

    op.create_table(
        "feedback",
        _id(),
        _text("request_id"),
        _text("programme_id"),
        _text("firm_id", nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _text("key_name"),
        _timestamp("created_at"),
        sa.CheckConstraint(
            "action IN ('accepted', 'declined', 'applied', 'joined')",
            name=op.f("ck_feedback_action"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_created_at"), "feedback", ["created_at"])
    op.create_index(op.f("ix_feedback_programme_id"), "feedback", ["programme_id"])

    op.create_table(
        "audit_log",
        _id(),
        _timestamp("at"),
        _text("key_name"),
        sa.Column("role", sa.String(length=16), nullable=False),
        _text("request_id"),
        _text("firm_id", nullable=True),
        _int("year", nullable=True),
        _text("model_version"),
        _text("endpoint"),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_key_name"), "audit_log", ["key_name"])
    op.create_index(op.f("ix_audit_log_firm_id"), "audit_log", ["firm_id"])

    op.create_table(
        "subscriptions",
        _id(),
        _text("firm_id", nullable=True),
        sa.Column("profile", sa.JSON(none_as_null=True), nullable=True),
        _int("k"),
        _text("created_by"),
        _timestamp("created_at"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "firm_id IS NOT NULL OR profile IS NOT NULL", name=op.f("ck_subscriptions_target")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_created_by"), "subscriptions", ["created_by"])

    op.create_table(
        "alerts",
        _id(),
        _int("subscription_id"),
        _text("programme_id"),
        _int("rank"),
        _float("score"),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_alerts_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "subscription_id", "programme_id", name=op.f("uq_alerts_subscription_id_programme_id")
        ),
    )
    op.create_index(op.f("ix_alerts_created_at"), "alerts", ["created_at"])

    op.create_table(
        "saved_profiles",
        _id(),
        sa.Column("profile", sa.JSON(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_profiles")),
    )


def downgrade() -> None:
    """Drop everything version 1 created (children first)."""
    for table in (
        "saved_profiles",
        "alerts",
        "subscriptions",
        "audit_log",
        "feedback",
        "api_keys",
        "type_overrides",
        "outcomes",
        "programmes",
        "firms",
    ):
        op.drop_table(table)
