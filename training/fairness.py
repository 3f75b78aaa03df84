"""Per-group figures of a ranking policy: exposure in the top k, and the gate's group check.

Groups are the firm profile's region and size band (:data:`training.version_value.GROUPS`).
*Exposure in the top k* of a group is the share of its profiles' top-``k`` slots that
hold a programme: a profile eligible for fewer than ``k`` scored programmes, or for
none, fills fewer slots. The gate (:mod:`training.gate`) compares groups' estimated values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame

from recommender.constants import FIRM_ID


def _mean(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(y_true))


def exposure_by_group(
    chosen: pd.DataFrame, profiles: pd.DataFrame, *, k: int, groups: Sequence[str] = ()
) -> dict[str, pd.Series]:
    """For each group column, the mean over its profiles of (top-``k`` slots filled) / k
    (fairlearn's :class:`~fairlearn.metrics.MetricFrame`, one per group column).

    ``chosen`` is :func:`training.policies.picks` output (one row per pick); ``profiles``
    holds ``firm_id`` and the group columns for every profile of the year.
    """
    slots = chosen.groupby(FIRM_ID).size()
    filled = profiles[FIRM_ID].map(slots).fillna(0).to_numpy(float) / k
    columns = list(groups) or [c for c in profiles.columns if c != FIRM_ID]
    return {
        g: MetricFrame(
            metrics=_mean, y_true=filled, y_pred=filled, sensitive_features=profiles[g]
        ).by_group.sort_index()
        for g in columns
    }
