"""The change log: every edit a person made to stored data, with the value before it.

A profile written through the API, a feedback row corrected, an outcome corrected: each
writes one row here in the same transaction, so the stored data and its history never
disagree. ``before`` is ``None`` for something new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.adapters.store.tables import CHANGE_ENTITIES, ChangeEntry, utcnow


@dataclass(frozen=True)
class ChangeRecord:
    """One edit: who, when, of what, and the value before and after."""

    id: int
    at: datetime
    key_name: str
    role: str
    entity: str
    entity_key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def record_change(
    session: Session,
    *,
    key_name: str,
    role: str,
    entity: str,
    entity_key: str,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> int:
    """Store one edit (``entity`` one of :data:`CHANGE_ENTITIES`); returns its id."""
    if entity not in CHANGE_ENTITIES:
        raise ValueError(f"unknown entity {entity!r}")
    row = ChangeEntry(
        at=utcnow(),
        key_name=key_name,
        role=role,
        entity=entity,
        entity_key=entity_key,
        action=action,
        before=None if before is None else dict(before),
        after=None if after is None else dict(after),
    )
    session.add(row)
    session.flush()
    return row.id


def list_changes(
    session: Session,
    *,
    entity: str | None = None,
    entity_key: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[ChangeRecord]:
    """Edits newest first, of one entity (and key) if given, with ids below ``before_id``."""
    stmt = select(ChangeEntry).order_by(ChangeEntry.id.desc()).limit(limit)
    if entity is not None:
        stmt = stmt.where(ChangeEntry.entity == entity)
    if entity_key is not None:
        stmt = stmt.where(ChangeEntry.entity_key == entity_key)
    if before_id is not None:
        stmt = stmt.where(ChangeEntry.id < before_id)
    return [
        ChangeRecord(
            c.id, c.at, c.key_name, c.role, c.entity, c.entity_key, c.action, c.before, c.after
        )
        for c in session.scalars(stmt)
    ]
