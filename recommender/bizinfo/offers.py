"""Announcements that offer a firm nothing to apply for, and why.

Such notices are never recommended. They are: calls for awards and commendations
(포상, 표창, 시상, 유공), published results (선정결과, 합격자, 결과 안내), briefings or
ceremonies only (설명회, 시상식), cancellations (취소 공고), and notices whose applicants
are not firms at all (homeowners: ``주택 소유자``; public bodies only: a "who may apply"
part whose first line names research institutes, universities or local governments and
no firm, ``국가 또는 지방자치단체가 직접 설치하여 운영하는 연구기관``). A tax-credit
information notice (``본 내용은 지원사업이 아니라 … 조세지원제도 안내``) does offer
something and is not one.
"""

from __future__ import annotations

import re
from typing import Final

from recommender.bizinfo.reading import NOT_STATED, Notice, Reading

# (reason, pattern on the title)
_TITLE_REASONS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("award or commendation call", re.compile(r"포상|표창|시상(?!품)|유공자?|수상\s*후보|훈장")),
    (
        "published results",
        re.compile(
            r"(선정|심사|평가|최종|서류|발표)\s*결과|결과\s*(안내|발표|공고|공지)|합격자|"
            r"선정\s*(기업|업체|자)\s*(명단|발표|공고|안내)|수상자\s*(발표|명단)"
        ),
    ),
    (
        "briefing or ceremony only",
        re.compile(
            r"(설명회|시상식|발대식|협약식|성과\s*공유회|간담회)\s*(개최\s*)?(안내|개최|공고|$)"
        ),
    ),
    ("cancelled", re.compile(r"취소\s*(공고|안내)|공고\s*취소|(사업|모집)\s*취소")),
)
# Applicants who are not firms.
_NOT_FIRMS: Final[re.Pattern[str]] = re.compile(r"주택[^\n]{0,30}소유자|주택\s*소유")
# Public bodies as applicants, and the words that would admit firms beside them.
_PUBLIC_BODIES: Final[re.Pattern[str]] = re.compile(
    r"연구기관|연구원|대학|지방자치단체|지자체|공공기관|출연기관"
)
_FIRM_WORDS: Final[re.Pattern[str]] = re.compile(
    r"기업|업체|사업자|법인|창업|소상공인|소공인|자영업|상인|점포|농가|농업인|어업인|개인|"
    r"(?<!자치)단체|조합|컨소시엄|스타트업|팀|누구나|산\s*[ㆍ·,]\s*학|산학|사업장|산업체"
)
# Words that show a briefing is part of a recruitment all the same.
_RECRUITS: Final[re.Pattern[str]] = re.compile(r"모집|신청|참가\s*(기업|업체)|지원사업")


def read_offers_nothing(notice: Notice) -> Reading[bool]:
    """Whether the notice offers a firm nothing to apply for.

    Returns
    -------
    Reading
        ``True`` with the reason and the words (``"award or commendation call: 포상"``),
        else ``False`` with ``"not stated"``.
    """
    for reason, pattern in _TITLE_REASONS:
        if m := pattern.search(notice.title):
            if reason == "briefing or ceremony only" and _RECRUITS.search(notice.title):
                continue
            return Reading(True, f"{reason}: {m.group(0).strip()}")
    if m := _NOT_FIRMS.search(notice.target):
        return Reading(True, f"applicants are not firms: {m.group(0)}")
    first = notice.target.strip().split("\n")[0].strip() if notice.target else ""
    if _PUBLIC_BODIES.search(first) and not _FIRM_WORDS.search(notice.target):
        return Reading(True, f"applicants are not firms (public bodies): {first.lstrip('☞ ')}")
    return Reading(False, NOT_STATED)
