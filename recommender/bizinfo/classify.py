"""Programme type and targets of an announcement, by transparent keyword rules.

The rules live in ``type_rules.toml`` (a file a caseworker can read and edit, read by
:func:`recommender.adapters.bizinfo.rules.load_type_rules`); this module checks them
(:func:`parse_type_rules`, from the parsed TOML) and applies them. Every decision
carries its evidence (which rule fired on which keywords in which part) and a
confidence, so a person can see why a row got its type and correct it with an override.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from recommender.bizinfo.text import Sections
from recommender.constants import CAPABILITIES, OTHER_TYPE, PROGRAMME_TYPES, V1_PROGRAMME_TYPES
from recommender.errors import DataValidationError, Problem

FIELDS: tuple[str, ...] = ("title", "support", "text")
METHOD_RULES = "rules"
# The second classification's types, which split money lent, guaranteed or taxed less
# (finance) and hiring, wage and staff-cost support (workforce) from other: since the
# contract scores both, they are the contract's own programme types.
V2_TYPES: tuple[str, ...] = PROGRAMME_TYPES
_ASCII_WORD = re.compile(r"[A-Za-z0-9&]+")


@dataclass(frozen=True)
class KeywordRule:
    """One ``[[rule]]`` of the rules file: keywords that vote for one type."""

    name: str
    type: str
    weight: float
    keywords: tuple[str, ...]
    targets: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    fields: tuple[str, ...] = FIELDS
    v2_type: str = ""  # the type it votes for in :func:`classify_v2` (default: ``type``)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = []
        for word in sorted(self.keywords, key=len, reverse=True):  # longest first
            escaped = re.escape(word)
            if _ASCII_WORD.fullmatch(word):  # Latin keywords match as whole words, any case
                escaped = rf"(?i:(?<![A-Za-z]){escaped}(?![A-Za-z]))"
            parts.append(escaped)
        object.__setattr__(self, "pattern", re.compile("|".join(parts)))

    def matches(self, text: str) -> list[str]:
        """The keywords found in ``text`` (after blanking ``unless``), in file order."""
        for phrase in self.unless:
            text = text.replace(phrase, " ")
        found = {m.group(0).lower() for m in self.pattern.finditer(text)}
        return [w for w in self.keywords if w.lower() in found]


@dataclass(frozen=True)
class TypeRules:
    """The whole rules file, checked."""

    rules: tuple[KeywordRule, ...]
    field_weights: Mapping[str, float]
    category_prior: Mapping[str, tuple[str, float]]
    default_targets: Mapping[str, tuple[str, ...]]
    type_order: tuple[str, ...]
    strong_score: float
    source: str = "type_rules.toml"
    category_prior_v2: Mapping[str, tuple[str, float]] = field(default_factory=dict)
    type_order_v2: tuple[str, ...] = V2_TYPES


@dataclass(frozen=True)
class TypeDecision:
    """The outcome for one announcement."""

    programme_type: str
    targets: tuple[str, ...]
    confidence: float
    evidence: str
    scores: Mapping[str, float]


def _problem(file: str, where: str | None, value: object, expected: str) -> Problem:
    return Problem(file, None, where, value, expected)


def _strings(
    raw: Mapping[str, object],
    key: str,
    default: tuple[str, ...],
    where: str,
    file: str,
    problems: list[Problem],
) -> tuple[str, ...]:
    """A list-of-text entry of a rule, or a problem (and ``default``) when it is not one."""
    value = raw.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(_problem(file, where, value, f"{key} as a list of texts"))
        return default
    return tuple(value)


def _check_rule(
    raw: Mapping[str, object], index: int, file: str, problems: list[Problem]
) -> KeywordRule | None:
    where = f"rule {index + 1} ({raw.get('name', '?')})"
    kind = raw.get("type")
    if kind not in V1_PROGRAMME_TYPES:
        problems.append(_problem(file, where, kind, f"type one of {', '.join(V1_PROGRAMME_TYPES)}"))
        return None
    keywords = _strings(raw, "keywords", (), where, file, problems)
    if not keywords:
        problems.append(_problem(file, where, raw.get("keywords"), "at least one keyword"))
        return None
    targets = _strings(raw, "targets", (), where, file, problems)
    unknown = [t for t in targets if t not in CAPABILITIES]
    if unknown:
        problems.append(_problem(file, where, unknown, "targets among the cap_* names"))
    fields = _strings(raw, "fields", FIELDS, where, file, problems)
    if not set(fields) <= set(FIELDS):
        problems.append(_problem(file, where, list(fields), f"fields among {', '.join(FIELDS)}"))
    v2_type = raw.get("v2_type", kind)
    if v2_type not in V2_TYPES:
        problems.append(_problem(file, where, v2_type, f"v2_type one of {', '.join(V2_TYPES)}"))
    weight = raw.get("weight", 1.0)
    if not isinstance(weight, int | float) or weight <= 0:
        problems.append(_problem(file, where, weight, "a positive weight"))
        return None
    return KeywordRule(
        name=str(raw.get("name", f"rule{index + 1}")),
        type=str(kind),
        weight=float(weight),
        keywords=keywords,
        targets=targets,
        unless=_strings(raw, "unless", (), where, file, problems),
        fields=fields,
        v2_type=str(v2_type),
    )


def parse_type_rules(raw: Mapping[str, Any], *, source: str = "type_rules.toml") -> TypeRules:
    """Check the content of a rules file and build the rules.

    Parameters
    ----------
    raw
        The parsed TOML: ``[[rule]]`` entries, ``[scoring]``, ``[category_prior]`` and
        ``[default_targets]``.
    source
        The file's name, for the problems' messages.

    Raises
    ------
    DataValidationError
        A rule names an unknown type, target or field, or the scoring section does not
        order every type; every problem names the file and the rule.
    """
    problems: list[Problem] = []
    rules = [_check_rule(r, i, source, problems) for i, r in enumerate(raw.get("rule", []))]
    scoring = raw.get("scoring", {})
    order = tuple(scoring.get("type_order", V1_PROGRAMME_TYPES))
    if sorted(order) != sorted(V1_PROGRAMME_TYPES):
        problems.append(
            _problem(source, "scoring.type_order", list(order), "every programme type exactly once")
        )
    prior: dict[str, tuple[str, float]] = {}
    for category, (kind, score) in raw.get("category_prior", {}).items():
        if kind not in V1_PROGRAMME_TYPES:
            problems.append(
                _problem(source, f"category_prior.{category}", kind, "a programme type")
            )
        prior[category] = (kind, float(score))
    prior_v2: dict[str, tuple[str, float]] = {}
    for category, (kind, score) in raw.get("category_prior_v2", {}).items():
        if kind not in V2_TYPES:
            problems.append(
                _problem(
                    source,
                    f"category_prior_v2.{category}",
                    kind,
                    "a programme type or finance/workforce",
                )
            )
        prior_v2[category] = (kind, float(score))
    order_v2 = tuple(scoring.get("type_order_v2", V2_TYPES))
    if sorted(order_v2) != sorted(V2_TYPES):
        problems.append(
            _problem(
                source,
                "scoring.type_order_v2",
                list(order_v2),
                "every type of the second classification exactly once",
            )
        )
    defaults = {k: tuple(v) for k, v in raw.get("default_targets", {}).items()}
    for kind, caps in defaults.items():
        if kind not in V2_TYPES or not set(caps) <= set(CAPABILITIES):
            problems.append(
                _problem(
                    source,
                    f"default_targets.{kind}",
                    list(caps),
                    "a programme type mapped to cap_* names",
                )
            )
    if problems:
        raise DataValidationError(problems)
    weights = {f: 1.0 for f in FIELDS} | {
        k: float(v) for k, v in scoring.get("field_weights", {}).items()
    }
    return TypeRules(
        rules=tuple(r for r in rules if r is not None),
        field_weights=weights,
        category_prior=prior,
        default_targets=defaults,
        type_order=order,
        strong_score=float(scoring.get("strong_score", 6.0)),
        source=source,
        category_prior_v2=prior_v2,
        type_order_v2=order_v2,
    )


def classify_text(
    title: str, sections: Sections, lcategory: str | None, *, rules: TypeRules
) -> TypeDecision:
    """Decide the type of one announcement.

    Parameters
    ----------
    title
        The announcement title.
    sections
        Its summary split by :func:`~recommender.bizinfo.text.split_sections`.
    lcategory
        The Bizinfo category (경영, 기술, 금융, ...), or ``None``.
    rules
        From :func:`parse_type_rules` (or the adapter that reads the file).

    Returns
    -------
    TypeDecision
        Type, targets, confidence in [0, 1] and the evidence, e.g.
        ``"loan_guarantee[title:융자] +4.5 ... | category 금융 -> other +3"``.
    """
    return _decide(title, sections, lcategory, rules=rules, v2=False)


def classify_v2(
    title: str, sections: Sections, lcategory: str | None, *, rules: TypeRules
) -> TypeDecision:
    """The type among :data:`V2_TYPES`: :func:`classify_text` with ``finance`` and
    ``workforce`` split from ``other``.

    Each rule votes for its ``v2_type`` (its ``type`` unless the file says otherwise) and
    the category prior is ``[category_prior_v2]``; scoring, confidence and evidence work
    as in :func:`classify_text`; its type is the programme's contract type.
    """
    return _decide(title, sections, lcategory, rules=rules, v2=True)


def _decide(
    title: str, sections: Sections, lcategory: str | None, *, rules: TypeRules, v2: bool
) -> TypeDecision:
    types = V2_TYPES if v2 else V1_PROGRAMME_TYPES
    prior = rules.category_prior_v2 if v2 else rules.category_prior
    order = rules.type_order_v2 if v2 else rules.type_order
    parts = {
        "title": title,
        "support": sections.support,
        "text": "\n".join(p for p in (sections.intro, sections.target) if p),
    }
    scores = dict.fromkeys(types, 0.0)
    fired: dict[str, list[KeywordRule]] = {t: [] for t in types}
    evidence: list[str] = []
    for rule in rules.rules:
        kind = (rule.v2_type or rule.type) if v2 else rule.type
        hits: list[str] = []
        gained = 0.0
        for part in rule.fields:
            words = rule.matches(parts[part])
            if words:
                gained += rule.weight * rules.field_weights[part]
                hits.append(f"{part}:{','.join(words)}")
        if hits:
            scores[kind] += gained
            fired[kind].append(rule)
            evidence.append(f"{rule.name}->{kind}[{'; '.join(hits)}] +{gained:g}")
    if lcategory is not None and lcategory in prior:
        kind, score = prior[lcategory]
        scores[kind] += score
        evidence.append(f"category {lcategory}->{kind} +{score:g}")
    total = sum(scores.values())
    if total <= 0:
        return TypeDecision(OTHER_TYPE, (), 0.0, "no rule matched", scores)
    rank = {t: i for i, t in enumerate(order)}
    winner = max(types, key=lambda t: (scores[t], -rank[t]))
    confidence = scores[winner] / total * min(1.0, scores[winner] / rules.strong_score)
    targets = tuple(dict.fromkeys(c for r in fired[winner] for c in r.targets))
    if not targets:
        targets = rules.default_targets.get(winner, ())
    return TypeDecision(winner, targets, round(confidence, 3), " | ".join(evidence), scores)
