"""Train a model version end to end: evaluate, fit on everything, write to the registry.

The version folder is written by :meth:`recommender.adapters.registry.Registry.create_version`,
which builds it in a temporary folder and renames it into place only when every file
is written: a failed or interrupted training leaves no half version behind.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib.metadata import version as pkg_version
from typing import Any

import joblib
import pandas as pd

from recommender.contract.canonical import Dataset
from recommender.adapters.registry import Registry
from recommender.errors import DataValidationError, Problem
from recommender.features import FeaturePipeline, ProgrammeTable
from training.evaluate import Evaluation, evaluate
from training.fingerprint import data_fingerprint
from training.fit import fit_ranker
from training.pairs import labelled_pairs, prepared_firms
from training.report import shap_plots, write_report

Progress = Callable[[str], None]
# Chosen on the tuning world (demo seed 42): see docs/ranker.md for the measurements.
DEFAULT_OBJECTIVE = "regression"
MODEL_FILE = "model.txt"
PIPELINE_FILE = "pipeline.joblib"


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model file depends on."""
    names = ("lightgbm", "scikit-learn", "numpy", "pandas", "shap", "joblib")
    return {"python": platform.python_version(), **{n: pkg_version(n) for n in names}}


def train_version(ds: Dataset, *, registry: Registry, version: str | None = None,
                  oracle: pd.DataFrame | None = None, objective: str = DEFAULT_OBJECTIVE,
                  seed: int = 42, num_threads: int = 2, run_evaluation: bool = True,
                  progress: Progress | None = None) -> str:
    """Train on ``ds`` and write a new version into ``registry``; returns its name.

    The first version of an empty registry becomes the champion; later ones wait for
    an analyst's promotion.
    """
    say = progress or (lambda _m: None)
    if ds.outcomes is None or ds.outcomes.empty:
        raise DataValidationError([Problem("outcomes", None, None, None,
                                           "an outcomes file with at least one row to train on")])
    evaluation: Evaluation | None = None
    if run_evaluation and ds.firms["year"].nunique() >= 2:
        evaluation = evaluate(ds, oracle=oracle, objective=objective, seed=seed,
                              num_threads=num_threads, progress=say)
        objective = evaluation.chosen_objective
    say("fitting the final model on all the data")
    firms = prepared_firms(ds)
    pipeline = FeaturePipeline().fit(ds.firms)
    table = ProgrammeTable(ds.programmes)
    pairs = labelled_pairs(ds, pipeline, firms, table)
    fit = fit_ranker(pairs, objective=objective, seed=seed, num_threads=num_threads, progress=say)
    metrics: dict[str, Any] = {"validation_score": fit.validation_score}
    if evaluation is not None:
        metrics.update(evaluation.headline("time"))
        metrics["baselines"] = evaluation.metrics.to_dict("records")
    params = {"objective": fit.objective, "rounds": fit.ranker.booster.num_trees(), "seed": seed,
              **fit.ranker.training_params()}
    metadata = {
        "features": list(FeaturePipeline.feature_names),
        "categorical_features": list(FeaturePipeline.categorical_features),
        "data_fingerprint": data_fingerprint({"firms": ds.firms, "programmes": ds.programmes,
                                              "outcomes": ds.outcomes}),
        "params": params,
        "metrics": metrics,
        "objective_scores": fit.objective_scores,
        "training_rows": int(len(pairs.meta)),
        "years": sorted(int(y) for y in ds.firms["year"].unique()),
        "library_versions": library_versions(),
    }
    say("writing the version")
    pending = registry.create_version(version, metadata=metadata)
    with pending as folder:
        fit.ranker.save(folder / MODEL_FILE)
        joblib.dump(pipeline, folder / PIPELINE_FILE)
        plots = shap_plots(fit.ranker, pairs.X, list(FeaturePipeline.feature_names), folder,
                           seed=seed)
        summary = {"objective": fit.objective, "trees": fit.ranker.booster.num_trees(),
                   "training pairs": len(pairs.meta), "firm profiles": len(ds.firms),
                   "programmes": len(ds.programmes),
                   "validation peer NDCG@3": round(fit.validation_score, 4)}
        write_report(folder, version=pending.version, evaluation=evaluation, summary=summary,
                     plots=plots)
    if registry.champion() is None:
        registry.promote(pending.version, force=True)
    return pending.version
