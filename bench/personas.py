"""The ranking judged on real announcements, where no oracle exists: hand-graded firms.

Twelve realistic Korean SMEs (``tests/data/personas/firms.csv``) against 253 real 2025
Bizinfo announcements, every pair graded by a person from 0 (the firm cannot use it)
to 3 (squarely on its industry and a main gap): ``judgments.csv``, described in the
folder's README. For each firm the product ranks the pool with the shipped model, as
the API would (every contract v2 firm column: district, industry code, business
description and flags decide eligibility and the text match), and is scored on

* NDCG@10 with the grades as gains (a listed order; announcements the product leaves
  out count as ranked last),
* the share of its top 5 that the firm cannot use (grade 0), and why, by the judge's
  reason code,

beside two references: the product's eligible announcements in random order (mean of
``--shuffles`` orders) and a plain character n-gram TF-IDF match of the firm's business
description against each announcement's title and text (no eligibility at all).

    python bench/personas.py [--model champion] [--json bench/out/personas.json]
    python bench/personas.py --tune-text      # the text weight, chosen on the dev half

The personas are split in two: P01-P06 (*dev*: the text weight is chosen on them only)
and P07-P12 (*test*: reported, never tuned on); figures are given for both and all.

This is how a user can tell a better ranking from a worse one on real data: grade a
few firms' lists by hand once, keep the grades, and rerun this after every change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender.adapters.artefact import load_recommender
from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.adapters.signing import open_registry
from recommender.bizinfo import announcements_to_programmes
from recommender.constants import TEXT_MATCH_WEIGHT
from recommender.contract.fields import FIRM_COLUMNS
from recommender.recommend import Recommender
from recommender.settings import PROJECT_ROOT, get_settings
from training.metrics import per_query_ndcg

PERSONAS: Final[Path] = PROJECT_ROOT / "tests/data/personas"
FEED: Final[Path] = PROJECT_ROOT / "recommender/data/bizinfo/announcements-2023-2025.csv"
K_NDCG: Final[int] = 10
K_TOP: Final[int] = 5
DEV: Final[tuple[str, ...]] = tuple(f"P{i:02d}" for i in range(1, 7))
TEST: Final[tuple[str, ...]] = tuple(f"P{i:02d}" for i in range(7, 13))
WEIGHTS: Final[tuple[float, ...]] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def load_pool() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The personas, their judgments, and the judged announcements as programmes (with
    the announcement text in ``text``)."""
    firms = pd.read_csv(PERSONAS / "firms.csv", dtype={"industry_code": str})
    judged = pd.read_csv(PERSONAS / "judgments.csv")
    raw = read_announcements(FEED)
    raw = raw[raw["id"].isin(set(judged["announcement_id"]))]
    programmes = announcements_to_programmes(
        raw, rules=load_type_rules(), industry_rules=load_industry_rules()
    )
    text = raw.drop_duplicates("id", keep="last").set_index("id")
    joined = text["title"] + " " + text["description"] + " " + text["detail_text"]
    programmes["text"] = programmes["programme_id"].map(joined).fillna("")
    return firms, judged, programmes


def product_scores(
    firms: pd.DataFrame,
    programmes: pd.DataFrame,
    model: str,
    *,
    text_weight: float = TEXT_MATCH_WEIGHT,
) -> pd.DataFrame:
    """:func:`ranked_lists` of the registry's ``model`` over ``programmes``."""
    registry = open_registry(get_settings(), trial=False)
    rec = load_recommender(registry, registry.resolve(model), programmes=programmes)
    rec.text_weight = text_weight
    return ranked_lists(rec, firms, len(programmes))


def ranked_lists(rec: Recommender, firms: pd.DataFrame, depth: int) -> pd.DataFrame:
    """Each persona's listed announcements with a descending pseudo-score (rank order):
    ranked ones first, then the unscored (``other``) eligible ones; the rest unlisted."""
    rows = []
    for firm in firms.to_dict("records"):
        profile = {c: firm[c] for c in FIRM_COLUMNS if c in firm}
        profile = {
            c: (None if isinstance(v, float) and np.isnan(v) else v) for c, v in profile.items()
        }
        out = rec.recommend(profile, k=depth, explain="none")
        listed = [i.programme_id for i in (*out.items, *out.unscored)]
        rows += [
            {"persona_id": firm["firm_id"], "announcement_id": pid, "score": float(len(listed) - n)}
            for n, pid in enumerate(listed)
        ]
    return pd.DataFrame(rows, columns=["persona_id", "announcement_id", "score"])


def tfidf_scores(firms: pd.DataFrame, programmes: pd.DataFrame) -> pd.DataFrame:
    """Cosine similarity of character 2-4-grams: business description vs announcement."""
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    docs = vectoriser.fit_transform(programmes["text"].tolist())
    queries = vectoriser.transform(firms["business_description"].fillna("").tolist())
    similarity = (queries @ docs.T).toarray()
    return pd.DataFrame(
        [
            {"persona_id": pid, "announcement_id": aid, "score": float(similarity[i, j])}
            for i, pid in enumerate(firms["firm_id"])
            for j, aid in enumerate(programmes["programme_id"])
        ]
    )


def judge(scores: pd.DataFrame, judged: pd.DataFrame) -> dict[str, Any]:
    """NDCG@10, the unusable share of the top 5 and its reasons, for one method."""
    frame = judged.merge(scores, on=["persona_id", "announcement_id"], how="left")
    frame["score"] = frame["score"].fillna(-1.0)  # unlisted: below every listed one
    ndcg = per_query_ndcg(frame, k=K_NDCG, query=["persona_id"], score="score", gain="grade")
    top = (
        frame[frame["score"] >= 0]
        .sort_values(["persona_id", "score"], ascending=[True, False], kind="stable")
        .groupby("persona_id")
        .head(K_TOP)
    )
    unusable = top[top["grade"] == 0]
    reasons = unusable["reason"].str.split(":").str[0].value_counts().to_dict()
    return {
        "ndcg_at_10": float(ndcg.mean()),
        "ndcg_at_10_per_persona": {str(k): round(float(v), 3) for k, v in ndcg.items()},
        "unusable_top5": float(len(unusable) / max(len(top), 1)),
        "unusable_reasons": {str(k): int(v) for k, v in reasons.items()},
    }


def halves(scores: pd.DataFrame, judged: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """:func:`judge` on the dev half, the test half and all personas."""
    out = {}
    for name, ids in (("dev", DEV), ("test", TEST), ("all", DEV + TEST)):
        out[name] = judge(
            scores[scores["persona_id"].isin(ids)], judged[judged["persona_id"].isin(ids)]
        )
    return out


def tune_text(
    firms: pd.DataFrame, judged: pd.DataFrame, programmes: pd.DataFrame, model: str
) -> dict[str, Any]:
    """NDCG@10 on the dev half for each text weight of :data:`WEIGHTS` (test half beside,
    for information only), and the weight chosen on dev."""
    table = {}
    for weight in WEIGHTS:
        result = halves(product_scores(firms, programmes, model, text_weight=weight), judged)
        table[weight] = (result["dev"]["ndcg_at_10"], result["test"]["ndcg_at_10"])
        print(f"weight {weight:5.2f}: dev NDCG@10 {table[weight][0]:.3f}")
    best = max(table, key=lambda w: (table[w][0], -w))
    print(f"chosen on dev: {best}")
    return {"weights": {str(w): v for w, v in table.items()}, "chosen": best}


def shuffled(scores: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The same listed announcements in a random order per persona."""
    rng = np.random.default_rng(seed)
    return scores.assign(score=rng.permutation(len(scores)).astype(float))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="champion", help="version name or champion")
    parser.add_argument("--shuffles", type=int, default=20)
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "bench/out/personas.json")
    parser.add_argument("--tune-text", action="store_true", help="choose the text weight on dev")
    args = parser.parse_args(argv)
    firms, judged, programmes = load_pool()
    if args.tune_text:
        return tune_text(firms, judged, programmes, args.model)
    product = product_scores(firms, programmes, args.model)
    random_runs = [judge(shuffled(product, s), judged) for s in range(args.shuffles)]
    results = {
        "personas": len(firms),
        "announcements": len(programmes),
        "pairs": len(judged),
        "product": judge(product, judged),
        "product_halves": {
            k: {m: v[m] for m in ("ndcg_at_10", "unusable_top5", "unusable_reasons")}
            for k, v in halves(product, judged).items()
        },
        "eligible_random": {
            "ndcg_at_10": float(np.mean([r["ndcg_at_10"] for r in random_runs])),
            "unusable_top5": float(np.mean([r["unusable_top5"] for r in random_runs])),
        },
        "tfidf_description": judge(tfidf_scores(firms, programmes), judged),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(firms)} personas x {len(programmes)} announcements ({len(judged)} graded pairs)")
    print(f"{'method':34s} {'NDCG@10':>8s} {'unusable top 5':>15s}")
    for name in ("product", "eligible_random", "tfidf_description"):
        r = results[name]
        print(f"{name:34s} {r['ndcg_at_10']:8.3f} {r['unusable_top5']:15.1%}")
    print(f"product's unusable top-5 picks by reason: {results['product']['unusable_reasons']}")
    for half in ("dev", "test"):
        r = results["product_halves"][half]
        print(
            f"product on {half:4s} half: NDCG@10 {r['ndcg_at_10']:.3f}, unusable top 5 "
            f"{r['unusable_top5']:.1%} {r['unusable_reasons']}"
        )
    print(f"-> {args.json}", file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
