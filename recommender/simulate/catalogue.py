"""The simulated programme catalogue: recurring programme *lines* and their yearly offerings.

A line is a programme as an agency thinks of it ("Export Voucher (Busan)"); each year
it runs it comes back as a new offering row with a new ``programme_id``, a slightly
changed budget and capacity. Some lines stop, and wholly new lines appear every year.
Each line has a type, the capabilities it targets (consistent with the type), its
eligibility rules, an agency, and a latent *visibility* that drives how many firms
apply to it (``participation.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import pandas as pd

from recommender.constants import (
    CAPABILITY_LABELS,
    LIST_SEP,
    OTHER_TYPE,
    PROGRAMME_TYPES,
    TYPE_LABELS,
)
from recommender.simulate.industries import TYPE_WORDS, boilerplate, draw_focus, focus_text
from recommender.simulate.programme_kinds import RULES, TYPES, archetype, regional_agency

SOURCE: Final[str] = "simulated"
INITIAL_LINES: Final[dict[str, int]] = {
    "consulting": 5,
    "rnd_planning": 5,
    "education": 5,
    "industry_academic": 4,
    "commercialization": 5,
    "globalization": 4,
    "finance": 4,
    "workforce": 3,
    "other": 3,
}
NEW_LINE_WEIGHTS: Final[dict[str, float]] = {
    "consulting": 0.15,
    "rnd_planning": 0.13,
    "education": 0.13,
    "industry_academic": 0.11,
    "commercialization": 0.13,
    "globalization": 0.11,
    "finance": 0.1,
    "workforce": 0.08,
    "other": 0.06,
}
CONTINUE_RATE: Final[float] = 0.88  # a line runs again next year
NEW_LINES_MEAN: Final[float] = 3.0  # wholly new lines a year: 1 + Poisson(mean)
MIN_OFFERINGS: Final[int] = 30
MAX_OFFERINGS: Final[int] = 48
CAPACITY_SHARE: Final[float] = 0.016  # a typical line's capacity, as a share of the firms


@dataclass(frozen=True)
class Line:
    """A recurring programme and its current-year terms."""

    line: int
    programme_type: str
    name: str
    agency: str | None
    targets: tuple[str, ...]
    rules: dict[str, Any]
    support: float
    duration: int
    capacity: int
    visibility: float
    publish_support: bool
    publish_capacity: bool
    focus: int  # index into industries.INDUSTRIES, -1: announced for every industry
    named: tuple[int, ...]  # which of the focus industry's products it names


def _new_line(
    rng: np.random.Generator, number: int, ptype: str, *, n_firms: int, used: set[str]
) -> Line:
    spec = TYPES[ptype]
    stem, targets = spec.stems[int(rng.integers(len(spec.stems)))]
    kinds = list(spec.archetypes)
    weights = np.array([spec.archetypes[k] for k in kinds])
    own_group = stem.startswith("Knowledge Service")  # the name already says who it is for
    kind = (
        "knowledge_services"
        if own_group
        else kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
    )
    rules, suffix, cap_factor = archetype(kind, rng)
    suffix = "" if own_group else suffix
    if "requires_rnd_lab" not in rules and rng.random() < 0.2:
        rules["requires_rnd_lab"] = False
    if kind == "regional":
        agency: str | None = regional_agency(rules["regions"])
    else:
        agency = spec.agencies[int(rng.integers(len(spec.agencies)))]
    if rng.random() < 0.04:
        agency = None
    name, n = stem + suffix, 2
    while name in used:
        name, n = f"{stem}{suffix} {_roman(n)}", n + 1
    used.add(name)
    support = spec.support_median * float(np.exp(rng.normal(0.0, 0.45)))
    visibility = (
        float(rng.normal(0.0, 0.6))
        + (0.0 if kind == "regional" else 0.3)
        + 0.25 * float(np.log(support / spec.support_median))
    )
    capacity = (
        n_firms
        * CAPACITY_SHARE
        * cap_factor
        * float(np.exp(0.4 * visibility + rng.normal(0.0, 0.25)))
    )
    is_other = ptype == OTHER_TYPE
    focus, named = (-1, ()) if is_other else draw_focus(rng)
    return Line(
        number,
        ptype,
        name,
        agency,
        targets,
        rules,
        _money(support),
        int(rng.choice(spec.durations)),
        max(3, round(capacity)),
        visibility,
        publish_support=not (is_other and rng.random() < 0.3),
        publish_capacity=not (is_other and rng.random() < 0.5),
        focus=focus,
        named=named,
    )


def _roman(n: int) -> str:
    return {2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}.get(
        n, str(n)
    )


def _money(x: float) -> float:
    return round(x, 1) if x < 10 else float(round(x))


def _next_terms(line: Line, rng: np.random.Generator) -> Line:
    """The line's terms when it runs again: a little more or less money and places."""
    return replace(
        line,
        support=_money(line.support * float(np.exp(rng.normal(0.02, 0.06)))),
        capacity=max(3, round(line.capacity * float(np.exp(rng.normal(0.0, 0.12))))),
        visibility=line.visibility + float(rng.normal(0.0, 0.1)),
    )


def _year_lines(
    rng: np.random.Generator,
    previous: list[Line],
    *,
    first: bool,
    n_firms: int,
    used: set[str],
    counter: list[int],
) -> list[Line]:
    def make(ptype: str) -> Line:
        counter[0] += 1
        return _new_line(rng, counter[0], ptype, n_firms=n_firms, used=used)

    if first:
        return [make(t) for t, k in INITIAL_LINES.items() for _ in range(k)]
    keep = rng.random(len(previous)) < CONTINUE_RATE
    lines = [_next_terms(line, rng) for line, kept in zip(previous, keep, strict=True) if kept]
    types = list(NEW_LINE_WEIGHTS)
    p = np.array(list(NEW_LINE_WEIGHTS.values()))
    n_new = 1 + int(rng.poisson(NEW_LINES_MEAN))
    n_new = min(max(n_new, MIN_OFFERINGS - len(lines)), max(1, MAX_OFFERINGS - len(lines)))
    lines += [make(types[int(rng.choice(len(types), p=p / p.sum()))]) for _ in range(n_new)]
    present = {line.programme_type for line in lines}
    lines += [make(t) for t in PROGRAMME_TYPES if t not in present]
    return lines


def _date(year: int, day_of_year: int) -> str:
    return (dt.date(year, 1, 1) + dt.timedelta(days=day_of_year)).isoformat()


def _row(line: Line, year: int, number: int, rng: np.random.Generator) -> dict[str, Any]:
    opens = int(rng.integers(10, 180))
    labels = ", ".join(CAPABILITY_LABELS[c] for c in line.targets)
    what = f"; strengthens {labels}" if labels else ""
    return {
        "programme_id": f"P{year}-{number:03d}",
        "name": line.name,
        "programme_type": line.programme_type,
        "agency": line.agency,
        "targets": LIST_SEP.join(line.targets) if line.targets else None,
        "year": year,
        **{rule: float(line.rules.get(rule, np.nan)) for rule in RULES},
        "sectors": line.rules.get("sectors", "*"),
        "regions": line.rules.get("regions", "*"),
        "requires_rnd_lab": line.rules.get("requires_rnd_lab"),
        "support_krw_m": line.support if line.publish_support else np.nan,
        "duration_months": float(line.duration) if rng.random() > 0.05 else np.nan,
        "capacity": float(line.capacity) if line.publish_capacity else np.nan,
        "apply_start": _date(year, opens),
        "apply_end": _date(year, opens + int(rng.integers(14, 46))),
        "url": None,
        "description": f"{TYPE_LABELS[line.programme_type].capitalize()} programme{what}. "
        + f"{TYPE_WORDS[line.programme_type]} {focus_text(line.focus, line.named)}".strip()
        + f" {boilerplate(rng)}",
        "source": SOURCE,
        # hidden truth, dropped before the catalogue is published
        "line": line.line,
        "visibility": line.visibility,
        "true_support": line.support,
        "true_capacity": line.capacity,
    }


HIDDEN: Final[tuple[str, ...]] = ("line", "visibility", "true_support", "true_capacity")


def catalogue(rng: np.random.Generator, *, years: range, n_firms: int) -> pd.DataFrame:
    """Every offering of every year, with the hidden :data:`HIDDEN` columns.

    Parameters
    ----------
    rng : numpy.random.Generator
    years : range
        The world's years.
    n_firms : int
        Firms in the world; capacities scale with it.

    Returns
    -------
    pandas.DataFrame
        Contract programme columns (raw dtypes) plus ``line`` (the recurring programme),
        ``visibility``, ``true_support`` and ``true_capacity``; ordered by year and id.
    """
    rows: list[dict[str, Any]] = []
    lines: list[Line] = []
    used: set[str] = set()
    counter = [0]
    for i, year in enumerate(years):
        lines = _year_lines(rng, lines, first=i == 0, n_firms=n_firms, used=used, counter=counter)
        rows += [_row(line, year, k + 1, rng) for k, line in enumerate(lines)]
    frame = pd.DataFrame(rows)
    frame["requires_rnd_lab"] = frame["requires_rnd_lab"].astype(object)
    return frame
