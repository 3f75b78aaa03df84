"""Statuses a firm must hold to apply: 소상공인, 여성기업, 사회적경제기업, 예비창업자 …

A group is required only when the "who may apply" part names it **as the applicant**:
on a line of that part (``-`` sub-lines included, ``※`` notes and lines about priority,
bonus points or exclusions skipped) the group's phrase occurs and, once the phrases of
all groups are blanked out, nothing on the line still admits firms in general
(``중소기업``, ``기업``, ``법인``, ``사업자`` …). So ``「소상공인기본법」에 따른 소상공인`` is
small merchants only, while ``중소기업ㆍ소상공인`` is open to any SME (words in
parentheses gloss the group before them and admit no one else). Several groups on one
line mean any of them qualifies. Bizinfo's own target label (``trgetNm``) is not
enough on its own: it says 소상공인 for restaurants' cleaning services open to any shop.

When the "who may apply" part names no applicant at all (``온라인 판매가 가능한 B2C
상품``: what may be entered, not who), the title decides by the same test: ``… 소상공인
모집 공고`` is small merchants only, ``… 참여기업 모집`` names firms at large.
"""

from __future__ import annotations

import re
from typing import Final

from recommender.bizinfo.reading import NOT_STATED, Notice, Reading

# group -> the phrases that name it as an applicant (longest first in the pattern).
GROUP_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "small_merchant": ("소상공인", "소공인", "자영업자"),
    "women_owned": (
        "여성기업",
        "여성 기업",
        "여성경제인",
        "여성 CEO",
        "여성CEO",
        "여성 창업자",
        "여성창업자",
        "여성 대표",
        "여성대표",
    ),
    "social_enterprise": (
        "사회적경제기업",
        "사회적 경제기업",
        "사회적경제 기업",
        "사회적기업",
        "예비사회적기업",
        "예비 사회적기업",
        "사회적협동조합",
        "협동조합",
        "마을기업",
        "자활기업",
        "소셜벤처",
    ),
    "venture_certified": ("벤처기업 확인", "벤처기업확인", "벤처인증", "벤처기업"),
    "innobiz": ("이노비즈", "기술혁신형 중소기업", "기술혁신형중소기업"),
    "mainbiz": ("메인비즈", "경영혁신형 중소기업", "경영혁신형중소기업"),
    "disabled_owned": (
        "장애인기업",
        "장애인 기업",
        "장애경제인",
        "장애인 경제인",
        "중증장애인생산품",
    ),
    "preliminary_founder": (
        "예비창업자",
        "예비 창업자",
        "(예비)창업자",
        "예비창업팀",
        "예비 창업팀",
        "예비창업가",
    ),
    "youth_founder": (
        "청년창업자",
        "청년 창업자",
        "청년 창업가",
        "청년창업가",
        "청년 CEO",
        "청년CEO",
        "청년 대표",
        "청년기업",
        "청년 사업자",
        "청년사업자",
        "청년 소상공인",
        "청년상인",
        "청년 상인",
    ),
}
GROUPS: Final[tuple[str, ...]] = tuple(GROUP_PHRASES)
_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    group: re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
    for group, phrases in GROUP_PHRASES.items()
}
# Words left on the line that admit firms at large.
_GENERAL: Final[re.Pattern[str]] = re.compile(
    r"기업|중소\s*[ㆍ·,]|창업자|법인|사업자(?!\s*등록)|(?<!자치)단체|기관|스타트업|농가|농업인|어업인|개인"
)
# A parenthesis glosses the applicant named before it ("벤처기업 (과거 벤처기업확인 이력
# 있는 기업 포함)"): its words do not admit firms at large.
_GLOSS: Final[re.Pattern[str]] = re.compile(r"\([^()]*\)")
# A law's name (「중소기업기본법」) names no applicant; "중소기업인 중 여성기업" narrows
# firms at large to the group after 중.
_LAW: Final[re.Pattern[str]] = re.compile(r"「[^」]*」")
_AMONG: Final[re.Pattern[str]] = re.compile(r"\S*(?:기업|기업인|사업자|법인)\s*중\s+")
# Lines that do not say who may apply.
_SIDE_LINE: Final[re.Pattern[str]] = re.compile(r"우대|우선|가점|가산|제외|불가|제한|한함")
# Youth wording that makes 창업자 a youth founder (만 39세 이하 대표).
_YOUTH_AGE: Final[re.Pattern[str]] = re.compile(r"(만\s*)?(39|34|29)\s*세\s*이하")


def applicant_lines(target: str) -> list[str]:
    lines = []
    for line in target.split("\n"):
        text = line.strip()
        if not text or text.startswith("※") or _SIDE_LINE.search(text):
            continue
        lines.append(text.lstrip("☞-ㆍ·• "))
    return lines


def _named_groups(line: str) -> list[str] | None:
    """The groups ``line`` names as its only applicants (``None``: none named, or the
    line also admits firms at large)."""
    plain = " ".join(_GLOSS.sub(" ", line).split())  # "여성 (예비)창업자" -> "여성 창업자"
    named = [g for g, p in _PATTERNS.items() if p.search(line) or p.search(plain)]
    if not named:
        return None
    rest = _AMONG.sub(" ", _LAW.sub(" ", plain))
    for group in named:
        rest = _PATTERNS[group].sub(" ", rest)
    if (
        "youth_founder" not in named
        and _YOUTH_AGE.search(line)
        and ("preliminary_founder" in named or "창업" in line)
    ):
        named.append("youth_founder")
    return None if _GENERAL.search(rest) else named


def _names_anyone(target: str) -> bool:
    """The "who may apply" part names some applicant (a group or firms at large)."""
    return bool(_GENERAL.search(target)) or any(p.search(target) for p in _PATTERNS.values())


def read_target_groups(notice: Notice) -> Reading[tuple[str, ...]]:
    """The statuses required of applicants.

    Returns
    -------
    Reading
        The groups (any one qualifies; empty tuple: none required) in the order of
        :data:`GROUPS`, with the line that decided or ``"not stated"``.
    """
    required: dict[str, str] = {}
    for line in applicant_lines(notice.target):
        for group in _named_groups(line) or ():
            required.setdefault(group, line)
    if not required and notice.target and not _names_anyone(notice.target):
        title = notice.title.strip()
        if named := _named_groups(title):
            groups = tuple(g for g in GROUPS if g in named)
            return Reading(groups, f"title (the summary names no applicant): {title}")
    if not required:
        return Reading((), NOT_STATED)
    groups = tuple(g for g in GROUPS if g in required)
    lines = "; ".join(dict.fromkeys(required.values()))
    return Reading(groups, f"applicants: {lines}")
