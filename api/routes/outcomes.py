"""POST /v1/outcomes: participation outcomes, validated against the stored data."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.activity import store_outcomes
from api.deps import AnalystDep, SessionDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.outcomes import OutcomesIn, OutcomesStored

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"], responses=PROBLEM_RESPONSES)


@router.post("", response_model=OutcomesStored, status_code=status.HTTP_201_CREATED)
def post_outcomes(principal: AnalystDep, body: OutcomesIn, session: SessionDep) -> OutcomesStored:
    """Store outcome rows, all or none: every row must name a stored firm profile and a
    programme that ran that year, once, and not be stored already."""
    return OutcomesStored(stored=store_outcomes(session, [r.model_dump() for r in body.rows]))
