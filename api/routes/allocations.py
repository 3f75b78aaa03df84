"""POST /v1/allocations, GET /v1/allocations (a page of them) and GET
/v1/allocations/{id}[/assignments[.csv]]: a year's seats decided jointly over the stored
firms, stored with an id and audited."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.allocating import run_allocation
from api.deps import RegistryDep, ServiceDep, SessionDep, StaffDep
from api.paging import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of
from api.schemas.allocations import (
    AllocationDetail,
    AllocationOut,
    AllocationRequest,
    AssignmentOut,
    assignments_of,
)
from api.schemas.common import MAX_ROW_ID, PROBLEM_RESPONSES
from recommender.adapters.store.allocations import (
    get_allocation,
    list_allocation_ids,
    load_assignments,
)

router = APIRouter(prefix="/v1/allocations", tags=["allocations"], responses=PROBLEM_RESPONSES)
AllocationId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class CSVResponse(Response):
    """A CSV file (UTF-8, header line first)."""

    media_type = "text/csv"


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
    allocation_id, request_id = run_allocation(session, service, registry, principal, body)
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
