"""What an announcement gives a firm: the kind of support and its per-firm maximum.

**Amount** (``support_krw_m``, million KRW): the largest per-firm sum in the "what is
given" part of the summary (the whole summary when it has no ``☞`` parts), read by
:mod:`~recommender.bizinfo.amounts`; a total budget, threshold, per-person or per-month
sum is not one.

**Kind**, decided on the title and the first line of the "what is given" part (its
``-`` sub-lines when that line says nothing):

1. money lent or its cost: ``tax`` (세액감면, 과세특례) before ``guarantee`` (보증) before
   ``interest_subsidy`` (이차보전, 이자지원) before ``loan`` (융자, 대출, 운전자금);
2. ``voucher`` (바우처);
3. otherwise the first of ``consulting`` (컨설팅, 진단, 자문, 멘토링), ``training`` (교육,
   훈련), ``grant`` (비용, 인건비, 보조금, 지원금, 장려금) and ``in_kind`` (판촉, 전시, 입점,
   시제품 제작, 장비 활용, 현물) in the text, where cash words beat in-kind ones and a
   package of several kinds under one per-firm ceiling (``공정개선, 시제품, 컨설팅,
   마케팅 기업당 5,000만원 한도``) is a grant, as is a service with a stated cash ceiling;
4. ``other`` for designations (우수제품 지정); a stated sum alone means ``grant``.
"""

from __future__ import annotations

import re
from typing import Final

from recommender.bizinfo.amounts import find_amounts, per_firm_maximum
from recommender.bizinfo.reading import NOT_STATED, Notice, Reading
from recommender.constants import SUPPORT_KINDS as CONTRACT_SUPPORT_KINDS

SUPPORT_KINDS: Final[tuple[str, ...]] = CONTRACT_SUPPORT_KINDS  # one list: the contract's
# Finance kinds, strongest first: the first that occurs decides.
_FINANCE: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "tax",
        re.compile(
            r"세액\s*(감면|공제)|과세\s*특례|익금\s*불산입|조세\s*지원|소득\s*공제|"
            r"법인세|양도소득세|취득세\s*(감면|면제)"
        ),
    ),
    ("guarantee", re.compile(r"보증(?!금)")),
    (
        "interest_subsidy",
        re.compile(
            r"이차\s*보전|이자\s*(지원|보전|차액|감면)|이자지원|"
            r"금리\s*(지원|보전)"
        ),
    ),
    (
        "loan",
        re.compile(
            r"융자|대출|대여|정책\s*자금|운전\s*자금|시설\s*자금|육성\s*자금|"
            r"경영안정\s*자금|생산지원\s*자금|[가-힣]*자금\s*지원"
        ),
    ),
)
_VOUCHER: Final[re.Pattern[str]] = re.compile(r"바우처")
# The rest, matched by position.
_SERVICES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "consulting",
        re.compile(
            r"컨설팅(?!\s*(업체|기관|사))|진단|자문|멘토링|코칭|기술\s*지도|"
            r"닥터|상담\s*지원"
        ),
    ),
    ("training", re.compile(r"교육(?!비)|훈련|아카데미|강좌|연수|캠프|워크숍")),
    (
        "grant",
        re.compile(
            r"비용|경비|[가-힣]비\s*(일부\s*)?지원|인건비|보조금|지원금|장려금|"
            r"인센티브|수수료|사업비|보험료|4대\s*보험|임차료|포상금|상금|"
            r"(보조|지원)\s*한도|출연금"
        ),
    ),
    (
        "in_kind",
        re.compile(
            r"판촉|홍보|마케팅|전시|입점|기획전|상설관|장비|공동\s*활용|현물|"
            r"청소|프로모션|광고|시제품|프로토타입|시험|검사|검증|인증\s*지원|"
            r"기술\s*서비스|솔루션|제공|출원|브랜드|공간|입주|사무실|판로|"
            r"인프라|물품|제작\s*지원"
        ),
    ),
)
_OTHER: Final[re.Pattern[str]] = re.compile(r"지정\s*(지원)?|선정\s*지원")
_REAL_GOODS: Final[re.Pattern[str]] = re.compile(r"장비|현물|상당|시설|인프라")


def _lines(notice: Notice) -> list[str]:
    """The first line of the support part, then its other lines."""
    support = notice.support or (notice.body if not notice.target else "")
    return [line.lstrip("☞-ㆍ·• ").strip() for line in support.split("\n") if line.strip()]


def _service_kinds(line: str) -> list[tuple[int, str, str]]:
    """(position, kind, words) of every service kind on ``line``, in text order."""
    found = []
    for kind, pattern in _SERVICES:
        if m := pattern.search(line):
            found.append((m.start(), kind, m.group(0)))
    return sorted(found)


def _kind_of_line(line: str, has_amount: bool) -> tuple[str, str] | None:
    found = _service_kinds(line)
    if not found:
        if m := _OTHER.search(line):
            return "other", m.group(0)
        return None
    kinds = {kind for _, kind, _ in found}
    words = ", ".join(w for _, _, w in found)
    if "grant" in kinds and (kinds - {"grant"} == {"in_kind"} or len(kinds) == 1):
        return "grant", words
    if has_amount and len(kinds - {"grant"}) >= 2:
        return "grant", f"{words} under one ceiling"
    first = found[0][1]
    if first == "in_kind" and has_amount and not _REAL_GOODS.search(line):
        return "grant", f"{words} with a cash ceiling"
    return first, words


def read_support_amount(notice: Notice) -> Reading[float | None]:
    """The per-firm maximum in million KRW (``None``: not stated)."""
    support = notice.support or (notice.body if not notice.target else "")
    value, words = per_firm_maximum(support)
    return Reading(value, f"support: {words}" if value is not None else NOT_STATED)


def read_support_kind(notice: Notice, *, has_amount: bool) -> Reading[str | None]:
    """The kind of support (one of :data:`SUPPORT_KINDS`, ``None``: not stated).

    Parameters
    ----------
    notice
        The announcement.
    has_amount
        Whether a per-firm sum was read (a service package with a cash ceiling is a
        grant).
    """
    lines = _lines(notice)
    head = "\n".join([notice.title, *lines[:1]])
    for kind, pattern in _FINANCE:
        if m := pattern.search(head):
            return Reading(kind, f"{kind}: {m.group(0)}")
    if m := _VOUCHER.search(head):
        return Reading("voucher", f"voucher: {m.group(0)}")
    for index, line in enumerate(lines):
        if index == 1:  # the first line named no kind: the sub-lines may name finance
            for kind, pattern in _FINANCE:
                if m := pattern.search("\n".join(lines[1:])):
                    return Reading(kind, f"{kind}: {m.group(0)}")
        if decided := _kind_of_line(line, has_amount):
            return Reading(decided[0], f"{decided[0]}: {decided[1]}")
        if amounts := find_amounts(line):
            return Reading("grant", f"grant: a sum of money ({amounts[0].text})")
    if has_amount:
        return Reading("grant", "grant: a per-firm sum is stated")
    return Reading(None, NOT_STATED)
