"""How often the real catalogue leaves each programme attribute the model reads empty.

The shipped Bizinfo feed is imported with the product's own reader (as
``recommender catalogue import-bizinfo`` does) and, for each attribute, the share of
programmes without it is printed as a Markdown table: all programmes and the scored
ones (type not ``other``, the only ones the model scores).

    .venv/bin/python bench/missingness.py

:data:`training.masking.BIZINFO_MISSING_RATES` holds the scored column.
"""

from __future__ import annotations

import pandas as pd

from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo import announcements_to_programmes
from recommender.constants import OTHER_TYPE
from recommender.settings import PROJECT_ROOT
from training.masking import MASKABLE

FEED = PROJECT_ROOT / "recommender/data/bizinfo/announcements-2023-2025.csv"
# Further model inputs, shown to say they are always stated.
STATED = ("programme_type", "targets", "regions", "sectors", "apply_end")


def shipped_catalogue() -> pd.DataFrame:
    """The shipped feed as the product imports it."""
    return announcements_to_programmes(read_announcements(FEED), rules=load_type_rules())


def table(catalogue: pd.DataFrame) -> str:
    scored = catalogue["programme_type"] != OTHER_TYPE
    parts = {
        f"all ({len(catalogue)})": catalogue,
        f"scored ({int(scored.sum())})": catalogue[scored],
    }
    lines = [
        "| attribute | " + " | ".join(f"missing, {k}" for k in parts) + " |",
        "|---|" + "---|" * len(parts),
    ]
    for column in (*MASKABLE, *STATED):
        shares = [f"{part[column].isna().mean():.1%}" for part in parts.values()]
        lines.append(f"| `{column}` | " + " | ".join(shares) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(shipped_catalogue()))
