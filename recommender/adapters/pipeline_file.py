"""The fitted feature pipeline as plain JSON: stored and loaded without running any code.

A pickle (``joblib``) runs whatever its bytes say when it is loaded; this file is data
only. It holds the profiler's prior weight and its sufficient statistics -- the cell
sums, answered counts and profile counts per sector x size band -- beside the benchmarks
they give, with the axes (sectors, size bands, capabilities) and feature names they were
fitted with. Loading checks every field's type, shape and range, refits the profiler
from the sums through :meth:`CapabilityProfiler.partial_fit` (the code path of ``fit``)
and refuses a file whose stored benchmarks do not follow from its sums, so a forged or
inconsistent file is refused before anything is scored with it. JSON floats round-trip
exactly, so the reloaded benchmarks are the fitted ones bit for bit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np

from recommender.artefact_json import Refusal, parsed, refusal
from recommender.constants import CAPABILITIES, SECTORS, SIZE_BANDS
from recommender.errors import NotFittedError
from recommender.features import CapabilityProfiler, CellTotals, FeaturePipeline

FORMAT: Final[str] = "sme-recommender/feature-pipeline"
FORMAT_VERSION: Final[int] = 1
MAX_BYTES: Final[int] = 4 * 1024 * 1024
TOLERANCE: Final[float] = 1e-9  # stored benchmarks vs those refitted from the sums
MAX_RATING: Final[float] = 5.0  # self-ratings are 1..5 (docs/contract.md)

"""Makes the error that names the file and why it was refused."""


def dump_pipeline(pipeline: FeaturePipeline) -> bytes:
    """The pipeline as UTF-8 JSON (sorted keys, no NaN).

    Raises
    ------
    NotFittedError
        The pipeline's profiler was never fitted.
    """
    prof = pipeline.profiler
    if not hasattr(prof, "cell_counts_"):
        raise NotFittedError("the feature pipeline is not fitted: nothing to store")
    names_in = getattr(prof, "feature_names_in_", None)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "feature_names": list(pipeline.feature_names),
        "categorical_features": list(pipeline.categorical_features),
        "profiler": {
            "prior_weight": float(prof.prior_weight),
            "sectors": list(SECTORS),
            "size_bands": list(SIZE_BANDS),
            "capabilities": list(CAPABILITIES),
            "feature_names_in": None if names_in is None else [str(n) for n in names_in],
            "cell_counts": prof.cell_counts_.tolist(),
            "cell_sums": prof.cell_sums_.tolist(),
            "cell_answered": prof.cell_answered_.tolist(),
            "benchmarks": prof.benchmarks_.tolist(),
            "population_mean": prof.population_mean_.tolist(),
        },
    }
    return json.dumps(document, sort_keys=True, allow_nan=False, indent=1).encode("utf-8")


def load_pipeline_bytes(data: bytes, *, where: str) -> FeaturePipeline:
    """A fitted pipeline from :func:`dump_pipeline`'s bytes, checked field by field.

    Parameters
    ----------
    data
        The file's bytes (already verified against the version's manifest).
    where
        What to name in errors, e.g. ``"model version 'v1': pipeline.json"``.

    Raises
    ------
    ModelIntegrityError
        Not JSON, another format, or a field of the wrong type, shape or range, or
        benchmarks that do not follow from the sums; nothing was loaded.
    """

    bad = refusal(where)
    document = parsed(data, max_bytes=MAX_BYTES, bad=bad)
    if not isinstance(document, dict):
        raise bad("is not a JSON object")
    if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
        raise bad(f"is not a {FORMAT} file of version {FORMAT_VERSION}")
    _expect_names(document, "feature_names", FeaturePipeline.feature_names, bad)
    _expect_names(document, "categorical_features", FeaturePipeline.categorical_features, bad)
    prof = document.get("profiler")
    if not isinstance(prof, dict):
        raise bad("has no profiler object")
    for key, axis in (
        ("sectors", SECTORS),
        ("size_bands", SIZE_BANDS),
        ("capabilities", CAPABILITIES),
    ):
        _expect_names(prof, key, axis, bad, prefix="profiler.")
    weight = _number(prof.get("prior_weight"))
    if weight is None or not 0 < weight < 1e6:
        raise bad("has no positive profiler.prior_weight")
    names_in = prof.get("feature_names_in")
    if names_in is not None and not (
        isinstance(names_in, list) and all(isinstance(n, str) for n in names_in)
    ):
        raise bad("has a profiler.feature_names_in that is not a list of names")
    cells = (len(SECTORS), len(SIZE_BANDS))
    caps = (*cells, len(CAPABILITIES))
    counts = _array(prof, "cell_counts", cells, bad)
    sums = _array(prof, "cell_sums", caps, bad)
    answered = _array(prof, "cell_answered", caps, bad)
    benchmarks = _array(prof, "benchmarks", caps, bad)
    population = _array(prof, "population_mean", caps[2:], bad)
    if (counts < 0).any() or (answered < 0).any() or (answered > counts[..., None]).any():
        raise bad("has cell counts out of range (answered items above the profiles)")
    if (sums < answered).any() or (sums > MAX_RATING * answered).any():
        raise bad(f"has cell sums outside 1..{MAX_RATING:g} per answered item")
    profiler = CapabilityProfiler(prior_weight=weight).partial_fit(
        CellTotals(sums, answered, counts, tuple(names_in or ()))
    )
    drift = max(
        np.abs(profiler.benchmarks_ - benchmarks).max(),
        np.abs(profiler.population_mean_ - population).max(),
    )
    if not drift <= TOLERANCE:
        raise bad("has benchmarks that do not follow from its cell sums")
    return FeaturePipeline(profiler)


def _expect_names(
    document: Mapping[str, Any], key: str, expected: Sequence[str], bad: Refusal, prefix: str = ""
) -> None:
    if document.get(key) != list(expected):
        raise bad(f"has {prefix}{key} other than this code's ({len(expected)} names)")


def _number(value: object) -> float | None:
    """``value`` as a float when it is a finite JSON number (not a boolean), else None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _array(
    document: Mapping[str, Any], key: str, shape: tuple[int, ...], bad: Refusal
) -> np.ndarray:
    """A nested list of finite numbers of exactly ``shape``, as a float array."""
    level: list[Any] = [document.get(key)]
    for size in shape:  # one level of nesting at a time: lists of the right length
        if not all(type(v) is list and len(v) == size for v in level):
            raise bad(f"has no profiler.{key} shaped {shape}")
        level = [x for v in level for x in v]
    values = np.asarray(level, dtype=float) if set(map(type, level)) <= {int, float} else None
    if values is None or not np.isfinite(values).all():
        raise bad(f"has a profiler.{key} that is not all finite numbers")
    return values.reshape(shape)
