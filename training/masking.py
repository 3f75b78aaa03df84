"""Programme descriptions left partial the way real catalogues leave them.

Real announcements (the Bizinfo feed) state no duration, capacity or R&D-lab condition
and state a support amount for about a third of the scored ones; the demo world states
nearly everything. A model trained only on full descriptions then meets "support
unknown" for the first time when it serves, and that one missing value decides the
ranking. :class:`Masking` sets programme attributes of *training* pairs to missing at
the real catalogue's rates, each pair drawn on its own, so the model learns to rank
with and without them. The draws are a hash of (firm, year, programme, attribute,
seed): the same pair is masked the same way whichever engine built it and however the
data were partitioned.

:func:`missing_rates` measures a catalogue's rates (``bench/missingness.py`` on the
shipped feed gave :data:`BIZINFO_MISSING_RATES`; ``docs/ranker.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.constants import OTHER_TYPE

# The programme attributes the model reads that a catalogue may leave empty.
MASKABLE: Final[tuple[str, ...]] = (
    "support_krw_m",
    "duration_months",
    "capacity",
    "requires_rnd_lab",
)
# Share of the shipped feed's scored programmes (type not `other`, all years) without
# each attribute: `bench/missingness.py` (docs/ranker.md has the whole table).
BIZINFO_MISSING_RATES: Final[Mapping[str, float]] = {
    "support_krw_m": 0.620,
    "duration_months": 1.0,
    "capacity": 1.0,
    "requires_rnd_lab": 0.996,
}
DEFAULT_MASK_SEED: Final[int] = 42


def missing_rates(programmes: pd.DataFrame) -> dict[str, float]:
    """The share of a catalogue's scored programmes (type not ``other``) that leave each
    of :data:`MASKABLE` empty."""
    scored = programmes[programmes["programme_type"] != OTHER_TYPE]
    return {c: float(scored[c].isna().mean()) if len(scored) else 0.0 for c in MASKABLE}


@dataclass(frozen=True)
class Masking:
    """Which programme attributes training pairs lose, how often, and the seed.

    Parameters
    ----------
    rates
        Attribute (one of :data:`MASKABLE`) -> probability that a pair's programme is
        shown without it.
    seed
        Seed of the draws (recorded in the manifest with the rates).
    """

    rates: Mapping[str, float] = field(default_factory=lambda: dict(BIZINFO_MISSING_RATES))
    seed: int = DEFAULT_MASK_SEED

    def __post_init__(self) -> None:
        for name, rate in self.rates.items():
            if name not in MASKABLE:
                raise ValueError(f"masking rate for {name!r}: one of {', '.join(MASKABLE)}")
            if not 0.0 <= float(rate) <= 1.0:
                raise ValueError(f"masking rate for {name!r} is {rate}: a share in [0, 1]")

    def record(self) -> dict[str, Any]:
        """The manifest's account of the masking."""
        return {"rates": {k: float(v) for k, v in self.rates.items()}, "seed": self.seed}

    @classmethod
    def of_record(cls, record: Mapping[str, Any] | None) -> Masking | None:
        """The masking a manifest records (``None``: a version trained without one)."""
        if not record:
            return None
        return cls(dict(record["rates"]), seed=int(record["seed"]))

    def draws(self, keys: pd.DataFrame, attribute: str) -> np.ndarray:
        """Uniform [0, 1) draws, one per row of ``keys`` (firm_id, year, programme_id)."""
        salted = keys.reset_index(drop=True).assign(_attribute=attribute, _seed=self.seed)
        hashed = pd.util.hash_pandas_object(salted, index=False).to_numpy()
        return (hashed >> np.uint64(11)).astype(float) / float(2**53)

    def apply(self, rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
        """``rows`` (one programme row per pair, keyed by ``keys`` row for row) with the
        masked attributes set to missing."""
        out = rows.reset_index(drop=True).copy()
        for name, rate in self.rates.items():
            hide = self.draws(keys, name) < float(rate)
            out[name] = out[name].where(~hide)
        return out


SHIPPED_MASKING: Final[Masking] = Masking()  # what both engines train with by default


def masked_catalogue(programmes: pd.DataFrame, masking: Masking) -> pd.DataFrame:
    """A catalogue described as a real one would be: each programme loses each attribute
    with its rate, for every firm alike (the draws are keyed by programme only)."""
    return masking.apply(programmes, programmes[["programme_id"]])
