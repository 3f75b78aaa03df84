"""Off-policy value estimators on a hand-computed fixture of four firms and three programmes.

Logged pairs of 2024 (D = joined, Y = outcome, e = propensity, m = expected outcome):

    firm  programme  D  Y   e     m       policy "pi" rank   policy "rho" rank
    A     P1         1  3   0.50  2.0     1                  2
    A     P2         0  -   0.25  1.0     2                  1
    B     P1         0  -   0.20  1.5     1                  2
    B     P2         1  1   0.25  2.0     2                  1
    B     P3         0  -   0.10  0.5     3                  3
    C     P2         0  -   0.50  1.0     2                  1
    C     P3         1  2   0.40  2.5     1                  2
    D     P1         0  -   0.10  1.0     1                  1    (D joined nothing)

pi's top picks: A-P1 (joined), B-P1, C-P3 (joined), D-P1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from recommender import DataValidationError
from training.policies import oracle_value, picks, ranking_from_scores
from training.policy_value import (
    CLIP,
    bias_allowance,
    overlap,
    policy_difference,
    policy_value,
)

ROWS = [
    ("A", "P1", True, 3.0, 0.50, 2.0, 1, 2),
    ("A", "P2", False, np.nan, 0.25, 1.0, 2, 1),
    ("B", "P1", False, np.nan, 0.20, 1.5, 1, 2),
    ("B", "P2", True, 1.0, 0.25, 2.0, 2, 1),
    ("B", "P3", False, np.nan, 0.10, 0.5, 3, 3),
    ("C", "P2", False, np.nan, 0.50, 1.0, 2, 1),
    ("C", "P3", True, 2.0, 0.40, 2.5, 1, 2),
    ("D", "P1", False, np.nan, 0.10, 1.0, 1, 1),
]


@pytest.fixture
def frame() -> pd.DataFrame:
    cols = ["firm_id", "programme_id", "joined", "outcome", "propensity", "expected", "pi", "rho"]
    return pd.DataFrame(ROWS, columns=cols).assign(year=2024)


@pytest.fixture
def logged(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["pi", "rho"])


def ranking(frame: pd.DataFrame, policy: str) -> pd.DataFrame:
    return frame[["firm_id", "year", "programme_id"]].assign(rank=frame[policy])


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("dm", (2.0 + 1.5 + 2.5 + 1.0) / 4),
        ("ips", (3 / 0.5 + 2 / 0.4) / 4),
        ("snips", (3 / 0.5 + 2 / 0.4) / (1 / 0.5 + 1 / 0.4)),
        ("dr", ((2.0 + (3 - 2.0) / 0.5) + 1.5 + (2.5 + (2 - 2.5) / 0.4) + 1.0) / 4),
    ],
)
def test_each_method_of_the_top_pick_matches_the_hand_computed_value(
    frame: pd.DataFrame, logged: pd.DataFrame, method: str, expected: float
) -> None:
    value = policy_value(logged, ranking(frame, "pi"), method=method, n_boot=50)  # type: ignore[arg-type]
    assert value.estimate == pytest.approx(expected)
    assert (value.year, value.k, value.method) == (2024, 1, method)
    assert (value.n_firms, value.n_matched) == (4, 2)


def test_dr_clips_a_small_propensitys_importance_ratio_and_dr_unclipped_does_not(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    # A-P1 joined at propensity 1 / (4 CLIP): dr corrects m by CLIP residuals, not 4 CLIP
    rare = logged.assign(propensity=np.where(logged["programme_id"].eq("P1"), 0.25 / CLIP, 0.4))
    pi = ranking(frame, "pi")
    others = 1.5 + (2.5 + (2 - 2.5) / 0.4) + 1.0
    clipped = policy_value(rare, pi, method="dr", n_boot=50).estimate
    unclipped = policy_value(rare, pi, method="dr_unclipped", n_boot=50).estimate
    assert clipped == pytest.approx((2.0 + CLIP * (3 - 2.0) + others) / 4)
    assert unclipped == pytest.approx((2.0 + 4 * CLIP * (3 - 2.0) + others) / 4)
    # the fixture's ratios are 10 at most: nothing to clip
    same = [policy_value(logged, pi, method=m, n_boot=50).estimate for m in ("dr", "dr_unclipped")]
    assert same[0] == same[1]


@pytest.mark.parametrize("t", [0.1, 0.5, 1.0, 2.0, 4.0])
def test_the_bias_allowance_gives_95_percent_coverage_at_the_largest_allowed_bias(t: float) -> None:
    # an estimate distributed N(truth + t se, se^2): estimate +- (z se + allowance) holds
    # the truth with probability 0.95 exactly
    se = 0.02
    cv = norm.ppf(0.975) + bias_allowance(t * se, se, level=0.95) / se
    assert norm.cdf(cv - t) - norm.cdf(-cv - t) == pytest.approx(0.95, abs=1e-9)
    assert bias_allowance(-t * se, se, level=0.95) == bias_allowance(t * se, se, level=0.95)


def test_no_bias_moves_nothing_and_no_noise_moves_the_ends_by_the_bias() -> None:
    assert bias_allowance(0.0, 0.05, level=0.95) == 0.0
    assert bias_allowance(0.3, 0.0, level=0.95) == 0.3


def test_drs_interval_allows_for_what_the_clip_held_back() -> None:
    # three alike firms: every draw is the same, so the percentile interval is a point,
    # and the clip held back 3 CLIP of each firm's correction (ratio 4 CLIP, residual 1)
    alike = pd.DataFrame(
        {
            "firm_id": ["A", "B", "C"],
            "year": 2024,
            "programme_id": "P1",
            "joined": True,
            "outcome": 3.0,
            "propensity": 0.25 / CLIP,
            "expected": 2.0,
        }
    )
    ranks = alike[["firm_id", "year", "programme_id"]].assign(rank=1)
    value = policy_value(alike, ranks, method="dr", n_boot=100)
    assert value.estimate == pytest.approx(2.0 + CLIP)
    assert value.allowance == pytest.approx(3 * CLIP)
    assert (value.ci_low, value.ci_high) == pytest.approx((2.0 - 2 * CLIP, 2.0 + 4 * CLIP))
    unclipped = policy_value(alike, ranks, method="dr_unclipped", n_boot=100)
    assert (unclipped.allowance, unclipped.ci_low) == (0.0, pytest.approx(2.0 + 4 * CLIP))


def test_nothing_clipped_leaves_drs_percentile_interval_as_it_is(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    pi = ranking(frame, "pi")
    dr = policy_value(logged, pi, method="dr", n_boot=300, seed=5)
    unclipped = policy_value(logged, pi, method="dr_unclipped", n_boot=300, seed=5)
    assert dr.allowance == 0.0
    assert (dr.ci_low, dr.ci_high) == (unclipped.ci_low, unclipped.ci_high)


def test_the_mean_over_the_top_k_weighs_each_firm_once(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    # top 2: A {P1, P2}, B {P1, P2}, C {P3, P2}, D {P1} (it has one programme only)
    dm = policy_value(logged, ranking(frame, "pi"), method="dm", k=2, n_boot=50)
    dr = policy_value(logged, ranking(frame, "pi"), method="dr", k=2, n_boot=50)
    assert dm.estimate == pytest.approx(((2 + 1) / 2 + (1.5 + 2) / 2 + (2.5 + 1) / 2 + 1) / 4)
    a = (2.0 + (3 - 2.0) / 0.5 + 1.0) / 2
    b = (1.5 + 2.0 + (1 - 2.0) / 0.25) / 2
    c = (2.5 + (2 - 2.5) / 0.4 + 1.0) / 2
    assert dr.estimate == pytest.approx((a + b + c + 1.0) / 4)
    assert dr.n_matched == 3
    assert picks(logged, ranking(frame, "pi"), k=2)["w"].tolist() == [0.5] * 6 + [1.0]


def test_the_paired_difference_is_the_difference_of_the_two_values(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    pi, rho = ranking(frame, "pi"), ranking(frame, "rho")
    diff = policy_difference(logged, pi, rho, method="dr", n_boot=200)
    rho_dr = (1.0 + (2.0 + (1 - 2.0) / 0.25) + 1.0 + 1.0) / 4
    assert policy_value(logged, rho, method="dr", n_boot=50).estimate == pytest.approx(rho_dr)
    assert diff.estimate == pytest.approx(1.9375 - rho_dr)
    assert diff.ci_low <= diff.estimate <= diff.ci_high


def test_a_policy_against_itself_differs_by_exactly_zero_in_every_draw(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    pi = ranking(frame, "pi")
    # with A-P1's ratio clipped too: the clip's bias is the same for both and cancels
    rare = logged.assign(propensity=np.where(logged["programme_id"].eq("P1"), 0.25 / CLIP, 0.4))
    for data, method in ((logged, "dr"), (logged, "snips"), (rare, "dr")):
        diff = policy_difference(data, pi, pi, method=method, n_boot=200)  # type: ignore[arg-type]
        assert (diff.estimate, diff.ci_low, diff.ci_high) == (0.0, 0.0, 0.0)


def test_the_bootstrap_resamples_firms_with_all_their_pairs(logged: pd.DataFrame) -> None:
    # every firm's top-2 mean is 1.5 although its two picks differ (0 and 3): resampling
    # firms leaves no spread, resampling pairs would
    two = pd.DataFrame(
        {
            "firm_id": ["A", "A", "B", "B", "C", "C"],
            "year": 2024,
            "programme_id": ["P1", "P2"] * 3,
            "joined": False,
            "outcome": np.nan,
            "propensity": 0.5,
            "expected": [0.0, 3.0, 3.0, 0.0, 0.0, 3.0],
        }
    )
    ranks = two[["firm_id", "year", "programme_id"]].assign(rank=[1, 2] * 3)
    value = policy_value(two, ranks, method="dm", k=2, n_boot=300)
    assert (value.estimate, value.ci_low, value.ci_high) == (1.5, 1.5, 1.5)


def test_two_firms_give_the_hand_enumerated_percentile_interval() -> None:
    # firm values 0 and 4: resampled means are 0 (1/4), 2 (1/2), 4 (1/4)
    two = pd.DataFrame(
        {
            "firm_id": ["A", "B"],
            "year": 2024,
            "programme_id": ["P1", "P1"],
            "joined": False,
            "outcome": np.nan,
            "propensity": 0.5,
            "expected": [0.0, 4.0],
        }
    )
    ranks = two[["firm_id", "year", "programme_id"]].assign(rank=1)
    value = policy_value(two, ranks, method="dm", n_boot=2000, seed=3)
    assert (value.estimate, value.ci_low, value.ci_high) == (2.0, 0.0, 4.0)


def test_the_same_seed_gives_the_same_interval_and_row_order_does_not_matter(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    pi = ranking(frame, "pi")
    first = policy_value(logged, pi, method="dr", n_boot=300, seed=5)
    again = policy_value(logged.iloc[::-1], pi.iloc[::-1], method="dr", n_boot=300, seed=5)
    other = policy_value(logged, pi, method="dr", n_boot=300, seed=6)
    assert first == again
    assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)
    assert first.ci_low <= first.estimate <= first.ci_high


def test_no_overlap_is_refused_naming_the_year(frame: pd.DataFrame, logged: pd.DataFrame) -> None:
    # every top pick was not taken part in: B-P1, A-P2, C-P2, D-P1
    never = frame[["firm_id", "year", "programme_id"]].assign(rank=[2, 1, 1, 2, 3, 1, 2, 1])
    for method in ("ips", "snips", "dr"):
        with pytest.raises(DataValidationError, match=r"(?s)2024.*do not\s+overlap"):
            policy_value(logged, never, method=method)  # type: ignore[arg-type]
    assert policy_value(logged, never, method="dm", n_boot=10).estimate == pytest.approx(
        (1.0 + 1.5 + 1.0 + 1.0) / 4
    )


def test_a_policy_ranking_a_pair_the_logged_data_lacks_is_refused(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    extra = pd.concat(
        [
            ranking(frame, "pi"),
            pd.DataFrame([{"firm_id": "D", "year": 2024, "programme_id": "P9", "rank": 2}]),
        ]
    )
    with pytest.raises(ValueError, match="not eligible scored pairs"):
        policy_value(logged, extra, k=2)


def test_unranked_rows_and_other_years_are_ignored(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    pi = ranking(frame, "pi")
    noise = pd.DataFrame(
        {
            "firm_id": ["A", "Z"],
            "year": [2024, 2023],
            "programme_id": ["P7", "P1"],
            "rank": pd.array([None, 1], "Int64"),
        }
    )
    both = pd.concat([pi, noise], ignore_index=True)
    assert policy_value(logged, both, n_boot=20) == policy_value(logged, pi, n_boot=20)


def test_oracle_value_is_the_mean_true_outcome_of_the_picks(frame: pd.DataFrame) -> None:
    oracle = frame[["firm_id", "year", "programme_id"]].assign(
        expected_outcome=[3.0, 1.0, 2.0, 0.0, 1.0, 0.5, 1.5, 2.5]
    )
    pi = ranking(frame, "pi")
    assert oracle_value(pi, oracle, year=2024) == pytest.approx((3.0 + 2.0 + 1.5 + 2.5) / 4)
    assert oracle_value(pi, oracle, year=2024, k=2) == pytest.approx((2.0 + 1.0 + 1.0 + 2.5) / 4)
    with pytest.raises(ValueError, match="no expected outcome"):
        oracle_value(pi, oracle.iloc[1:], year=2024)


def test_ranking_from_scores_puts_the_highest_score_first_and_breaks_ties_by_id(
    logged: pd.DataFrame,
) -> None:
    scores = np.array([0.2, 0.9, 0.5, 0.5, 0.1, 0.0, 1.0, 7.0])
    ranks = ranking_from_scores(logged, scores).set_index(["firm_id", "programme_id"])["rank"]
    assert ranks.to_dict() == {
        ("A", "P1"): 2,
        ("A", "P2"): 1,
        ("B", "P1"): 1,
        ("B", "P2"): 2,
        ("B", "P3"): 3,
        ("C", "P2"): 2,
        ("C", "P3"): 1,
        ("D", "P1"): 1,
    }


def test_overlap_reports_low_propensities_and_the_effective_sample_size(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    everything = overlap(logged)
    # joined pairs' weights 2, 4, 2.5: ESS = 8.5^2 / (4 + 16 + 6.25)
    assert everything == pytest.approx(
        {"share_below_1pct": 0.0, "ess": 8.5**2 / 26.25, "n_joined": 3, "n": 3}
    )
    low = logged.assign(propensity=logged["propensity"].where(logged["firm_id"] != "D", 0.005))
    of_pi = overlap(low, ranking(frame, "pi"))
    # firms' weights under pi: A 2, B 0, C 2.5, D 0; picks below 1 %: D-P1 (1 of 4)
    assert of_pi == pytest.approx(
        {"share_below_1pct": 0.25, "ess": 4.5**2 / (4 + 6.25), "n_joined": 2, "n": 4}
    )


def test_bad_arguments_are_refused(frame: pd.DataFrame, logged: pd.DataFrame) -> None:
    pi = ranking(frame, "pi")
    with pytest.raises(ValueError, match="method"):
        policy_value(logged, pi, method="magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must"):
        policy_value(logged, pi, k=0)
    with pytest.raises(ValueError, match="one year"):
        policy_value(pd.concat([logged, logged.assign(year=2023)]), pi)


def test_the_interface_dict_has_exactly_the_wired_keys(
    frame: pd.DataFrame, logged: pd.DataFrame
) -> None:
    value = policy_value(logged, ranking(frame, "pi"), n_boot=20).as_dict()
    assert list(value) == ["estimate", "ci_low", "ci_high", "year", "k", "method"]
    assert (value["year"], value["k"], value["method"]) == (2024, 1, "dr")
