"""Minimum shares of seats for groups of firms ("at least 30 % of seats outside Seoul").

A floor is written ``FIELD:VALUES=SHARE`` or ``FIELD:not:VALUES=SHARE``:

``FIELD``
    ``region``, ``sector`` or ``size_band`` (micro < 10 employees <= small < 50 <=
    medium < 300 <= large).
``VALUES``
    One or more of the field's values, comma-separated; after ``not:`` the group is
    every firm *outside* them.
``SHARE``
    A fraction in (0, 1] (``0.3``) or a percentage (``30%``) of the **seats on offer**:
    the sum over the programmes of their capacity, or their number of candidate firms
    where that is smaller or the capacity is unlimited.

``region:not:seoul,gyeonggi=0.30`` asks that at least 30 % of the seats on offer go to
firms outside Seoul and Gyeonggi; ``size_band:micro=20%`` that a fifth go to micro
firms. A floor needs ``ceil(share x seats on offer)`` whole seats.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from recommender.constants import REGIONS, SECTORS, SIZE_BANDS
from recommender.errors import AllocationError

FLOOR_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "region": REGIONS,
    "sector": SECTORS,
    "size_band": SIZE_BANDS,
}
FLOOR_SYNTAX: Final[str] = (
    "FIELD:VALUES=SHARE or FIELD:not:VALUES=SHARE, FIELD one of region, sector, size_band, "
    "VALUES comma-separated, SHARE a fraction in (0, 1] or a percentage "
    "(e.g. region:not:seoul,gyeonggi=0.30)"
)
_PATTERN = re.compile(r"^\s*(\w+)\s*:\s*(not\s*:)?\s*([^=]+?)\s*=\s*([0-9.]+)\s*(%?)\s*$")


@dataclass(frozen=True)
class Floor:
    """At least ``share`` of the seats on offer go to firms of one group.

    Attributes
    ----------
    field : str
        ``region``, ``sector`` or ``size_band``.
    values : tuple of str
        The field values naming the group.
    exclude : bool
        The group is the firms *outside* ``values``.
    share : float
        In (0, 1].
    """

    field: str
    values: tuple[str, ...]
    exclude: bool
    share: float

    def __str__(self) -> str:
        neg = "not:" if self.exclude else ""
        return f"{self.field}:{neg}{','.join(self.values)}={self.share:g}"

    def members(self, firms: pd.DataFrame) -> np.ndarray:
        """Booleans over ``firms`` (an :class:`AllocationProblem`'s firm frame)."""
        inside = firms[self.field].isin(self.values).to_numpy()
        return ~inside if self.exclude else inside

    def required(self, seats_on_offer: int) -> int:
        """Whole seats the group needs out of ``seats_on_offer``."""
        return math.ceil(self.share * seats_on_offer - 1e-9)

    def describe(self) -> str:
        """The group in words: "firms outside seoul, gyeonggi by region"."""
        where = "outside" if self.exclude else "in"
        return f"firms {where} {', '.join(self.values)} (by {self.field})"


def parse_floor(text: str) -> Floor:
    """Read one ``--min-share`` value.

    Raises
    ------
    AllocationError
        The text does not follow :data:`FLOOR_SYNTAX`, names an unknown field or value,
        or the share is outside (0, 1].
    """
    match = _PATTERN.match(text)
    if match is None:
        raise AllocationError(f"minimum share {text!r}: expected {FLOOR_SYNTAX}")
    field, negation, values_text, number, percent = match.groups()
    if field not in FLOOR_FIELDS:
        raise AllocationError(
            f"minimum share {text!r}: unknown field {field!r}; expected one "
            f"of {', '.join(FLOOR_FIELDS)}"
        )
    values = tuple(v.strip() for v in values_text.split(",") if v.strip())
    unknown = [v for v in values if v not in FLOOR_FIELDS[field]]
    if not values or unknown:
        raise AllocationError(
            f"minimum share {text!r}: unknown {field} value(s) "
            f"{', '.join(map(repr, unknown)) or '(none given)'}; expected "
            f"some of {', '.join(FLOOR_FIELDS[field])}"
        )
    try:
        share = float(number) / (100.0 if percent else 1.0)
    except ValueError:
        share = math.nan
    if not 0.0 < share <= 1.0:
        raise AllocationError(
            f"minimum share {text!r}: the share must be a fraction in (0, 1] "
            f"or a percentage up to 100%, not {number}{percent}"
        )
    return Floor(field, values, negation is not None, share)


def parse_floors(texts: list[str] | tuple[str, ...]) -> tuple[Floor, ...]:
    """Read every ``--min-share`` value; the same group twice is an error."""
    floors = tuple(parse_floor(t) for t in texts)
    groups = [(f.field, frozenset(f.values), f.exclude) for f in floors]
    if len(set(groups)) < len(groups):
        raise AllocationError(
            "the minimum shares name the same group twice; give one share per group"
        )
    return floors


@dataclass(frozen=True)
class FloorOutcome:
    """How an allocation stands against one floor."""

    floor: Floor
    required: int
    assigned: int
    seats_on_offer: int

    @property
    def binding(self) -> bool:
        """The group got exactly the seats the floor needs (the floor constrained it)."""
        return self.assigned == self.required

    @property
    def share(self) -> float:
        """Seats the group got, as a share of the seats on offer."""
        return self.assigned / self.seats_on_offer if self.seats_on_offer else 0.0
