"""The caseworker's workbench: firm names and districts, feedback statuses stored once and
correctable, and the change log of people's edits.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

* ``firms`` gains the contract v2 optional columns ``firm_name`` and ``district``.
* ``feedback`` takes the statuses contacted, interested, applied, selected, joined,
  declined: the old ``accepted`` becomes ``interested``; repeated rows (same request,
  firm, programme and status) are kept once (the earliest), then a unique constraint
  holds that; ``year`` is the served list's (read from the audit log for old rows);
  ``updated_at`` / ``updated_by`` say who corrected a row last.
* ``change_log``: one row per edit of a profile, a feedback row or an outcome, with
  the value before and after.

Self-contained on purpose: a migration describes the schema as it was at this version,
so it spells every type out instead of importing the current mappings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = "action IN ('accepted', 'declined', 'applied', 'joined')"
NEW_ACTIONS = "action IN ('contacted', 'interested', 'applied', 'selected', 'joined', 'declined')"
FEEDBACK_KEY = ["request_id", "firm_id", "programme_id", "action"]


def _feedback(check: str | None) -> sa.Table:
    """The feedback table as revision 0004 left it, with the status check ``check``
    (SQLite rebuilds the table from this)."""
    checks = [] if check is None else [sa.CheckConstraint(check, name="ck_feedback_action")]
    return sa.Table(
        "feedback",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("programme_id", sa.String(), nullable=False),
        sa.Column("firm_id", sa.String(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("key_name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *checks,
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sa.Index("ix_feedback_created_at", "created_at"),
        sa.Index("ix_feedback_programme_id", "programme_id"),
    )


def upgrade() -> None:
    """Add the firm columns, move feedback to the new statuses, create ``change_log``."""
    with op.batch_alter_table("firms") as firms:
        firms.add_column(sa.Column("firm_name", sa.String(), nullable=True))
        firms.add_column(sa.Column("district", sa.String(), nullable=True))

    with op.batch_alter_table("feedback", copy_from=_feedback(OLD_ACTIONS)) as fb:
        fb.drop_constraint(op.f("ck_feedback_action"), type_="check")
    op.execute("UPDATE feedback SET action = 'interested' WHERE action = 'accepted'")
    op.execute(
        "DELETE FROM feedback WHERE id NOT IN (SELECT min(id) FROM feedback "
        "GROUP BY request_id, firm_id, programme_id, action)"
    )
    with op.batch_alter_table("feedback", copy_from=_feedback(None)) as fb:
        fb.create_check_constraint(op.f("ck_feedback_action"), sa.text(NEW_ACTIONS))
        fb.create_unique_constraint(
            op.f("uq_feedback_request_id_firm_id_programme_id_action"), FEEDBACK_KEY
        )
        fb.add_column(sa.Column("year", sa.Integer(), nullable=True))
        fb.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        fb.add_column(sa.Column("updated_by", sa.String(), nullable=True))
    op.execute(
        "UPDATE feedback SET year = (SELECT min(a.year) FROM audit_log a "
        "WHERE a.request_id = feedback.request_id)"
    )

    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_key", sa.String(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.CheckConstraint(
            "entity IN ('firm_profile', 'feedback', 'outcome')", name=op.f("ck_change_log_entity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index(op.f("ix_change_log_at"), "change_log", ["at"])
    op.create_index(op.f("ix_change_log_entity_entity_key"), "change_log", ["entity", "entity_key"])


def downgrade() -> None:
    """Drop ``change_log`` and the new columns; new statuses go back to the nearest old."""
    op.drop_table("change_log")
    with op.batch_alter_table("feedback") as fb:
        fb.drop_column("updated_by")
        fb.drop_column("updated_at")
        fb.drop_column("year")
    with op.batch_alter_table("feedback", copy_from=_feedback(NEW_ACTIONS)) as fb:
        fb.drop_constraint(op.f("ck_feedback_action"), type_="check")
    op.execute(
        "UPDATE feedback SET action = 'accepted' "
        "WHERE action IN ('contacted', 'interested', 'selected')"
    )
    with op.batch_alter_table("feedback", copy_from=_feedback(None)) as fb:
        fb.create_check_constraint(op.f("ck_feedback_action"), sa.text(OLD_ACTIONS))
    with op.batch_alter_table("firms") as firms:
        firms.drop_column("district")
        firms.drop_column("firm_name")
