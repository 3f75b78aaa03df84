"""A throwaway deployment for a load run: settings under one folder, a model version
copied under a new name, and firm rows as the JSON profiles a client sends."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any, Final

import pandas as pd

from recommender.adapters.artefact import MODEL_FILE, PIPELINE_FILE
from recommender.adapters.registry import Registry
from recommender.adapters.signing import signing_key
from recommender.settings import Settings, get_settings

SCRATCH_SIGNING_KEY: Final[str] = "bench-scratch-registry-key"
"""Signs the scratch registries a benchmark trains into (never served by a deployment,
which opens its registry through the settings and its own key file)."""


def bench_settings(root: Path, **overrides: Any) -> Settings:
    """Settings whose store, models and var folder all live under ``root``; no rate limit.

    With ``models_dir`` given (a benchmark serving the deployment's own registry), the
    deployment's signing key comes along: a key of ``root``'s would not verify it.
    """
    if "models_dir" in overrides and not {"signing_key", "signing_key_file"} & set(overrides):
        overrides = {**overrides, "signing_key": signing_key(get_settings())}
    base: dict[str, Any] = dict(
        var_dir=root,
        models_dir=root / "models",
        database_url=f"sqlite:///{root / 'bench.db'}",
        champion_poll_seconds=1.0,
        rate_limit_per_minute=1_000_000,
        num_threads=1,
    )
    return Settings(**{**base, **overrides})


def copy_version(registry: Registry, source: str, name: str, *, score: float) -> str:
    """A new version with the model files of ``source`` but its own validation score."""
    with registry.create_version(name, metadata={"metrics": {"validation_score": score}}) as d:
        for file in (MODEL_FILE, PIPELINE_FILE):
            shutil.copy(registry.root / source / file, d / file)
    return name


def json_profile(row: pd.Series | dict[str, Any]) -> dict[str, Any]:
    """A canonical firm row as the JSON profile a client sends (NaN as null, ratings as int)."""
    out: dict[str, Any] = {}
    for key, value in dict(row).items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        if key.startswith("cap_") and value is not None:
            value = int(value)
        out[key] = value
    return out
