"""The printed tables of ``recommender evaluate --model VERSION`` (without ``--json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cli.common import out


def _interval(row: dict[str, Any]) -> str:
    if row.get("estimate") is None:
        return "-"
    return f"{row['estimate']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"


def print_evaluation(result: dict[str, Any], *, data: Path) -> None:
    """The policy value (and the oracle's, when known), every estimator, the overlap and
    the group table, as plain text (no column is cut, whatever the terminal)."""
    value = result["policy_value"]
    out.print(
        f"{result['version']} on {data}: value of the top pick over the "
        f"{result['n_firms']} firm profiles of {value['year']} with an eligible scored "
        f"programme, from {value['year']}'s outcomes alone ({result['n_matched']} joined "
        f"the pick)"
    )
    methods = pd.DataFrame(
        [
            {"method": m, "estimate": v["estimate"], "ci_low": v["ci_low"], "ci_high": v["ci_high"]}
            for m, v in result["methods"].items()
        ]
    )
    print(methods.round(4).to_string(index=False))
    policy = f"policy_value (dr, k=1): {_interval(value)}"
    if "true_value" in result:
        policy += f"   true_value (oracle.csv): {result['true_value']:.3f}"
    print(policy)
    if result.get("clip_allowance"):
        print(
            f"  (each end moved out by {result['clip_allowance']:.3f} for the bias of "
            "clipping importance ratios at 100)"
        )
    pairs, picks = result["overlap"]["pairs"], result["overlap"]["picks"]
    print(
        f"overlap: {pairs['share_below_1pct']:.1%} of eligible pairs and "
        f"{picks['share_below_1pct']:.1%} of the picks have a propensity below 1 %; "
        f"effective sample size {picks['ess']:.0f} firms (of {picks['n']:.0f})"
    )
    groups = pd.DataFrame(
        [
            {
                "group": g["group"],
                "level": g["level"],
                "profiles": g["profiles"],
                "exposure@1": round(g["exposure"], 3),
                "value [95 % interval]": _interval(g),
                "joined pick": g["n_matched"],
            }
            for g in result["groups"]
        ]
    )
    print(groups.to_string(index=False))
