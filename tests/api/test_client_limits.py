"""Per-client limits are keyed on the real peer: forwarding headers count only from the
proxies ``Settings.trusted_proxies`` names, and failed authentications are limited per
client address (through a real uvicorn server started as ``recommender serve`` starts it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.server import proxy_options
from recommender.adapters.store import create_key, get_engine, session_scope, upgrade_database
from recommender.settings import Settings
from tests.api.conftest import LiveServer, make_settings

FORGED: tuple[dict[str, str], ...] = (
    {"X-Forwarded-For": "203.0.113.1"},
    {"Forwarded": "for=203.0.113.2"},
    {"X-Real-IP": "203.0.113.3"},
    {"X-Forwarded-For": "203.0.113.4, 198.51.100.9"},
    {"X-Forwarded-For": "203.0.113.5", "Forwarded": "for=203.0.113.6"},
)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start a server (no model: the limits come before it) with settings overrides."""
    servers: list[LiveServer] = []

    def start(**overrides: Any) -> tuple[LiveServer, str]:
        root = tmp_path / f"app{len(servers)}"
        settings = make_settings(root, **overrides)
        upgrade_database(settings.db_url)
        with session_scope(get_engine(settings.db_url)) as session:
            key = create_key(session, name="limits-analyst", role="analyst")
        server = LiveServer(create_app(settings)).__enter__()
        servers.append(server)
        return server, key

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def from_address(server: LiveServer, address: str, **kw: Any) -> httpx.Client:
    """A client whose connections leave from ``address`` (any 127.x.y.z reaches loopback)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30, **kw)


def test_by_default_no_forwarding_header_is_trusted() -> None:
    assert proxy_options(Settings()) == {"proxy_headers": False, "forwarded_allow_ips": []}
    named = proxy_options(Settings(trusted_proxies=["10.0.0.0/8", "192.0.2.7"]))
    assert named == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.0/8", "192.0.2.7"]}


def test_settings_refuse_a_proxy_that_is_no_address() -> None:
    with pytest.raises(ValueError, match="trusted_proxies: 'proxy.example' is not an IP"):
        Settings(trusted_proxies=["proxy.example"])


def test_a_forged_client_address_does_not_escape_the_portal_limit(serve: Any) -> None:
    server, _ = serve(rate_limit_per_minute=3)
    with server.client() as client:
        statuses = [client.post("/portal/edit", headers=h).status_code for h in FORGED]
    assert statuses[3:] == [429, 429]  # one bucket: the loopback peer's


def test_a_trusted_proxy_s_forwarded_address_keys_the_limit(serve: Any) -> None:
    server, _ = serve(rate_limit_per_minute=2, trusted_proxies=["127.0.0.1"])
    with server.client() as client:
        spread = [
            client.post("/portal/edit", headers={"X-Forwarded-For": f"203.0.113.{i}"})
            for i in range(1, 6)
        ]
        same = [
            client.post("/portal/edit", headers={"X-Forwarded-For": "198.51.100.1"})
            for _ in range(3)
        ]
    assert 429 not in [r.status_code for r in spread]  # five clients behind the proxy
    assert [r.status_code for r in same][2] == 429
    # the proxy's X-Real-IP / Forwarded are still not read: only X-Forwarded-For is
    with server.client() as client:
        real_ip = [
            client.post("/portal/edit", headers={"X-Real-IP": f"203.0.113.{i}"}).status_code
            for i in range(10, 13)
        ]
    assert real_ip[2] == 429


def test_failed_authentications_are_limited_per_client(serve: Any) -> None:
    server, key = serve(auth_failures_per_minute=3)
    with from_address(server, "127.0.0.1") as guesser:
        guesses = [
            guesser.get("/v1/audit", headers={"X-API-Key": f"guess-{i}", **FORGED[i]})
            for i in range(4)
        ]
        blocked = guesser.get("/v1/audit", headers={"X-API-Key": key})
    assert [r.status_code for r in guesses] == [401, 401, 401, 429]
    problem = guesses[3].json()
    assert "3 failed authentications a minute from one client" in problem["detail"]
    assert int(guesses[3].headers["Retry-After"]) >= 1
    assert blocked.status_code == 429  # the right key is not even looked up meanwhile
    with from_address(server, "127.0.0.2") as other:
        assert other.get("/v1/audit", headers={"X-API-Key": key}).status_code == 200
        assert other.get("/v1/audit").status_code == 401  # no key: not an attempt
