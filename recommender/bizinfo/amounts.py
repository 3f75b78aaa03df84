"""Money in Korean announcements: ``최대 5천만원`` -> 50, ``2억원`` -> 200 (million KRW).

:func:`find_amounts` finds every sum of money in a text with the words around it;
:func:`per_firm_maximum` keeps those that are a per-firm ceiling and returns the largest.
A programme's total budget (``총 6개 과제(270백만원)``, ``총사업비``), thresholds
(``매출 10억원 이상``), per-person, per-month or per-week sums and the firm's own share
are not per-firm support and are dropped; when some sums are marked as per-firm
ceilings (``업체당``, ``최대``, ``한도``, ``… 이내``) the bare ones are dropped too.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

# Million KRW per unit.
_UNITS: Final[dict[str, float]] = {
    "억": 100.0,
    "천만": 10.0,
    "백만": 1.0,
    "만": 0.01,
    "천": 0.001,
    "": 0.000001,
}
_TRILLION: Final[float] = 1_000_000.0  # 조, in million KRW
# No SME is lent or given 1,000억원: a sum that large is a programme's total.
MAX_PER_FIRM_KRW_M: Final[float] = 100_000.0
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT = re.compile(
    rf"(?<![\d.,천억])(?:(?P<cheon>\d+)\s*천\s*(?P<baek>\d+)\s*백\s*만\s*원"
    rf"|(?:(?P<jo>\d+)\s*조\s*)?(?P<eok>{_NUMBER})\s*억\s*(?:(?P<rest>{_NUMBER})\s*(?P<rest_unit>천만|백만|만)"
    rf"\s*)?(?:원)?(?!\s*(?:불|달러|엔|위안|유로|\d))"
    rf"|(?P<num>{_NUMBER})\s*(?P<unit>천만|백만|만|천)?\s*원)"
)
# Just before an amount: it is not a per-firm ceiling.
_NOT_PER_FIRM_BEFORE: Final[re.Pattern[str]] = re.compile(
    r"(총\s*사업비|총\s*\d+\s*(개|건|곳|명|팀|과제)|(?<![=\s])\s*총\s*$|총\s*(예산|규모|지원\s*규모)|예산|"
    r"규모|매출|수출\s*실적|실적|자부담|자기\s*부담|투자|연봉|월\s*(최대\s*)?$|"
    r"(?<![가-힣])월\s|(?<![가-힣])연\s*$|1\s*일\s*$|1\s*인당|인당|명당|주\s*$|주당|일당|시간당|회당|자본금|부채|"
    r"보증금|임대료|이상인?\s*$)"
)
_NOT_PER_FIRM_AFTER: Final[re.Pattern[str]] = re.compile(
    r"^\s*(\([^)]*\))?\s*(/\s*(인|명|월|년|일|시간|회)|이상|초과|미만|이하의?\s*(기업|업체|사업자|소상공인)|규모|"
    r"상당의?\s*(예산|규모)|[×xX*]|을\s*투자|의\s*(매출|수출))"
)
_PER_FIRM: Final[re.Pattern[str]] = re.compile(
    r"(기업|업체|개사|개소|사업장|매장|업소|점포|팀|과제|건|컨소시엄|단체|모임|기관|곳)\s*당|"
    r"최대|이내|한도|까지|상당|내외"
)
_CEILING_AFTER: Final[re.Pattern[str]] = re.compile(r"^\s*(이내|한도|까지)")
# A line about the programme's size: its unmarked sums are totals.
_PROGRAMME_SIZE: Final[re.Pattern[str]] = re.compile(r"규모|예산|총액|재원")
_PER_PERSON: Final[re.Pattern[str]] = re.compile(r"1?\s*(인|명)\s*당|월\s*최대|연봉")


class Amount(NamedTuple):
    """One sum of money found in a text."""

    krw_m: float  # in million KRW
    text: str  # as written, e.g. "5천만원"
    before: str  # up to 16 characters before it on its line
    after: str  # up to 12 characters after it on its line
    line: str = ""  # the whole line

    @property
    def marked(self) -> bool:
        """Said to be a per-firm ceiling (``업체당``, ``최대``, ``한도``, ``… 이내``)."""
        return bool(_PER_FIRM.search(self.before) or _CEILING_AFTER.match(self.after))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def find_amounts(text: str) -> list[Amount]:
    """Every sum of money in ``text``, with its surroundings on the same line."""
    found = []
    for line in text.split("\n"):
        for m in _AMOUNT.finditer(line):
            if m.group("cheon"):  # 1천5백만원 = 15 million
                value = _number(m.group("cheon")) * 10 + _number(m.group("baek"))
            elif m.group("eok"):
                value = _number(m.group("eok")) * _UNITS["억"]
                if m.group("jo"):
                    value += _number(m.group("jo")) * _TRILLION
                if m.group("rest"):
                    value += _number(m.group("rest")) * _UNITS[m.group("rest_unit")]
            else:
                value = _number(m.group("num")) * _UNITS[m.group("unit") or ""]
            if value <= 0:
                continue
            found.append(
                Amount(
                    round(value, 6),
                    m.group(0).strip(),
                    line[max(0, m.start() - 16) : m.start()],
                    line[m.end() : m.end() + 12],
                    line,
                )
            )
    return found


def is_per_firm(amount: Amount, *, per_person_only: bool) -> bool:
    """``amount`` reads as what one firm may receive."""
    if _NOT_PER_FIRM_BEFORE.search(amount.before) or _NOT_PER_FIRM_AFTER.match(amount.after):
        return False
    if amount.krw_m > MAX_PER_FIRM_KRW_M:
        return False
    if not amount.marked and _PROGRAMME_SIZE.search(amount.line):
        return False
    return not per_person_only


def per_firm_maximum(text: str) -> tuple[float | None, str]:
    """The largest per-firm sum stated in ``text`` (alternatives: the largest counts).

    Returns
    -------
    (krw_m, evidence)
        ``None`` and ``""`` when no per-firm sum is stated; the evidence quotes the sum
        with the words before it (``"업체당 최대 50백만원"``).
    """
    amounts = find_amounts(text)
    if not amounts:
        return None, ""
    # Only per-person sums (1인당 월 200만원) and no firm ceiling: not a per-firm amount,
    # unless a total per firm is worked out in the text (=총 600만원).
    per_person_only = bool(_PER_PERSON.search(text)) and not re.search(
        r"(기업|업체|개사|사업장)\s*당|=\s*총", text
    )
    kept = [a for a in amounts if is_per_firm(a, per_person_only=per_person_only)]
    # Sums said to be per firm win over bare ones (융자 72억원(업체당 최대 1억원) -> 1억).
    kept = [a for a in kept if a.marked] or kept
    if not kept:
        return None, ""
    best = max(kept, key=lambda a: a.krw_m)
    context = best.before.split("☞")[-1].strip()
    return best.krw_m, f"{context} {best.text}".strip()
