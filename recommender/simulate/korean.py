"""Korean names and agencies for the demo world's programmes, with the English beside.

The simulator names its programme lines in English ("Export Voucher (Busan)"); the demo
the product stores for a person to try (``recommender demo``) shows them as Korean
agencies publish them, the English after a middle dot, so the Korean page reads Korean
and the English page still says what each is: ``수출바우처 (부산) · Export Voucher
(Busan)``, ``대한무역투자진흥공사 · Korea Trade-Investment Promotion Agency (KOTRA)``. A
name is read as stem + archetype suffix + a Roman numeral (:mod:`.catalogue`); a
part without a Korean form is left in English rather than guessed.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

from recommender.constants import REGION_LABELS
from recommender.explain.render import phrases

SEPARATOR: Final[str] = " · "
STEMS: Final[dict[str, str]] = {
    "Technology Management Consulting": "기술경영 컨설팅",
    "MOT Diagnosis and Coaching": "MOT 진단·코칭",
    "Management Innovation Consulting": "경영혁신 컨설팅",
    "Marketing Strategy Consulting": "마케팅 전략 컨설팅",
    "Business Model Coaching": "비즈니스 모델 코칭",
    "Innovation Finance Consulting": "혁신금융 컨설팅",
    "R&D Planning Support": "R&D 기획 지원",
    "Technology Roadmap Development": "기술 로드맵 수립",
    "Pre-R&D Planning Programme": "R&D 사전기획 사업",
    "R&D Strategy Coaching": "R&D 전략 코칭",
    "MOT Academy": "MOT 아카데미",
    "Technology Management Training": "기술경영 교육",
    "Innovation Leadership Course": "혁신 리더십 과정",
    "Digital Skills Training": "디지털 역량 교육",
    "Learning-from-Projects Workshop": "과제 성과 학습 워크숍",
    "Industry-Academia Joint R&D": "산학 공동 R&D",
    "University Technology Transfer": "대학 기술이전",
    "Research Institute Partnership": "출연연 협력",
    "Joint Lab with Universities": "대학 공동연구실",
    "Commercialization Acceleration": "사업화 촉진",
    "Product Launch Support": "신제품 출시 지원",
    "Technology Commercialization Fund": "기술사업화 자금",
    "Prototype-to-Market Programme": "시제품 시장진출 사업",
    "Global Market Entry": "해외시장 진출",
    "Export Voucher": "수출바우처",
    "Overseas Partnership Matching": "해외 파트너 매칭",
    "Knowledge Service Global Leap": "지식서비스 글로벌 도약",
    "Global Buyer Matching": "글로벌 바이어 매칭",
    "Policy Fund for Innovative SMEs": "혁신성장 정책자금",
    "Technology Guarantee Programme": "기술보증 지원",
    "Policy Loan Interest Support": "정책자금 이자 지원",
    "Growth Capital Loan": "성장공유형 자금 융자",
    "Innovation Talent Hiring Support": "혁신인재 채용 지원",
    "Researcher Employment Subsidy": "연구인력 채용 지원",
    "Staff Upskilling Programme": "재직자 역량강화 지원",
    "Youth Employment Subsidy": "청년 고용 장려금",
    "Smart Factory Equipment Grant": "스마트공장 설비 지원",
    "Energy Efficiency Grant": "에너지 효율화 지원",
    "Workplace Safety Improvement Grant": "작업환경 안전개선 지원",
    "Trade Fair Booth Support": "전시회 참가 지원",
}
SUFFIXES: Final[dict[str, str]] = {
    " for Start-ups": " (창업기업)",
    " for Micro Enterprises": " (소기업·소상공인)",
    " for Small Firms": " (소기업)",
    " for Growing SMEs": " (성장기업)",
    " for Corporate R&D Labs": " (기업부설연구소 보유기업)",
    " for Manufacturers": " (제조기업)",
    " for Knowledge Services": " (지식서비스기업)",
}
AGENCIES: Final[dict[str, str]] = {
    "Korea Technology and Information Promotion Agency for SMEs (TIPA)": "중소기업기술정보진흥원",
    "Korea SMEs and Startups Agency (KOSMES)": "중소벤처기업진흥공단",
    "Korea Institute for Advancement of Technology (KIAT)": "한국산업기술진흥원",
    "Korea Evaluation Institute of Industrial Technology (KEIT)": "한국산업기술평가관리원",
    "Korea Trade-Investment Promotion Agency (KOTRA)": "대한무역투자진흥공사",
    "Korea Institute of Startup and Entrepreneurship Development (KISED)": "창업진흥원",
    "Korea Productivity Center (KPC)": "한국생산성본부",
    "Korea Technology Finance Corporation (KOTEC)": "기술보증기금",
    "Ministry of Employment and Labor": "고용노동부",
    "Korea Credit Guarantee Fund (KODIT)": "신용보증기금",
    "Human Resources Development Service of Korea (HRD Korea)": "한국산업인력공단",
    "Seoul Business Agency": "서울경제진흥원",
    "Gyeonggi Business and Science Accelerator": "경기도경제과학진흥원",
}
_NUMERAL: Final = re.compile(r" (II|III|IV|V|VI|VII|VIII|IX)$")


def _regions() -> dict[str, str]:
    """The simulator's region label (``Busan``) -> Korean (``부산``, the phrase file's)."""
    return {REGION_LABELS[r]: ko for r, ko in phrases()["ko"]["regions"].items()}


def korean_name(name: str) -> str | None:
    """The Korean form of a simulated programme name, or ``None`` when its stem has none."""
    numeral = _NUMERAL.search(name)
    rest = name[: numeral.start()] if numeral else name
    stem = next((s for s in sorted(STEMS, key=len, reverse=True) if rest.startswith(s)), None)
    if stem is None:
        return None
    tail = rest[len(stem) :]
    regional = re.fullmatch(r" \((.+)\)", tail)
    if regional:
        tail = f" ({_regions().get(regional.group(1), regional.group(1))})"
    else:
        tail = SUFFIXES.get(tail, tail)
    return STEMS[stem] + tail + (f" {numeral.group(1)}" if numeral else "")


def korean_agency(agency: str) -> str | None:
    """The Korean name of a simulated agency (a region's Technopark too), or ``None``."""
    if agency in AGENCIES:
        return AGENCIES[agency]
    park = re.fullmatch(r"(.+) Technopark", agency)
    if park and park.group(1) in _regions():
        return f"{_regions()[park.group(1)]}테크노파크"
    return None


def _beside(korean: str | None, english: object) -> object:
    return f"{korean}{SEPARATOR}{english}" if korean and isinstance(english, str) else english


def in_korean(programmes: pd.DataFrame) -> pd.DataFrame:
    """``programmes`` with each name and agency as Korean · English (unchanged where no
    Korean form is known)."""
    return programmes.assign(
        name=[_beside(korean_name(n), n) if isinstance(n, str) else n for n in programmes["name"]],
        agency=[
            _beside(korean_agency(a), a) if isinstance(a, str) else a for a in programmes["agency"]
        ],
    )
