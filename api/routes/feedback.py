"""POST /v1/feedback: what was done with a programme of a served list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api.deps import SessionDep, StaffDep
from api.errors import ApiProblem
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.feedback import FeedbackIn, FeedbackOut
from recommender.adapters.store import list_feedback, record_feedback
from api.queries import find_audit

router = APIRouter(prefix="/v1/feedback", tags=["feedback"], responses=PROBLEM_RESPONSES)


@router.post("", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED)
def post_feedback(principal: StaffDep, body: FeedbackIn, session: SessionDep) -> dict[str, Any]:
    """Record feedback on one programme of a served recommendation (by its request_id)."""
    served = find_audit(session, body.request_id)
    if served is None:
        raise ApiProblem(404, f"no served recommendation has request_id {body.request_id!r}",
                         kind="not-found")
    if body.programme_id not in {str(i["programme_id"]) for i in served.items}:
        raise ApiProblem(422, f"programme {body.programme_id!r} was not in the list served "
                              f"as {body.request_id!r}", kind="validation-error",
                         errors=[{"field": "programme_id",
                                  "message": "a programme of the served list"}])
    fid = record_feedback(session, request_id=body.request_id, programme_id=body.programme_id,
                          action=body.action, key_name=principal.name, firm_id=served.firm_id,
                          note=body.note)
    session.commit()
    stored = next(f for f in list_feedback(session, request_id=body.request_id) if f.id == fid)
    return {"id": stored.id, "request_id": stored.request_id,
            "programme_id": stored.programme_id, "firm_id": stored.firm_id,
            "action": stored.action, "note": stored.note, "created_at": stored.created_at}
