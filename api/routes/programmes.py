"""The catalogue: list and read programmes; outreach lists of stored firms for one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import AnyRoleDep, RecommenderDep, SessionDep, StaffDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.programmes import CandidateList, ProgrammeDetail, ProgrammeList
from api.schemas.recommendations import ProgrammeType
from recommender.constants import LIST_SEP
from recommender.adapters.store import get_programme, load_firms, load_outcomes, load_programmes
from recommender.adapters.store.plain_values import frame_record

router = APIRouter(prefix="/v1/programmes", tags=["programmes"], responses=PROBLEM_RESPONSES)
ProgrammeId = Annotated[str, Path(min_length=1, max_length=128)]


def _programme(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    targets = out.get("targets")
    out["targets"] = [t for t in targets.split(LIST_SEP) if t] if isinstance(targets, str) else []
    return out


@router.get("", response_model=ProgrammeList)
def list_programmes(
    principal: AnyRoleDep, session: SessionDep,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    type: Annotated[ProgrammeType | None, Query(description="programme type")] = None,  # noqa: A002
) -> dict[str, Any]:
    """Programmes of the catalogue, optionally of one year and one type."""
    frame = load_programmes(session, year=year, programme_type=type)
    items = [_programme(frame_record(frame, i)) for i in range(len(frame))]
    return {"count": len(items), "items": items}


@router.get("/{programme_id}", response_model=ProgrammeDetail)
def read_programme(principal: AnyRoleDep, session: SessionDep,
                   programme_id: ProgrammeId) -> dict[str, Any]:
    """One programme offering, with how its type was determined."""
    return _programme(get_programme(session, programme_id))


@router.get("/{programme_id}/candidates", response_model=CandidateList)
def programme_candidates(
    principal: StaffDep, rec: RecommenderDep, session: SessionDep, programme_id: ProgrammeId,
    k: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    """Stored firms eligible for the programme, best expected fit first (outreach)."""
    programme = get_programme(session, programme_id)
    year = int(programme["year"])
    firms = load_firms(session, year=year)
    history = load_outcomes(session)  # only earlier years count as history
    ranked = rec.rank_firms_for(programme_id, firms, k=k, outcomes=history)
    return {"programme_id": programme_id, "year": year, "model_version": rec.version,
            "candidates": [{"rank": int(r.rank), "firm_id": str(r.firm_id),
                            "year": int(r.year), "score": float(r.score)}
                           for r in ranked.itertuples(index=False)]}
