"""Where an announcement applies: the title's ``[경기]``-style tag, else the author.

Bizinfo titles of local programmes start with a bracketed tag naming one or more
provinces (``[대구ㆍ경북]``); nationwide programmes have none and are run by a
ministry. The result is a contract ``regions`` value: ``;``-joined region enums in
contract order, or ``*`` for all.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from recommender.bizinfo.districts import LOCATION_WORDS, is_district_word, read_districts
from recommender.bizinfo.places import DISTRICT_REGIONS
from recommender.bizinfo.reading import Notice, Reading
from recommender.constants import ALL, LIST_SEP, REGIONS

# Short tags, official names and their variants (e.g. after the 2023/2024 renaming of
# 강원도 and 전라북도 to 특별자치도) -> contract region.
REGION_NAMES: Final[dict[str, str]] = {
    "서울": "seoul",
    "서울시": "seoul",
    "서울특별시": "seoul",
    "부산": "busan",
    "부산시": "busan",
    "부산광역시": "busan",
    "대구": "daegu",
    "대구시": "daegu",
    "대구광역시": "daegu",
    "인천": "incheon",
    "인천시": "incheon",
    "인천광역시": "incheon",
    "광주": "gwangju",
    "광주광역시": "gwangju",
    "대전": "daejeon",
    "대전시": "daejeon",
    "대전광역시": "daejeon",
    "울산": "ulsan",
    "울산시": "ulsan",
    "울산광역시": "ulsan",
    "세종": "sejong",
    "세종시": "sejong",
    "세종특별자치시": "sejong",
    "경기": "gyeonggi",
    "경기도": "gyeonggi",
    "강원": "gangwon",
    "강원도": "gangwon",
    "강원특별자치도": "gangwon",
    "충북": "chungbuk",
    "충청북도": "chungbuk",
    "충남": "chungnam",
    "충청남도": "chungnam",
    "전북": "jeonbuk",
    "전라북도": "jeonbuk",
    "전북특별자치도": "jeonbuk",
    "전남": "jeonnam",
    "전라남도": "jeonnam",
    "경북": "gyeongbuk",
    "경상북도": "gyeongbuk",
    "경남": "gyeongnam",
    "경상남도": "gyeongnam",
    "제주": "jeju",
    "제주도": "jeju",
    "제주특별자치도": "jeju",
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
        elif is_district_word(part):  # [경기 화성]: the district is read elsewhere
            continue
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


# --- what the whole announcement says (title tag, summary, agency) -----------------------
# Region names as a summary writes them before a location word (``경남도 내``, ``인천에 본사``).
_TEXT_REGION_NAMES: Final[dict[str, str]] = REGION_NAMES | {
    "경남도": "gyeongnam",
    "경북도": "gyeongbuk",
    "전남도": "jeonnam",
    "충북도": "chungbuk",
    "충남도": "chungnam",
    "전북도": "jeonbuk",
    "강원특별자치도": "gangwon",
    "광주시": "gwangju",
}
_ANY_REGION = "|".join(
    re.escape(n) for n in sorted([*_TEXT_REGION_NAMES, "수도권", "비수도권"], key=len, reverse=True)
)
_TEXT_REGION = re.compile(rf"(?<![가-힣])({_ANY_REGION})(?=\s*(?:과밀억제권역|{LOCATION_WORDS}))")
# "inside and outside", "outside": the place is named but does not restrict.
_INSIDE_OUT = re.compile(r"내\s*[ㆍ·]?\s*외|이외|(?<![가-힣])외\s")
_LOCAL_WORDS = re.compile(r"(?<![가-힣])(?:도|관|시|군|구)\s*내(?![가-힣]*외)|우리\s*(?:시|군|구)")
_NATIONAL_AGENCY = re.compile(r"대학|공단|국민")
_AGENCY_REGION = re.compile(rf"^({_ANY_REGION})|({_ANY_REGION})$")


def _region_set(name: str) -> set[str]:
    if name in REGION_GROUPS:
        return set(REGION_GROUPS[name])
    return {_TEXT_REGION_NAMES[name]}


def text_regions(text: str) -> tuple[set[str], list[str]]:
    """Regions a summary names as where applicants must be (``울산지역 소재``,
    ``경상남도에 소재``), and the phrases; a line saying ``내ㆍ외``/``외`` is skipped."""
    found: set[str] = set()
    phrases: list[str] = []
    for line in text.split("\n"):
        for m in _TEXT_REGION.finditer(line):
            if _INSIDE_OUT.search(line[m.end() : m.end() + 10]):
                continue
            found |= _region_set(m.group(1))
            phrases.append(line[m.start() : m.end() + 4].strip())
    return found, list(dict.fromkeys(phrases))


def author_region(author: str) -> str | None:
    """The region of a province or metropolitan-city author, else ``None``."""
    return REGION_NAMES.get(author.strip())


def read_regions(notice: Notice) -> tuple[Reading[str], Reading[str]]:
    """Where an announcement applies: contract ``regions`` and the 시군구.

    Read in this order; the first that says something decides the regions:

    1. the title's leading tag (``[경기]``, ``[대구ㆍ경북]``, ``[경기 화성]``);
    2. the summary's location condition (``울산지역 소재``, ``경상남도에 소재``,
       ``수도권과밀억제권역``), unless it admits firms inside and outside (``내ㆍ외``);
    3. a district found by :func:`~recommender.bizinfo.districts.read_districts`
       (its region);
    4. ``도내``/``관내``/``우리 군`` with a province or city author (the author's region);
    5. an executing agency named for a region under a national author (``제주상공회의소``
       running a ministry's programme);
    6. otherwise all regions: a regional author alone restricts nothing
       (``경남로봇랜드재단``'s equipment is open to any firm unless the text says so).

    Returns
    -------
    (regions, districts)
        Two readings: ``*`` or ``;``-joined region codes in contract order, and ``*`` or
        ``;``-joined 시군구 names; each with its evidence.
    """
    title = notice.title
    tagged = tag_regions(title)
    local = author_region(notice.author)
    hint = frozenset(tagged) if tagged else frozenset({local}) if local else None
    districts = read_districts(notice, hint)
    if tagged is not None:
        tag = _LEADING_TAG.match(title).group(0).strip()  # type: ignore[union-attr]
        return Reading(_join(tagged), f"title tag {tag}"), districts
    applicants = "\n".join(p for p in (notice.intro, notice.target) if p)
    found, phrases = text_regions(applicants)
    if found:
        return Reading(_join(found), f"summary: {'; '.join(phrases)}"), districts
    if districts.value != ALL:
        homes = {r for d in districts.value.split(LIST_SEP) for r in DISTRICT_REGIONS[d]}
        if hint:
            homes &= hint
        return Reading(_join(homes), f"district {districts.value}"), districts
    if local and (m := _LOCAL_WORDS.search(applicants)):
        return (Reading(local, f"summary '{m.group(0)}' of author {notice.author}"), districts)
    agency = _AGENCY_REGION.search(notice.agency)
    if agency and not local and not _NATIONAL_AGENCY.search(notice.agency):
        name = agency.group(1) or agency.group(2)
        return Reading(_join(_region_set(name)), f"executing agency {notice.agency}"), districts
    why = f"author {notice.author}, " if notice.author else ""
    return Reading(ALL, f"{why}no location condition stated"), districts
