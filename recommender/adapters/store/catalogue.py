"""The programme catalogue in the store, with people's type overrides applied on read.

An override (``type_overrides``) corrects a programme's type without touching the
imported row, so a catalogue re-import never undoes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from recommender.adapters.store.frame_rows import (
    PROGRAMME_ALL_COLUMNS,
    PROGRAMME_KINDS,
    TYPE_EVIDENCE_COLUMNS,
    programmes_frame,
)
from recommender.adapters.store.plain_values import frame_record
from recommender.adapters.store.tables import (
    FieldOverride,
    Programme,
    TypeOverride,
    table,
    utcnow,
)
from recommender.adapters.store.upsert import chunks, refuse_duplicate_keys, upsert_frame
from recommender.constants import PROGRAMME_TYPES
from recommender.errors import DataValidationError, NotFoundError, Problem

_TABLE = table(Programme)


def _effective_type(apply_overrides: bool) -> ColumnElement[str]:
    if not apply_overrides:
        return _TABLE.c.programme_type
    return func.coalesce(TypeOverride.programme_type, Programme.programme_type)


def _select(columns: Iterable[str], *, apply_overrides: bool) -> Select[Any]:
    kind = _effective_type(apply_overrides)
    cols = [kind.label("programme_type") if c == "programme_type" else _TABLE.c[c] for c in columns]
    stmt = select(*cols).select_from(Programme)
    if apply_overrides:
        stmt = stmt.outerjoin(TypeOverride, TypeOverride.programme_id == Programme.programme_id)
    return stmt.order_by(Programme.year, Programme.programme_id)


def load_programmes(
    session: Session,
    *,
    year: int | None = None,
    programme_type: str | None = None,
    programme_ids: Iterable[str] | None = None,
    with_type_evidence: bool = False,
    apply_overrides: bool = True,
) -> pd.DataFrame:
    """Stored programmes as the canonical programmes frame, ordered by year and id.

    Parameters
    ----------
    session
        Open session.
    year
        Only offerings of this year.
    programme_type
        Only programmes of this (effective) type.
    programme_ids
        Only these programmes (any number; queried in chunks).
    with_type_evidence
        Append ``type_evidence``, ``type_method``, ``type_confidence``.
    apply_overrides
        Report overridden types (default) instead of the imported ones.
    """
    columns = [*PROGRAMME_ALL_COLUMNS, *(TYPE_EVIDENCE_COLUMNS if with_type_evidence else ())]
    stmt = _select(columns, apply_overrides=apply_overrides)
    if year is not None:
        stmt = stmt.where(Programme.year == year)
    if programme_type is not None:
        stmt = stmt.where(_effective_type(apply_overrides) == programme_type)
    if programme_ids is None:
        return programmes_frame(session.connection().execute(stmt).all(), columns=columns)
    ids = sorted({str(p) for p in programme_ids})
    rows = [
        row
        for part in chunks(ids)
        for row in session.connection().execute(stmt.where(Programme.programme_id.in_(part))).all()
    ]
    frame = programmes_frame(rows, columns=columns)
    return frame.sort_values(["year", "programme_id"], ignore_index=True)


def get_programme(session: Session, programme_id: str) -> dict[str, Any]:
    """One programme as a dict: canonical columns, type evidence and ``type_overridden``.

    Raises
    ------
    NotFoundError
        No programme has this id.
    """
    if "\x00" in programme_id:  # no database stores NUL in text (PostgreSQL refuses it)
        raise NotFoundError(f"programme {programme_id!r} not found")
    columns = [*PROGRAMME_ALL_COLUMNS, *TYPE_EVIDENCE_COLUMNS]
    stmt = _select(columns, apply_overrides=True).add_columns(TypeOverride.programme_type)
    row = session.connection().execute(stmt.where(Programme.programme_id == programme_id)).first()
    if row is None:
        raise NotFoundError(f"programme {programme_id!r} not found")
    record = frame_record(programmes_frame([tuple(row)[:-1]], columns=columns))
    record["type_overridden"] = row[-1] is not None
    return record


def upsert_programmes(session: Session, programmes: pd.DataFrame) -> dict[str, int]:
    """Insert new programmes and update changed ones by ``programme_id``; never duplicate.

    Columns of the canonical frame are written; the optional type-evidence columns
    are written when present and left as stored when absent.

    Returns
    -------
    dict
        ``{"added": n, "updated": n, "unchanged": n}``.

    Raises
    ------
    ConflictError
        ``programmes`` itself repeats a ``programme_id``.
    """
    refuse_duplicate_keys(programmes, ("programme_id",), what="programmes")
    evidence = tuple(c for c in TYPE_EVIDENCE_COLUMNS if c in programmes.columns)
    ids = programmes["programme_id"].astype(str).tolist()
    existing = load_programmes(
        session, programme_ids=ids, apply_overrides=False, with_type_evidence=True
    )
    kinds = {
        c: k for c, k in PROGRAMME_KINDS.items() if c in PROGRAMME_ALL_COLUMNS or c in evidence
    }
    return upsert_frame(
        session, _TABLE, programmes, existing, key=("programme_id",), kinds=kinds, what="programmes"
    )


def set_type_override(
    session: Session, programme_id: str, programme_type: str, *, set_by: str
) -> None:
    """Fix a programme's type by hand (replacing an earlier override).

    Raises
    ------
    DataValidationError
        ``programme_type`` is not one of the contract's types.
    NotFoundError
        No programme has this id.
    """
    if programme_type not in PROGRAMME_TYPES:
        raise DataValidationError(
            [
                Problem(
                    "type override",
                    None,
                    "programme_type",
                    programme_type,
                    f"one of {', '.join(PROGRAMME_TYPES)}",
                )
            ]
        )
    if session.get(Programme, programme_id) is None:
        raise NotFoundError(f"programme {programme_id!r} not found")
    override = session.get(TypeOverride, programme_id)
    if override is None:
        session.add(
            TypeOverride(
                programme_id=programme_id,
                programme_type=programme_type,
                set_at=utcnow(),
                set_by=set_by,
            )
        )
    else:
        override.programme_type = programme_type
        override.set_at = utcnow()
        override.set_by = set_by
    session.flush()


def clear_type_override(session: Session, programme_id: str) -> bool:
    """Remove a programme's override; ``True`` when there was one."""
    override = session.get(TypeOverride, programme_id)
    if override is None:
        return False
    session.delete(override)
    session.flush()
    return True


def load_type_overrides(session: Session) -> dict[str, str]:
    """Every override as ``{programme_id: programme_type}``."""
    rows = session.execute(select(TypeOverride.programme_id, TypeOverride.programme_type))
    return {pid: kind for pid, kind in rows}


def set_field_override(
    session: Session, programme_id: str, field: str, value: str, *, set_by: str
) -> None:
    """Record (or replace) a caseworker's cell for one field of a stored programme; the
    caller has checked the cell (:func:`recommender.bizinfo.overrides.parse_field`).

    Raises
    ------
    NotFoundError
        No programme has this id.
    """
    if session.get(Programme, programme_id) is None:
        raise NotFoundError(f"programme {programme_id!r} not found")
    override = session.get(FieldOverride, (programme_id, field))
    if override is None:
        session.add(
            FieldOverride(
                programme_id=programme_id, field=field, value=value, set_at=utcnow(), set_by=set_by
            )
        )
    else:
        override.value, override.set_at, override.set_by = value, utcnow(), set_by
    session.flush()


def load_field_overrides(session: Session) -> dict[str, dict[str, str]]:
    """Every field correction as ``{programme_id: {field: cell}}``."""
    out: dict[str, dict[str, str]] = {}
    rows = session.execute(
        select(FieldOverride.programme_id, FieldOverride.field, FieldOverride.value)
    )
    for pid, field, value in rows:
        out.setdefault(pid, {})[field] = value
    return out
