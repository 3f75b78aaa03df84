"""Every error as ``application/problem+json`` (RFC 9457), never a 500 for bad input.

The core raises :mod:`recommender.errors` exceptions; the handlers here map them to
HTTP statuses. Validation failures list each bad field by its path in the request
(``profile.employees``, ``rows.3.year``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.logconfig import redact_path
from recommender import (
    ConflictError,
    DataValidationError,
    ModelIntegrityError,
    ModelNotFoundError,
    NotFoundError,
    Problem,
    PromotionRefusedError,
    RecommenderError,
)
from recommender.contract.fields import ID_PATTERN, ID_RULE

PROBLEM_JSON: Final[str] = "application/problem+json"
DB_RETRY_AFTER: Final[int] = 1  # seconds a client waits after a busy database (503)
log = logging.getLogger("api")

_TITLES: Final[dict[int, str]] = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Request validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class ApiProblem(Exception):
    """An HTTP error raised by the API layer, rendered as a problem document.

    Parameters
    ----------
    status
        HTTP status code.
    detail
        What went wrong, for a person.
    kind
        Short slug of the problem type (``/problems/<kind>``).
    errors
        Field errors ``[{"field": ..., "message": ...}]``, when the fault is in fields.
    headers
        Extra response headers (e.g. ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: Sequence[Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = list(errors) if errors is not None else None
        self.headers = dict(headers or {})


# An absolute filesystem path inside a message: two or more segments after a leading
# "/" that no word character, dot or scheme precedes. The API's own paths (/v1/..., the
# pages) are left as they are.
_ABSOLUTE_PATH: Final = re.compile(r"(?<![\w.:/~-])/(?:[^\s/'\"()\[\],;]+/)+([^\s/'\"()\[\],;]*)")
_API_ROOTS: Final[tuple[str, ...]] = ("/v1/", "/portal/", "/docs/", "/problems/")


def hide_paths(text: str) -> str:
    """``text`` with every absolute server path cut to its last part
    (``/srv/app/models/v3`` -> ``v3``): error messages must not map the server."""

    def cut(match: re.Match[str]) -> str:
        path = match.group(0)
        return path if path.startswith(_API_ROOTS) else match.group(1) or "<path>"

    return _ABSOLUTE_PATH.sub(cut, text)


def problem_response(
    status: int,
    detail: str | None,
    *,
    instance: str | None = None,
    kind: str | None = None,
    errors: Sequence[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response; absolute server paths in ``detail`` and ``errors`` are
    cut to their last part (:func:`hide_paths`)."""
    body: dict[str, Any] = {
        "type": f"/problems/{kind}" if kind else "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": None if detail is None else hide_paths(detail),
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = [{k: hide_paths(str(v)) for k, v in e.items()} for e in errors]
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={**dict(headers or {}), "X-Content-Type-Options": "nosniff"},
    )


def field_path(loc: Sequence[Any]) -> str:
    """``("body", "profile", "employees")`` -> ``profile.employees``; list indices kept."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"} and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) if parts else "body"


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value"))
    if (
        err.get("type") == "string_pattern_mismatch"
        and (err.get("ctx") or {}).get("pattern") == f"^(?:{ID_PATTERN})$"
    ):
        return f"expected an identifier: {ID_RULE}"
    if err.get("type") == "json_invalid":
        ctx = err.get("ctx") or {}
        where = list(err.get("loc", ()))[-1:]
        return f"invalid JSON: {ctx.get('error', msg)} (at character {where[0] if where else '?'})"
    return msg.removeprefix("Value error, ")


def problems_as_errors(
    problems: Sequence[Problem], *, prefix: Mapping[str, str]
) -> list[dict[str, str]]:
    """Core :class:`Problem` s as field errors; ``prefix`` maps a file name to a path root.

    A problem in file ``rows`` at row 3, column ``year`` becomes ``rows.3.year``.
    """
    out = []
    for p in problems:
        parts = [prefix.get(p.file, p.file)]
        if p.row is not None:
            parts.append(str(p.row))
        if p.column is not None:
            parts.append(p.column)
        shown = "" if p.value is None else f"got {p.value!r}; "
        out.append({"field": ".".join(parts), "message": f"{shown}expected {p.expected}"})
    return out


def status_of(exc: RecommenderError) -> tuple[int, str]:
    """The HTTP status and problem kind of a core error (the API and the staff pages)."""
    if isinstance(exc, DataValidationError):
        return 422, "invalid-data"
    if isinstance(exc, NotFoundError | ModelNotFoundError):
        return 404, "not-found"
    if isinstance(exc, PromotionRefusedError):
        return 409, "promotion-refused"
    if isinstance(exc, ModelIntegrityError):
        return 409, "model-integrity"
    if isinstance(exc, ConflictError):
        return 409, "conflict"
    return 422, "rejected"


def install_error_handlers(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""

    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.detail,
            instance=request.url.path,
            kind=exc.kind,
            errors=exc.errors,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": "body"
                if e.get("type") == "json_invalid"
                else field_path(e.get("loc", ())),
                "message": _message(e),
            }
            for e in exc.errors()
        ]
        noun = "field is" if len(errors) == 1 else "fields are"
        return problem_response(
            422,
            f"{len(errors)} {noun} invalid",
            instance=request.url.path,
            kind="validation-error",
            errors=errors,
        )

    @app.exception_handler(RecommenderError)
    async def _core(request: Request, exc: RecommenderError) -> JSONResponse:
        status, kind = status_of(exc)
        errors = None
        detail = str(exc)
        if isinstance(exc, DataValidationError):
            errors = problems_as_errors(exc.problems, prefix={})
            n = len(exc.problems)
            detail = f"{n} problem{'s' if n != 1 else ''} in the data"
        return problem_response(status, detail, instance=request.url.path, kind=kind, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            exc.status_code,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OperationalError)
    async def _database_busy(request: Request, exc: OperationalError) -> JSONResponse:
        # locked by another writer past the busy timeout, or the connection lost: nothing
        # was committed, so the client may safely retry. The SQL parameters (firm data)
        # are not logged, only the driver's message.
        log.warning(
            "database unavailable on %s %s: %s",
            request.method,
            redact_path(request.url.path),
            exc.orig,
        )
        return problem_response(
            503,
            f"the database is busy; nothing was stored, retry in {DB_RETRY_AFTER} s",
            instance=request.url.path,
            kind="database-busy",
            headers={"Retry-After": str(DB_RETRY_AFTER)},
        )

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
        # a value the database refuses (PostgreSQL: NUL in text, a number out of range);
        # the transaction was rolled back. Only the driver's message is shown, never the
        # SQL parameters.
        return problem_response(
            422,
            f"a value cannot be stored or searched: {exc.orig}",
            instance=request.url.path,
            kind="invalid-data",
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, redact_path(request.url.path))
        return problem_response(
            500,
            "an unexpected error occurred; it has been logged",
            instance=request.url.path,
            kind="internal",
        )
