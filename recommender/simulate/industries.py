"""Industries within the simulated sectors: what a firm says it does, and the industry
focus some programme lines announce.

Real announcements often name the industry they are for ("의료기기 분야 중소기업",
"뿌리산업 기업") without restricting eligibility to it, and a firm's business
description says what it makes. The demo world gives each firm one industry of its
sector (a KSIC code and words a description would use) and some programme lines a
focus industry (words in the announcement's description); a programme does more the
closer its text is to what the firm does (``world.text_relatedness``,
``outcomes.latent_benefit``, ``docs/causal-model.md``), so the model can learn what a
text match between description and announcement is worth.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np

from recommender.constants import SECTORS


class Industry(NamedTuple):
    """An industry: its sector, KSIC code, Korean name and the words firms use for it."""

    sector: str
    ksic: str
    label: str
    products: tuple[str, ...]
    activity: str


INDUSTRIES: Final[tuple[Industry, ...]] = (
    Industry(
        "mfg_high_tech",
        "27112",
        "의료기기",
        ("체외진단 기기", "영상진단 장비", "재활 의료기기"),
        "개발·제조",
    ),
    Industry(
        "mfg_high_tech",
        "26110",
        "반도체",
        ("반도체 부품", "전력반도체", "반도체 장비 부품"),
        "설계·제조",
    ),
    Industry(
        "mfg_high_tech",
        "21210",
        "바이오의약품",
        ("바이오 신약", "의약품 원료", "진단 시약"),
        "연구·생산",
    ),
    Industry(
        "mfg_mid_tech",
        "30331",
        "자동차부품",
        ("전장 부품", "자동차 차체 부품", "전기차 부품"),
        "제조",
    ),
    Industry(
        "mfg_mid_tech", "29299", "산업기계", ("자동화 설비", "산업용 로봇", "공작기계"), "제작"
    ),
    Industry(
        "mfg_mid_tech",
        "20499",
        "화학소재",
        ("기능성 소재", "플라스틱 컴파운드", "코팅 소재"),
        "생산",
    ),
    Industry(
        "mfg_low_tech", "10799", "식품", ("가공식품", "건강기능식품", "전통 발효식품"), "제조·판매"
    ),
    Industry("mfg_low_tech", "13999", "섬유", ("기능성 원단", "의류 소재", "산업용 섬유"), "생산"),
    Industry("mfg_low_tech", "25999", "금속가공", ("금형", "정밀 금속부품", "주조 부품"), "가공"),
    Industry(
        "kbs_ict",
        "58221",
        "소프트웨어",
        ("기업용 소프트웨어", "클라우드 SaaS", "보안 솔루션"),
        "개발",
    ),
    Industry(
        "kbs_ict",
        "62010",
        "인공지능",
        ("인공지능 데이터 분석", "빅데이터 플랫폼", "AI 비전 솔루션"),
        "개발",
    ),
    Industry(
        "kbs_ict",
        "63120",
        "플랫폼",
        ("모바일 앱 서비스", "온라인 중개 플랫폼", "핀테크 서비스"),
        "운영",
    ),
    Industry(
        "kbs_professional",
        "72129",
        "엔지니어링",
        ("플랜트 설계", "시험·분석 서비스", "건설 엔지니어링"),
        "수행",
    ),
    Industry(
        "kbs_professional",
        "73201",
        "디자인",
        ("제품 디자인", "브랜드 디자인", "UX 디자인"),
        "컨설팅",
    ),
    Industry(
        "kbs_professional",
        "71531",
        "경영컨설팅",
        ("경영 컨설팅", "마케팅 대행", "인사 자문"),
        "제공",
    ),
    Industry(
        "kbs_content",
        "58211",
        "게임",
        ("모바일 게임", "온라인 게임", "메타버스 콘텐츠"),
        "개발·퍼블리싱",
    ),
    Industry(
        "kbs_content", "59114", "영상콘텐츠", ("애니메이션", "영상 제작", "웹툰 콘텐츠"), "제작"
    ),
    Industry("other_services", "52991", "물류", ("화물 운송", "택배 배송", "창고 보관"), "서비스"),
    Industry(
        "other_services", "47912", "유통", ("온라인 쇼핑몰", "도소매 유통", "식자재 유통"), "운영"
    ),
    Industry(
        "other_services",
        "55101",
        "관광",
        ("관광 숙박", "여행 서비스", "관광 체험 프로그램"),
        "운영",
    ),
)
SECTOR_OF: Final[np.ndarray] = np.array([SECTORS.index(i.sector) for i in INDUSTRIES])
DESCRIBED_SHARE: Final[float] = 0.6  # firms whose profile carries a business description
FOCUS_SHARE: Final[float] = 0.5  # scored programme lines announced for one industry
# the Korean words every announcement of a type uses (shared with some descriptions:
# 개발, 제조, 서비스), so that unrelated texts match a little, as real ones do
TYPE_WORDS: Final[dict[str, str]] = {
    "consulting": "중소기업 경영·기술 컨설팅 지원",
    "rnd_planning": "중소기업 기술개발 기획 지원",
    "education": "중소기업 임직원 기술경영 교육",
    "industry_academic": "중소기업 산학협력 공동 기술개발",
    "commercialization": "중소기업 제품 개발·사업화 지원",
    "globalization": "중소기업 해외진출·수출 지원",
    "finance": "중소기업 정책자금 융자·보증 지원",
    "workforce": "중소기업 인력 채용·양성 지원",
    "other": "중소기업 지원 안내",
}
# sentences of the kind every real announcement carries (who may apply, how, what is
# paid); each simulated announcement has a few, so that its text is long and its
# match with a short description small, as on the real feed
BOILERPLATE: Final[tuple[str, ...]] = (
    "신청자격은 공고일 기준 사업자등록을 한 중소기업입니다.",
    "제조업 및 지식서비스업을 영위하는 기업을 우대합니다.",
    "지원내용은 총 사업비의 70% 이내 정부지원금입니다.",
    "온라인 신청 후 서류평가와 발표평가로 선정합니다.",
    "기술개발 역량과 사업화 계획을 평가합니다.",
    "참여기업은 협약 체결 후 사업을 수행합니다.",
    "국세 및 지방세 체납 기업은 신청할 수 없습니다.",
    "자세한 사항은 사업 공고문과 운영기관 누리집을 참고하십시오.",
    "연구개발 전담부서 보유 기업은 가점을 받습니다.",
    "서비스 개선과 신제품 개발 계획을 제출하여야 합니다.",
    "최근 3년간 매출 실적과 고용 현황을 확인합니다.",
    "선정 기업에는 전문가 자문과 교육을 함께 제공합니다.",
    "시제품 제작, 인증, 마케팅 비용을 지원합니다.",
    "운영기관의 현장 점검과 성과 평가가 있습니다.",
    "수출 초보기업의 해외 판로 개척을 돕습니다.",
    "온라인 판매와 유통채널 입점을 연계합니다.",
    "생산 공정 자동화와 품질 개선을 지원합니다.",
    "연구인력 채용 인건비를 일부 지원합니다.",
)
# what a firm adds about where it stands (real descriptions say such things: "유럽
# CE-MDR 인증 준비 중", "온라인 판매를 늘리려 함"); the same words recur in
# announcements, so they match some programmes more than others
SITUATIONS: Final[tuple[str, ...]] = (
    "수출 준비 중",
    "온라인 판매를 늘리려 함",
    "신제품 개발 중",
    "인증 취득 준비 중",
    "생산 공정 자동화 추진 중",
    "연구인력 채용 예정",
    "해외 판로 개척 중",
    "대형 유통채널 납품 중",
    "정부 R&D 과제 수행 경험 있음",
    "마케팅 역량 강화가 필요함",
)


def boilerplate(rng: np.random.Generator) -> str:
    """Three to six of :data:`BOILERPLATE`'s sentences, in a random order."""
    k = int(rng.integers(3, 7))
    return " ".join(BOILERPLATE[i] for i in rng.permutation(len(BOILERPLATE))[:k])


def draw_industries(rng: np.random.Generator, sector: np.ndarray) -> np.ndarray:
    """One industry (index into :data:`INDUSTRIES`) per firm, uniform within its sector."""
    out = np.empty(len(sector), dtype=np.int64)
    for s in range(len(SECTORS)):
        rows = np.flatnonzero(sector == s)
        options = np.flatnonzero(np.equal(SECTOR_OF, s))
        out[rows] = options[rng.integers(len(options), size=len(rows))]
    return out


def descriptions(rng: np.random.Generator, industry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every firm's one-line description of its business, and whether its profile gives
    it: one or two of its industry's products and the activity, e.g. ``체외진단 기기,
    재활 의료기기 개발·제조``. A firm that gives none still does what it would say."""
    out = np.empty(len(industry), dtype=object)
    said = rng.random(len(industry)) < DESCRIBED_SHARE
    first = rng.integers(3, size=len(industry))
    two = rng.random(len(industry)) < 0.4
    n_said = rng.integers(0, 3, size=len(industry))
    for row in range(len(industry)):
        ind = INDUSTRIES[int(industry[row])]
        products = [ind.products[int(first[row])]]
        if two[row]:
            products.append(ind.products[(int(first[row]) + 1) % 3])
        where = [SITUATIONS[k] for k in rng.permutation(len(SITUATIONS))[: n_said[row]]]
        out[row] = ", ".join([f"{', '.join(products)} {ind.activity}", *where])
    return out, said


def draw_focus(rng: np.random.Generator) -> tuple[int, tuple[int, ...]]:
    """A new line's focus industry (-1: a line open to every industry) and which of its
    products the announcement names (one to three)."""
    if rng.random() >= FOCUS_SHARE:
        return -1, ()
    named = rng.permutation(3)[: int(rng.integers(1, 4))]
    return int(rng.integers(len(INDUSTRIES))), tuple(sorted(int(k) for k in named))


def focus_text(focus: int, named: tuple[int, ...]) -> str:
    """The words an announcement uses for its focus (empty without one)."""
    if focus < 0:
        return ""
    ind = INDUSTRIES[focus]
    return f"{ind.label} 분야 중소기업 대상({', '.join(ind.products[k] for k in named)})"
