"""The chance of a measurable result: the calibration map, its intervals, the peers' share,
its stored form and its sentence, on fixtures computed by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from recommender.calibration import Calibration, Chance, wilson
from recommender.constants import SECTORS, SIZE_BANDS
from recommender.errors import ModelIntegrityError
from recommender.explain import renderer
from training.calibrate import fit_calibration, reliability, score_bins

SHAPE = (len(SECTORS), len(SIZE_BANDS))


def peers() -> tuple[np.ndarray, np.ndarray]:
    """Sector 0: a cell of 40 pairs (10 measurable) and one of 5 (5 measurable), 45 in
    all; sector 1: 10 pairs (2 measurable); nobody else."""
    pairs, measurable = np.zeros(SHAPE), np.zeros(SHAPE)
    pairs[0, 0], measurable[0, 0] = 40, 10
    pairs[0, 1], measurable[0, 1] = 5, 5
    pairs[1, 2], measurable[1, 2] = 10, 2
    return pairs, measurable


def calibration(method: str = "isotonic") -> Calibration:
    pairs, measurable = peers()
    return Calibration(
        method,
        x=(0.0, 1.0, 2.0),
        y=(0.1, 0.3, 0.7),
        a=2.0,
        b=-2.0,
        edges=(1.0,),
        counts=(100, 4),
        peer_pairs=pairs,
        peer_measurable=measurable,
        min_peers=30,
    )


def test_isotonic_steps_are_joined_by_lines_and_flat_beyond_them() -> None:
    got = calibration().estimate(np.array([-1.0, 0.0, 0.5, 1.5, 2.0, 9.0]))
    np.testing.assert_allclose(got, [0.1, 0.1, 0.2, 0.5, 0.7, 0.7])


def test_platt_is_the_logistic_of_a_line() -> None:
    got = calibration("platt").estimate(np.array([1.0, 0.0]))
    np.testing.assert_allclose(got, [0.5, 1 / (1 + np.exp(2.0))])


def test_the_wilson_interval_of_one_half_on_a_hundred_pairs() -> None:
    low, high = wilson(np.array([0.5, 0.0]), np.array([100, 10]))
    # by hand: centre (p + z^2/2n) / (1 + z^2/n), half z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
    np.testing.assert_allclose(low, [0.403832, 0.0], atol=1e-6)
    np.testing.assert_allclose(high, [0.596168, 0.277533], atol=1e-6)


def test_an_interval_is_as_wide_as_its_score_bin_has_few_pairs() -> None:
    p, low, high = calibration().interval(np.array([0.5, 1.5, 1.0]))
    np.testing.assert_allclose(p, [0.2, 0.5, 0.3])
    assert (low <= p).all() and (p <= high).all()
    w_many, w_few = wilson(np.array([0.2]), np.array([100])), wilson(np.array([0.5]), np.array([4]))
    np.testing.assert_allclose([low[0], high[0]], [w_many[0][0], w_many[1][0]])
    np.testing.assert_allclose([low[1], high[1]], [w_few[0][0], w_few[1][0]])
    assert high[1] - low[1] > 2 * (high[0] - low[0])
    np.testing.assert_allclose(low[2], wilson(np.array([0.3]), np.array([4]))[0])  # edge: upper bin


def test_typical_is_the_cell_then_the_sector_then_everyone() -> None:
    table = calibration().typical_table()
    assert table[0, 0] == pytest.approx(10 / 40)  # 40 pairs: its own
    assert table[0, 1] == pytest.approx(15 / 45)  # 5 pairs: the sector's 45
    assert table[1, 2] == pytest.approx(17 / 55)  # the sector has 10: everyone's
    assert table[5, 3] == pytest.approx(17 / 55)  # nobody: everyone's


def test_chances_are_vectorised_over_pairs() -> None:
    got = calibration().chances(np.array([0.5, 1.5]), np.array([0, 1]), np.array([0, 2]))
    assert [round(c.estimate, 6) for c in got] == [0.2, 0.5]
    assert [round(c.typical, 6) for c in got] == [0.25, round(17 / 55, 6)]


def test_the_stored_form_reads_back_the_same() -> None:
    original = calibration()
    back = Calibration.from_json(original.to_json(), where="calibration.json")
    scores = np.linspace(-1, 3, 9)
    np.testing.assert_array_equal(back.interval(scores), original.interval(scores))
    np.testing.assert_array_equal(back.typical_table(), original.typical_table())
    assert (back.method, back.x, back.counts, back.min_peers) == (
        "isotonic",
        original.x,
        (100, 4),
        30,
    )


def _edited(change: dict[str, object]) -> bytes:
    doc = json.loads(calibration().to_json())
    for path, value in change.items():
        *parents, key = path.split(".")
        node = doc
        for p in parents:
            node = node[p]
        node[key] = value
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"format": "pickle"}, "is not a sme-recommender/calibration file"),
        ({"method": "magic"}, "method other than isotonic or platt"),
        ({"isotonic.y": [0.1, 0.9, 0.7]}, "not increasing probabilities"),
        ({"isotonic.y": [0.1, 0.3]}, "isotonic.x and isotonic.y of different lengths"),
        ({"platt.a": "2"}, "platt.a that is not a list of finite numbers"),
        ({"bins.counts": [100]}, "bins.counts that are not one more"),
        ({"bins.counts": [100, 0]}, "bins.counts that are not positive whole numbers"),
        ({"peers.pairs": [[1]]}, "no peers.pairs shaped"),
        ({"peers.min_pairs": 0}, "no positive whole peers.min_pairs"),
    ],
)
def test_a_bad_stored_form_is_refused_naming_the_field(
    change: dict[str, object], named: str
) -> None:
    with pytest.raises(ModelIntegrityError, match="calibration.json .*nothing was loaded") as err:
        Calibration.from_json(_edited(change), where="calibration.json")
    assert named in str(err.value)


def test_more_measurable_than_pairs_is_refused() -> None:
    measurable = peers()[1].astype(int).tolist()
    measurable[0][0] = 41  # of 40 pairs
    with pytest.raises(ModelIntegrityError, match="more peers.measurable than peers.pairs"):
        Calibration.from_json(_edited({"peers.measurable": measurable}), where="calibration.json")


def test_the_sentence_in_english_and_korean() -> None:
    chance = Chance(estimate=0.41, low=0.30, high=0.52, typical=0.28)
    assert renderer("en").chance(chance) == (
        "41 % chance of a measurable result (30-52 %); typical for similar firms: 28 %"
    )
    assert (
        renderer("ko").chance(chance)
        == "측정 가능한 성과를 낼 가능성 41 % (30–52 %); 비슷한 기업 평균 28 %"
    )


def test_the_ece_weighs_each_bins_gap_by_its_pairs() -> None:
    p = np.array([0.2, 0.2, 0.8, 0.8, 0.8, 0.8])
    y = np.array([0.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    table, ece = reliability(p, y, np.array([0, 0, 1, 1, 1, 1]))
    assert table["pairs"].tolist() == [2, 4]
    assert table["observed"].tolist() == [0.5, 0.75]
    assert ece == pytest.approx((2 * 0.3 + 4 * 0.05) / 6)


def test_score_bins_never_leave_a_bin_empty() -> None:
    s = np.array([0.0] * 50 + [1.0] * 3 + [2.0] * 47)
    edges = score_bins(s)
    counts = np.bincount(np.searchsorted(edges, s, side="right"), minlength=len(edges) + 1)
    assert len(counts) >= 2 and (counts > 0).all() and counts.sum() == 100


def test_a_calibration_fitted_on_calibrated_scores_finds_them_calibrated() -> None:
    rng = np.random.default_rng(3)
    scores = rng.uniform(0, 3, 4000)
    truth = 1 / (1 + np.exp(-(2 * scores - 3)))  # a logistic truth: Platt's own shape
    held = pd.DataFrame(
        {
            "outcome": np.where(rng.uniform(size=4000) < truth, 3, 1),
            "sector": SECTORS[0],
            "size_band": SIZE_BANDS[0],
        }
    )
    fit = fit_calibration(scores, held, seed=0)
    assert fit is not None
    assert fit.calibration.method == "platt"
    assert (fit.calibration.a, fit.calibration.b) == pytest.approx((2.0, -3.0), abs=0.25)
    assert fit.ece < 0.03
    assert fit.calibration.counts == (400,) * 10
    assert fit.calibration.peer_pairs[0, 0] == 4000
    assert fit_calibration(scores[:49], held.head(49)) is None
