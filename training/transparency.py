"""A version's transparency record: purpose, data, features, main factors, evaluation,
limits and owner, as JSON and Markdown.

Written for the duty to explain high-impact AI used in public services under Korea's
AI Basic Act (인공지능 기본법, in force 2026-01-22: explain the main criteria behind a
result and the data used) and for the UK Algorithmic Transparency Recording Standard
(tier 1: what the tool is and why it is used; tier 2: owner, how it works, data,
risks). :func:`transparency_record` builds it from what the registry holds about a
version — its manifest, the model's gain per feature and the estimates recorded when
it was promoted — so any version can be described, however old.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

from recommender import Ranker
from recommender.adapters.atomic import write_atomic

SCHEMA: Final[str] = "sme-recommender/transparency-record/1"
PURPOSE: Final[str] = (
    "Ranks the government support programmes of a year that an SME can join, by the "
    "expected benefit (outcome grade 0-3) for a firm like it, with the reasons, for the "
    "firm itself (partner portal) and for caseworkers planning outreach. It orders "
    "programmes; it does not decide eligibility, selection or funding."
)
HOW: Final[str] = (
    "Eligibility is rules-as-code (each announcement's conditions) and is applied before "
    "any scoring. Among the eligible programmes a LightGBM model scores each firm and "
    "programme pair; the reasons are the pair's TreeSHAP contributions grouped into "
    "factors. A person (the firm or a caseworker) decides what to apply for; the agency "
    "decides selection under each announcement's rules."
)
LIMITS: Final[tuple[str, ...]] = (
    "Outcomes exist only for programmes firms chose to join; the model learns from those "
    "who took part, and where who joins depends on what the data does not show, its "
    "ranking inherits that bias.",
    "The estimated value of a version comes from one year's outcomes by a doubly robust "
    "estimator; with a few thousand firms its 95 % interval is about +-0.25 grade points, "
    "so small differences between versions cannot be seen.",
    "A version judged on outcomes of a year it was trained on looks better than it is; "
    "the promotion gate refuses such a comparison.",
    "Region enters only through eligibility (regional programmes); per-region and "
    "per-size-band values are reported and a promotion lowering any of them by more "
    "than the set margin is refused, but small groups have wide intervals.",
    "Programmes of type 'other' are listed unscored; the list is not an eligibility "
    "decision, and each announcement's rules decide who may apply.",
)
DATA_NOTE: Final[str] = (
    "Firm profiles (sector, size, age, finances, exports, R&D, patents, a self-diagnosis "
    "of twelve management-of-technology capabilities), the programme catalogue and past "
    "participations with their outcome grades. Firm names and contact details are never "
    "model inputs."
)


def main_factors(
    names: Sequence[str], gains: Sequence[float], *, top: int = 10
) -> list[dict[str, Any]]:
    """The ``top`` features by total split gain, with their share of the model's gain."""
    gain = np.asarray(gains, float)
    total = float(gain.sum()) or 1.0
    order = np.argsort(-gain, kind="stable")[:top]
    return [{"feature": names[i], "gain_share": round(float(gain[i]) / total, 4)} for i in order]


def _promotions(version: str, events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: e.get(k) for k in ("at", "previous", "forced", "evidence")}
        for e in events
        if e.get("action") == "promote" and e.get("version") == version
    ]


def transparency_record(
    manifest: Mapping[str, Any],
    *,
    gains: Sequence[float],
    events: Sequence[Mapping[str, Any]] = (),
    owner: str,
) -> dict[str, Any]:
    """The record of one version (JSON data): its manifest, its model's gain per feature
    (``manifest['features']`` order) and the champion history's events."""
    version = str(manifest.get("version"))
    metrics = manifest.get("metrics") or {}
    features = list(manifest.get("features") or [])
    return {
        "schema": SCHEMA,
        "name": "SME support-programme recommender",
        "version": version,
        "created_at": manifest.get("created_at"),
        "owner": owner,
        "purpose": PURPOSE,
        "how_it_works": HOW,
        "decision_role": "advisory: ranks programmes; not an eligibility or funding decision",
        "data": {
            "description": DATA_NOTE,
            "years": manifest.get("years"),
            "training_rows": manifest.get("training_rows"),
            "data_fingerprint": manifest.get("data_fingerprint"),
        },
        "model": {
            "objective": (manifest.get("params") or {}).get("objective"),
            "rounds": (manifest.get("params") or {}).get("rounds"),
            "engine": manifest.get("engine"),
        },
        "features": features,
        "main_factors": main_factors(features, gains) if features else [],
        "evaluation": {
            "validation_score": metrics.get("validation_score"),
            "validation_note": (
                "peer NDCG@3 on the training data's own validation split; it does not "
                "compare versions trained on different data"
            ),
            "promotions": _promotions(version, events),
            "how_to_estimate": (
                "recommender evaluate --data DIR --model VERSION: the doubly robust value "
                "of the top pick on DIR's last year, from its outcomes alone"
            ),
        },
        "limits": list(LIMITS),
    }


def _value(evidence: Mapping[str, Any]) -> str:
    c, d = evidence.get("candidate") or {}, evidence.get("difference") or {}
    if "estimate" not in c:
        return str(evidence.get("error", "no estimate"))
    return (
        f"value {c['estimate']:.3f} [{c['ci_low']:.3f}, {c['ci_high']:.3f}] on "
        f"{evidence.get('data')} ({evidence.get('year')}), "
        f"{d.get('estimate', 0.0):+.3f} against {(evidence.get('champion') or {}).get('version')}"
    )


def record_markdown(record: Mapping[str, Any]) -> str:
    """The record as a Markdown page (the same content as the JSON)."""
    data, model, ev = record["data"], record["model"], record["evaluation"]
    lines = [
        f"# Transparency record: {record['name']}, version {record['version']}",
        "",
        f"- **Owner**: {record['owner']}",
        f"- **Created**: {record['created_at']}",
        f"- **Role in decisions**: {record['decision_role']}",
        "",
        "## Purpose",
        "",
        record["purpose"],
        "",
        "## How it works",
        "",
        record["how_it_works"],
        f" Model: LightGBM, objective {model['objective']}, {model['rounds']} trees "
        f"({model['engine']} engine).",
        "",
        "## Data",
        "",
        data["description"],
        "",
        f"- Years of firm profiles trained on: {data['years']}",
        f"- Labelled pairs: {data['training_rows']}",
        f"- Data fingerprint: `{data['data_fingerprint']}`",
        "",
        "## Features",
        "",
        ", ".join(f"`{f}`" for f in record["features"]),
        "",
        "## Main factors (share of the model's split gain)",
        "",
        "| feature | share |",
        "|---|---|",
        *(f"| `{f['feature']}` | {f['gain_share']:.1%} |" for f in record["main_factors"]),
        "",
        "## Evaluation",
        "",
        f"- Validation score: {ev['validation_score']} ({ev['validation_note']})",
        *(
            f"- Promoted {p['at']}{' (forced)' if p['forced'] else ''}: "
            f"{_value(p['evidence']) if p.get('evidence') else 'no estimate recorded'}"
            for p in ev["promotions"]
        ),
        f"- To estimate its value on new outcomes: `{ev['how_to_estimate']}`",
        "",
        "## Limits",
        "",
        *(f"- {limit}" for limit in record["limits"]),
        "",
    ]
    return "\n".join(lines)


RECORD_JSON: Final[str] = "transparency.json"
RECORD_MD: Final[str] = "transparency.md"


def write_transparency(
    folder: Path,
    manifest: Mapping[str, Any],
    *,
    ranker: Ranker,
    events: Sequence[Mapping[str, Any]] = (),
    owner: str | None = None,
    stem: str = "",
) -> dict[str, Any]:
    """Write ``{stem}transparency.json`` and ``.md`` into ``folder`` (a version's staging
    folder at training, signed with its files; or any folder); returns the record.
    ``owner`` defaults to ``Settings.model_owner``."""
    if owner is None:
        from recommender.settings import get_settings

        owner = get_settings().model_owner
    gains = ranker.booster.feature_importance(importance_type="gain")
    record = transparency_record(manifest, gains=gains, events=events, owner=owner)
    write_atomic(folder / f"{stem}{RECORD_JSON}", json.dumps(record, indent=2) + "\n")
    write_atomic(folder / f"{stem}{RECORD_MD}", record_markdown(record))
    return record
