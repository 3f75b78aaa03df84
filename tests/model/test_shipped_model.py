"""The model committed under models/ is the champion out of the box, verified and usable."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.adapters.artefact import (
    CALIBRATION_FILE,
    MODEL_FILE,
    PICKLED_PIPELINE_FILE,
    PIPELINE_FILE,
    REPORT_FILE,
    REPORT_HTML_FILE,
    load_recommender,
)
from recommender.constants import DEMO_MODEL_VERSION, DEMO_WORLD
from recommender.simulate import simulate_world
from tests.signing import shipped_registry


def test_shipped_model_is_the_verified_champion(tmp_path: Path) -> None:
    registry = shipped_registry(tmp_path)  # signed on first use, as it matches its pin
    assert registry.champion() == DEMO_MODEL_VERSION
    manifest = registry.verify("champion")
    assert manifest["version"] == DEMO_MODEL_VERSION
    files = set(manifest["files"])
    assert {
        MODEL_FILE,
        PIPELINE_FILE,
        REPORT_FILE,
        REPORT_HTML_FILE,
        CALIBRATION_FILE,
        "shap_importance.png",
    } <= files
    assert PICKLED_PIPELINE_FILE not in files, "the shipped model holds no pickle"
    assert "joblib" not in manifest["library_versions"]
    metrics = manifest["metrics"]
    # 0.876 and 0.250 on the world with finance and workforce (README, "Ranking quality")
    assert metrics["oracle_ndcg@3"] > 0.85 and metrics["regret"] < 0.28
    assert manifest["calibration"]["ece"] < 0.06  # 0.018 when rebuilt (docs/ranker.md)


def test_shipped_model_ranks_and_explains_a_demo_firm(tmp_path: Path) -> None:
    world = simulate_world(**DEMO_WORLD)  # type: ignore[arg-type]
    rec = load_recommender(shipped_registry(tmp_path), programmes=world.dataset.programmes)
    firms = world.dataset.firms
    out = rec.recommend(firms[firms["year"] == 2024].iloc[[0]], k=5)
    assert out.model_version == DEMO_MODEL_VERSION
    assert 1 <= len(out.items) <= 5
    for item in out.items:
        assert item.explanation is not None
        assert item.explanation.total == pytest.approx(item.score, abs=1e-6)
        assert item.chance is not None and item.chance.low <= item.chance.estimate
