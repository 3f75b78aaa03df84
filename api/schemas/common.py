"""Schemas shared by every resource: the strict base of every request body, the
contract's identifiers, and the RFC 9457 problem document."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from recommender.contract.fields import ID_PATTERN, ID_RULE, MAX_ID_LENGTH

# Every request body is strict: a JSON string is no number ("42"), a number no boolean
# (0), a float no integer; NaN and infinities are refused; unknown keys are refused. Only
# dates arrive as text and are parsed (their fields say ``strict=False``).
REQUEST_CONFIG: Final = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class RequestModel(BaseModel):
    """The base of every request body (:data:`REQUEST_CONFIG`)."""

    model_config = REQUEST_CONFIG


# The contract's identifier rule (``docs/contract.md``, identifiers) as a request field.
ID_REGEX: Final[str] = f"^(?:{ID_PATTERN})$"
ContractId = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_REGEX)
]
FirmId = Annotated[ContractId, Field(description=f"a firm identifier: {ID_RULE}")]
ProgrammeId = Annotated[ContractId, Field(description=f"a programme identifier: {ID_RULE}")]

# The largest row id the store hands out (a 32-bit INTEGER on every database it runs
# on): ids above it are refused as invalid input before any query is built.
MAX_ROW_ID = 2**31 - 1


class FieldError(BaseModel):
    """One invalid field of a request, located by its path (``profile.employees``)."""

    field: str = Field(examples=["profile.employees"])
    message: str = Field(examples=["Input should be greater than or equal to 1"])


class ProblemDetail(BaseModel):
    """An error response (``application/problem+json``, RFC 9457)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/validation-error",
                    "title": "Request validation failed",
                    "status": 422,
                    "detail": "1 field is invalid",
                    "instance": "/v1/recommendations",
                    "errors": [
                        {
                            "field": "profile.employees",
                            "message": "Input should be greater than or equal to 1",
                        }
                    ],
                }
            ]
        }
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {
        "model": ProblemDetail,
        "content": {"application/problem+json": {}},
        "description": text,
    }
    for status, text in {
        400: "Malformed request (a body that is not decodable, a bad Content-Length)",
        401: "Missing, unknown or revoked API key",
        403: "The key's role may not use this endpoint",
        404: "Not found",
        409: "Conflict with the stored state",
        413: "Request body or batch too large, or the request's cost over "
        "`max_request_cost` (the limit and the cost are named)",
        422: "Invalid request (field paths in `errors`)",
        429: "Rate limit, cost budget or failed-authentication limit exceeded (see Retry-After)",
        503: "No model is being served",
    }.items()
}
