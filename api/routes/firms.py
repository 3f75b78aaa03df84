"""Stored firms: find them (GET /v1/firms), read one with its profiles by year, write a
year's profile or carry last year's forward, and rank programmes for one."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import ServiceDep, SessionDep, StaffDep
from api.paging import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, page_of
from api.profiles import Written, carry_forward, firm_profiles, write_profile
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.profiles import (
    FirmDetail,
    FirmSummary,
    ProfileBody,
    ProfileEdits,
    ProfileWritten,
    SizeBand,
)
from api.schemas.recommendations import MAX_K, ExplainMode, Language, RecommendationResponse
from api.service import ListOptions
from recommender.adapters.store.firm_search import FirmFilter, search_firms, size_band_of
from recommender.constants import DEFAULT_K, REGIONS, SECTORS
from recommender.contract.fields import MAX_DISTRICT_LENGTH, MAX_ID_LENGTH

router = APIRouter(prefix="/v1/firms", tags=["firms"], responses=PROBLEM_RESPONSES)
ENDPOINT = "GET /v1/firms/{firm_id}/recommendations"
FirmId = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH)]
Year = Annotated[int, Path(ge=1900, le=2100, description="the profile year")]
Region = Literal[REGIONS]  # type: ignore[valid-type]
Sector = Literal[SECTORS]  # type: ignore[valid-type]


@router.get("", response_model=Page[FirmSummary])
def find_firms(
    principal: StaffDep,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=MAX_ID_LENGTH, description="part of the id or name"),
    ] = None,
    region: Region | None = None,
    district: Annotated[str | None, Query(min_length=1, max_length=MAX_DISTRICT_LENGTH)] = None,
    sector: Sector | None = None,
    size_band: SizeBand | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[FirmSummary]:
    """Stored firms whose id or name contains ``q``, by their latest profile, by id."""
    after = decode_cursor("firms", cursor, types=(str,))
    rows = search_firms(
        session,
        FirmFilter(q=q, region=region, district=district, sector=sector, size_band=size_band),
        after=None if after is None else after[0],
        limit=limit + 1,
    )
    items = [FirmSummary(**r, size_band=size_band_of(int(r["employees"]))) for r in rows]
    return page_of(items, limit=limit, kind="firms", key=lambda f: [f.firm_id])


@router.get("/{firm_id}", response_model=FirmDetail)
def read_firm(principal: StaffDep, session: SessionDep, firm_id: FirmId) -> FirmDetail:
    """One stored firm with every profile year, oldest first."""
    profiles = firm_profiles(session, firm_id)
    latest = profiles[-1]
    return FirmDetail(
        firm_id=firm_id,
        firm_name=latest["firm_name"],
        region=latest["region"],
        district=latest["district"],
        sector=latest["sector"],
        profiles=profiles,
    )


def _written(firm_id: str, year: int, done: Written, response: Response) -> ProfileWritten:
    response.status_code = status.HTTP_201_CREATED if done.created else status.HTTP_200_OK
    response.headers["Location"] = f"/v1/firms/{quote(firm_id, safe='')}"
    return ProfileWritten(
        firm_id=firm_id,
        year=year,
        created=done.created,
        carried_from=done.carried_from,
        profile=done.profile,
    )


@router.put(
    "/{firm_id}/profiles/{year}",
    response_model=ProfileWritten,
    responses={201: {"model": ProfileWritten, "description": "a new profile year"}},
)
def put_profile(
    principal: StaffDep,
    session: SessionDep,
    response: Response,
    firm_id: FirmId,
    year: Year,
    body: ProfileBody,
) -> ProfileWritten:
    """Create (201) or replace (200) the firm's profile of ``year``; the change is logged."""
    done = write_profile(session, principal, firm_id, year, body.model_dump())
    return _written(firm_id, year, done, response)


@router.post(
    "/{firm_id}/profiles/{year}/carry-forward",
    response_model=ProfileWritten,
    status_code=status.HTTP_201_CREATED,
)
def carry_profile_forward(
    principal: StaffDep,
    session: SessionDep,
    response: Response,
    firm_id: FirmId,
    year: Year,
    body: ProfileEdits,
) -> ProfileWritten:
    """Copy the firm's latest earlier profile to ``year`` with the given edits (201)."""
    done = carry_forward(session, principal, firm_id, year, body.model_dump(exclude_unset=True))
    return _written(firm_id, year, done, response)


@router.get("/{firm_id}/recommendations", response_model=RecommendationResponse)
def firm_recommendations(
    principal: StaffDep,
    service: ServiceDep,
    session: SessionDep,
    response: Response,
    firm_id: Annotated[str, Path(min_length=1, max_length=128)],
    year: Annotated[
        int | None, Query(ge=1900, le=2100, description="profile year; default the latest")
    ] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = DEFAULT_K,
    include_ineligible: bool = False,
    explain: ExplainMode = "top",
    as_of: date | None = None,
    lang: Language = "en",
) -> RecommendationResponse:
    """Rank programmes for a stored firm profile, using its stored outcomes as history."""
    options = ListOptions(k=k, explain=explain, include_ineligible=include_ineligible, as_of=as_of)
    served = service.recommend_stored(
        session, principal, firm_id, options, year=year, endpoint=ENDPOINT
    )
    response.headers["X-Request-ID"] = served.request_id
    return RecommendationResponse.of(served, lang=lang)
