"""What a scoring run writes beside the contract's score columns, and what it reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from recommender import Recommender
from recommender.explain import renderer

SCORE_COLUMNS: Final[tuple[str, ...]] = (
    "firm_id",
    "year",
    "programme_id",
    "eligible",
    "score",
    "rank",
)
KEY: Final[list[str]] = ["firm_id", "year", "programme_id"]
REASONS: Final[str] = "reasons"
REASONS_PER_ITEM: Final[int] = 3


@dataclass(frozen=True)
class ScoreRun:
    """What a scoring run wrote: the model, where, how many firm rows and score rows,
    over how many partitions and into how many files."""

    version: str
    out: Path
    firm_rows: int
    rows: int
    partitions: int
    files: int


def reasons_frame(
    rec: Recommender, firms: pd.DataFrame, outcomes: pd.DataFrame | None, *, k: int
) -> pd.DataFrame:
    """The top ``k`` programmes of each firm row with their three leading reasons."""
    rows = []
    for r in rec.recommend_batch(firms, k=k, explain="top", outcomes=outcomes):
        for item in r.items:
            if item.explanation is not None:
                text = " | ".join(
                    renderer("en").sentence(c)
                    for c in item.explanation.contributions[:REASONS_PER_ITEM]
                )
                rows.append((r.firm_id, r.year, item.programme_id, text))
    return pd.DataFrame(rows, columns=[*KEY, REASONS])


def scored_frame(
    rec: Recommender, firms: pd.DataFrame, outcomes: pd.DataFrame | None, *, explain_top: int = 0
) -> pd.DataFrame:
    """The contract's score rows of ``firms``, with ``reasons`` for each firm row's top
    ``explain_top`` programmes when that is above 0 (empty for the others)."""
    scored = rec.score(firms, outcomes=outcomes)
    if explain_top > 0:
        why = reasons_frame(rec, firms, outcomes, k=explain_top)
        scored = scored.merge(why, on=KEY, how="left")
    return scored
