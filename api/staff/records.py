"""Recording what happened, in place on the staff pages: feedback on a programme of a
served list (a firm's list or an outreach list) and, for analysts, a firm's outcome in
a programme. The posted form is checked by the API's own request model and handed to
the API's own functions (:func:`api.activity.give_feedback`,
:func:`api.activity.store_outcomes`, :func:`api.activity.change_outcome`), so the pages
store exactly what the API stores; then the page the form came from is shown again.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.activity import change_feedback, change_outcome, give_feedback, store_outcomes
from api.deps import SessionDep
from api.errors import ApiProblem, field_path
from api.queries import stored_outcome_keys
from api.schemas.common import MAX_ROW_ID
from api.schemas.feedback import FeedbackCorrection, FeedbackIn
from api.security import ANALYST
from api.staff.auth import signed_post
from api.staff.firms import firm_path
from api.staff.render import STAFF_PATH, Staff, problem_page, refusal, see_other
from recommender.constants import OUTCOME_MAX, OUTCOME_MIN
from recommender.errors import RecommenderError

router = APIRouter(prefix=STAFF_PATH, include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]


def _back(
    back: str, *, firm_id: str, programme_id: str, year: str, done: str, cursor: str = ""
) -> str:
    """The page a form came from (an outreach list's page: its ``cursor``), with what was
    done and the row it was done on."""
    if back == "outreach":
        path = f"{STAFF_PATH}/programmes/{quote(programme_id, safe='')}/candidates"
        page = f"&cursor={quote(cursor, safe='')}" if cursor else ""
        return f"{path}?done={done}{page}#firm-{quote(firm_id, safe='')}"
    query = f"?year={quote(year, safe='')}&done={done}" if year.isdigit() else f"?done={done}"
    return f"{firm_path(firm_id)}{query}#programme-{quote(programme_id, safe='')}"


@router.post("/feedback", response_class=HTMLResponse)
def record_feedback(
    request: Request,
    session: SessionDep,
    csrf: Text = "",
    request_id: Text = "",
    programme_id: Text = "",
    firm_id: Text = "",
    action: Text = "",
    note: Text = "",
    year: Text = "",
    cursor: Text = "",
    back: Annotated[Literal["firm", "outreach"], Form()] = "firm",
) -> Response:
    """Record feedback on one programme and firm of a served list (stored once)."""
    who = signed_post(request, session, csrf)
    if not isinstance(who, Staff):
        return who
    try:
        body = FeedbackIn(
            request_id=request_id,
            programme_id=programme_id,
            firm_id=firm_id or None,
            action=action,
            note=note.strip() or None,
        )
        _stored, created = give_feedback(
            session,
            who.principal,
            request_id=body.request_id,
            programme_id=body.programme_id,
            firm_id=body.firm_id,
            action=body.action,
            note=body.note,
        )
    except ValidationError as exc:
        errors = [{"field": field_path(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return problem_page(
            request, who, who.tr, "the feedback form is invalid", status=422, errors=errors
        )
    except (ApiProblem, RecommenderError) as exc:
        status, message, errors = refusal(exc)
        return problem_page(request, who, who.tr, message, status=status, errors=errors)
    done = body.action if created else "again"
    return see_other(
        _back(back, firm_id=firm_id, programme_id=programme_id, year=year, done=done, cursor=cursor)
    )


@router.post("/feedback/{feedback_id}/correct", response_class=HTMLResponse)
def correct_feedback(
    request: Request,
    session: SessionDep,
    feedback_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    csrf: Text = "",
    firm_id: Text = "",
    action: Text = "",
    note: Text = "",
) -> Response:
    """Correct recorded feedback (status, note); the change log keeps what it was."""
    who = signed_post(request, session, csrf)
    if not isinstance(who, Staff):
        return who
    try:
        body = FeedbackCorrection(action=action or None, note=note.strip() or None)
        change_feedback(session, who.principal, feedback_id, action=body.action, note=body.note)
    except ValidationError as exc:
        errors = [{"field": field_path(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return problem_page(
            request, who, who.tr, "the correction is invalid", status=422, errors=errors
        )
    except (ApiProblem, RecommenderError) as exc:
        session.rollback()
        status, message, errors = refusal(exc)
        return problem_page(request, who, who.tr, message, status=status, errors=errors)
    return see_other(f"{firm_path(firm_id)}?done=corrected#feedback-heading")


@router.post("/outcomes", response_class=HTMLResponse)
def record_outcome(
    request: Request,
    session: SessionDep,
    csrf: Text = "",
    firm_id: Text = "",
    programme_id: Text = "",
    year: Text = "",
    outcome: Text = "",
) -> Response:
    """Store (or correct) a firm's outcome in a programme of a year: analysts only."""
    who = signed_post(request, session, csrf)
    if not isinstance(who, Staff):
        return who
    if who.principal.role not in ANALYST:
        message = who.tr("staff.outcome_analysts")
        return problem_page(request, who, who.tr, message, status=403)
    if not year.isdigit() or not outcome.isdigit():
        field = "year" if not year.isdigit() else "outcome"
        errors = [{"field": field, "message": "a whole number"}]
        return problem_page(request, who, who.tr, "invalid outcome", status=422, errors=errors)
    value, when = int(outcome), int(year)
    if not OUTCOME_MIN <= value <= OUTCOME_MAX:
        errors = [{"field": "outcome", "message": f"{OUTCOME_MIN} to {OUTCOME_MAX}"}]
        return problem_page(request, who, who.tr, "invalid outcome", status=422, errors=errors)
    try:
        if stored_outcome_keys(session, [(firm_id, when, programme_id)]):
            change_outcome(session, who.principal, firm_id, when, programme_id, value)
        else:
            row = {"firm_id": firm_id, "year": when, "programme_id": programme_id}
            store_outcomes(session, [{**row, "outcome": value}])
    except (ApiProblem, RecommenderError) as exc:
        session.rollback()
        status, message, errors = refusal(exc)
        return problem_page(request, who, who.tr, message, status=status, errors=errors)
    return see_other(
        _back("firm", firm_id=firm_id, programme_id=programme_id, year=year, done="outcome")
    )
