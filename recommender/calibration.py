"""The chance of a measurable result: a ranker score as a calibrated probability.

The ranker predicts an expected outcome (0 to 3); a caseworker asks "how likely is a
measurable result (outcome 2 or more)?". Training fits a :class:`Calibration` on the
held-out participations of :func:`training.fit.validation_mask` (docs/ranker.md, "The
chance of a measurable result") and stores it as plain JSON beside the model; this
module applies it, vectorised over any number of scores, and reads it back checked
field by field (no pickle, nothing is run).

It holds:

- the map from score to probability: isotonic steps (``x`` thresholds, ``y``
  probabilities, linear between them, flat beyond) or Platt's ``1 / (1 + exp(-(a s + b)))``;
- the held-out pairs per score bin (``edges`` between bins, ``counts`` in each): the
  interval of an estimate ``p`` is the Wilson score interval of ``p`` observed on the
  number of held-out pairs of its bin, so it is wide where the held-out data were few
  and always holds the estimate;
- the held-out pairs and measurable results per peer cell (sector x size band, the
  capability profiler's peers): "typical for similar firms" is the cell's share where
  it has at least ``min_peers`` pairs, else the sector's, else everyone's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, NamedTuple

import numpy as np

from recommender.artefact_json import parsed, refusal
from recommender.constants import SECTORS, SIZE_BANDS

FORMAT: Final[str] = "sme-recommender/calibration"
FORMAT_VERSION: Final[int] = 1
METHODS: Final[tuple[str, ...]] = ("isotonic", "platt")
MEASURABLE: Final[int] = 2  # an outcome of 2 or more is a measurable result
Z: Final[float] = 1.959964  # two-sided 95 %
MAX_BYTES: Final[int] = 1024 * 1024


class Chance(NamedTuple):
    """One item's calibrated chance of a measurable result, its interval and the share
    of measurable results among participations of similar firms."""

    estimate: float
    low: float
    high: float
    typical: float


def wilson(p: np.ndarray, n: np.ndarray, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of proportions ``p`` observed on ``n`` trials (n >= 1)."""
    n = np.maximum(np.asarray(n, float), 1.0)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return np.clip(centre - half, 0.0, p), np.clip(centre + half, p, 1.0)


@dataclass(frozen=True)
class Calibration:
    """A fitted map from ranker score to P(outcome >= 2), with what its intervals and
    peer base rates need (see the module's docstring)."""

    method: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    a: float
    b: float
    edges: tuple[float, ...]
    counts: tuple[int, ...]
    peer_pairs: np.ndarray  # (sectors, size bands) held-out pairs
    peer_measurable: np.ndarray  # (sectors, size bands) of them with outcome >= 2
    min_peers: int = 30

    def estimate(self, scores: np.ndarray) -> np.ndarray:
        """P(outcome >= 2) for each score."""
        s = np.asarray(scores, float)
        if self.method == "isotonic":
            return np.interp(s, *self._steps)
        return 1.0 / (1.0 + np.exp(-(self.a * s + self.b)))

    def interval(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Estimate, low and high of each score (``low <= estimate <= high``)."""
        p = self.estimate(scores)
        edges, counts = self._bins
        low, high = wilson(p, counts[np.searchsorted(edges, scores, side="right")])
        return p, low, high

    @cached_property
    def _steps(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.x, float), np.asarray(self.y, float)

    @cached_property
    def _bins(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.edges, float), np.asarray(self.counts, float)

    def typical_table(self) -> np.ndarray:
        """Share of measurable results of each (sector, size band) cell, with fallbacks."""
        return self._typical

    @cached_property
    def _typical(self) -> np.ndarray:  # computed once per loaded version
        n, k = self.peer_pairs, self.peer_measurable
        overall = k.sum() / max(n.sum(), 1.0)
        sector_n, sector_k = n.sum(1, keepdims=True), k.sum(1, keepdims=True)
        sector = np.where(sector_n >= self.min_peers, sector_k / np.maximum(sector_n, 1.0), overall)
        return np.where(n >= self.min_peers, k / np.maximum(n, 1.0), sector)

    def chances(self, scores: np.ndarray, sectors: np.ndarray, bands: np.ndarray) -> list[Chance]:
        """:class:`Chance` of each pair, given its score and its firm's sector and size
        band codes (indices into :data:`SECTORS` and :data:`SIZE_BANDS`)."""
        p, low, high = self.interval(scores)
        typical = self.typical_table()[np.asarray(sectors, int), np.asarray(bands, int)]
        return [
            Chance(*row)
            for row in zip(p.tolist(), low.tolist(), high.tolist(), typical.tolist(), strict=True)
        ]

    # --- the stored form -------------------------------------------------------------
    def to_json(self) -> bytes:
        """The calibration as UTF-8 JSON (sorted keys, no NaN)."""
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "method": self.method,
            "measurable_from": MEASURABLE,
            "isotonic": {"x": list(self.x), "y": list(self.y)},
            "platt": {"a": self.a, "b": self.b},
            "bins": {"edges": list(self.edges), "counts": list(self.counts)},
            "peers": {
                "sectors": list(SECTORS),
                "size_bands": list(SIZE_BANDS),
                "pairs": self.peer_pairs.astype(int).tolist(),
                "measurable": self.peer_measurable.astype(int).tolist(),
                "min_pairs": self.min_peers,
            },
        }
        return json.dumps(document, sort_keys=True, allow_nan=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes, *, where: str) -> Calibration:
        """A calibration from :meth:`to_json`'s bytes, checked field by field.

        Raises
        ------
        ModelIntegrityError
            Not JSON, another format, or a field of the wrong type, shape or range
            (naming ``where`` and the field); nothing was loaded.
        """

        bad = refusal(where)
        doc = parsed(data, max_bytes=MAX_BYTES, bad=bad)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise bad(f"is not a {FORMAT} file")
        if doc.get("format_version") != FORMAT_VERSION or doc.get("measurable_from") != MEASURABLE:
            raise bad(f"is not version {FORMAT_VERSION} measuring outcomes >= {MEASURABLE}")
        method = doc.get("method")
        if method not in METHODS:
            raise bad(f"has a method other than {' or '.join(METHODS)}")
        x = _numbers(_get(doc, "isotonic", "x"), "isotonic.x", bad)
        y = _numbers(_get(doc, "isotonic", "y"), "isotonic.y", bad)
        if len(x) != len(y) or (method == "isotonic" and not x):
            raise bad("has isotonic.x and isotonic.y of different lengths (or none)")
        if np.any(np.diff(x) < 0) or np.any(np.diff(y) < 0) or any(not 0 <= v <= 1 for v in y):
            raise bad("has isotonic steps that are not increasing probabilities")
        a, b = (_numbers([_get(doc, "platt", k)], f"platt.{k}", bad)[0] for k in ("a", "b"))
        edges = _numbers(_get(doc, "bins", "edges"), "bins.edges", bad)
        counts = _numbers(_get(doc, "bins", "counts"), "bins.counts", bad)
        if len(counts) != len(edges) + 1 or np.any(np.diff(edges) < 0):
            raise bad("has bins.counts that are not one more than increasing bins.edges")
        if any(c < 1 or c != int(c) for c in counts):
            raise bad("has bins.counts that are not positive whole numbers")
        peers = doc.get("peers")
        if not isinstance(peers, dict):
            raise bad("has no peers object")
        if peers.get("sectors") != list(SECTORS) or peers.get("size_bands") != list(SIZE_BANDS):
            raise bad("has peers.sectors or peers.size_bands other than this code's")
        shape = (len(SECTORS), len(SIZE_BANDS))
        pairs = _matrix(peers.get("pairs"), shape, "peers.pairs", bad)
        measurable = _matrix(peers.get("measurable"), shape, "peers.measurable", bad)
        if (measurable > pairs).any():
            raise bad("has more peers.measurable than peers.pairs in a cell")
        min_pairs = peers.get("min_pairs")
        if type(min_pairs) is not int or min_pairs < 1:
            raise bad("has no positive whole peers.min_pairs")
        return cls(
            str(method), tuple(x), tuple(y), a, b, tuple(edges),
            tuple(int(c) for c in counts), pairs, measurable, min_pairs,
        )  # fmt: skip


def _get(doc: dict[str, Any], group: str, key: str) -> Any:
    part = doc.get(group)
    return part.get(key) if isinstance(part, dict) else None


def _numbers(value: Any, name: str, bad: Any) -> list[float]:
    ok = isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value
    )
    if not ok:
        raise bad(f"has a {name} that is not a list of finite numbers")
    return [float(v) for v in value]


def _matrix(value: Any, shape: tuple[int, int], name: str, bad: Any) -> np.ndarray:
    rows = value if isinstance(value, list) and len(value) == shape[0] else None
    if rows is None or not all(isinstance(r, list) and len(r) == shape[1] for r in rows):
        raise bad(f"has no {name} shaped {shape}")
    flat = [v for r in rows for v in r]
    if not all(type(v) is int and v >= 0 for v in flat):
        raise bad(f"has a {name} that is not all whole numbers of 0 or more")
    return np.asarray(flat, float).reshape(shape)
