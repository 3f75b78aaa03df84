"""Fitting the chance of a measurable result on the held-out participations.

:func:`fit_calibration` takes the held-out rows of :func:`training.fit.validation_mask`
(last year, or a fifth of the firms), scored by the ranker fitted without them, and:

1. compares an isotonic and a Platt (logistic) map from score to P(outcome >= 2) by
   their out-of-fold log loss over 5 folds of the held-out rows, and keeps the lower
   (ties: Platt, the simpler);
2. refits the chosen map on every held-out row;
3. counts the held-out rows per score decile (the intervals' counts, see
   :mod:`recommender.calibration`) and per peer cell (the typical share);
4. measures the chosen map's reliability on the same deciles with its out-of-fold
   predictions -- mean predicted vs observed share, and the expected calibration error
   ECE = sum over bins of (bin rows / rows) x |predicted - observed| -- so the report's
   figures never judge a map on the rows it was fitted to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from recommender.calibration import MEASURABLE, Calibration
from recommender.constants import SECTORS, SIZE_BANDS

BINS: Final[int] = 10
FOLDS: Final[int] = 5
MIN_ROWS: Final[int] = 50  # fewer held-out participations: no calibration is stored
EPS: Final[float] = 1e-3  # probabilities are clipped to [EPS, 1 - EPS] for the log loss


@dataclass(frozen=True)
class CalibrationFit:
    """The stored calibration and what the report says of it."""

    calibration: Calibration
    reliability: pd.DataFrame  # bin, scores, pairs, predicted, observed
    ece: float
    log_loss: dict[str, float] = field(default_factory=dict)  # method -> out-of-fold
    rows: int = 0

    def metadata(self) -> dict[str, object]:
        """What the manifest says of it: method, held-out rows, out-of-fold ECE and log
        losses."""
        return {
            "method": self.calibration.method,
            "held_out_pairs": self.rows,
            "ece": round(self.ece, 6),
            "log_loss": {m: round(v, 6) for m, v in self.log_loss.items()},
        }


def _isotonic(s: np.ndarray, y: np.ndarray) -> IsotonicRegression:
    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(s, y)


def _platt(s: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    if y.min() == y.max():  # one class only: a constant
        p = float(np.clip(y.mean(), EPS, 1 - EPS))
        return 0.0, float(np.log(p / (1 - p)))
    model = LogisticRegression(C=1e6).fit(s[:, None], y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _predict(method: str, s_fit: np.ndarray, y_fit: np.ndarray, s: np.ndarray) -> np.ndarray:
    if method == "isotonic":
        return np.asarray(_isotonic(s_fit, y_fit).predict(s), float)
    a, b = _platt(s_fit, y_fit)
    return np.asarray(1.0 / (1.0 + np.exp(-(a * s + b))), float)


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log likelihood of ``y`` (0/1) under ``p``, clipped to ``EPS``."""
    q = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def reliability(p: np.ndarray, y: np.ndarray, bins: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Per bin: pairs, mean predicted, observed share; and the ECE over the bins."""
    frame = pd.DataFrame({"bin": bins, "p": p, "y": y})
    table = (
        frame.groupby("bin")
        .agg(pairs=("y", "size"), predicted=("p", "mean"), observed=("y", "mean"))
        .reset_index()
    )
    ece = float((table["pairs"] * (table["predicted"] - table["observed"]).abs()).sum() / len(p))
    return table, ece


def fit_calibration(
    scores: np.ndarray, held_out: pd.DataFrame, *, seed: int = 42
) -> CalibrationFit | None:
    """The calibration of held-out scores (``held_out``: the rows' ``outcome``,
    ``sector`` and ``size_band``); None with fewer than :data:`MIN_ROWS` rows."""
    s = np.asarray(scores, float)
    y = (held_out["outcome"].to_numpy(float) >= MEASURABLE).astype(float)
    if len(s) < MIN_ROWS:
        return None
    edges = score_bins(s)
    bins = np.searchsorted(edges, s, side="right")
    folds = KFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    oof = {m: np.empty(len(s)) for m in ("isotonic", "platt")}
    for fit_rows, test_rows in folds.split(s):
        for m, out in oof.items():
            out[test_rows] = _predict(m, s[fit_rows], y[fit_rows], s[test_rows])
    losses = {m: log_loss(p, y) for m, p in oof.items()}
    method = "isotonic" if losses["isotonic"] < losses["platt"] else "platt"
    table, ece = reliability(oof[method], y, bins)
    table.insert(1, "scores", [_bin_label(edges, int(b)) for b in table["bin"]])
    iso = _isotonic(s, y)
    a, b = _platt(s, y)
    sector = pd.Categorical(held_out["sector"], categories=SECTORS).codes
    band = pd.Categorical(held_out["size_band"], categories=SIZE_BANDS).codes
    cell = np.where((sector >= 0) & (band >= 0), sector * len(SIZE_BANDS) + band, -1)
    known = cell >= 0
    size = len(SECTORS) * len(SIZE_BANDS)
    shape = (len(SECTORS), len(SIZE_BANDS))
    pairs = np.bincount(cell[known], minlength=size).reshape(shape).astype(float)
    measurable = np.bincount(cell[known], weights=y[known], minlength=size).reshape(shape)
    calibration = Calibration(
        method,
        tuple(float(v) for v in iso.X_thresholds_),
        tuple(float(v) for v in iso.y_thresholds_),
        a,
        b,
        tuple(float(e) for e in edges),
        tuple(int(c) for c in np.bincount(bins, minlength=len(edges) + 1)),
        pairs,
        np.round(measurable),
    )
    return CalibrationFit(calibration, table, ece, losses, len(s))


def named_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``sector`` and ``size_band`` feature codes (as the pair
    features hold them) turned into the names :func:`fit_calibration` groups by."""
    return frame.assign(
        sector=[SECTORS[int(c)] if c == c else None for c in frame["sector"]],
        size_band=[SIZE_BANDS[int(c)] if c == c else None for c in frame["size_band"]],
    )


def score_bins(s: np.ndarray, n_bins: int = BINS) -> np.ndarray:
    """Inner edges of the score deciles of ``s``, merged until no bin is empty."""
    edges = np.unique(np.quantile(s, np.linspace(0, 1, n_bins + 1)[1:-1]))
    while len(edges):
        counts = np.bincount(np.searchsorted(edges, s, side="right"), minlength=len(edges) + 1)
        empty = np.flatnonzero(counts == 0)
        if not len(empty):
            break
        edges = np.delete(edges, max(int(empty[0]) - 1, 0))
    return edges


def _bin_label(edges: np.ndarray, b: int) -> str:
    low = "" if b == 0 else f"{edges[b - 1]:.3f}"
    high = "" if b == len(edges) else f"{edges[b]:.3f}"
    return f"[{low}, {high})"
