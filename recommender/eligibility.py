"""Eligibility as rules-as-code: which programmes a firm profile may join, and why not.

Each rule is one row of :data:`RULES`: a programme column holding the threshold, the
firm quantity it applies to, and how to say a failure in words. The same table drives
the vectorised mask (whole catalogues x many firms) and the per-firm reasons, so the
two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recommender.enum_codes import enum_codes
from recommender.constants import ALL, LIST_SEP, REGION_LABELS, REGIONS, SECTOR_LABELS, SECTORS

Firm = Mapping[str, Any]


def _firm_age(firms: pd.DataFrame) -> np.ndarray:
    return (firms["year"].to_numpy() - firms["founded_year"].to_numpy()).astype(float)


def _years(n: float) -> str:
    return f"{n:g} year" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class ThresholdRule:
    """A numeric rule: ``firm quantity <op> programme[column]`` when the column is set."""

    column: str
    quantity: Callable[[pd.DataFrame], np.ndarray]
    at_least: bool
    say: Callable[[float, float], str]

    def passes(self, firm_values: np.ndarray, limits: np.ndarray) -> np.ndarray:
        """Broadcast ``(n, 1)`` firm values against ``(1, m)`` limits; NaN limit = no rule."""
        with np.errstate(invalid="ignore"):
            ok = firm_values >= limits if self.at_least else firm_values <= limits
        return ok | np.isnan(limits)


RULES: tuple[ThresholdRule, ...] = (
    ThresholdRule("min_employees", lambda f: f["employees"].to_numpy(float), True,
                  lambda lim, v: f"needs at least {lim:g} employees; the firm has {v:g}"),
    ThresholdRule("max_employees", lambda f: f["employees"].to_numpy(float), False,
                  lambda lim, v: f"takes at most {lim:g} employees; the firm has {v:g}"),
    ThresholdRule("min_firm_age", _firm_age, True,
                  lambda lim, v: f"needs a firm at least {_years(lim)} old; the firm is {_years(v)} old"),
    ThresholdRule("max_firm_age", _firm_age, False,
                  lambda lim, v: f"takes firms at most {_years(lim)} old; the firm is {_years(v)} old"),
    ThresholdRule("max_revenue_krw_m", lambda f: f["revenue_krw_m"].to_numpy(float), False,
                  lambda lim, v: (f"takes firms with revenue up to {lim:,.0f} million KRW; "
                                  f"the firm has {v:,.0f} million KRW")),
)


def _allowed_matrix(values: pd.Series, universe: tuple[str, ...]) -> np.ndarray:
    """``(m, len(universe))`` booleans: which enum values each programme admits."""
    out = np.zeros((len(values), len(universe)), dtype=bool)
    index = {v: i for i, v in enumerate(universe)}
    for row, spec in enumerate(values.to_numpy()):
        spec = str(spec).strip()
        if spec == ALL:
            out[row, :] = True
            continue
        for item in spec.split(LIST_SEP):
            pos = index.get(item.strip())
            if pos is not None:
                out[row, pos] = True
    return out


def _lab_required(programmes: pd.DataFrame) -> np.ndarray:
    return np.array([v is True or v == 1 for v in programmes["requires_rnd_lab"]], dtype=bool)


class EligibilityIndex:
    """A catalogue's rules as arrays, computed once, to test many firms quickly.

    Parameters
    ----------
    programmes
        Canonical programme frame; its row order is the mask's column order.
    """

    def __init__(self, programmes: pd.DataFrame) -> None:
        self.years = programmes["year"].to_numpy()
        self.limits = [programmes[rule.column].to_numpy(float)[None, :] for rule in RULES]
        self.allowed = {column: _allowed_matrix(programmes[column + "s"], universe)
                        for column, universe in (("sector", SECTORS), ("region", REGIONS))}
        self.lab_required = _lab_required(programmes)

    def mask(self, firms: pd.DataFrame) -> np.ndarray:
        """Booleans ``(len(firms), n_programmes)``: same year and every non-null rule holds."""
        mask = firms["year"].to_numpy()[:, None] == self.years[None, :]
        for rule, limits in zip(RULES, self.limits, strict=True):
            mask &= rule.passes(rule.quantity(firms)[:, None], limits)
        for column, universe in (("sector", SECTORS), ("region", REGIONS)):
            codes = enum_codes(firms[column], universe)
            mask &= self.allowed[column][:, np.maximum(codes, 0)].T & (codes >= 0)[:, None]
        mask &= ~(self.lab_required[None, :] & ~firms["has_rnd_lab"].to_numpy(bool)[:, None])
        return mask


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
            chunk = f_idx[start:start + 50_000]
            fi, pj = np.nonzero(eligibility_mask(firms.iloc[chunk], programmes.iloc[p_idx]))
            firm_rows.append(chunk[fi])
            prog_rows.append(p_idx[pj])
    if not firm_rows:
        return pd.DataFrame({"firm_row": np.array([], np.int64),
                             "programme_row": np.array([], np.int64)})
    pairs = pd.DataFrame({"firm_row": np.concatenate(firm_rows).astype(np.int64),
                          "programme_row": np.concatenate(prog_rows).astype(np.int64)})
    return pairs.sort_values(["firm_row", "programme_row"], kind="stable").reset_index(drop=True)


def _list_text(spec: str, labels: Mapping[str, str]) -> str:
    return ", ".join(labels.get(s.strip(), s.strip()) for s in spec.split(LIST_SEP))


def reasons(firm: Firm, programme: Mapping[str, Any]) -> list[str]:
    """Why ``firm`` may not join ``programme``, one sentence per failed rule.

    An empty list means the firm is eligible.
    """
    out: list[str] = []
    if int(firm["year"]) != int(programme["year"]):
        out.append(f"runs in {int(programme['year'])}; the firm's profile is for {int(firm['year'])}")
    row = pd.DataFrame([dict(firm)])
    for rule in RULES:
        limit = programme.get(rule.column)
        if limit is None or pd.isna(limit):
            continue
        value = float(rule.quantity(row)[0])
        if not rule.passes(np.array([value]), np.array([float(limit)]))[0]:
            out.append(rule.say(float(limit), value))
    for column, labels in (("sector", SECTOR_LABELS), ("region", REGION_LABELS)):
        spec = str(programme[column + "s"]).strip()
        if spec != ALL and firm[column] not in {s.strip() for s in spec.split(LIST_SEP)}:
            out.append(f"open to firms in {_list_text(spec, labels)}; the firm is in "
                       f"{labels.get(firm[column], firm[column])}")
    if programme.get("requires_rnd_lab") in (True, 1) and not bool(firm["has_rnd_lab"]):
        out.append("needs a registered corporate R&D lab; the firm has none")
    return out


def ineligibility_reasons(firm: Firm, programmes: pd.DataFrame) -> dict[str, list[str]]:
    """Reasons for every programme of ``programmes`` the firm may not join, by programme id."""
    mask = eligibility_mask(pd.DataFrame([dict(firm)]), programmes)[0]
    records = programmes.loc[~mask].to_dict("records")
    return {str(p["programme_id"]): reasons(firm, p) for p in records}
