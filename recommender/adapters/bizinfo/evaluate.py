"""``python -m recommender.adapters.bizinfo.evaluate [ANNOUNCEMENTS.csv LABELS.csv]``.

Prints the rules-versus-model tables of ``docs/bizinfo.md``
(:func:`recommender.bizinfo.evaluate.compare_rules_and_model`) for the shipped
announcements and the hand labels in ``tests/data/bizinfo_labels.csv``, or the files
given.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo.evaluate import compare_rules_and_model, render_markdown
from recommender.settings import PROJECT_ROOT

ANNOUNCEMENTS = PROJECT_ROOT / "recommender/data/bizinfo/announcements-2023-2025.csv"
LABELS = PROJECT_ROOT / "tests/data/bizinfo_labels.csv"


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin script edge
    """Print the comparison for the given (or the shipped) announcements and labels."""
    args = sys.argv[1:] if argv is None else argv
    announcements = Path(args[0]) if args else ANNOUNCEMENTS
    labels_file = Path(args[1]) if len(args) > 1 else LABELS
    raw = read_announcements(announcements)
    labels = pd.read_csv(labels_file, dtype=str, keep_default_na=False)
    print(render_markdown(compare_rules_and_model(raw, labels, rules=load_type_rules())))


if __name__ == "__main__":  # pragma: no cover
    main()
