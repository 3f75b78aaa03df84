"""A year's allocation on the staff pages: run one (programmes per firm, minimum
shares), list the stored ones, and show one with its programmes' seat values and its
assignments with their reasons (CSV of every assignment).

Running goes through :func:`api.allocating.run_allocation`, the code path of
``POST /v1/allocations`` (stored, audited); the request is checked by the API's own
:class:`~api.schemas.allocations.AllocationRequest`, each refused field named.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.allocating import run_allocation
from api.deps import RegistryDep, ServiceDep, SessionDep
from api.errors import ApiProblem, field_path
from api.routes.allocations import download_allocation
from api.schemas.allocations import AllocationDetail, AllocationOut, AllocationRequest
from api.schemas.common import MAX_ROW_ID
from api.service import ServingService
from api.staff.auth import signed_in, signed_post
from api.staff.firms import firm_path
from api.staff.render import STAFF_PATH, Staff, problem_page, refusal, render, see_other, switch_url
from recommender.adapters.store.allocations import (
    get_allocation,
    list_allocation_ids,
    load_assignments,
)
from recommender.errors import RecommenderError

router = APIRouter(prefix=STAFF_PATH, include_in_schema=False)
LISTED: Final[int] = 20
ASSIGNMENTS_SHOWN: Final[int] = 200
RUN: Final[str] = "POST /staff/allocations"
AllocationId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
Text = Annotated[str, Form(max_length=4000)]


def _whole(text: str) -> int | str:
    """A typed whole number as a number (the request model is strict), else as typed
    (so the model refuses it, naming its field)."""
    return int(text.strip()) if text.strip().isdigit() else text


def _years(service: ServingService) -> list[int]:
    try:
        return sorted(service.model().years(), reverse=True)
    except ApiProblem:
        return []


def _list_page(
    request: Request,
    who: Staff,
    service: ServingService,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    stored = [
        AllocationOut.of(get_allocation(session, i))
        for i in list_allocation_ids(session, limit=LISTED)
    ]
    years = _years(service)
    return render(
        request,
        "staff/allocations.html",
        who.tr,
        staff=who,
        remember=who.remember,
        status=422 if errors else 200,
        switch=f"{STAFF_PATH}/allocations?lang={who.tr.other}",
        stored=stored,
        years=years,
        values=values
        or {"year": str(years[0]) if years else "", "per_firm": "1", "min_shares": ""},
        errors=errors or {},
    )


@router.get("/allocations", response_class=HTMLResponse)
def allocations_page(
    request: Request, service: ServiceDep, session: SessionDep, lang: str | None = None
) -> Response:
    """The allocation form and the stored allocations, newest first."""
    who = signed_in(request, session, lang)
    if not isinstance(who, Staff):
        return who
    return _list_page(request, who, service, session)


@router.post("/allocations", response_class=HTMLResponse)
def run_allocation_form(
    request: Request,
    service: ServiceDep,
    registry: RegistryDep,
    session: SessionDep,
    csrf: Text = "",
    year: Text = "",
    per_firm: Text = "1",
    min_shares: Text = "",
) -> Response:
    """Run an allocation of a year and show it."""
    who = signed_post(request, session, csrf)
    if not isinstance(who, Staff):
        return who
    values = {"year": year, "per_firm": per_firm, "min_shares": min_shares}
    floors = [line.strip() for line in min_shares.splitlines() if line.strip()]
    try:
        body = AllocationRequest.model_validate(
            {"year": _whole(year), "per_firm": _whole(per_firm), "min_shares": floors}
        )
    except ValidationError as exc:
        errors = {field_path(e["loc"]).split(".")[0]: str(e["msg"]) for e in exc.errors()}
        return _list_page(request, who, service, session, values=values, errors=errors)
    try:
        allocation_id, _request_id = run_allocation(
            session, service, registry, who.principal, body, endpoint=RUN
        )
    except (ApiProblem, RecommenderError) as exc:
        session.rollback()
        status, message, refused = refusal(exc)
        errors = {str(e["field"]).split(".")[0]: str(e["message"]) for e in refused}
        if not errors:
            return problem_page(request, who, who.tr, message, status=status)
        return _list_page(request, who, service, session, values=values, errors=errors)
    return see_other(f"{STAFF_PATH}/allocations/{allocation_id}?done=1")


@router.get("/allocations/{allocation_id}", response_class=HTMLResponse)
def allocation_page(
    request: Request,
    session: SessionDep,
    allocation_id: AllocationId,
    done: int = 0,
    lang: str | None = None,
) -> Response:
    """One stored allocation: headline, floors, programme seat values, assignments."""
    who = signed_in(request, session, lang)
    if not isinstance(who, Staff):
        return who
    try:
        record = get_allocation(session, allocation_id)
    except RecommenderError as exc:
        status, message, errors = refusal(exc)
        return problem_page(request, who, who.tr, message, status=status, errors=errors)
    detail = AllocationDetail.with_rows(
        record, load_assignments(session, allocation_id), offset=0, limit=ASSIGNMENTS_SHOWN
    )
    names = {p.programme_id: p.name or p.programme_id for p in detail.programmes}
    return render(
        request,
        "staff/allocation.html",
        who.tr,
        staff=who,
        remember=who.remember,
        switch=switch_url(request, who.tr.other),
        a=detail,
        names=names,
        done=who.tr("staff.done_allocation", id=allocation_id) if done else None,
        firm_path=firm_path,
    )


@router.get("/allocations/{allocation_id}/assignments.csv")
def allocation_csv(request: Request, session: SessionDep, allocation_id: AllocationId) -> Response:
    """Every assignment of a stored allocation as CSV (the API's file)."""
    who = signed_in(request, session, None)
    if not isinstance(who, Staff):
        return who
    try:
        return download_allocation(who.principal, session, allocation_id)
    except RecommenderError as exc:
        status, message, errors = refusal(exc)
        return problem_page(request, who, who.tr, message, status=status, errors=errors)
