"""Programmes only for firms that hold a patent.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

* ``programmes`` gains ``requires_patent`` (contract v2): the applicant must hold a
  patent, granted or applied for. Nullable: stored rows read as "not required", as
  before.

Self-contained on purpose: the type is spelled out, not imported from the mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column, nullable."""
    with op.batch_alter_table("programmes") as programmes:
        programmes.add_column(sa.Column("requires_patent", sa.Boolean(), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("programmes") as programmes:
        programmes.drop_column("requires_patent")
