"""Korea's 시도 and 시군구: the shipped table the region and district parsers read.

One line per 시도: its contract region code, then its 시군구 by their official names
(autonomous 시, 군 and 구; Jeju's two administrative cities, which Bizinfo notices
name like any other city). Status of 2025: 군위군 in 대구 (since July 2023), 세종 without
시군구; plus Incheon's 구 of July 2026 (제물포구, 영종구 from 중구 and 동구, 검단구 from 서구),
the old names kept for the notices before. A 구 name such as 북구 exists in several
cities; the region decides which.
"""

from __future__ import annotations

from typing import Final

_TABLE: Final[str] = """
seoul: 종로구 중구 용산구 성동구 광진구 동대문구 중랑구 성북구 강북구 도봉구 노원구 은평구
    서대문구 마포구 양천구 강서구 구로구 금천구 영등포구 동작구 관악구 서초구 강남구 송파구 강동구
busan: 중구 서구 동구 영도구 부산진구 동래구 남구 북구 해운대구 사하구 금정구 강서구 연제구
    수영구 사상구 기장군
daegu: 중구 동구 서구 남구 북구 수성구 달서구 달성군 군위군
incheon: 중구 동구 미추홀구 연수구 남동구 부평구 계양구 서구 강화군 옹진군 제물포구 영종구 검단구
gwangju: 동구 서구 남구 북구 광산구
daejeon: 동구 중구 서구 유성구 대덕구
ulsan: 중구 남구 동구 북구 울주군
sejong:
gyeonggi: 수원시 성남시 의정부시 안양시 부천시 광명시 평택시 동두천시 안산시 고양시 과천시
    구리시 남양주시 오산시 시흥시 군포시 의왕시 하남시 용인시 파주시 이천시 안성시 김포시 화성시
    광주시 양주시 포천시 여주시 연천군 가평군 양평군
gangwon: 춘천시 원주시 강릉시 동해시 태백시 속초시 삼척시 홍천군 횡성군 영월군 평창군 정선군
    철원군 화천군 양구군 인제군 고성군 양양군
chungbuk: 청주시 충주시 제천시 보은군 옥천군 영동군 증평군 진천군 괴산군 음성군 단양군
chungnam: 천안시 공주시 보령시 아산시 서산시 논산시 계룡시 당진시 금산군 부여군 서천군 청양군
    홍성군 예산군 태안군
jeonbuk: 전주시 군산시 익산시 정읍시 남원시 김제시 완주군 진안군 무주군 장수군 임실군 순창군
    고창군 부안군
jeonnam: 목포시 여수시 순천시 나주시 광양시 담양군 곡성군 구례군 고흥군 보성군 화순군 장흥군
    강진군 해남군 영암군 무안군 함평군 영광군 장성군 완도군 진도군 신안군
gyeongbuk: 포항시 경주시 김천시 안동시 구미시 영주시 영천시 상주시 문경시 경산시 의성군 청송군
    영양군 영덕군 청도군 고령군 성주군 칠곡군 예천군 봉화군 울진군 울릉군
gyeongnam: 창원시 진주시 통영시 사천시 김해시 밀양시 거제시 양산시 의령군 함안군 창녕군 고성군
    남해군 하동군 산청군 함양군 거창군 합천군
jeju: 제주시 서귀포시
"""


def _parse(table: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    region = ""
    for line in table.strip().splitlines():
        head, sep, rest = line.partition(":")
        if sep and not line.startswith(" "):
            region = head.strip()
            out[region] = []
            line = rest
        out[region].extend(line.split())
    return {r: tuple(names) for r, names in out.items()}


SIGUNGU: Final[dict[str, tuple[str, ...]]] = _parse(_TABLE)
"""Region code -> its 시군구, official names, in the order of the official list."""

DISTRICT_REGIONS: Final[dict[str, tuple[str, ...]]] = {
    name: tuple(r for r, names in SIGUNGU.items() if name in names)
    for names in SIGUNGU.values()
    for name in names
}
"""시군구 name -> the regions that have a 시군구 of that name (북구: four cities)."""

# Named parts of a 시도 that notices restrict to, with their 시군구: 경기 북부 is the ten
# 시군 under 경기도 북부청사 (its official "북부" area).
SUBREGIONS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "경기북부": (
        "gyeonggi",
        (
            "고양시",
            "남양주시",
            "파주시",
            "의정부시",
            "양주시",
            "구리시",
            "포천시",
            "동두천시",
            "가평군",
            "연천군",
        ),
    ),
}

# Cities of over a million people carry 특례시 in their own notices (화성특례시).
SPECIAL_CITY_SUFFIX: Final[str] = "특례시"


def stem(name: str) -> str:
    """A 시 or 군 name without its suffix (``화성시`` -> ``화성``); a 구 keeps its name,
    since 구 stems are ordinary words (``연수``, ``수영``, ``남동``)."""
    return name[:-1] if name.endswith(("시", "군")) and len(name) >= 3 else name
