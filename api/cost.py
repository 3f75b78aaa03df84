"""What a request costs, and the limits on it: one request's cap and each key's budget.

A request's cost counts the rows it makes the server build: for every profile, the
programmes of its year's catalogue it is ranked against (*scored*), the rows explained
(TreeSHAP and sentences), and with ``include_ineligible`` the ineligible rows listed
with their reasons. It is computed from the catalogue before anything is scored:

* over ``Settings.max_request_cost`` the request is refused up front (413, naming the
  limit and the cost, term by term);
* otherwise the cost is drawn from the key's budget of ``Settings.cost_budget_per_minute``
  on the process's one :class:`~api.security.RateLimiter` (429 with ``Retry-After`` when
  the budget is spent).

A profile of a year without a catalogue is refused too (422 naming the year and the
years that have one), since it would only ever get an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from api.errors import ApiProblem
from api.security import RateLimiter
from recommender import Recommender

COST_PREFIX: Final[str] = "cost:"


class Options(Protocol):
    """What a list asks for (:class:`api.service.ListOptions`)."""

    @property
    def k(self) -> int: ...
    @property
    def explain(self) -> str: ...
    @property
    def explain_k(self) -> int | None: ...
    @property
    def include_ineligible(self) -> bool: ...
    @property
    def programme_types(self) -> tuple[str, ...] | None: ...


@dataclass(frozen=True)
class Cost:
    """A request's cost, term by term."""

    profiles: int
    scored: int
    explained: int
    ineligible: int

    @property
    def total(self) -> int:
        """The cost drawn from the budget: scored + explained + ineligible rows."""
        return self.scored + self.explained + self.ineligible

    def terms(self) -> str:
        """The sum in words: ``3 profiles: 5,592 programmes scored + 15 explained + ...``."""
        return (
            f"{self.profiles} profile{'s' if self.profiles != 1 else ''}: "
            f"{self.scored:,} programmes scored + {self.explained:,} rows explained + "
            f"{self.ineligible:,} ineligible rows listed"
        )


class NoCatalogueError(ApiProblem):
    """A profile's year has no catalogue (422, naming the year and the years that do)."""

    def __init__(self, year: int, years: Sequence[int], *, field: str) -> None:
        available = ", ".join(str(y) for y in years) or "none"
        message = f"no programme catalogue for {year}; years with one: {available}"
        super().__init__(
            422,
            message,
            kind="no-catalogue",
            errors=[{"field": field, "message": message}],
        )


class TooCostlyError(ApiProblem):
    """A request over the per-request cap (413), refused before anything is scored."""

    def __init__(self, cost: Cost, limit: int) -> None:
        super().__init__(
            413,
            f"request cost {cost.total:,} exceeds max_request_cost {limit:,} "
            f"({cost.terms()}); send fewer profiles, explain='top' with a smaller k, "
            "or leave out include_ineligible",
            kind="too-costly",
        )


def check_years(rec: Recommender, years: Sequence[int], *, fields: Sequence[str]) -> None:
    """Raise :class:`NoCatalogueError` for the first year without a catalogue;
    ``fields[i]`` is where ``years[i]`` came from (``profiles.3.year``)."""
    known = rec.years()
    for year, field in zip(years, fields, strict=True):
        if rec.catalogue_size(year) == 0:
            raise NoCatalogueError(year, known, field=field)


def request_cost(
    rec: Recommender,
    years: Sequence[int],
    *,
    k: int,
    explain: str,
    explain_k: int | None,
    include_ineligible: bool,
    programme_types: Sequence[str] | None,
) -> Cost:
    """The cost of ranking profiles of ``years`` with these options (an upper bound: every
    programme of the year and type counts, eligible or not)."""
    sizes = {y: rec.catalogue_size(y, programme_types) for y in set(years)}
    scored = explained = 0
    shown = k if explain_k is None else min(k, explain_k)
    for year in years:
        n = sizes[year]
        scored += n
        explained += n if explain == "all" else min(shown, n) if explain == "top" else 0
    ineligible = scored if include_ineligible else 0
    return Cost(len(years), scored, explained, ineligible)


class CostGuard:
    """The per-request cap and the per-key budget, drawn on the one rate limiter."""

    def __init__(self, limiter: RateLimiter, *, max_cost: int, per_minute: int) -> None:
        self.limiter = limiter
        self.max_cost = max_cost
        self.per_minute = per_minute

    def charge(self, key_name: str, cost: Cost) -> None:
        """Refuse a request over the cap, else draw its cost from ``key_name``'s budget.

        Raises
        ------
        TooCostlyError
            The cost exceeds ``max_cost`` (nothing is drawn).
        RateLimitedError
            The key's budget for the minute is spent.
        """
        if cost.total > self.max_cost:
            raise TooCostlyError(cost, self.max_cost)
        self.limiter.take(
            COST_PREFIX + key_name,
            cost=cost.total,
            per_minute=self.per_minute,
            limit=f"a cost budget of {self.per_minute:,} a minute",
            why=f" (this request costs {cost.total:,})",
        )


def admit(
    rec: Recommender,
    guard: CostGuard | None,
    key_name: str,
    years: Sequence[int],
    options: Options,
    fields: Sequence[str],
) -> None:
    """Before anything is scored: refuse years without a catalogue (``fields[i]`` names
    where ``years[i]`` came from), then, with a ``guard``, charge the request's cost."""
    check_years(rec, years, fields=fields)
    if guard is not None:
        cost = request_cost(
            rec,
            years,
            k=options.k,
            explain=options.explain,
            explain_k=options.explain_k,
            include_ineligible=options.include_ineligible,
            programme_types=options.programme_types,
        )
        guard.charge(key_name, cost)
