"""``recommender``'s public API: a handful of names, cheap to import, each the real thing."""

from __future__ import annotations

import subprocess
import sys

import pytest

import recommender
from recommender import errors, recommend, simulate


def test_every_public_name_is_importable_and_is_the_object_of_its_module() -> None:
    assert set(recommender.__all__) == set(recommender._SOURCES)
    for name in recommender.__all__:
        assert getattr(recommender, name) is getattr(
            sys.modules[recommender._SOURCES[name]], name
        ), name
    assert recommender.Recommender is recommend.Recommender
    assert recommender.simulate_world is simulate.simulate_world
    assert recommender.RecommenderError is errors.RecommenderError


def test_a_name_outside_the_public_api_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Registry'"):
        _ = recommender.Registry  # type: ignore[attr-defined]


def test_importing_the_package_loads_neither_the_model_libraries_nor_pandas() -> None:
    code = (
        "import sys, recommender, recommender.constants, recommender.errors; "
        "print(sorted(m for m in ('lightgbm', 'pandas', 'shap', 'sklearn') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
