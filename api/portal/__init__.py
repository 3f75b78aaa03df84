"""The partner portal: a firm's self-diagnosis and its explained programme matches.

Include :data:`router` in the app (``app.include_router(portal_router)``); it serves
``/``, ``/portal`` and the portal's own assets under ``/portal/static/``.
"""

from api.portal.routes import router

__all__ = ["router"]
