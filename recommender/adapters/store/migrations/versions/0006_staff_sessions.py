"""Server-side sessions of the staff pages (caseworkers and analysts signed in by key).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Only a hash of each session token is stored, with the key's name and role, the
session's CSRF token, the client address, when it began and expires, and when and why
it ended (rows are kept: they are the record of sign-ins).

Self-contained on purpose: a migration describes the schema as it was at this version,
so it spells every type out instead of importing the current mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``staff_sessions``."""
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("key_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_why", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "role IN ('caseworker', 'partner', 'analyst')", name=op.f("ck_staff_sessions_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_staff_sessions_key_name"), "staff_sessions", ["key_name"], unique=False
    )


def downgrade() -> None:
    """Drop ``staff_sessions``."""
    op.drop_index(op.f("ix_staff_sessions_key_name"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
