"""The staff pages' routes, gathered: sign-in, firms, records (feedback, outcomes),
outreach lists, allocations, and the pages' own stylesheet."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.staff import allocations, auth, firms, outreach, records
from api.staff.render import STAFF_PATH, static_file

router = APIRouter(include_in_schema=False)
for part in (auth, firms, records, outreach, allocations):
    router.include_router(part.router)


@router.get(f"{STAFF_PATH}/static/{{name}}")
def staff_static(name: str) -> FileResponse:
    """The staff pages' stylesheet (the portal's is shared from /portal/static/)."""
    return static_file(name)
