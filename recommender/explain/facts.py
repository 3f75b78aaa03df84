"""Explanations as data: each factor's contribution and the values a sentence needs.

The facts of a factor are a small mapping of plain values (``None`` = unknown), the
same in every language; :mod:`recommender.explain.render` turns them into sentences.

======================  =====================================================  ========
factor                  facts                                                  holder
======================  =====================================================  ========
``gap:<capability>``    ``capability``, ``own`` (self-rating), ``peers``       firm
``firm_size``           ``employees``                                          firm
``firm_age``            ``years``                                              firm
``finances``            ``revenue_krw_m``, ``revenue_growth`` (fraction)       firm
``rnd_base``            ``researchers``, ``patents``, ``has_rnd_lab``          firm
``exports``             ``export_share`` (fraction of revenue)                 firm
``sector``              ``sector``                                             firm
``self_assessment``     ``mean``, ``unanswered`` (of 12 items)                 firm
``target_fit``          ``targets`` (capabilities), ``gap`` (mean, to peers)   pair
``readiness``           ``capabilities`` (of the type), ``value`` (mean own)   pair
``history``             ``programmes`` (taken before), ``same_type``           pair
``support_level``       ``support_krw_m``                                      programme
``programme_format``    ``duration_months``, ``capacity``                      programme
``programme_type``      ``programme_type``                                     programme
``text_match``          ``match`` (TF-IDF cosine of description and            pair
                        announcement, 0-1; None: no description)
======================  =====================================================  ========

Firm facts are built once per firm and programme facts once per catalogue; the
mappings are shared between explanations, so treat them as read-only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from recommender.constants import CAPABILITIES, LIST_SEP, TYPE_READINESS_CAPS
from recommender.explain.factors import FACTORS
from recommender.features import PAIR_FEATURES

Facts = Mapping[str, Any]
FIRM_FACTORS: frozenset[str] = frozenset(
    {
        *(f"gap:{c}" for c in CAPABILITIES),
        "firm_size",
        "firm_age",
        "finances",
        "rnd_base",
        "exports",
        "sector",
        "self_assessment",
    }
)
_COLUMN = {name: i for i, name in enumerate(PAIR_FEATURES)}
PAIR_COLUMNS: tuple[int, ...] = tuple(
    _COLUMN[f]
    for f in ("target_gap_mean", "readiness", "hist_n_total", "type_taken_before", "text_match")
)


class Contribution(NamedTuple):
    """One factor's share of a score and the facts that say why (no prose).

    A named tuple: explaining a whole catalogue makes thousands of them.
    """

    factor: str
    value: float
    facts: Facts


@dataclass(frozen=True)
class Explanation:
    """Base value and every factor's contribution, largest in magnitude first.

    Immutable (the contributions are a tuple): equal explanations are shared.
    """

    base_value: float
    contributions: tuple[Contribution, ...]

    @property
    def total(self) -> float:
        """Base value plus all contributions: the score."""
        return self.base_value + sum(c.value for c in self.contributions)


def known(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is missing or not a number."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def firm_facts(firm: Mapping[str, Any], peers: Sequence[float]) -> dict[str, Facts]:
    """The facts of the firm-level factors, from a canonical profile and its peers'
    benchmark of each capability (in :data:`CAPABILITIES` order)."""
    own = [known(firm.get(c)) for c in CAPABILITIES]
    answered = [o for o in own if o is not None]
    out: dict[str, Facts] = {
        f"gap:{c}": {"capability": c, "own": o, "peers": known(p)}
        for c, o, p in zip(CAPABILITIES, own, peers, strict=True)
    }
    year, founded = known(firm.get("year")), known(firm.get("founded_year"))
    out["firm_size"] = {"employees": known(firm.get("employees"))}
    out["firm_age"] = {"years": None if year is None or founded is None else year - founded}
    out["finances"] = {
        "revenue_krw_m": known(firm.get("revenue_krw_m")),
        "revenue_growth": known(firm.get("revenue_growth")),
    }
    out["rnd_base"] = {
        "researchers": known(firm.get("researchers")),
        "patents": known(firm.get("patents")),
        "has_rnd_lab": bool(firm.get("has_rnd_lab")),
    }
    out["exports"] = {"export_share": known(firm.get("export_share")) or 0.0}
    out["sector"] = {"sector": str(firm.get("sector"))}
    out["self_assessment"] = {
        "mean": sum(answered) / len(answered) if answered else None,
        "unanswered": len(CAPABILITIES) - len(answered),
    }
    return out


@dataclass(frozen=True)
class ProgrammeFacts:
    """What explanations need of a catalogue's programmes, computed once.

    Programmes that an explanation cannot tell apart (same support, format, type and
    targets: most of a real catalogue) share one *kind* and its fact mappings.
    """

    kind: list[int]  # per programme row
    facts: list[dict[str, Facts]]  # per kind: the programme-level factors' facts
    targets: list[tuple[str, ...]]  # per kind
    readiness: list[tuple[str, ...]]  # per kind

    @classmethod
    def of(cls, programmes: pd.DataFrame) -> ProgrammeFacts:
        """The facts of every row of a canonical programme frame."""
        caps = set(CAPABILITIES)
        kinds: dict[tuple[Any, ...], int] = {}
        kind: list[int] = []
        facts: list[dict[str, Facts]] = []
        targets: list[tuple[str, ...]] = []
        readiness: list[tuple[str, ...]] = []
        for p in programmes.to_dict("records"):
            ptype = str(p.get("programme_type"))
            spec = p.get("targets")
            named = spec.split(LIST_SEP) if isinstance(spec, str) else []
            aims = tuple(t.strip() for t in named if t.strip() in caps)
            support, months, places = (
                known(p.get(c)) for c in ("support_krw_m", "duration_months", "capacity")
            )
            key = (support, months, places, ptype, aims)
            found = kinds.get(key)
            if found is None:
                found = kinds[key] = len(facts)
                facts.append(
                    {
                        "support_level": {"support_krw_m": support},
                        "programme_format": {"duration_months": months, "capacity": places},
                        "programme_type": {"programme_type": ptype},
                    }
                )
                targets.append(aims)
                readiness.append(tuple(TYPE_READINESS_CAPS.get(ptype, ())))
            kind.append(found)
        return cls(kind, facts, targets, readiness)

    def pair(self, row: int, features: Sequence[float]) -> dict[str, Facts]:
        """Facts of every factor that depends on the programme, for one explained pair.

        ``features`` are the pair's model inputs at :data:`PAIR_COLUMNS`.
        """
        gap, ready, total, same, text = (None if v != v else v for v in features)
        k = self.kind[row]
        return {
            **self.facts[k],
            "target_fit": {"targets": self.targets[k], "gap": gap},
            "readiness": {"capabilities": self.readiness[k], "value": ready},
            "history": {"programmes": int(total or 0), "same_type": int(same or 0)},
            "text_match": {"match": text},
        }


def explanations(
    values: np.ndarray,
    base: np.ndarray,
    distinct: np.ndarray,
    firm: Mapping[str, Facts],
    programmes: ProgrammeFacts,
    rows: Sequence[int],
    features: Sequence[Sequence[float]],
) -> list[Explanation]:
    """The explanations of one firm's explained pairs.

    Pairs that take the same branches and whose programmes are of one kind (see
    :class:`ProgrammeFacts`) with equal pair features have equal explanations: they
    share one immutable :class:`Explanation`, built once.

    Parameters
    ----------
    values, base
        Factor contributions ``(u, n_factors)`` and base values ``(u,)`` of the
        distinct SHAP rows.
    distinct
        For each explained pair, its row of ``values``.
    firm
        The firm's :func:`firm_facts`.
    programmes, rows, features
        The catalogue's facts, and for each explained pair its programme row and its
        model inputs at :data:`PAIR_COLUMNS`.
    """
    order = np.argsort(-np.abs(values), axis=1, kind="stable")
    sorted_values = np.take_along_axis(values, order, axis=1).tolist()
    factors = [[FACTORS[i] for i in row] for row in order.tolist()]
    shared: dict[int, list[Contribution | None]] = {}
    made: dict[tuple[Any, ...], Explanation] = {}
    out = []
    for d, j, pair in zip(distinct.tolist(), rows, features, strict=True):
        key = (d, programmes.kind[j], *(None if v != v else v for v in pair))
        explanation = made.get(key)
        if explanation is None:
            # firm-level contributions are the same objects for pairs of one SHAP row
            template = shared.get(d)
            if template is None:
                template = shared[d] = [
                    Contribution(f, v, firm[f]) if f in firm else None
                    for f, v in zip(factors[d], sorted_values[d], strict=True)
                ]
            facts = programmes.pair(j, pair)
            explanation = made[key] = Explanation(
                float(base[d]),
                tuple(
                    c if c is not None else Contribution(f, v, facts[f])
                    for c, f, v in zip(template, factors[d], sorted_values[d], strict=True)
                ),
            )
        out.append(explanation)
    return out


def contrast(first: Explanation, second: Explanation, *, top: int = 3) -> list[Contribution]:
    """Factors that most put ``first`` above ``second``: differences of contributions,
    each with ``first``'s facts."""
    a = {c.factor: c for c in first.contributions}
    b = {c.factor: c.value for c in second.contributions}
    diffs = sorted(((a[f].value - b.get(f, 0.0), f) for f in a), reverse=True)
    return [Contribution(f, d, a[f].facts) for d, f in diffs[:top] if d > 0]
