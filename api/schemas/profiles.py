"""Stored firms as caseworkers find and edit them: search rows, a firm with its profiles
by year, and the bodies of a profile write and a carry-forward.

The profile models are derived from the contract's field specification like
:data:`api.schemas.firms.FirmProfile`; the firm id and year come from the path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as PydanticField

from api.schemas.common import REQUEST_CONFIG
from api.schemas.firms import EXAMPLE_PROFILE, LIST_VALIDATORS, annotation, model_field
from recommender.constants import FIRM_ID, SIZE_BANDS, YEAR
from recommender.contract.fields import FIRMS
from recommender.contract.spec import Field as ContractField

SizeBand = Literal[SIZE_BANDS]  # type: ignore[valid-type]
_BODY_FIELDS = [f for f in FIRMS.fields if f.name not in (FIRM_ID, YEAR)]
_EXAMPLE_BODY = {
    **{k: v for k, v in EXAMPLE_PROFILE.items() if k not in (FIRM_ID, YEAR)},
    "firm_name": "Hanbit Precision Co.",
    "district": "화성시",
}


class FirmSummary(BaseModel):
    """A stored firm as a search finds it, by its latest profile."""

    firm_id: str
    firm_name: str | None
    year: int = PydanticField(description="year of the latest stored profile")
    region: str
    district: str | None
    sector: str
    employees: int
    size_band: SizeBand = PydanticField(
        description="headcount band: micro < 10 <= small < 50 <= medium < 300 <= large"
    )
    years: int = PydanticField(description="how many profile years are stored")


_STORED: dict[str, Any] = {
    f.name: (annotation(f), None if f.nullable else ...) for f in FIRMS.fields
}
_BODY: dict[str, Any] = {f.name: model_field(f) for f in _BODY_FIELDS}

StoredProfile = create_model(
    "StoredProfile",
    __doc__="One stored profile year of a firm (``docs/contract.md``, firms).",
    **_STORED,
)


class FirmDetail(BaseModel):
    """A stored firm: its name and place (latest profile) and every profile year."""

    firm_id: str
    firm_name: str | None
    region: str
    district: str | None
    sector: str
    profiles: list[StoredProfile]  # type: ignore[valid-type]


ProfileBody = create_model(
    "ProfileBody",
    __doc__="A firm's profile for the year of the path: every contract column but "
    "``firm_id`` and ``year``; ``cap_*``, ``revenue_growth``, ``firm_name`` and "
    "``district`` may be omitted.",
    __config__=ConfigDict(**REQUEST_CONFIG, json_schema_extra={"examples": [_EXAMPLE_BODY]}),
    __validators__=LIST_VALIDATORS,
    **_BODY,
)


def _edit_field(field: ContractField) -> tuple[Any, Any]:
    """The field with the column's bounds but never required (left out: unchanged)."""
    return model_field(replace(field, nullable=True, optional=True))


_EDITS: dict[str, Any] = {f.name: _edit_field(f) for f in _BODY_FIELDS}

ProfileEdits = create_model(
    "ProfileEdits",
    __doc__="What changes from the carried profile; every column left out keeps last year's value.",
    __config__=ConfigDict(
        **REQUEST_CONFIG,
        json_schema_extra={"examples": [{"employees": 48, "revenue_krw_m": 9100.0}]},
    ),
    **_EDITS,
)


class ProfileWritten(BaseModel):
    """The profile as stored, and whether it was new."""

    firm_id: str
    year: int
    created: bool
    carried_from: int | None = PydanticField(
        default=None, description="the year carried forward, for a carry-forward"
    )
    profile: StoredProfile  # type: ignore[valid-type]
