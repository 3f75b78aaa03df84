"""Requests for and responses with ranked, explained programmes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.firms import EXAMPLE_PROFILE, FirmProfile
from recommender.constants import DEFAULT_K, PROGRAMME_TYPES

ProgrammeType = Literal[PROGRAMME_TYPES]  # type: ignore[valid-type]
ExplainMode = Literal["top", "all", "none"]
MAX_K = 50


class RecommendationOptions(BaseModel):
    """How many programmes to return and what to include."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(default=DEFAULT_K, ge=1, le=MAX_K, description="ranked programmes to return")
    include_ineligible: bool = Field(
        default=False, description="also list programmes the firm cannot join, with reasons")
    programme_types: list[ProgrammeType] | None = Field(
        default=None, description="only programmes of these types")
    explain: ExplainMode = Field(
        default="top", description="top: explain the k returned; all: return and explain "
                                   "every eligible programme; none: no explanations")
    as_of: date | None = Field(
        default=None, description="only programmes whose application window is open that "
                                  "day; also sets days_left. Default: today for a profile "
                                  "of this year; no window filter for other years")


class RecommendationRequest(RecommendationOptions):
    """One firm profile and the options of its list."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"profile": EXAMPLE_PROFILE, "k": 5, "explain": "top", "include_ineligible": True}]})

    profile: FirmProfile


class BatchRequest(RecommendationOptions):
    """Many firm profiles with the same options (at most ``Settings.max_batch``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"profiles": [EXAMPLE_PROFILE], "k": 3, "explain": "top"}]})

    profiles: list[FirmProfile] = Field(min_length=1)


class ContributionOut(BaseModel):
    """One factor's share of a score and the sentence that says why."""

    factor: str = Field(examples=["gap:cap_tech_planning"])
    value: float
    text: str


class ExplanationOut(BaseModel):
    """``base_value`` plus every contribution equals the item's score."""

    base_value: float
    contributions: list[ContributionOut]


class RecommendedProgramme(BaseModel):
    """One ranked programme (``score``/``rank`` are null for unscored ``other`` ones)."""

    rank: int | None
    programme_id: str
    name: str
    programme_type: str
    agency: str | None = None
    score: float | None
    apply_start: str | None = None
    apply_end: str | None = None
    days_left: int | None = None
    url: str | None = None
    explanation: ExplanationOut | None = None


class IneligibleProgramme(BaseModel):
    """A programme of the year the firm cannot join, and why."""

    programme_id: str
    name: str
    reasons: list[str]


class CapabilityGapOut(BaseModel):
    """The firm's own rating of a capability beside its peers' benchmark."""

    capability: str
    own: float | None
    peers: float | None
    gap: float | None


class RecommendationResponse(BaseModel):
    """A firm-year's ranked, explained programmes, as served by one model version."""

    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    request_id: str
    firm_id: str
    year: int
    recommendations: list[RecommendedProgramme]
    unscored: list[RecommendedProgramme]
    ineligible: list[IneligibleProgramme] | None
    contrast: list[ContributionOut]
    capability_profile: list[CapabilityGapOut]


class BatchResponse(BaseModel):
    """One :class:`RecommendationResponse` per profile, in request order."""

    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    count: int
    results: list[RecommendationResponse]
