"""Running a cohort allocation for a year: the one code path behind
``POST /v1/allocations`` and the staff pages' allocation form.

The year's stored firms, programmes, outcomes and applications go to the core's
:func:`recommender.allocate.cohort.allocate_cohort`; the allocation is stored with an
id and a request id, audited (who, which year, which model, which programmes got
seats) and committed.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from api.queries import write_audit_many
from api.schemas.allocations import AllocationRequest
from api.security import Principal
from api.service import ServingService, new_request_id
from recommender.adapters.registry import Registry
from recommender.adapters.store import (
    load_applications,
    load_firms,
    load_outcomes,
    load_programmes,
)
from recommender.adapters.store.allocations import save_allocation
from recommender.allocate import Allocation, parse_floors
from recommender.allocate.cohort import allocate_cohort
from recommender.contract.datasets import validate_frames

CREATE = "POST /v1/allocations"


def _applications(session: Session, body: AllocationRequest) -> pd.DataFrame | None:
    """The request's applications, checked against the stored firms and programmes of the
    year (a bad row is reported as ``applications.<i>.<column>``); without any, the
    year's stored applications, and ``None`` (no restriction) when it has none."""
    if body.applications is None:
        stored = load_applications(session, years=[body.year])
        return None if stored.empty else stored
    rows = pd.DataFrame(
        [
            {"firm_id": a.firm_id, "year": body.year, "programme_id": a.programme_id}
            for a in body.applications
        ],
        columns=["firm_id", "year", "programme_id"],
    )
    checked = validate_frames(
        load_firms(session, year=body.year),
        load_programmes(session, year=body.year),
        applications=rows,
        row_offset=0,
    )
    return checked.applications


def _audit(
    session: Session,
    caller: Principal,
    allocation: Allocation,
    *,
    request_id: str,
    version: str,
    endpoint: str,
) -> None:
    """One audit entry per allocation: who, which year, which model, which programmes."""
    table = allocation.programme_table()
    given = table.loc[table["assigned"] > 0, "programme_id"].tolist()
    write_audit_many(
        session,
        [
            {
                "key_name": caller.name,
                "role": caller.role,
                "request_id": request_id,
                "endpoint": endpoint,
                "model_version": version,
                "firm_id": None,
                "year": allocation.problem.year,
                "items": [{"programme_id": pid, "rank": None} for pid in given],
            }
        ],
    )


def run_allocation(
    session: Session,
    service: ServingService,
    registry: Registry,
    caller: Principal,
    body: AllocationRequest,
    *,
    endpoint: str = CREATE,
) -> tuple[int, str]:
    """Allocate ``body.year``'s seats among its stored firms, store and audit the
    allocation, commit; returns its id and request id.

    Raises
    ------
    ModelUnavailableError
        No model is being served.
    DataValidationError, ApiProblem
        A floor or an application is invalid (nothing is stored).
    """
    floors = parse_floors(body.min_shares)
    rec = service.model()
    objective = str(registry.verify(rec.version)["params"]["objective"])
    allocation = allocate_cohort(
        rec,
        load_firms(session, year=body.year),
        year=body.year,
        objective=objective,
        outcomes=load_outcomes(session),
        per_firm=body.per_firm,
        as_of=body.as_of,
        floors=floors,
        applications=_applications(session, body),
    )
    request_id = new_request_id()
    allocation_id = save_allocation(
        session,
        key_name=caller.name,
        request_id=request_id,
        year=body.year,
        model_version=rec.version,
        per_firm=body.per_firm,
        as_of=body.as_of,
        floors=[str(f) for f in floors],
        solver=allocation.solver,
        summary=allocation.summary(),
        programmes=allocation.programme_table(),
        assignments=allocation.assignments(),
    )
    _audit(
        session, caller, allocation, request_id=request_id, version=rec.version, endpoint=endpoint
    )
    session.commit()
    return allocation_id, request_id
