"""Eligibility rules: the mask and the reasons say the same thing, as facts that the
English renderer says in words a person reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.eligibility import (
    EligibilityIndex,
    Reason,
    eligibility_mask,
    eligible_pairs,
    ineligibility_reasons,
    reasons,
)
from recommender.explain import renderer

ENGLISH = renderer("en")


def said(firm_: dict[str, object], programme_: dict[str, object]) -> list[str]:
    return ENGLISH.reasons(reasons(firm_, programme_))


def firm(**over: object) -> dict[str, object]:
    base: dict[str, object] = dict(
        firm_id="F1",
        year=2024,
        region="gyeonggi",
        sector="mfg_high_tech",
        founded_year=2018,
        employees=4,
        revenue_krw_m=900.0,
        has_rnd_lab=False,
    )
    base.update(over)
    return base


def programme(**over: object) -> dict[str, object]:
    base: dict[str, object] = dict(
        programme_id="P1",
        year=2024,
        min_employees=np.nan,
        max_employees=np.nan,
        min_firm_age=np.nan,
        max_firm_age=np.nan,
        sectors="*",
        regions="*",
        requires_rnd_lab=None,
        max_revenue_krw_m=np.nan,
    )
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (dict(min_employees=10.0), "needs at least 10 employees; your firm has 4"),
        (dict(max_employees=3.0), "takes at most 3 employees; your firm has 4"),
        (dict(min_firm_age=7.0), "needs a firm at least 7 years old; your firm is 6 years old"),
        (dict(max_firm_age=3.0), "takes firms at most 3 years old; your firm is 6 years old"),
        (
            dict(max_revenue_krw_m=500.0),
            "takes firms with revenue up to 500 million KRW; your firm has 900 million KRW",
        ),
        (
            dict(sectors="kbs_ict;kbs_content"),
            "open to firms in ICT services, content services; your firm is in high-tech "
            "manufacturing",
        ),
        (dict(regions="seoul;busan"), "open to firms in Seoul, Busan; your firm is in Gyeonggi"),
        (dict(requires_rnd_lab=True), "needs a registered corporate R&D lab; your firm has none"),
        (dict(year=2025), "runs in 2025; your firm's profile is for 2024"),
    ],
)
def test_each_failed_rule_is_said_in_words_and_masks_the_pair(rule: dict, expected: str) -> None:
    prog = programme(**rule)
    assert said(firm(), prog) == [expected]
    assert not eligibility_mask(pd.DataFrame([firm()]), pd.DataFrame([prog]))[0, 0]


def test_a_reason_carries_the_rule_the_limit_and_the_firms_value() -> None:
    assert reasons(firm(), programme(min_employees=10.0)) == [Reason("min_employees", 10.0, 4.0)]
    assert reasons(firm(), programme(regions="seoul;busan")) == [
        Reason("region", ("seoul", "busan"), "gyeonggi")
    ]
    assert reasons(firm(), programme(requires_rnd_lab=True)) == [Reason("lab")]


def test_a_programme_without_rules_admits_every_firm_of_its_year() -> None:
    assert reasons(firm(), programme()) == []
    assert eligibility_mask(pd.DataFrame([firm()]), pd.DataFrame([programme()]))[0, 0]


def test_rules_at_their_bounds_pass() -> None:
    prog = programme(
        min_employees=4.0,
        max_employees=4.0,
        min_firm_age=6.0,
        max_firm_age=6.0,
        max_revenue_krw_m=900.0,
        sectors="mfg_high_tech",
        regions="gyeonggi",
        requires_rnd_lab=False,
    )
    assert reasons(firm(), prog) == []


def test_several_failures_give_several_reasons() -> None:
    out = reasons(firm(), programme(min_employees=10.0, requires_rnd_lab=True))
    assert [r.rule for r in out] == ["min_employees", "lab"]


def test_mask_agrees_with_reasons_on_a_random_catalogue() -> None:
    rng = np.random.default_rng(0)
    n, m = 300, 60
    firms = pd.DataFrame(
        dict(
            firm_id=[f"F{i}" for i in range(n)],
            year=rng.choice([2023, 2024], n),
            region=rng.choice(["seoul", "busan", "jeju"], n),
            sector=rng.choice(["mfg_high_tech", "kbs_ict", "other_services"], n),
            founded_year=rng.integers(1990, 2023, n),
            employees=rng.integers(1, 400, n),
            revenue_krw_m=rng.uniform(0, 50_000, n),
            has_rnd_lab=rng.random(n) < 0.4,
        )
    )

    def maybe(values: np.ndarray) -> np.ndarray:
        return np.where(rng.random(m) < 0.5, values, np.nan)

    progs = pd.DataFrame(
        dict(
            programme_id=[f"P{j}" for j in range(m)],
            year=rng.choice([2023, 2024], m),
            min_employees=maybe(rng.integers(1, 50, m).astype(float)),
            max_employees=maybe(rng.integers(50, 300, m).astype(float)),
            min_firm_age=maybe(rng.integers(0, 5, m).astype(float)),
            max_firm_age=maybe(rng.integers(5, 20, m).astype(float)),
            sectors=rng.choice(["*", "kbs_ict", "mfg_high_tech;other_services"], m),
            regions=rng.choice(["*", "seoul", "busan;jeju"], m),
            requires_rnd_lab=rng.choice(np.array([True, False, None], dtype=object), m),
            max_revenue_krw_m=maybe(rng.uniform(1_000, 40_000, m)),
        )
    )
    mask = eligibility_mask(firms, progs)
    firm_rows, prog_rows = firms.to_dict("records"), progs.to_dict("records")
    for i in range(0, n, 7):
        for j in range(m):
            assert mask[i, j] == (reasons(firm_rows[i], prog_rows[j]) == [])
    # the whole catalogue's reasons at once say exactly what one pair at a time says
    together, failed = EligibilityIndex(progs).evaluate(firms)
    assert (together == mask).all()
    for i in range(0, n, 7):
        assert set(failed[i]) == set(np.flatnonzero(~mask[i]).tolist())
    refusals = [(i, j, why) for i in range(0, n, 7) for j, why in failed[i].items()]
    assert refusals
    for i, j, why in refusals:
        assert why == reasons(firm_rows[i], prog_rows[j])
    pairs = eligible_pairs(firms, progs)
    assert len(pairs) == mask.sum()
    assert mask[pairs.firm_row, pairs.programme_row].all()
    assert 0 < mask.mean() < 1


def test_ineligibility_reasons_lists_only_programmes_the_firm_cannot_join() -> None:
    progs = pd.DataFrame(
        [programme(programme_id="open"), programme(programme_id="big-only", min_employees=50.0)]
    )
    assert {
        pid: ENGLISH.reasons(why) for pid, why in ineligibility_reasons(firm(), progs).items()
    } == {"big-only": ["needs at least 50 employees; your firm has 4"]}


def test_unknown_sector_in_a_firm_is_never_eligible_for_a_restricted_programme() -> None:
    mask = eligibility_mask(
        pd.DataFrame([firm(sector="mining")]), pd.DataFrame([programme(sectors="kbs_ict")])
    )
    assert not mask[0, 0]
