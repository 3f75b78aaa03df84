"""Stored allocations come back as they were saved: header, programme table and rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from recommender.adapters.store import session_scope
from recommender.adapters.store.allocations import (
    get_allocation,
    load_assignments,
    save_allocation,
)
from recommender.allocate import ALLOCATION_COLUMNS, allocate
from recommender.errors import NotFoundError
from tests.unit.allocation_cases import grid_problem


def saved(engine: Engine) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    allocation = allocate(grid_problem([[3.0, 2.9], [2.0, 0.5], [1.0, None]], capacity=[1, None]))
    rows, table = allocation.assignments(), allocation.programme_table()
    with session_scope(engine) as session:
        allocation_id = save_allocation(
            session,
            key_name="case-1",
            request_id="req-1",
            year=2024,
            model_version="v1",
            per_firm=1,
            as_of=date(2024, 3, 1),
            floors=["region:busan=0.5"],
            solver=allocation.solver,
            summary=allocation.summary(),
            programmes=table,
            assignments=rows,
        )
    return allocation_id, rows, table


def test_an_allocation_reads_back_as_saved(engine: Engine) -> None:
    allocation_id, rows, table = saved(engine)
    with session_scope(engine) as session:
        record = get_allocation(session, allocation_id)
        back = load_assignments(session, allocation_id)
    assert (record.key_name, record.request_id, record.year, record.model_version) == (
        "case-1",
        "req-1",
        2024,
        "v1",
    )
    assert record.as_of == date(2024, 3, 1) and record.floors == ["region:busan=0.5"]
    assert record.summary["assignments"] == len(rows) == 2
    assert record.created_at.tzinfo is not None
    assert [p["programme_id"] for p in record.programmes] == ["P0", "P1"]
    assert record.programmes[1]["capacity"] is None  # unlimited, stored as null (no NaN)
    assert record.programmes[0]["seat_value"] == pytest.approx(table["seat_value"].iloc[0])
    assert tuple(back.columns) == ALLOCATION_COLUMNS
    expected = rows.sort_values(["firm_id", "programme_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert back["year"].dtype == np.int64


def test_each_allocation_keeps_its_own_rows(engine: Engine) -> None:
    first, rows, _ = saved(engine)
    second, _, _ = saved(engine)
    assert second != first
    with session_scope(engine) as session:
        assert len(load_assignments(session, first)) == len(load_assignments(session, second))
        assert len(load_assignments(session, second)) == len(rows)


def test_an_unknown_allocation_is_not_found(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(NotFoundError, match="allocation 99"):
        get_allocation(session, 99)
    with session_scope(engine) as session, pytest.raises(NotFoundError):
        load_assignments(session, 99)
