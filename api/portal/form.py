"""The portal form: raw field strings in, a contract firm profile (or field errors) out.

A busy owner types numbers as they come ("1,500", "７", "-3 %"), so parsing is
forgiving about separators and full-width digits but strict about meaning. Every error
names the field it belongs to, as a message key of ``i18n.json`` ``errors`` with its
parameters, so the page can show it beside that field in the reader's language. The
fields and their limits come from the contract's field specification
(:mod:`api.portal.fields`). The finished profile is checked once more against the API's
own :class:`FirmProfile`, so the portal accepts exactly what the API accepts.

Answers travel to and from the firm's computer as a small JSON document
(:func:`answers_document`, :func:`read_answers_file`); nothing is kept on the server.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pydantic import ValidationError
from starlette.datastructures import FormData

from api.portal.fields import (
    FACT_FIELDS,
    FIELD_OF_COLUMN,
    FIELDS_BY_NAME,
    FLAG_OPTIONS,
    FORM_FIELDS,
    MULTI_VALUED,
    RATINGS,
    FieldSpec,
)
from api.portal.i18n import Translator
from api.schemas.firms import FirmProfile
from recommender.constants import CAPABILITIES, FIRM_ID, LIST_SEP, NO_FLAGS, REGIONS, SECTORS
from recommender.contract.fields import FIRMS

PORTAL_FIRM_ID: Final[str] = "portal"  # the inline profile's id; never a real firm's
ANSWERS_FORMAT: Final[str] = "sme-programme-portal-answers"
ANSWERS_VERSION: Final[int] = 1
MAX_UPLOAD_BYTES: Final[int] = 64 * 1024
MAX_FIELD_CHARS: Final[int] = 64
# the statuses field holds every ticked checkbox, ';'-joined
MAX_FIELD_CHARS_OF: Final[dict[str, int]] = {"firm_flags": 4 * MAX_FIELD_CHARS}
TRUE_WORDS: Final[frozenset[str]] = frozenset({"yes", "on", "true", "1"})


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class FieldError:
    """Why one field was refused: an ``errors.*`` message key and its parameters."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedAnswers:
    """The form as typed (to show again), its errors, and the profile when all is well."""

    values: dict[str, str]
    errors: dict[str, FieldError]
    profile: dict[str, Any] | None
    consent: bool


class AnswersFileError(ValueError):
    """An uploaded answers file was refused; ``code`` is an ``errors.*`` message key."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def posted_fields(form: FormData) -> dict[str, str]:
    """A posted form's text fields; a checkbox group's ticked values ``;``-joined."""
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    for name in MULTI_VALUED:
        if name in form:
            posted[name] = LIST_SEP.join(v for v in form.getlist(name) if isinstance(v, str))
    return posted


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The known fields of a submitted form as trimmed strings (unknown ones dropped)."""
    out: dict[str, str] = {}
    for name in FORM_FIELDS:
        value = form.get(name)
        if isinstance(value, str):
            out[name] = value.strip()[: MAX_FIELD_CHARS_OF.get(name, MAX_FIELD_CHARS)]
    return out


def default_year(years: Sequence[int], today: date) -> int | None:
    """The profile year a new form starts on: today's year when the catalogue has it,
    else its latest year before today's, else its first (a catalogue wholly ahead)."""
    if not years:
        return None
    past = [y for y in years if y <= today.year]
    return max(past) if past else min(years)


def year_options(years: Sequence[int], today: date, tr: Translator) -> list[tuple[str, str]]:
    """The profile years offered: the catalogue's, newest first (no fixed list), today's
    year named as this year."""
    return [
        (str(y), tr("ui.this_year", year=y) if y == today.year else str(y))
        for y in sorted(years, reverse=True)
    ]


def default_values(years: Sequence[int], today: date) -> dict[str, str]:
    """An empty form: only the profile year is preset (:func:`default_year`)."""
    year = default_year(years, today)
    return {} if year is None else {"year": str(year)}


def is_true(value: str | None) -> bool:
    """Whether a checkbox or yes/no value is ticked."""
    return (value or "").strip().lower() in TRUE_WORDS


def _number(text: str) -> float:
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = re.sub(r"[\s,_%]", "", cleaned)
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _plain(value: float) -> str:
    """A number as a person would type it: ``8500``, ``8500.5``, ``-3``."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _fact(spec: FieldSpec, raw: str, *, years: Sequence[int]) -> tuple[Any, FieldError | None]:
    """The typed value of one firm fact, or the reason it is refused."""
    if spec.kind == "checkbox":
        return is_true(raw), None
    if spec.kind == "flags":
        return _flags(raw)
    if spec.kind == "text":  # optional free text; the contract's rules hold it (FirmProfile)
        return (raw or None), None
    if raw == "":
        if not spec.required:
            return None, None
        return None, FieldError("choose" if spec.kind == "select" else "required")
    if spec.kind == "select":
        allowed = {"year": [str(y) for y in years], "sector": SECTORS, "region": REGIONS}
        if raw not in allowed[spec.name]:
            return None, FieldError("choose")
        return (int(raw) if spec.name == "year" else raw), None
    try:
        value = _number(raw)
    except ValueError:
        return None, FieldError("integer" if spec.kind == "int" else "number")
    if spec.kind == "int" and not value.is_integer():
        return None, FieldError("integer")
    if spec.minimum is not None and value < spec.minimum:
        return None, FieldError("min", {"min": _plain(spec.minimum)})
    if spec.maximum is not None and value > spec.maximum:
        return None, FieldError("max", {"max": _plain(spec.maximum)})
    return (int(value) if spec.kind == "int" else value), None


def _flags(raw: str) -> tuple[str | None, FieldError | None]:
    """The ticked statuses (``None``: none ticked, not declared), or why they are refused:
    a status the form does not offer, or "none of these" beside a status."""
    ticked = list(dict.fromkeys(p.strip() for p in raw.split(LIST_SEP) if p.strip()))
    unknown = [p for p in ticked if p not in FLAG_OPTIONS]
    if unknown:
        return None, FieldError("unknown_status", {"value": unknown[0][:MAX_FIELD_CHARS]})
    if NO_FLAGS in ticked and len(ticked) > 1:
        return None, FieldError("status_none_and_more")
    return (LIST_SEP.join(ticked) or None), None


def _rating(raw: str) -> tuple[int | None, FieldError | None]:
    if raw == "":
        return None, None
    if raw not in RATINGS:
        return None, FieldError("rating")
    return int(raw), None


def parse_answers(values: Mapping[str, str], *, years: Sequence[int]) -> ParsedAnswers:
    """Check every answer; return the contract profile when none is refused.

    Parameters
    ----------
    values
        The form's fields as strings (see :func:`form_values`).
    years
        The catalogue's years: the profile year must be one of them.
    """
    typed: dict[str, Any] = {}
    errors: dict[str, FieldError] = {}
    for spec in FACT_FIELDS:
        value, error = _fact(spec, values.get(spec.name, ""), years=years)
        if error is None:
            typed[spec.name] = value
        else:
            errors[spec.name] = error
    for cap in CAPABILITIES:
        rating, error = _rating(values.get(cap, ""))
        if error is None:
            typed[cap] = rating
        else:
            errors[cap] = error
    year, founded = typed.get("year"), typed.get("founded_year")
    if year is not None and founded is not None and founded > year:
        errors["founded_year"] = FieldError("founded_after_year", {"year": year})
    employees, researchers = typed.get("employees"), typed.get("researchers")
    if employees is not None and researchers is not None and researchers > employees:
        errors["researchers"] = FieldError("researchers_over_employees", {"employees": employees})
    consent = is_true(values.get("consent"))
    if errors:
        return ParsedAnswers(dict(values), errors, None, consent)
    profile = _profile(typed)
    try:
        FirmProfile.model_validate(profile)
    except ValidationError as exc:  # the API's rules, should the form's ever drift from them
        for err in exc.errors():
            column = str(err["loc"][0]) if err["loc"] else "year"
            errors[FIELD_OF_COLUMN.get(column, column)] = FieldError("invalid")
        return ParsedAnswers(dict(values), errors, None, consent)
    return ParsedAnswers(dict(values), {}, profile, consent)


def _profile(typed: Mapping[str, Any]) -> dict[str, Any]:
    """The contract profile from the typed answers: percentages back to fractions,
    numbers of ``float`` columns as floats, in the contract's column order."""
    profile: dict[str, Any] = {FIRM_ID: PORTAL_FIRM_ID}
    for column in FIRMS.fields:
        if column.name == FIRM_ID or (column.optional and column.name not in FIELDS_BY_NAME):
            continue  # not asked of an anonymous firm
        value = typed[FIELD_OF_COLUMN.get(column.name, column.name)]
        if value is not None and column.name in FIELD_OF_COLUMN:
            value = value / 100.0
        elif value is not None and column.kind == "float":
            value = float(value)
        elif column.kind == "bool":
            value = bool(value)
        profile[column.name] = value
    return profile


# --- answers as a file ----------------------------------------------------------------
def answers_document(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON a firm downloads: its answers as contract columns (no firm id)."""
    answers = {k: v for k, v in profile.items() if k != "firm_id"}
    return {"format": ANSWERS_FORMAT, "version": ANSWERS_VERSION, "profile": answers}


def _scalar_text(column: str, value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None if value is None else ("yes" if value else "")
    if isinstance(value, int | float):
        if not math.isfinite(float(value)):
            return None
        if column in FIELD_OF_COLUMN:
            return _plain(round(float(value) * 100.0, 6))
        return _plain(float(value))
    if isinstance(value, str):
        return value.strip()[: MAX_FIELD_CHARS_OF.get(column, MAX_FIELD_CHARS)]
    return None


def profile_to_values(profile: Mapping[str, Any]) -> dict[str, str]:
    """Form values from a profile of contract columns (a downloaded answers file)."""
    values: dict[str, str] = {}
    for column, value in profile.items():
        name = FIELD_OF_COLUMN.get(str(column), str(column))
        if name not in FORM_FIELDS or name == "consent":
            continue
        if name == "has_rnd_lab":
            values[name] = (
                "yes" if value is True or (isinstance(value, str) and is_true(value)) else ""
            )
            continue
        text = _scalar_text(str(column), value)
        if text is not None:
            values[name] = text
    return values


def read_answers_file(data: bytes) -> dict[str, str]:
    """Form values from an uploaded answers file.

    Accepts the document of :func:`answers_document` or a bare profile object (such as
    the API's request ``profile``).

    Raises
    ------
    AnswersFileError
        The file is empty, too large, not JSON, or holds no answers.
    """
    if not data:
        raise AnswersFileError("upload_missing")
    if len(data) > MAX_UPLOAD_BYTES:
        raise AnswersFileError("upload_too_large", kb=MAX_UPLOAD_BYTES // 1024)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise AnswersFileError("upload_invalid") from exc
    if not isinstance(document, dict):
        raise AnswersFileError("upload_invalid")
    if "format" in document and document.get("format") != ANSWERS_FORMAT:
        raise AnswersFileError("upload_invalid")
    profile = document.get("profile", document)
    if not isinstance(profile, dict):
        raise AnswersFileError("upload_invalid")
    values = profile_to_values(profile)
    if not values:
        raise AnswersFileError("upload_invalid")
    return values
