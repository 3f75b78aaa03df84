"""The chance of a measurable result over HTTP: API items and outreach candidates carry it
beside the raw score, the portal says it in English and Korean, and a version trained
before calibrations existed answers null and says nothing."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from recommender.adapters.artefact import CALIBRATION_FILE
from recommender.adapters.registry import Registry
from tests.api.conftest import Deployment, LiveServer, make_settings
from tests.api.test_portal_views import GOOD_FORM, dom
from tests.api.test_workbench import _outreach_programme
from tests.signing import TEST_SIGNING_KEY

OLD = "v2-better"  # copy_version's copy of v1: model.txt and pipeline.json, no calibration
ENGLISH = re.compile(
    r"^(\d+) % chance of a measurable result \((\d+)-(\d+) %\); typical for similar firms: "
    r"(\d+) %$"
)
KOREAN = re.compile(
    r"^측정 가능한 성과를 낼 가능성 (\d+) % \((\d+)–(\d+) %\); 비슷한 기업 평균 (\d+) %$"
)


def _percent(value: float) -> int:
    return round(100 * value)


def _assert_chance(item: dict[str, Any]) -> None:
    chance = item["chance_measurable"]
    assert 0 <= chance["low"] <= chance["estimate"] <= chance["high"] <= 1
    assert 0 < item["typical_for_similar"] < 1
    said = ENGLISH.match(item["chance_text"])
    assert said is not None, item["chance_text"]
    assert [int(g) for g in said.groups()] == [
        _percent(chance["estimate"]),
        _percent(chance["low"]),
        _percent(chance["high"]),
        _percent(item["typical_for_similar"]),
    ]


def test_recommended_items_carry_the_chance_beside_the_raw_score(
    deployment: Deployment, profiles: list[dict[str, Any]]
) -> None:
    assert CALIBRATION_FILE in deployment.registry.verify("v1")["files"]
    with deployment.client("partner") as client:
        response = client.post("/v1/recommendations", json={"profile": profiles[0], "k": 5})
    assert response.status_code == 200, response.text
    items = response.json()["recommendations"]
    assert len(items) == 5
    for item in items:
        _assert_chance(item)
    # the chance rises with the raw score (the list itself also weighs the text match)
    by_score = sorted(items, key=lambda i: -i["score"])
    estimates = [i["chance_measurable"]["estimate"] for i in by_score]
    assert estimates == sorted(estimates, reverse=True)


def test_outreach_candidates_carry_the_chance(deployment: Deployment, world: Any) -> None:
    programme, _ = _outreach_programme(world)
    path = f"/v1/programmes/{programme['programme_id']}/candidates"
    with deployment.client("caseworker") as client:
        page = client.get(path, params={"limit": 5}).json()
        csv = client.get(path, params={"limit": 5}, headers={"Accept": "text/csv"}).text
    items = page["items"]
    assert len(items) == 5
    for item in items:
        _assert_chance(item)
    header = csv.splitlines()[0].split(",")
    assert header[header.index("score") :][:5] == [
        "score",
        "chance_measurable",
        "chance_low",
        "chance_high",
        "typical_for_similar",
    ]


def _chances_on_page(html: str) -> list[str]:
    """The cards' chance sentences (the page keeps each figure with its "%": no-break
    spaces, read here as spaces)."""
    cards = [p.text for p in dom(html).find_all("p", class_="programme__chance")]
    # every card's estimate, interval and typical, the ranked beyond the explained too
    assert html.count("\u00a0%") == 3 * html.count('class="programme__chance"')
    return [text.replace("\u00a0", " ") for text in cards]


def test_the_portal_says_the_chance_in_english_and_korean(deployment: Deployment) -> None:
    with deployment.client() as client:
        english = client.post("/portal", data={**GOOD_FORM, "lang": "en"})
        korean = client.post("/portal", data={**GOOD_FORM, "lang": "ko"})
    assert english.status_code == korean.status_code == 200
    said_en, said_ko = _chances_on_page(english.text), _chances_on_page(korean.text)
    assert len(said_en) == len(said_ko) >= 3
    en = [ENGLISH.match(s) for s in said_en]
    ko = [KOREAN.match(s) for s in said_ko]
    assert all(en) and all(ko), (said_en, said_ko)
    assert [m.groups() for m in en if m] == [m.groups() for m in ko if m]  # the same figures
    assert "Fit score" not in dom(english.text).by_id("programme-1").text


# --- a version without a calibration ---------------------------------------------------------
@pytest.fixture(scope="module")
def old_server(
    deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server whose champion is a version written before calibrations existed."""
    root = tmp_path_factory.mktemp("old-version")
    shutil.copytree(deployment.settings.models_dir, root / "models")
    settings = make_settings(root, database_url=deployment.settings.db_url)
    Registry(settings.models_dir, signing_key=TEST_SIGNING_KEY).promote(OLD, force=True)
    with LiveServer(create_app(settings)) as server:
        yield server


def test_an_old_version_answers_null_and_the_page_says_nothing(
    old_server: LiveServer, deployment: Deployment, profiles: list[dict[str, Any]], world: Any
) -> None:
    assert CALIBRATION_FILE not in deployment.registry.verify(OLD)["files"]
    programme, _ = _outreach_programme(world)
    with old_server.client(deployment.keys["caseworker"]) as client:
        listed = client.post("/v1/recommendations", json={"profile": profiles[0], "k": 3}).json()
        candidates = client.get(
            f"/v1/programmes/{programme['programme_id']}/candidates", params={"limit": 3}
        ).json()
        page = client.post("/portal", data=GOOD_FORM)
    assert listed["model_version"] == OLD
    items = listed["recommendations"] + candidates["items"]
    assert len(items) == 6 and all(i["score"] is not None for i in items)
    assert [
        (i["chance_measurable"], i["typical_for_similar"], i["chance_text"]) for i in items
    ] == [(None, None, None)] * 6
    assert page.status_code == 200
    assert _chances_on_page(page.text) == []
    assert "chance" not in page.text and "Fit score" in page.text
