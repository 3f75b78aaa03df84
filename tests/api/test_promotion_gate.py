"""POST /v1/models/{version}/promote judges candidate and champion on the store's
outcomes (no oracle there), in a child process, and records the estimates.

Its own server over a store holding the gate's world (4,000 firms, 2022-2024) and a
copy of its registry: ``early`` (trained on 2022-2023) is the champion, ``inverted``
ranks in reverse, ``early-copy`` has ``early``'s files (``tests/gate_world.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from recommender.adapters.champion import read_history
from recommender.adapters.registry import Registry
from recommender.adapters.store import (
    create_key,
    get_engine,
    import_dataset,
    session_scope,
    upgrade_database,
)
from tests.api.conftest import LiveServer, make_settings
from tests.gate_world import YEARS


@pytest.fixture(scope="module")
def gate_server(
    gate_models: tuple[Any, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Registry, str]]:
    world, models = gate_models
    root = tmp_path_factory.mktemp("gate-api")
    shutil.copytree(models, root / "models")
    settings = make_settings(root, num_threads=2)
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    import_dataset(engine, world.dataset)
    with session_scope(engine) as session:
        key = create_key(session, name="gate-analyst", role="analyst")
    with LiveServer(create_app(settings)) as server:
        yield server, Registry(settings.models_dir, signing_key=settings.signing_key), key


def test_a_worse_candidate_is_refused_and_an_equal_one_promoted_with_its_estimates(
    gate_server: tuple[LiveServer, Registry, str],
) -> None:
    server, registry, key = gate_server
    assert registry.champion() == "early"
    with server.client(key) as client:
        client.timeout = 900  # each promotion fits who joins what on 4,000 firms
        refused = client.post("/v1/models/inverted/promote")
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["type"] == "/problems/promotion-refused"
        assert "for candidate 'inverted'" in body["detail"]
        assert "for champion 'early'" in body["detail"]
        assert "the store's outcomes" in body["detail"] and "95 % interval" in body["detail"]
        assert "the candidate is worse" in body["detail"]
        assert registry.champion() == "early"

        accepted = client.post("/v1/models/early-copy/promote")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["champion"] == "early-copy"
    event = read_history(registry.root)["events"][-1]
    evidence = event["evidence"]
    assert event["version"] == "early-copy" and evidence["accepted"] is True
    assert evidence["data"] == "the store's outcomes" and evidence["year"] == YEARS[1]
    assert evidence["champion"]["version"] == "early"
    assert evidence["candidate"]["ci_low"] <= evidence["candidate"]["estimate"]
    assert evidence["difference"]["estimate"] == 0.0
