"""A firm's participation history, from outcomes of earlier years only."""

from __future__ import annotations

import pandas as pd

from recommender.constants import SCORED_TYPES
from recommender.features.names import HISTORY_COLUMNS


def history_features(
    firms: pd.DataFrame, outcomes: pd.DataFrame | None, programmes: pd.DataFrame
) -> pd.DataFrame:
    """Participation history of each firm profile, from outcomes of *earlier* years only.

    Returns a frame aligned with ``firms`` holding :data:`HISTORY_COLUMNS`: how many
    programmes of each type the firm took before, the type and outcome of last year's
    participation (NaN when none) and its mean outcome so far.
    """
    out = pd.DataFrame(index=firms.index, columns=list(HISTORY_COLUMNS), dtype=float)
    out.loc[:, [c for c in HISTORY_COLUMNS if c.startswith("hist_n_")]] = 0.0
    if outcomes is None or outcomes.empty:
        return out
    kinds = programmes.set_index("programme_id")["programme_type"]
    past = outcomes.assign(ptype=outcomes["programme_id"].map(kinds))
    past = past[past["ptype"].isin(SCORED_TYPES)]
    if past.empty:
        return out
    type_code = past["ptype"].map({t: i for i, t in enumerate(SCORED_TYPES)}).astype(float)
    past = past.assign(type_code=type_code)
    keys = firms[["firm_id", "year"]].reset_index()
    merged = keys.merge(past, on="firm_id", suffixes=("", "_p"))
    merged = merged[merged["year_p"] < merged["year"]]
    if merged.empty:
        return out
    g = merged.groupby("index")
    out.loc[g.size().index, "hist_n_total"] = g.size().to_numpy(float)
    counts = pd.crosstab(merged["index"], merged["ptype"])
    for t in SCORED_TYPES:
        if t in counts:
            out.loc[counts.index, f"hist_n_{t}"] = counts[t].to_numpy(float)
    out.loc[g.size().index, "hist_mean_outcome"] = g["outcome"].mean().to_numpy(float)
    last = merged[merged["year_p"] == merged["year"] - 1]
    if not last.empty:
        best = last.sort_values(["index", "outcome"]).groupby("index").tail(1)
        out.loc[best["index"].to_numpy(), "hist_last_type"] = best["type_code"].to_numpy(float)
        out.loc[best["index"].to_numpy(), "hist_last_outcome"] = best["outcome"].to_numpy(float)
    return out


def with_history(
    firms: pd.DataFrame, outcomes: pd.DataFrame | None, programmes: pd.DataFrame
) -> pd.DataFrame:
    """``firms`` with the :data:`HISTORY_COLUMNS` of :func:`history_features` added."""
    return pd.concat(
        [
            firms.drop(columns=list(HISTORY_COLUMNS), errors="ignore"),
            history_features(firms, outcomes, programmes),
        ],
        axis=1,
    )
