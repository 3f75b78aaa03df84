"""The staff pages of firms: find them (``GET /staff/firms``), one firm's page with its
capability chart, ranked and explained list, feedback and outcome forms and the current
year's profile (``GET /staff/firms/{id}``), and saving that profile
(``POST /staff/firms/{id}/profile``).

Everything goes through the caseworker API's own functions: the firm search of the
store, :func:`api.profiles.firm_profiles` / :func:`api.profiles.write_profile` (the
contract's validation and the change log), and the serving service's audited list of
a stored firm (:meth:`api.service.ServingService.recommend_stored`).
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import ServiceDep, SessionDep
from api.errors import ApiProblem
from api.portal.charts import GRID
from api.portal.form import posted_fields
from api.portal.view import build_results, programme_index
from api.profiles import firm_profiles, write_profile
from api.queries import firm_outcomes
from api.security import ANALYST
from api.service import ListOptions, ServingService
from api.staff.auth import csrf_ok, csrf_refused, signed_in
from api.staff.firm_view import (
    EDIT_FIELDS,
    EditForm,
    edit_form,
    feedback_rows,
    field_of,
    outcomes_of,
    parse_profile,
)
from api.staff.i18n import StaffTranslator
from api.staff.render import STAFF_PATH, Staff, problem_page, refusal, render, see_other, switch_url
from recommender.adapters.store import list_feedback
from recommender.adapters.store.firm_search import FirmFilter, search_firms, size_band_of
from recommender.constants import CAPABILITIES, FEEDBACK_STATUSES, REGIONS, SECTORS, SIZE_BANDS
from recommender.contract.fields import MAX_DISTRICT_LENGTH, MAX_ID_LENGTH
from recommender.errors import RecommenderError

router = APIRouter(prefix=STAFF_PATH, include_in_schema=False)
PAGE_SIZE: Final[int] = 25
FIRM_LIST: Final[ListOptions] = ListOptions(k=10, explain="top")
FIRM_PAGE: Final[str] = "GET /staff/firms/{firm_id}"
FEEDBACK_SHOWN: Final[int] = 50
OUTCOME_VALUES: Final[tuple[str, ...]] = ("0", "1", "2", "3")


def firm_path(firm_id: str) -> str:
    """The firm's page."""
    return f"{STAFF_PATH}/firms/{quote(firm_id, safe='')}"


@router.get("", response_class=HTMLResponse)
def staff_home() -> Response:
    """The staff pages start at finding firms."""
    return see_other(f"{STAFF_PATH}/firms")


@router.get("/firms", response_class=HTMLResponse)
def find_firms_page(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=MAX_ID_LENGTH)] = "",
    region: str = "",
    district: Annotated[str, Query(max_length=MAX_DISTRICT_LENGTH)] = "",
    sector: str = "",
    size_band: str = "",
    after: Annotated[str, Query(max_length=MAX_ID_LENGTH)] = "",
    lang: str | None = None,
) -> Response:
    """Stored firms whose id or name contains ``q``, by region, district, sector and size
    band, paged."""
    who = signed_in(request, session, lang)
    if not isinstance(who, Staff):
        return who
    wanted = FirmFilter(
        q=q.strip() or None,
        region=region if region in REGIONS else None,
        district=district.strip() or None,
        sector=sector if sector in SECTORS else None,
        size_band=size_band if size_band in SIZE_BANDS else None,
    )
    rows = search_firms(session, wanted, after=after or None, limit=PAGE_SIZE + 1)
    shown = rows[:PAGE_SIZE]
    for row in shown:
        row["size_band"] = size_band_of(int(row["employees"]))
    more = len(rows) > PAGE_SIZE
    query = {
        "q": wanted.q or "",
        "region": wanted.region or "",
        "district": wanted.district or "",
        "sector": wanted.sector or "",
        "size_band": wanted.size_band or "",
    }
    return render(
        request,
        "staff/firms.html",
        who.tr,
        staff=who,
        remember=who.remember,
        switch=switch_url(request, who.tr.other),
        firms=shown,
        query=query,
        next_url=_search_url(query, after=str(shown[-1]["firm_id"])) if more and shown else None,
        first_url=_search_url(query) if after else None,
        regions=REGIONS,
        sectors=SECTORS,
        size_bands=SIZE_BANDS,
        firm_path=firm_path,
    )


def _search_url(query: dict[str, str], *, after: str | None = None) -> str:
    """The search page of ``query`` (starting after firm id ``after``)."""
    asked = {k: v for k, v in query.items() if v}
    return f"{STAFF_PATH}/firms?{urlencode({**asked, **({'after': after} if after else {})})}"


def _list_year(profiles: list[dict[str, Any]], years: list[int], asked: int | None) -> int:
    """The profile year to rank: the one asked for, else the latest with a catalogue."""
    stored = [int(p["year"]) for p in profiles]
    if asked is not None and asked in stored:
        return asked
    ranked = [y for y in stored if y in years]
    return ranked[-1] if ranked else stored[-1]


def firm_page(
    request: Request,
    who: Staff,
    service: ServingService,
    session: Session,
    firm_id: str,
    *,
    year: int | None,
    done: str | None = None,
    form: EditForm | None = None,
) -> HTMLResponse:
    """The firm's page (``form``: the profile form as posted, with its errors)."""
    tr = who.tr
    try:
        profiles = firm_profiles(session, firm_id)
        rec = service.model()
    except (ApiProblem, RecommenderError) as exc:
        status, message, errors = refusal(exc)
        return problem_page(request, who, tr, message, status=status, errors=errors)
    list_year = _list_year(profiles, rec.years(), year)
    view, request_id, list_error = None, None, None
    try:
        served = service.recommend_stored(
            session, who.principal, firm_id, FIRM_LIST, year=list_year, endpoint=FIRM_PAGE
        )
        view = build_results(
            served.result, programmes=programme_index(rec), tr=tr, today=service.today()
        )
        request_id = served.request_id
    except (ApiProblem, RecommenderError) as exc:  # e.g. no catalogue of that year, 429
        session.rollback()
        list_error = refusal(exc)[1]
    latest = profiles[-1]
    edit_year = service.today().year
    records = list_feedback(session, firm_id=firm_id, limit=FEEDBACK_SHOWN)
    analyst = who.principal.role in ANALYST
    return render(
        request,
        "staff/firm.html",
        tr,
        staff=who,
        remember=who.remember,
        status=422 if form is not None and form.errors else 200,
        switch=f"{firm_path(firm_id)}?year={list_year}&lang={tr.other}",
        firm_id=firm_id,
        firm=latest,
        years=[int(p["year"]) for p in profiles],
        list_year=list_year,
        view=view,
        request_id=request_id,
        list_error=list_error,
        grid=GRID,
        done=_done_message(done, tr, edit_year),
        feedback=feedback_rows(records, tr),
        statuses=FEEDBACK_STATUSES,
        analyst=analyst,
        outcomes=outcomes_of(firm_outcomes(session, firm_id), list_year) if analyst else {},
        outcome_values=OUTCOME_VALUES,
        form=form or edit_form(profiles, edit_year, tr),
        edit_fields=EDIT_FIELDS,
        capabilities=CAPABILITIES,
        region_options=[(r, tr(f"regions.{r}")) for r in REGIONS],
        sector_options=[(s, tr(f"sectors.{s}")) for s in SECTORS],
        firm_path=firm_path,
        quote=lambda s: quote(str(s), safe=""),
    )


def _done_message(done: str | None, tr: StaffTranslator, edit_year: int) -> str | None:
    if done == "profile":
        return tr("staff.done_profile", year=edit_year)
    if done == "outcome":
        return tr("staff.done_outcome")
    if done == "corrected":
        return tr("staff.done_corrected")
    if done == "again":
        return tr("staff.done_feedback_again")
    if done in FEEDBACK_STATUSES:
        return tr("staff.done_feedback", status=tr(f"staff.statuses.{done}"))
    return None


@router.get("/firms/{firm_id}", response_class=HTMLResponse)
def firm_detail(
    request: Request,
    service: ServiceDep,
    session: SessionDep,
    firm_id: str,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    done: Annotated[str | None, Query(max_length=16)] = None,
    lang: str | None = None,
) -> Response:
    """One firm: profile, capability chart, ranked list with reasons, feedback, outcomes."""
    who = signed_in(request, session, lang)
    if not isinstance(who, Staff):
        return who
    return firm_page(request, who, service, session, firm_id, year=year, done=done)


def _save_profile(
    request: Request,
    who: Staff,
    service: ServingService,
    session: Session,
    firm_id: str,
    posted: dict[str, str],
) -> Response:
    year = service.today().year
    parsed = parse_profile(posted, year)
    if parsed.profile is None:
        errors = {n: who.tr(f"errors.{e.code}", **e.params) for n, e in parsed.errors.items()}
        form = EditForm(year, parsed.values, errors, "")
        return firm_page(request, who, service, session, firm_id, year=None, form=form)
    try:
        write_profile(session, who.principal, firm_id, year, parsed.profile)
    except (ApiProblem, RecommenderError) as exc:
        session.rollback()
        _status, message, refused = refusal(exc)
        errors = {field_of(e["field"]): e["message"] for e in refused} or {"year": message}
        form = EditForm(year, parsed.values, errors, "")
        return firm_page(request, who, service, session, firm_id, year=None, form=form)
    return see_other(f"{firm_path(firm_id)}?done=profile#profile-heading")


@router.post("/firms/{firm_id}/profile", response_class=HTMLResponse)
async def save_profile(
    request: Request, service: ServiceDep, session: SessionDep, firm_id: str
) -> Response:
    """Create or replace the firm's profile of the current year (validated, logged)."""
    posted = posted_fields(await request.form(max_files=0, max_fields=100))
    who = await run_in_threadpool(signed_in, request, session, None)
    if not isinstance(who, Staff):
        return who
    if not csrf_ok(who, posted.get("csrf", "")):
        return csrf_refused(request, who, who.tr)
    return await run_in_threadpool(_save_profile, request, who, service, session, firm_id, posted)
