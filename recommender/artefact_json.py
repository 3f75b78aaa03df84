"""Reading an untrusted JSON artefact of a model version (its calibration, its feature
pipeline): bounded in size, parsed without trusting it, every refusal naming the file
and saying that nothing was loaded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from recommender.errors import ModelIntegrityError

Refusal = Callable[[str], ModelIntegrityError]


def refusal(where: str) -> Refusal:
    """The error of a file that ``where`` names, for one reason."""

    def bad(why: str) -> ModelIntegrityError:
        return ModelIntegrityError(f"{where} {why}; nothing was loaded")

    return bad


def parsed(data: bytes, *, max_bytes: int, bad: Refusal) -> Any:
    """``data`` as JSON, refused (``bad``) when over ``max_bytes`` or not JSON at all."""
    if len(data) > max_bytes:
        raise bad(f"is larger than {max_bytes} bytes")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise bad(f"is not JSON ({type(exc).__name__})") from None
