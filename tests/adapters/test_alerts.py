"""Alerts of new matches, and the store-backed Bizinfo catalogue they feed on.

A subscriber hears once about each newly imported programme that is open and enters its
top k; the store import is idempotent and keeps caseworkers' type overrides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import training.local
import training.version
from api.app import create_app
from cli import app
from recommender.adapters.artefact import load_recommender
from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.registry import Registry
from recommender.adapters.store import (
    create_key,
    dispose_engines,
    get_engine,
    import_dataset,
    list_alerts,
    load_programmes,
    session_scope,
    subscribe,
    upgrade_database,
    upsert_programmes,
)
from recommender.alerts import new_matches
from recommender.recommend import Recommender
from recommender.settings import PROJECT_ROOT, Settings, get_settings
from recommender.simulate import World, simulate_world
from tests.signing import TEST_SIGNING_KEY

FEED = PROJECT_ROOT / "recommender" / "data" / "bizinfo" / "announcements-2023-2025.csv"
YEAR = 2024
OPEN_DAY = date(YEAR, 6, 1)


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(n_firms=300, seed=1)


@pytest.fixture(scope="module")
def models_dir(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as mp:  # the report's SHAP plots are not under test
        mp.setattr(training.version, "shap_plots", lambda *a, **k: [])
        training.local.train_version(
            world.dataset,
            registry=Registry(root, signing_key=TEST_SIGNING_KEY),
            version="tiny",
            objective="regression",
            run_evaluation=False,
            num_threads=2,
        )
    return root


@pytest.fixture(scope="module")
def year_open(world: World) -> pd.DataFrame:
    """The world's catalogue with every programme of YEAR open all year."""
    programmes = world.dataset.programmes.copy()
    in_year = programmes["year"] == YEAR
    programmes.loc[in_year, "apply_start"] = f"{YEAR}-01-01"
    programmes.loc[in_year, "apply_end"] = f"{YEAR}-12-31"
    return programmes


@pytest.fixture(scope="module")
def recommender(models_dir: Path, year_open: pd.DataFrame) -> Recommender:
    return load_recommender(
        Registry(models_dir, signing_key=TEST_SIGNING_KEY), programmes=year_open
    )


@pytest.fixture(scope="module")
def firm(world: World, recommender: Recommender) -> dict[str, Any]:
    """A YEAR firm profile with at least eight ranked programmes."""
    firms = world.dataset.firms
    for row in firms[firms["year"] == YEAR].to_dict("records"):
        if len(recommender.recommend(row, k=100, explain="none", as_of=OPEN_DAY).items) >= 8:
            return row
    raise AssertionError("no firm with eight eligible programmes in the test world")


@pytest.fixture
def settings(
    tmp_path: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The CLI's settings: a fresh SQLite store under tmp_path and the tiny model."""
    monkeypatch.setenv("RECOMMENDER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("RECOMMENDER_MODELS_DIR", str(models_dir))
    monkeypatch.setenv("RECOMMENDER_SIGNING_KEY", TEST_SIGNING_KEY)
    monkeypatch.setenv("RECOMMENDER_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'r.db'}")
    get_settings.cache_clear()
    yield get_settings()
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """The first 30 announcements of the shipped feed."""
    path = tmp_path / "feed.csv"
    read_announcements(FEED).head(30).to_csv(path, index=False)
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def counts(output: str) -> tuple[int, int, int]:
    found = re.search(r"(\d+) added, (\d+) updated, (\d+) unchanged", output)
    assert found, output
    return int(found[1]), int(found[2]), int(found[3])


def stored_programmes(settings: Settings, **kwargs: Any) -> pd.DataFrame:
    with session_scope(get_engine(settings.db_url)) as session:
        return load_programmes(session, **kwargs)


# --- new_matches (pure) -----------------------------------------------------------------
def test_only_new_programmes_entering_the_top_k_are_matched(
    recommender: Recommender, firm: dict[str, Any]
) -> None:
    ranked = recommender.recommend(firm, k=100, explain="none", as_of=OPEN_DAY).items
    inside, outside = ranked[1], ranked[5]
    matches = new_matches(
        recommender, [(7, firm, 3)], {inside.programme_id, outside.programme_id}, OPEN_DAY
    )
    assert matches["programme_id"].tolist() == [inside.programme_id]
    assert matches["subscription_id"].tolist() == [7]
    assert matches["rank"].tolist() == [2]
    assert matches["score"].iloc[0] == pytest.approx(inside.score)


def test_each_subscriber_gets_its_own_k(recommender: Recommender, firm: dict[str, Any]) -> None:
    ranked = recommender.recommend(firm, k=100, explain="none", as_of=OPEN_DAY).items
    new = {item.programme_id for item in ranked[:6]}
    matches = new_matches(recommender, [(1, firm, 2), (2, firm, 6)], new, OPEN_DAY)
    assert matches.groupby("subscription_id").size().to_dict() == {1: 2, 2: 6}


def test_programmes_not_open_on_the_day_are_never_matched(
    recommender: Recommender, firm: dict[str, Any]
) -> None:
    ranked = recommender.recommend(firm, k=100, explain="none", as_of=OPEN_DAY).items
    new = {item.programme_id for item in ranked[:3]}
    assert new_matches(recommender, [(1, firm, 5)], new, date(YEAR + 1, 2, 1)).empty
    assert new_matches(recommender, [(1, firm, 5)], new, date(YEAR - 1, 12, 31)).empty
    assert len(new_matches(recommender, [(1, firm, 5)], new, OPEN_DAY)) == 3


def test_an_older_profile_is_matched_against_the_new_programmes_year(
    recommender: Recommender, firm: dict[str, Any]
) -> None:
    ranked = recommender.recommend(firm, k=100, explain="none", as_of=OPEN_DAY).items
    older = {**firm, "year": YEAR - 2, "founded_year": firm["founded_year"] - 2}
    matches = new_matches(recommender, [(1, older, 1)], {ranked[0].programme_id}, OPEN_DAY)
    assert matches["programme_id"].tolist() == [ranked[0].programme_id]


def test_no_subscribers_or_no_new_programmes_mean_no_matches(
    recommender: Recommender, firm: dict[str, Any]
) -> None:
    assert new_matches(recommender, [], {"P-unknown"}, OPEN_DAY).empty
    assert new_matches(recommender, [(1, firm, 5)], {"P-unknown"}, OPEN_DAY).empty
    assert list(new_matches(recommender, [], set(), OPEN_DAY).columns) == [
        "subscription_id",
        "programme_id",
        "rank",
        "score",
    ]


# --- alerts run (store + CLI) -----------------------------------------------------------
@pytest.fixture
def stored_world(
    settings: Settings, world: World, year_open: pd.DataFrame, firm: dict[str, Any]
) -> Settings:
    """The world (YEAR programmes open all year) in the store, the firm subscribed."""
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    import_dataset(engine, world.dataset)
    with session_scope(engine) as session:
        upsert_programmes(session, year_open)
    run("alerts", "subscribe", "--firm", str(firm["firm_id"]), "--k", "3")
    return settings


def alerts_in(settings: Settings) -> list[tuple[int, str]]:
    with session_scope(get_engine(settings.db_url)) as session:
        return [(a.subscription_id, a.programme_id) for a in list_alerts(session)]


def test_alerts_run_twice_alerts_once(stored_world: Settings) -> None:
    first = run("alerts", "run", "--as-of", OPEN_DAY.isoformat())
    assert "3 alerts" in first
    assert len(alerts_in(stored_world)) == 3
    second = run("alerts", "run", "--as-of", OPEN_DAY.isoformat())
    assert "0 new programmes" in second and "0 alerts" in second
    assert len(alerts_in(stored_world)) == 3


def test_a_later_import_alerts_only_its_new_programmes(
    stored_world: Settings, recommender: Recommender, firm: dict[str, Any], year_open: pd.DataFrame
) -> None:
    run("alerts", "run", "--as-of", OPEN_DAY.isoformat())
    before = set(alerts_in(stored_world))
    best = recommender.recommend(firm, k=1, explain="none", as_of=OPEN_DAY).items[0]
    twin = year_open[year_open["programme_id"] == best.programme_id].assign(
        programme_id="NEW-twin-of-best"
    )
    closed = twin.assign(
        programme_id="NEW-closed", apply_start=f"{YEAR}-07-01", apply_end=f"{YEAR}-07-31"
    )
    with session_scope(get_engine(stored_world.db_url)) as session:
        upsert_programmes(session, pd.concat([twin, closed], ignore_index=True))
    output = run("alerts", "run", "--as-of", OPEN_DAY.isoformat())
    assert "2 new programmes" in output and "NEW-twin-of-best" in output
    assert set(alerts_in(stored_world)) - before == {(1, "NEW-twin-of-best")}
    run("alerts", "run", "--as-of", f"{YEAR}-07-15")  # open now, but no longer new
    assert set(alerts_in(stored_world)) - before == {(1, "NEW-twin-of-best")}


def test_subscribing_an_unknown_firm_fails_cleanly(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["alerts", "subscribe", "--firm", "nobody"])
    assert result.exit_code == 2
    assert "not found" in result.output


# --- store-backed Bizinfo import --------------------------------------------------------
def test_store_import_twice_changes_nothing_and_keeps_ids(settings: Settings, feed: Path) -> None:
    first = run("catalogue", "import-bizinfo", str(feed), "--into-store")
    n = len(read_announcements(feed)["id"].unique())
    assert counts(first) == (n, 0, 0)
    ids = stored_programmes(settings)["programme_id"].tolist()
    second = run("catalogue", "import-bizinfo", str(feed), "--into-store")
    assert counts(second) == (0, 0, n)
    assert stored_programmes(settings)["programme_id"].tolist() == ids
    assert len(ids) == len(set(ids)) == n


def test_a_newer_feed_updates_changed_rows_and_adds_new_ones(
    settings: Settings, tmp_path: Path
) -> None:
    raw = read_announcements(FEED)
    old, newer = tmp_path / "old.csv", tmp_path / "newer.csv"
    raw.head(20).to_csv(old, index=False)
    changed = raw.head(25).copy()
    changed.loc[0, "title"] = changed.loc[0, "title"] + " (수정)"
    changed.to_csv(newer, index=False)
    run("catalogue", "import-bizinfo", str(old), "--into-store")
    assert counts(run("catalogue", "import-bizinfo", str(newer), "--into-store")) == (5, 1, 19)
    stored = stored_programmes(settings).set_index("programme_id")
    assert len(stored) == 25
    assert stored.loc[raw.loc[0, "id"], "name"].endswith("(수정)")


def test_a_type_override_survives_a_store_reimport(settings: Settings, feed: Path) -> None:
    run("catalogue", "import-bizinfo", str(feed), "--into-store")
    row = stored_programmes(settings).iloc[0]
    target = "education" if row["programme_type"] != "education" else "consulting"
    out = run("catalogue", "set-type", row["programme_id"], target)
    assert f"is now {target}" in out
    reimport = run("catalogue", "import-bizinfo", str(feed), "--into-store")
    assert counts(reimport)[1] == 0  # the override was already applied to the row
    after = stored_programmes(settings, with_type_evidence=True).set_index("programme_id")
    assert after.loc[row["programme_id"], "programme_type"] == target
    assert after.loc[row["programme_id"], "type_method"] == "override"
    raw_types = stored_programmes(settings, apply_overrides=False).set_index("programme_id")
    assert raw_types.loc[row["programme_id"], "programme_type"] == target


def test_set_type_in_the_store_refuses_unknown_programmes_and_types(
    settings: Settings, feed: Path
) -> None:
    run("catalogue", "import-bizinfo", str(feed), "--into-store")
    known = stored_programmes(settings)["programme_id"].iloc[0]
    unknown = CliRunner().invoke(app, ["catalogue", "set-type", "PBLN_nope", "education"])
    bad_type = CliRunner().invoke(app, ["catalogue", "set-type", known, "lottery"])
    assert unknown.exit_code == bad_type.exit_code == 2
    assert "not found" in unknown.output and "lottery" in bad_type.output


def test_import_needs_exactly_one_destination(
    settings: Settings, feed: Path, tmp_path: Path
) -> None:
    neither = CliRunner().invoke(app, ["catalogue", "import-bizinfo", str(feed)])
    both = CliRunner().invoke(
        app,
        ["catalogue", "import-bizinfo", str(feed), "--into-store", "--out", str(tmp_path / "cat")],
    )
    assert neither.exit_code != 0 and both.exit_code != 0


# --- GET /v1/alerts ---------------------------------------------------------------------
def test_alerts_endpoint_is_for_caseworkers_and_analysts(
    stored_world: Settings, firm: dict[str, Any]
) -> None:
    run("alerts", "run", "--as-of", OPEN_DAY.isoformat())
    engine = get_engine(stored_world.db_url)
    with session_scope(engine) as session:
        keys = {
            role: create_key(session, name=f"t-{role}", role=role)
            for role in ("caseworker", "analyst", "partner")
        }
        subscribe(session, created_by="someone", firm_id=str(firm["firm_id"]))
    with TestClient(create_app(stored_world)) as client:
        ok = client.get("/v1/alerts", headers={"X-API-Key": keys["caseworker"]})
        assert ok.status_code == 200
        body = ok.json()
        assert len(body["items"]) == 3 and body["next_cursor"] is None
        assert {item["firm_id"] for item in body["items"]} == {str(firm["firm_id"])}
        assert all(item["name"] and item["apply_end"] for item in body["items"])
        assert client.get("/v1/alerts", headers={"X-API-Key": keys["analyst"]}).status_code == 200
        assert client.get("/v1/alerts", headers={"X-API-Key": keys["partner"]}).status_code == 403
        assert client.get("/v1/alerts").status_code == 401
