"""The :class:`Recommender`: firm profile in, ranked and explained programmes out."""

from recommender.recommend.catalogue import reference_date
from recommender.recommend.profiles import profile_frame
from recommender.recommend.recommender import (
    MODEL_FILE,
    PIPELINE_FILE,
    Explain,
    Recommender,
)
from recommender.recommend.results import (
    CapabilityGap,
    IneligibleItem,
    Recommendation,
    RecommendedItem,
)

__all__ = [
    "MODEL_FILE", "PIPELINE_FILE", "CapabilityGap", "Explain", "IneligibleItem",
    "Recommendation", "RecommendedItem", "Recommender", "profile_frame", "reference_date",
]
