"""One renderer per language: explanation facts and eligibility reasons as sentences.

The words live in ``phrases.json`` next to this file (one tree per language of
:data:`LANGUAGES`, with the same keys); the code here only chooses the phrase and
formats the facts' numbers, the same way in every language. The API's JSON (English
unless asked otherwise), batch outputs and the portal (English or Korean) all render
through :func:`renderer`, so a sentence is written in one place per language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from recommender.calibration import Chance
from recommender.eligibility import RULE_OF_COLUMN, Reason
from recommender.eligibility_v2 import DERIVED, GROUP_RULE, PATENT_RULE, V2_LISTED
from recommender.errors import RecommenderError
from recommender.explain.amounts import MONEY
from recommender.explain.facts import Contribution

PHRASES_FILE: Final[Path] = Path(__file__).with_name("phrases.json")
LANGUAGES: Final[tuple[str, ...]] = ("en", "ko")
NEUTRAL: Final[float] = 0.005  # |contribution| below this "hardly changes fit"
LEVEL: Final[float] = 0.05  # |gap| below this is "level with firms like yours" (shown to .1)
# a TF-IDF match of description and announcement from which the texts are "close": real
# announcements naming the firm's products score 0.1-0.35, unrelated ones under 0.05
TEXT_CLOSE: Final[float] = 0.1
CACHED_SENTENCES: Final[int] = 10_000  # per language and cache; it starts over beyond this
CACHED_REASONS: Final[int] = 65_536  # every region and sector value x a real year's catalogue


@lru_cache(maxsize=1)
def phrases() -> dict[str, dict[str, Any]]:
    """Every language's phrase tree, read once."""
    data: dict[str, dict[str, Any]] = json.loads(PHRASES_FILE.read_text(encoding="utf-8"))
    return data


def effect_key(value: float) -> str:
    """``effect_up``, ``effect_down`` or ``effect_none`` for a contribution."""
    if abs(value) < NEUTRAL:
        return "effect_none"
    return "effect_up" if value > 0 else "effect_down"


class Renderer:
    """Sentences in one language.

    Parameters
    ----------
    lang
        One of :data:`LANGUAGES`.
    remember
        Say each distinct sentence once and reuse it (what :func:`renderer` gives); off,
        every call formats its sentence afresh.
    """

    def __init__(self, lang: str, *, remember: bool = True) -> None:
        if lang not in LANGUAGES:
            raise RecommenderError(
                f"no sentences in language {lang!r}; known: {', '.join(LANGUAGES)}"
            )
        self.lang = lang
        self.words: Mapping[str, Any] = phrases()[lang]
        self._lower = bool(self.words["inline_lowercase"])
        # a catalogue repeats few distinct reasons ("open to firms in Seoul; ...") and
        # a firm's explanations few distinct facts: each is said once
        self._reason_cache = lru_cache(maxsize=8192)(self._reason)
        self._said: dict[tuple[Any, ...], str] = {}
        # explanations share contribution objects (see facts.explanations): by identity,
        # holding the object so that its id is not reused while remembered
        self._by_id: dict[int, tuple[object, str]] = {}
        self._reasons_by_id: dict[int, tuple[Reason, str]] = {}
        self.remember = remember

    # --- words ------------------------------------------------------------------------
    def _say(self, group: str, key: str, **values: object) -> str:
        text: str = self.words[group][key]
        return text.format(**values) if values else text

    def _fmt(self, value: Any, spec: str) -> str:
        if not _stated(value):
            return self._say("sentences", "unknown")
        return format(float(value), spec)

    def _inline(self, label: str) -> str:
        """A label inside an English sentence starts lower-case (``ICT`` stays)."""
        if self._lower and label[1:2].islower():
            return label[:1].lower() + label[1:]
        return label

    def label(self, group: str, code: str) -> str:
        """The name of an enum value (``capabilities``, ``sectors``, ``regions``,
        ``types``); unknown values are shown as they are."""
        entry = self.words[group].get(code)
        if entry is None:
            return code
        return str(entry["label"] if isinstance(entry, Mapping) else entry)

    def _list(self, group: str, codes: Iterable[str], *, inline: bool = True) -> str:
        fit = self._inline if inline else str
        return self._say("sentences", "list_sep").join(fit(self.label(group, c)) for c in codes)

    # --- gaps and support ----------------------------------------------------------------
    def gap(self, gap: float | None, *, short: bool = False) -> str:
        """A capability gap in words, the one way every page and sentence shows it.

        ``gap`` is peers' benchmark minus the firm's own rating (the API's
        ``capability_profile.gap``): positive is "1.3 points below firms like yours",
        negative "above", near zero "level"; ``short`` for a table cell ("1.3 below").
        None: the firm has not rated it.
        """
        if gap is None or gap != gap:
            return self._say("gaps", "not_rated")
        side = "level" if abs(gap) < LEVEL else "below" if gap > 0 else "above"
        return self._say("gaps", side + ("_short" if short else ""), points=f"{abs(gap):.1f}")

    def money(self, krw_m: float) -> str:
        """A sum given in million KRW, as this language writes it ("5천만 원")."""
        return MONEY[self.lang](float(krw_m))

    def support(self, krw_m: float | None, kind: str | None) -> str:
        """What a programme gives each firm, in words: its kind and per-firm maximum
        where stated ("Grant, up to 50 million KRW per firm"), else "support not
        stated" - never a number made of a missing value."""
        known = _stated(krw_m)
        label = self.words["support_kinds"].get(kind) if isinstance(kind, str) else None
        amount = self.money(krw_m) if known else ""  # type: ignore[arg-type]
        if label and known:
            return self._say("support", "kind_amount", kind=label, amount=amount)
        if known:
            return self._say("support", "amount", amount=amount)
        if label:
            return self._say("support", "kind_only", kind=label)
        return self._say("support", "not_stated")

    # --- explanations -------------------------------------------------------------------
    def factor_label(self, factor: str) -> str:
        """The short name of a factor (chart rows)."""
        if factor.startswith("gap:"):
            return self._say("factors", "gap", capability=self.label("capabilities", factor[4:]))
        return str(self.words["factors"].get(factor, factor))

    def effect(self, value: float) -> str:
        """What a contribution did to the fit: raised, lowered, hardly changed."""
        return self._say("sentences", effect_key(value))

    def _remembered(self, key: tuple[Any, ...], say: Callable[[], str]) -> str:
        if not self.remember:
            return say()
        try:
            text = self._said.get(key)
        except TypeError:  # facts holding an unhashable value: said, not remembered
            return say()
        if text is None:
            if len(self._said) >= CACHED_SENTENCES:
                self._said.clear()
            text = self._said[key] = say()
        return text

    def describe(self, c: Contribution) -> str:
        """What a factor is about, in the firm's and the programme's own values."""
        return self._remembered((c.factor, *c.facts.items()), lambda: self._describe(c))

    def _known(self, thing: object) -> str | None:
        seen = self._by_id.get(id(thing))
        return seen[1] if seen is not None and seen[0] is thing else None

    def _keep(self, thing: object, text: str) -> str:
        if self.remember:
            if len(self._by_id) >= CACHED_SENTENCES:
                self._by_id.clear()
            self._by_id[id(thing)] = (thing, text)
        return text

    def sentence(self, c: Contribution) -> str:
        """The factor's description and what it did to the fit."""
        text = self._known(c)
        if text is not None:
            return text
        effect = effect_key(c.value)
        return self._keep(
            c,
            self._remembered(
                (effect, c.factor, *c.facts.items()),
                lambda: self._say(
                    "sentences",
                    "with_effect",
                    text=self.describe(c),
                    effect=self._say("sentences", effect),
                ),
            ),
        )

    def _describe(self, c: Contribution) -> str:
        f, s, fmt = c.facts, "sentences", self._fmt
        if c.factor.startswith("gap:"):
            cap = self.label("capabilities", str(f["capability"]))
            peers = fmt(f["peers"], ".1f")
            if f["own"] is None:
                return self._say(s, "gap_unanswered", capability=cap, peers=peers)
            return self._say(s, "gap_rated", capability=cap, own=fmt(f["own"], ".0f"), peers=peers)
        match c.factor:
            case "target_fit":
                names = (
                    self._list("capabilities", f["targets"])
                    if f["targets"]
                    else self._say(s, "no_targets")
                )
                gap = f["gap"]
                if not _stated(gap):
                    return self._say(s, "target_fit_unrated", targets=names)
                return self._say(s, "target_fit", targets=names, gap=self.gap(gap))
            case "readiness":
                value = f["value"]
                return self._say(
                    s,
                    "readiness" if _stated(value) else "readiness_unrated",
                    capabilities=self._list("capabilities", f["capabilities"]),
                    value=fmt(value, ".1f"),
                )
            case "firm_size":
                return self._say(s, "firm_size", employees=fmt(f["employees"], ".0f"))
            case "firm_age":
                return self._say(s, "firm_age", age=fmt(f["years"], ".0f"))
            case "finances":
                growth, revenue = f["revenue_growth"], f["revenue_krw_m"]
                shown = fmt(None, "") if revenue is None else self.money(revenue)
                if not _stated(growth):
                    return self._say(s, "finances_no_growth", revenue=shown)
                return self._say(s, "finances", revenue=shown, growth=f"{growth:+.0%}")
            case "rnd_base":
                return self._say(
                    s,
                    "rnd_base_lab" if f["has_rnd_lab"] else "rnd_base_no_lab",
                    researchers=fmt(f["researchers"], ".0f"),
                    patents=fmt(f["patents"], ".0f"),
                )
            case "exports":
                return self._say(s, "exports", share=fmt(100 * f["export_share"], ".0f"))
            case "sector":
                return self._say(
                    s, "sector", sector=self._inline(self.label("sectors", f["sector"]))
                )
            case "self_assessment":
                if not _stated(f["mean"]):
                    return self._say(s, "self_assessment_none")
                return self._say(
                    s, "self_assessment", mean=fmt(f["mean"], ".1f"), missing=str(f["unanswered"])
                )
            case "history":
                return self._say(s, "history", total=str(f["programmes"]), same=str(f["same_type"]))
            case "support_level":
                support = f["support_krw_m"]
                if not _stated(support):
                    return self._say(s, "support_level_unknown")
                return self._say(s, "support_level", support=self.money(support))
            case "programme_format":
                return self._say(s, "programme_format", parts=self._format(f))
            case "text_match":
                match = f["match"]
                if not _stated(match):
                    return self._say(s, "text_none")
                key = "text_close" if match >= TEXT_CLOSE else "text_far"
                return self._say(s, key, score=fmt(100 * match, ".0f"))
            case "programme_type":
                kind = str(f["programme_type"])
                code = kind if kind in self.words["types"] else "other"
                return self._say(s, "programme_type", type=self._inline(self.label("types", code)))
        return self.factor_label(c.factor)

    def _format(self, f: Mapping[str, Any]) -> str:
        """A programme's duration and places, the stated ones only."""
        parts = [
            self._say("sentences", key, n=f"{float(v):.0f}")
            for key, v in (
                ("format_months", f["duration_months"]),
                ("format_places", f["capacity"]),
            )
            if _stated(v)
        ]
        if not parts:
            return self._say("sentences", "format_unknown")
        return self._say("sentences", "list_sep").join(parts)

    # --- eligibility --------------------------------------------------------------------
    def _years(self, n: float) -> str:
        return self._say("reasons", "year_one" if n == 1 else "year_many", n=f"{n:g}")

    def reason(self, r: Reason) -> str:
        """Why a firm cannot join a programme, for one failed rule."""
        return self.reasons((r,))[0]

    def _reason(self, r: Reason) -> str:
        rule = RULE_OF_COLUMN.get(r.rule)
        if rule is not None:
            limit, value = float(r.limit), float(r.value)
            if r.rule.endswith("firm_age"):
                lim, val = self._years(limit), self._years(value)
            elif r.rule == "max_revenue_krw_m":
                lim, val = f"{limit:,.0f}", f"{value:,.0f}"
            else:
                lim, val = f"{limit:g}", f"{value:g}"
            return self._say("reasons", r.rule, limit=lim, value=val)
        if r.rule in ("sector", "region"):
            group = r.rule + "s"  # sectors are common nouns inside a sentence; regions names
            inline = r.rule == "sector"
            own = self.label(group, str(r.value))
            return self._say(
                "reasons",
                r.rule,
                allowed=self._list(group, r.limit, inline=inline),
                own=self._inline(own) if inline else own,
            )
        if r.rule == "window":
            start, end = r.limit
            key = "window" if start and end else "window_from" if start else "window_until"
            return self._say("reasons", key, start=start, end=end, day=r.value)
        if r.rule == "year":
            return self._say("reasons", "year", limit=r.limit, value=r.value)
        if r.rule in V2_LISTED:
            return self._v2_reason(r)
        if r.rule == PATENT_RULE and r.value is None:
            return self._say("reasons", "patent_check")
        return self._say("reasons", r.rule)

    def _v2_reason(self, r: Reason) -> str:
        """A district, target-group or industry rule: failed, or (``value`` None) a
        condition to check."""
        sep = self._say("sentences", "list_sep")
        if r.rule == GROUP_RULE:
            allowed = self._list("groups", r.limit)
            if r.value is None:
                return self._say("reasons", "group_check", allowed=allowed)
            # only statuses the profile decides (small merchant, not founded yet) named
            derived = set(r.limit) <= DERIVED
            return self._say("reasons", "group_derived" if derived else "group", allowed=allowed)
        allowed = sep.join(str(v) for v in r.limit)
        if r.value is None:
            return self._say("reasons", r.rule + "_check", allowed=allowed)
        return self._say("reasons", r.rule, allowed=allowed, own=r.value)

    def text_match(self, terms: Iterable[str]) -> str:
        """The text-match factor: the business description's words the programme's
        text contains ("matches your business: 체외진단, 의료기기"), or that it shares
        little with it."""
        words = list(terms)
        if not words:
            return self._say("reasons", "text_match_weak")
        return self._say(
            "reasons", "text_match", terms=self._say("sentences", "list_sep").join(words)
        )

    def chance(self, chance: Chance) -> str:
        """The chance of a measurable result with its interval and the share typical
        for similar firms, in whole percent ("41 % chance of a measurable result
        (30-52 %); typical for similar firms: 28 %")."""

        def pct(v: float) -> str:
            return str(round(100 * v))

        return self._say(
            "sentences",
            "chance",
            estimate=pct(chance.estimate),
            low=pct(chance.low),
            high=pct(chance.high),
            typical=pct(chance.typical),
        )

    def check(self, key: str, **values: object) -> str:
        """A condition a caseworker still checks with the firm (``checks`` phrases:
        ``apply_by``, ``apply_from``, ``announcement``, ``capacity``)."""
        return self._say("checks", key, **values)

    def reasons(self, reasons: Iterable[Reason]) -> list[str]:
        """:meth:`reason` of each. Reasons of regional and sectoral rules are shared
        objects (one per programme and firm value), so they are remembered by identity;
        the others by value. The loop is written out: a firm's list on a real catalogue
        has ~1,500 of them."""
        if not self.remember:
            return [self._reason(r) for r in reasons]
        seen, out = self._reasons_by_id, []
        for r in reasons:
            hit = seen.get(id(r))
            if hit is None or hit[0] is not r:
                if len(seen) >= CACHED_REASONS:
                    seen.clear()
                hit = seen[id(r)] = (r, self._reason_cache(r))
            out.append(hit[1])
        return out


def _stated(value: Any) -> bool:
    """A fact's value is there (not None, not NaN)."""
    return value is not None and value == value


@lru_cache(maxsize=len(LANGUAGES))
def renderer(lang: str = "en") -> Renderer:
    """The renderer of a language (one per process and language)."""
    return Renderer(lang)
