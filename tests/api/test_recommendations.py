"""Recommendations over HTTP: single profiles, batches and stored firms; their
explanations, eligibility reasons, audit entries, and every way a request can be bad."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event

from api.filing import PARTNER_PREFIX
from api.schemas.recommendations import RecommendationResponse
from api.service import Served
from recommender.adapters.artefact import load_recommender
from recommender.adapters.store import load_outcomes, session_scope
from recommender.constants import CAPABILITIES
from recommender.eligibility import eligibility_mask
from recommender.explain import renderer
from tests.api.conftest import Deployment

PROBLEM = "application/problem+json"


def _serving(deployment: Deployment) -> str:
    with deployment.client() as client:
        return str(client.get("/readyz").json()["model_version"])


def _audit(deployment: Deployment, request_id: str) -> dict[str, Any]:
    with deployment.client("analyst") as client:
        found = client.get("/v1/audit", params={"request_id": request_id}).json()
    assert len(found["items"]) == 1, f"no audit entry for {request_id}"
    return dict(found["items"][0])


def _assert_explained(item: dict[str, Any]) -> None:
    explanation = item["explanation"]
    total = explanation["base_value"] + sum(c["value"] for c in explanation["contributions"])
    assert total == pytest.approx(item["score"], abs=1e-6)
    sizes = [abs(c["value"]) for c in explanation["contributions"]]
    assert sizes == sorted(sizes, reverse=True)
    assert all(c["text"] for c in explanation["contributions"])


# --- POST /v1/recommendations -----------------------------------------------------------
def test_a_partner_gets_the_top_k_ranked_and_explained(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    profile = {**profiles[0], "business_description": None}  # the model alone orders it
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations", json={"profile": profile, "k": 4})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["firm_id"] == profile["firm_id"] and body["year"] == profile["year"]
    assert body["model_version"] == _serving(deployment)
    assert response.headers["X-Request-ID"] == body["request_id"]
    assert float(response.headers["X-Process-Time"]) > 0
    items = body["recommendations"]
    assert [i["rank"] for i in items] == [1, 2, 3, 4]
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:
        _assert_explained(item)
    assert body["ineligible"] is None
    assert len(body["capability_profile"]) == 12


def test_the_contrast_says_why_the_first_is_above_the_second(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    # without descriptions, so that the model alone orders each list
    plain = [{**p, "business_description": None} for p in profiles[:10]]
    with deployment.client("partner") as client:
        bodies = [
            client.post("/v1/recommendations", json={"profile": p, "k": 2}).json() for p in plain
        ]
    ahead = [
        b for b in bodies if b["recommendations"][0]["score"] > b["recommendations"][1]["score"]
    ]
    tied = [
        b for b in bodies if b["recommendations"][0]["score"] == b["recommendations"][1]["score"]
    ]
    assert ahead and tied, "the demo catalogue has offerings of one type that tie"
    for body in ahead:
        assert body["contrast"]
        assert all(c["value"] > 0 and c["text"] for c in body["contrast"])
    for body in tied:  # the same explanation twice: nothing puts the first above
        assert body["contrast"] == []


def test_explanations_sum_to_the_score_for_every_explained_programme(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    some = profiles[:25:5]
    assert len(some) == 5
    with deployment.client("caseworker") as client:
        for profile in some:
            body = client.post(
                "/v1/recommendations", json={"profile": profile, "explain": "all"}
            ).json()
            assert body["recommendations"], "every simulated firm has eligible programmes"
            for item in body["recommendations"]:
                _assert_explained(item)


def test_explain_all_lists_every_eligible_scored_programme(
    deployment: Deployment, profiles: list[dict[str, Any]], world: Any
) -> None:
    profile = profiles[3]
    programmes = world.dataset.programmes
    year = programmes[programmes["year"] == profile["year"]].reset_index(drop=True)
    from recommender.recommend import profile_frame

    eligible = eligibility_mask(profile_frame(profile), year)[0]
    scored = year["programme_type"].to_numpy() != "other"
    with deployment.client("partner") as client:
        body = client.post(
            "/v1/recommendations", json={"profile": profile, "explain": "all", "k": 1}
        ).json()
    returned = {i["programme_id"] for i in body["recommendations"]}
    assert returned == set(year["programme_id"][eligible & scored])
    assert {i["programme_id"] for i in body["unscored"]} == set(
        year["programme_id"][eligible & ~scored]
    )


def test_unscored_programmes_are_listed_up_to_unscored_k_and_counted_in_full(
    deployment: Deployment, profiles: list[dict[str, Any]], world: Any
) -> None:
    from recommender.recommend import profile_frame

    programmes = world.dataset.programmes
    counts = []
    for profile in profiles[:20]:
        year = programmes[programmes["year"] == profile["year"]].reset_index(drop=True)
        eligible = eligibility_mask(profile_frame(profile), year)[0]
        counts.append(int((eligible & (year["programme_type"].to_numpy() == "other")).sum()))
    profile = profiles[int(np.argmax(counts))]
    assert max(counts) >= 1
    with deployment.client("partner") as client:
        one = client.post("/v1/recommendations", json={"profile": profile, "k": 1}).json()
        none = client.post(
            "/v1/recommendations", json={"profile": profile, "k": 5, "unscored_k": 0}
        ).json()
    assert len(one["unscored"]) == 1 and one["unscored_total"] == max(counts)
    assert none["unscored"] == [] and none["unscored_total"] == max(counts)
    assert [i["programme_id"] for i in _audit(deployment, one["request_id"])["items"]] == [
        i["programme_id"] for i in one["recommendations"] + one["unscored"]
    ]


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_sentences_come_in_the_asked_language_with_the_same_numbers(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    ask = {"profile": profiles[0], "k": 3, "include_ineligible": True}
    with deployment.client("partner") as client:
        english = client.post("/v1/recommendations", json=ask).json()
        korean = client.post("/v1/recommendations", json={**ask, "lang": "ko"}).json()
        unknown = client.post("/v1/recommendations", json={**ask, "lang": "fr"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lang"

    def numbers(body: dict[str, Any]) -> list[Any]:
        return [
            (
                i["programme_id"],
                i["score"],
                [(c["factor"], c["value"]) for c in i["explanation"]["contributions"]],
            )
            for i in body["recommendations"]
        ]

    assert numbers(korean) == numbers(english)
    sentences = [
        c["text"] for i in korean["recommendations"] for c in i["explanation"]["contributions"]
    ]
    reasons = [r for i in korean["ineligible"] for r in i["reasons"]]
    assert sentences and reasons
    assert all(_hangul(t) for t in sentences + reasons)
    assert not any(
        _hangul(c["text"])
        for i in english["recommendations"]
        for c in i["explanation"]["contributions"]
    )


def test_explain_none_returns_scores_without_explanations(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("partner") as client:
        body = client.post(
            "/v1/recommendations", json={"profile": profiles[1], "explain": "none"}
        ).json()
    assert body["recommendations"]
    assert all(i["explanation"] is None and i["score"] is not None for i in body["recommendations"])


def test_ineligible_programmes_come_with_reasons(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("partner") as client:
        bodies = [
            client.post(
                "/v1/recommendations", json={"profile": p, "include_ineligible": True}
            ).json()
            for p in profiles[:10]
        ]
    listed = [i for b in bodies for i in b["ineligible"]]
    assert listed, "the demo catalogue has eligibility rules that exclude some firms"
    assert all(i["reasons"] and all(isinstance(r, str) and r for r in i["reasons"]) for i in listed)
    assert len(bodies) == 10
    for body in bodies:
        ranked = {i["programme_id"] for i in body["recommendations"]}
        assert ranked.isdisjoint(i["programme_id"] for i in body["ineligible"])


def test_programme_types_and_application_date_filter_the_list(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("partner") as client:
        body = client.post(
            "/v1/recommendations",
            json={"profile": profiles[2], "k": 50, "programme_types": ["consulting", "education"]},
        ).json()
        assert body["recommendations"]
        assert {i["programme_type"] for i in body["recommendations"]} <= {"consulting", "education"}
        # a past year's list is not filtered by window: pick one of its dated programmes
        every = client.post("/v1/recommendations", json={"profile": profiles[2], "k": 50}).json()[
            "recommendations"
        ]
        dated = [i for i in every if i["apply_start"] and i["apply_end"]]
        assert dated, "the demo catalogue has application windows"
        day = date.fromisoformat(dated[0]["apply_start"])
        body = client.post(
            "/v1/recommendations", json={"profile": profiles[2], "k": 50, "as_of": day.isoformat()}
        ).json()
    windowed = [i for i in body["recommendations"] if i["apply_end"] is not None]
    assert dated[0]["programme_id"] in {i["programme_id"] for i in windowed}
    for item in windowed:
        assert item["apply_start"] is None or date.fromisoformat(item["apply_start"]) <= day
        left = (date.fromisoformat(item["apply_end"]) - day).days
        assert item["days_left"] == left and left >= 0


def test_a_profile_without_any_self_diagnosis_is_served(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    bare = {k: v for k, v in profiles[4].items() if not k.startswith("cap_")}
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations", json={"profile": bare})
    assert response.status_code == 200, response.text
    assert all(g["own"] is None and g["gap"] is None for g in response.json()["capability_profile"])


def test_every_served_recommendation_is_audited(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    with deployment.client("partner") as client:
        body = client.post("/v1/recommendations", json={"profile": profiles[5], "k": 3}).json()
    entry = _audit(deployment, body["request_id"])
    assert entry["key_name"] == "test-partner" and entry["role"] == "partner"
    assert entry["endpoint"] == "POST /v1/recommendations"
    # a partner's profile is filed in the partner's namespace (api/filing.py)
    filed = f"{PARTNER_PREFIX}test-partner:{body['firm_id']}"
    assert (entry["firm_id"], entry["year"]) == (filed, body["year"])
    assert entry["model_version"] == body["model_version"]
    served = [(i["programme_id"], i["rank"]) for i in body["recommendations"]]
    assert [(i["programme_id"], i["rank"]) for i in entry["items"]][:3] == served


def test_one_request_uses_one_database_session(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    """Authentication reads the key and the service writes the audit entry through the
    same session: one connection checkout and one commit per served list."""
    checkouts: list[str] = []
    commits: list[str] = []

    def on_checkout(*_: Any) -> None:
        checkouts.append(threading.current_thread().name)

    def on_commit(*_: Any) -> None:
        commits.append(threading.current_thread().name)

    engine = deployment.engine
    with deployment.client("partner") as client:
        client.post("/v1/recommendations", json={"profile": profiles[0]})  # warm connections
        event.listen(engine, "checkout", on_checkout)
        event.listen(engine, "commit", on_commit)
        try:
            response = client.post("/v1/recommendations", json={"profile": profiles[0]})
        finally:
            event.remove(engine, "checkout", on_checkout)
            event.remove(engine, "commit", on_commit)
    assert response.status_code == 200
    poller = "champion-poller"  # the model holder's own look at the catalogue
    assert len([t for t in checkouts if t != poller]) == 1
    assert len([t for t in commits if t != poller]) == 1


# --- validation, sizes ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"employees": 0}, "profile.employees"),
        ({"region": "atlantis"}, "profile.region"),
        ({"cap_marketing": 6}, "profile.cap_marketing"),
        ({"cap_feedback": 2.5}, "profile.cap_feedback"),
        ({"export_share": 1.5}, "profile.export_share"),
        ({"founded_year": 2999}, "profile.founded_year"),
        ({"employes": 12}, "profile.employes"),
        ({"has_rnd_lab": "perhaps"}, "profile.has_rnd_lab"),
        ({"researchers": 10**19}, "profile.researchers"),
        ({"revenue_krw_m": 1e300}, "profile.revenue_krw_m"),
        ({"firm_id": ""}, "profile.firm_id"),
    ],
)
def test_an_invalid_profile_field_is_named_in_a_422_problem(
    deployment: Deployment, profiles: list[dict[str, Any]], change: dict[str, Any], field: str
) -> None:
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations", json={"profile": {**profiles[0], **change}})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422 and problem["instance"] == "/v1/recommendations"
    assert field in [e["field"] for e in problem["errors"]], problem


def test_extreme_but_valid_profiles_are_served(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    extremes = [
        {
            "employees": 10_000_000,
            "revenue_krw_m": 1e12,
            "rnd_spend_krw_m": 1e12,
            "revenue_growth": 1000.0,
            "researchers": 10_000_000,
            "patents": 10_000_000,
        },
        {
            "employees": 1,
            "revenue_krw_m": 0.0,
            "rnd_spend_krw_m": 0.0,
            "revenue_growth": -1.0,
            "researchers": 0,
            "patents": 0,
            "export_share": 1.0,
            "founded_year": profiles[0]["year"],
        },
    ]
    with deployment.client("partner") as client:
        for change in extremes:
            response = client.post(
                "/v1/recommendations",
                json={"profile": {**profiles[0], **change}, "include_ineligible": True},
            )
            assert response.status_code == 200, response.text
            ranked = response.json()["recommendations"]
            assert ranked
            for item in ranked:
                _assert_explained(item)


def test_missing_fields_and_bad_options_are_all_listed(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    profile = {k: v for k, v in profiles[0].items() if k not in ("sector", "year")}
    with deployment.client("partner") as client:
        problem = client.post(
            "/v1/recommendations",
            json={"profile": profile, "k": 0, "explain": "some", "as_of": "yesterday"},
        ).json()
    fields = {e["field"] for e in problem["errors"]}
    assert {"profile.sector", "profile.year", "k", "explain", "as_of"} <= fields


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"{not json", 422),
        (b'{"profile": {"revenue_krw_m": NaN}}', 422),
        (b"[]", 422),
        (b"null", 422),
        (b'{"profile": "x"}', 422),
        (b"\xff", 400),
    ],
)
def test_malformed_bodies_get_a_4xx_problem_never_a_500(
    deployment: Deployment, raw: bytes, status: int
) -> None:
    with deployment.client("partner") as client:
        response = client.post(
            "/v1/recommendations", content=raw, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == status


def _post_raw(deployment: Deployment, raw: bytes) -> Any:
    with deployment.client("partner") as client:
        return client.post(
            "/v1/recommendations", content=raw, headers={"Content-Type": "application/json"}
        )


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"profile": {"revenue_krw_m": NaN}}', b"[]", b"null", b'{"profile": "x"}'],
)
def test_a_422_problem_lists_what_is_wrong(deployment: Deployment, raw: bytes) -> None:
    response = _post_raw(deployment, raw)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_an_unparsable_body_is_named_as_the_wrong_field(deployment: Deployment) -> None:
    assert _post_raw(deployment, b"{not json").json()["errors"][0]["field"] == "body"


def test_a_body_over_the_limit_is_refused_with_413(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    limit = deployment.settings.max_body_bytes
    padded = json.dumps({"profile": profiles[0], "pad": "x" * limit}).encode()
    with deployment.client("partner") as client:
        announced = client.post(
            "/v1/recommendations", content=padded, headers={"Content-Type": "application/json"}
        )

        def chunks() -> Any:  # no Content-Length: the server must count the bytes
            for start in range(0, len(padded), 16_384):
                yield padded[start : start + 16_384]

        streamed = client.post(
            "/v1/recommendations", content=chunks(), headers={"Content-Type": "application/json"}
        )
    for response in (announced, streamed):
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM
        assert str(limit) in response.json()["detail"]
    assert "content-length" not in streamed.request.headers


# --- POST /v1/recommendations/batch -----------------------------------------------------
def test_a_batch_returns_one_audited_list_per_profile_in_order(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    batch = profiles[10:16]
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations/batch", json={"profiles": batch, "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(batch)
    assert [r["firm_id"] for r in body["results"]] == [p["firm_id"] for p in batch]
    assert len({r["request_id"] for r in body["results"]}) == len(batch)
    assert len(body["results"]) == len(batch) > 0
    for result in body["results"]:
        assert 1 <= len(result["recommendations"]) <= 3
        for item in result["recommendations"]:
            _assert_explained(item)
        entry = _audit(deployment, result["request_id"])
        assert entry["endpoint"] == "POST /v1/recommendations/batch"
        assert entry["firm_id"] == f"{PARTNER_PREFIX}test-partner:{result['firm_id']}"


def test_a_batch_matches_single_requests(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    batch = profiles[20:23]
    with deployment.client("partner") as client:
        together = client.post(
            "/v1/recommendations/batch", json={"profiles": batch, "k": 5}
        ).json()["results"]
        alone = [
            client.post("/v1/recommendations", json={"profile": p, "k": 5}).json() for p in batch
        ]
    assert len(together) == 3
    for a, b in zip(together, alone, strict=True):
        assert [(i["programme_id"], i["score"]) for i in a["recommendations"]] == [
            (i["programme_id"], i["score"]) for i in b["recommendations"]
        ]


def test_a_batch_over_max_batch_is_refused_with_a_clear_message(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    limit = deployment.settings.max_batch
    too_many = (profiles * 3)[: limit + 1]
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations/batch", json={"profiles": too_many})
        empty = client.post("/v1/recommendations/batch", json={"profiles": []})
    assert response.status_code == 413
    assert f"limit of {limit}" in response.json()["detail"]
    assert empty.status_code == 422
    assert [e["field"] for e in empty.json()["errors"]] == ["profiles"]


def test_a_bad_profile_in_a_batch_is_located_by_index(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    batch = [profiles[0], {**profiles[1], "employees": -3}]
    with deployment.client("partner") as client:
        problem = client.post("/v1/recommendations/batch", json={"profiles": batch}).json()
    assert [e["field"] for e in problem["errors"]] == ["profiles.1.employees"]


# --- GET /v1/firms/{firm_id}/recommendations ---------------------------------------------
def test_a_stored_firm_is_ranked_with_its_participation_history(
    deployment: Deployment, world: Any
) -> None:
    outcomes = world.dataset.outcomes
    firms = world.dataset.firms
    last = int(firms["year"].max())
    veterans = outcomes[outcomes["year"] < last]["firm_id"].unique()
    firm_id = sorted(set(veterans) & set(firms[firms["year"] == last]["firm_id"]))[0]
    with deployment.client("caseworker") as client:
        response = client.get(f"/v1/firms/{firm_id}/recommendations", params={"k": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["firm_id"], body["year"]) == (firm_id, last)
    with session_scope(deployment.engine) as session:
        history = load_outcomes(session)
    rec = load_recommender(
        deployment.registry, body["model_version"], programmes=world.dataset.programmes
    )
    profile = firms[(firms["firm_id"] == firm_id) & (firms["year"] == last)]
    expected = rec.recommend(profile, k=5, outcomes=history[history["firm_id"] == firm_id])
    assert [
        (i["programme_id"], pytest.approx(i["score"], abs=1e-9)) for i in body["recommendations"]
    ] == [(i.programme_id, i.score) for i in expected.items]
    entry = _audit(deployment, body["request_id"])
    assert entry["endpoint"] == "GET /v1/firms/{firm_id}/recommendations"
    assert entry["key_name"] == "test-caseworker" and entry["firm_id"] == firm_id


def test_a_stored_firm_of_an_earlier_year_and_unknown_firms(
    deployment: Deployment, world: Any
) -> None:
    firms = world.dataset.firms
    first = int(firms["year"].min())
    firm_id = str(firms[firms["year"] == first]["firm_id"].iloc[0])
    with deployment.client("analyst") as client:
        earlier = client.get(
            f"/v1/firms/{firm_id}/recommendations",
            params={"year": first, "include_ineligible": True},
        )
        unknown = client.get("/v1/firms/NO-SUCH-FIRM/recommendations")
        no_year = client.get(f"/v1/firms/{firm_id}/recommendations", params={"year": 1999})
        bad_k = client.get(f"/v1/firms/{firm_id}/recommendations", params={"k": 0})
    assert earlier.status_code == 200 and earlier.json()["year"] == first
    assert isinstance(earlier.json()["ineligible"], list)
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM
    assert "NO-SUCH-FIRM" in unknown.json()["detail"]
    assert no_year.status_code == 404 and "1999" in no_year.json()["detail"]
    assert bad_k.status_code == 422 and bad_k.json()["errors"][0]["field"] == "k"


def test_responses_match_their_documented_schemas_exactly(
    deployment: Deployment, profiles: list[dict[str, Any]], world: Any
) -> None:
    from api.schemas.recommendations import BatchResponse, RecommendationResponse

    firm_id = str(world.dataset.firms["firm_id"].iloc[0])
    with deployment.client("analyst") as client:
        single = client.post(
            "/v1/recommendations",
            json={"profile": profiles[6], "include_ineligible": True, "explain": "all"},
        ).json()
        stored = client.get(f"/v1/firms/{firm_id}/recommendations").json()
        batch = client.post(
            "/v1/recommendations/batch", json={"profiles": profiles[7:9], "k": 2}
        ).json()
    for body in (single, stored):
        assert RecommendationResponse.model_validate(body).model_dump(mode="json") == body
    assert BatchResponse.model_validate(batch).model_dump(mode="json") == batch


# --- what each item gives: support amount and kind, null where the catalogue is silent ----
def test_items_carry_the_support_their_programme_states(
    deployment: Deployment, profiles: list[dict[str, Any]], world: Any
) -> None:
    with deployment.client("partner") as client:
        body = client.post(
            "/v1/recommendations", json={"profile": profiles[0], "k": 5, "lang": "ko"}
        ).json()
    stated = world.dataset.programmes.set_index("programme_id")["support_krw_m"]
    items = body["recommendations"]
    assert len(items) == 5
    assert [i["support_krw_m"] for i in items] == [
        pytest.approx(float(stated[i["programme_id"]])) for i in items
    ]
    # the demo world states no kind of support: null, and the words say the amount only
    assert [i["support_kind"] for i in items] == [None] * 5
    assert [i["support"] for i in items] == [
        renderer("ko").support(float(stated[i["programme_id"]]), None) for i in items
    ]
    assert all(i["support"].startswith("기업당 최대 ") for i in items)


def test_support_not_stated_is_null_in_the_fields_and_said_in_words(
    deployment: Deployment, world: Any
) -> None:
    programmes = world.dataset.programmes.copy()
    programmes["support_krw_m"] = np.nan
    programmes["support_kind"] = "loan"
    programmes.loc[programmes.index[::2], "support_kind"] = None
    rec = load_recommender(deployment.registry, programmes=programmes)
    firms = world.dataset.firms
    profile = firms[firms["year"] == firms["year"].max()].iloc[[0]]
    body = RecommendationResponse.of(Served(rec.recommend(profile, k=8), "r1")).model_dump(
        mode="json"
    )
    items = body["recommendations"]
    assert len(items) == 8
    assert {i["support_krw_m"] for i in items} == {None}
    kinds = {i["support_kind"]: i["support"] for i in items}
    assert kinds == {"loan": "Loan; amount not stated", None: "support not stated"}
    assert RecommendationResponse.model_validate(body).model_dump(mode="json") == body


def test_the_capability_gap_is_peers_minus_own_and_said_in_words(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    low = {**profiles[0], **{c: 1 for c in CAPABILITIES}}  # below its peers everywhere
    with deployment.client("partner") as client:
        body = client.post("/v1/recommendations", json={"profile": low, "k": 3}).json()
    gaps = body["capability_profile"]
    assert len(gaps) == len(CAPABILITIES)
    assert all(g["gap"] == pytest.approx(g["peers"] - g["own"]) and g["gap"] > 0 for g in gaps)
    assert all(g["text"].endswith("points below firms like yours") for g in gaps)
