"""The serving service: one data plane behind every front end (API routes, partner portal).

A front end parses its request, calls one method here with the request's database
session and its caller, and renders what comes back. The service reads the model being
served once per call (a swap never changes a list half-way), ranks through the core's
:class:`~recommender.recommend.Recommender`, writes the audit entry of every list it
hands out in that same session and commits before returning, so a list never leaves
unaudited. It counts every list in the metrics.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.cost import CostGuard, admit
from api.errors import ApiProblem
from api.filing import SAVED_PROFILE_PREFIX, audit_row, filed_under
from api.metrics import Metrics
from api.queries import firm_outcomes, write_audit_many
from api.security import Principal
from api.serving import ModelHolder
from recommender import Recommendation, Recommender
from recommender.adapters.store import (
    get_firm,
    save_profile,
)
from recommender.constants import DEFAULT_K
from recommender.recommend import Explain


class ModelUnavailableError(ApiProblem):
    """No model is being served yet (503)."""

    def __init__(self) -> None:
        super().__init__(
            503,
            "no model is being served: promote a champion (`recommender models promote VERSION`)",
            kind="no-model",
        )


class BatchTooLargeError(ApiProblem):
    """More profiles in one request than ``Settings.max_batch`` (413)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            413,
            f"batch of {size} profiles exceeds the limit of {limit}; split it into smaller batches",
            kind="batch-too-large",
        )


@dataclass(frozen=True)
class ListOptions:
    """How a firm's list is made (the keywords of ``Recommender.recommend_batch``)."""

    k: int = DEFAULT_K
    explain: Explain = "top"
    explain_k: int | None = None  # with "top": explain this many instead of k
    include_ineligible: bool = False
    programme_types: tuple[str, ...] | None = None
    as_of: date | None = None
    unscored_k: int | None = None  # unscored programmes to list; default: see below
    conditional_k: int | None = None  # eligible-if ones listed after the k sure ones

    @property
    def unscored_limit(self) -> int | None:
        """How many unscored (``other``) programmes a list shows: ``unscored_k``, else as
        many as it ranks (``k``), or every one with ``explain="all"``."""
        if self.unscored_k is not None:
            return self.unscored_k
        return None if self.explain == "all" else self.k


@dataclass(frozen=True)
class Served:
    """A list handed out: the core's result and the request id it was audited under."""

    result: Recommendation
    request_id: str


@dataclass(frozen=True)
class ServedBatch:
    """The lists of one batch, in request order, all ranked by one model version."""

    model_version: str
    lists: list[Served]


def new_request_id() -> str:
    """A fresh, unguessable request id (32 hex characters)."""
    return uuid.uuid4().hex


class ServingService:
    """Ranked, explained lists for inline profiles, stored firms and programmes.

    Parameters
    ----------
    holder
        The process's :class:`ModelHolder` (its ``current`` model is served).
    metrics
        Where served lists are counted (``recommendations_served_total``).
    max_batch
        Most profiles one call may rank.
    today
        The clock that decides what "open today" means for this year's profiles.
    costs
        The per-request cost cap and per-key budget (:mod:`api.cost`); ``None``: no
        cost limits (profiles of a year without a catalogue are refused all the same).
    """

    def __init__(
        self,
        holder: ModelHolder,
        metrics: Metrics,
        *,
        max_batch: int = 1000,
        today: Callable[[], date] = date.today,
        costs: CostGuard | None = None,
    ) -> None:
        self.holder = holder
        self.metrics = metrics
        self.max_batch = max_batch
        self.today = today
        self.costs = costs

    def model(self) -> Recommender:
        """The model being served now; a caller keeps it to the end of its request."""
        current = self.holder.current
        if current is None:
            raise ModelUnavailableError()
        return current

    # --- firm lists -------------------------------------------------------------------
    def recommend_one(
        self,
        session: Session,
        caller: Principal,
        profile: Mapping[str, Any],
        options: ListOptions,
        *,
        endpoint: str,
    ) -> Served:
        """Rank one inline profile, audit the list and commit.

        Raises
        ------
        ModelUnavailableError
            No model is being served.
        NoCatalogueError, TooCostlyError, RateLimitedError
            The profile's year has no catalogue; the request costs too much, or more
            than is left of the caller's budget (:mod:`api.cost`).
        """
        rec = self.model()
        self._admit(rec, caller, [profile], options, fields=["profile.year"])
        results = self._rank([profile], options, model=rec)
        return self._audited(session, caller, results, endpoint=endpoint, inline=True)[0]

    def recommend_many(
        self,
        session: Session,
        caller: Principal,
        profiles: Sequence[Mapping[str, Any]],
        options: ListOptions,
        *,
        endpoint: str,
    ) -> ServedBatch:
        """Rank many inline profiles with one model, in order; audit every list, commit.

        Raises
        ------
        BatchTooLargeError
            More than ``max_batch`` profiles.
        ModelUnavailableError
            No model is being served.
        NoCatalogueError, TooCostlyError, RateLimitedError
            As :meth:`recommend_one`.
        """
        if len(profiles) > self.max_batch:
            raise BatchTooLargeError(len(profiles), self.max_batch)
        rec = self.model()
        fields = [f"profiles.{i}.year" for i in range(len(profiles))]
        self._admit(rec, caller, profiles, options, fields=fields)
        lists = self._audited(
            session,
            caller,
            self._rank(profiles, options, model=rec),
            endpoint=endpoint,
            inline=True,
        )
        return ServedBatch(rec.version, lists)

    def recommend_stored(
        self,
        session: Session,
        caller: Principal,
        firm_id: str,
        options: ListOptions,
        *,
        year: int | None,
        endpoint: str,
    ) -> Served:
        """Rank a stored firm profile (``year``, else its latest) with its stored history.

        Raises
        ------
        NotFoundError
            The firm, or its profile of ``year``, is not stored.
        NoCatalogueError, TooCostlyError, RateLimitedError
            As :meth:`recommend_one`.
        """
        profile = get_firm(session, firm_id, year)
        rec = self.model()
        self._admit(rec, caller, [profile], options, fields=["year"])
        history = firm_outcomes(session, firm_id)
        results = self._rank([profile], options, outcomes=history, model=rec)
        return self._audited(session, caller, results, endpoint=endpoint)[0]

    def recommend_without_audit(
        self, profile: Mapping[str, Any], options: ListOptions, *, endpoint: str
    ) -> Recommendation:
        """Rank one profile leaving no trace in the store (the portal before consent)."""
        result = self._rank([profile], options)[0]
        self.metrics.served.labels(endpoint=endpoint).inc()
        return result

    def keep_profile(
        self,
        session: Session,
        caller: Principal,
        profile: Mapping[str, Any],
        result: Recommendation,
        *,
        endpoint: str,
    ) -> int:
        """Store a profile its firm consented to keep, audit the list shown for it, commit.

        Returns the saved profile's reference; the audit entry names it as
        ``saved-profile:<ref>`` (the profile's own ``firm_id`` is not kept).
        """
        ref = save_profile(session, {k: v for k, v in profile.items() if k != "firm_id"})
        served = Served(result, new_request_id())
        write_audit_many(
            session,
            [
                audit_row(
                    result,
                    served.request_id,
                    caller=caller,
                    endpoint=endpoint,
                    firm_id=f"{SAVED_PROFILE_PREFIX}{ref}",
                )
            ],
        )
        session.commit()
        return ref

    # --- steps ------------------------------------------------------------------------
    def _admit(
        self,
        rec: Recommender,
        caller: Principal,
        profiles: Sequence[Mapping[str, Any]],
        options: ListOptions,
        *,
        fields: Sequence[str],
    ) -> None:
        """Refuse, before anything is scored, profiles of a year without a catalogue and
        a request over the cost cap; draw its cost from the caller's budget."""
        admit(rec, self.costs, caller.name, [int(p["year"]) for p in profiles], options, fields)

    def _rank(
        self,
        profiles: Sequence[Mapping[str, Any]],
        options: ListOptions,
        *,
        outcomes: pd.DataFrame | None = None,
        model: Recommender | None = None,
    ) -> list[Recommendation]:
        return (model or self.model()).recommend_batch(
            profiles,
            k=options.k,
            explain=options.explain,
            explain_k=options.explain_k,
            include_ineligible=options.include_ineligible,
            programme_types=options.programme_types,
            outcomes=outcomes,
            as_of=options.as_of,
            today=self.today(),
            unscored_k=options.unscored_limit,
            conditional_k=options.conditional_k,
        )

    def _audited(
        self,
        session: Session,
        caller: Principal,
        results: Sequence[Recommendation],
        *,
        endpoint: str,
        inline: bool = False,
    ) -> list[Served]:
        """Write every list's audit entry in one statement, commit, count; a list is only
        handed out once its entry is stored (if the write fails, the request fails).
        ``inline`` lists (profiles in the request) are filed by :func:`filed_under`."""
        served = [Served(r, new_request_id()) for r in results]
        rows = [
            audit_row(
                s.result,
                s.request_id,
                caller=caller,
                endpoint=endpoint,
                firm_id=filed_under(caller, s.result.firm_id) if inline else None,
            )
            for s in served
        ]
        write_audit_many(session, rows)
        session.commit()
        self.metrics.served.labels(endpoint=endpoint).inc(len(served))
        return served
