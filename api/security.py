"""Who may call what: API keys and roles, one rate limiter, a body size limit, CORS.

* Keys travel in ``X-API-Key`` and are looked up by hash in the store
  (:func:`recommender.adapters.store.authenticate`, through :data:`api.deps.PrincipalDep`).
  Missing, unknown or revoked -> 401; a role the route does not allow -> 403.
* One :class:`RateLimiter` per process serves every front end: API keys are limited by
  key name, portal pages by the client's address. Each key has a token bucket of
  ``Settings.rate_limit_per_minute`` requests, refilled continuously; an empty bucket
  raises :class:`RateLimitedError` (429 with ``Retry-After``). The same limiter holds
  each key's cost budget (``Settings.cost_budget_per_minute``, :mod:`api.cost`) and the
  failed authentications of each client address (``Settings.auth_failures_per_minute``,
  :class:`AuthFailures`). Buckets live in the memory of each worker process.
* The client's address is the connection's peer; forwarding headers count only from
  ``Settings.trusted_proxies`` (:func:`api.server.proxy_options`).
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

from fastapi import FastAPI, Request
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
    """A caller's bucket is empty: 429, retry after :attr:`seconds` (a whole number).

    ``limit`` says which limit, for a person ("600 requests a minute").
    """

    def __init__(
        self, *, seconds: int, per_minute: int, limit: str | None = None, why: str = ""
    ) -> None:
        said = limit or f"{per_minute} requests a minute"
        super().__init__(
            429,
            f"rate limit of {said} exceeded{why}; retry in {seconds} s",
            kind="rate-limited",
            headers={"Retry-After": str(seconds)},
        )
        self.seconds = seconds


class RateLimiter:
    """Token buckets per key, refilled continuously, bursts up to a minute's worth.

    Every bucket holds ``per_minute`` tokens unless a call names its own ``per_minute``
    (the cost budget and the failed-authentication limit share this one limiter, each
    under keys of its own prefix). A request takes one token, a costed request takes
    ``cost`` tokens at once.
    """

    MAX_BUCKETS: Final[int] = 100_000  # beyond, full buckets are forgotten

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float, float]] = {}  # tokens, time, capacity
        self._lock = threading.Lock()

    def _level(self, key: str, capacity: float, now: float) -> float:
        tokens, last, _ = self._buckets.get(key, (capacity, now, capacity))
        return min(capacity, tokens + (now - last) * capacity / 60.0)

    def acquire(
        self, key: str, *, cost: float = 1.0, per_minute: int | None = None
    ) -> float | None:
        """Take ``cost`` tokens for ``key``; ``None`` if granted, else seconds until they
        are there (``inf`` when ``cost`` exceeds the bucket)."""
        capacity = float(per_minute or self.per_minute)
        now = self._clock()
        with self._lock:
            tokens = self._level(key, capacity, now)
            if tokens >= cost:
                self._store(key, tokens - cost, now, capacity)
                return None
            self._store(key, tokens, now, capacity)
            if cost > capacity:
                return math.inf
            return (cost - tokens) / (capacity / 60.0)

    def waiting(self, key: str, *, per_minute: int | None = None) -> float | None:
        """Seconds until ``key`` has a token, without taking one; ``None`` if it has."""
        capacity = float(per_minute or self.per_minute)
        with self._lock:
            tokens = self._level(key, capacity, self._clock())
        return None if tokens >= 1.0 else (1.0 - tokens) / (capacity / 60.0)

    def _store(self, key: str, tokens: float, now: float, capacity: float) -> None:
        if key not in self._buckets and len(self._buckets) >= self.MAX_BUCKETS:
            self._buckets = {
                k: v for k, v in self._buckets.items() if v[0] + (now - v[1]) * v[2] / 60.0 < v[2]
            }
        self._buckets[key] = (tokens, now, capacity)

    def take(
        self,
        key: str,
        *,
        cost: int = 1,
        per_minute: int | None = None,
        limit: str | None = None,
        why: str = "",
    ) -> None:
        """Take ``cost`` tokens for ``key`` or raise :class:`RateLimitedError`."""
        wait = self.acquire(key, cost=cost, per_minute=per_minute)
        if wait is not None:
            raise RateLimitedError(
                seconds=max(1, math.ceil(min(wait, 60.0))),
                per_minute=per_minute or self.per_minute,
                limit=limit,
                why=why,
            )


AUTH_FAILURE_PREFIX: Final[str] = "auth-failed:"


def client_address(request: Request) -> str:
    """The client's address: the connection's peer, or the address a trusted proxy
    forwarded (uvicorn reads ``X-Forwarded-For`` only from ``Settings.trusted_proxies``,
    see :func:`api.server.proxy_options`)."""
    return request.client.host if request.client else "unknown"


class AuthFailures:
    """Failed authentications per client address, on the process's one limiter."""

    def __init__(self, limiter: RateLimiter, settings: Settings) -> None:
        self.limiter = limiter
        self.per_minute = settings.auth_failures_per_minute

    def check(self, peer: str) -> None:
        """Raise :class:`RateLimitedError` while ``peer`` has no failures left."""
        wait = self.limiter.waiting(AUTH_FAILURE_PREFIX + peer, per_minute=self.per_minute)
        if wait is not None:
            raise RateLimitedError(
                seconds=max(1, math.ceil(wait)),
                per_minute=self.per_minute,
                limit=f"{self.per_minute} failed authentications a minute from one client",
            )

    def count(self, peer: str) -> None:
        """Count one failed authentication of ``peer``."""
        self.limiter.acquire(AUTH_FAILURE_PREFIX + peer, per_minute=self.per_minute)


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


class NoSniffMiddleware:
    """``X-Content-Type-Options: nosniff`` on every HTTP response (problem documents set
    it themselves too, for the 500s raised outside every middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"x-content-type-options"
                ]
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_nosniff)


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
    "AUTH_FAILURE_PREFIX",
    "STAFF",
    "AuthFailures",
    "BodyLimitMiddleware",
    "NoSniffMiddleware",
    "Principal",
    "RateLimitedError",
    "RateLimiter",
    "api_key_scheme",
    "client_address",
    "install_cors",
]
