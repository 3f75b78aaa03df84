"""Which 시군구 an announcement is limited to, from the shipped table of ``places``.

A district restriction shows in three places, read in this order:

1. the **title**: the city or county right after the region tag (``[경기] 포천시 …``,
   ``[경기 화성] …``, ``[경기] 연천군ㆍ포천시ㆍ동두천시 …``) or named with its suffix
   anywhere in it (``2025년 영천시 단체관광객 …``, ``광주광역시 북구 …``);
2. the **summary**: a city or county followed by a location word (``포천시 소재``,
   ``전주시에 등록된``, ``주된 사업장이 전주시 내에``, ``춘천지역 내``); when the summary
   instead sets a province-wide condition (``도내``, ``경기도 소재``) there is no district;
3. the **executing agency** of a city or county (``시흥산업진흥원``, ``화성시환경재단``,
   ``청주상공회의소``; universities excepted).

Before these, a named part of a 시도 (``[경기] 북부 …``, ``경기북부``, ``경기 북부권역``; the
shipped ``SUBREGIONS``) stands for its 시군구.

A name is kept only when it lies in the announcement's region (``북구`` of 광주 for a
광주 notice); without a known region only unambiguous names count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from recommender.bizinfo.places import DISTRICT_REGIONS, SPECIAL_CITY_SUFFIX, SUBREGIONS, stem
from recommender.bizinfo.reading import NOT_STATED, Notice, Reading
from recommender.constants import ALL, LIST_SEP

# Region stems that are also city stems (광주시 of 경기, 제주시): never read as a city alone.
_REGION_STEMS: Final[frozenset[str]] = frozenset({"광주", "제주"})
_STEMS: Final[dict[str, str]] = {
    stem(name): name
    for name in DISTRICT_REGIONS
    if stem(name) != name and stem(name) not in _REGION_STEMS
}
_NAMES: Final[dict[str, str]] = {name: name for name in DISTRICT_REGIONS} | {
    stem(n) + SPECIAL_CITY_SUFFIX: n for n in DISTRICT_REGIONS if n.endswith("시")
}
_HANGUL_BEFORE = r"(?<![가-힣])"


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# A full name anywhere in a title, as a word of its own.
_TITLE_NAME = re.compile(rf"{_HANGUL_BEFORE}({_alternation(_NAMES)})(?=$|[\s(\[ㆍ·,/]|청)")
_LEADING_TAG = re.compile(r"^\s*\[([^\[\]]+)\]\s*")
_TITLE_FILLER = re.compile(r"^(\d{4}년|\d+차|상반기|하반기|추경)$")
_SPLIT = re.compile(r"\s*[ㆍ·,/]\s*")
# What follows a place when it states where applicants must be.
LOCATION_WORDS: Final[str] = (
    r"\s*(?:에\s*|의\s*)?(?:소재|관내|내(?!로)|內|본사|주소|사업장|지역|등록|주된|거주|"
    r"에서\s*(?:처음|사업|창업|영업))"
)
_TEXT_PLACE = re.compile(
    rf"{_HANGUL_BEFORE}({_alternation([*_NAMES, *_STEMS])})(?={LOCATION_WORDS})"
)
# Province-wide conditions: then the notice is not limited to one city.
PROVINCE_WIDE: Final[re.Pattern[str]] = re.compile(
    r"(?<![가-힣])도\s*내|(?:도|특별자치도|광역시|특별시)\s*(?:에\s*)?(?:소재|관내|내(?!로))"
)
_AGENCY = re.compile(
    rf"^(?:[가-힣]{{2}}(?=[가-힣]{{2}}))?({_alternation([*_NAMES, *_STEMS])})"
    r"(?=시|군|구|산업|과학|테크노|상공|일자리|경제|창조|정보|바이오|의생명|의료|벤처|한방|"
    r"소재|환경|수출|사회적|농업|여성|시니어|문화|관광)"
)
_NOT_LOCAL_AGENCY = re.compile(r"대학|학교|병원")
# "경기북부", "경기 북부권", or a "[경기]" tag followed by "북부".
_SUBREGION = {
    name: re.compile(rf"{name[:2]}\s*(?:\]\s*)?{name[2:]}(?:권역|권|지역)?(?![가-힣])")
    for name in SUBREGIONS
}


def subregion_districts(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The named part of a 시도 the text restricts to (its words, its 시군구), if any."""
    for name, pattern in _SUBREGION.items():
        if m := pattern.search(text):
            return m.group(0).replace("]", ""), SUBREGIONS[name][1]
    return None


def is_district_word(word: str) -> bool:
    """``word`` names a 시군구 (``화성시``, ``화성특례시``, or the stem ``화성``)."""
    return word in _NAMES or word in _STEMS


def _name(word: str) -> str:
    return _NAMES.get(word) or _STEMS[word]


def _in_region(name: str, regions: frozenset[str] | None) -> bool:
    """``name`` lies in ``regions`` (``None`` = unknown: the name must be unambiguous)."""
    homes = DISTRICT_REGIONS[name]
    return bool(set(homes) & regions) if regions else len(homes) == 1


def _keep(names: Iterable[str], regions: frozenset[str] | None) -> list[str]:
    return list(dict.fromkeys(n for n in names if _in_region(n, regions)))


def title_districts(title: str, regions: frozenset[str] | None) -> list[str]:
    """Districts the title names: the words after the region tag, else any full name."""
    found: list[str] = []
    tag = _LEADING_TAG.match(title)
    if tag:
        words = tag.group(1).split()
        found += [_name(w) for w in words if is_district_word(w)]
        for word in title[tag.end() :].split():
            if _TITLE_FILLER.match(word):
                continue
            parts = _SPLIT.split(word)
            if all(is_district_word(p) for p in parts):
                found += [_name(p) for p in parts]
            break
    found += [_NAMES[m.group(1)] for m in _TITLE_NAME.finditer(title)]
    return _keep(found, regions)


def text_districts(text: str, regions: frozenset[str] | None) -> tuple[list[str], list[str]]:
    """Districts the text names as where applicants must be, and the phrases that did."""
    names: list[str] = []
    phrases: list[str] = []
    for m in _TEXT_PLACE.finditer(text):
        name = _name(m.group(1))
        if _in_region(name, regions):
            names.append(name)
            phrases.append(text[m.start() : m.end() + 4].split("\n")[0].strip())
    return list(dict.fromkeys(names)), list(dict.fromkeys(phrases))


def agency_district(agency: str, regions: frozenset[str] | None) -> str | None:
    """The city or county an executing agency belongs to, when its name says so."""
    if not agency or _NOT_LOCAL_AGENCY.search(agency):
        return None
    m = _AGENCY.match(agency)
    if not m:
        return None
    name = _name(m.group(1))
    return name if _in_region(name, regions) else None


def read_districts(notice: Notice, regions: frozenset[str] | None) -> Reading[str]:
    """The 시군구 an announcement is limited to.

    Parameters
    ----------
    notice
        The announcement.
    regions
        The regions already known from the title tag or the author (``None`` when
        unknown or nationwide); a district outside them is not taken.

    Returns
    -------
    Reading
        ``*`` (no district restriction) or official names joined by ``;``, with the
        words that decided or ``"not stated"``.
    """
    for where, text in (("title", notice.title), ("summary", notice.intro)):
        if (part := subregion_districts(text)) is not None:
            words, part_names = part
            return Reading(
                LIST_SEP.join(part_names), f"{where}: {words} ({len(part_names)} 시군구)"
            )
    found = title_districts(notice.title, regions)
    if found:
        return Reading(LIST_SEP.join(found), f"title: {', '.join(found)}")
    applicants = "\n".join(p for p in (notice.intro, notice.target) if p)
    names, phrases = text_districts(applicants, regions)
    if names:
        return Reading(LIST_SEP.join(names), f"summary: {'; '.join(phrases)}")
    if wide := PROVINCE_WIDE.search(notice.target):
        return Reading(ALL, f"summary: province-wide '{wide.group(0).strip()}'")
    if (name := agency_district(notice.agency, regions)) is not None:
        return Reading(name, f"executing agency {notice.agency}")
    return Reading(ALL, NOT_STATED)
