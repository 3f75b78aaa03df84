"""Explanations and eligibility reasons in the reader's language.

The core (:mod:`recommender.explain`, :mod:`recommender.eligibility`) says *how much*
each factor moved a programme's fit and *which* rule a firm fails; this module says it
in English or Korean with the firm's and the programme's own values. The values are
the same ones the core puts in its English sentences (a unit test compares their
numbers), derived from the profile, the peer benchmarks of the recommendation and the
programme row; a portal firm has no participation history.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from api.portal.i18n import Translator
from recommender import CapabilityGap
from recommender.constants import ALL, CAPABILITIES, LIST_SEP, TYPE_READINESS_CAPS
from recommender.eligibility import RULES

NEUTRAL = 0.005  # |contribution| below this "hardly changes fit" (as in the core)


def _num(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return math.nan
    return f


def _fmt(value: Any, spec: str, tr: Translator) -> str:
    f = _num(value)
    return tr("sentences.unknown") if math.isnan(f) else format(f, spec)


def _mean(values: list[float | None]) -> float:
    known = [v for v in values if v is not None and not math.isnan(v)]
    return sum(known) / len(known) if known else math.nan


def targets_of(programme: Mapping[str, Any]) -> list[str]:
    """The capabilities a programme names in ``targets`` (unknown names dropped)."""
    spec = programme.get("targets")
    if not isinstance(spec, str):
        return []
    return [t.strip() for t in spec.split(LIST_SEP) if t.strip() in CAPABILITIES]


def effect_key(value: float) -> str:
    """``effect_up``, ``effect_down`` or ``effect_none`` for a contribution."""
    if abs(value) < NEUTRAL:
        return "effect_none"
    return "effect_up" if value > 0 else "effect_down"


class Describer:
    """Sentences about one firm's explained programmes, in one language.

    Parameters
    ----------
    tr
        The reader's language.
    profile
        The firm profile (contract columns) the recommendation was made for.
    capability_profile
        The recommendation's own-versus-peers rows (:attr:`Recommendation.profile`).
    """

    def __init__(self, tr: Translator, profile: Mapping[str, Any],
                 capability_profile: list[CapabilityGap]) -> None:
        self.tr = tr
        self.firm = profile
        self.peers = {g.capability: g.peers for g in capability_profile}
        self.gaps = {g.capability: g.gap for g in capability_profile}
        caps = [profile.get(c) for c in CAPABILITIES]
        answered = [float(c) for c in caps if c is not None and not math.isnan(_num(c))]
        self.self_mean = sum(answered) / len(answered) if answered else math.nan
        self.n_missing = len(CAPABILITIES) - len(answered)

    def _inline(self, label: str) -> str:
        """A label inside an English sentence starts lower-case (``ICT`` stays)."""
        if self.tr.lang == "en" and label[1:2].islower():
            return label[:1].lower() + label[1:]
        return label

    def _cap(self, cap: str, *, inline: bool = False) -> str:
        label = self.tr(f"capabilities.{cap}.label")
        return self._inline(label) if inline else label

    def _caps(self, caps: list[str] | tuple[str, ...]) -> str:
        return self.tr("sentences.list_sep").join(self._cap(c, inline=True) for c in caps)

    def factor_label(self, factor: str) -> str:
        """The short name of a factor (chart rows)."""
        if factor.startswith("gap:"):
            return self.tr("factors.gap", capability=self._cap(factor[4:]))
        return self.tr(f"factors.{factor}")

    def describe(self, factor: str, programme: Mapping[str, Any]) -> str:
        """What a factor is about, with the firm's and the programme's own values."""
        tr, firm, s = self.tr, self.firm, "sentences."
        if factor.startswith("gap:"):
            cap = factor[4:]
            own = _num(firm.get(cap))
            peers = _fmt(self.peers.get(cap), ".1f", tr)
            if math.isnan(own):
                return tr(s + "gap_unanswered", capability=self._cap(cap), peers=peers)
            return tr(s + "gap_rated", capability=self._cap(cap), own=f"{own:.0f}", peers=peers)
        ptype = str(programme.get("programme_type"))
        if factor == "target_fit":
            targets = targets_of(programme)
            gap = _mean([self.gaps.get(t) for t in targets])
            names = self._caps(targets) if targets else tr(s + "no_targets")
            return tr(s + "target_fit", targets=names, gap=_fmt(gap, "+.1f", tr))
        if factor == "readiness":
            caps = TYPE_READINESS_CAPS.get(ptype, ())
            value = _mean([_num(firm.get(c)) for c in caps])
            return tr(s + "readiness", capabilities=self._caps(caps), value=_fmt(value, ".1f", tr))
        if factor == "firm_size":
            return tr(s + "firm_size", employees=_fmt(firm.get("employees"), ".0f", tr))
        if factor == "firm_age":
            age = _num(firm.get("year")) - _num(firm.get("founded_year"))
            return tr(s + "firm_age", age=_fmt(age, ".0f", tr))
        if factor == "finances":
            growth = _num(firm.get("revenue_growth"))
            shown = tr(s + "unknown") if math.isnan(growth) else f"{growth:+.0%}"
            return tr(s + "finances", revenue=_fmt(firm.get("revenue_krw_m"), ",.0f", tr),
                      growth=shown)
        if factor == "rnd_base":
            key = "rnd_base_lab" if firm.get("has_rnd_lab") else "rnd_base_no_lab"
            return tr(s + key, researchers=_fmt(firm.get("researchers"), ".0f", tr),
                      patents=_fmt(firm.get("patents"), ".0f", tr))
        if factor == "exports":
            share = 100 * _num(firm.get("export_share") or 0)
            return tr(s + "exports", share=_fmt(share, ".0f", tr))
        if factor == "sector":
            return tr(s + "sector", sector=self._inline(tr(f"sectors.{firm.get('sector')}")))
        if factor == "self_assessment":
            return tr(s + "self_assessment", mean=_fmt(self.self_mean, ".1f", tr),
                      missing=str(self.n_missing))
        if factor == "history":
            return tr(s + "history", total="0", same="0")
        if factor == "support_level":
            return tr(s + "support_level", support=_fmt(programme.get("support_krw_m"), ",.0f", tr))
        if factor == "programme_format":
            return tr(s + "programme_format",
                      months=_fmt(programme.get("duration_months"), ".0f", tr),
                      places=_fmt(programme.get("capacity"), ".0f", tr))
        if factor == "programme_type":
            label = tr(f"types.{ptype}" if ptype in tr.strings["types"] else "types.other")
            return tr(s + "programme_type", type=self._inline(label))
        return self.factor_label(factor) if factor in self.tr.strings["factors"] else factor

    def sentence(self, factor: str, value: float, programme: Mapping[str, Any]) -> str:
        """The factor's description and what it did to the fit."""
        return self.tr("sentences.with_effect", text=self.describe(factor, programme),
                       effect=self.tr("sentences." + effect_key(value)))

    # --- eligibility ------------------------------------------------------------------
    def _years(self, n: float) -> str:
        return self.tr("reasons.year_one" if n == 1 else "reasons.year_many", n=f"{n:g}")

    def reasons(self, programme: Mapping[str, Any]) -> list[str]:
        """Why the firm cannot join ``programme``: one sentence per failed rule.

        Uses the core's rule table (:data:`recommender.eligibility.RULES`), so it fails
        exactly the rules the core fails.
        """
        tr, firm = self.tr, self.firm
        out: list[str] = []
        frame = pd.DataFrame({k: [v] for k, v in firm.items()})
        for rule in RULES:
            limit = _num(programme.get(rule.column))
            if math.isnan(limit):
                continue
            value = float(rule.quantity(frame)[0])
            if rule.passes(np.array([value]), np.array([limit]))[0]:
                continue
            if rule.column.endswith("firm_age"):
                lim, val = self._years(limit), self._years(value)
            elif rule.column == "max_revenue_krw_m":
                lim, val = f"{limit:,.0f}", f"{value:,.0f}"
            else:
                lim, val = f"{limit:g}", f"{value:g}"
            out.append(tr(f"reasons.{rule.column}", limit=lim, value=val))
        for column in ("sector", "region"):
            spec = str(programme.get(column + "s", ALL)).strip()
            allowed = [v.strip() for v in spec.split(LIST_SEP) if v.strip()]
            if spec != ALL and firm.get(column) not in allowed:
                group = column + "s"
                # sectors are common nouns inside a sentence; regions are names
                fit = self._inline if column == "sector" else str
                names = tr("sentences.list_sep").join(
                    fit(tr(f"{group}.{v}")) if v in tr.strings[group] else v for v in allowed)
                out.append(tr(f"reasons.{column}", allowed=names,
                              own=fit(tr(f"{group}.{firm.get(column)}"))))
        if programme.get("requires_rnd_lab") in (True, 1) and not firm.get("has_rnd_lab"):
            out.append(tr("reasons.lab"))
        return out
