"""Where an announcement applies: the title's ``[경기]``-style tag, else the author.

Bizinfo titles of local programmes start with a bracketed tag naming one or more
provinces (``[대구ㆍ경북]``); nationwide programmes have none and are run by a
ministry. The result is a contract ``regions`` value: ``;``-joined region enums in
contract order, or ``*`` for all.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from recommender.constants import ALL, LIST_SEP, REGIONS

# Short tags, official names and their variants (e.g. after the 2023/2024 renaming of
# 강원도 and 전라북도 to 특별자치도) -> contract region.
REGION_NAMES: Final[dict[str, str]] = {
    "서울": "seoul", "서울시": "seoul", "서울특별시": "seoul",
    "부산": "busan", "부산시": "busan", "부산광역시": "busan",
    "대구": "daegu", "대구시": "daegu", "대구광역시": "daegu",
    "인천": "incheon", "인천시": "incheon", "인천광역시": "incheon",
    "광주": "gwangju", "광주광역시": "gwangju",
    "대전": "daejeon", "대전시": "daejeon", "대전광역시": "daejeon",
    "울산": "ulsan", "울산시": "ulsan", "울산광역시": "ulsan",
    "세종": "sejong", "세종시": "sejong", "세종특별자치시": "sejong",
    "경기": "gyeonggi", "경기도": "gyeonggi",
    "강원": "gangwon", "강원도": "gangwon", "강원특별자치도": "gangwon",
    "충북": "chungbuk", "충청북도": "chungbuk",
    "충남": "chungnam", "충청남도": "chungnam",
    "전북": "jeonbuk", "전라북도": "jeonbuk", "전북특별자치도": "jeonbuk",
    "전남": "jeonnam", "전라남도": "jeonnam",
    "경북": "gyeongbuk", "경상북도": "gyeongbuk",
    "경남": "gyeongnam", "경상남도": "gyeongnam",
    "제주": "jeju", "제주도": "jeju", "제주특별자치도": "jeju",
}
CAPITAL_AREA: Final[tuple[str, ...]] = ("seoul", "incheon", "gyeonggi")
# Tags that name a group of regions rather than one.
REGION_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "전국": REGIONS,
    "수도권": CAPITAL_AREA,
    "비수도권": tuple(r for r in REGIONS if r not in CAPITAL_AREA),
}
_LEADING_TAG = re.compile(r"^\s*\[([^\[\]]+)\]")
_TAG_SEPARATORS = re.compile(r"\s*[ㆍ·・,/&]\s*|\s+")


class RegionResult(NamedTuple):
    """A ``regions`` value and how it was found."""

    regions: str
    evidence: str


def _join(found: set[str]) -> str:
    return ALL if set(REGIONS) <= found else LIST_SEP.join(r for r in REGIONS if r in found)


def tag_regions(title: str) -> set[str] | None:
    """Regions named by the title's leading bracket tag.

    Returns
    -------
    set of str or None
        ``None`` when there is no leading tag or a part of it is not a region name (so
        a tag such as ``[추경]`` is not mistaken for a place).
    """
    match = _LEADING_TAG.match(title or "")
    if not match:
        return None
    found: set[str] = set()
    for part in filter(None, _TAG_SEPARATORS.split(match.group(1).strip())):
        if part in REGION_NAMES:
            found.add(REGION_NAMES[part])
        elif part in REGION_GROUPS:
            found.update(REGION_GROUPS[part])
        else:
            return None
    return found or None


def parse_regions(title: str, author: str | None) -> RegionResult:
    """The contract ``regions`` of an announcement.

    Parameters
    ----------
    title
        The announcement title; a leading ``[경기]``, ``[대구ㆍ경북]``, ``[전국]`` or
        ``[비수도권]`` tag decides.
    author
        The ministry or local government in charge (소관부처); used when the title has
        no region tag: a province or metropolitan city gives that region, anything
        else (a central ministry) gives ``*``.

    Returns
    -------
    RegionResult
        ``regions`` (``*`` or ``;``-joined enums in contract order) and evidence.
    """
    from_tag = tag_regions(title)
    if from_tag is not None:
        tag = _LEADING_TAG.match(title).group(0).strip()  # type: ignore[union-attr]
        return RegionResult(_join(from_tag), f"title tag {tag}")
    name = (author or "").strip()
    if name in REGION_NAMES:
        return RegionResult(REGION_NAMES[name], f"author {name} (local government)")
    if name:
        return RegionResult(ALL, f"author {name} (national)")
    return RegionResult(ALL, "no region tag, no author")
