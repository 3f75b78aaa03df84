"""A programme's outreach list on the staff pages: the stored firms eligible for it,
best expected fit first, each with its reasons in the page's language and a feedback
form in place, paged, with the page as CSV.

The list is the API's (:func:`api.routes.programmes.candidates_page`: the same
ranking, reasons, conditions to check and audit entry under a request id), served to
the signed-in reader; the CSV is the API's CSV of the same page.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ServiceDep, SessionDep
from api.errors import ApiProblem
from api.paging import Cursor
from api.routes.programmes import candidates_csv_response, candidates_page
from api.staff.auth import signed_in
from api.staff.firms import firm_path
from api.staff.render import STAFF_PATH, Staff, problem_page, refusal, render, switch_url
from recommender.constants import FEEDBACK_STATUSES
from recommender.errors import RecommenderError

router = APIRouter(prefix=STAFF_PATH, include_in_schema=False)
PAGE_SIZE: Final[int] = 25
OUTREACH_PAGE: Final[str] = "GET /staff/programmes/{programme_id}/candidates"


@router.get("/programmes/{programme_id}/candidates", response_class=HTMLResponse)
def outreach_list(
    request: Request,
    service: ServiceDep,
    session: SessionDep,
    programme_id: str,
    cursor: Cursor = None,
    done: Annotated[str | None, Query(max_length=16)] = None,
    lang: str | None = None,
) -> Response:
    """The programme's outreach list, a page at a time, with feedback forms."""
    who = signed_in(request, session, lang)
    if not isinstance(who, Staff):
        return who
    tr = who.tr
    try:
        found = candidates_page(
            who.principal,
            service,
            session,
            programme_id,
            limit=PAGE_SIZE,
            cursor=cursor,
            lang=tr.lang,
            endpoint=OUTREACH_PAGE,
        )
    except (ApiProblem, RecommenderError) as exc:
        status, message, errors = refusal(exc)
        return problem_page(request, who, tr, message, status=status, errors=errors)
    notice = None
    if done == "again":
        notice = tr("staff.done_feedback_again")
    elif done in FEEDBACK_STATUSES:
        notice = tr("staff.done_feedback", status=tr(f"staff.statuses.{done}"))
    return render(
        request,
        "staff/outreach.html",
        tr,
        staff=who,
        remember=who.remember,
        switch=switch_url(request, tr.other),
        found=found,
        cursor=cursor,
        done=notice,
        statuses=FEEDBACK_STATUSES,
        firm_path=firm_path,
    )


@router.get("/programmes/{programme_id}/candidates.csv")
def outreach_csv(
    request: Request,
    service: ServiceDep,
    session: SessionDep,
    programme_id: str,
    cursor: Cursor = None,
    lang: str | None = None,
) -> Response:
    """The same page of the outreach list as CSV (audited like the page)."""
    who = signed_in(request, session, lang)
    if not isinstance(who, Staff):
        return who
    try:
        found = candidates_page(
            who.principal,
            service,
            session,
            programme_id,
            limit=PAGE_SIZE,
            cursor=cursor,
            lang=who.tr.lang,
            endpoint=OUTREACH_PAGE,
        )
    except (ApiProblem, RecommenderError) as exc:
        status, message, errors = refusal(exc)
        return problem_page(request, who, who.tr, message, status=status, errors=errors)
    return candidates_csv_response(found, programme_id)
