"""Industries an announcement is restricted to or aimed at, as KSIC prefixes.

The keywords live in ``industry_keywords.toml`` (a file a caseworker can read and
correct; its header explains it; read by
:func:`recommender.adapters.bizinfo.industry_rules.load_industry_rules`); this module
checks them (:func:`parse_industry_rules`) and applies them to the "who may apply" part
of a summary. Every reading names the keywords that decided.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from recommender.bizinfo.reading import NOT_STATED, Notice, Reading
from recommender.errors import DataValidationError, Problem

_KSIC = re.compile(r"^\d{1,5}$")
# "C25", "(C32)", "C25ㆍC29": KSIC codes written out (C = manufacturing section).
_EXPLICIT = re.compile(r"(?<![A-Za-z])C\s?(\d{2,5})(?!\d)")
# Lines that do not restrict who may apply.
_SIDE_LINE = re.compile(r"우대|우선|가점|가산|제외|불가|한함|이외")
_ASCII_WORD = re.compile(r"[A-Za-z0-9&]+")
# A title keyword counts only as the applicants' trade: "체외진단의료기기 제조업체",
# "소규모 식품업체", "SaaS기업" (a keyword, then at most one short word, then 기업/업체).
_FIRM_WORDS = ("기업", "업체", "제조사", "사업자")
_TITLE_FIRM = re.compile(rf"^\s?(?:[가-힣A-Za-z]{{0,4}}\s?)?(?:{'|'.join(_FIRM_WORDS)})")
# The broad manufacturing entry gives way to a narrower one on the same line:
# "체외진단의료기기 제조기업" is medical devices, not all manufacturing.
_BROAD = "manufacturing"
_MANUFACTURING = tuple(str(d) for d in range(10, 35))


@dataclass(frozen=True)
class IndustryRule:
    """One ``[[industry]]`` of the mapping file."""

    name: str
    keywords: tuple[str, ...]
    ksic: tuple[str, ...]
    unless: tuple[str, ...] = ()
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = []
        for word in sorted(self.keywords, key=len, reverse=True):
            escaped = re.escape(word)
            if _ASCII_WORD.fullmatch(word):  # Latin keywords as whole words: "ESS", not "ESSENCE"
                escaped = rf"(?<![A-Za-z]){escaped}(?![A-Za-z])"
            parts.append(escaped)
        object.__setattr__(self, "pattern", re.compile("|".join(parts)))

    def matches(self, text: str) -> list[str]:
        """The keywords found in ``text`` once the ``unless`` phrases are blanked."""
        for phrase in self.unless:
            text = text.replace(phrase, " ")
        found = {m.group(0) for m in self.pattern.finditer(text)}
        return [w for w in self.keywords if w in found]


@dataclass(frozen=True)
class IndustryRules:
    """The whole mapping file, checked."""

    rules: tuple[IndustryRule, ...]
    source: str = "industry_keywords.toml"


def _texts(
    raw: Mapping[str, object],
    key: str,
    where: str,
    file: str,
    problems: list[Problem],
    *,
    required: bool,
) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(Problem(file, None, where, value, f"{key} as a list of texts"))
        return ()
    if required and not value:
        problems.append(Problem(file, None, where, value, f"at least one entry in {key}"))
    return tuple(value)


def parse_industry_rules(
    raw: Mapping[str, object], *, source: str = "industry_keywords.toml"
) -> IndustryRules:
    """Check a parsed mapping file (``{"industry": [{name, keywords, ksic, unless}]}``).

    Raises
    ------
    DataValidationError
        An entry lacks keywords or prefixes, or a prefix is not 1-5 digits; every
        problem names the file and the entry.
    """
    problems: list[Problem] = []
    rules = []
    entries = raw.get("industry", [])
    if not isinstance(entries, list):
        raise DataValidationError(
            [Problem(source, None, "industry", entries, "a list of [[industry]] tables")]
        )
    for index, entry in enumerate(entries):
        where = f"industry {index + 1} ({entry.get('name', '?')})"
        keywords = _texts(entry, "keywords", where, source, problems, required=True)
        ksic = _texts(entry, "ksic", where, source, problems, required=True)
        bad = [k for k in ksic if not _KSIC.match(k)]
        if bad:
            problems.append(Problem(source, None, where, bad, "KSIC prefixes of 1-5 digits"))
        unless = _texts(entry, "unless", where, source, problems, required=False)
        if keywords and ksic:
            rules.append(
                IndustryRule(str(entry.get("name", f"industry{index + 1}")), keywords, ksic, unless)
            )
    if problems:
        raise DataValidationError(problems)
    return IndustryRules(tuple(rules), source)


def _sort_key(prefix: str) -> tuple[int, str]:
    return int(prefix[:2]), prefix


def _fired(line: str, rules: IndustryRules) -> list[tuple[IndustryRule, list[str]]]:
    return [(rule, words) for rule in rules.rules if (words := rule.matches(line))]


def _title_fired(title: str, rules: IndustryRules) -> list[tuple[IndustryRule, list[str]]]:
    """Entries whose keyword in the title names the applicants' trade (:data:`_TITLE_FIRM`)."""
    out = []
    for rule, words in _fired(title, rules):
        named = [w for w in words if w.endswith(_FIRM_WORDS) or _names_firms(title, w)]
        if named:
            out.append((rule, named))
    return out


def _names_firms(title: str, word: str) -> bool:
    return any(_TITLE_FIRM.match(title[m.end() :]) for m in re.finditer(re.escape(word), title))


def _narrowest(
    fired: list[tuple[IndustryRule, list[str]]],
) -> list[tuple[IndustryRule, list[str]]]:
    """``fired`` without the broad manufacturing entry when a narrower manufacturing
    industry fired beside it."""
    narrower = any(
        r.name != _BROAD and all(p.startswith(_MANUFACTURING) for p in r.ksic) for r, _ in fired
    )
    return [(r, w) for r, w in fired if not (narrower and r.name == _BROAD)]


def read_industries(notice: Notice, *, rules: IndustryRules) -> Reading[tuple[str, ...]]:
    """KSIC prefixes of the industries the applicants must be in.

    Parameters
    ----------
    notice
        The announcement; its "who may apply" part is read (overview too when the
        summary has no ``☞`` part); when that restricts nothing, a title keyword that
        names the applicants' trade (``소규모 식품업체``) does.
    rules
        From :func:`parse_industry_rules`.

    Returns
    -------
    Reading
        Sorted prefixes (empty: not restricted) and ``industry[keyword, ...]`` for each
        mapping entry that fired, or ``"not stated"``.
    """
    text = notice.target or notice.intro
    prefixes: set[str] = set()
    seen: list[str] = []
    explicit: dict[str, str] = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("※") or _SIDE_LINE.search(line):
            continue
        for rule, words in _narrowest(_fired(line, rules)):
            prefixes.update(rule.ksic)
            seen.append(f"{rule.name}[{','.join(words)}]")
        explicit |= {m.group(1): f"KSIC C{m.group(1)}" for m in _EXPLICIT.finditer(line)}
    if explicit:
        prefixes, seen = set(explicit), list(explicit.values())
    if not prefixes:
        for rule, words in _narrowest(_title_fired(notice.title, rules)):
            prefixes.update(rule.ksic)
            seen.append(f"title: {rule.name}[{','.join(words)}]")
    if not prefixes:
        return Reading((), NOT_STATED)
    # A division makes its own sub-classes redundant (10 covers 107).
    kept = {p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)}
    return Reading(tuple(sorted(kept, key=_sort_key)), "; ".join(dict.fromkeys(seen)))
