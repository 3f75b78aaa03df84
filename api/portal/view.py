"""What the results page shows, assembled from one :class:`Recommendation`.

Pure functions: the recommendation, the firm's profile, the catalogue rows and the
reader's language in, plain frozen dataclasses out, ready for the templates. Every
sentence (explanations, the contrast, eligibility reasons) comes from the core's
renderer of the reader's language (:func:`recommender.explain.renderer`), the same one
the API's JSON uses.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from numbers import Real
from typing import Any, Final
from urllib.parse import urlsplit

from api.portal.charts import Bar, CapabilityBars, capability_bars, factor_bars
from api.portal.i18n import Translator
from recommender import (
    Explanation,
    IneligibleItem,
    Recommendation,
    RecommendedItem,
    Recommender,
)
from recommender.eligibility import Reason
from recommender.explain import Renderer, effect_key, renderer

TOP_SENTENCES: Final[int] = 3
SHOWN_PER_GROUP: Final[int] = 50  # ineligible programmes listed under one reason
# why a firm cannot join, grouped for the page: the first group a programme's reasons
# reach in this order names it (another region says more than a size limit)
_GROUP_OF_RULE: Final[dict[str, str]] = {
    "nothing": "nothing",
    "region": "region",
    "district": "district",
    "sector": "sector",
    "industry": "industry",
    "group": "group",
    "min_employees": "size",
    "max_employees": "size",
    "max_revenue_krw_m": "size",
    "min_firm_age": "age",
    "max_firm_age": "age",
    "lab": "lab",
    "patent": "patent",
    "window": "closed",
    "year": "year",
}
_GROUP_ORDER: Final[tuple[str, ...]] = tuple(dict.fromkeys(_GROUP_OF_RULE.values())) + ("other",)
_INDEX: weakref.WeakKeyDictionary[Recommender, dict[str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class CapabilityRow:
    """One capability of the profile chart and table."""

    capability: str
    label: str
    own: str
    peers: str
    versus: str  # the gap in words ("1.3 below"), as the sentences say it
    bars: CapabilityBars


@dataclass(frozen=True)
class FactorRow:
    """One bar of a programme's contribution chart, labelled."""

    label: str
    value: str
    bar: Bar


@dataclass(frozen=True)
class Window:
    """An application window and where today stands in it."""

    text: str
    status: str | None  # open / closed / upcoming, None when unknown
    status_text: str | None


@dataclass(frozen=True)
class ProgrammeCard:
    """One programme as listed: ranked (and perhaps explained), unscored or ineligible."""

    programme_id: str
    name: str
    rank: int | None
    type_label: str
    agency: str | None
    url: str | None
    window: Window | None
    support: str = ""  # kind and per-firm amount in words, or "support not stated"
    score: str | None = None
    chance: str | None = None  # the chance of a measurable result in words; None: no calibration
    base: str | None = None
    sentences: tuple[tuple[str, str], ...] = ()  # (text, effect key)
    chart: tuple[FactorRow, ...] = ()
    reasons: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # conditions still to check ("only for firms in 포천시: …")
    match: str | None = None  # what it shares with the business description, in words


@dataclass(frozen=True)
class IneligibleGroup:
    """The programmes a firm cannot join for one kind of reason: how many, a summary
    line ("1,121 are for other regions"), and the first :data:`SHOWN_PER_GROUP`."""

    key: str
    count: int
    summary: str
    cards: tuple[ProgrammeCard, ...]

    @property
    def more(self) -> int:
        """How many of the group are counted but not listed."""
        return self.count - len(self.cards)


@dataclass(frozen=True)
class ResultsView:
    """Everything the results page shows, in the reader's language."""

    year: int
    version: str
    capabilities: tuple[CapabilityRow, ...]
    explained: tuple[ProgrammeCard, ...]
    more_ranked: tuple[ProgrammeCard, ...]
    conditional: tuple[ProgrammeCard, ...]  # eligible if: each with the conditions to check
    contrast: tuple[str, ...]
    unscored: tuple[ProgrammeCard, ...]
    ineligible: tuple[IneligibleGroup, ...]

    @property
    def ineligible_total(self) -> int:
        """How many programmes of the year the firm cannot join."""
        return sum(g.count for g in self.ineligible)


def programme_index(recommender: Recommender) -> dict[str, dict[str, Any]]:
    """The recommender's catalogue rows by ``programme_id`` (built once per recommender)."""
    index = _INDEX.get(recommender)
    if index is None:
        index = {str(r["programme_id"]): r for r in recommender.programmes.to_dict("records")}
        _INDEX[recommender] = index
    return index


def safe_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) address, else None (never ``javascript:``)."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in {"http", "https"} and parts.netloc else None


def _iso(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def window(start: Any, end: Any, *, today: date, tr: Translator) -> Window | None:
    """The application window of a programme relative to ``today``; None when unknown."""
    first, last = _iso(start), _iso(end)
    if first is None and last is None:
        return None
    if first is None or last is None:
        half = "ui.window_until" if first is None else "ui.window_from"
        text = tr(half, day=(last or first).isoformat())  # type: ignore[union-attr]
    else:
        text = f"{first.isoformat()} – {last.isoformat()}"
    if last is not None and last < today:
        return Window(text, "closed", tr("ui.window_closed"))
    if first is not None and first > today:
        return Window(text, "upcoming", tr("ui.window_upcoming", start=first.isoformat()))
    if last is not None:
        days = (last - today).days
        left = tr("ui.window_last_day") if days == 0 else tr("ui.window_open", days=days)
        return Window(text, "open", left)
    return Window(text, None, None)


def _type_label(ptype: Any, tr: Translator) -> str:
    key = str(ptype)
    return tr(f"types.{key}") if key in tr.strings["types"] else tr("types.other")


def _card(
    item: RecommendedItem | IneligibleItem,
    record: Mapping[str, Any],
    *,
    today: date,
    tr: Translator,
    **extra: Any,
) -> ProgrammeCard:
    return ProgrammeCard(
        programme_id=item.programme_id,
        name=item.name,
        rank=extra.pop("rank", None),
        type_label=_type_label(record.get("programme_type"), tr),
        agency=_text(record.get("agency")),
        url=safe_url(record.get("url")),
        window=window(record.get("apply_start"), record.get("apply_end"), today=today, tr=tr),
        support=renderer(tr.lang).support(
            _number(record.get("support_krw_m")), _text(record.get("support_kind"))
        ),
        **extra,
    )


def _text(value: Any) -> str | None:
    """A stated text value (None for a missing, NaN or blank one)."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    """A stated number (None for a missing or NaN one)."""
    return float(value) if isinstance(value, Real) and value == value else None


def _chart(explanation: Explanation, say: Renderer, tr: Translator) -> tuple[FactorRow, ...]:
    rows = []
    for fb in factor_bars(explanation.contributions):
        label = (
            say.factor_label(fb.factor)
            if fb.factor is not None
            else tr("ui.other_factors", n=fb.n_folded)
        )
        rows.append(FactorRow(label, f"{fb.value:+.2f}".replace("-", "−"), fb.bar))
    return tuple(rows)


def _match(item: RecommendedItem, say: Renderer) -> str | None:
    """The text-match factor in words, where the description shares words with it."""
    return say.text_match(item.match_terms) if item.match_terms else None


def _ranked(
    item: RecommendedItem, record: Mapping[str, Any], say: Renderer, *, today: date, tr: Translator
) -> ProgrammeCard:
    score = None if item.score is None or math.isnan(item.score) else f"{item.score:.2f}"
    checks = tuple(say.reasons(item.to_check))
    match = _match(item, say)
    chance = None if item.chance is None else say.chance(item.chance)
    explained: dict[str, Any] = {}
    if item.explanation is not None:
        top = item.explanation.contributions[:TOP_SENTENCES]
        explained = {
            "base": f"{item.explanation.base_value:.2f}",
            "sentences": tuple((say.sentence(c), effect_key(c.value)) for c in top),
            "chart": _chart(item.explanation, say, tr),
        }
    return _card(
        item,
        record,
        today=today,
        tr=tr,
        rank=item.rank,
        score=score,
        chance=chance,
        checks=checks,
        match=match,
        **explained,
    )


def _capabilities(rec: Recommendation, tr: Translator) -> tuple[CapabilityRow, ...]:
    rows, say = [], renderer(tr.lang)
    for g in rec.profile:
        own = "" if g.own is None else f"{g.own:.0f}"
        versus = "" if g.gap is None else say.gap(g.gap, short=True)
        rows.append(
            CapabilityRow(
                g.capability,
                tr(f"capabilities.{g.capability}.label"),
                own or tr("ui.not_rated"),
                f"{g.peers:.1f}",
                versus or tr("ui.not_rated"),
                capability_bars(g.own, g.peers),
            )
        )
    return tuple(rows)


def build_results(
    rec: Recommendation, *, programmes: Mapping[str, Mapping[str, Any]], tr: Translator, today: date
) -> ResultsView:
    """The results page of one recommendation, in ``tr``'s language.

    Parameters
    ----------
    rec
        The recommendation (ranked items, unscored ones, ineligible ones with reasons,
        each explanation and reason with its facts).
    programmes
        Catalogue rows by programme id (:func:`programme_index`).
    tr
        The reader's language.
    today
        The day application windows are compared with.
    """
    say = renderer(tr.lang)

    def record(pid: str) -> Mapping[str, Any]:
        return programmes.get(pid, {})

    ranked = [_ranked(i, record(i.programme_id), say, today=today, tr=tr) for i in rec.items]
    sure = [c for c in ranked if not c.checks]
    explained = tuple(c for c in sure if c.sentences)
    more = tuple(c for c in sure if not c.sentences)
    conditional = tuple(c for c in ranked if c.checks)
    contrast = tuple(say.describe(c) for c in rec.contrast)
    unscored = tuple(
        _card(
            i,
            record(i.programme_id),
            today=today,
            tr=tr,
            checks=tuple(say.reasons(i.to_check)),
            match=_match(i, say),
        )
        for i in rec.unscored
    )
    ineligible = _ineligible_groups(rec, record, say, today=today, tr=tr)
    return ResultsView(
        rec.year,
        rec.model_version,
        _capabilities(rec, tr),
        explained,
        more,
        conditional,
        contrast,
        unscored,
        ineligible,
    )


def _group_of(reasons: Iterable[Reason]) -> str:
    rules = {_GROUP_OF_RULE.get(r.rule, "other") for r in reasons}
    return next(g for g in _GROUP_ORDER if g in rules) if rules else "other"


def _ineligible_groups(
    rec: Recommendation,
    record: Callable[[str], Mapping[str, Any]],
    say: Renderer,
    *,
    today: date,
    tr: Translator,
) -> tuple[IneligibleGroup, ...]:
    """The programmes the firm cannot join, by kind of reason, largest group first; a
    card (with every reason in words) only for the first few of each."""
    grouped: dict[str, list[IneligibleItem]] = {}
    for item in rec.ineligible or []:
        grouped.setdefault(_group_of(item.reasons), []).append(item)
    groups = []
    for key, items in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        cards = tuple(
            _card(
                i,
                record(i.programme_id),
                today=today,
                tr=tr,
                reasons=tuple(say.reasons(i.reasons)),
            )
            for i in items[:SHOWN_PER_GROUP]
        )
        summary = tr(f"ineligible_groups.{key}", n=f"{len(items):,}")
        groups.append(IneligibleGroup(key, len(items), summary, cards))
    return tuple(groups)
