"""POST /v1/outcomes: participation outcomes, validated against the stored data; PUT of
one corrects it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.activity import change_outcome, store_outcomes
from api.deps import AnalystDep, SessionDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.outcomes import OutcomeCorrected, OutcomeCorrection, OutcomesIn, OutcomesStored

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"], responses=PROBLEM_RESPONSES)


@router.post("", response_model=OutcomesStored, status_code=status.HTTP_201_CREATED)
def post_outcomes(principal: AnalystDep, body: OutcomesIn, session: SessionDep) -> OutcomesStored:
    """Store outcome rows, all or none: every row must name a stored firm profile and a
    programme that ran that year, once, and not be stored already."""
    return OutcomesStored(stored=store_outcomes(session, [r.model_dump() for r in body.rows]))


@router.put("/{firm_id}/{year}/{programme_id}", response_model=OutcomeCorrected)
def put_outcome(
    principal: AnalystDep,
    firm_id: Annotated[str, Path(min_length=1, max_length=128)],
    year: Annotated[int, Path(ge=1900, le=2100)],
    programme_id: Annotated[str, Path(min_length=1, max_length=128)],
    body: OutcomeCorrection,
    session: SessionDep,
) -> OutcomeCorrected:
    """Correct a stored outcome; the change log keeps the value it had."""
    before = change_outcome(session, principal, firm_id, year, programme_id, body.outcome)
    return OutcomeCorrected(
        firm_id=firm_id,
        year=year,
        programme_id=programme_id,
        outcome=body.outcome,
        previous=before,
    )
