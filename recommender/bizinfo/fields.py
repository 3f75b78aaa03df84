"""Everything an announcement says, field by field, each with the words that decided.

:func:`read_fields` runs every field parser on one :class:`~recommender.bizinfo.reading.Notice`
and applies the rules that tie fields together:

- a district implies its region (read together by
  :func:`~recommender.bizinfo.regions.read_regions`);
- preliminary founders only means a firm age of at most 0;
- a notice that offers nothing (awards, results, homeowners) has no type but ``other``,
  no support kind or amount and no targets, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from recommender.bizinfo.classify import TypeRules, classify_v2
from recommender.bizinfo.criteria import read_max_employees, read_max_firm_age
from recommender.bizinfo.groups import read_target_groups
from recommender.bizinfo.holdings import read_lab_required, read_patent_required
from recommender.bizinfo.industries import IndustryRules, read_industries
from recommender.bizinfo.offers import read_offers_nothing
from recommender.bizinfo.reading import Notice, Reading
from recommender.bizinfo.regions import read_regions
from recommender.bizinfo.support import read_support_amount, read_support_kind
from recommender.constants import OTHER_TYPE

NO_INDUSTRY_RULES = "not read: no industry mapping given"
FIELD_NAMES: tuple[str, ...] = (
    "programme_type",
    "regions",
    "districts",
    "target_groups",
    "industries",
    "max_firm_age",
    "max_employees",
    "requires_rnd_lab",
    "requires_patent",
    "support_kind",
    "support_krw_m",
    "offers_nothing",
    "targets",
)


@dataclass(frozen=True)
class AnnouncementFields:
    """The readings of one announcement (see :data:`FIELD_NAMES`).

    ``programme_type`` is one of :data:`~recommender.bizinfo.classify.V2_TYPES`
    (``finance`` and ``workforce`` included); ``type_confidence`` is the rules'.
    """

    programme_type: Reading[str]
    type_confidence: float
    regions: Reading[str]
    districts: Reading[str]
    target_groups: Reading[tuple[str, ...]]
    industries: Reading[tuple[str, ...]]
    max_firm_age: Reading[float | None]
    max_employees: Reading[float | None]
    requires_rnd_lab: Reading[bool]
    requires_patent: Reading[bool]
    support_kind: Reading[str | None]
    support_krw_m: Reading[float | None]
    offers_nothing: Reading[bool]
    targets: Reading[tuple[str, ...]]

    def reading(self, name: str) -> Reading[object]:
        """The reading of field ``name`` (one of :data:`FIELD_NAMES`)."""
        if name not in FIELD_NAMES:
            raise KeyError(name)
        value: Reading[object] = getattr(self, name)
        return value


def read_fields(
    notice: Notice, *, type_rules: TypeRules, industry_rules: IndustryRules | None
) -> AnnouncementFields:
    """Read every field of one announcement.

    Parameters
    ----------
    notice
        The announcement (:meth:`Notice.from_row` of a feed row).
    type_rules
        Programme-type rules (``type_rules.toml``).
    industry_rules
        Keyword -> KSIC mapping (``industry_keywords.toml``); ``None``: industries are
        not read (empty, and the evidence says so).

    Returns
    -------
    AnnouncementFields
        Each field's value (``None``, ``()`` or ``*`` when the announcement does not say)
        and its evidence (the deciding words, or ``"not stated"``).
    """
    regions, districts = read_regions(notice)
    groups = read_target_groups(notice)
    nothing = read_offers_nothing(notice)
    decision = classify_v2(notice.title, notice.sections, notice.category or None, rules=type_rules)
    kind = Reading(decision.programme_type, decision.evidence)
    targets = Reading(decision.targets, f"targets of {decision.programme_type}")
    amount = read_support_amount(notice)
    support = read_support_kind(notice, has_amount=amount.value is not None)
    if nothing.value:
        why = f"offers nothing ({nothing.evidence})"
        kind = Reading(OTHER_TYPE, f"{why}; rules said {decision.programme_type}")
        targets = Reading((), why)
        amount = Reading(None, why)
        support = Reading(None, why)
    return AnnouncementFields(
        programme_type=kind,
        type_confidence=decision.confidence,
        regions=regions,
        districts=districts,
        target_groups=groups,
        industries=(
            read_industries(notice, rules=industry_rules)
            if industry_rules
            else Reading((), NO_INDUSTRY_RULES)
        ),
        max_firm_age=read_max_firm_age(notice, groups.value),
        max_employees=read_max_employees(notice),
        requires_rnd_lab=read_lab_required(notice),
        requires_patent=read_patent_required(notice),
        support_kind=support,
        support_krw_m=amount,
        offers_nothing=nothing,
        targets=targets,
    )
