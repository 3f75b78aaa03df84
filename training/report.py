"""The model report of a version: metrics, baselines, segments, SHAP importance plots."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shap  # noqa: E402

from recommender import Ranker  # noqa: E402
from recommender.adapters.artefact import REPORT_FILE, REPORT_HTML_FILE  # noqa: E402
from training.calibrate import CalibrationFit  # noqa: E402
from training.evaluate import Evaluation  # noqa: E402

RELIABILITY_PLOT = "reliability.png"

SELECTION_BIAS_NOTE = (
    "Outcomes exist only for programmes firms actually joined, and who joined what was not "
    "random: larger firms, popular programmes and firms repeating a familiar type are over-"
    "represented. The observed metrics (NDCG@k, MAP) therefore describe how the model orders "
    "*chosen* programmes, mostly one per firm-year, and say little about programmes nobody "
    "like the firm chose. The model learns E[outcome | features] among participants; where "
    "selection depends on what the features do not show, its scores inherit that bias. On the "
    "demo world the oracle metrics measure the ranking over *all* eligible programmes and are "
    "the ones to judge by; on real data, treat the observed metrics as a floor on evidence, "
    "not as the expected benefit of a recommendation."
)


def _md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_(not available for this data)_\n"
    cols = list(df.columns)
    fmt = [[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row] for row in df.to_numpy()]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r) + " |" for r in fmt]
    return "\n".join(lines) + "\n"


def shap_plots(
    ranker: Ranker,
    X: np.ndarray,
    feature_names: list[str],
    folder: Path,
    *,
    seed: int = 0,
    sample: int = 2000,
) -> list[str]:
    """Global importance plots made with ``shap.TreeExplainer`` (bar and beeswarm PNGs)."""
    rng = np.random.default_rng(seed)
    rows = X[rng.choice(len(X), size=min(sample, len(X)), replace=False)] if len(X) else X
    explanation = shap.TreeExplainer(ranker.booster)(rows)
    explanation.feature_names = feature_names
    files = []
    for name, draw in (
        ("shap_importance.png", shap.plots.bar),
        ("shap_beeswarm.png", shap.plots.beeswarm),
    ):
        plt.figure()
        draw(explanation, max_display=15, show=False)
        plt.tight_layout()
        plt.savefig(folder / name, dpi=90)
        plt.close("all")
        files.append(name)
    return files


def calibration_note(fit: CalibrationFit) -> str:
    """What the calibration section says above its reliability table."""
    losses = ", ".join(f"{m} {v:.4f}" for m, v in sorted(fit.log_loss.items()))
    return (
        f"P(outcome >= 2) among participations, fitted on the {fit.rows} held-out pairs "
        "(last year, or a fifth of the firms) scored by the model fitted without them. "
        f"Method: {fit.calibration.method} (lower out-of-fold log loss over 5 folds: "
        f"{losses}). Expected calibration error (out-of-fold, score deciles): "
        f"{fit.ece:.4f}. Intervals: Wilson 95 % at the estimate on its decile's pairs."
    )


def reliability_plot(fit: CalibrationFit, folder: Path) -> str:
    """The reliability diagram (mean predicted vs observed per score decile) as a PNG."""
    table = fit.reliability
    plt.figure(figsize=(4.5, 4.5))
    plt.plot([0, 1], [0, 1], color="#999", linewidth=1, linestyle="--")
    plt.scatter(table["predicted"], table["observed"], s=np.sqrt(table["pairs"]) * 4)
    plt.plot(table["predicted"], table["observed"], linewidth=1)
    plt.xlabel("predicted P(outcome >= 2)")
    plt.ylabel("observed share")
    plt.title(f"held-out reliability, ECE {fit.ece:.3f}")
    plt.xlim(0, 1)
    plt.ylim(0, 1)
    plt.tight_layout()
    plt.savefig(folder / RELIABILITY_PLOT, dpi=90)
    plt.close("all")
    return RELIABILITY_PLOT


def write_report(
    folder: Path,
    *,
    version: str,
    evaluation: Evaluation | None,
    summary: dict[str, object],
    plots: list[str],
    calibration: CalibrationFit | None = None,
) -> None:
    """Write :data:`REPORT_FILE` and :data:`REPORT_HTML_FILE` into ``folder`` (with the
    reliability diagram of ``calibration``, when given)."""
    parts: list[tuple[str, str | pd.DataFrame]] = [
        ("Summary", pd.DataFrame([{"field": k, "value": v} for k, v in summary.items()])),
    ]
    if evaluation is not None:
        parts += [
            ("Model and baselines on the same splits", evaluation.metrics),
            (
                "Objectives compared on the time split (validation peer NDCG@3 uses no oracle; "
                "the default objective was chosen on the tuning world, docs/ranker.md)",
                evaluation.objectives,
            ),
            (
                "Observable ceiling (oracle-fitted model on half the held-out firms)",
                evaluation.ceiling,
            ),
            ("Segments: who the model serves worse", evaluation.segments),
        ]
    images: dict[str, str] = {}
    if calibration is not None:
        title = "Chance of a measurable result: reliability on held-out data"
        parts += [(title, calibration_note(calibration)), (title, calibration.reliability)]
        images[title] = reliability_plot(calibration, folder)
    parts.append(("Selection bias", SELECTION_BIAS_NOTE))
    md = [f"# Model report: {version}\n"]
    body = [f"<h1>Model report: {html.escape(version)}</h1>"]
    for at, (title, content) in enumerate(parts):
        if at == 0 or parts[at - 1][0] != title:
            md.append(f"\n## {title}\n")
            body.append(f"<h2>{html.escape(title)}</h2>")
        if isinstance(content, str):
            md.append(content + "\n")
            body.append(f"<p>{html.escape(content)}</p>")
        else:
            md.append(_md_table(content))
            body.append(
                content.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="", border=0)
            )
            if title in images:
                md.append(f"![{images[title]}]({images[title]})\n")
                body.append(f'<img src="{images[title]}" alt="reliability diagram">')
    if plots:
        md.append("\n## Global feature importance (SHAP)\n")
        body.append("<h2>Global feature importance (SHAP)</h2>")
        for p in plots:
            md.append(f"![{p}]({p})\n")
            body.append(f'<img src="{html.escape(p)}" alt="{html.escape(p)}">')
    (folder / REPORT_FILE).write_text("\n".join(md), encoding="utf-8")
    style = (
        "body{font-family:sans-serif;max-width:960px;margin:auto}table{border-collapse:"
        "collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
    )
    (folder / REPORT_HTML_FILE).write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(version)}</title>"
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>",
        encoding="utf-8",
    )
