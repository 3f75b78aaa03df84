"""Contract v2 columns that decide eligibility on real announcements.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

* ``firms`` gains ``industry_code`` (KSIC), ``business_description`` and ``firm_flags``
  (declared statuses, ``;``-separated).
* ``programmes`` gains ``districts``, ``target_groups``, ``industries``,
  ``support_kind`` and ``offers_nothing``, which the Bizinfo import fills.

All nullable: stored rows read as "no restriction / not stated", as before.
Self-contained on purpose: the types are spelled out, not imported from the mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRM_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[object]], ...] = (
    ("industry_code", sa.String()),
    ("business_description", sa.Text()),
    ("firm_flags", sa.String()),
)
PROGRAMME_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[object]], ...] = (
    ("districts", sa.Text()),
    ("target_groups", sa.String()),
    ("industries", sa.String()),
    ("support_kind", sa.String()),
    ("offers_nothing", sa.Boolean()),
)


def upgrade() -> None:
    """Add the columns, all nullable."""
    with op.batch_alter_table("firms") as firms:
        for name, kind in FIRM_COLUMNS:
            firms.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("programmes") as programmes:
        for name, kind in PROGRAMME_COLUMNS:
            programmes.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("programmes") as programmes:
        for name, _kind in reversed(PROGRAMME_COLUMNS):
            programmes.drop_column(name)
    with op.batch_alter_table("firms") as firms:
        for name, _kind in reversed(FIRM_COLUMNS):
            firms.drop_column(name)
