"""Cost-bounded requests over a real server: a request's cost (profiles x programmes
scored + rows explained + ineligible rows listed) is computed from the catalogue before
anything is scored; over ``max_request_cost`` it is refused with 413 naming the limit and
the cost; each key's ``cost_budget_per_minute`` is drawn on the one rate limiter (429);
and a profile year without a catalogue is a 422 naming the year and the years there are.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.cost import request_cost
from api.security import RateLimiter
from recommender.adapters.store import list_audit, session_scope
from recommender.simulate import World
from tests.api.conftest import Deployment, _deploy, make_settings

CAP = 1_000
BUDGET = 1_500


@pytest.fixture(scope="module")
def costly(
    tmp_path_factory: pytest.TempPathFactory, world: World, trained_models: Path
) -> Iterator[Deployment]:
    """A deployment whose cap and budget a few demo requests reach (SQLite)."""
    root = tmp_path_factory.mktemp("cost")
    settings = make_settings(root, max_request_cost=CAP, cost_budget_per_minute=BUDGET)
    shutil.copytree(trained_models, settings.models_dir)
    yield from _deploy(settings, world)


def year_of(profiles: list[dict[str, Any]]) -> int:
    return int(profiles[0]["year"])


def served_lists(d: Deployment) -> float:
    return sum(s.value for m in d.server.app.state.metrics.served.collect() for s in m.samples)


def test_a_request_over_the_cap_is_refused_before_scoring(
    costly: Deployment, profiles: list[dict[str, Any]]
) -> None:
    rec = costly.server.app.state.holder.current
    n = rec.catalogue_size(year_of(profiles))
    assert n > 0
    many = 20  # 20 x n x 3 is over the cap for any catalogue of more than 16 programmes
    body = {"profiles": profiles[:many], "explain": "all", "include_ineligible": True}
    before = served_lists(costly)
    with costly.client("analyst") as client:
        response = client.post("/v1/recommendations/batch", json=body)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/problems/too-costly"
    cost = many * n * 3  # every programme scored, explained and listed as ineligible
    assert f"request cost {cost:,} exceeds max_request_cost {CAP:,}" in problem["detail"]
    assert (
        f"{many} profiles: {many * n:,} programmes scored + {many * n:,} rows explained"
        in (problem["detail"])
    )
    with session_scope(costly.engine) as session:
        audited = list_audit(session, key_name="test-analyst", limit=10)
    assert served_lists(costly) == before and audited == []  # nothing scored or audited


def test_the_cost_counts_what_the_options_ask_for(
    costly: Deployment, profiles: list[dict[str, Any]]
) -> None:
    rec = costly.server.app.state.holder.current
    year = year_of(profiles)
    n = rec.catalogue_size(year)
    few = rec.catalogue_size(year, ["consulting"])
    assert 0 < few < n

    def cost(**options: Any) -> int:
        given: dict[str, Any] = dict(
            k=5, explain="top", explain_k=None, include_ineligible=False, programme_types=None
        )
        return request_cost(rec, [year, year], **{**given, **options}).total

    assert cost() == 2 * (n + 5)
    assert cost(explain="none") == 2 * n
    assert cost(explain="top", explain_k=2) == 2 * (n + 2)
    assert cost(explain="all", include_ineligible=True) == 2 * 3 * n
    assert cost(programme_types=["consulting"], explain="all") == 2 * 2 * few


def test_each_key_has_a_cost_budget_a_minute(
    costly: Deployment, profiles: list[dict[str, Any]]
) -> None:
    rec = costly.server.app.state.holder.current
    n = rec.catalogue_size(year_of(profiles))
    body = {"profiles": profiles[:9], "explain": "all", "include_ineligible": True}
    cost = 9 * 3 * n
    assert cost <= CAP <= BUDGET < 2 * cost - 100  # one fits, two do not (refill: 25/s)
    with costly.client("partner") as partner:
        first = partner.post("/v1/recommendations/batch", json=body)
        second = partner.post("/v1/recommendations/batch", json=body)
    with costly.client("caseworker") as other:
        elsewhere = other.post("/v1/recommendations/batch", json=body)
    assert first.status_code == 200
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) >= 1
    assert (
        f"cost budget of {BUDGET:,} a minute exceeded (this request costs {cost:,})"
        in (second.json()["detail"])
    )
    assert elsewhere.status_code == 200  # budgets are per key


def test_a_year_without_a_catalogue_names_the_year_and_the_years_there_are(
    costly: Deployment, profiles: list[dict[str, Any]]
) -> None:
    years = costly.server.app.state.holder.current.years()
    later = {**profiles[0], "year": 2031}
    with costly.client("analyst") as client:
        one = client.post("/v1/recommendations", json={"profile": later})
        batch = client.post("/v1/recommendations/batch", json={"profiles": [profiles[1], later]})
    assert (one.status_code, batch.status_code) == (422, 422)
    listed = ", ".join(str(y) for y in years)
    message = f"no programme catalogue for 2031; years with one: {listed}"
    assert one.json()["errors"] == [{"field": "profile.year", "message": message}]
    assert batch.json()["errors"] == [{"field": "profiles.1.year", "message": message}]
    assert one.json()["type"] == "/problems/no-catalogue"


def test_the_one_limiter_holds_buckets_of_their_own_size_and_takes_costs_at_once() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert limiter.acquire("cost:k", cost=900, per_minute=1_000) is None
    assert limiter.acquire("cost:k", cost=200, per_minute=1_000) == pytest.approx(6.0)
    assert limiter.acquire("cost:k", cost=2_000, per_minute=1_000) == math.inf
    assert limiter.acquire("k") is None  # the request bucket of the same key is apart
    assert limiter.waiting("cost:k", per_minute=1_000) is None  # 100 left: one is there
    now[0] = 6.0
    assert limiter.acquire("cost:k", cost=200, per_minute=1_000) is None


def test_the_cap_may_not_exceed_the_budget(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"max_request_cost \(5000\) may not exceed"):
        make_settings(tmp_path, max_request_cost=5_000, cost_budget_per_minute=4_000)
