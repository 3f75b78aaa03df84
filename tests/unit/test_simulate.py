"""The demo world: a plausible, reproducible population whose outcomes follow the documented
causal model, whose participation is biased, and whose oracle covers every eligible pair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.constants import (
    CAPABILITIES,
    OTHER_TYPE,
    PROGRAMME_TYPES,
    SCORED_TYPES,
    SIZE_BANDS,
)
from recommender.eligibility import eligible_pairs
from recommender.errors import RecommenderError
from recommender.simulate import World, simulate_world
from recommender.simulate.chunked import scaled_capacity, simulate_in_chunks
from recommender.simulate.firms import size_band
from recommender.simulate.industries import BOILERPLATE, INDUSTRIES, TYPE_WORDS, focus_text
from recommender.simulate.outcomes import (
    B_TEXT,
    THRESHOLDS,
    Offerings,
    draw_outcome,
    expected_outcome,
    latent_benefit,
)
from recommender.simulate.world import text_relatedness

KEY = ["firm_id", "year", "programme_id"]
# which capabilities a programme of each type may target (docs/causal-model.md)
ALLOWED_TARGETS = {
    "consulting": {
        "cap_internal_coordination",
        "cap_marketing",
        "cap_feedback",
        "cap_nontech_innovation",
        "cap_commercialization",
        "cap_funding_access",
        "cap_tech_planning",
    },
    "rnd_planning": {
        "cap_tech_planning",
        "cap_rnd_execution",
        "cap_tech_acquisition",
        "cap_feedback",
    },
    "education": {
        "cap_hr_skills",
        "cap_nontech_innovation",
        "cap_internal_coordination",
        "cap_feedback",
    },
    "industry_academic": {"cap_tech_acquisition", "cap_rnd_execution", "cap_hr_skills"},
    "commercialization": {"cap_commercialization", "cap_marketing", "cap_funding_access"},
    "globalization": {"cap_global_orientation", "cap_global_partnerships", "cap_marketing"},
    # the reports' two main problems: funds and people
    "finance": {"cap_funding_access", "cap_commercialization", "cap_global_orientation"},
    "workforce": {"cap_hr_skills", "cap_rnd_execution", "cap_internal_coordination"},
}


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(n_firms=2000, years=(2022, 2024), seed=42)


@pytest.fixture(scope="module")
def firms(world: World) -> pd.DataFrame:
    return world.dataset.firms


@pytest.fixture(scope="module")
def programmes(world: World) -> pd.DataFrame:
    return world.dataset.programmes


@pytest.fixture(scope="module")
def outcomes(world: World) -> pd.DataFrame:
    assert world.dataset.outcomes is not None
    return world.dataset.outcomes


def _bands(firms: pd.DataFrame) -> pd.Series:
    return pd.Series(
        np.asarray(SIZE_BANDS)[size_band(firms["employees"].to_numpy())], index=firms.index
    )


# --- reproducibility and the contract ----------------------------------------------------
def test_the_same_seed_gives_the_same_world_and_another_seed_does_not():
    a, b, c = (simulate_world(n_firms=300, seed=seed) for seed in (7, 7, 8))
    assert a.dataset == b.dataset
    pd.testing.assert_frame_equal(a.oracle, b.oracle)
    assert not a.dataset.firms.equals(c.dataset.firms)


def test_nonsense_sizes_and_years_are_refused():
    with pytest.raises(RecommenderError, match="number of firms"):
        simulate_world(n_firms=0)
    with pytest.raises(RecommenderError, match="2024-2022"):
        simulate_world(years=(2024, 2022))


def test_a_single_year_world_is_its_own_held_out_year():
    w = simulate_world(n_firms=400, years=(2024, 2024), seed=1)
    assert set(w.dataset.firms["year"]) == {2024}
    assert w.dataset.outcomes is not None and len(w.dataset.outcomes) > 0
    assert set(w.oracle["year"]) == {2024}


# --- a large world in chunks ----------------------------------------------------------------
def test_a_chunked_world_splits_the_firms_evenly_and_shares_one_catalogue():
    said: list[str] = []
    chunked = simulate_in_chunks(
        n_firms=301, partitions=3, years=(2023, 2024), seed=5, progress=said.append
    )
    assert chunked.sizes == (101, 100, 100)
    assert said == []  # nothing is simulated before a chunk is asked for
    worlds = list(chunked.chunks)
    assert len(worlds) == 3
    assert said == [
        f"simulating chunk {i} of 3 ({n} firms)" for i, n in ((1, 101), (2, 100), (3, 100))
    ]
    ids = [w.dataset.firms["firm_id"].unique() for w in worlds]
    assert [len(i) for i in ids] == [101, 100, 100]
    assert sorted(np.concatenate(ids)) == [f"F{j:06d}" for j in range(1, 302)]
    for w in worlds:
        assert w.dataset.programmes.equals(chunked.programmes)
        assert set(w.dataset.outcomes["programme_id"]) <= set(chunked.programmes["programme_id"])
        assert set(w.oracle["year"]) == {2024}


@pytest.mark.parametrize("partitions", [0, 302, 1.5, True])
def test_a_chunked_world_refuses_nonsense_partitions(partitions):
    with pytest.raises(RecommenderError, match="partitions must be a whole number"):
        simulate_in_chunks(n_firms=301, partitions=partitions)


def test_a_chunk_gets_its_share_of_the_places_and_at_least_one():
    offers = pd.DataFrame({"true_capacity": [100, 3, 1]})
    assert scaled_capacity(offers, 0.25)["true_capacity"].tolist() == [25, 1, 1]


# --- the population ----------------------------------------------------------------------
def test_sector_and_region_mix_is_korean(firms):
    sectors = firms["sector"].value_counts(normalize=True)
    assert sectors.index[:2].isin(["mfg_mid_tech", "mfg_low_tech", "other_services"]).all()
    assert 0.04 < sectors["kbs_content"] < 0.10
    regions = firms["region"].value_counts(normalize=True)
    assert list(regions.index[:2]) == ["gyeonggi", "seoul"]
    assert regions[["gyeonggi", "seoul"]].sum() > 0.4
    assert regions.get("jeju", 0) < 0.03
    assert firms["region"].nunique() >= 15
    kbs = firms["sector"].str.startswith("kbs_")
    in_seoul = firms["region"] == "seoul"
    assert in_seoul[kbs].mean() > 2 * in_seoul[~kbs].mean()


def test_most_firms_are_micro_or_small_with_a_heavy_tail(firms):
    bands = _bands(firms).value_counts(normalize=True)
    assert bands["micro"] + bands["small"] > 0.85
    assert bands["micro"] > 0.35
    assert 0.0 < bands.get("medium", 0) < 0.15
    assert firms["employees"].max() > 20 * firms["employees"].median()


def test_exports_rnd_and_labs_follow_sector_and_size(firms):
    exporter = firms["export_share"] > 0
    assert exporter.mean() < 0.3  # most firms export nothing
    by_sector = exporter.groupby(firms["sector"]).mean()
    assert by_sector["mfg_high_tech"] > 2 * by_sector["other_services"]
    assert by_sector["kbs_ict"] > 2 * by_sector["other_services"]
    labs = firms["has_rnd_lab"].groupby(_bands(firms)).mean()
    assert labs["micro"] < labs["small"] < labs["medium"]
    assert (firms.loc[firms["has_rnd_lab"], "researchers"] >= 2).all()
    assert (firms["researchers"] <= firms["employees"]).all()
    assert firms.loc[firms["researchers"] > 0, "rnd_spend_krw_m"].gt(0).all()


def test_firms_evolve_a_little_and_some_enter_later(firms):
    per_firm = firms.groupby("firm_id")
    assert (per_firm[["founded_year", "sector", "region"]].nunique() == 1).all().all()
    assert (per_firm["patents"].apply(lambda s: s.is_monotonic_increasing)).all()
    changed = per_firm["employees"].nunique() > 1
    assert 0.2 < changed.mean() < 0.95
    first = set(firms.loc[firms["year"] == 2022, "firm_id"])
    last = set(firms.loc[firms["year"] == 2024, "firm_id"])
    assert len(last - first) > 0.03 * len(last)  # entrants
    assert (firms["founded_year"] <= firms["year"]).all()


def test_self_diagnosis_is_a_noisy_biased_incomplete_reading_of_the_truth(world, firms):
    ratings = firms[list(CAPABILITIES)].to_numpy(float)
    truth = world.truth[list(CAPABILITIES)].to_numpy(float)
    keys = ["firm_id", "year"]
    assert (world.truth[keys].to_numpy() == firms[keys].to_numpy()).all()
    missing = np.isnan(ratings)
    assert 0.10 < missing.mean() < 0.22
    assert 0.02 < missing.all(1).mean() < 0.12  # some firm-years skip the whole diagnosis
    answered = ~missing
    assert set(np.unique(ratings[answered])) == {1.0, 2.0, 3.0, 4.0, 5.0}
    r = np.corrcoef(ratings[answered], truth[answered])[0, 1]
    assert 0.5 < r < 0.9
    assert ratings[answered].mean() > truth[answered].mean() + 0.1  # firms over-rate on average


# --- the catalogue -----------------------------------------------------------------------
def test_every_type_runs_every_year_in_a_catalogue_of_25_to_40(programmes):
    by_year = dict(list(programmes.groupby("year")))
    assert sorted(by_year) == [2022, 2023, 2024]
    for offered in by_year.values():
        assert set(offered["programme_type"]) == set(PROGRAMME_TYPES)
        assert 25 <= len(offered) <= 40


def test_offerings_get_new_ids_each_year_and_most_programmes_recur(programmes):
    assert programmes["programme_id"].is_unique
    assert programmes["programme_id"].str.fullmatch(r"P\d{4}-\d{3}").all()
    assert (programmes["programme_id"].str[1:5].astype(int) == programmes["year"]).all()
    names = {year: set(g["name"]) for year, g in programmes.groupby("year")}
    for year in (2023, 2024):
        recurring = names[year] & names[year - 1]
        assert len(recurring) > 0.6 * len(names[year - 1])
        assert len(names[year] - names[year - 1]) >= 1  # wholly new programmes


def test_targets_fit_the_programme_type_and_rules_vary(programmes):
    scored = programmes[programmes["programme_type"] != OTHER_TYPE]
    assert not scored.empty
    for ptype, targets in zip(scored["programme_type"], scored["targets"], strict=True):
        assert set(targets.split(";")) <= ALLOWED_TARGETS[ptype]
    rnd = scored[scored["programme_type"] == "rnd_planning"]
    assert rnd["targets"].str.contains("cap_tech_planning").all()
    assert (programmes["regions"] != "*").any() and (programmes["sectors"] != "*").any()
    for rule in (
        "min_employees",
        "max_employees",
        "min_firm_age",
        "max_firm_age",
        "max_revenue_krw_m",
    ):
        assert programmes[rule].notna().any(), rule
    assert (programmes["requires_rnd_lab"] == True).any()  # noqa: E712
    assert programmes["agency"].notna().mean() > 0.8
    assert (programmes["support_krw_m"].dropna() > 0).all()


# --- participation -----------------------------------------------------------------------
def test_firms_only_join_programmes_they_are_eligible_for(firms, programmes, outcomes):
    pairs = eligible_pairs(firms, programmes)
    eligible = set(
        zip(
            firms["firm_id"].to_numpy()[pairs["firm_row"]],
            firms["year"].to_numpy()[pairs["firm_row"]],
            programmes["programme_id"].to_numpy()[pairs["programme_row"]],
            strict=True,
        )
    )
    taken = set(outcomes[KEY].itertuples(index=False, name=None))
    assert taken <= eligible


def test_a_fifth_to_two_fifths_take_part_mostly_once_within_capacity(firms, programmes, outcomes):
    per_profile = outcomes.groupby(["firm_id", "year"]).size()
    took_part = firms.set_index(["firm_id", "year"]).index.isin(per_profile.index)
    rate = pd.Series(took_part).groupby(firms["year"].to_numpy()).mean()
    assert ((rate > 0.18) & (rate < 0.42)).all(), rate
    assert per_profile.max() == 2
    assert (per_profile == 1).mean() > 0.75
    joined = outcomes.groupby("programme_id").size()
    capacity = programmes.set_index("programme_id")["capacity"].reindex(joined.index)
    assert (joined[capacity.notna()] <= capacity.dropna()).all()
    assert set(outcomes["year"]) == {2022, 2023, 2024}


def test_selection_is_not_random_bigger_firms_take_part_more(firms, outcomes):
    took_part = firms.set_index(["firm_id", "year"]).index.isin(
        outcomes.set_index(["firm_id", "year"]).index
    )
    rate = pd.Series(took_part).groupby(_bands(firms).to_numpy()).mean()
    assert rate["micro"] + 0.1 < rate["small"] < rate["medium"]


def test_firms_pick_only_weakly_by_true_fit(world):
    last = world.terms[world.terms["year"] == 2024]
    per_firm = world.oracle.groupby("firm_id")["expected_outcome"]
    chosen = last[last["programme_type"] != OTHER_TYPE]
    best = per_firm.max().reindex(chosen["firm_id"]).mean()
    assert chosen["expected_outcome"].mean() < best - 0.2


# --- outcomes and the causal model -------------------------------------------------------
def test_outcomes_cover_all_grades_and_the_held_out_year(outcomes):
    shares = outcomes["outcome"].value_counts(normalize=True)
    assert set(shares.index) == {0, 1, 2, 3}
    assert shares[1] > shares[3] and shares[3] > 0.02
    assert (outcomes["year"] == 2024).sum() > 100


def test_benefit_needs_both_a_gap_and_the_capacity_to_absorb(world):
    t = world.terms[world.terms["programme_type"] != OTHER_TYPE]
    big_gap = t["room"] > t["room"].median()
    able = t["absorb"] > t["absorb"].median()
    high = t.loc[big_gap & able, "outcome"].mean()
    assert high > t.loc[t["room"] < t["room"].quantile(0.25), "outcome"].mean() + 0.3
    unable = t["absorb"] < t["absorb"].quantile(0.25)
    assert high > t.loc[big_gap & unable, "outcome"].mean() + 0.3


def test_expected_outcome_is_the_exact_mean_of_the_drawn_grades():
    rng = np.random.default_rng(0)
    for b in (-1.0, 0.3, 1.1, 2.0, 4.0):
        draws = draw_outcome(np.full(400_000, b), rng)
        assert draws.mean() == pytest.approx(float(expected_outcome(np.array(b))), abs=0.01)
    grid = expected_outcome(np.linspace(-10, 15, 101))
    assert (np.diff(grid) > 0).all() and grid[0] >= 0 and grid[-1] <= 3
    assert float(expected_outcome(np.array(THRESHOLDS[1]))) == pytest.approx(1.5, abs=0.05)


def _benefit(
    gap: float,
    capacity: float,
    *,
    employees: float = 10.0,
    repeats: float = 0.0,
    support: float = 20.0,
) -> float:
    offer = Offerings.from_columns(["cap_marketing"], ["consulting"], np.array([support]))
    gaps = np.zeros((1, len(CAPABILITIES)))
    gaps[0, CAPABILITIES.index("cap_marketing")] = gap
    absorb = np.full((1, len(PROGRAMME_TYPES)), capacity)
    history = np.zeros((1, len(PROGRAMME_TYPES)))
    history[0, PROGRAMME_TYPES.index("consulting")] = repeats
    return float(latent_benefit(gaps, absorb, np.array([employees]), history, offer)[0, 0])


def test_latent_benefit_terms_act_as_documented():
    assert _benefit(1.5, 0.9) > _benefit(0.0, 0.9) + 1.0  # gap matters ...
    assert _benefit(1.5, 0.9) > _benefit(1.5, 0.05) + 1.0  # ... if it can be absorbed
    assert _benefit(0.0, 0.9) == pytest.approx(_benefit(0.0, 0.05))
    assert _benefit(1.0, 0.5, repeats=1) < _benefit(1.0, 0.5)  # repeating pays less
    assert _benefit(1.0, 0.5, repeats=2) - _benefit(1.0, 0.5, repeats=1) > _benefit(
        1.0, 0.5, repeats=1
    ) - _benefit(1.0, 0.5)  # ... ever less (log)
    small, mid, big = (_benefit(1.0, 0.5, employees=e) for e in (200.0, 20.0, 2.0))
    assert small < mid < big and big - mid < 2 * (mid - small) + 1  # diminishing intensity


def test_the_text_term_adds_its_weight_times_the_match():
    offer = Offerings.from_columns(
        ["cap_marketing", "cap_marketing"], ["consulting"] * 2, np.array([20.0, 20.0])
    )
    gaps = np.zeros((1, len(CAPABILITIES)))
    absorb = np.full((1, len(PROGRAMME_TYPES)), 0.5)
    history = np.zeros((1, len(PROGRAMME_TYPES)))
    plain = latent_benefit(gaps, absorb, np.array([10.0]), history, offer)
    match = np.array([[0.0, 0.2]])
    with_text = latent_benefit(gaps, absorb, np.array([10.0]), history, offer, match)
    assert with_text - plain == pytest.approx(B_TEXT * match)


def test_a_programme_naming_what_a_firm_does_matches_it_more_than_boilerplate():
    programmes = pd.DataFrame(
        {
            "name": ["Commercialization programme"] * 3,
            "description": [
                f"{TYPE_WORDS['commercialization']} {focus_text(0, (0, 1))} {BOILERPLATE[0]}",
                f"{TYPE_WORDS['commercialization']} {focus_text(0, (2,))} {BOILERPLATE[0]}",
                f"{TYPE_WORDS['commercialization']} {BOILERPLATE[0]} {BOILERPLATE[1]}",
            ],
        }
    )
    does = np.array([f"{INDUSTRIES[0].products[0]} {INDUSTRIES[0].activity}"], dtype=object)
    named, same_industry, boilerplate = text_relatedness(does, programmes)[0]
    assert 1.0 >= named > same_industry > boilerplate >= 0.0
    assert named > 3 * boilerplate


# --- the oracle --------------------------------------------------------------------------
def test_oracle_covers_every_eligible_scored_pair_of_the_last_year(world, firms, programmes):
    last_firms = firms[firms["year"] == 2024].reset_index(drop=True)
    scored = programmes["programme_type"].isin(SCORED_TYPES)
    last_progs = programmes[(programmes["year"] == 2024) & scored].reset_index(drop=True)
    pairs = eligible_pairs(last_firms, last_progs)
    expected = set(
        zip(
            last_firms["firm_id"].to_numpy()[pairs["firm_row"]],
            last_progs["programme_id"].to_numpy()[pairs["programme_row"]],
            strict=True,
        )
    )
    oracle = world.oracle
    assert set(zip(oracle["firm_id"], oracle["programme_id"], strict=True)) == expected
    assert len(oracle) == len(expected)
    assert (oracle["year"] == 2024).all()
    assert oracle["expected_outcome"].between(0, 3).all()
    assert oracle["expected_outcome"].std() > 0.2


def test_oracle_agrees_with_the_participations_it_covers(world):
    t = world.terms
    last = t[(t["year"] == 2024) & (t["programme_type"] != OTHER_TYPE)]
    merged = last.merge(world.oracle, on=KEY, suffixes=("", "_oracle"))
    assert len(merged) == len(last)
    assert merged["expected_outcome_oracle"].to_numpy() == pytest.approx(
        merged["expected_outcome"].to_numpy(), abs=1e-6
    )
    assert merged["outcome"].mean() == pytest.approx(merged["expected_outcome"].mean(), abs=0.12)
