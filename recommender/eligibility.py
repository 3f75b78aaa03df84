"""Eligibility as rules-as-code: which programmes a firm profile may join, and why not.

Each threshold rule is one row of :data:`RULES`: a programme column holding the limit
and the firm quantity it applies to. Together with the year, sector, region and R&D-lab
checks, the same table drives the vectorised mask (whole catalogues x many firms) and
the reasons (:class:`Reason`: which rule failed, the programme's limit and the firm's
value), so the two can never disagree. Reasons are facts, not prose:
:mod:`recommender.explain.render` says them in each language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from recommender.constants import ALL, LIST_SEP, REGIONS, SECTORS
from recommender.eligibility_v2 import V2Rules
from recommender.enum_codes import enum_codes

Firm = Mapping[str, Any]
# firm profiles or programmes: a canonical frame, or columns as arrays / lists
Columns: TypeAlias = pd.DataFrame | Mapping[str, Sequence[Any] | np.ndarray]
YEAR_RULE, LAB_RULE, WINDOW_RULE = "year", "lab", "window"


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule a firm fails for a programme.

    ``rule`` is a threshold column of :data:`RULES` (``limit``: the programme's limit,
    ``value``: the firm's quantity), ``"sector"`` or ``"region"`` (``limit``: the
    allowed codes, ``value``: the firm's code), ``"lab"`` (an R&D lab is required),
    ``"year"`` (``limit``: the programme's year, ``value``: the profile's),
    ``"window"`` (``limit``: ``(apply_start, apply_end)``, ``value``: the ISO day), or
    a contract-v2 rule of :mod:`recommender.eligibility_v2` (``"district"``,
    ``"group"``, ``"industry"``, ``"nothing"``). With ``value`` None, a v2 reason is a
    *condition to check*: the firm has not said what the rule needs.
    """

    rule: str
    limit: Any = None
    value: Any = None


def window_reason(start: str | None, end: str | None, day: str) -> Reason:
    """The reason of a programme whose application window does not include ``day``."""
    return Reason(WINDOW_RULE, (start, end), day)


def _floats(frame: Columns, column: str) -> np.ndarray:
    return np.asarray(frame[column], dtype=float)


def _firm_age(firms: Columns) -> np.ndarray:
    return _floats(firms, "year") - _floats(firms, "founded_year")


@dataclass(frozen=True)
class ThresholdRule:
    """A numeric rule: ``firm quantity <op> programme[column]`` when the column is set."""

    column: str
    quantity: Callable[[Columns], np.ndarray]
    at_least: bool

    def passes(self, firm_values: np.ndarray, limits: np.ndarray) -> np.ndarray:
        """Broadcast ``(n, 1)`` firm values against ``(1, m)`` limits; NaN limit = no rule."""
        with np.errstate(invalid="ignore"):
            ok = firm_values >= limits if self.at_least else firm_values <= limits
        return ok | np.isnan(limits)


def _employees(firms: Columns) -> np.ndarray:
    return _floats(firms, "employees")


def _revenue(firms: Columns) -> np.ndarray:
    return _floats(firms, "revenue_krw_m")


RULES: tuple[ThresholdRule, ...] = (
    ThresholdRule("min_employees", _employees, True),
    ThresholdRule("max_employees", _employees, False),
    ThresholdRule("min_firm_age", _firm_age, True),
    ThresholdRule("max_firm_age", _firm_age, False),
    ThresholdRule("max_revenue_krw_m", _revenue, False),
)
RULE_OF_COLUMN: dict[str, ThresholdRule] = {rule.column: rule for rule in RULES}
_LISTED = (("sector", SECTORS), ("region", REGIONS))


def _allowed_matrix(values: Sequence[Any], universe: tuple[str, ...]) -> np.ndarray:
    """``(m, len(universe))`` booleans: which enum values each programme admits."""
    out = np.zeros((len(values), len(universe)), dtype=bool)
    index = {v: i for i, v in enumerate(universe)}
    for row, spec in enumerate(values):
        spec = str(spec).strip()
        if spec == ALL:
            out[row, :] = True
            continue
        for item in spec.split(LIST_SEP):
            pos = index.get(item.strip())
            if pos is not None:
                out[row, pos] = True
    return out


def _allowed_codes(values: Sequence[Any]) -> list[tuple[str, ...]]:
    """Each programme's list of admitted codes as written (for reasons)."""
    return [tuple(s.strip() for s in str(spec).split(LIST_SEP) if s.strip()) for spec in values]


def _lab_required(programmes: Columns) -> np.ndarray:
    return np.array([v is True or v == 1 for v in programmes["requires_rnd_lab"]], dtype=bool)


class EligibilityIndex:
    """A catalogue's rules as arrays, computed once, to test many firms quickly.

    Parameters
    ----------
    programmes
        Canonical programme frame (or its columns); its row order is the mask's column
        order.
    """

    def __init__(self, programmes: Columns) -> None:
        self.years = np.asarray(programmes["year"])
        self.limits = [_floats(programmes, rule.column)[None, :] for rule in RULES]
        listed = {column: list(programmes[column + "s"]) for column, _u in _LISTED}
        self.allowed = {
            column: _allowed_matrix(listed[column], universe) for column, universe in _LISTED
        }
        self.lab_required = _lab_required(programmes)
        self.v2 = V2Rules(programmes, len(self.years))
        # what reasons show of each programme: its year, limits and admitted codes
        self.reason_limits: dict[str, list[Any]] = {
            YEAR_RULE: [int(y) for y in self.years.tolist()],
            **{rule.column: lim[0].tolist() for rule, lim in zip(RULES, self.limits, strict=True)},
            **{column: _allowed_codes(listed[column]) for column, _u in _LISTED},
            LAB_RULE: [None] * len(self.years),
            **self.v2.limits,
        }
        self._universes = {column: frozenset(universe) for column, universe in _LISTED}
        self._listed: dict[tuple[str, Any], list[Reason]] = {}

    def _checks(self, firms: Columns) -> Iterator[tuple[str, np.ndarray, list[Any]]]:
        """Every check in reason order: its rule, ``(n, m)`` passes, the firms' values."""
        for rule, passes, _unsure, values in self._all_checks(firms):
            yield rule, passes, values

    def _all_checks(
        self, firms: Columns
    ) -> Iterator[tuple[str, np.ndarray, np.ndarray | None, list[Any]]]:
        """:meth:`_checks` with, for the v2 rules, where a pass is only a condition."""
        for rule, passes, values in self._v1_checks(firms):
            yield rule, passes, None, values
        yield from self.v2.checks(firms, len(firms["year"]))

    def _v1_checks(self, firms: Columns) -> Iterator[tuple[str, np.ndarray, list[Any]]]:
        years = np.asarray(firms["year"])
        yield YEAR_RULE, years[:, None] == self.years[None, :], years.tolist()
        quantities: dict[Callable[[Columns], np.ndarray], np.ndarray] = {}
        for rule, limits in zip(RULES, self.limits, strict=True):
            values = quantities.get(rule.quantity)
            if values is None:
                values = quantities[rule.quantity] = rule.quantity(firms)
            yield rule.column, rule.passes(values[:, None], limits), values.tolist()
        for column, universe in _LISTED:
            given = list(firms[column])
            codes = enum_codes(given, universe)
            ok = self.allowed[column][:, np.maximum(codes, 0)].T & (codes >= 0)[:, None]
            yield column, ok, given
        has_lab = np.asarray(firms["has_rnd_lab"]).astype(bool)
        yield LAB_RULE, ~(self.lab_required[None, :] & ~has_lab[:, None]), [None] * len(years)

    def mask(self, firms: Columns) -> np.ndarray:
        """Booleans ``(len(firms), n_programmes)``: same year and every non-null rule holds."""
        mask = np.ones((len(firms["year"]), len(self.years)), dtype=bool)
        for _rule, passes, _values in self._checks(firms):
            mask &= passes
        return mask

    def evaluate(self, firms: Columns) -> tuple[np.ndarray, list[dict[int, list[Reason]]]]:
        """:meth:`mask` and, per firm, the reasons of every programme it may not join.

        Returns
        -------
        tuple
            The mask, and for each firm a dict from programme row to its failed rules
            (in :data:`RULES` order after the year; sector, region and lab last).
        """
        checks = list(self._checks(firms))
        mask = np.ones((len(firms["year"]), len(self.years)), dtype=bool)
        for _rule, passes, _values in checks:
            mask &= passes
        out: list[dict[int, list[Reason]]] = []
        for i in range(len(mask)):
            failed: dict[int, list[Reason]] = {}
            for rule, passes, values in checks:
                rows = np.flatnonzero(~passes[i]).tolist()
                if not rows:
                    continue
                reason_of = self._reason_maker(rule, values[i])
                for j in rows:
                    reason = reason_of(j)
                    known = failed.get(j)
                    if known is None:
                        failed[j] = [reason]
                    else:
                        known.append(reason)
            out.append(failed)
        return mask, out

    def screen(
        self, firms: Columns, *, with_reasons: bool
    ) -> tuple[np.ndarray, list[dict[int, list[Reason]]] | None, list[dict[int, list[Reason]]]]:
        """The mask, the failed rules (with ``with_reasons``, as :meth:`evaluate`) and,
        per firm, the conditions to check of every eligible programme that has any
        (v2 reasons with ``value`` None), by programme row."""
        checks = list(self._all_checks(firms))
        mask = np.ones((len(firms["year"]), len(self.years)), dtype=bool)
        for _rule, passes, _unsure, _values in checks:
            mask &= passes
        failed = None
        if with_reasons:
            failed = [self._failed(checks, i) for i in range(len(mask))]
        conditions: list[dict[int, list[Reason]]] = [{} for _ in range(len(mask))]
        for rule, _passes, unsure, _values in checks:
            if unsure is None:
                continue
            fi, pj = np.nonzero(unsure & mask)
            limits = self.reason_limits[rule]
            for i, j in zip(fi.tolist(), pj.tolist(), strict=True):
                conditions[i].setdefault(j, []).append(Reason(rule, limits[j], None))
        return mask, failed, conditions

    def _failed(
        self, checks: list[tuple[str, np.ndarray, np.ndarray | None, list[Any]]], i: int
    ) -> dict[int, list[Reason]]:
        failed: dict[int, list[Reason]] = {}
        for rule, passes, _unsure, values in checks:
            rows = np.flatnonzero(~passes[i]).tolist()
            if not rows:
                continue
            reason_of = self._reason_maker(rule, values[i])
            for j in rows:
                failed.setdefault(j, []).append(reason_of(j))
        return failed

    def _reason_maker(self, rule: str, value: Any) -> Callable[[int], Reason]:
        """The reason of failing ``rule`` with the firm's ``value``, by programme row.

        Regional and sectoral rules fail by the hundred on a real catalogue, always with
        one of a few firm values: their reasons are made once per value and reused.
        """
        limits = self.reason_limits[rule]
        if rule in self._universes and value in self._universes[rule]:
            made = self._listed.get((rule, value))
            if made is None:
                made = self._listed[(rule, value)] = [Reason(rule, lim, value) for lim in limits]
            return made.__getitem__
        return lambda j: Reason(rule, limits[j], value)


def eligibility_mask(firms: pd.DataFrame, programmes: pd.DataFrame) -> np.ndarray:
    """Whether each firm profile may join each programme.

    Parameters
    ----------
    firms, programmes
        Canonical frames (``docs/internals.md``).

    Returns
    -------
    numpy.ndarray
        Booleans of shape ``(len(firms), len(programmes))``; True where the years match
        and every non-null rule holds.
    """
    return EligibilityIndex(programmes).mask(firms)


def eligible_pairs(firms: pd.DataFrame, programmes: pd.DataFrame) -> pd.DataFrame:
    """Every eligible (firm row, programme row) pair, computed year by year.

    Returns
    -------
    pandas.DataFrame
        Columns ``firm_row`` and ``programme_row``: positional indices into the two
        frames, ordered by firm row then programme row.
    """
    firm_rows: list[np.ndarray] = []
    prog_rows: list[np.ndarray] = []
    prog_years = programmes["year"].to_numpy()
    firm_years = firms["year"].to_numpy()
    for year in np.unique(firm_years):
        f_idx = np.flatnonzero(firm_years == year)
        p_idx = np.flatnonzero(prog_years == year)
        if len(p_idx) == 0:
            continue
        for start in range(0, len(f_idx), 50_000):  # bound the mask's memory
            chunk = f_idx[start : start + 50_000]
            fi, pj = np.nonzero(eligibility_mask(firms.iloc[chunk], programmes.iloc[p_idx]))
            firm_rows.append(chunk[fi])
            prog_rows.append(p_idx[pj])
    if not firm_rows:
        return pd.DataFrame(
            {"firm_row": np.array([], np.int64), "programme_row": np.array([], np.int64)}
        )
    pairs = pd.DataFrame(
        {
            "firm_row": np.concatenate(firm_rows).astype(np.int64),
            "programme_row": np.concatenate(prog_rows).astype(np.int64),
        }
    )
    return pairs.sort_values(["firm_row", "programme_row"], kind="stable").reset_index(drop=True)


def reasons(firm: Firm, programme: Mapping[str, Any]) -> list[Reason]:
    """Why ``firm`` may not join ``programme``, one :class:`Reason` per failed rule.

    An empty list means the firm is eligible.
    """
    index = EligibilityIndex({k: [v] for k, v in programme.items()})
    return index.evaluate({k: [v] for k, v in firm.items()})[1][0].get(0, [])


def ineligibility_reasons(firm: Firm, programmes: pd.DataFrame) -> dict[str, list[Reason]]:
    """Reasons for every programme of ``programmes`` the firm may not join, by programme id."""
    failed = EligibilityIndex(programmes).evaluate({k: [v] for k, v in firm.items()})[1][0]
    ids = programmes["programme_id"].astype(str).tolist()
    return {ids[j]: failed[j] for j in sorted(failed)}
