"""Bizinfo announcements -> canonical programme rows, and re-import into a catalogue.

Pure: the feed is read by :func:`recommender.adapters.bizinfo.feed.read_announcements`
and checked here (:func:`check_announcements`); ``announcements_to_programmes`` turns
it into contract rows with their evidence, ``merge_catalogue``
(:mod:`~recommender.bizinfo.merge`) folds a new import into an existing catalogue (ids
stable, nothing duplicated), ``validate_programmes`` checks rows against the contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.bizinfo.classify import (
    METHOD_RULES,
    TypeDecision,
    TypeRules,
)
from recommender.bizinfo.fields import AnnouncementFields, read_fields
from recommender.bizinfo.industries import IndustryRules
from recommender.bizinfo.merge import merge_catalogue
from recommender.bizinfo.overrides import check_override
from recommender.bizinfo.parse import (
    announcement_url,
    apply_window,
    html_to_text,
    parse_agency,
    parse_date,
    parse_employees,
    parse_firm_age,
    parse_max_revenue,
    parse_sectors,
    programme_year,
    split_sections,
)
from recommender.bizinfo.reading import Notice
from recommender.constants import (
    LIST_SEP,
    PROGRAMME_ID,
)
from recommender.contract.canonical import canonical_programmes
from recommender.contract.fields import OPTIONAL_PROGRAMME_COLUMNS, PROGRAMME_COLUMNS
from recommender.contract.raw import RawTable
from recommender.contract.tables import check_tables
from recommender.errors import DataValidationError, Problem

SOURCE: Final[str] = "bizinfo"
REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("id", "title", "lcategory", "pubDate", "description")
OPTIONAL_COLUMNS: Final[tuple[str, ...]] = (
    "link",
    "author",
    "excInsttNm",
    "apply_start",
    "apply_end",
    "trgetNm",
)
METHOD_OVERRIDE: Final[str] = "override"
EVIDENCE_COLUMNS: Final[tuple[str, ...]] = (
    "type_method",
    "type_confidence",
    "type_evidence",
    "region_evidence",
    "eligibility_evidence",
    "target_group",
    "date_evidence",
    # The evidence of the contract-v2 columns (districts, target_groups, industries,
    # support_kind, offers_nothing, requires_patent; v1's requires_rnd_lab), and the type
    # with finance and workforce:
    "type_v2",
    "district_evidence",
    "target_groups_evidence",
    "industries_evidence",
    "support_kind_evidence",
    "support_amount_evidence",
    "offers_nothing_evidence",
    "requires_rnd_lab_evidence",
    "requires_patent_evidence",
)
CATALOGUE_COLUMNS: Final[tuple[str, ...]] = (
    *PROGRAMME_COLUMNS,
    *OPTIONAL_PROGRAMME_COLUMNS,
    *EVIDENCE_COLUMNS,
)


# --- checking the feed -------------------------------------------------------------------
def _text_or_blank(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def check_announcements(raw: pd.DataFrame, *, file: str = "announcements") -> list[Problem]:
    """Everything that stops an announcement frame from being imported.

    Required columns are ``id``, ``title``, ``lcategory``, ``pubDate`` and
    ``description``; each row needs an id, a title and a readable date for its year
    (``apply_start`` or ``pubDate``). Rows are numbered as in a CSV file (header = 1).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        return [Problem(file, None, c, None, f"a column named {c}") for c in missing]
    problems: list[Problem] = []
    starts = (
        raw["apply_start"]
        if "apply_start" in raw.columns
        else pd.Series(None, index=raw.index, dtype=object)
    )
    for row, (ident, title, published, start) in enumerate(
        zip(raw["id"], raw["title"], raw["pubDate"], starts, strict=True), start=2
    ):
        if not _text_or_blank(ident).strip():
            problems.append(Problem(file, row, "id", None, "an announcement id (PBLN_...)"))
        if not _text_or_blank(title).strip():
            problems.append(Problem(file, row, "title", None, "a title"))
        if parse_date(start) is None and parse_date(published) is None:
            problems.append(
                Problem(
                    file,
                    row,
                    "pubDate",
                    _text_or_blank(published) or None,
                    "a date YYYY-MM-DD (or a readable apply_start)",
                )
            )
    return problems


def latest_per_id(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per announcement id: the latest publication (ties: the last in the file)."""
    order = raw.assign(_published=raw["pubDate"].map(parse_date), _position=np.arange(len(raw)))
    order = order.sort_values(["_published", "_position"], na_position="first", kind="stable")
    kept = order.drop_duplicates("id", keep="last").sort_values("_position")
    return kept.drop(columns=["_published", "_position"])


# --- one announcement --------------------------------------------------------------------
def _get(row: Mapping[str, Any], column: str) -> str | None:
    text = _text_or_blank(row.get(column)).strip()
    return text or None


def _with_override(decision: TypeDecision, override: str, rules: TypeRules) -> dict[str, Any]:
    targets = (
        decision.targets
        if override == decision.programme_type
        else (rules.default_targets.get(override, ()))
    )
    return {
        "programme_type": override,
        "targets": LIST_SEP.join(targets) or None,
        "type_method": METHOD_OVERRIDE,
        "type_confidence": 1.0,
        "type_evidence": f"override: set to {override} by a caseworker; rules said "
        f"{decision.programme_type} ({decision.evidence})",
    }


def _said(fields: AnnouncementFields) -> dict[str, Any]:
    """The contract-v2 columns an announcement fills, and the evidence of each."""

    def joined(values: tuple[str, ...]) -> str | None:
        return LIST_SEP.join(values) or None

    return {
        "type_v2": fields.programme_type.value,
        "districts": fields.districts.value,
        "district_evidence": fields.districts.evidence,
        "target_groups": joined(fields.target_groups.value),
        "target_groups_evidence": fields.target_groups.evidence,
        "industries": joined(fields.industries.value),
        "industries_evidence": fields.industries.evidence,
        "support_kind": fields.support_kind.value,
        "support_kind_evidence": fields.support_kind.evidence,
        "support_amount_evidence": fields.support_krw_m.evidence,
        "offers_nothing": fields.offers_nothing.value,
        "offers_nothing_evidence": fields.offers_nothing.evidence,
        "requires_rnd_lab_evidence": fields.requires_rnd_lab.evidence,
        "requires_patent": fields.requires_patent.value or None,
        "requires_patent_evidence": fields.requires_patent.evidence,
    }


def announcement_to_programme(
    row: Mapping[str, Any],
    *,
    rules: TypeRules,
    override: str | None = None,
    industry_rules: IndustryRules | None = None,
) -> dict[str, Any]:
    """The programme row (contract columns plus evidence) of one announcement."""
    title = _get(row, "title") or ""
    sections = split_sections(html_to_text(_get(row, "description")))
    window = apply_window(row.get("apply_start"), row.get("apply_end"))
    year, year_note = programme_year(window, row.get("pubDate"))
    fields = read_fields(Notice.from_row(row), type_rules=rules, industry_rules=industry_rules)
    target_group = _get(row, "trgetNm")
    sectors = parse_sectors(sections.target, target_group)
    employees = parse_employees(sections.target)
    age = parse_firm_age(sections.target)
    revenue = parse_max_revenue(sections.target)
    kind = fields.programme_type.value
    decision = TypeDecision(
        kind, fields.targets.value, fields.type_confidence, fields.programme_type.evidence, {}
    )
    typed = {
        "programme_type": decision.programme_type,
        "targets": LIST_SEP.join(decision.targets) or None,
        "type_method": METHOD_RULES,
        "type_confidence": decision.confidence,
        "type_evidence": decision.evidence,
    }
    if override is not None:
        typed = _with_override(decision, override, rules)
    rules_seen = [
        e for e in (sectors.evidence, employees.evidence, age.evidence, revenue.evidence) if e
    ]
    rules_seen += [
        r.evidence
        for r in (fields.max_employees, fields.max_firm_age)
        if r.value is not None and r.evidence not in rules_seen
    ]
    description = "\n".join(p for p in sections if p) or None
    return {
        PROGRAMME_ID: _get(row, "id"),
        "name": title,
        "agency": parse_agency(row.get("excInsttNm"), row.get("author")),
        "year": year,
        "min_employees": employees.low,
        "max_employees": fields.max_employees.value,
        "min_firm_age": age.low,
        "max_firm_age": fields.max_firm_age.value,
        "sectors": sectors.sectors,
        "regions": fields.regions.value,
        "requires_rnd_lab": fields.requires_rnd_lab.value or None,
        "max_revenue_krw_m": revenue.high,
        "support_krw_m": fields.support_krw_m.value,
        "duration_months": None,
        "capacity": None,
        "apply_start": window.start,
        "apply_end": window.end,
        "url": announcement_url(row.get("link")),
        "description": description,
        "source": SOURCE,
        **typed,
        "region_evidence": fields.regions.evidence,
        "eligibility_evidence": "; ".join(rules_seen) or None,
        "target_group": target_group,
        "date_evidence": "; ".join(e for e in (year_note, window.evidence) if e),
        **_said(fields),
    }


def announcements_to_programmes(
    raw: pd.DataFrame,
    *,
    rules: TypeRules,
    overrides: Mapping[str, str] | None = None,
    industry_rules: IndustryRules | None = None,
) -> pd.DataFrame:
    """Canonical programme rows, one per announcement id, with evidence columns.

    Parameters
    ----------
    raw
        Announcements as read by
        :func:`~recommender.adapters.bizinfo.feed.read_announcements` (or any frame with
        its columns). An id listed twice keeps its latest publication.
    rules
        Type rules (:func:`~recommender.bizinfo.classify.parse_type_rules`; the shipped
        ones: :func:`~recommender.adapters.bizinfo.rules.load_type_rules`).
    overrides
        Programme id -> type set by a caseworker; wins over the rules and is marked
        ``type_method = "override"``. Ids not in ``raw`` are ignored.
    industry_rules
        Keyword -> KSIC mapping (:func:`~recommender.bizinfo.industries.parse_industry_rules`;
        the shipped one: :func:`~recommender.adapters.bizinfo.industry_rules.load_industry_rules`);
        without it industries are not read.

    Returns
    -------
    pandas.DataFrame
        The contract's programme columns (canonical dtypes, docs/internals.md), then
        ``type_method``, ``type_confidence``, ``type_evidence``, ``region_evidence``,
        ``eligibility_evidence``, ``target_group`` (Bizinfo's trgetNm, e.g. 소상공인,
        which the contract cannot express), ``date_evidence``, then ``type_v2`` (with
        ``finance`` and ``workforce``, which ``programme_type`` shows as ``other`` for
        now) and the evidence of what the announcement says
        (:func:`~recommender.bizinfo.fields.read_fields`) for the contract-v2 columns
        ``districts``, ``target_groups``, ``industries``, ``support_kind`` and
        ``offers_nothing``, and ``support_amount_evidence``.

    Raises
    ------
    DataValidationError
        ``raw`` lacks a required column or a row lacks an id, title or readable date,
        or an override names an unknown type.
    """
    problems = check_announcements(raw)
    overrides = dict(overrides or {})
    problems += [
        p
        for ident, kind in overrides.items()
        for p in check_override(ident, kind, file="overrides")
    ]
    if problems:
        raise DataValidationError(problems)
    rows = [
        announcement_to_programme(
            row, rules=rules, override=overrides.get(str(row["id"])), industry_rules=industry_rules
        )
        for row in latest_per_id(raw).to_dict("records")
    ]
    frame = pd.DataFrame(rows, columns=list(CATALOGUE_COLUMNS))
    out = canonical_programmes(frame)
    for column in EVIDENCE_COLUMNS:
        values = frame[column].astype(object)
        out[column] = values.where(values.notna(), None)
    out["type_confidence"] = out["type_confidence"].astype("float64")
    return out


# --- the contract check ------------------------------------------------------------------
def validate_programmes(frame: pd.DataFrame, *, file: str = "programmes") -> pd.DataFrame:
    """Check programme rows against the contract; return them canonical.

    Raises
    ------
    DataValidationError
        Every problem, named by ``file``, row (first row = 2) and column.
    """
    columns = [c for c in (*PROGRAMME_COLUMNS, *OPTIONAL_PROGRAMME_COLUMNS) if c in frame]
    parsed, problems = check_tables({"programmes": RawTable.numbered(frame[columns], file)})
    if problems:
        raise DataValidationError(problems)
    return canonical_programmes(parsed["programmes"])


__all__ = [
    "announcement_to_programme",
    "announcements_to_programmes",
    "check_announcements",
    "latest_per_id",
    "merge_catalogue",
    "validate_programmes",
]
