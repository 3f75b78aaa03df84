"""Who takes part in what: a deliberately *non-random* selection into programmes.

Each year a firm first decides whether to apply at all (bigger firms, firms with an R&D
lab, firms in the capital area and firms that took part last year apply more), then
ranks the programmes it is eligible for by visibility, money, habit (the type it took
before), local programmes, what it *thinks* it is weak at (its self-ratings) and --
only weakly -- its true expected benefit. Oversubscribed programmes pick the applicants
that look safest (bigger firms, labs, a track record). Learning from the outcomes of
those who took part is therefore learning from a biased sample
(``docs/causal-model.md``, "Selection").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from recommender.constants import CAP_MAX, CAP_MIN

# --- parameters -----------------------------------------------------------------------
APPLY_INTERCEPT: Final[float] = -1.25
APPLY_SIZE: Final[float] = 0.65  # per unit of (ln employees - ln 10) / 1.2
APPLY_LAB: Final[float] = 0.45
APPLY_LAST_YEAR: Final[float] = 0.9  # took part last year
APPLY_CAPITAL: Final[float] = 0.25  # Seoul / Gyeonggi: closer to agencies, better informed
SECOND_INTERCEPT: Final[float] = -2.0  # applying to a second programme
SECOND_SIZE: Final[float] = 0.5
U_VISIBILITY: Final[float] = 1.0
U_SUPPORT: Final[float] = 0.3  # per ln million KRW
U_HABIT: Final[float] = 1.2  # same type as the firm's last programme
U_LOCAL: Final[float] = 0.5  # a regional programme of the firm's own region
U_SELF_WEAKNESS: Final[float] = 0.3  # per point the firm rates itself below 3 on targets
U_TRUE_FIT: Final[float] = 0.4  # per expected grade point: the weak "true fit" pull
PICK_SIZE: Final[float] = 0.5  # oversubscribed programmes favour bigger firms ...
PICK_LAB: Final[float] = 0.5  # ... with labs ...
PICK_TRACK_RECORD: Final[float] = 0.4  # ... that took part before


@dataclass(frozen=True)
class Applicants:
    """The firm side of one year's choice, for ``n`` firm profiles."""

    log_size: np.ndarray  # (ln employees - ln 10) / 1.2
    lab: np.ndarray  # bool
    capital_area: np.ndarray  # bool
    last_type: np.ndarray  # type code of the last programme taken, -1 if none
    last_year: np.ndarray  # bool: took part last year
    past: np.ndarray  # bool: took part in any earlier year
    ratings: np.ndarray  # (n, 12) self-ratings, NaN unanswered


@dataclass(frozen=True)
class Calls:
    """The programme side of one year's choice, for ``m`` offerings."""

    visibility: np.ndarray
    support: np.ndarray  # true support, million KRW
    type_code: np.ndarray
    regional: np.ndarray  # bool: restricted to some regions
    capacity: np.ndarray  # true places
    targets: np.ndarray  # (m, 12) bool


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def perceived_weakness(ratings: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``(n, m)``: how far below the scale's middle a firm rates itself on each offering's
    targets (0 where it answered none of them)."""
    mid = (CAP_MIN + CAP_MAX) / 2.0
    answered = ~np.isnan(ratings)
    below = np.where(answered, mid - ratings, 0.0)
    weights = targets.astype(float)
    n = answered.astype(float) @ weights.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (below @ weights.T) / np.maximum(n, 1.0), 0.0)


def choose(
    firms: Applicants,
    calls: Calls,
    eligible: np.ndarray,
    expected: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """This year's participations as ``(firm_rows, programme_rows)``.

    Parameters
    ----------
    firms : Applicants
    calls : Calls
    eligible : ndarray of bool, shape (n, m)
        Only eligible programmes are ever chosen.
    expected : ndarray, shape (n, m)
        True expected grade of each pair (the weak pull of true fit).
    rng : numpy.random.Generator
    """
    n, m = eligible.shape
    if n == 0 or m == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    apply_logit = (
        APPLY_INTERCEPT
        + APPLY_SIZE * firms.log_size
        + APPLY_LAB * firms.lab
        + APPLY_LAST_YEAR * firms.last_year
        + APPLY_CAPITAL * firms.capital_area
    )
    applies = (rng.random(n) < _sigmoid(apply_logit)) & eligible.any(1)
    wants_two = rng.random(n) < _sigmoid(SECOND_INTERCEPT + SECOND_SIZE * firms.log_size)
    utility = (
        U_VISIBILITY * calls.visibility[None, :]
        + U_SUPPORT * np.log(np.maximum(calls.support, 0.5))[None, :]
        + U_HABIT * (calls.type_code[None, :] == firms.last_type[:, None])
        + U_LOCAL * calls.regional[None, :]
        + U_SELF_WEAKNESS * perceived_weakness(firms.ratings, calls.targets)
        + U_TRUE_FIT * expected
        + rng.gumbel(0.0, 1.0, (n, m))
    )
    utility = np.where(eligible, utility, -np.inf)
    order = np.argsort(-utility, axis=1, kind="stable")[:, :2]
    rows = np.arange(n)
    first = applies
    second = applies & wants_two & (m > 1)
    if m > 1:
        second &= np.isfinite(utility[rows, order[:, 1]])
    app_firm = np.concatenate([rows[first], rows[second]])
    app_prog = np.concatenate([order[first, 0], order[second, 1]]) if m > 1 else order[first, 0]
    return _select(firms, calls, app_firm, app_prog, rng)


def _select(
    firms: Applicants,
    calls: Calls,
    app_firm: np.ndarray,
    app_prog: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ``capacity`` applicants per programme, the best-looking first."""
    score = (
        PICK_SIZE * firms.log_size[app_firm]
        + PICK_LAB * firms.lab[app_firm]
        + PICK_TRACK_RECORD * firms.past[app_firm]
        + rng.gumbel(0.0, 1.0, len(app_firm))
    )
    order = np.lexsort((-score, app_prog))
    prog_sorted = app_prog[order]
    starts = np.searchsorted(prog_sorted, prog_sorted, side="left")
    rank = np.arange(len(order)) - starts
    kept = order[rank < calls.capacity[prog_sorted]]
    kept = kept[np.lexsort((app_prog[kept], app_firm[kept]))]
    return app_firm[kept].astype(np.int64), app_prog[kept].astype(np.int64)
