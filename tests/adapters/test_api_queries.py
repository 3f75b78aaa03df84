"""The API's own store queries behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from api.queries import catalogue_token
from recommender.adapters.store import (
    get_firm,
    get_programme,
    import_dataset,
    session_scope,
    upsert_programmes,
)
from recommender.errors import NotFoundError
from tests.data.factories import valid_dataset


def _token(engine: Engine) -> tuple[str, ...]:
    with session_scope(engine) as s:
        return catalogue_token(s)


def test_catalogue_token_is_stable_and_follows_a_boolean_rule(engine: Engine) -> None:
    ds = valid_dataset()
    import_dataset(engine, ds)
    before = _token(engine)
    assert _token(engine) == before
    flipped = ds.programmes.copy()
    row = flipped["programme_id"] == "P23-RND"
    flipped.loc[row, "requires_rnd_lab"] = ~flipped.loc[row, "requires_rnd_lab"].astype(bool)
    with session_scope(engine) as s:
        assert upsert_programmes(s, flipped)["updated"] == 1
    assert _token(engine) != before


def test_keys_holding_nul_are_simply_unknown(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        with pytest.raises(NotFoundError):
            get_firm(s, "F\x001")
        with pytest.raises(NotFoundError):
            get_programme(s, "P23-RND\x00")
