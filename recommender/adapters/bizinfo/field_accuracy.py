"""Print the field-accuracy tables of ``docs/bizinfo.md``.

``python -m recommender.adapters.bizinfo.field_accuracy [ANNOUNCEMENTS.csv LABELS.csv]``
reads the shipped feed and ``tests/data/bizinfo_fields.csv`` by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo.field_report import (
    feed_fields,
    feed_shares,
    field_accuracy,
    render_markdown,
)
from recommender.settings import PROJECT_ROOT

FEED = PROJECT_ROOT / "recommender" / "data" / "bizinfo" / "announcements-2023-2025.csv"
LABELS = PROJECT_ROOT / "tests" / "data" / "bizinfo_fields.csv"


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin script edge
    """Read the feed and the labels, print the tables."""
    args = sys.argv[1:] if argv is None else argv
    feed, labels = (Path(args[0]), Path(args[1])) if len(args) == 2 else (FEED, LABELS)
    predicted = feed_fields(
        read_announcements(feed), type_rules=load_type_rules(), industry_rules=load_industry_rules()
    )
    truth = pd.read_csv(labels, dtype=str, keep_default_na=False)
    print(render_markdown(field_accuracy(predicted, truth), feed_shares(predicted)))


if __name__ == "__main__":  # pragma: no cover
    main()
