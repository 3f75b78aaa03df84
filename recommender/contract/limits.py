"""The contract's shared bounds: sanity limits on typed-in values, the identifier rule."""

from __future__ import annotations

from typing import Final

from recommender.contract.spec import Field

# Sanity limits for values a client or a person types in (API, portal); files have none.
FIRST_YEAR: Final[int] = 1900
LAST_YEAR: Final[int] = 2100
MAX_COUNT: Final[int] = 10_000_000  # people, patents: far beyond any SME
MAX_AMOUNT: Final[float] = 1e12  # million KRW: far beyond any firm, fine for every sum
# Identifiers (firm_id, programme_id): what every stored id is made of, so that each one
# can be named in an API path (no '/', no spaces or control characters, at most the
# path parameter's length) and cannot be mistaken for '.' or '..'.
MAX_ID_LENGTH: Final[int] = 128
MAX_NAME_LENGTH: Final[int] = 200
MAX_DISTRICT_LENGTH: Final[int] = 40
MAX_KSIC_LENGTH: Final[int] = 5
KSIC_PATTERN: Final[str] = r"[0-9]{1,5}"
MAX_DESCRIPTION_LENGTH: Final[int] = 2000
ID_PATTERN: Final[str] = r"[A-Za-z0-9][A-Za-z0-9._:~-]*"
ID_RULE: Final[str] = (
    f"1 to {MAX_ID_LENGTH} characters of A-Z a-z 0-9 . _ : ~ -, the first a letter or digit"
)


def identifier(name: str, meaning: str, noun: str) -> Field:
    """An identifier column: a ``str`` held to :data:`ID_PATTERN` and
    :data:`MAX_ID_LENGTH` wherever it comes from."""
    return Field(
        name,
        "str",
        meaning,
        says=f"{noun} ({ID_RULE})",
        max_length=MAX_ID_LENGTH,
        pattern=ID_PATTERN,
    )


YEAR_MEANING = "a whole-number year"
