"""Caseworkers' corrections of the fields the Bizinfo readers fill.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

* ``field_overrides``: one row per (programme, field) a caseworker corrected
  (``districts``, ``target_groups``, ``industries``, ``support_kind``, ``support_krw_m``,
  ``offers_nothing``), the cell as written (``*``: none), when and by whom. Every import
  re-applies them, as ``type_overrides`` for the type.

Self-contained on purpose: the types are spelled out, not imported from the mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "field_overrides",
        sa.Column("programme_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.programme_id"],
            name=op.f("fk_field_overrides_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("programme_id", "field", name=op.f("pk_field_overrides")),
    )


def downgrade() -> None:
    """Drop it again."""
    op.drop_table("field_overrides")
