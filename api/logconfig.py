"""Logs without personal data: no keys, profiles or firm identifiers.

Keys travel in a header and bodies are never logged; what is left is the request line
of uvicorn's access log, whose path can carry a firm id
(``/v1/firms/F-0001/recommendations``) and whose query string can carry ids and
filters. :class:`RedactingAccessFilter` replaces those with placeholders.
"""

from __future__ import annotations

import logging
import re
from typing import Final

ACCESS_LOGGER: Final[str] = "uvicorn.access"
_FIRM_PATH = re.compile(r"^(/v1/firms/)[^/?]+")


def redact_path(path: str) -> str:
    """``/v1/firms/F-1/recommendations?year=2024`` -> ``/v1/firms/{firm_id}/recommendations?…``."""
    base, sep, _query = path.partition("?")
    base = _FIRM_PATH.sub(r"\1{firm_id}", base)
    return base + ("?…" if sep else "")


class RedactingAccessFilter(logging.Filter):
    """Rewrite the path argument of uvicorn access records before they are formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install_log_filters() -> None:
    """Attach the redacting filter to uvicorn's access logger (once)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactingAccessFilter) for f in logger.filters):
        logger.addFilter(RedactingAccessFilter())
