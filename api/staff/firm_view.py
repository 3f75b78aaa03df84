"""What a firm's page shows besides its ranked list: the edit form of the current year's
profile, the feedback recorded for the firm, and its stored outcomes. Pure functions
over stored rows, ready for the templates; the words come from the page's translator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from api.portal.fields import FACT_FIELDS, FIELD_OF_COLUMN, FieldSpec
from api.portal.form import FieldError, form_values, parse_answers, profile_to_values
from api.staff.i18n import StaffTranslator
from recommender.adapters.store import FeedbackRecord
from recommender.constants import YEAR
from recommender.contract.fields import MAX_DISTRICT_LENGTH, MAX_NAME_LENGTH

OPTIONAL_TEXT: Final[tuple[str, ...]] = ("firm_name", "district")
EDIT_FIELDS: Final[tuple[FieldSpec, ...]] = tuple(f for f in FACT_FIELDS if f.name != YEAR)


@dataclass(frozen=True)
class EditForm:
    """The profile form of one year: its values as typed, errors by field, its intro."""

    year: int
    values: dict[str, str]
    errors: dict[str, str]
    intro: str


@dataclass(frozen=True)
class FeedbackRow:
    """One recorded piece of feedback, in the page's words (``action``: its status key)."""

    id: int
    action: str
    programme_id: str
    status: str
    note: str
    by: str
    when: str


@dataclass(frozen=True)
class ParsedProfile:
    """A posted profile form: the values to write (``None`` when refused) and the errors."""

    values: dict[str, str]
    profile: dict[str, Any] | None
    errors: dict[str, FieldError]


def edit_form(profiles: Sequence[Mapping[str, Any]], year: int, tr: StaffTranslator) -> EditForm:
    """The form for ``year``: its stored profile, else the latest earlier one carried."""
    stored = next((p for p in profiles if int(p[YEAR]) == year), None)
    earlier = [p for p in profiles if int(p[YEAR]) < year]
    source = stored or (earlier[-1] if earlier else None)
    if stored is not None:
        intro = tr("staff.edit_intro_stored", year=year)
    elif source is not None:
        intro = tr("staff.edit_intro_carried", year=year, source=source[YEAR])
    else:
        intro = tr("staff.edit_intro_empty", year=year)
    values = {} if source is None else profile_to_values(source)
    for name in OPTIONAL_TEXT:
        value = None if source is None else source.get(name)
        values[name] = "" if value is None else str(value)
    return EditForm(year, {**values, YEAR: str(year)}, {}, intro)


def parse_profile(posted: Mapping[str, str], year: int) -> ParsedProfile:
    """The posted form checked as the portal checks it (errors as message keys), plus
    the optional name and district; the profile's columns without id and year."""
    values = form_values({**posted, YEAR: str(year)})
    for name in OPTIONAL_TEXT:
        limit = MAX_DISTRICT_LENGTH if name == "district" else MAX_NAME_LENGTH
        values[name] = posted.get(name, "").strip()[:limit]
    parsed = parse_answers(values, years=[year])
    if parsed.profile is None:
        return ParsedProfile(values, None, parsed.errors)
    profile = {k: v for k, v in parsed.profile.items() if k not in ("firm_id", YEAR)}
    for name in OPTIONAL_TEXT:
        profile[name] = values[name] or None
    return ParsedProfile(values, profile, {})


def field_of(column: str) -> str:
    """The form field of a contract column named in a refusal (``body.export_share``)."""
    name = column.rsplit(".", 1)[-1]
    return FIELD_OF_COLUMN.get(name, name)


def feedback_rows(records: Sequence[FeedbackRecord], tr: StaffTranslator) -> list[FeedbackRow]:
    """Recorded feedback, newest first, with each status in the page's language."""
    return [
        FeedbackRow(
            r.id,
            r.action,
            r.programme_id,
            tr(f"staff.statuses.{r.action}"),
            r.note or "",
            r.updated_by or r.key_name,
            (r.updated_at or r.created_at).strftime("%Y-%m-%d %H:%M UTC"),
        )
        for r in records
    ]


def outcomes_of(outcomes: pd.DataFrame, year: int) -> dict[str, int]:
    """The firm's stored outcomes of ``year`` by programme id."""
    rows = outcomes[outcomes["year"].astype(int) == year]
    return {str(p): int(o) for p, o in zip(rows["programme_id"], rows["outcome"], strict=True)}
