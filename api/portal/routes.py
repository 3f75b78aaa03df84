"""The partner portal: a firm's self-diagnosis form and its explained programme matches.

``GET /`` and ``GET /portal`` show the form; ``POST /portal`` checks the answers and
shows the results (or the form again, with each error beside its field);
``POST /portal/edit`` shows the form filled with posted answers (change answers, switch
language); ``POST /portal/answers.json`` downloads the answers and ``POST /portal/upload``
loads them again. CSS and JavaScript come from ``/portal/static/`` - nothing from a CDN.

The page ranks through the API's serving service (:class:`api.service.ServingService`),
needs no key for a firm's own profile, and takes tokens of the API's one rate limiter,
keyed by the client's address. Answers travel only in the request: nothing about the
firm is stored or logged unless it ticks consent, and then the service keeps its profile
in ``saved_profiles`` with an audit entry, in the request's session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import RateLimiterDep, ServiceDep, SessionDep
from api.portal.charts import GRID
from api.portal.fields import FACT_FIELDS, FIELDS_BY_NAME, MULTI_VALUED
from api.portal.form import (
    MAX_UPLOAD_BYTES,
    AnswersFileError,
    FieldError,
    answers_document,
    default_values,
    form_values,
    parse_answers,
    posted_fields,
    read_answers_file,
    year_options,
)
from api.portal.i18n import LANG_COOKIE, Translator, choose_language
from api.portal.view import build_results, programme_index
from api.security import Principal, RateLimitedError, RateLimiter, client_address
from api.service import ListOptions, ModelUnavailableError, ServingService
from recommender import Recommendation, Recommender
from recommender.constants import CAPABILITIES, REGIONS, SECTORS

API_DIR: Final[Path] = Path(__file__).resolve().parents[1]
TEMPLATES: Final[Jinja2Templates] = Jinja2Templates(directory=API_DIR / "templates")
STATIC_DIR: Final[Path] = API_DIR / "static" / "portal"
STATIC_TYPES: Final[dict[str, str]] = {
    "portal.css": "text/css; charset=utf-8",
    "portal.js": "text/javascript; charset=utf-8",
}
STATIC_VERSION: Final[str] = hashlib.sha256(
    b"".join((STATIC_DIR / n).read_bytes() for n in sorted(STATIC_TYPES))
).hexdigest()[:12]

MAX_RANKED: Final[int] = 100  # the best 100 surely eligible programmes are listed ...
EXPLAINED: Final[int] = 10  # ... and the best ten are explained
CONDITIONAL: Final[int] = 50  # then the best 50 of those with a condition to check
PORTAL_LIST: Final[ListOptions] = ListOptions(
    k=MAX_RANKED,
    explain="top",
    explain_k=EXPLAINED,
    include_ineligible=True,
    conditional_k=CONDITIONAL,
)
ENDPOINT: Final[str] = "POST /portal"
PORTAL_CALLER: Final[Principal] = Principal("portal", "partner")  # as audited
RATE_KEY_PREFIX: Final[str] = "portal:"
LANG_COOKIE_AGE: Final[int] = 365 * 24 * 3600
PAGE_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; "
        "img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # answers and results never stay in a shared cache
}

router = APIRouter(include_in_schema=False)


# --- helpers --------------------------------------------------------------------------
def static_url(name: str) -> str:
    """Where a portal asset is served, with a version that changes with its content."""
    return f"/portal/static/{name}?v={STATIC_VERSION}"


def field_anchor(name: str) -> str:
    """The id of the control an error summary links to (a group's first one)."""
    if name in MULTI_VALUED:
        return f"f-{name}-{FIELDS_BY_NAME[name].options[0]}"
    return f"f-{name}-1" if name in CAPABILITIES else f"f-{name}"


def field_label(name: str, tr: Translator) -> str:
    """A field's label in the reader's language."""
    if name in CAPABILITIES:
        return tr(f"capabilities.{name}.label")
    return tr(f"fields.{name}.label")


def _language(request: Request, asked: str | None) -> tuple[Translator, bool]:
    lang = choose_language(
        asked=asked,
        cookie=request.cookies.get(LANG_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
    return Translator(lang), asked == lang


async def _posted(request: Request) -> dict[str, str]:
    return posted_fields(await request.form(max_files=0, max_fields=100))


def _render(
    request: Request,
    template: str,
    tr: Translator,
    *,
    remember: bool,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    context = {
        "tr": tr,
        "static_url": static_url,
        "field_anchor": field_anchor,
        "field_label": lambda n: field_label(n, tr),
        **context,
    }
    response = TEMPLATES.TemplateResponse(
        request, template, context, status_code=status, headers={**PAGE_HEADERS, **(headers or {})}
    )
    if remember:
        response.set_cookie(
            LANG_COOKIE, tr.lang, max_age=LANG_COOKIE_AGE, httponly=True, samesite="lax"
        )
    return response


def _messages(errors: Mapping[str, FieldError], tr: Translator) -> dict[str, str]:
    return {name: tr(f"errors.{e.code}", **e.params) for name, e in errors.items()}


def _form(
    request: Request,
    page: _Page,
    values: Mapping[str, str],
    *,
    errors: Mapping[str, FieldError] | None = None,
    status: int = 200,
    notice: str | None = None,
    upload_error: str | None = None,
) -> HTMLResponse:
    tr, rec = page.tr, page.rec
    messages = _messages(errors or {}, tr)
    order = [f.name for f in FACT_FIELDS] + list(CAPABILITIES)
    return _render(
        request,
        "portal/form.html",
        tr,
        remember=page.remember,
        status=status,
        values=values,
        errors=messages,
        error_list=[n for n in order if n in messages],
        fact_fields=FACT_FIELDS,
        capabilities=CAPABILITIES,
        year_options=year_options(rec.years(), date.today(), tr),
        sector_options=[(s, tr(f"sectors.{s}")) for s in SECTORS],
        region_options=[(r, tr(f"regions.{r}")) for r in REGIONS],
        notice=notice,
        upload_error=upload_error,
        switch={"form": "portal-form", "action": "/portal/edit", "mode": "carry"},
    )


def _problem_page(
    request: Request,
    tr: Translator,
    message: str,
    *,
    status: int,
    remember: bool,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    return _render(
        request,
        "portal/error.html",
        tr,
        remember=remember,
        status=status,
        headers=headers,
        message=message,
        switch=None,
    )


@dataclass(frozen=True)
class _Page:
    """What every portal page needs: the reader's language and the model being served."""

    tr: Translator
    remember: bool  # the language was chosen explicitly: remember it in a cookie
    rec: Recommender


async def _begin(
    request: Request, asked: str | None, service: ServingService, limiter: RateLimiter | None = None
) -> _Page | HTMLResponse:
    """The page's language and model, or the page that says why there is none.

    With a ``limiter`` the request takes a token of it, keyed by the client's address
    (a 429 page with ``Retry-After`` when the bucket is empty).
    """
    tr, remember = _language(request, asked)
    if limiter is not None:
        try:
            limiter.take(RATE_KEY_PREFIX + client_address(request))
        except RateLimitedError as exc:
            return _problem_page(
                request,
                tr,
                tr("ui.rate_limited", seconds=exc.seconds),
                status=429,
                remember=remember,
                headers=exc.headers,
            )
    try:
        rec = service.model()
    except ModelUnavailableError:
        return _problem_page(request, tr, tr("ui.no_model"), status=503, remember=remember)
    return _Page(tr, remember, rec)


def _serve(
    service: ServingService, session: Session, profile: Mapping[str, Any], *, consent: bool
) -> tuple[Recommendation, int | None]:
    """The API's code path: every eligible programme ranked, the best explained; with
    consent the profile and its list are kept (its reference returned)."""
    result = service.recommend_without_audit(profile, PORTAL_LIST, endpoint=ENDPOINT)
    if not consent:
        return result, None
    return result, service.keep_profile(session, PORTAL_CALLER, profile, result, endpoint=ENDPOINT)


# --- pages ----------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
@router.get("/portal", response_class=HTMLResponse)
async def form_page(request: Request, service: ServiceDep, lang: str | None = None) -> HTMLResponse:
    """The empty form (``?lang=en|ko`` switches and remembers the language)."""
    page = await _begin(request, lang, service)
    if isinstance(page, HTMLResponse):
        return page
    return _form(request, page, default_values(page.rec.years(), date.today()))


@router.post("/portal", response_class=HTMLResponse)
async def results_page(
    request: Request, service: ServiceDep, limiter: RateLimiterDep, session: SessionDep
) -> HTMLResponse:
    """The firm's capability profile and its ranked, explained programmes."""
    posted = await _posted(request)
    page = await _begin(request, posted.get("switch_lang") or posted.get("lang"), service, limiter)
    if isinstance(page, HTMLResponse):
        return page
    parsed = parse_answers(form_values(posted), years=page.rec.years())
    if parsed.profile is None:
        return _form(request, page, parsed.values, errors=parsed.errors, status=422)
    result, ref = await run_in_threadpool(
        _serve, service, session, parsed.profile, consent=parsed.consent
    )
    view = build_results(
        result, programmes=programme_index(page.rec), tr=page.tr, today=date.today()
    )
    answers = {k: v for k, v in parsed.values.items() if k != "consent"}
    return _render(
        request,
        "portal/results.html",
        page.tr,
        remember=page.remember,
        view=view,
        profile=parsed.profile,
        answers=answers,
        saved_ref=ref,
        grid=GRID,
        switch={"form": "answers", "action": "/portal", "mode": "button"},
    )


@router.post("/portal/edit", response_class=HTMLResponse)
async def edit_page(request: Request, service: ServiceDep, limiter: RateLimiterDep) -> HTMLResponse:
    """The form filled with the posted answers (change answers, or switch language)."""
    posted = await _posted(request)
    page = await _begin(request, posted.get("switch_lang") or posted.get("lang"), service, limiter)
    if isinstance(page, HTMLResponse):
        return page
    return _form(request, page, form_values(posted))


@router.post("/portal/answers.json", response_model=None)
async def download_answers(
    request: Request, service: ServiceDep, limiter: RateLimiterDep
) -> Response:
    """The answers as a JSON file (the form again, with errors, if any answer is refused)."""
    posted = await _posted(request)
    page = await _begin(request, posted.get("lang"), service, limiter)
    if isinstance(page, HTMLResponse):
        return page
    parsed = parse_answers(form_values(posted), years=page.rec.years())
    if parsed.profile is None:
        return _form(request, page, parsed.values, errors=parsed.errors, status=422)
    filename = f"sme-answers-{parsed.profile['year']}.json"
    return JSONResponse(
        answers_document(parsed.profile),
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/portal/upload", response_class=HTMLResponse)
async def upload_answers(
    request: Request, service: ServiceDep, limiter: RateLimiterDep
) -> HTMLResponse:
    """The form filled from an uploaded answers file, with any refused answer marked."""
    form = await request.form(max_files=1, max_fields=10)
    lang = form.get("lang")
    page = await _begin(request, lang if isinstance(lang, str) else None, service, limiter)
    if isinstance(page, HTMLResponse):
        return page
    upload = form.get("answers")
    data = await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        values = read_answers_file(data)
    except AnswersFileError as exc:
        return _form(
            request,
            page,
            default_values(page.rec.years(), date.today()),
            status=422,
            upload_error=page.tr(f"errors.{exc.code}", **exc.params),
        )
    parsed = parse_answers(values, years=page.rec.years())
    return _form(
        request,
        page,
        values,
        errors=parsed.errors,
        status=200 if parsed.profile is not None else 422,
        notice=page.tr("ui.upload_loaded"),
    )


@router.get("/portal/static/{name}")
async def static_file(name: str) -> FileResponse:
    """The portal's own CSS and JavaScript."""
    media_type = STATIC_TYPES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail=f"no portal asset {name!r}")
    return FileResponse(
        STATIC_DIR / name,
        media_type=media_type,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
