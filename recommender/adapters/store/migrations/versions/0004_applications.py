"""Stored applications (contract v2 ``applications``): who applied for what, by year.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Self-contained on purpose: a migration describes the schema as it was at this version,
so it spells every type out instead of importing the current mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``applications``."""
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.programme_id"],
            name=op.f("fk_applications_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint(
            "firm_id",
            "year",
            "programme_id",
            name=op.f("uq_applications_firm_id_year_programme_id"),
        ),
    )
    op.create_index(op.f("ix_applications_year"), "applications", ["year"], unique=False)


def downgrade() -> None:
    """Drop ``applications``."""
    op.drop_index(op.f("ix_applications_year"), table_name="applications")
    op.drop_table("applications")
