"""SME support-programme matching: the pure core and its public API.

The names below are what a user of the core needs; everything else under
``recommender`` is internal and may move. Enums, column names and defaults are in
:mod:`recommender.constants`; reading and writing files, the SQL store and the model
registry are adapters (:mod:`recommender.adapters`), configuration is
:mod:`recommender.settings`.

Examples
--------
>>> from recommender import Recommender, simulate_world  # doctest: +SKIP
>>> world = simulate_world(n_firms=500, seed=1)  # doctest: +SKIP

Importing the package is cheap: each name is imported from its module on first use
(PEP 562), so ``import recommender.constants`` does not load LightGBM.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recommender.eligibility import EligibilityIndex
    from recommender.errors import (
        ConflictError,
        DataValidationError,
        ModelIntegrityError,
        ModelNotFoundError,
        NotFittedError,
        NotFoundError,
        Problem,
        PromotionRefusedError,
        RecommenderError,
        RegistryError,
    )
    from recommender.explain import Contribution, Explanation
    from recommender.features import CapabilityProfiler, FeaturePipeline
    from recommender.ranker import Ranker
    from recommender.recommend import (
        CapabilityGap,
        IneligibleItem,
        Recommendation,
        RecommendedItem,
        Recommender,
        profile_frame,
    )
    from recommender.simulate import World, simulate_world

_SOURCES: dict[str, str] = {
    "Recommender": "recommender.recommend",
    "Recommendation": "recommender.recommend",
    "RecommendedItem": "recommender.recommend",
    "IneligibleItem": "recommender.recommend",
    "CapabilityGap": "recommender.recommend",
    "profile_frame": "recommender.recommend",
    "FeaturePipeline": "recommender.features",
    "CapabilityProfiler": "recommender.features",
    "Ranker": "recommender.ranker",
    "EligibilityIndex": "recommender.eligibility",
    "Explanation": "recommender.explain",
    "Contribution": "recommender.explain",
    "World": "recommender.simulate",
    "simulate_world": "recommender.simulate",
    "RecommenderError": "recommender.errors",
    "Problem": "recommender.errors",
    "DataValidationError": "recommender.errors",
    "NotFittedError": "recommender.errors",
    "NotFoundError": "recommender.errors",
    "ConflictError": "recommender.errors",
    "ModelNotFoundError": "recommender.errors",
    "ModelIntegrityError": "recommender.errors",
    "RegistryError": "recommender.errors",
    "PromotionRefusedError": "recommender.errors",
}

__all__ = [
    "CapabilityGap",
    "CapabilityProfiler",
    "ConflictError",
    "Contribution",
    "DataValidationError",
    "EligibilityIndex",
    "Explanation",
    "FeaturePipeline",
    "IneligibleItem",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "NotFittedError",
    "NotFoundError",
    "Problem",
    "PromotionRefusedError",
    "Ranker",
    "Recommendation",
    "RecommendedItem",
    "Recommender",
    "RecommenderError",
    "RegistryError",
    "World",
    "profile_frame",
    "simulate_world",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'recommender' has no attribute {name!r}")
    value = getattr(import_module(source), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
