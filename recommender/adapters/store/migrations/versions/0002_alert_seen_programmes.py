"""Programmes the alerts run has considered, so that only new imports raise alerts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Self-contained on purpose: a migration describes the schema as it was at this version,
so it spells every type out instead of importing the current mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``alert_seen_programmes``."""
    op.create_table(
        "alert_seen_programmes",
        sa.Column("programme_id", sa.String(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("programme_id", name=op.f("pk_alert_seen_programmes")),
    )


def downgrade() -> None:
    """Drop ``alert_seen_programmes``."""
    op.drop_table("alert_seen_programmes")
