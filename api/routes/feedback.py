"""POST /v1/feedback: what was done with a programme of a served list."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.activity import give_feedback
from api.deps import SessionDep, StaffDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.feedback import FeedbackIn, FeedbackOut

router = APIRouter(prefix="/v1/feedback", tags=["feedback"], responses=PROBLEM_RESPONSES)


@router.post("", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED)
def post_feedback(principal: StaffDep, body: FeedbackIn, session: SessionDep) -> FeedbackOut:
    """Record feedback on one programme of a served recommendation (by its request_id)."""
    stored = give_feedback(
        session,
        principal,
        request_id=body.request_id,
        programme_id=body.programme_id,
        action=body.action,
        note=body.note,
    )
    return FeedbackOut.model_validate(stored)
