"""The database-backed catalogue behind ``recommender catalogue ... --into-store``.

Programmes go to the store's ``programmes`` table (with their type evidence),
caseworkers' type corrections to ``type_overrides`` and their corrections of the fields
the readers fill to ``field_overrides``; every import re-applies both, so a correction
survives new versions of the feed. The caller owns the transaction.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.filestore import ImportReport
from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.adapters.store.catalogue import (
    get_programme,
    load_field_overrides,
    load_programmes,
    load_type_overrides,
    set_field_override,
    set_type_override,
    upsert_programmes,
)
from recommender.adapters.store.frame_rows import TYPE_EVIDENCE_COLUMNS
from recommender.adapters.store.tables import Programme
from recommender.bizinfo.classify import TypeRules
from recommender.bizinfo.importer import (
    METHOD_OVERRIDE,
    SOURCE,
    announcements_to_programmes,
    validate_programmes,
)
from recommender.bizinfo.overrides import (
    apply_field_overrides,
    check_field_cell,
    check_override,
    check_override_row,
)
from recommender.constants import LIST_SEP, PROGRAMME_ID
from recommender.errors import DataValidationError, NotFoundError


def import_into_store(
    session: Session, announcements: Path | str, *, rules: TypeRules | None = None
) -> ImportReport:
    """Import (or re-import) a Bizinfo CSV into the store, applying its overrides.

    Rows are matched on ``programme_id``: changed ones are updated, new ones added,
    unchanged ones left alone, nothing duplicated. Every row is checked against the
    contract before anything is written.

    Returns
    -------
    ImportReport
        Added / updated / unchanged counts, and the types and number of the stored
        Bizinfo programmes after the import.

    Raises
    ------
    DataValidationError
        The file is unreadable or a row breaks the contract; nothing is written.
    """
    raw = read_announcements(announcements)
    overrides = load_type_overrides(session)
    new = announcements_to_programmes(
        raw,
        overrides=overrides,
        rules=rules or load_type_rules(),
        industry_rules=load_industry_rules(),
    )
    new = apply_field_overrides(new, _stored_fields(session))
    programmes = validate_programmes(new, file=Path(announcements).name)
    evidence = new.set_index(PROGRAMME_ID)[list(TYPE_EVIDENCE_COLUMNS)]
    counts = upsert_programmes(session, programmes.join(evidence, on=PROGRAMME_ID))
    stored = load_programmes(session)
    bizinfo = stored[stored["source"] == SOURCE]
    return ImportReport(
        counts=counts,
        type_counts=dict(Counter(bizinfo["programme_type"]).most_common()),
        total=len(bizinfo),
        overrides=len(set(overrides) & set(programmes[PROGRAMME_ID])),
    )


def _stored_fields(session: Session) -> dict[str, dict[str, object]]:
    out = {}
    for ident, cells in load_field_overrides(session).items():
        _, fields, problems = check_override_row({"id": ident, **cells}, file="field_overrides")
        if problems:
            raise DataValidationError(problems)
        out[ident] = fields
    return out


def set_field_in_store(
    session: Session, programme_id: str, field: str, cell: str, *, set_by: str
) -> dict[str, Any]:
    """Record a caseworker's value for one field of a stored programme (``field_overrides``,
    so re-imports keep it) and apply it to the row now.

    Raises
    ------
    DataValidationError
        ``field`` cannot be corrected or ``cell`` does not say a value for it.
    NotFoundError
        No stored programme has this id.
    """
    value, problems = check_field_cell(programme_id, field, cell)
    if problems:
        raise DataValidationError(problems)
    set_field_override(session, programme_id, field, cell.strip(), set_by=set_by)
    row = session.get(Programme, programme_id)
    if row is None:  # pragma: no cover - set_field_override raised NotFoundError already
        raise NotFoundError(f"programme {programme_id!r} not found")
    setattr(row, field, value)
    session.flush()
    return get_programme(session, programme_id)


def set_type_in_store(
    session: Session,
    programme_id: str,
    programme_type: str,
    *,
    set_by: str,
    rules: TypeRules | None = None,
) -> dict[str, Any]:
    """Record a caseworker's type for one stored programme and apply it to the row.

    The override goes to ``type_overrides`` (so re-imports keep it); the row gets the
    type, ``type_method = "override"``, confidence 1, and keeps its targets when the
    rules had already decided this type, else takes the type's default targets (as
    an import with the override would).

    Returns
    -------
    dict
        The programme as stored now (:func:`recommender.adapters.store.get_programme`).

    Raises
    ------
    DataValidationError
        ``programme_type`` is not a programme type.
    NotFoundError
        No stored programme has this id.
    """
    problems = check_override(programme_id, programme_type, file="set-type")
    if problems:
        raise DataValidationError(problems)
    set_type_override(session, programme_id, programme_type, set_by=set_by)
    row = session.get(Programme, programme_id)
    if row is None:  # pragma: no cover - set_type_override raised NotFoundError already
        raise NotFoundError(f"programme {programme_id!r} not found")
    rules = rules or load_type_rules()
    was_override = row.type_method == METHOD_OVERRIDE
    if was_override:
        said = (row.type_evidence or "").split("; ", 1)[-1]
    else:
        method = row.type_method or "import"
        said = f"{method} said {row.programme_type} ({row.type_evidence or ''})"
    if was_override or row.programme_type != programme_type:
        row.targets = LIST_SEP.join(rules.default_targets.get(programme_type, ())) or None
    row.programme_type = programme_type
    row.type_method = METHOD_OVERRIDE
    row.type_confidence = 1.0
    row.type_evidence = f"override: set to {programme_type} by a caseworker; {said}"
    session.flush()
    return get_programme(session, programme_id)
