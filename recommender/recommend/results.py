"""What a recommendation is made of: ranked items, ineligible items, the capability profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np

from recommender.calibration import Chance
from recommender.constants import CAPABILITIES
from recommender.eligibility import Reason
from recommender.explain.facts import Contribution, Explanation


@dataclass(frozen=True)
class RecommendedItem:
    """One programme in a firm's list (``score`` is None for unscored ``other`` ones).

    ``text_match`` is the business description's match with the programme's text (0 to
    1; None when the firm gave no description), ``match_terms`` the description's words
    the text contains, ``to_check`` the conditions still to check with the firm
    (contract-v2 reasons with ``value`` None: it has not said its district, statuses or
    industry code). ``chance`` is the calibrated chance of a measurable result (None
    when the served version has no calibration, or the item no score).
    ``support_krw_m`` (per-firm maximum, million KRW) and ``support_kind`` are None
    where the catalogue does not state them.
    """

    rank: int | None
    programme_id: str
    name: str
    programme_type: str
    score: float | None
    explanation: Explanation | None
    agency: str | None = None
    url: str | None = None
    apply_start: str | None = None
    apply_end: str | None = None
    days_left: int | None = None
    text_match: float | None = None
    match_terms: tuple[str, ...] = ()
    to_check: tuple[Reason, ...] = ()
    chance: Chance | None = None
    support_krw_m: float | None = None
    support_kind: str | None = None


class IneligibleItem(NamedTuple):
    """A programme the firm cannot join, and why (render the reasons with
    :func:`recommender.explain.renderer`). A named tuple: a real catalogue lists
    over a thousand of them per firm."""

    programme_id: str
    name: str
    reasons: list[Reason]


@dataclass(frozen=True)
class CapabilityGap:
    """The firm's own rating of one capability beside its peers' benchmark."""

    capability: str
    own: float | None
    peers: float
    gap: float | None


@dataclass(frozen=True)
class Recommendation:
    """A firm-year's ranked, explained programmes."""

    firm_id: str
    year: int
    model_version: str
    items: list[RecommendedItem]
    unscored: list[RecommendedItem]  # eligible, not scorable (``other``): the first listed
    ineligible: list[IneligibleItem] | None
    contrast: list[Contribution] = field(default_factory=list)  # why #1 is above #2
    own_ratings: np.ndarray = field(
        default_factory=lambda: np.full(len(CAPABILITIES), np.nan), repr=False, compare=False
    )
    peer_ratings: np.ndarray = field(
        default_factory=lambda: np.full(len(CAPABILITIES), np.nan), repr=False, compare=False
    )
    unscored_total: int = 0  # eligible unscored programmes, listed or not

    @cached_property
    def profile(self) -> list[CapabilityGap]:
        """The firm's own rating of each capability beside its peers' benchmark.

        Built on first use: batch jobs that never read it do not pay for it.
        """
        return [
            CapabilityGap(c, None if o != o else o, p, None if o != o else p - o)
            for c, o, p in zip(
                CAPABILITIES, self.own_ratings.tolist(), self.peer_ratings.tolist(), strict=True
            )
        ]
