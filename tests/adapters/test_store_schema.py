"""The store's schema: migrations build it, it matches the mappings, SQLite is tuned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from recommender.adapters.store import (
    current_revision,
    head_revision,
    make_engine,
    upgrade_database,
)
from recommender.adapters.store.db import BUSY_TIMEOUT_MS
from recommender.adapters.store.tables import Base

TABLES = {
    "firms",
    "programmes",
    "outcomes",
    "applications",
    "type_overrides",
    "field_overrides",
    "api_keys",
    "feedback",
    "audit_log",
    "subscriptions",
    "alerts",
    "saved_profiles",
    "alert_seen_programmes",
    "allocations",
    "allocation_assignments",
    "change_log",
    "staff_sessions",
}


def test_migrations_create_every_table_at_head(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert current_revision(engine) == head_revision() == "0009"


def test_migrated_schema_matches_the_mappings(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_schema_drift_would_be_detected(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_firms_year"))
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert any(d[0] == "add_index" and d[1].name == "ix_firms_year" for d in diffs)


def test_lookup_indices_exist(engine: Engine) -> None:
    insp = inspect(engine)

    def indexed(table: str) -> set[str | None]:
        return {c for ix in insp.get_indexes(table) for c in ix["column_names"]}

    assert "year" in indexed("firms")
    assert insp.get_pk_constraint("firms")["constrained_columns"] == ["firm_id", "year"]
    assert {"year", "programme_type"} <= indexed("programmes")
    assert "at" in indexed("audit_log")
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("outcomes")}
    assert ("firm_id", "year", "programme_id") in uniques


def test_upgrade_is_idempotent(db_url: str) -> None:
    upgrade_database(db_url)
    upgrade_database(db_url)
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sqlite_file_and_directory_are_created(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "var" / "recommender.db"
    upgrade_database(f"sqlite:///{target}")
    assert target.is_file()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS == 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_default_url_is_the_settings_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recommender.settings import get_settings

    monkeypatch.setenv("RECOMMENDER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("RECOMMENDER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        upgrade_database(get_settings().db_url)  # the store takes the URL it is given
        assert (tmp_path / "var" / "recommender.db").is_file()
    finally:
        get_settings.cache_clear()
        from recommender.adapters.store import dispose_engines

        dispose_engines()


@pytest.mark.slow
def test_processes_starting_together_migrate_in_turn(db_url: str) -> None:
    code = (
        "import sys; from recommender.adapters.store import upgrade_database; "
        "upgrade_database(sys.argv[1])"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_old_feedback_moves_to_the_new_statuses_once_each(tmp_path: Path) -> None:
    from alembic import command

    from recommender.adapters.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            config = alembic_config(url)
            config.attributes["connection"] = conn
            command.upgrade(config, "0003")
            for action in ("accepted", "accepted", "joined", "declined"):
                conn.execute(
                    text(
                        "INSERT INTO feedback (request_id, programme_id, firm_id, action, "
                        "key_name, created_at) VALUES ('r1', 'P1', 'F1', :a, 'k', "
                        "'2026-01-01 00:00:00')"
                    ),
                    {"a": action},
                )
        upgrade_database(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, action FROM feedback ORDER BY id")).all()
            refused = None
            try:
                conn.execute(
                    text(
                        "INSERT INTO feedback (request_id, programme_id, firm_id, action, "
                        "key_name, created_at) VALUES ('r1', 'P1', 'F1', 'accepted', 'k', "
                        "'2026-01-01 00:00:00')"
                    )
                )
            except Exception as exc:  # noqa: BLE001 - the CHECK constraint refuses it
                refused = exc
        assert [a for _, a in rows] == ["interested", "joined", "declined"]
        assert rows[0][0] == 1  # the earliest of the repeated rows is the one kept
        assert refused is not None and "CHECK" in str(refused)
    finally:
        engine.dispose()
