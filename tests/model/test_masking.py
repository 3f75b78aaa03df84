"""Training pairs see programmes described as partially as real announcements are."""

from __future__ import annotations

import numpy as np
import pytest

from recommender import FeaturePipeline, World
from recommender.adapters.registry import Registry
from recommender.features import PAIR_FEATURES, ProgrammeTable
from training.masking import (
    BIZINFO_MISSING_RATES,
    SHIPPED_MASKING,
    Masking,
    masked_catalogue,
    missing_rates,
)
from training.pairs import labelled_pairs, prepared_firms

SUPPORT = PAIR_FEATURES.index("log_support")
PER_EMPLOYEE = PAIR_FEATURES.index("log_support_per_employee")
DURATION = PAIR_FEATURES.index("duration_months")
CAPACITY = PAIR_FEATURES.index("log_capacity")
LAB = PAIR_FEATURES.index("requires_lab")


@pytest.fixture(scope="module")
def built(small_world: World):
    ds = small_world.dataset
    firms = prepared_firms(ds)
    pipeline = FeaturePipeline().fit(ds.firms)
    table = ProgrammeTable(ds.programmes)
    return ds, pipeline, firms, table


def test_the_shipped_rates_are_the_shipped_feeds() -> None:
    from bench.missingness import shipped_catalogue

    measured = missing_rates(shipped_catalogue())
    assert measured == pytest.approx(dict(BIZINFO_MISSING_RATES), abs=0.0005)


def test_masked_pairs_lose_attributes_at_the_set_rates_and_keep_the_rest(built) -> None:
    ds, pipeline, firms, table = built
    full = labelled_pairs(ds, pipeline, firms, table)
    both = labelled_pairs(ds, pipeline, firms, table, SHIPPED_MASKING)
    # every pair as the catalogue states it, then its masked copy
    assert len(both.meta) == 2 * len(full.meta) > 2000
    stated, masked = (
        both.subset(~both.meta["masked"].to_numpy()),
        both.subset(both.meta["masked"].to_numpy()),
    )
    np.testing.assert_array_equal(stated.X, full.X)
    assert np.isnan(full.X[:, SUPPORT]).mean() == 0.0, "the demo world states support"
    hidden = np.isnan(masked.X[:, SUPPORT])
    assert hidden.mean() == pytest.approx(BIZINFO_MISSING_RATES["support_krw_m"], abs=0.04)
    assert np.array_equal(hidden, np.isnan(masked.X[:, PER_EMPLOYEE]))
    assert np.isnan(masked.X[:, DURATION]).all() and np.isnan(masked.X[:, CAPACITY]).all()
    assert (masked.X[:, LAB] == 0).mean() >= (full.X[:, LAB] == 0).mean()
    untouched = [i for i in range(len(PAIR_FEATURES)) if i not in (SUPPORT, PER_EMPLOYEE)]
    untouched = [i for i in untouched if i not in (DURATION, CAPACITY, LAB)]
    np.testing.assert_array_equal(masked.X[:, untouched], full.X[:, untouched])
    np.testing.assert_array_equal(masked.X[~hidden, SUPPORT], full.X[~hidden, SUPPORT])
    columns = list(full.meta.columns)
    assert masked.meta[columns].equals(full.meta) and stated.meta[columns].equals(full.meta)


def test_a_pair_is_masked_the_same_way_whatever_else_is_built_with_it(built) -> None:
    ds, pipeline, firms, table = built
    masking = Masking({"support_krw_m": 0.5}, seed=3)

    def copies(pairs):
        return pairs.subset(pairs.meta["masked"].to_numpy())

    whole = copies(labelled_pairs(ds, pipeline, firms, table, masking))
    last = ds.firms["year"].max()
    part = copies(
        labelled_pairs(
            ds,
            pipeline,
            firms,
            ProgrammeTable(ds.programmes[ds.programmes["year"] == last]),
            masking,
        )
    )
    assert len(part.meta) > 100
    keys = ["firm_id", "year", "programme_id"]
    pos = whole.meta.reset_index().merge(part.meta.reset_index(), on=keys)
    assert len(pos) == len(part.meta)
    np.testing.assert_array_equal(
        whole.X[pos["index_x"].to_numpy(), SUPPORT], part.X[pos["index_y"].to_numpy(), SUPPORT]
    )
    other = copies(
        labelled_pairs(ds, pipeline, firms, table, Masking({"support_krw_m": 0.5}, seed=4))
    )
    assert not np.array_equal(np.isnan(other.X[:, SUPPORT]), np.isnan(whole.X[:, SUPPORT]))


def test_a_masked_catalogue_hides_an_attribute_for_every_firm_alike(small_world: World) -> None:
    programmes = small_world.dataset.programmes
    shown = masked_catalogue(programmes, Masking({"support_krw_m": 0.5}, seed=1))
    hidden = shown["support_krw_m"].isna() & programmes["support_krw_m"].notna().to_numpy()
    assert 0.3 < hidden.mean() < 0.7
    assert shown["programme_id"].tolist() == programmes["programme_id"].tolist()


@pytest.mark.parametrize(
    ("rates", "word"), [({"name": 0.5}, "one of"), ({"capacity": 1.5}, "a share in [0, 1]")]
)
def test_a_rate_that_makes_no_sense_is_refused(rates: dict[str, float], word: str) -> None:
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace("]", r"\]")):
        Masking(rates)


def test_the_manifest_records_the_masking_and_it_reads_back(small_registry: Registry) -> None:
    recorded = small_registry.verify("small")["masking"]
    assert recorded == {"rates": dict(BIZINFO_MISSING_RATES), "seed": 42}
    assert Masking.of_record(recorded) == SHIPPED_MASKING
    assert Masking.of_record(None) is None
