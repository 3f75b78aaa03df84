"""The simulated SME population: who the firms are and how they change year to year.

A :class:`Population` holds every firm of the world (present or not in a given year)
as arrays, with its true capability levels (``capabilities.py``). It is created once
(:func:`new_population`), moved one year on with :func:`evolve`, and read as contract
``firms`` rows with :func:`profiles`. See ``docs/causal-model.md`` for every number here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd

from recommender.constants import CAP_MAX, CAP_MIN, CAPABILITIES, REGIONS, SECTORS, SIZE_BAND_EDGES
from recommender.simulate.capabilities import (
    CAP_DRIFT,
    CAP_NOISE,
    FACTORS,
    N_CAPS,
    missing_propensity,
    self_bias,
    true_levels,
)
from recommender.simulate.industries import INDUSTRIES, descriptions, draw_industries

KBS: Final[np.ndarray] = np.array([s.startswith("kbs_") for s in SECTORS])
MFG: Final[np.ndarray] = np.array([s.startswith("mfg_") for s in SECTORS])

# --- population mix -------------------------------------------------------------------
SECTOR_SHARES: Final[dict[str, float]] = {
    "mfg_high_tech": 0.11,
    "mfg_mid_tech": 0.19,
    "mfg_low_tech": 0.17,
    "kbs_ict": 0.16,
    "kbs_professional": 0.13,
    "kbs_content": 0.07,
    "other_services": 0.17,
}
REGION_SHARES: Final[dict[str, float]] = {
    "seoul": 0.215,
    "busan": 0.062,
    "daegu": 0.045,
    "incheon": 0.055,
    "gwangju": 0.025,
    "daejeon": 0.03,
    "ulsan": 0.02,
    "sejong": 0.006,
    "gyeonggi": 0.275,
    "gangwon": 0.022,
    "chungbuk": 0.033,
    "chungnam": 0.042,
    "jeonbuk": 0.028,
    "jeonnam": 0.027,
    "gyeongbuk": 0.045,
    "gyeongnam": 0.058,
    "jeju": 0.012,
}
INDUSTRIAL_REGIONS: Final[tuple[str, ...]] = (
    "incheon",
    "ulsan",
    "chungbuk",
    "chungnam",
    "gyeongbuk",
    "gyeongnam",
)
# sector-specific tilt of the regional mix: services crowd into Seoul, factories into
# Gyeonggi and the industrial provinces
REGION_TILT_KBS: Final[dict[str, float]] = {"seoul": 2.2, "gyeonggi": 1.0, "daejeon": 1.2}
REGION_TILT_MFG: Final[dict[str, float]] = {
    "seoul": 0.35,
    "gyeonggi": 1.3,
    **{r: 1.5 for r in INDUSTRIAL_REGIONS},
}
LATE_ENTRY_SHARE: Final[float] = 0.10  # firms whose first profile is after the first year
EXIT_RATE: Final[float] = 0.02  # yearly chance an established firm leaves the data

# per sector: log-size offset, revenue per employee (M KRW), exporter logit, lab logit,
# researcher share of staff
SIZE_OFFSET: Final[np.ndarray] = np.array([0.30, 0.25, 0.10, 0.0, -0.10, -0.25, -0.20])
REVENUE_PER_EMPLOYEE: Final[np.ndarray] = np.array([230.0, 210.0, 170.0, 130.0, 110.0, 100.0, 90.0])
EXPORT_LOGIT: Final[np.ndarray] = np.array([1.4, 1.0, 0.4, 0.8, -0.3, 0.6, -1.6])
LAB_LOGIT: Final[np.ndarray] = np.array([1.6, 1.0, 0.0, 1.2, -0.2, -0.4, -1.8])
RESEARCHER_SHARE: Final[np.ndarray] = np.array([0.16, 0.11, 0.07, 0.22, 0.10, 0.10, 0.05])


@dataclass(frozen=True)
class Population:
    """Every firm of the world as arrays of length ``n`` (the true, latent state).

    Attributes
    ----------
    firm_id : ndarray of str
    sector, region : ndarray of int
        Codes into :data:`SECTORS` and :data:`REGIONS`.
    founded, entry, exit : ndarray of int
        Founding year, first profile year and first year without a profile.
    factors : ndarray of shape (n, 4)
        Latent general, technology, global and market factors.
    growth_trend, bias, missing_rate : ndarray of float
        The firm's revenue trend, self-rating bias and item non-response propensity.
    employees, researchers, patents : ndarray of int
    revenue, prev_revenue, export_share, rnd_spend : ndarray of float
    lab : ndarray of bool
    caps : ndarray of shape (n, 12)
        True capability levels on the 1..5 scale (continuous).
    industry : ndarray of int
        Index into :data:`~recommender.simulate.industries.INDUSTRIES` (of the sector).
    description : ndarray of object
        What the firm does, in the words of a business description (every firm).
    says : ndarray of bool
        Whether its profile gives that description.
    """

    firm_id: np.ndarray
    sector: np.ndarray
    region: np.ndarray
    founded: np.ndarray
    entry: np.ndarray
    exit: np.ndarray
    factors: np.ndarray
    growth_trend: np.ndarray
    bias: np.ndarray
    missing_rate: np.ndarray
    employees: np.ndarray
    revenue: np.ndarray
    prev_revenue: np.ndarray
    export_share: np.ndarray
    researchers: np.ndarray
    rnd_spend: np.ndarray
    patents: np.ndarray
    lab: np.ndarray
    caps: np.ndarray
    industry: np.ndarray
    description: np.ndarray
    says: np.ndarray

    def present(self, year: int) -> np.ndarray:
        """Indices of the firms that have a profile in ``year``."""
        return np.flatnonzero((self.entry <= year) & (year < self.exit))


def size_band(employees: np.ndarray) -> np.ndarray:
    """Index into ``SIZE_BANDS`` of each headcount (micro < 10 <= small < 50 <= ...)."""
    return np.searchsorted(np.asarray(SIZE_BAND_EDGES[1:]), employees, side="right")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.floor(x + rng.random(x.shape)).astype(np.int64)


def _region_probabilities() -> np.ndarray:
    """``(n_sectors, n_regions)`` probabilities of a firm's region given its sector."""
    base = np.array([REGION_SHARES[r] for r in REGIONS])
    probs = np.tile(base, (len(SECTORS), 1))
    for s in range(len(SECTORS)):
        tilt = REGION_TILT_KBS if KBS[s] else REGION_TILT_MFG if MFG[s] else {}
        for region, factor in tilt.items():
            probs[s, REGIONS.index(region)] *= factor
    return probs / probs.sum(1, keepdims=True)


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1), vectorised by inverse CDF."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(1), probs.shape[1] - 1)


def _rnd_make_up(
    rng: np.random.Generator,
    sector: np.ndarray,
    employees: np.ndarray,
    f_tech: np.ndarray,
    age: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lab, researchers, R&D spend and patents, correlated with size, sector and tech."""
    n = len(sector)
    log_size = (np.log(employees) - np.log(10.0)) / 1.2
    lab = rng.random(n) < _sigmoid(-2.0 + LAB_LOGIT[sector] + 0.7 * log_size + 1.0 * f_tech)
    lab &= employees >= 2
    share = np.clip(
        RESEARCHER_SHARE[sector] * np.exp(0.35 * f_tech + rng.normal(0, 0.3, n)), 0.02, 0.6
    )
    with_lab = np.clip(_stochastic_round(employees * share, rng), 2, employees)
    casual = rng.random(n) < _sigmoid(-1.6 + 0.8 * f_tech + 0.5 * LAB_LOGIT[sector] / 1.6)
    without_lab = np.minimum(casual * rng.integers(1, 3, n), employees)
    researchers = np.where(lab, with_lab, without_lab).astype(np.int64)
    outsourced = (researchers == 0) & (rng.random(n) < 0.08)
    spend = researchers * 55.0 * np.exp(rng.normal(0, 0.4, n)) + outsourced * rng.uniform(5, 50, n)
    lam = 0.35 * researchers**0.8 * (age + 1.0) ** 0.3 * np.exp(0.4 * f_tech)
    patents = rng.poisson(lam).astype(np.int64)
    return lab, researchers, np.round(spend, 1), patents


def new_population(
    rng: np.random.Generator, *, n_firms: int, first_year: int, last_year: int
) -> Population:
    """Draw the whole population of a world (firms entering later included).

    Parameters
    ----------
    rng : numpy.random.Generator
    n_firms : int
        Distinct firms in the world over all years.
    first_year, last_year : int
        The world's profile years.
    """
    n = n_firms
    sector = _categorical(rng, np.tile([SECTOR_SHARES[s] for s in SECTORS], (n, 1)))
    region = _categorical(rng, _region_probabilities()[sector])
    later = (rng.random(n) < LATE_ENTRY_SHARE) & (last_year > first_year)
    entry = np.where(
        later, rng.integers(first_year + 1, max(last_year, first_year + 1) + 1, n), first_year
    )
    age_at_entry = np.where(
        later, np.floor(rng.gamma(0.8, 1.5, n)), np.minimum(np.floor(rng.gamma(1.6, 7.0, n)), 60)
    )
    founded = (entry - age_at_entry).astype(np.int64)
    lifetime = rng.geometric(EXIT_RATE, n)  # years with a profile, at least one
    exit_year = np.where(
        entry == first_year, np.minimum(entry + lifetime, last_year + 1), last_year + 1
    )
    factors = rng.normal(0.0, 1.0, (n, len(FACTORS)))
    age = (entry - founded).astype(float)
    log_emp = (
        np.log(7.0)
        + SIZE_OFFSET[sector]
        + 0.35 * np.tanh(age / 10.0)
        + 0.25 * factors[:, 0]
        + rng.normal(0.0, 1.15, n)
    )
    employees = np.clip(np.round(np.exp(log_emp)), 1, 999).astype(np.int64)
    rpe = REVENUE_PER_EMPLOYEE[sector] * np.exp(0.3 * factors[:, 0] + rng.normal(0, 0.5, n))
    revenue = np.round(employees * rpe, 1)
    trend = (
        0.03
        + 0.06 * (age < 5)
        + 0.03 * factors[:, 0]
        + 0.02 * (sector == 3)
        + rng.normal(0, 0.03, n)
    )
    growth = np.maximum(trend + rng.normal(0, 0.12, n), -0.6)
    log_size = (np.log(employees) - np.log(10.0)) / 1.2
    exporter = rng.random(n) < _sigmoid(
        -2.2 + EXPORT_LOGIT[sector] + 0.5 * log_size + 0.8 * factors[:, 2]
    )
    share = rng.beta(1.3, 3.0, n) * np.exp(0.2 * factors[:, 2])
    export_share = np.round(np.where(exporter, np.clip(share, 0.01, 1.0), 0.0), 3)
    lab, researchers, spend, patents = _rnd_make_up(rng, sector, employees, factors[:, 1], age)
    caps = true_levels(
        factors,
        sector,
        employees,
        researchers,
        lab,
        export_share,
        rng.normal(0.0, CAP_NOISE, (n, N_CAPS)),
    )
    width = max(6, len(str(n)))
    bias, missing_rate = self_bias(caps, rng), missing_propensity(n, rng)
    industry = draw_industries(rng, sector)
    description, says = descriptions(rng, industry)
    return Population(
        firm_id=np.array([f"F{i:0{width}d}" for i in range(1, n + 1)], dtype=object),
        sector=sector,
        region=region,
        founded=founded,
        entry=entry.astype(np.int64),
        exit=exit_year.astype(np.int64),
        factors=factors,
        growth_trend=trend,
        bias=bias,
        missing_rate=missing_rate,
        employees=employees,
        revenue=revenue,
        prev_revenue=np.round(revenue / (1.0 + growth), 1),
        export_share=export_share,
        researchers=researchers,
        rnd_spend=spend,
        patents=patents,
        lab=lab,
        caps=caps,
        industry=industry,
        description=description,
        says=says,
    )


def evolve(pop: Population, rng: np.random.Generator, *, year: int) -> Population:
    """The population one year on, from ``year`` to ``year + 1``.

    Firms that had entered by ``year`` grow or shrink a little (revenue by their trend
    plus noise, headcount partly following it, R&D with headcount; patents accumulate;
    a few firms register a lab or start exporting); true capability levels drift.
    Firms yet to enter keep the state they will enter with.
    """
    n = len(pop.firm_id)
    active = pop.entry <= year
    growth = np.maximum(pop.growth_trend + rng.normal(0, 0.12, n), -0.6)
    revenue = np.round(pop.revenue * (1.0 + growth), 1)
    employees = np.clip(
        _stochastic_round(pop.employees * np.exp(0.5 * growth + rng.normal(0, 0.06, n)), rng),
        1,
        999,
    )
    researchers = np.minimum(
        _stochastic_round(pop.researchers * np.exp(rng.normal(0.02, 0.1, n)), rng), employees
    )
    new_lab = ~pop.lab & (researchers >= 2) & (rng.random(n) < 0.04)
    lab = pop.lab | new_lab
    researchers = np.where(lab, np.maximum(researchers, 2), researchers)
    researchers = np.minimum(researchers, employees)
    lab &= researchers >= 2
    scale = np.where(pop.researchers > 0, researchers / np.maximum(pop.researchers, 1), 1.0)
    spend = np.round(pop.rnd_spend * scale * np.exp(rng.normal(0.02, 0.1, n)), 1)
    spend = np.where((researchers > 0) & (spend == 0), researchers * 50.0, spend)
    patents = pop.patents + rng.poisson(0.12 * researchers**0.8)
    starts = (pop.export_share == 0) & (rng.random(n) < 0.01 * np.exp(pop.factors[:, 2]))
    share = np.where(
        starts,
        rng.uniform(0.02, 0.15, n),
        np.clip(pop.export_share * np.exp(rng.normal(0.0, 0.1, n)), 0.0, 1.0),
    )
    caps = np.clip(pop.caps + rng.normal(0.0, CAP_DRIFT, pop.caps.shape), CAP_MIN, CAP_MAX)
    keep = ~active

    def pick(old: np.ndarray, new: np.ndarray) -> np.ndarray:
        return np.where(keep.reshape(-1, *([1] * (old.ndim - 1))), old, new).astype(old.dtype)

    return replace(
        pop,
        employees=pick(pop.employees, employees),
        revenue=pick(pop.revenue, revenue),
        prev_revenue=pick(pop.prev_revenue, pop.revenue),
        researchers=pick(pop.researchers, researchers),
        lab=pick(pop.lab, lab),
        rnd_spend=pick(pop.rnd_spend, spend),
        patents=pick(pop.patents, patents),
        export_share=pick(pop.export_share, np.round(share, 3)),
        caps=pick(pop.caps, caps),
    )


def with_gains(pop: Population, rows: np.ndarray, gains: np.ndarray) -> Population:
    """The population with ``gains`` ``(len(rows), 12)`` added to those firms' true levels."""
    caps = pop.caps.copy()
    np.add.at(caps, rows, gains)
    return replace(pop, caps=np.clip(caps, CAP_MIN, CAP_MAX))


def profiles(
    pop: Population, rows: np.ndarray, ratings: np.ndarray, *, year: int, rng: np.random.Generator
) -> pd.DataFrame:
    """The contract ``firms`` rows of ``year`` for the firms at ``rows`` (raw dtypes)."""
    age = year - pop.founded[rows]
    growth = pop.revenue[rows] / np.maximum(pop.prev_revenue[rows], 0.1) - 1.0
    unknown = (age == 0) | (rng.random(len(rows)) < 0.04)
    frame = pd.DataFrame(
        {
            "firm_id": pop.firm_id[rows],
            "year": np.full(len(rows), year, dtype=np.int64),
            "region": np.asarray(REGIONS, dtype=object)[pop.region[rows]],
            "sector": np.asarray(SECTORS, dtype=object)[pop.sector[rows]],
            "founded_year": pop.founded[rows],
            "employees": pop.employees[rows],
            "revenue_krw_m": pop.revenue[rows],
            "revenue_growth": np.where(unknown, np.nan, np.round(growth, 4)),
            "export_share": pop.export_share[rows],
            "rnd_spend_krw_m": pop.rnd_spend[rows],
            "researchers": pop.researchers[rows],
            "patents": pop.patents[rows],
            "has_rnd_lab": pop.lab[rows],
            "industry_code": np.array(
                [INDUSTRIES[i].ksic for i in pop.industry[rows]], dtype=object
            ),
            "business_description": np.where(pop.says[rows], pop.description[rows], None),
        }
    )
    for i, cap in enumerate(CAPABILITIES):
        frame[cap] = ratings[:, i]
    return frame
