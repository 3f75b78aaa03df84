"""Who may call what: API keys and roles, one rate limiter, a body size limit, CORS.

* Keys travel in ``X-API-Key`` and are looked up by hash in the store
  (:func:`recommender.adapters.store.authenticate`, through :data:`api.deps.PrincipalDep`).
  Missing, unknown or revoked -> 401; a role the route does not allow -> 403.
* One :class:`RateLimiter` per process serves every front end: API keys are limited by
  key name, portal pages by the client's address. Each key has a token bucket of
  ``Settings.rate_limit_per_minute`` requests, refilled continuously; an empty bucket
  raises :class:`RateLimitedError` (429 with ``Retry-After``). Buckets live in the
  memory of each worker process.
* Request bodies larger than ``Settings.max_body_bytes`` -> 413, whether announced by
  ``Content-Length`` or streamed in chunks (the bytes are counted as they arrive).
* CORS is closed unless ``Settings.cors_origins`` names origins.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import APIKeyHeader

from api.errors import ApiProblem, problem_response
from recommender.adapters.store import ROLES
from recommender.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_KEY_HEADER: Final[str] = "X-API-Key"
ANY_ROLE: Final[tuple[str, ...]] = ROLES
STAFF: Final[tuple[str, ...]] = ("caseworker", "analyst")
ANALYST: Final[tuple[str, ...]] = ("analyst",)

api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="API key (`recommender keys create`)"
)


@dataclass(frozen=True)
class Principal:
    """The caller: the key's name and role (never the key itself)."""

    name: str
    role: str


class RateLimitedError(ApiProblem):
    """A caller's bucket is empty: 429, retry after :attr:`seconds` (a whole number)."""

    def __init__(self, *, seconds: int, per_minute: int) -> None:
        super().__init__(
            429,
            f"rate limit of {per_minute} requests a minute exceeded; retry in {seconds} s",
            kind="rate-limited",
            headers={"Retry-After": str(seconds)},
        )
        self.seconds = seconds


class RateLimiter:
    """Token buckets per key: ``per_minute`` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float | None:
        """Take one token for ``key``; ``None`` if granted, else seconds until one is free."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def take(self, key: str) -> None:
        """Take one token for ``key`` or raise :class:`RateLimitedError`."""
        wait = self.acquire(key)
        if wait is not None:
            raise RateLimitedError(seconds=max(1, math.ceil(wait)), per_minute=self.per_minute)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, counting streamed bytes too.

    A ``Content-Length`` over the limit is refused before anything is read; otherwise
    the body is read up to the limit and replayed to the application, so a chunked
    upload cannot slip past.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS", "DELETE"}:
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                announced = int(length)
            except ValueError:
                await self._refuse(scope, send, 400, "Content-Length is not a number")
                return
            if announced > self.max_bytes:
                await self._refuse(scope, send, 413, self._too_large())
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, send, 413, self._too_large())
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"request body larger than {self.max_bytes} bytes"

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, detail: str) -> None:
        response = problem_response(
            status,
            detail,
            instance=scope.get("path"),
            kind="too-large" if status == 413 else "bad-request",
            headers={"Connection": "close"},
        )
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - responses never read the body
    return {"type": "http.disconnect"}


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Open CORS to ``settings.cors_origins`` only; closed (no CORS headers) by default."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=[API_KEY_HEADER, "Content-Type"],
            expose_headers=["X-Request-ID", "X-Process-Time", "Retry-After"],
            max_age=600,
        )


__all__ = [
    "ANALYST",
    "ANY_ROLE",
    "API_KEY_HEADER",
    "STAFF",
    "BodyLimitMiddleware",
    "Principal",
    "RateLimitedError",
    "RateLimiter",
    "api_key_scheme",
    "install_cors",
]
