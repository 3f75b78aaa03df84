"""A reproducible, category-stratified sample of announcements for hand labelling."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from recommender.constants import DEFAULT_SEED


def draw_label_sample(
    raw: pd.DataFrame,
    *,
    n: int,
    min_per_category: int = 0,
    seed: int = DEFAULT_SEED,
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """Draw announcements in proportion to their Bizinfo category, with a floor.

    Parameters
    ----------
    raw
        Announcements with ``id`` and ``lcategory`` columns (duplicates of an id are
        drawn at most once).
    n
        Sample size before the floor is applied: each category gets
        ``round(n * share)`` rows.
    min_per_category
        Every category gets at least this many rows (or all it has), so small
        categories are measured too; the sample can end up a little larger than ``n``.
    seed
        Random seed; the same data, arguments and seed give the same sample.
    exclude
        Ids never drawn (e.g. an earlier sample when drawing a hold-out one).

    Returns
    -------
    pandas.DataFrame
        The drawn rows, sorted by category then id.
    """
    pool = raw.drop_duplicates("id").sort_values("id")
    pool = pool[~pool["id"].isin(set(exclude))]
    sizes = pool.groupby("lcategory").size()
    shares = sizes / sizes.sum()
    parts = []
    for offset, (category, group) in enumerate(pool.groupby("lcategory", sort=True)):
        take = min(len(group), max(min_per_category, round(n * float(shares[category]))))
        parts.append(group.sample(n=take, random_state=seed + offset))
    return pd.concat(parts).sort_values(["lcategory", "id"]).reset_index(drop=True)
