"""The catalogue: list and read programmes; outreach lists of stored firms for one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import AnyRoleDep, ServiceDep, SessionDep, StaffDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.programmes import CandidateList, ProgrammeDetail, ProgrammeList
from api.schemas.recommendations import ProgrammeType
from recommender.adapters.store import get_programme, load_programmes

router = APIRouter(prefix="/v1/programmes", tags=["programmes"], responses=PROBLEM_RESPONSES)
ProgrammeId = Annotated[str, Path(min_length=1, max_length=128)]
CANDIDATES = "GET /v1/programmes/{programme_id}/candidates"


@router.get("", response_model=ProgrammeList)
def list_programmes(
    principal: AnyRoleDep,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    type: Annotated[ProgrammeType | None, Query(description="programme type")] = None,  # noqa: A002
) -> ProgrammeList:
    """Programmes of the catalogue, optionally of one year and one type."""
    return ProgrammeList.of(load_programmes(session, year=year, programme_type=type))


@router.get("/{programme_id}", response_model=ProgrammeDetail)
def read_programme(
    principal: AnyRoleDep, session: SessionDep, programme_id: ProgrammeId
) -> ProgrammeDetail:
    """One programme offering, with how its type was determined."""
    return ProgrammeDetail.of(get_programme(session, programme_id))


@router.get("/{programme_id}/candidates", response_model=CandidateList)
def programme_candidates(
    principal: StaffDep,
    service: ServiceDep,
    session: SessionDep,
    programme_id: ProgrammeId,
    k: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> CandidateList:
    """Stored firms eligible for the programme, best expected fit first (outreach)."""
    return CandidateList.of(service.candidates(session, programme_id, k=k, endpoint=CANDIDATES))
