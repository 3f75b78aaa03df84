"""Which day's open programmes a profile sees by default."""

from datetime import date

from recommender.recommend import reference_date


def test_an_explicit_day_always_wins() -> None:
    assert reference_date(2024, date(2024, 5, 1), date(2026, 1, 1)) == date(2024, 5, 1)


def test_a_profile_of_this_year_sees_what_is_open_today() -> None:
    assert reference_date(2026, None, date(2026, 11, 23)) == date(2026, 11, 23)


def test_a_profile_of_another_year_is_not_filtered_by_window() -> None:
    assert reference_date(2024, None, date(2026, 11, 23)) is None
    assert reference_date(2024, None, None) is None
