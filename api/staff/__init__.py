"""The staff pages (``/staff``): caseworkers and analysts sign in with their API key,
find firms, read a firm's profile, capability chart and explained list, record feedback
and outcomes in place, work a programme's outreach list and run a year's allocation.

Server-rendered HTML in English and Korean under the partner portal's strict CSP, no
script; include :data:`router` in the app.
"""

from api.staff.routes import router

__all__ = ["router"]
