"""Each version's transparency record (purpose, data, features, main factors, evaluation,
limits, owner): written and signed with the version at training, and on demand by
``recommender models card VERSION``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from recommender.adapters.registry import Registry
from recommender.settings import get_settings
from tests.signing import TEST_SIGNING_KEY

SECTIONS = {"purpose", "data", "features", "main_factors", "evaluation", "limits", "owner"}


def test_a_trained_version_carries_its_record_among_its_signed_files(
    small_registry: Registry,
) -> None:
    manifest = small_registry.verify("small")
    assert {"transparency.json", "transparency.md"} <= set(manifest["files"])
    record = json.loads(small_registry.read_bytes("small", "transparency.json"))
    assert set(record) >= SECTIONS and record["version"] == "small"
    assert record["features"] == manifest["features"]
    assert record["data"]["years"] == manifest["years"] == [2022, 2023, 2024]
    factors = record["main_factors"]
    assert len(factors) == 10 and {f["feature"] for f in factors} <= set(record["features"])
    shares = [f["gain_share"] for f in factors]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1.0
    assert "not an eligibility" in record["limits"][-1]
    assert record["owner"] == get_settings().model_owner


def test_models_card_writes_markdown_and_json_with_the_promotions(
    small_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOMMENDER_MODELS_DIR", str(small_registry.root))
    monkeypatch.setenv("RECOMMENDER_MODEL_OWNER", "Programme analytics, KOSME")
    monkeypatch.setenv("RECOMMENDER_SIGNING_KEY", TEST_SIGNING_KEY)
    monkeypatch.setenv("RECOMMENDER_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(app, ["models", "card", "small", "--out", str(tmp_path)])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    record = json.loads((tmp_path / "small.transparency.json").read_text())
    markdown = (tmp_path / "small.transparency.md").read_text()
    assert record["owner"] == "Programme analytics, KOSME"
    assert [p["forced"] for p in record["evaluation"]["promotions"]] == [True]  # the first
    for heading in ("## Purpose", "## Data", "## Features", "## Main factors", "## Limits"):
        assert heading in markdown
    assert "**Owner**: Programme analytics, KOSME" in markdown
    assert f"`{record['main_factors'][0]['feature']}`" in markdown
