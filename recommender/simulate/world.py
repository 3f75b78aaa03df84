"""The demo world: population, catalogue and history, year by year, and its oracle.

:func:`simulate_world` runs the causal model of ``docs/causal-model.md`` over the
years: each year it reads the firms' profiles (with their self-diagnosis), lets them
choose among the programmes they are eligible for (``participation.py``), draws the
outcome grades (``outcomes.py``), lets the grades raise the firms' true capabilities,
and moves the population a year on. For the last year it also writes down the oracle:
the exact expected grade of every eligible (firm, scored programme) pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from recommender.constants import CAPABILITIES, REGIONS, SCORED_TYPES
from recommender.contract.canonical import (
    Dataset,
    canonical_firms,
    canonical_outcomes,
    canonical_programmes,
)
from recommender.eligibility import eligibility_mask
from recommender.errors import RecommenderError
from recommender.features.text_match import TextMatcher
from recommender.simulate.capabilities import self_ratings
from recommender.simulate.catalogue import HIDDEN, catalogue
from recommender.simulate.firms import (
    Population,
    evolve,
    new_population,
    profiles,
    size_band,
    with_gains,
)
from recommender.simulate.outcomes import (
    N_TYPES,
    TYPE_INDEX,
    Offerings,
    absorptive_capacity,
    capability_gains,
    capability_gaps,
    draw_outcome,
    expected_outcome,
    latent_benefit,
    peer_reference,
    support_intensity,
)
from recommender.simulate.participation import Applicants, Calls, choose

ORACLE_COLUMNS: Final[tuple[str, ...]] = ("firm_id", "year", "programme_id", "expected_outcome")
TERM_COLUMNS: Final[tuple[str, ...]] = (
    "firm_id",
    "year",
    "programme_id",
    "programme_type",
    "room",
    "absorb",
    "intensity",
    "repeat",
    "benefit",
    "expected_outcome",
    "outcome",
)
_CAPITAL = np.array([r in ("seoul", "gyeonggi") for r in REGIONS])
_SCORED_CODES = np.array([TYPE_INDEX[t] for t in SCORED_TYPES])

Progress = Callable[[str], None]


@dataclass(frozen=True)
class World:
    """A simulated world: the contract data, its oracle and the latent truth behind them.

    Attributes
    ----------
    dataset : Dataset
        Canonical ``firms``, ``programmes`` and ``outcomes`` frames.
    oracle : pandas.DataFrame
        ``firm_id, year, programme_id, expected_outcome`` for every eligible pair of the
        last year with a scored programme type: the exact expected grade under the
        causal model, whether or not the firm took part.
    truth : pandas.DataFrame or None
        ``firm_id, year`` and the twelve ``cap_*`` columns holding each profile's true
        (latent, continuous) capability levels.
    terms : pandas.DataFrame or None
        Every participation (one row per outcome) with the terms of its latent benefit
        (:data:`TERM_COLUMNS`): room to gain on the targets, absorptive capacity,
        support intensity, repeat count term, benefit, expected and realised grade.
    """

    dataset: Dataset
    oracle: pd.DataFrame
    truth: pd.DataFrame | None = None
    terms: pd.DataFrame | None = None


def _check(n_firms: int, years: tuple[int, int]) -> tuple[int, int]:
    if isinstance(n_firms, bool) or not isinstance(n_firms, (int, np.integer)) or n_firms < 1:
        raise RecommenderError(f"the number of firms must be a whole number >= 1, not {n_firms!r}")
    first, last = (int(y) for y in years)
    if not 1900 <= first <= last <= 2200:
        raise RecommenderError(
            f"years must run from an earlier to a later year between 1900 "
            f"and 2200, not {first}-{last}"
        )
    return first, last


def _applicants(
    pop: Population,
    rows: np.ndarray,
    ratings: np.ndarray,
    history: np.ndarray,
    last_type: np.ndarray,
    last_year: np.ndarray,
    year: int,
) -> Applicants:
    return Applicants(
        log_size=(np.log(pop.employees[rows]) - np.log(10.0)) / 1.2,
        lab=pop.lab[rows],
        capital_area=_CAPITAL[pop.region[rows]],
        last_type=last_type[rows],
        last_year=last_year[rows] == year - 1,
        past=history[rows].sum(1) > 0,
        ratings=ratings,
    )


def _firm_side(pop: Population, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True gaps to peers ``(k, 12)`` and absorptive capacity ``(k, types)`` of the firms
    at rows."""
    caps = pop.caps[rows]
    peers = peer_reference(caps, pop.sector[rows], size_band(pop.employees[rows]))
    absorb = absorptive_capacity(
        caps,
        researchers=pop.researchers[rows],
        lab=pop.lab[rows],
        export_share=pop.export_share[rows],
        sector=pop.sector[rows],
    )
    return capability_gaps(caps, peers), absorb


def simulate_world(
    *,
    n_firms: int = 2000,
    years: tuple[int, int] = (2022, 2024),
    seed: int = 42,
    progress: Progress | None = None,
) -> World:
    """Simulate a plausible SME population, catalogue and participation history.

    Parameters
    ----------
    n_firms : int
        Distinct firms over all years (about 10 % enter after the first year).
    years : tuple of int
        First and last profile year, inclusive.
    seed : int
        Same seed, same world (byte-identical files).
    progress : callable, optional
        Called with a short message as each year is simulated.

    Returns
    -------
    World

    Raises
    ------
    RecommenderError
        When ``n_firms`` or ``years`` make no sense.
    """
    first, last = _check(n_firms, years)
    span = range(first, last + 1)
    pop_seed, cat_seed, year_seed = np.random.SeedSequence(seed).spawn(3)
    pop = new_population(
        np.random.default_rng(pop_seed), n_firms=n_firms, first_year=first, last_year=last
    )
    offers = catalogue(np.random.default_rng(cat_seed), years=span, n_firms=n_firms)
    return run_years(pop, offers, span=span, year_seed=year_seed, progress=progress)


def text_relatedness(descriptions: np.ndarray, programmes: pd.DataFrame) -> np.ndarray:
    """``R`` ``(n, m)``: the TF-IDF match of what each firm does (its description, given
    or not) with each programme's name and description, as the product measures it
    (:class:`~recommender.features.text_match.TextMatcher`, fitted on the year's
    catalogue). Firms share few distinct descriptions, so each is matched once."""
    unique, index = np.unique(descriptions.astype(str), return_inverse=True)
    return TextMatcher.of(programmes).similarity(unique.tolist())[index]


def run_years(
    pop: Population,
    offers: pd.DataFrame,
    *,
    span: range,
    year_seed: np.random.SeedSequence,
    progress: Progress | None = None,
) -> World:
    """Run the causal model over ``span`` for a population and a catalogue.

    The year loop of :func:`simulate_world`, on its own so a large world can be run in
    independent chunks of firms sharing one catalogue (``chunked.py``).

    Parameters
    ----------
    pop : Population
        The firms, as :func:`new_population` draws them.
    offers : pandas.DataFrame
        The catalogue of :func:`catalogue`, hidden columns included.
    span : range
        The profile years.
    year_seed : numpy.random.SeedSequence
        Spawns one stream per year.
    progress : callable, optional
        Called with a short message as each year is simulated.
    """
    say = progress or (lambda _message: None)
    n_firms, last = len(pop.firm_id), span[-1]
    history = np.zeros((n_firms, N_TYPES))
    last_type = np.full(n_firms, -1, dtype=np.int64)
    last_year = np.full(n_firms, -1, dtype=np.int64)
    firm_frames, truth_frames, term_frames = [], [], []
    oracle = pd.DataFrame(columns=list(ORACLE_COLUMNS))
    for year, ss in zip(span, year_seed.spawn(len(span)), strict=True):
        say(f"simulating {year}")
        rng = np.random.default_rng(ss)
        rows = pop.present(year)
        ratings = self_ratings(pop.caps[rows], pop.bias[rows], pop.missing_rate[rows], rng)
        firms = canonical_firms(profiles(pop, rows, ratings, year=year, rng=rng))
        cat = offers[offers["year"] == year].reset_index(drop=True)
        published = canonical_programmes(cat.drop(columns=list(HIDDEN)))
        eligible = eligibility_mask(firms, published)
        offerings = Offerings.from_columns(
            cat["targets"].tolist(),
            cat["programme_type"].tolist(),
            cat["true_support"].to_numpy(float),
        )
        employees = pop.employees[rows].astype(float)
        gaps, absorb = _firm_side(pop, rows)
        related = text_relatedness(pop.description[rows], published)
        benefit = latent_benefit(gaps, absorb, employees, history[rows], offerings, related)
        expected = expected_outcome(benefit)
        # firms choose by what they expect of a programme's kind, not by how its words
        # match theirs: otherwise participation would select on a term the data do not
        # show for the firms that give no description (docs/causal-model.md)
        chosen_by = expected_outcome(
            latent_benefit(gaps, absorb, employees, history[rows], offerings)
        )
        calls = Calls(
            visibility=cat["visibility"].to_numpy(float),
            support=offerings.support,
            type_code=offerings.type_code,
            regional=(published["regions"] != "*").to_numpy(),
            capacity=cat["true_capacity"].to_numpy(np.int64),
            targets=offerings.targets,
        )
        f, p = choose(
            _applicants(pop, rows, ratings, history, last_type, last_year, year),
            calls,
            eligible,
            chosen_by,
            rng,
        )
        grades = draw_outcome(benefit[f, p], rng)
        term_frames.append(
            _terms(
                firms,
                published,
                offerings,
                f,
                p,
                gaps,
                absorb,
                employees,
                history[rows],
                benefit,
                expected,
                grades,
            )
        )
        firm_frames.append(firms)
        truth_frames.append(
            pd.DataFrame(
                {
                    "firm_id": firms["firm_id"],
                    "year": year,
                    **dict(zip(CAPABILITIES, pop.caps[rows].T, strict=True)),
                }
            )
        )
        if year == last:
            oracle = _oracle(firms, published, eligible, expected, offerings.type_code)
        taken = rows[f]
        np.add.at(history, (taken, offerings.type_code[p]), 1.0)
        last_type[taken] = offerings.type_code[p]
        last_year[taken] = year
        pop = with_gains(pop, taken, capability_gains(grades, offerings.targets[p]))
        if year < last:
            pop = evolve(pop, rng, year=year)
    terms = pd.concat(term_frames, ignore_index=True)
    dataset = Dataset(
        canonical_firms(pd.concat(firm_frames, ignore_index=True)),
        canonical_programmes(offers.drop(columns=list(HIDDEN))),
        canonical_outcomes(terms[["firm_id", "year", "programme_id", "outcome"]]),
    )
    return World(dataset, oracle, pd.concat(truth_frames, ignore_index=True), terms)


def _terms(
    firms: pd.DataFrame,
    programmes: pd.DataFrame,
    offerings: Offerings,
    f: np.ndarray,
    p: np.ndarray,
    gaps: np.ndarray,
    absorb: np.ndarray,
    employees: np.ndarray,
    history: np.ndarray,
    benefit: np.ndarray,
    expected: np.ndarray,
    grades: np.ndarray,
) -> pd.DataFrame:
    """The latent terms of each participation (f[i], p[i]), for checks and the docs."""
    targets = offerings.targets[p]
    code = offerings.type_code[p]
    return pd.DataFrame(
        {
            "firm_id": firms["firm_id"].to_numpy()[f],
            "year": firms["year"].to_numpy()[f],
            "programme_id": programmes["programme_id"].to_numpy()[p],
            "programme_type": programmes["programme_type"].to_numpy()[p],
            "room": (gaps[f] * targets).sum(1) / np.maximum(targets.sum(1), 1),
            "absorb": absorb[f, code],
            "intensity": support_intensity(offerings.support[p], code, employees[f]),
            "repeat": np.log1p(history[f, code]),
            "benefit": benefit[f, p],
            "expected_outcome": expected[f, p],
            "outcome": grades,
        }
    )


def _oracle(
    firms: pd.DataFrame,
    programmes: pd.DataFrame,
    eligible: np.ndarray,
    expected: np.ndarray,
    type_code: np.ndarray,
) -> pd.DataFrame:
    f, p = np.nonzero(eligible & np.isin(type_code, _SCORED_CODES)[None, :])
    return pd.DataFrame(
        {
            "firm_id": firms["firm_id"].to_numpy()[f],
            "year": firms["year"].to_numpy()[f],
            "programme_id": programmes["programme_id"].to_numpy()[p],
            "expected_outcome": np.round(expected[f, p], 6),
        }
    )
