"""Signing in to the staff pages: a caseworker or analyst API key, typed once, is
exchanged for a server-side session held in an HttpOnly, SameSite=Strict cookie
(Secure when the page is served over https).

* The sign-in form is protected like every other form: its CSRF token is a random
  value set in a short-lived cookie and repeated in the form (double submit), so a
  page elsewhere cannot sign a browser in under another key.
* Failed sign-ins count against the client's address on the API's own limit of failed
  authentications (:class:`api.security.AuthFailures`); past it, the form answers 429.
* Partner keys are refused; a revoked key's sessions end at their next request; a
  session ends after ``Settings.staff_session_hours`` or when its reader signs out.
* Every sign-in, refused sign-in and sign-out is logged; the sessions table keeps each
  sign-in (who, when, from where, how it ended).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.security import STAFF, AuthFailures, Principal, RateLimitedError, client_address
from api.staff.i18n import StaffTranslator
from api.staff.render import STAFF_PATH, Staff, language, problem_page, render, see_other
from recommender.adapters.store import authenticate
from recommender.adapters.store.staff_sessions import begin_session, end_session, find_session
from recommender.settings import Settings

log = logging.getLogger("api.staff")

SESSION_COOKIE: Final[str] = "staff_session"
SIGN_IN_COOKIE: Final[str] = "staff_sign_in"  # the sign-in form's CSRF token
SIGN_IN_COOKIE_AGE: Final[int] = 3600
MAX_KEY_CHARS: Final[int] = 200

router = APIRouter(prefix=STAFF_PATH, include_in_schema=False)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def signed_in(request: Request, session: Session, lang: str | None) -> Staff | Response:
    """The reader's live session, or the way to the sign-in page (its cookie cleared);
    each page takes one token of the key's rate limit (a 429 page past it)."""
    tr, remember = language(request, lang)
    token = request.cookies.get(SESSION_COOKIE, "")
    info = find_session(session, token) if token else None
    session.commit()  # an expired or revoked session is marked ended
    if info is None or info.role not in STAFF:
        response = see_other(f"{STAFF_PATH}/sign-in" + ("?ended=1" if token else ""))
        response.delete_cookie(SESSION_COOKIE, path=STAFF_PATH)
        return response
    who = Staff(Principal(info.key_name, info.role), info.id, info.csrf_token, tr, remember)
    try:  # a page is a request of the key, on the API's one limiter
        request.app.state.rate_limiter.take(info.key_name)
    except RateLimitedError as exc:
        message = tr("ui.rate_limited", seconds=exc.seconds)
        return problem_page(request, who, tr, message, status=429, headers=exc.headers)
    return who


def csrf_ok(staff: Staff, sent: str) -> bool:
    """Whether a posted form carries this session's CSRF token."""
    return bool(sent) and hmac.compare_digest(sent.encode(), staff.csrf.encode())


def csrf_refused(request: Request, staff: Staff | None, tr: StaffTranslator) -> HTMLResponse:
    """The page for a form without its session's CSRF token (nothing was done)."""
    log.warning("staff form refused without its CSRF token: %s", request.url.path)
    return render(
        request,
        "staff/error.html",
        tr,
        staff=staff,
        remember=False,
        status=403,
        message=tr("staff.csrf_refused"),
        errors=[],
    )


def signed_post(request: Request, session: Session, csrf: str) -> Staff | Response:
    """The staff member behind a posted form that carries the session's CSRF token, or
    the answer that refuses it (sign-in page, or 403 without the token)."""
    who = signed_in(request, session, None)
    if isinstance(who, Staff) and not csrf_ok(who, csrf):
        return csrf_refused(request, who, who.tr)
    return who


def _sign_in_page(
    request: Request,
    tr: StaffTranslator,
    *,
    remember: bool,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    hours = _settings(request).staff_session_hours
    response = render(
        request,
        "staff/sign_in.html",
        tr,
        staff=None,
        remember=remember,
        status=status,
        switch=f"{STAFF_PATH}/sign-in?lang={tr.other}",
        headers=headers,
        csrf=token,
        error=error,
        notice=notice,
        hours=f"{hours:g}",
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=SIGN_IN_COOKIE_AGE,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path=f"{STAFF_PATH}/sign-in",
    )
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    session: SessionDep,
    lang: str | None = None,
    ended: int = 0,
    out: int = 0,
) -> Response:
    """The sign-in form (straight to the firms when already signed in)."""
    tr, remember = language(request, lang)
    if request.cookies.get(SESSION_COOKIE):
        who = signed_in(request, session, lang)
        if isinstance(who, Staff):
            return see_other(f"{STAFF_PATH}/firms")
    notice = tr("staff.signed_out") if out else (tr("staff.session_ended") if ended else None)
    return _sign_in_page(request, tr, remember=remember, notice=notice)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str, Form(max_length=MAX_KEY_CHARS)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    lang: Annotated[str | None, Form(max_length=8)] = None,
) -> Response:
    """Exchange a caseworker or analyst key for a session cookie."""
    tr, remember = language(request, lang)
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not csrf or not expected or not hmac.compare_digest(csrf.encode(), expected.encode()):
        return csrf_refused(request, None, tr)
    peer = client_address(request)
    failures = AuthFailures(request.app.state.rate_limiter, _settings(request))
    try:
        failures.check(peer)
    except RateLimitedError as exc:
        log.warning("staff sign-in refused: too many failures from %s", peer)
        message = tr("staff.sign_in_limited", seconds=exc.seconds)
        return _sign_in_page(
            request, tr, remember=remember, status=429, error=message, headers=exc.headers
        )
    info = authenticate(session, api_key.strip())
    if info is None:
        failures.count(peer)
        log.warning("staff sign-in refused: unknown or revoked key from %s", peer)
        return _sign_in_page(
            request, tr, remember=remember, status=401, error=tr("staff.sign_in_failed")
        )
    if info.role not in STAFF:
        log.warning("staff sign-in refused: %s key %r from %s", info.role, info.name, peer)
        return _sign_in_page(
            request, tr, remember=remember, status=403, error=tr("staff.sign_in_partner")
        )
    lifetime = timedelta(hours=_settings(request).staff_session_hours)
    new = begin_session(session, key_name=info.name, role=info.role, lifetime=lifetime, client=peer)
    session.commit()
    log.info(
        "staff sign-in: key %r (%s) from %s, session %d", info.name, info.role, peer, new.info.id
    )
    response: RedirectResponse = see_other(f"{STAFF_PATH}/firms")
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path=STAFF_PATH,
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=f"{STAFF_PATH}/sign-in")
    return response


@router.post("/sign-out", response_class=HTMLResponse)
def sign_out(
    request: Request,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """End the session (its row stays, marked signed out) and clear the cookie."""
    who = signed_post(request, session, csrf)
    if not isinstance(who, Staff):
        return who
    end_session(session, who.session_id, why="signed_out")
    session.commit()
    log.info("staff sign-out: key %r, session %d", who.principal.name, who.session_id)
    response = see_other(f"{STAFF_PATH}/sign-in?out=1")
    response.delete_cookie(SESSION_COOKIE, path=STAFF_PATH)
    return response


__all__ = ["SESSION_COOKIE", "csrf_ok", "csrf_refused", "router", "signed_in"]
