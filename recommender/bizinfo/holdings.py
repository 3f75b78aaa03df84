"""What an applicant must already hold: a corporate R&D lab, a patent.

Read on the lines of the "who may apply" part that name applicants
(:func:`~recommender.bizinfo.groups.applicant_lines`: ``※`` notes and lines about
priority, bonus points or exclusions are skipped). A holding is required only when the
line says the applicant *has* it (``기업부설연구소 또는 연구개발전담부서를 보유한``,
``… 연구소(또는 연구개발전담부서)가 설치된``, ``특허권을 보유``) or the applicants are the
labs themselves (``소규모 기업부설연구소 및 연구개발전담부서``). It is not required when
the lab is one of the places a firm may be located at (``본사, 지사, 공장 또는
기업부설연구소``), when another right would do as well (``특허권, 실용신안권, 디자인권을
보유한``, ``지식재산권(상표/디자인/특허 등)``), or when the programme helps to set one up or
file one (``설립 희망``, ``출원 지원``): the value is then ``False`` ("not stated").
"""

from __future__ import annotations

import re
from typing import Final

from recommender.bizinfo.groups import applicant_lines
from recommender.bizinfo.reading import NOT_STATED, Notice, Reading

_LAB: Final[re.Pattern[str]] = re.compile(
    r"(?:기업\s*)?부설\s*연구소(?:\s*\(?\s*(?:또는|및|/|ㆍ|·)\s*연구\s*개발\s*전담\s*부서\s*\)?)?"
    r"|연구\s*개발\s*전담\s*부서"
)
# the lab is what the applicant has: a verb of holding right after it
_HAS: Final[re.Pattern[str]] = re.compile(
    r"^\s*(?:을|를|이|가)?\s*(?:보유|설치|설립된|설립되어|둔\s|두고|갖춘|운영\s*중인)"
)
# the lab is one place among others, or something to set up
_ONE_OF: Final[re.Pattern[str]] = re.compile(
    r"또는|혹은|중\s*(?:하나|1\s*개)|등\s*1\s*개|희망|예정"
)
_PATENT: Final[re.Pattern[str]] = re.compile(r"(?:출원|등록)?\s*특허(?:권|기술)?")
_OTHER_RIGHTS: Final[re.Pattern[str]] = re.compile(
    r"실용\s*신안|디자인|상표|임치|지식\s*재산|지재권|산업\s*재산|품종|기술\s*비법|저작권|프로그램"
)
_PATENT_HELD: Final[re.Pattern[str]] = re.compile(r"^[^,;]{0,24}?보유")
_NOT_HELD: Final[re.Pattern[str]] = re.compile(r"담보|이전|대여|출자|희망|예정|지원\s*받|지원받")


def _lab_line(line: str) -> bool:
    for match in _LAB.finditer(line):
        before = line[max(0, match.start() - 30) : match.start()]
        after = line[match.end() :]
        if _ONE_OF.search(before) or _ONE_OF.search(after[:12]):
            continue
        if _HAS.search(after):
            return True
        rest = re.sub(r"\([^()]*\)", " ", line[: match.start()] + after)
        if re.fullmatch(r"[^가-힣]*(?:소규모|중소|국내)?[^가-힣]*", rest):
            return True  # the applicants are the labs themselves
    return False


def read_lab_required(notice: Notice) -> Reading[bool]:
    """``True`` when applicants must have a corporate R&D lab (or R&D department),
    with the line that says so; ``False`` ("not stated") otherwise."""
    for line in applicant_lines(notice.target):
        if _lab_line(line):
            return Reading(True, f"applicants: {line}")
    return Reading(False, NOT_STATED)


def _patent_line(line: str) -> bool:
    if _NOT_HELD.search(line):
        return False
    for match in _PATENT.finditer(line):
        before = line[max(0, match.start() - 20) : match.start()]
        held = _PATENT_HELD.search(line[match.end() :])
        if held and not _OTHER_RIGHTS.search(before + held.group(0)):
            return True
    return False


def read_patent_required(notice: Notice) -> Reading[bool]:
    """``True`` when applicants must hold a patent (granted or applied for), with the
    line that says so; ``False`` ("not stated") otherwise."""
    for line in applicant_lines(notice.target):
        if _patent_line(line):
            return Reading(True, f"applicants: {line}")
    return Reading(False, NOT_STATED)
