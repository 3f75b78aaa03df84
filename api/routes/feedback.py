"""POST /v1/feedback: what was done with a programme of a served list; PATCH corrects it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from api.activity import change_feedback, give_feedback
from api.deps import SessionDep, StaffDep
from api.schemas.common import MAX_ROW_ID, PROBLEM_RESPONSES
from api.schemas.feedback import FeedbackCorrection, FeedbackIn, FeedbackOut

router = APIRouter(prefix="/v1/feedback", tags=["feedback"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    response_model=FeedbackOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": FeedbackOut, "description": "already stored: the same row"}},
)
def post_feedback(
    principal: StaffDep, body: FeedbackIn, session: SessionDep, response: Response
) -> FeedbackOut:
    """Record feedback on one programme of a served list (by its request_id), once: the
    same request, firm, programme and status answer 200 with the stored row."""
    stored, created = give_feedback(
        session,
        principal,
        request_id=body.request_id,
        programme_id=body.programme_id,
        firm_id=body.firm_id,
        action=body.action,
        note=body.note,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/v1/feedback/{stored.id}"
    return FeedbackOut.model_validate(stored)


@router.patch("/{feedback_id}", response_model=FeedbackOut)
def correct_feedback(
    principal: StaffDep,
    feedback_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    body: FeedbackCorrection,
    session: SessionDep,
) -> FeedbackOut:
    """Correct stored feedback (status, note); the change log keeps what it was."""
    return FeedbackOut.model_validate(
        change_feedback(session, principal, feedback_id, action=body.action, note=body.note)
    )
