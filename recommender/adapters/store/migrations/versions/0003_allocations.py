"""Stored cohort allocations (``POST /v1/allocations``) and their assignments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Self-contained on purpose: a migration describes the schema as it was at this version,
so it spells every type out instead of importing the current mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    """Create ``allocations`` and ``allocation_assignments``."""
    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _text("key_name"),
        _text("request_id"),
        sa.Column("year", sa.Integer(), nullable=False),
        _text("model_version"),
        sa.Column("per_firm", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("floors", sa.JSON(), nullable=False),
        _text("solver"),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("programmes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    op.create_index(op.f("ix_allocations_created_at"), "allocations", ["created_at"])
    op.create_table(
        "allocation_assignments",
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        _text("firm_id"),
        _text("programme_id"),
        sa.Column("expected_outcome", sa.Double(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["allocations.id"],
            name=op.f("fk_allocation_assignments_allocation_id_allocations"),
        ),
        sa.PrimaryKeyConstraint(
            "allocation_id", "firm_id", "programme_id", name=op.f("pk_allocation_assignments")
        ),
    )


def downgrade() -> None:
    """Drop ``allocation_assignments`` and ``allocations``."""
    op.drop_table("allocation_assignments")
    op.drop_index(op.f("ix_allocations_created_at"), table_name="allocations")
    op.drop_table("allocations")
