"""The promotion gate's decision and its per-group figures, on the hand-computed fixture
of ``tests/unit/test_policy_value.py`` (four firms A-D, policies pi and rho).

Per-firm DR terms of the top pick: pi  A 4.0, B 1.5, C 1.25, D 1.0;
                                   rho A 1.0, B -2.0, C 1.0, D 1.0.
Regions: A, B seoul; C, D busan (and E, a busan profile with no eligible scored
programme). Size band: all small.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.unit.test_policy_value import ROWS, ranking
from training.fairness import exposure_by_group
from training.gate import GateDecision, _group_drops
from training.policies import picks
from training.policy_value import PolicyValue, policy_difference
from training.version_value import LoggedData


@pytest.fixture
def frame() -> pd.DataFrame:
    cols = ["firm_id", "programme_id", "joined", "outcome", "propensity", "expected", "pi", "rho"]
    return pd.DataFrame(ROWS, columns=cols).assign(year=2024)


@pytest.fixture
def data(frame: pd.DataFrame) -> LoggedData:
    profiles = pd.DataFrame(
        {
            "firm_id": ["A", "B", "C", "D", "E"],
            "region": ["seoul", "seoul", "busan", "busan", "busan"],
            "size_band": ["small"] * 5,
        }
    )
    return LoggedData(2024, frame.drop(columns=["pi", "rho"]), profiles, dataset=None)  # type: ignore[arg-type]


def test_a_group_lowered_by_more_than_the_margin_is_named(
    frame: pd.DataFrame, data: LoggedData
) -> None:
    drops, _ = _group_drops(
        data, ranking(frame, "rho"), ranking(frame, "pi"), margin=0.2, n_boot=50, seed=1
    )
    found = {(d["group"], d["level"]): d for d in drops}
    assert set(found) == {("region", "seoul"), ("size_band", "small")}  # busan: -0.125 only
    assert found[("region", "seoul")]["change"] == pytest.approx(-0.5 - 2.75)
    assert found[("region", "seoul")]["champion"] == pytest.approx(2.75)
    assert found[("size_band", "small")]["change"] == pytest.approx(0.25 - 1.9375)
    smaller, _ = _group_drops(
        data, ranking(frame, "rho"), ranking(frame, "pi"), margin=0.0, n_boot=50, seed=1
    )
    assert ("region", "seoul") in {(d["group"], d["level"]) for d in smaller}


def test_a_group_without_overlap_is_listed_as_not_judged(
    frame: pd.DataFrame, data: LoggedData
) -> None:
    # busan under rho: C's and D's top picks (C-P2, D-P1) were not joined, so no estimate
    drops, unjudged = _group_drops(
        data, ranking(frame, "rho"), ranking(frame, "pi"), margin=0.0, n_boot=50, seed=1
    )
    assert unjudged == ["region busan"]
    assert ("region", "busan") not in {(d["group"], d["level"]) for d in drops}


def test_a_policy_against_itself_lowers_no_group(frame: pd.DataFrame, data: LoggedData) -> None:
    pi = ranking(frame, "pi")
    assert _group_drops(data, pi, pi, margin=0.0, n_boot=50, seed=1) == ([], [])


def test_exposure_counts_profiles_without_a_pick(frame: pd.DataFrame, data: LoggedData) -> None:
    chosen = picks(data.logged, ranking(frame, "pi"), k=1)
    exposure = exposure_by_group(chosen, data.profiles, k=1)
    assert exposure["region"].to_dict() == {"busan": pytest.approx(2 / 3), "seoul": 1.0}
    two = exposure_by_group(picks(data.logged, ranking(frame, "pi"), k=2), data.profiles, k=2)
    # A, B, C fill both slots, D one (one eligible programme), E none
    assert two["size_band"]["small"] == pytest.approx((1 + 1 + 1 + 0.5 + 0) / 5)


def _value(estimate: float, low: float, high: float) -> PolicyValue:
    return PolicyValue(estimate, low, high, 2024, 1, "dr", 100, 30)


@pytest.mark.parametrize(
    ("difference", "drops", "accepted", "verdict"),
    [
        (_value(-0.3, -0.5, -0.1), [], False, "entirely below 0: the candidate is worse"),
        (_value(-0.1, -0.4, 0.2), [], True, "which covers 0: not shown worse"),
        (_value(0.3, 0.1, 0.5), [], True, "entirely above 0: the candidate is better"),
        (
            _value(0.0, -0.2, 0.2),
            [
                {
                    "group": "region",
                    "level": "jeju",
                    "candidate": 0.8,
                    "champion": 1.1,
                    "change": -0.3,
                    "ci_low": -0.5,
                    "ci_high": -0.1,
                }
            ],
            False,
            "for region jeju it lowers the estimated value by 0.300 (1.100 -> 0.800), more "
            "than the margin 0.10 (its interval [-0.500, -0.100] below 0)",
        ),
    ],
)
def test_the_decision_names_both_estimates_and_the_interval(
    difference: PolicyValue, drops: list[dict[str, object]], accepted: bool, verdict: str
) -> None:
    decision = GateDecision(
        "cand",
        "champ",
        "the store's outcomes",
        _value(1.0, 0.8, 1.2),
        _value(1.1, 0.9, 1.3),
        difference,
        0.10,
        drops,
    )
    reason = decision.reason()
    assert decision.accepted is accepted and verdict in reason
    assert "1.000 [0.800, 1.200] for candidate 'cand'" in reason
    assert "1.100 [0.900, 1.300] for champion 'champ'" in reason
    evidence = decision.evidence()
    assert (
        evidence["accepted"] is accepted and evidence["difference"]["ci_high"] == difference.ci_high
    )


def test_a_drop_within_the_groups_interval_does_not_block(
    frame: pd.DataFrame, data: LoggedData
) -> None:
    # candidate: rho's ranking for firm A only (A's term 4.0 -> 1.0), pi's for the others;
    # size band small: mean change -0.75, but about a third of the resamples (3/4)^4 hold no A
    mixed = ranking(frame, "pi").assign(
        rank=frame["rho"].where(frame["firm_id"] == "A", frame["pi"])
    )
    pi = ranking(frame, "pi")
    drops, _ = _group_drops(data, mixed, pi, margin=0.1, n_boot=200, seed=1)
    assert drops == []
    change = policy_difference(data.logged, mixed, pi, n_boot=200, seed=1)
    assert change.estimate == pytest.approx(-0.75) and change.ci_high >= 0
