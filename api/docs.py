"""``/docs`` (Swagger UI) and ``/redoc`` served from the product's own assets.

FastAPI's own pages load their scripts from a public CDN with no integrity check, and
are blank without internet access. These pages load the vendored copies in
``api/static/docs`` (see its README: versions, licences, hashes) and a small start-up
script each, under a Content-Security-Policy that allows scripts from this origin only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

DOCS_DIR: Final[Path] = Path(__file__).resolve().parent / "static" / "docs"
ASSET_TYPES: Final[dict[str, str]] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-init.js": "text/javascript; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "redoc-init.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Swagger UI and ReDoc set inline styles (and ReDoc runs its search in a blob: worker);
# scripts, requests and everything else come from this origin only.
DOCS_CSP: Final[str] = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
PAGE_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": DOCS_CSP,
    "Referrer-Policy": "same-origin",
}

router = APIRouter(include_in_schema=False)

_PAGE: Final[str] = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{assets}/favicon.png">
{head}
</head>
<body>
<div id="{element}" data-openapi="{openapi}"></div>
{scripts}
</body>
</html>
"""


def _page(request: Request, *, title: str, element: str, head: str, scripts: list[str]) -> str:
    root = request.scope.get("root_path", "")
    assets = f"{root}/docs/static"
    return _PAGE.format(
        title=escape(f"{request.app.title} - {title}"),
        assets=escape(assets),
        head=head.format(assets=escape(assets)),
        element=element,
        openapi=escape(f"{root}{request.app.openapi_url}"),
        scripts="\n".join(f'<script src="{escape(assets)}/{s}"></script>' for s in scripts),
    )


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over the app's OpenAPI document."""
    html = _page(
        request,
        title="Swagger UI",
        element="swagger-ui",
        head='<link rel="stylesheet" href="{assets}/swagger-ui.css">',
        scripts=["swagger-ui-bundle.js", "swagger-init.js"],
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc over the app's OpenAPI document."""
    html = _page(
        request,
        title="ReDoc",
        element="redoc",
        head="",
        scripts=["redoc.standalone.js", "redoc-init.js"],
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/docs/static/{name}")
async def docs_asset(name: str) -> FileResponse:
    """One of the documentation pages' own assets."""
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail=f"no documentation asset {name!r}")
    return FileResponse(
        DOCS_DIR / name, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
    )
