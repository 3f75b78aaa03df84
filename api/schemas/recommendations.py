"""Requests for and responses with ranked, explained programmes.

A response is built once, from the core's result objects, by
:meth:`RecommendationResponse.of` and serialised by FastAPI through the route's
``response_model``. The response is a model whose lists hold typed dicts: a list of
1,900 catalogue entries (``include_ineligible`` on the real catalogue) is assembled as
plain dicts in about a millisecond, while one pydantic object per entry - validated or
``model_construct`` -ed - costs 3 to 10 times that. The core's objects are trusted, so
the top-level model is constructed without validation; the schema still types every
key (mypy checks the builders against it) and serialises every value.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from api.schemas.common import RequestModel
from api.schemas.firms import EXAMPLE_PROFILE, FirmProfile
from api.service import ListOptions, Served, ServedBatch
from recommender import CapabilityGap, Contribution, Explanation, IneligibleItem, RecommendedItem
from recommender.calibration import Chance
from recommender.constants import DEFAULT_K, PROGRAMME_TYPES
from recommender.explain import LANGUAGES, Renderer, renderer

ProgrammeType = Literal[PROGRAMME_TYPES]  # type: ignore[valid-type]
ExplainMode = Literal["top", "all", "none"]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
MAX_K = 50
MAX_UNSCORED = 2_000


class RecommendationOptions(RequestModel):
    """How many programmes to return and what to include."""

    k: int = Field(default=DEFAULT_K, ge=1, le=MAX_K, description="ranked programmes to return")
    include_ineligible: bool = Field(
        default=False, description="also list programmes the firm cannot join, with reasons"
    )
    programme_types: list[ProgrammeType] | None = Field(
        default=None, description="only programmes of these types"
    )
    explain: ExplainMode = Field(
        default="top",
        description="top: explain the k returned; all: return and explain "
        "every eligible programme; none: no explanations",
    )
    as_of: date | None = Field(
        default=None,
        strict=False,  # an ISO date string
        description="only programmes whose application window is open that "
        "day; also sets days_left. Default: today for a profile "
        "of this year; no window filter for other years",
    )
    lang: Language = Field(
        default="en", description="language of the sentences: explanations and eligibility reasons"
    )
    unscored_k: int | None = Field(
        default=None,
        ge=0,
        le=MAX_UNSCORED,
        description="eligible programmes the model cannot score (type other) to list after "
        "the ranked ones, in catalogue order; default: k, or all with explain=all. "
        "unscored_total counts them all",
    )

    def list_options(self) -> ListOptions:
        """These options as the serving service takes them."""
        types = None if self.programme_types is None else tuple(self.programme_types)
        return ListOptions(
            k=self.k,
            explain=self.explain,
            include_ineligible=self.include_ineligible,
            programme_types=types,
            as_of=self.as_of,
            unscored_k=self.unscored_k,
        )


class RecommendationRequest(RecommendationOptions):
    """One firm profile and the options of its list."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"profile": EXAMPLE_PROFILE, "k": 5, "explain": "top", "include_ineligible": True}
            ]
        },
    )

    profile: FirmProfile


class BatchRequest(RecommendationOptions):
    """Many firm profiles with the same options (at most ``Settings.max_batch``)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"profiles": [EXAMPLE_PROFILE], "k": 3, "explain": "top"}]}
    )

    profiles: list[FirmProfile] = Field(min_length=1)


class ContributionOut(TypedDict):
    """One factor's share of a score and the sentence that says why."""

    factor: Annotated[str, Field(examples=["gap:cap_tech_planning"])]
    value: float
    text: str


class ExplanationOut(TypedDict):
    """``base_value`` plus every contribution equals the item's score."""

    base_value: float
    contributions: list[ContributionOut]


class ChanceOut(TypedDict):
    """The calibrated chance of a measurable result (outcome 2 or more), 0 to 1, with
    its 95 % interval (``low <= estimate <= high``)."""

    estimate: float
    low: float
    high: float


class RecommendedProgramme(TypedDict):
    """One ranked programme (``score``/``rank`` are null for unscored ``other`` ones).

    ``score`` is the model's raw fit score (expected outcome, for machines);
    ``chance_measurable`` the calibrated chance of a measurable result and
    ``typical_for_similar`` the share of measurable results among participations of
    firms of the same sector and size band, both null when the served version has no
    calibration (versions trained before it); ``chance_text`` says both in words.

    ``text_match`` (0 to 1) and ``matches_business`` (the factor in words) are null when
    the profile gives no ``business_description``; ``to_check`` lists the conditions
    still to check with the firm (a district, status or industry code it has not given).
    """

    rank: int | None
    programme_id: str
    name: str
    programme_type: str
    agency: str | None
    score: float | None
    chance_measurable: ChanceOut | None
    typical_for_similar: float | None
    chance_text: str | None
    apply_start: str | None
    apply_end: str | None
    days_left: int | None
    url: str | None
    explanation: ExplanationOut | None
    text_match: float | None
    matches_business: str | None
    to_check: list[str]
    support_krw_m: Annotated[
        float | None,
        Field(
            description="per-firm support the programme states, million KRW; null when not stated"
        ),
    ]
    support_kind: Annotated[
        str | None,
        Field(
            description="grant, loan, guarantee, interest_subsidy, voucher, consulting, "
            "training, tax, in_kind or other; null when not stated"
        ),
    ]
    support: Annotated[
        str,
        Field(
            description="the support in words, in lang: 'Grant, up to 50 million KRW per "
            "firm', or 'support not stated'"
        ),
    ]


class IneligibleProgramme(TypedDict):
    """A programme of the year the firm cannot join, and why."""

    programme_id: str
    name: str
    reasons: list[str]


class CapabilityGapOut(TypedDict):
    """The firm's own rating of a capability beside its peers' benchmark."""

    capability: str
    own: Annotated[float | None, Field(description="the firm's self-rating, 1 to 5")]
    peers: Annotated[float | None, Field(description="peers' mean rating (sector x size)")]
    gap: Annotated[
        float | None,
        Field(
            description="peers minus own, in rating points: positive means the firm is "
            "below firms like it (1.3 is '1.3 points below'), negative above; null when unrated"
        ),
    ]
    text: Annotated[
        str, Field(description="the gap in words, in lang, as the portal's table and sentences")
    ]


class RecommendationResponse(BaseModel):
    """A firm-year's ranked, explained programmes, as served by one model version."""

    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    request_id: str
    firm_id: str
    year: int
    recommendations: list[RecommendedProgramme]
    unscored: list[RecommendedProgramme]
    unscored_total: int
    ineligible: list[IneligibleProgramme] | None
    contrast: list[ContributionOut]
    capability_profile: list[CapabilityGapOut]

    @classmethod
    def of(cls, served: Served, *, lang: str = "en") -> Self:
        """The response for a served list, its sentences in ``lang`` (the core's objects
        are trusted: no validation)."""
        rec, say = served.result, renderer(lang)
        return cls.model_construct(
            model_version=rec.model_version,
            request_id=served.request_id,
            firm_id=rec.firm_id,
            year=rec.year,
            recommendations=[_programme(i, say) for i in rec.items],
            unscored=[_programme(i, say) for i in rec.unscored],
            unscored_total=rec.unscored_total,
            ineligible=None
            if rec.ineligible is None
            else [_ineligible(i, say) for i in rec.ineligible],
            contrast=[_contribution(c, say.describe(c)) for c in rec.contrast],
            capability_profile=[_gap(g, say) for g in rec.profile],
        )


class BatchResponse(BaseModel):
    """One :class:`RecommendationResponse` per profile, in request order."""

    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    count: int
    results: list[RecommendationResponse]

    @classmethod
    def of(cls, batch: ServedBatch, *, lang: str = "en") -> Self:
        """The response for the lists of one batch, in request order."""
        return cls.model_construct(
            model_version=batch.model_version,
            count=len(batch.lists),
            results=[RecommendationResponse.of(s, lang=lang) for s in batch.lists],
        )


# --- the core's result objects as response parts -----------------------------------------
def _finite(value: float | None) -> float | None:
    """A float for JSON: ``None`` stays, NaN and infinities become ``None``."""
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def chance_out(c: Chance | None) -> ChanceOut | None:
    """The chance's estimate and interval as a response part (None stays None)."""
    return None if c is None else {"estimate": c.estimate, "low": c.low, "high": c.high}


def _contribution(c: Contribution, text: str) -> ContributionOut:
    return {"factor": c.factor, "value": _finite(c.value) or 0.0, "text": text}


def _explanation(e: Explanation | None, say: Renderer) -> ExplanationOut | None:
    if e is None:
        return None
    return {
        "base_value": _finite(e.base_value) or 0.0,
        "contributions": [_contribution(c, say.sentence(c)) for c in e.contributions],
    }


def _programme(i: RecommendedItem, say: Renderer) -> RecommendedProgramme:
    return {
        "rank": i.rank,
        "programme_id": i.programme_id,
        "name": i.name,
        "programme_type": i.programme_type,
        "agency": i.agency,
        "score": _finite(i.score),
        "chance_measurable": chance_out(i.chance),
        "typical_for_similar": None if i.chance is None else i.chance.typical,
        "chance_text": None if i.chance is None else say.chance(i.chance),
        "apply_start": i.apply_start,
        "apply_end": i.apply_end,
        "days_left": i.days_left,
        "url": i.url,
        "explanation": _explanation(i.explanation, say),
        "text_match": _finite(i.text_match),
        "matches_business": None if i.text_match is None else say.text_match(i.match_terms),
        "to_check": say.reasons(i.to_check),
        "support_krw_m": _finite(i.support_krw_m),
        "support_kind": i.support_kind,
        "support": say.support(i.support_krw_m, i.support_kind),
    }


def _ineligible(i: IneligibleItem, say: Renderer) -> IneligibleProgramme:
    return {"programme_id": i.programme_id, "name": i.name, "reasons": say.reasons(i.reasons)}


def _gap(g: CapabilityGap, say: Renderer) -> CapabilityGapOut:
    gap = _finite(g.gap)
    return {
        "capability": g.capability,
        "own": _finite(g.own),
        "peers": _finite(g.peers),
        "gap": gap,
        "text": say.gap(gap),
    }
