"""A trained version's manifest metadata and its writing, whichever engine trained it.

:func:`training.local.train_version` and :func:`training.dask.train_version` run the
same procedure (:mod:`training.rules`) and end the same way: :func:`version_metadata`
builds the manifest fields (parameters, objective, metrics, the data fingerprint of
:mod:`training.fingerprint`, library versions) and :func:`publish_version` writes the
model, the pipeline and the report as one registry version.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from importlib.metadata import version as pkg_version
from pathlib import Path
from typing import Any, Final

import numpy as np

from recommender import FeaturePipeline, Ranker
from recommender.adapters.artefact import write_version
from recommender.adapters.registry import Registry
from training import fingerprint
from training.calibrate import CalibrationFit
from training.evaluate import Evaluation
from training.masking import Masking
from training.report import shap_plots, write_report
from training.rules import Progress, quiet
from training.transparency import write_transparency

FEATURES: Final[tuple[str, ...]] = FeaturePipeline.feature_names
CATEGORICAL: Final[tuple[str, ...]] = FeaturePipeline.categorical_features
LIBRARIES: Final[tuple[str, ...]] = ("lightgbm", "scikit-learn", "numpy", "pandas", "shap")


def library_versions(extra: Sequence[str] = ()) -> dict[str, str]:
    """Versions of Python and of the libraries a model file depends on."""
    return {
        "python": platform.python_version(),
        **{n: pkg_version(n) for n in (*LIBRARIES, *extra)},
    }


def version_metadata(
    *,
    engine: str,
    objective: str,
    params: Mapping[str, Any],
    rounds: int,
    seed: int,
    validation_score: float,
    objective_scores: Mapping[str, float],
    data_fingerprint: str,
    training_rows: int,
    years: Sequence[int],
    evaluation: Evaluation | None = None,
    masking: Masking | None = None,
    libraries: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest metadata of a trained version, whichever engine trained it.

    Parameters
    ----------
    engine
        ``"local"`` or ``"dask"``.
    objective, params, rounds, seed
        The objective trained, the LightGBM parameters used, the trees kept, the seed.
    validation_score, objective_scores
        Peer NDCG@3 on the validation split, of the chosen and of every tried objective.
    data_fingerprint
        From :mod:`training.fingerprint` (the same for the same data on either engine).
    training_rows, years
        Labelled pairs trained on; the years of the firm profiles.
    evaluation
        The baseline evaluation, when one ran: its headline metrics join ``metrics``.
    masking
        The masking of programme attributes the training pairs had
        (:mod:`training.masking`): its rates and seed (``None``: none).
    libraries
        Further libraries whose versions matter (the Dask engine's).
    extra
        Engine-specific fields (e.g. the cluster).
    """
    metrics: dict[str, Any] = {"validation_score": validation_score}
    if evaluation is not None:
        metrics.update(evaluation.headline("time"))
        metrics["baselines"] = evaluation.metrics.to_dict("records")
    return {
        "engine": engine,
        "features": list(FEATURES),
        "categorical_features": list(CATEGORICAL),
        "data_fingerprint": data_fingerprint,
        "data_fingerprint_method": fingerprint.METHOD,
        "params": {"objective": objective, "rounds": int(rounds), "seed": seed, **params},
        "metrics": metrics,
        "objective_scores": dict(objective_scores),
        "training_rows": int(training_rows),
        "masking": masking.record() if masking is not None else None,
        "years": sorted(int(y) for y in years),
        "library_versions": library_versions(libraries),
        **(extra or {}),
    }


def publish_version(
    registry: Registry,
    version: str | None,
    *,
    ranker: Ranker,
    pipeline: FeaturePipeline,
    metadata: dict[str, Any],
    summary: dict[str, object],
    shap_rows: np.ndarray,
    evaluation: Evaluation | None = None,
    seed: int = 42,
    progress: Progress | None = None,
    calibration: CalibrationFit | None = None,
) -> str:
    """Write a version (model, pipeline, calibration, report with SHAP plots and the
    reliability of the calibration) and commit it whole.

    The first version of an empty registry becomes the champion; later ones wait for
    an analyst's promotion. Returns the version's name.
    """
    quiet(progress)("writing the version")

    def report(folder: Path, name: str) -> None:
        plots = shap_plots(ranker, shap_rows, list(FEATURES), folder, seed=seed)
        write_report(
            folder,
            version=name,
            evaluation=evaluation,
            summary=summary,
            plots=plots,
            calibration=calibration,
        )
        write_transparency(folder, {**metadata, "version": name}, ranker=ranker)

    name = write_version(
        registry,
        version,
        ranker=ranker,
        pipeline=pipeline,
        metadata=metadata,
        extras=report,
        calibration=None if calibration is None else calibration.calibration,
    )
    if registry.champion() is None:
        registry.promote(name, force=True)
    return name
