"""Properties of the core that must hold for any valid input (Hypothesis).

* Eligibility is monotone: more employees never makes a ``max_employees`` rule pass,
  fewer never makes a ``min_employees`` rule pass.
* The ranking is a permutation of the eligible, scored programmes of the profile's year.
* Every explanation adds up: base value + sum of contributions = score (1e-6), for any
  valid profile, including all-missing self-assessments and extreme values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.adapters.artefact import load_recommender
from recommender.constants import CAPABILITIES
from recommender.eligibility import eligibility_mask
from recommender.recommend import Recommender, profile_frame
from recommender.recommend.lists import blended
from tests.api.conftest import Deployment

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def firm_row(employees: int) -> dict[str, Any]:
    return dict(
        firm_id="F1",
        year=2024,
        region="gyeonggi",
        sector="mfg_high_tech",
        founded_year=2018,
        employees=employees,
        revenue_krw_m=900.0,
        has_rnd_lab=False,
    )


def programme_row(**rules: float) -> dict[str, Any]:
    base: dict[str, Any] = dict(
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
    return {**base, **rules}


def passes(employees: int, **rules: float) -> bool:
    mask = eligibility_mask(
        pd.DataFrame([firm_row(employees)]), pd.DataFrame([programme_row(**rules)])
    )
    return bool(mask[0, 0])


counts = st.integers(min_value=1, max_value=10_000_000)


@SETTINGS
@given(limit=counts, over=counts, more=st.integers(min_value=0, max_value=10_000_000))
def test_more_employees_never_makes_a_max_employees_rule_pass(
    limit: int, over: int, more: int
) -> None:
    employees = limit + over  # a firm the rule refuses ...
    assert not passes(employees, max_employees=float(limit))
    assert not passes(employees + more, max_employees=float(limit))  # ... refuses it bigger


@SETTINGS
@given(employees=counts, under=counts, fewer=st.integers(min_value=0, max_value=10_000_000))
def test_fewer_employees_never_makes_a_min_employees_rule_pass(
    employees: int, under: int, fewer: int
) -> None:
    limit = employees + under  # a firm the rule refuses ...
    smaller = max(1, employees - fewer)
    assert not passes(employees, min_employees=float(limit))
    assert not passes(smaller, min_employees=float(limit))  # ... refuses it smaller


@pytest.fixture(scope="module")
def recommender(deployment: Deployment) -> Recommender:
    return load_recommender(
        deployment.registry, "v1", programmes=deployment.world.dataset.programmes
    )


def profile_strategy(base: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Valid profiles around the simulated ones, stretched to the contract's limits."""
    big = st.floats(min_value=0, max_value=1e12, allow_nan=False)
    rating = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
    all_missing = st.just({c: None for c in CAPABILITIES})
    some = st.fixed_dictionaries({c: rating for c in CAPABILITIES})

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        profile = dict(draw(st.sampled_from(base)))
        employees = draw(st.integers(min_value=1, max_value=10_000_000))
        profile.update(
            employees=employees,
            researchers=draw(st.integers(min_value=0, max_value=employees)),
            patents=draw(st.integers(min_value=0, max_value=1_000_000)),
            revenue_krw_m=draw(big),
            rnd_spend_krw_m=draw(big),
            export_share=draw(st.floats(min_value=0, max_value=1)),
            revenue_growth=draw(st.one_of(st.none(), st.floats(min_value=-1, max_value=1e6))),
            has_rnd_lab=draw(st.booleans()),
            founded_year=profile["year"] - draw(st.integers(min_value=0, max_value=150)),
            **draw(st.one_of(all_missing, some)),
        )
        return profile

    return build()


def test_ranking_and_explanations_hold_for_any_valid_profile(
    recommender: Recommender, profiles: list[dict[str, Any]]
) -> None:
    programmes = recommender.programmes
    explained: list[int] = []

    @SETTINGS
    @given(profile=profile_strategy(profiles[:30]))
    def check(profile: dict[str, Any]) -> None:
        rec = recommender.recommend(profile, k=1000, explain="all")
        year = programmes[programmes["year"] == profile["year"]].reset_index(drop=True)
        mask = eligibility_mask(profile_frame(profile), year)[0]
        eligible = set(year.loc[mask, "programme_id"])
        ranked = [i.programme_id for i in rec.items]
        unscored = {i.programme_id for i in rec.unscored}
        assert len(ranked) == len(set(ranked))
        assert set(ranked) | unscored == eligible
        assert not set(ranked) & unscored
        assert [i.rank for i in rec.items] == list(range(1, len(ranked) + 1))
        scores = [i.score for i in rec.items]
        assert all(s is not None and np.isfinite(s) for s in scores)
        # the whole list (k covers every candidate): surely eligible first, each part in
        # the order of the blend of model score and text match
        blend = blended(
            np.array(scores, dtype=float),
            np.array([i.text_match or 0.0 for i in rec.items]),
            np.zeros(len(scores), dtype=int),
            1,
            weight=recommender.text_weight,
        )
        keys = [
            (bool(i.to_check), -round(float(b), 9)) for i, b in zip(rec.items, blend, strict=True)
        ]
        assert keys == sorted(keys)
        # may be empty for an ineligible profile: the count below proves real lists ran
        unexplained = [
            (i.programme_id, i.score, i.explanation)
            for i in rec.items
            if i.explanation is None or abs(i.explanation.total - i.score) > 1e-6
        ]
        assert unexplained == []
        explained.append(len(rec.items))

    check()
    assert sum(n > 0 for n in explained) >= len(explained) // 4  # real rankings were checked


def test_all_missing_self_assessments_are_explained(
    recommender: Recommender, profiles: list[dict[str, Any]]
) -> None:
    profile = {**profiles[0], **{c: None for c in CAPABILITIES}}
    rec = recommender.recommend(profile, k=1000, explain="all")
    assert rec.items
    for item in rec.items:
        assert item.explanation is not None and item.score is not None
        assert abs(item.explanation.total - item.score) <= 1e-6
