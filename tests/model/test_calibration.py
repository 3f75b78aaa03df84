"""A trained version's chance of a measurable result: calibrated on its held-out rows,
stored beside the model, reported, and served with every scored item."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recommender.adapters.artefact import CALIBRATION_FILE, REPORT_FILE, load_calibration
from recommender.adapters.registry import Registry
from recommender.recommend import Recommender
from recommender.simulate import World

# Measured on the small world (1,500 firms, 2022-2024, seed 11; regression objective):
# 415 held-out pairs (2024), Platt chosen (out-of-fold log loss 0.618 vs isotonic's
# 0.659), out-of-fold ECE 0.042 over score deciles. The bound leaves room for library
# versions, not for a calibration that is off by a tenth.
MAX_ECE = 0.08


def test_the_version_stores_a_calibration_fitted_on_held_out_rows(
    small_registry: Registry,
) -> None:
    manifest = small_registry.verify("small")
    assert CALIBRATION_FILE in manifest["files"]
    said = manifest["calibration"]
    assert said["method"] in ("isotonic", "platt")
    assert said["log_loss"][said["method"]] == min(said["log_loss"].values())
    assert said["held_out_pairs"] >= 300
    assert said["ece"] < MAX_ECE
    calibration = load_calibration(small_registry, "small")
    assert calibration is not None
    assert sum(calibration.counts) == said["held_out_pairs"] == calibration.peer_pairs.sum()


def test_the_report_shows_the_reliability_of_the_chance(small_registry: Registry) -> None:
    report = (small_registry.root / "small" / REPORT_FILE).read_text(encoding="utf-8")
    section = report.split("## Chance of a measurable result: reliability on held-out data")[1]
    ece = small_registry.verify("small")["calibration"]["ece"]
    assert f"Expected calibration error (out-of-fold, score deciles): {ece:.4f}" in section
    rows = [line for line in section.splitlines() if line.startswith("| ") and "[" in line]
    assert len(rows) == 10  # one per score decile: bin, scores, pairs, predicted, observed
    assert (small_registry.root / "small" / "reliability.png").stat().st_size > 1000


def test_served_chances_follow_the_score_and_sit_in_their_interval(
    small_world: World, small_recommender: Recommender
) -> None:
    firms = small_world.dataset.firms
    last = firms[firms["year"] == firms["year"].max()].head(40)
    items = [i for r in small_recommender.recommend_batch(last, k=5) for i in r.items]
    assert len(items) >= 100
    chances = np.array([(i.chance.estimate, i.chance.low, i.chance.high) for i in items])  # type: ignore[union-attr]
    assert ((chances[:, 1] >= 0) & (chances[:, 1] <= chances[:, 0])).all()
    assert ((chances[:, 0] <= chances[:, 2]) & (chances[:, 2] <= 1)).all()
    scores = np.array([i.score for i in items])
    order = np.argsort(scores)
    assert (np.diff(chances[order, 0]) >= -1e-12).all()  # a higher score is no lower a chance
    typical = {i.chance.typical for i in items}  # type: ignore[union-attr]
    assert len(typical) >= 2 and all(0 < t < 1 for t in typical)


def test_the_calibration_file_is_plain_json(small_registry: Registry) -> None:
    document = json.loads((small_registry.root / "small" / CALIBRATION_FILE).read_bytes())
    assert document["format"] == "sme-recommender/calibration"
    assert document["measurable_from"] == 2
    assert document["method"] == small_registry.verify("small")["calibration"]["method"]
    assert len(document["bins"]["counts"]) == len(document["bins"]["edges"]) + 1 == 10
    assert document["peers"]["min_pairs"] == pytest.approx(30)
