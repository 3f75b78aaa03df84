"""The hand-labelled sample (tests/data/bizinfo_labels.csv) is what it claims to be."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.bizinfo.sample import draw_label_sample
from recommender.constants import PROGRAMME_TYPES
from recommender.settings import PROJECT_ROOT

LABELS = PROJECT_ROOT / "tests" / "data" / "bizinfo_labels.csv"
SHIPPED = PROJECT_ROOT / "recommender" / "data" / "bizinfo" / "announcements-2023-2025.csv"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def labels() -> pd.DataFrame:
    return pd.read_csv(LABELS, dtype=str, keep_default_na=False)


def test_labels_are_programme_types_on_known_unique_announcements(raw, labels):
    assert list(labels.columns[:4]) == ["id", "title", "label", "note"]
    assert labels["id"].is_unique
    assert set(labels["label"]) <= set(PROGRAMME_TYPES)
    assert set(labels["id"]) <= set(raw["id"])
    titles = raw.drop_duplicates("id").set_index("id")["title"]
    assert (titles.loc[labels["id"]].to_numpy() == labels["title"].to_numpy()).all()


def test_the_dev_sample_is_the_seeded_stratified_draw_of_at_least_200(raw, labels):
    dev = labels[labels["sample"] == "dev"]
    drawn = draw_label_sample(raw, n=200, min_per_category=15, seed=42)
    assert len(dev) >= 200
    assert set(dev["id"]) == set(drawn["id"])
    assert drawn["lcategory"].value_counts().min() >= 15
    assert set(drawn["lcategory"]) == set(raw["lcategory"])


def test_the_holdout_sample_is_a_separate_seeded_draw(raw, labels):
    dev = labels.loc[labels["sample"] == "dev", "id"]
    holdout = labels.loc[labels["sample"] == "holdout", "id"]
    drawn = draw_label_sample(raw, n=100, seed=43, exclude=dev)
    assert set(holdout) == set(drawn["id"])
    assert not set(holdout) & set(dev)


def test_the_sample_draw_is_reproducible_and_proportional(raw):
    first = draw_label_sample(raw, n=100, seed=7)
    again = draw_label_sample(raw, n=100, seed=7)
    other = draw_label_sample(raw, n=100, seed=8)
    assert list(first["id"]) == list(again["id"])
    assert list(first["id"]) != list(other["id"])
    share = raw.drop_duplicates("id")["lcategory"].value_counts(normalize=True)
    counts = first["lcategory"].value_counts()
    assert all(abs(counts[c] - 100 * share[c]) <= 1 for c in share.index)
