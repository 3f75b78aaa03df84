"""Pages of every list endpoint: ``limit`` (bounded), an opaque keyset ``cursor``, and the
``{"items": [...], "next_cursor": ...}`` envelope.

A cursor holds the sort key of the last item served (never an offset), so rows stored
between two requests neither shift nor repeat the pages after it. It is opaque to
clients: URL-safe base64 of a small JSON list, tagged with the list it belongs to, so a
cursor of one endpoint is refused by another (422 naming ``cursor``).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Final, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from api.errors import ApiProblem

DEFAULT_LIMIT: Final[int] = 50
MAX_LIMIT: Final[int] = 500
MAX_CURSOR_LENGTH: Final[int] = 512

Limit = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"items per page (1 to {MAX_LIMIT})"),
]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        description="`next_cursor` of the previous page; omit for the first page",
    ),
]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; ask again with ``cursor=next_cursor`` until it is null."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="where the next page starts; null on the last page"
    )


def encode_cursor(kind: str, key: list[Any]) -> str:
    """The opaque cursor after an item whose sort key is ``key`` (JSON values)."""
    raw = json.dumps([kind, *key], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, *, types: tuple[type, ...]) -> list[Any] | None:
    """The sort key a cursor of ``kind`` holds (``None`` for no cursor), each value of
    the matching type of ``types``.

    Raises
    ------
    ApiProblem
        422 naming ``cursor`` when it was not made by this list.
    """
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    ok = (
        isinstance(value, list)
        and len(value) == len(types) + 1
        and value[0] == kind
        and all(
            isinstance(v, t) and not (t is int and isinstance(v, bool))
            for v, t in zip(value[1:], types, strict=True)
        )
    )
    if not ok or not isinstance(value, list):
        raise bad_cursor()
    return value[1:]


def bad_cursor() -> ApiProblem:
    """The 422 of a cursor this list did not hand out."""
    return ApiProblem(
        422,
        "the cursor is not one this list handed out; start again without it",
        kind="validation-error",
        errors=[{"field": "cursor", "message": "a next_cursor of this list"}],
    )


def page_of(items: list[T], *, limit: int, kind: str, key: Any) -> Page[T]:
    """The page of the first ``limit`` of ``items`` (fetched as ``limit + 1`` to know
    whether more follow); ``key(item)`` is the item's sort key for the cursor."""
    shown = items[:limit]
    more = len(items) > limit
    return Page(items=shown, next_cursor=encode_cursor(kind, key(shown[-1])) if more else None)
