"""POST /v1/outcomes: participation outcomes, validated against the stored data."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, status

from api.deps import AnalystDep, SessionDep
from api.errors import ApiProblem, problems_as_errors
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.outcomes import OutcomesIn, OutcomesStored
from recommender.contract.fields import OUTCOME_COLUMNS
from recommender.contract.datasets import validate_frames
from recommender.errors import DataValidationError
from recommender.adapters.store import add_outcomes, load_firms, load_programmes
from api.queries import stored_outcome_keys

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"], responses=PROBLEM_RESPONSES)


@router.post("", response_model=OutcomesStored, status_code=status.HTTP_201_CREATED)
def post_outcomes(principal: AnalystDep, body: OutcomesIn, session: SessionDep) -> dict[str, Any]:
    """Store outcome rows, all or none: every row must name a stored firm profile and a
    programme that ran that year, once, and not be stored already."""
    rows = pd.DataFrame([r.model_dump() for r in body.rows], columns=list(OUTCOME_COLUMNS))
    firms = load_firms(session, firm_ids=rows["firm_id"].unique().tolist())
    programmes = load_programmes(session, programme_ids=rows["programme_id"].unique().tolist())
    try:
        ds = validate_frames(firms, programmes, rows,
                             names={"firms": "stored firms", "programmes": "stored programmes",
                                    "outcomes": "rows"}, row_offset=0)
    except DataValidationError as exc:
        n = len(exc.problems)
        raise ApiProblem(422, f"{n} problem{'s' if n != 1 else ''} in the rows; nothing was "
                              "stored", kind="invalid-data",
                         errors=problems_as_errors(exc.problems, prefix={})) from None
    assert ds.outcomes is not None
    keys = list(ds.outcomes[["firm_id", "year", "programme_id"]].itertuples(index=False,
                                                                             name=None))
    clash = stored_outcome_keys(session, keys)
    if clash:
        errors = [{"field": f"rows.{i}",
                   "message": f"an outcome of {k[0]} in {k[2]} ({k[1]}) is already stored"}
                  for i, k in enumerate(keys) if (str(k[0]), int(k[1]), str(k[2])) in clash]
        raise ApiProblem(409, f"{len(errors)} row(s) are already stored; nothing was stored",
                         kind="conflict", errors=errors)
    stored = add_outcomes(session, ds.outcomes, source="api")
    session.commit()
    return {"stored": stored}
