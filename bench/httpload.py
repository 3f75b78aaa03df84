"""A minimal HTTP/1.1 load generator for the serving benchmarks: raw keep-alive
connections to 127.0.0.1 (``TCP_NODELAY``), a fixed list of requests, no retries.

Client time is measured around each exchange; server time is the response's
``X-Process-Time`` header.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Sequence
from typing import Any

import numpy as np


def request_bytes(path: str, body: dict[str, Any], key: str) -> bytes:
    """One ``POST`` of a JSON body with an API key, as sent on the wire."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, float, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, float(headers.get("x-process-time", "nan")), body


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**24)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return reader, writer


async def _run_load(port: int, requests: Sequence[bytes], *, concurrency: int) -> dict[str, Any]:
    queue = list(range(len(requests)))
    client_ms: list[float] = []
    server_ms: list[float] = []
    sizes: list[int] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        reader, writer = await _connect(port)
        try:
            while queue:
                i = queue.pop()
                start = time.perf_counter()
                status, server, body = await _exchange(reader, writer, requests[i])
                client_ms.append((time.perf_counter() - start) * 1000)
                server_ms.append(server)
                sizes.append(len(body))
                failures += status != 200
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    c, s = np.array(client_ms), np.array(server_ms)
    return {
        "requests": len(requests),
        "concurrency": concurrency,
        "failures": failures,
        "req_per_s": len(requests) / wall,
        "client_p50_ms": float(np.percentile(c, 50)),
        "client_p99_ms": float(np.percentile(c, 99)),
        "server_p50_ms": float(np.nanpercentile(s, 50)),
        "server_p99_ms": float(np.nanpercentile(s, 99)),
        "response_kb_p50": float(np.percentile(sizes, 50)) / 1024,
    }


def run_load(port: int, requests: Sequence[bytes], *, concurrency: int) -> dict[str, Any]:
    """Send every request once over ``concurrency`` connections; latency and throughput."""
    return asyncio.run(_run_load(port, requests, concurrency=concurrency))


async def _post_all(port: int, requests: Sequence[bytes]) -> tuple[float, list[bytes]]:
    reader, writer = await _connect(port)
    bodies = []
    start = time.perf_counter()
    for request in requests:
        status, _, body = await _exchange(reader, writer, request)
        if status != 200:
            raise RuntimeError(f"request failed ({status}): {body[:300]!r}")
        bodies.append(body)
    wall = time.perf_counter() - start
    writer.close()
    return wall, bodies


def post_all(port: int, requests: Sequence[bytes]) -> tuple[float, list[bytes]]:
    """Send the requests one after the other on one connection: wall seconds and bodies
    (raises on any status but 200)."""
    return asyncio.run(_post_all(port, requests))
