"""The rules both training engines follow, in one place (see :mod:`training.version`
for the manifest and the writing they share).

* **parameters**: :meth:`recommender.ranker.Ranker.stage_params` (base parameters,
  objective, seed, monotone constraints);
* **validation split**: :func:`training.fit.validation_mask` (the last year, or a fifth
  of the firms);
* **early stopping**: :data:`recommender.ranker.PATIENCE` rounds of patience, as
  LightGBM's callback on one machine and :func:`early_stopping_rounds` over the exact
  validation curve on Dask; the refit on every labelled pair uses :func:`final_rounds`;
* **enough data**: :func:`require_pairs`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from recommender import DataValidationError, Problem
from recommender.ranker import PATIENCE

Progress = Callable[[str], None]
# Chosen on the tuning world (demo seed 42): see docs/ranker.md for the measurements.
DEFAULT_OBJECTIVE: Final[str] = "regression"
MAX_ROUNDS: Final[int] = 300
MIN_ROUNDS: Final[int] = 10  # the refit on all pairs never uses fewer rounds
MIN_PAIRS: Final[int] = 20


def quiet(progress: Progress | None) -> Progress:
    """``progress``, or a callback that says nothing."""
    return progress or (lambda _message: None)


def require_pairs(n_pairs: int, *, file: str = "outcomes") -> None:
    """Refuse to train on fewer than :data:`MIN_PAIRS` labelled participations.

    Raises
    ------
    DataValidationError
        Naming the outcomes file and the count found.
    """
    if n_pairs < MIN_PAIRS:
        raise DataValidationError(
            [
                Problem(
                    file,
                    None,
                    None,
                    n_pairs,
                    f"at least {MIN_PAIRS} participations in scored programmes to train on",
                )
            ]
        )


def early_stopping_rounds(curve: np.ndarray, *, patience: int = PATIENCE) -> int:
    """Rounds LightGBM's ``early_stopping(patience)`` keeps for a validation-loss curve.

    ``curve[t]`` is the loss after ``t + 1`` rounds (lower is better); training stops
    ``patience`` rounds after the last strict improvement, keeping the best round.
    """
    best, best_at = np.inf, 0
    for t, value in enumerate(np.asarray(curve, float)):
        if value < best:
            best, best_at = value, t
        elif t - best_at >= patience:
            break
    return best_at + 1


def final_rounds(best_rounds: int) -> int:
    """Rounds of the refit on every labelled pair: the validated ones, at least
    :data:`MIN_ROUNDS`."""
    return max(MIN_ROUNDS, int(best_rounds))
