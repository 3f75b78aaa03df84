"""Sums of money as a reader writes them, from the contract's million KRW.

English counts in millions and billions ("50 million KRW", "1.2 billion KRW"); Korean
in its own units of ten thousand (만) and a hundred million (억): "5천만 원", "1억
5천만 원", "2,500만 원", "10억 원" - the way announcements state them.
"""

from __future__ import annotations

from typing import Final

WON_PER_MILLION: Final[int] = 1_000_000
MAN: Final[int] = 10_000  # 만
EOK: Final[int] = 100_000_000  # 억


def english_krw(krw_m: float) -> str:
    """``krw_m`` million KRW in English: billions from a billion, millions from a
    million, else KRW."""
    if krw_m < 1:
        return f"{round(krw_m * WON_PER_MILLION):,} KRW"
    millions = round(krw_m, 1)
    if millions >= 1_000:
        return f"{round(krw_m / 1_000, 2):,g} billion KRW"
    return f"{millions:,g} million KRW"


def _man(n: int) -> str:
    """A count of 만 (1 to 9,999): whole thousands as 천 ("5천만"), else digits."""
    return f"{n // 1_000}천만" if n % 1_000 == 0 else f"{n:,}만"


def korean_won(krw_m: float) -> str:
    """``krw_m`` million KRW in Korean units, rounded to the nearest 만 (below one 만:
    in 원)."""
    won = round(krw_m * WON_PER_MILLION)
    if won < MAN:
        return f"{won:,}원"
    eok, man = divmod(round(won / MAN), EOK // MAN)
    parts = ([f"{eok:,}억"] if eok else []) + ([_man(man)] if man else [])
    return " ".join(parts) + " 원"


MONEY: Final = {"en": english_krw, "ko": korean_won}
