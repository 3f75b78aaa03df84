"""How every staff page is rendered: the portal's templates folder, security headers
and stylesheet, the staff pages' own stylesheet, the reader's language, and one error
page for whatever the service refuses (its message, and each refused field).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from api.errors import ApiProblem, status_of
from api.portal.i18n import choose_language
from api.portal.routes import PAGE_HEADERS, TEMPLATES, field_anchor
from api.portal.routes import field_label as portal_field_label
from api.portal.routes import static_url as portal_static_url
from api.security import Principal
from api.staff.i18n import STAFF_LANG_COOKIE, StaffTranslator
from recommender.errors import RecommenderError

STATIC_DIR: Final[Path] = Path(__file__).resolve().parents[1] / "static" / "staff"
STYLESHEET: Final[str] = "staff.css"
STATIC_VERSION: Final[str] = hashlib.sha256((STATIC_DIR / STYLESHEET).read_bytes()).hexdigest()[:12]
LANG_COOKIE_AGE: Final[int] = 365 * 24 * 3600
STAFF_PATH: Final[str] = "/staff"


@dataclass(frozen=True)
class Staff:
    """A signed-in reader: whose key, the session (id, CSRF token), the language."""

    principal: Principal
    session_id: int
    csrf: str
    tr: StaffTranslator
    remember: bool  # the language was asked for: remember it in a cookie


def language(request: Request, asked: str | None) -> tuple[StaffTranslator, bool]:
    """The page's language (asked, else remembered, else the browser's) and whether to
    remember it."""
    lang = choose_language(
        asked=asked,
        cookie=request.cookies.get(STAFF_LANG_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
    return StaffTranslator(lang), asked == lang


def staff_static_url(name: str) -> str:
    """Where a staff asset is served, with a version that changes with its content."""
    return f"{STAFF_PATH}/static/{name}?v={STATIC_VERSION}"


def switch_url(request: Request, lang: str) -> str:
    """This page's address (a GET page) in language ``lang``."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in {"lang", "done"}]
    return f"{request.url.path}?{urlencode([*query, ('lang', lang)])}"


def render(
    request: Request,
    template: str,
    tr: StaffTranslator,
    *,
    staff: Staff | None,
    remember: bool,
    status: int = 200,
    switch: str | None = None,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A staff page; ``switch`` is the GET address the language switch leads to."""
    context = {
        "tr": tr,
        "staff": staff,
        "portal_static_url": portal_static_url,
        "staff_static_url": staff_static_url,
        "field_anchor": field_anchor,
        "field_label": lambda name: field_label(name, tr),
        "switch": switch or f"{STAFF_PATH}/firms?lang={tr.other}",
        **context,
    }
    response = TEMPLATES.TemplateResponse(
        request, template, context, status_code=status, headers={**PAGE_HEADERS, **(headers or {})}
    )
    if remember:
        response.set_cookie(
            STAFF_LANG_COOKIE,
            tr.lang,
            max_age=LANG_COOKIE_AGE,
            httponly=True,
            samesite="strict",
            path=STAFF_PATH,
        )
    return response


def field_label(name: str, tr: StaffTranslator) -> str:
    """A form field's label in the reader's language (its name when it has none)."""
    if name in ("firm_name", "district"):
        return tr(f"staff.{name}_label")
    try:
        return portal_field_label(name, tr)
    except KeyError:
        return name


def refusal(exc: ApiProblem | RecommenderError) -> tuple[int, str, list[Mapping[str, str]]]:
    """The status, message and field errors of an error the service raised."""
    if isinstance(exc, ApiProblem):
        return exc.status, exc.detail, list(exc.errors or [])
    status, _kind = status_of(exc)
    return status, str(exc), []


def problem_page(
    request: Request,
    staff: Staff | None,
    tr: StaffTranslator,
    message: str,
    *,
    status: int,
    errors: list[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The error page: what went wrong (and each refused field), and the way back."""
    return render(
        request,
        "staff/error.html",
        tr,
        staff=staff,
        remember=False,
        status=status,
        headers=headers,
        message=message,
        errors=errors or [],
    )


def see_other(path: str) -> RedirectResponse:
    """After a form is handled: the page to show next (a GET, so reloading is safe)."""
    return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


def static_file(name: str) -> FileResponse:
    """The staff pages' own stylesheet."""
    if name != STYLESHEET:
        raise HTTPException(status_code=404, detail=f"no staff asset {name!r}")
    return FileResponse(
        STATIC_DIR / name,
        media_type="text/css; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
