"""Field accuracy of the announcement parser on hand labels, and shares over the feed.

``tests/data/bizinfo_fields.csv`` holds 160 announcements labelled by reading (60 ``dev``
rows the rules were tuned on, 100 held-out ``test`` rows). :func:`feed_fields` reads
every announcement of a feed into the labels' format, :func:`field_accuracy` scores it
per sample and field (:func:`~recommender.bizinfo.metrics.field_scores`),
:func:`feed_shares` gives the whole-feed figures (``other`` share, support amount read)
and :func:`render_markdown` the tables of ``docs/bizinfo.md``. Pure: the caller reads
the files (``python -m recommender.adapters.bizinfo.field_accuracy``).
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from recommender.bizinfo.classify import V2_TYPES, TypeRules
from recommender.bizinfo.fields import FIELD_NAMES, AnnouncementFields, read_fields
from recommender.bizinfo.importer import latest_per_id
from recommender.bizinfo.industries import IndustryRules
from recommender.bizinfo.metrics import field_scores
from recommender.bizinfo.reading import Notice
from recommender.constants import OTHER_TYPE

FIELD_KINDS: Final[dict[str, str]] = {
    "programme_type": "label",
    "regions": "set",
    "districts": "set",
    "target_groups": "set",
    "industries": "set",
    "max_firm_age": "number",
    "max_employees": "number",
    "requires_rnd_lab": "label",
    "requires_patent": "label",
    "support_kind": "label",
    "support_krw_m": "number",
    "offers_nothing": "label",
    "targets": "set",
}
SAMPLES: Final[tuple[str, ...]] = ("dev", "test")
SCORE_COLUMNS: Final[tuple[str, ...]] = (
    "n",
    "accuracy",
    "coverage",
    "labelled",
    "precision",
    "recall",
    "correct_where_read",
)


def _cell(value: Any) -> Any:
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def fields_row(fields: AnnouncementFields) -> dict[str, Any]:
    """One announcement's readings as a row in the labels' format."""
    return {name: _cell(fields.reading(name).value) for name in FIELD_NAMES}


def feed_fields(
    raw: pd.DataFrame, *, type_rules: TypeRules, industry_rules: IndustryRules
) -> pd.DataFrame:
    """Every announcement (latest publication per id) read into the labels' format.

    Returns
    -------
    pandas.DataFrame
        Column ``id`` then :data:`~recommender.bizinfo.fields.FIELD_NAMES`.
    """
    rows = []
    for row in latest_per_id(raw).to_dict("records"):
        fields = read_fields(
            Notice.from_row(row), type_rules=type_rules, industry_rules=industry_rules
        )
        rows.append({"id": row["id"], **fields_row(fields)})
    return pd.DataFrame(rows, columns=["id", *FIELD_NAMES])


def field_accuracy(predicted: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Scores of every field on each sample of the labels.

    Parameters
    ----------
    predicted
        From :func:`feed_fields`; must cover every labelled id.
    labels
        The labels file (``id``, ``sample`` and the field columns).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(sample, field)``, columns :data:`SCORE_COLUMNS` (NaN where a score
        does not apply).

    Raises
    ------
    KeyError
        A labelled id has no prediction.
    """
    labelled = labels.drop_duplicates("id").set_index("id")
    missing = sorted(set(labelled.index) - set(predicted["id"]))
    if missing:
        raise KeyError(f"no prediction for labelled ids {missing[:5]}")
    guess = predicted.set_index("id").loc[labelled.index]
    rows = []
    for sample in SAMPLES:
        mask = (labelled["sample"] == sample).to_numpy()
        for name, kind in FIELD_KINDS.items():
            scores = field_scores(
                list(labelled.loc[mask, name]), list(guess.loc[mask, name]), kind=kind
            )
            rows.append({"sample": sample, "field": name, **scores})
    return pd.DataFrame(rows).set_index(["sample", "field"]).reindex(columns=list(SCORE_COLUMNS))


def feed_shares(predicted: pd.DataFrame) -> dict[str, float]:
    """Whole-feed figures: ``rows``, ``other`` (share of programme type ``other``),
    ``support_read`` (share with a per-firm amount), ``offers_nothing`` and the share
    of every type of :data:`~recommender.bizinfo.classify.V2_TYPES` (``type:<name>``)."""
    n = len(predicted)
    shares: dict[str, float] = {
        "rows": float(n),
        "other": float((predicted["programme_type"] == OTHER_TYPE).mean()),
        "support_read": float(predicted["support_krw_m"].notna().mean()),
        "offers_nothing": float((predicted["offers_nothing"] == "true").mean()),
    }
    for kind in V2_TYPES:
        shares[f"type:{kind}"] = float((predicted["programme_type"] == kind).mean())
    return shares


def _fmt(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.2f}"


def render_markdown(table: pd.DataFrame, shares: dict[str, float]) -> str:
    """The per-field table (dev and test side by side) and the whole-feed shares."""
    lines = [
        "| field | dev acc. | dev cov. | test acc. | test cov. | test labelled | test P / R |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in FIELD_KINDS:
        dev, test = table.loc[("dev", name)], table.loc[("test", name)]
        pr = (
            f"{_fmt(test['precision'])} / {_fmt(test['recall'])}"
            if FIELD_KINDS[name] == "set"
            else ""
        )
        if name == "support_krw_m":
            pr = f"correct where read: {_fmt(test['correct_where_read'])}"
        lines.append(
            f"| {name} | {_fmt(dev['accuracy'])} | {_fmt(dev['coverage'])} | "
            f"{_fmt(test['accuracy'])} | {_fmt(test['coverage'])} | "
            f"{_fmt(test['labelled'])} | {pr} |"
        )
    lines += [
        "",
        f"Whole feed ({shares['rows']:.0f} announcements): `other` "
        f"{shares['other']:.1%}, support amount read {shares['support_read']:.1%}, "
        f"offers nothing {shares['offers_nothing']:.1%}.",
        "",
        "| type | share |",
        "|---|---|",
    ]
    lines += [f"| {k} | {shares[f'type:{k}']:.1%} |" for k in V2_TYPES]
    return "\n".join(lines)
