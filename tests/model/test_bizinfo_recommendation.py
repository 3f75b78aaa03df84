"""A demo firm ranked against real 2025 Bizinfo announcements, deadline-aware."""

from __future__ import annotations

import re
from datetime import date

import pytest

from api.portal.i18n import Translator
from api.portal.view import build_results, programme_index
from recommender.adapters.artefact import load_recommender
from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo import announcements_to_programmes
from recommender.constants import DEMO_WORLD
from recommender.settings import PROJECT_ROOT
from recommender.simulate import simulate_world
from tests.signing import shipped_registry

AS_OF = date(2025, 8, 20)


@pytest.fixture(scope="module")
def ranking(tmp_path_factory: pytest.TempPathFactory):
    catalogue = announcements_to_programmes(
        read_announcements(PROJECT_ROOT / "recommender/data/bizinfo/announcements-2023-2025.csv"),
        rules=load_type_rules(),
    )
    registry = shipped_registry(tmp_path_factory.mktemp("shipped"))
    rec = load_recommender(registry, programmes=catalogue)
    firms = simulate_world(**DEMO_WORLD).dataset.firms  # type: ignore[arg-type]
    firm = firms[(firms["year"] == 2024) & (firms["sector"] == "mfg_high_tech")].iloc[[0]]
    firm = firm.assign(year=2025)  # its profile carried into the year of the announcements
    return rec, firm, catalogue


@pytest.fixture(scope="module")
def result(ranking):
    rec, firm, catalogue = ranking
    # deep enough to reach announcements with a window: the top five have none
    return rec.recommend(firm, k=50, as_of=AS_OF), catalogue


def test_real_open_announcements_are_ranked_and_explained(result) -> None:
    out, catalogue = result
    assert len(out.items) == 50
    ids = set(catalogue["programme_id"])
    for item in out.items:
        assert item.programme_id in ids and item.programme_id.startswith("PBLN_")
        assert item.url and item.url.startswith("https://www.bizinfo.go.kr")
        assert item.explanation is not None
        assert item.explanation.total == pytest.approx(item.score, abs=1e-6)
    dated = [i for i in out.items if i.apply_end is not None]
    assert dated
    for item in dated:
        assert item.days_left is not None and item.days_left >= 0
        assert date.fromisoformat(item.apply_end) >= AS_OF
    assert any(any("\uac00" <= ch <= "\ud7a3" for ch in i.name) for i in out.items), (
        "Korean titles are shown as they are"
    )


def test_closed_announcements_are_not_recommended(result) -> None:
    out, catalogue = result
    closed = set(
        catalogue.loc[
            catalogue["apply_end"].notna() & (catalogue["apply_end"] < AS_OF.isoformat()),
            "programme_id",
        ]
    )
    assert closed, "the feed has windows that ended before the reference date"
    assert not closed & {i.programme_id for i in out.items + out.unscored}


def test_eligible_other_type_announcements_follow_unscored_with_links(result) -> None:
    out, _ = result
    assert out.unscored
    assert all(
        i.score is None and i.rank is None and i.programme_type == "other" for i in out.unscored
    )


def test_unscored_k_bounds_the_unscored_list_and_the_total_still_counts_all(
    ranking, result
) -> None:
    rec, firm, _ = ranking
    out, _ = result
    short = rec.recommend(firm, k=5, as_of=AS_OF, unscored_k=3)
    assert out.unscored_total == len(out.unscored) > 3
    assert [i.programme_id for i in short.unscored] == [i.programme_id for i in out.unscored[:3]]
    assert short.unscored_total == out.unscored_total


def test_each_real_announcement_says_its_support_and_window_or_that_they_are_not_stated(
    ranking, result
) -> None:
    out, catalogue = result
    stated = catalogue.set_index("programme_id")
    items = out.items + out.unscored
    read = [stated.at[i.programme_id, "support_krw_m"] for i in items]
    assert [i.support_krw_m for i in items] == [None if a != a else pytest.approx(a) for a in read]
    assert [i.support_kind for i in items] == [
        k if isinstance(k, str) else None
        for k in stated.loc[[i.programme_id for i in items], "support_kind"]
    ]
    # the feed states some amounts and not others: both are in this list
    assert {i.support_krw_m is None for i in items} == {True, False}
    view = build_results(
        out, programmes=programme_index(ranking[0]), tr=Translator("ko"), today=AS_OF
    )
    cards = [*view.explained, *view.more_ranked, *view.conditional, *view.unscored]
    assert len(cards) == len(items)
    shown = [c.support for c in cards] + [c.window.text if c.window else "" for c in cards]
    assert not [s for s in shown if re.search(r"\b(None|nan|NaN|unknown)\b|알 수 없음|백만", s)]
    assert {c.support.endswith("미기재") for c in cards} == {True, False}


def test_eligible_if_programmes_follow_the_sure_ones_in_a_section_of_their_own(ranking) -> None:
    rec, firm, _ = ranking
    # the demo firm states no district, statuses or industry code: many real
    # announcements depend on one of them, and more than 20 are surely eligible
    plain = rec.recommend_batch(firm, k=20, as_of=AS_OF)[0]
    assert [i.to_check for i in plain.items] == [()] * 20, "20 sure ones hide every condition"
    out = rec.recommend_batch(firm, k=20, conditional_k=8, as_of=AS_OF)[0]
    assert [i.programme_id for i in out.items[:20]] == [i.programme_id for i in plain.items]
    conditional = out.items[20:]
    assert len(conditional) == 8 and all(i.to_check for i in conditional)
    assert [i.rank for i in out.items] == list(range(1, 29))
    assert all(i.score is not None for i in conditional)
    for lang, word in (("en", "check"), ("ko", "확인")):
        view = build_results(out, programmes=programme_index(rec), tr=Translator(lang), today=AS_OF)
        assert [c.programme_id for c in view.conditional] == [i.programme_id for i in conditional]
        assert all(not c.checks for c in (*view.explained, *view.more_ranked))
        assert all(c.checks and all(word in t for t in c.checks) for c in view.conditional)
