"""POST /v1/allocations, GET /v1/allocations (a page of them) and GET
/v1/allocations/{id}[/assignments[.csv]]: a year's seats decided jointly over the stored
firms, stored with an id and audited."""

from __future__ import annotations

import io
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy.orm import Session

from api.deps import RegistryDep, ServiceDep, SessionDep, StaffDep
from api.paging import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of
from api.queries import write_audit_many
from api.schemas.allocations import (
    AllocationDetail,
    AllocationOut,
    AllocationRequest,
    AssignmentOut,
    assignments_of,
)
from api.schemas.common import MAX_ROW_ID, PROBLEM_RESPONSES
from api.security import Principal
from api.service import new_request_id
from recommender.adapters.store import (
    load_applications,
    load_firms,
    load_outcomes,
    load_programmes,
)
from recommender.adapters.store.allocations import (
    get_allocation,
    list_allocation_ids,
    load_assignments,
    save_allocation,
)
from recommender.allocate import Allocation, parse_floors
from recommender.allocate.cohort import allocate_cohort
from recommender.contract.datasets import validate_frames

router = APIRouter(prefix="/v1/allocations", tags=["allocations"], responses=PROBLEM_RESPONSES)
CREATE = "POST /v1/allocations"
AllocationId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class CSVResponse(Response):
    """A CSV file (UTF-8, header line first)."""

    media_type = "text/csv"


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
    session: Session, caller: Principal, allocation: Allocation, *, request_id: str, version: str
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
                "endpoint": CREATE,
                "model_version": version,
                "firm_id": None,
                "year": allocation.problem.year,
                "items": [{"programme_id": pid, "rank": None} for pid in given],
            }
        ],
    )


@router.post("", response_model=AllocationOut, status_code=status.HTTP_201_CREATED)
def create_allocation(
    principal: StaffDep,
    body: AllocationRequest,
    service: ServiceDep,
    registry: RegistryDep,
    session: SessionDep,
    response: Response,
) -> AllocationOut:
    """Allocate a year's seats among its stored firms, maximising the total expected outcome."""
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
        key_name=principal.name,
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
    _audit(session, principal, allocation, request_id=request_id, version=rec.version)
    session.commit()
    response.headers["Location"] = f"/v1/allocations/{allocation_id}"
    response.headers["X-Request-ID"] = request_id
    return AllocationOut.of(get_allocation(session, allocation_id))


@router.get("", response_model=Page[AllocationOut])
def list_allocations(
    principal: StaffDep,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[AllocationOut]:
    """Stored allocations, newest first (their assignments: GET .../assignments)."""
    last = decode_cursor("allocations", cursor, types=(int,))
    ids = list_allocation_ids(
        session, year=year, before_id=None if last is None else last[0], limit=limit + 1
    )
    items = [AllocationOut.of(get_allocation(session, i)) for i in ids]
    return page_of(items, limit=limit, kind="allocations", key=lambda a: [a.id])


@router.get("/{allocation_id}/assignments", response_model=Page[AssignmentOut])
def allocation_assignments(
    principal: StaffDep,
    session: SessionDep,
    allocation_id: AllocationId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[AssignmentOut]:
    """A stored allocation's assignments, by firm then programme."""
    last = decode_cursor(f"assignments-{allocation_id}", cursor, types=(str, str))
    rows = load_assignments(session, allocation_id)
    if last is not None:
        f, p = rows["firm_id"].astype(str), rows["programme_id"].astype(str)
        rows = rows[(f > last[0]) | ((f == last[0]) & (p > last[1]))]
    items = assignments_of(rows.head(limit + 1))
    return page_of(
        items,
        limit=limit,
        kind=f"assignments-{allocation_id}",
        key=lambda a: [a.firm_id, a.programme_id],
    )


@router.get("/{allocation_id}", response_model=AllocationDetail)
def read_allocation(
    principal: StaffDep,
    session: SessionDep,
    allocation_id: AllocationId,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> AllocationDetail:
    """A stored allocation: headline, floors, programme seat values and its assignments."""
    record = get_allocation(session, allocation_id)
    rows = load_assignments(session, allocation_id)
    return AllocationDetail.with_rows(record, rows, offset=offset, limit=limit)


@router.get(
    "/{allocation_id}/assignments.csv",
    response_class=CSVResponse,
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": "firm_id, year, programme_id, expected_outcome, "
            "score, reason: one row per assignment",
        }
    },
)
def download_allocation(
    principal: StaffDep, session: SessionDep, allocation_id: AllocationId
) -> CSVResponse:
    """A stored allocation's assignments as CSV (the columns of ``recommender allocate``)."""
    rows = load_assignments(session, allocation_id)
    text = io.StringIO()
    rows.to_csv(text, index=False, float_format="%.6f", lineterminator="\n")
    return CSVResponse(
        text.getvalue(),
        headers={"Content-Disposition": f'attachment; filename="allocation-{allocation_id}.csv"'},
    )
