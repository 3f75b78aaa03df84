"""The demo world's programme names and agencies in Korean, the English beside."""

from __future__ import annotations

import re

import pytest

from recommender.simulate import in_korean, simulate_world
from recommender.simulate.korean import SEPARATOR, korean_agency, korean_name

LATIN_ALLOWED = re.compile(r"MOT|R&D|\b(II|III|IV|V|VI|VII|VIII|IX)\b")


@pytest.mark.parametrize(
    ("english", "korean"),
    [
        ("Export Voucher (Busan)", "수출바우처 (부산)"),
        ("Technology Commercialization Fund (Chungnam)", "기술사업화 자금 (충남)"),
        ("MOT Academy for Start-ups II", "MOT 아카데미 (창업기업) II"),
        ("Joint Lab with Universities for Small Firms", "대학 공동연구실 (소기업)"),
    ],
)
def test_a_simulated_name_reads_in_korean(english: str, korean: str) -> None:
    assert korean_name(english) == korean


def test_agencies_read_in_korean_and_an_unknown_one_is_not_guessed() -> None:
    assert (
        korean_agency("Korea Trade-Investment Promotion Agency (KOTRA)") == "대한무역투자진흥공사"
    )
    assert korean_agency("Jeju Technopark") == "제주테크노파크"
    assert korean_agency("Some Other Foundation") is None
    assert korean_name("A Programme Nobody Named") is None


def test_every_demo_programme_gets_korean_with_the_english_beside() -> None:
    programmes = simulate_world(n_firms=800, years=(2022, 2024), seed=3).dataset.programmes
    shown = in_korean(programmes)
    assert len(shown) == len(programmes) > 50
    for column in ("name", "agency"):
        given = programmes[column].notna()
        assert given.any()
        pairs = shown.loc[given, column].str.split(SEPARATOR, n=1, regex=False)
        assert pairs.map(len).eq(2).all()
        assert pairs.map(lambda p: p[1]).tolist() == programmes.loc[given, column].tolist()
        korean = pairs.map(lambda p: LATIN_ALLOWED.sub("", p[0]))
        assert not korean.str.contains("[A-Za-z]", regex=True).any()
