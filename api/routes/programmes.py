"""The catalogue: list and read programmes; outreach lists of stored firms for one."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.orm import Session

from api.deps import AnyRoleDep, ServiceDep, SessionDep, StaffDep
from api.outreach import outreach_page
from api.paging import DEFAULT_LIMIT, Cursor, Limit, Page, decode_cursor, encode_cursor, page_of
from api.routes.allocations import CSVResponse
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.programmes import (
    CSV_COLUMNS,
    CandidateList,
    ProgrammeDetail,
    ProgrammeOut,
    candidates_csv,
    programmes_of,
)
from api.schemas.recommendations import Language, ProgrammeType
from api.security import Principal
from api.service import ServingService
from recommender.adapters.store import get_programme, load_programmes

router = APIRouter(prefix="/v1/programmes", tags=["programmes"], responses=PROBLEM_RESPONSES)
ProgrammeId = Annotated[str, Path(min_length=1, max_length=128)]
CANDIDATES = "GET /v1/programmes/{programme_id}/candidates"


@router.get("", response_model=Page[ProgrammeOut])
def list_programmes(
    principal: AnyRoleDep,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    type: Annotated[ProgrammeType | None, Query(description="programme type")] = None,  # noqa: A002
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ProgrammeOut]:
    """Programmes of the catalogue, optionally of one year and one type, by year and id."""
    after = decode_cursor("programmes", cursor, types=(int, str))
    frame = load_programmes(session, year=year, programme_type=type)
    if after is not None:
        y, pid = frame["year"].astype(int), frame["programme_id"].astype(str)
        frame = frame[(y > after[0]) | ((y == after[0]) & (pid > after[1]))]
    items = programmes_of(frame.head(limit + 1).reset_index(drop=True))
    return page_of(items, limit=limit, kind="programmes", key=lambda p: [p.year, p.programme_id])


@router.get("/{programme_id}", response_model=ProgrammeDetail)
def read_programme(
    principal: AnyRoleDep, session: SessionDep, programme_id: ProgrammeId
) -> ProgrammeDetail:
    """One programme offering, with how its type was determined."""
    return ProgrammeDetail.of(get_programme(session, programme_id))


def candidates_page(
    principal: Principal,
    service: ServingService,
    session: Session,
    programme_id: str,
    *,
    limit: int,
    cursor: str | None,
    lang: str,
    endpoint: str = CANDIDATES,
) -> CandidateList:
    """A page of the programme's outreach list (audited under ``endpoint``), in ``lang``."""
    last = decode_cursor("candidates", cursor, types=(float, str))
    after = None if last is None else (float(last[0]), str(last[1]))
    page = outreach_page(
        service, session, principal, programme_id, limit=limit, after=after, endpoint=endpoint
    )
    nxt = (
        encode_cursor("candidates", [page.firms[-1].score, str(page.firms[-1].profile["firm_id"])])
        if page.more and page.firms
        else None
    )
    return CandidateList.of(page, lang=lang, next_cursor=nxt)


def candidates_csv_response(found: CandidateList, programme_id: str) -> CSVResponse:
    """An outreach page as a CSV download named after the programme."""
    headers = {
        "X-Request-ID": found.request_id,
        # the id may be any text: ASCII-safe name, the id itself RFC 5987-encoded
        "Content-Disposition": 'attachment; filename="candidates.csv"; '
        f"filename*=UTF-8''candidates-{quote(programme_id, safe='')}.csv",
    }
    if found.next_cursor is not None:
        headers["X-Next-Cursor"] = found.next_cursor
    return CSVResponse(candidates_csv(found), headers=headers)


CSV_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {}},
        "description": "one row per firm: " + ", ".join(CSV_COLUMNS),
    }
}


@router.get(
    "/{programme_id}/candidates",
    response_model=CandidateList,
    responses={200: {"content": {"text/csv": {}}}},
)
def programme_candidates(
    principal: StaffDep,
    service: ServiceDep,
    session: SessionDep,
    request: Request,
    response: Response,
    programme_id: ProgrammeId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    lang: Language = "en",
) -> CandidateList | CSVResponse:
    """Stored firms eligible for the programme, best expected fit first (outreach), with
    reasons and conditions to check; audited; CSV with ``Accept: text/csv``."""
    found = candidates_page(
        principal, service, session, programme_id, limit=limit, cursor=cursor, lang=lang
    )
    if "text/csv" in request.headers.get("accept", ""):
        return candidates_csv_response(found, programme_id)
    response.headers["X-Request-ID"] = found.request_id
    return found


@router.get("/{programme_id}/candidates.csv", response_class=CSVResponse, responses=CSV_DOC)
def programme_candidates_csv(
    principal: StaffDep,
    service: ServiceDep,
    session: SessionDep,
    programme_id: ProgrammeId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    lang: Language = "en",
) -> CSVResponse:
    """The outreach list page as CSV (``X-Next-Cursor`` names the next page)."""
    found = candidates_page(
        principal, service, session, programme_id, limit=limit, cursor=cursor, lang=lang
    )
    return candidates_csv_response(found, programme_id)
