"""Small doors over a real server: ``/docs`` and ``/redoc`` come from the product's own
assets under a Content-Security-Policy (nothing from a CDN); every response says
``X-Content-Type-Options: nosniff``; no error message shows an absolute server path."""

from __future__ import annotations

import hashlib
import re

import pytest

from api.docs import ASSET_TYPES, DOCS_DIR
from api.errors import hide_paths
from tests.api.conftest import Deployment

PAGES = ("/docs", "/redoc")


@pytest.mark.parametrize("path", PAGES)
def test_the_docs_pages_load_only_their_own_assets(deployment: Deployment, path: str) -> None:
    with deployment.client() as client:
        page = client.get(path)
        assert page.status_code == 200
        html = page.text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets
        fetched = {a: client.get(a) for a in assets}
    assert "http://" not in html and "https://" not in html  # no CDN, no other origin
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert all(a.startswith("/docs/static/") for a in assets)
    assert {a: r.status_code for a, r in fetched.items()} == dict.fromkeys(assets, 200)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "default-src 'none'" in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert 'data-openapi="/openapi.json"' in html


def test_the_vendored_assets_are_the_ones_the_readme_lists() -> None:
    table = (DOCS_DIR / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| ([\w.-]+) \|.*\| ([0-9a-f]{64}) \|$", table, re.M))
    assert set(listed) == {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "redoc.standalone.js",
        "favicon.png",
    }
    actual = {n: hashlib.sha256((DOCS_DIR / n).read_bytes()).hexdigest() for n in listed}
    assert actual == listed
    assert set(listed) <= set(ASSET_TYPES)


def test_an_unknown_docs_asset_is_a_404(deployment: Deployment) -> None:
    with deployment.client() as client:
        assert client.get("/docs/static/..%2Fdocs.py").status_code == 404
        assert client.get("/docs/static/README.md").status_code == 404


REQUESTS = [
    ("GET", "/healthz", None, None),
    ("GET", "/openapi.json", None, None),
    ("GET", "/metrics", None, None),
    ("GET", "/docs", None, None),
    ("GET", "/docs/static/swagger-init.js", None, None),
    ("GET", "/portal", None, None),
    ("GET", "/no-such-page", None, None),
    ("GET", "/v1/audit", None, None),  # 401
    ("GET", "/v1/audit", "partner", None),  # 403
    ("POST", "/v1/recommendations", "partner", {"profile": {}}),  # 422
    ("POST", "/v1/recommendations", "partner", {"x": "y" * 300_000}),  # 413 (body limit)
    ("GET", "/v1/programmes", "partner", None),
]


@pytest.mark.parametrize(("method", "path", "role", "body"), REQUESTS)
def test_every_response_says_nosniff(
    deployment: Deployment, method: str, path: str, role: str | None, body: object
) -> None:
    with deployment.client(role) as client:
        response = client.request(method, path, json=body)
    assert response.headers.get("x-content-type-options") == "nosniff", response.status_code


def test_no_error_message_shows_an_absolute_server_path(deployment: Deployment) -> None:
    root = str(deployment.root)
    with deployment.client("analyst") as client:
        missing = client.post("/v1/models/no-such-version/promote")
    assert missing.status_code == 404
    assert "no-such-version" in missing.json()["detail"], missing.text
    assert root not in missing.text and not re.search(r"['\s]/(tmp|work|home|srv)/", missing.text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("no model version 'x' in /srv/app/models", "no model version 'x' in models"),
        ("/srv/app/var/CHAMPION is unreadable", "CHAMPION is unreadable"),
        ("Permission denied: '/root/.cache/key'", "Permission denied: 'key'"),
        ("see /v1/firms/F1/recommendations", "see /v1/firms/F1/recommendations"),
        ("https://www.bizinfo.go.kr/web/a.do", "https://www.bizinfo.go.kr/web/a.do"),
        ("3/4 of the rows; a/b", "3/4 of the rows; a/b"),
    ],
)
def test_paths_are_cut_to_their_last_part(text: str, shown: str) -> None:
    assert hide_paths(text) == shown
