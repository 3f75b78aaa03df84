"""Prometheus metrics and server-side timing.

* ``http_requests_total{method, route, status}`` and
  ``http_request_duration_seconds{method, route}`` (route = the path template, so ids
  do not explode the label space);
* ``recommender_model_info{version}`` = 1 for the version this process serves;
* ``recommendations_served_total{endpoint}``: firm lists served.

Every response carries ``X-Process-Time``: milliseconds from the request reaching the
application to its response headers being sent.

With several uvicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (``recommender serve``
does) and ``/metrics`` aggregates every worker's values.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROCESS_TIME_HEADER: Final[str] = "X-Process-Time"
_BUCKETS: Final[tuple[float, ...]] = (
    0.001,
    0.0025,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.03,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)


def multiprocess_dir() -> str | None:
    """The shared metrics directory of a multi-worker server, if one is configured."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The metrics of one application, in a registry of its own (tests build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from request to response headers",
            ("method", "route"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.model = Gauge(
            "recommender_model_info",
            "1 for the model version being served",
            ("version",),
            registry=self.registry,
            multiprocess_mode="liveall",
        )
        self.served = Counter(
            "recommendations_served_total",
            "Firm lists served",
            ("endpoint",),
            registry=self.registry,
        )
        self._version: str | None = None

    def set_model(self, version: str | None) -> None:
        """Record the version now served (the previous one drops to 0)."""
        if self._version is not None and self._version != version:
            self.model.labels(version=self._version).set(0)
        if version is not None:
            self.model.labels(version=version).set(1)
        self._version = version

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition (all workers' values in multi-process mode)."""
        if multiprocess_dir():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Count and time every HTTP request; add ``X-Process-Time`` (ms) to the response."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                elapsed_ms = (time.perf_counter() - start) * 1000.0
                headers = list(message.get("headers", []))
                headers.append(
                    (
                        PROCESS_TIME_HEADER.lower().encode("latin-1"),
                        f"{elapsed_ms:.3f}".encode("latin-1"),
                    )
                )
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method=method, route=template, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=template).observe(
                time.perf_counter() - start
            )
