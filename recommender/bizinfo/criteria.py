"""Eligibility rules an announcement states outright: sectors, headcount, age, revenue.

Only the "who may apply" part of the summary (see
:func:`~recommender.bizinfo.text.split_sections`) is read, and only unambiguous
statements become rules. Whenever the text is hedged (an exception clause, thresholds
that differ by industry, alternatives the contract cannot express) the rule stays
empty; the evidence string says what was seen either way.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from recommender.bizinfo.reading import NOT_STATED, Notice, Reading
from recommender.constants import ALL, LIST_SEP, SECTORS

MANUFACTURING: Final[tuple[str, ...]] = ("mfg_high_tech", "mfg_mid_tech", "mfg_low_tech")
KNOWLEDGE_SERVICES: Final[tuple[str, ...]] = ("kbs_ict", "kbs_professional", "kbs_content")

# Phrases that restrict the sector, with what they admit.
SECTOR_PHRASES: Final[tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]] = (
    ("manufacturing", re.compile(r"제조\s*(업체|기업|업종|업)|소공인"), MANUFACTURING),
    (
        "knowledge services",
        re.compile(r"지식\s*(기반)?\s*(서비스\s*(산업|업)?|산업|업)"),
        KNOWLEDGE_SERVICES,
    ),
    (
        "ICT/software",
        re.compile(
            r"ICT\s*[/ㆍ·]?\s*(SW\s*)?(기업|관련\s*기업)|정보통신업|"
            r"소프트웨어\s*(개발업|사업자|기업)|SW\s*기업"
        ),
        ("kbs_ict",),
    ),
    (
        "content",
        re.compile(
            r"(문화|게임|디지털|영상)?\s*콘텐츠\s*(제작\s*)?"
            r"(기업|사업자|개발사|제작사)"
        ),
        ("kbs_content",),
    ),
)
# Anything left after the phrases are taken out that admits other firms, or hedges.
SECTOR_BLOCKERS: Final[re.Pattern[str]] = re.compile(
    r"관련\s*(서비스|업|지식)|서비스|건설|운송|운수|광업|도\s*[ㆍ·]?\s*소매|유통|음식|숙박|관광|"
    r"농업|어업|수산|임업|소상공인|전\s*[ㆍ·]?\s*후방|하나|제외|수출입|무역|대학|연구기관|단체|"
    r"피해기업|협력사"
)

_EMPLOYEES = re.compile(
    r"(상시\s*(고용\s*)?근로자|고용보험\s*(가입자|피보험자)|피보험자)\s*"
    r"(수|수가|가)?\s*(\([^)]*\))?\s*"
)
_NUMBER = r"(\d[\d,]*)"
_RANGE = re.compile(
    rf"{_NUMBER}\s*(?:인|명)?\s*(?:이상)?\s*[~∼-]\s*"
    rf"{_NUMBER}\s*(?:인|명)\s*(미만|이하)?"
)
_RANGE_WORDS = re.compile(
    rf"{_NUMBER}\s*(?:인|명)\s*(이상|초과)\s*"
    rf"{_NUMBER}\s*(?:인|명)\s*(미만|이하)"
)
_SINGLE = re.compile(rf"{_NUMBER}\s*(?:인|명)\s*(이상|이하|미만|초과)")
_ANY_HEADCOUNT = re.compile(rf"{_NUMBER}\s*(?:인|명)\s*\)?\s*(이상|이하|미만|초과)")
_AGE = re.compile(
    r"(업력|창업|설립|개업)\s*(후|이후)?\s*(이|은|가)?\s*(만\s*)?(\d+)\s*년\s*"
    r"(이내|미만|이하|이상|초과)"
)
_AGE_BEFORE = re.compile(r"(\d+)\s*년\s*(이내|미만)\s*(의\s*)?(\(예비\)\s*)?(창업|스타트업)")
# the law's wording of 창업기업: "사업을 개시한 날부터 7년이 지나지 아니한 기업"
_AGE_LEGAL = re.compile(
    r"(개시|설립|창업)한\s*날\s*(로)?부터\s*(\d+)\s*년이?\s*"
    r"(지나지\s*아니한|지나지\s*않은|경과하지\s*아니한|경과하지\s*않은)"
)
# 「중소기업창업 지원법」: an 초기창업기업 has been in business for at most 3 years
_EARLY_STAGE = re.compile(r"초기\s*창업\s*(기업|자)")
EARLY_STAGE_YEARS: Final[float] = 3.0
_REVENUE = re.compile(
    r"매출(액)?\s*(\([^)]*\))?\s*(\d[\d,.]*)\s*(억|천만|백만)\s*원?\s*"
    r"(이하|미만)"
)
_REVENUE_UNIT_KRW_M: Final[dict[str, float]] = {"억": 100.0, "천만": 10.0, "백만": 1.0}
_HEDGES = re.compile(r"이라도|예외|도\s*(신청\s*)?가능|신청\s*가능|일부")


class Bounds(NamedTuple):
    """A lower and an upper limit (``None`` = no rule) and how they were found."""

    low: float | None
    high: float | None
    evidence: str


class SectorResult(NamedTuple):
    """A contract ``sectors`` value and how it was found."""

    sectors: str
    evidence: str


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _limits(op: str, value: float) -> tuple[float | None, float | None]:
    """``op`` (이상/초과/이하/이내/미만) on whole counts -> inclusive (low, high)."""
    return {
        "이상": (value, None),
        "초과": (value + 1, None),
        "이하": (None, value),
        "이내": (None, value),
        "미만": (None, value - 1),
    }[op]


def _combine(found: list[tuple[float | None, float | None, str]], what: str) -> Bounds:
    """One bound per side, or nothing when the statements disagree."""
    if not found:
        return Bounds(None, None, "")
    lows = {lo for lo, _, _ in found if lo is not None}
    highs = {hi for _, hi, _ in found if hi is not None}
    seen = "; ".join(dict.fromkeys(text for _, _, text in found))
    if len(lows) > 1 or len(highs) > 1:
        return Bounds(None, None, f"{what}: conflicting statements ({seen}); no rule")
    low = next(iter(lows), None)
    high = next(iter(highs), None)
    if low is not None and high is not None and low > high:
        return Bounds(None, None, f"{what}: contradictory ({seen}); no rule")
    return Bounds(low, high, f"{what}: {seen}")


def parse_employees(target: str) -> Bounds:
    """Headcount limits from ``상시근로자 N인 이상/이하/미만`` and the like.

    Parameters
    ----------
    target
        The "who may apply" part of the summary.

    Returns
    -------
    Bounds
        Inclusive ``(min_employees, max_employees)``; ``미만`` N becomes at most N - 1.
        No rule when a line hedges (``이라도``, ``신청 가능``...) or gives a second,
        different threshold (``제조업은 10인 미만``).
    """
    found: list[tuple[float | None, float | None, str]] = []
    for line in target.split("\n"):
        starts = list(_EMPLOYEES.finditer(line))
        if not starts:
            continue
        if _HEDGES.search(line):
            return Bounds(None, None, f"employees: hedged statement ({line.strip()}); no rule")
        used = 0
        for start in starts:
            rest = line[start.end() :]
            if m := _RANGE_WORDS.match(rest):
                low = _limits(m.group(2), _int(m.group(1)))[0]
                high = _limits(m.group(4), _int(m.group(3)))[1]
            elif m := _RANGE.match(rest):
                low, high = _int(m.group(1)), _int(m.group(2))
                high = high - 1 if m.group(3) == "미만" else high
            elif m := _SINGLE.match(rest):
                low, high = _limits(m.group(2), _int(m.group(1)))
            else:
                continue
            used += len(_ANY_HEADCOUNT.findall(m.group(0)))
            found.append((low, high, (start.group(0) + m.group(0)).strip()))
        if len(_ANY_HEADCOUNT.findall(line)) > used:
            return Bounds(None, None, f"employees: several thresholds ({line.strip()}); no rule")
    return _combine(found, "employees")


def parse_firm_age(target: str) -> Bounds:
    """Firm-age limits from ``업력 N년 미만``, ``창업 7년 이내``, ``3년 이내 창업기업``,
    the law's ``사업을 개시한 날부터 7년이 지나지 아니한`` (of alternatives joined by
    ``또는``, the loosest) and ``초기창업기업`` (3 years).

    Returns
    -------
    Bounds
        Inclusive ``(min_firm_age, max_firm_age)`` in whole years.
    """
    found: list[tuple[float | None, float | None, str]] = []
    for m in _AGE.finditer(target):
        low, high = _limits(m.group(6), int(m.group(5)))
        found.append((low, high, m.group(0).strip()))
    for m in _AGE_BEFORE.finditer(target):
        low, high = _limits(m.group(2), int(m.group(1)))
        found.append((low, high, m.group(0).strip()))
    legal = list(_AGE_LEGAL.finditer(target))
    if len(legal) > 1 and all(
        "또는" in target[a.end() : b.start()] for a, b in zip(legal, legal[1:], strict=False)
    ):
        # alternatives ("7년이 지나지 아니한 기업 또는 … 10년이 지나지 않은 기업"): the loosest
        legal = [max(legal, key=lambda m: int(m.group(3)))]
    for m in legal:
        found.append((None, float(m.group(3)), m.group(0).strip()))
    early = None if found else _EARLY_STAGE.search(target)
    if early is not None:
        found.append((None, EARLY_STAGE_YEARS, f"{early.group(0)} (창업 3년 이내)"))
    return _combine(found, "firm age")


def parse_max_revenue(target: str) -> Bounds:
    """Revenue cap in million KRW from ``연매출액 N억원 이하`` and the like.

    Returns
    -------
    Bounds
        ``(None, max_revenue_krw_m)``; ``미만`` is read as "at most" (revenue is not
        counted in whole units, so the strict bound cannot be told apart).
    """
    found: list[tuple[float | None, float | None, str]] = []
    for m in _REVENUE.finditer(target):
        amount = float(m.group(3).replace(",", "")) * _REVENUE_UNIT_KRW_M[m.group(4)]
        found.append((None, amount, m.group(0).strip()))
    return _combine(found, "revenue")


def parse_sectors(target: str, target_group: str | None = None) -> SectorResult:
    """Sector restriction, only where the applicant description says so plainly.

    Parameters
    ----------
    target
        The "who may apply" part of the summary.
    target_group
        Bizinfo's ``trgetNm``; ``제조업`` there restricts to manufacturing.

    Returns
    -------
    SectorResult
        ``*`` unless the text names manufacturing, knowledge services, ICT/software or
        content firms and nothing else that would admit other firms (related services,
        construction, small merchants, "any of", exclusions...).
    """
    if (target_group or "").strip() == "제조업":
        return SectorResult(LIST_SEP.join(MANUFACTURING), "target group 제조업")
    names: list[str] = []
    admitted: set[str] = set()
    rest = target
    for name, pattern, sectors in SECTOR_PHRASES:
        if pattern.search(rest):
            names.append(name)
            admitted.update(sectors)
            rest = pattern.sub(" ", rest)
    if not admitted:
        return SectorResult(ALL, "")
    if blocker := SECTOR_BLOCKERS.search(rest):
        return SectorResult(
            ALL, f"sectors: {', '.join(names)} named but also '{blocker.group(0)}'; no rule"
        )
    return SectorResult(
        LIST_SEP.join(s for s in SECTORS if s in admitted), f"sectors: {', '.join(names)} only"
    )


# --- readings of an announcement (value + evidence) ----------------------------------------
_ONE_PERSON = re.compile(r"1\s*인\s*(소상공인|자영업자|사업자|사업주)")


def _not_stated(bounds: Bounds) -> str:
    return f"{NOT_STATED} ({bounds.evidence})" if bounds.evidence else NOT_STATED


def read_max_firm_age(notice: Notice, groups: tuple[str, ...]) -> Reading[float | None]:
    """The oldest a firm may be, in whole years since founding.

    ``업력 N년 이내`` and the like in the "who may apply" part; applicants who must be
    preliminary founders only (``groups == ("preliminary_founder",)``) give 0.
    Conflicting statements give ``None``.
    """
    bounds = parse_firm_age(notice.target)
    if bounds.high is not None:
        return Reading(bounds.high, bounds.evidence)
    if groups == ("preliminary_founder",):
        return Reading(0.0, "firm age: preliminary founders only (예비창업자)")
    return Reading(None, _not_stated(bounds))


def read_max_employees(notice: Notice) -> Reading[float | None]:
    """The largest headcount allowed (``상시근로자 10인 미만`` -> 9, ``1인 소상공인`` -> 1)."""
    bounds = parse_employees(notice.target)
    if bounds.high is not None:
        return Reading(bounds.high, bounds.evidence)
    if bounds.low is None and not bounds.evidence and (m := _ONE_PERSON.search(notice.target)):
        return Reading(1.0, f"employees: {m.group(0)}")
    return Reading(None, _not_stated(bounds))
