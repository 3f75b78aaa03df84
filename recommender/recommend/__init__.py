"""The :class:`Recommender`: firm profile in, ranked and explained programmes out."""

from recommender.recommend.catalogue import reference_date
from recommender.recommend.profiles import profile_frame
from recommender.recommend.recommender import Explain, Recommender
from recommender.recommend.results import (
    CapabilityGap,
    IneligibleItem,
    Recommendation,
    RecommendedItem,
)

__all__ = [
    "CapabilityGap",
    "Explain",
    "IneligibleItem",
    "Recommendation",
    "RecommendedItem",
    "Recommender",
    "profile_frame",
    "reference_date",
]
