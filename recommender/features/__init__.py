"""Capability-gap profiling and (firm, programme) pair features.

:class:`CapabilityProfiler` learns peer benchmarks (sector x size band, shrunk towards
the sector and the whole population where cells are thin) and turns firm profiles into
firm features; :class:`PairFeaturizer` joins those with programme attributes and the
interactions that describe fit; :class:`FeaturePipeline` is the fitted pair of them.
"""

from recommender.features.history import history_features, with_history
from recommender.features.names import (
    CATEGORICAL_FEATURES,
    FIRM_FEATURES,
    FIT_FEATURES,
    HISTORY_COLUMNS,
    N_CAPS,
    PAIR_FEATURES,
    PROGRAMME_FEATURES,
)
from recommender.features.pairs import (
    FeaturePipeline,
    PairFeaturizer,
    ProgrammeTable,
    descriptions,
    firm_caps,
)
from recommender.features.profiler import CapabilityProfiler, CellTotals, size_band
from recommender.features.text_match import TextMatcher

__all__ = [
    "CATEGORICAL_FEATURES",
    "FIRM_FEATURES",
    "FIT_FEATURES",
    "HISTORY_COLUMNS",
    "N_CAPS",
    "PAIR_FEATURES",
    "PROGRAMME_FEATURES",
    "CapabilityProfiler",
    "CellTotals",
    "FeaturePipeline",
    "PairFeaturizer",
    "ProgrammeTable",
    "TextMatcher",
    "descriptions",
    "firm_caps",
    "history_features",
    "size_band",
    "with_history",
]
