"""Schemas shared by every resource: the RFC 9457 problem document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

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
        413: "Request body or batch too large",
        422: "Invalid request (field paths in `errors`)",
        429: "Rate limit exceeded (see Retry-After)",
        503: "No model is being served",
    }.items()
}
