"""New matches for alert subscribers: newly imported open programmes entering a top k.

Pure: the caller loads subscriptions, profiles and the model, and stores the result
(``recommender alerts run`` does, with :func:`recommender.adapters.store.add_alerts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final

import pandas as pd

from recommender.constants import PROGRAMME_ID
from recommender.errors import DataValidationError, Problem
from recommender.recommend import Recommender, profile_frame

ALERT_COLUMNS: Final[tuple[str, ...]] = ("subscription_id", PROGRAMME_ID, "rank", "score")
Subscriber = tuple[int, Mapping[str, Any] | pd.Series, int]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subscription_id": pd.Series(dtype="int64"),
            PROGRAMME_ID: pd.Series(dtype=object),
            "rank": pd.Series(dtype="int64"),
            "score": pd.Series(dtype="float64"),
        }
    )


def _profile_for(
    subscription_id: int, profile: Mapping[str, Any] | pd.Series, year: int
) -> dict[str, Any]:
    row = dict(profile.items())
    if row.get("firm_id") is None or (
        isinstance(row.get("firm_id"), float) and pd.isna(row["firm_id"])
    ):
        row["firm_id"] = f"subscription-{subscription_id}"
    row["year"] = year
    return row


def new_matches(
    recommender: Recommender,
    subscribers: Sequence[Subscriber],
    new_programme_ids: Iterable[str],
    as_of: date,
    *,
    outcomes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per subscriber, the new programmes open on ``as_of`` that rank in its top ``k``.

    Each profile stands for the firm as it is now: it is ranked against the open
    programmes of every year a new programme belongs to (its ``year`` set to that
    year, so a 2024 profile meets the 2025 announcements). A new programme is a match
    when it is eligible, open on ``as_of`` (where its window is known), scored (not
    ``other``) and within the first ``k`` of that ranking, old programmes included.

    Parameters
    ----------
    recommender
        The model and the whole catalogue (old and new programmes).
    subscribers
        ``(subscription_id, profile, k)``: a contract firm profile (dict or frame row;
        a missing ``firm_id`` is filled in) and how many top programmes it follows.
    new_programme_ids
        Programmes imported since the last alerts run; ids outside the catalogue are
        ignored.
    as_of
        The day the programmes must be open on.
    outcomes
        Past participations of the subscribed firms (contract outcome rows), if known.

    Returns
    -------
    pandas.DataFrame
        ``subscription_id, programme_id, rank, score``, by subscription then rank.

    Raises
    ------
    DataValidationError
        A subscriber's ``k`` is below 1, or a profile lacks a contract firm column.
    """
    bad_k = [
        Problem("subscription", None, "k", k, "an integer >= 1")
        for sid, _, k in subscribers
        if int(k) < 1
    ]
    if bad_k:
        raise DataValidationError(bad_k)
    catalogue = recommender.programmes
    new_ids = {str(p) for p in new_programme_ids}
    years = sorted({int(y) for y in catalogue.loc[catalogue[PROGRAMME_ID].isin(new_ids), "year"]})
    if not subscribers or not years:
        return _empty()
    top = max(int(k) for _, _, k in subscribers)
    rows = []
    for year in years:
        profiles = profile_frame(
            [_profile_for(int(sid), profile, year) for sid, profile, _ in subscribers]
        )
        ranked = recommender.recommend_batch(
            profiles, k=top, explain="none", as_of=as_of, outcomes=outcomes
        )
        for (sid, _, k), rec in zip(subscribers, ranked, strict=True):
            rows += [
                {
                    "subscription_id": int(sid),
                    PROGRAMME_ID: item.programme_id,
                    "rank": int(item.rank or 0),
                    "score": float(item.score or 0.0),
                }
                for item in rec.items[: int(k)]
                if item.programme_id in new_ids
            ]
    if not rows:
        return _empty()
    frame = pd.DataFrame(rows, columns=list(ALERT_COLUMNS))
    return frame.sort_values(["subscription_id", "rank", PROGRAMME_ID], ignore_index=True).astype(
        {"subscription_id": "int64", "rank": "int64", "score": "float64"}
    )
