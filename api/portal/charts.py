"""Geometry of the portal's two charts, computed on the server and drawn as inline SVG.

* The capability profile: per capability, the firm's own rating and its peers'
  benchmark as two horizontal bars on the 0-5 scale.
* A programme's "why": the largest factor contributions as bars diverging from zero
  (right raises fit, left lowers it), the rest folded into one row, so the bars add up
  to score minus base value exactly.

Coordinates are in a ``viewBox`` 100 units wide; the templates only place them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from recommender import Contribution
from recommender.constants import CAP_MAX

CHART_WIDTH: Final[float] = 100.0
HALF: Final[float] = CHART_WIDTH / 2
# gridlines at ratings 1..5; the last sits half a unit inside so the SVG edge cannot clip it
GRID: Final[tuple[float, ...]] = tuple(
    min(CHART_WIDTH * v / CAP_MAX, CHART_WIDTH - 0.5) for v in range(1, CAP_MAX + 1)
)
TOP_FACTORS: Final[int] = 5
BELOW_PEERS: Final[float] = 1.0  # own rating this far under the peers is highlighted


@dataclass(frozen=True)
class Bar:
    """A horizontal bar: left edge and width in viewBox units, and its CSS class."""

    x: float
    width: float
    css: str


@dataclass(frozen=True)
class CapabilityBars:
    """One capability row: the own-rating bar (None when unanswered) and the peers bar."""

    own: Bar | None
    peers: Bar
    highlight: bool


@dataclass(frozen=True)
class FactorBar:
    """One row of a programme's contribution chart."""

    factor: str | None  # None for the folded "other factors" row
    value: float
    bar: Bar
    n_folded: int = 0


def _scale(rating: float) -> float:
    return round(max(0.0, min(float(CAP_MAX), rating)) * CHART_WIDTH / CAP_MAX, 3)


def capability_bars(own: float | None, peers: float) -> CapabilityBars:
    """Bars of one capability on the 0-5 scale."""
    own_bar = None if own is None or math.isnan(own) else Bar(0.0, _scale(own), "bar-own")
    below = own is not None and not math.isnan(own) and peers - own >= BELOW_PEERS
    return CapabilityBars(own_bar, Bar(0.0, _scale(peers), "bar-peers"), below)


def factor_bars(
    contributions: Sequence[Contribution],
    *,
    top: int = TOP_FACTORS,
) -> list[FactorBar]:
    """The ``top`` largest contributions and one row folding all the others.

    ``contributions`` come sorted by absolute value (as the core returns them). Bar
    lengths are proportional to the values, the largest reaching the chart's edge.
    """
    shown = list(contributions[:top])
    rest = list(contributions[top:])
    rows: list[tuple[str | None, float, int]] = [(c.factor, c.value, 0) for c in shown]
    if rest:
        rows.append((None, sum(c.value for c in rest), len(rest)))
    largest = max((abs(v) for _f, v, _n in rows), default=0.0)
    out = []
    for factor, value, folded in rows:
        width = 0.0 if largest == 0 else round(abs(value) / largest * HALF, 3)
        x = HALF if value >= 0 else HALF - width
        css = "bar-up" if value > 0 else ("bar-down" if value < 0 else "bar-zero")
        out.append(FactorBar(factor, value, Bar(round(x, 3), width, css), folded))
    return out
