"""The staff pages through a real uvicorn server: sign-in and sign-out, the session
cookie and its CSRF token, expiry, refused partners and revoked keys, and each page
showing the data the caseworker API gives for the same firm, programme or year.

The pages write (profiles, feedback, outcomes, allocations), so they get a deployment of
their own: the same world and trained model as the API tests, in a database of this
module only (SQLite, and PostgreSQL too when ``RECOMMENDER_TEST_POSTGRES_URL`` is set).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select, update

from api.app import create_app
from api.staff.i18n import StaffTranslator
from recommender.adapters.store import (
    create_key,
    get_engine,
    list_feedback,
    revoke_key,
    session_scope,
    upgrade_database,
)
from recommender.adapters.store.tables import StaffSession
from recommender.explain import renderer
from recommender.simulate import World
from tests.api.conftest import (
    Deployment,
    LiveServer,
    _deploy,
    as_profile,
    make_settings,
    scratch_database,
)

EN, KO = StaffTranslator("en"), StaffTranslator("ko")
CSP = "default-src 'none'"


@pytest.fixture(scope="module")
def staff(
    tmp_path_factory: pytest.TempPathFactory, world: World, backend: str, trained_models: Path
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp(f"staff-{backend}")
    with scratch_database(backend, root) as url:
        settings = make_settings(root, database_url=url)
        shutil.copytree(trained_models, settings.models_dir)
        yield from _deploy(settings, world)


def browser(deployment: Deployment) -> httpx.Client:
    """A client that keeps cookies and does not follow redirects (each is checked)."""
    return httpx.Client(base_url=deployment.server.url, timeout=60, follow_redirects=False)


def hidden(page: str, name: str) -> str:
    """The value of the first hidden input called ``name``."""
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert found is not None, f"no hidden {name} on the page"
    return html.unescape(found.group(1))


def sign_in(client: httpx.Client, key: str) -> httpx.Response:
    """Open the sign-in form and send ``key`` with the form's CSRF token."""
    form = client.get("/staff/sign-in")
    assert form.status_code == 200, form.text
    return client.post(
        "/staff/sign-in", data={"api_key": key, "csrf": hidden(form.text, "csrf"), "lang": "en"}
    )


@contextmanager
def signed_in(deployment: Deployment, role: str = "caseworker") -> Iterator[httpx.Client]:
    """A browser signed in with the deployment's key of ``role``."""
    with browser(deployment) as client:
        done = sign_in(client, deployment.keys[role])
        assert done.status_code == 303 and done.headers["location"] == "/staff/firms", done.text
        yield client


def session_rows(deployment: Deployment, key_name: str) -> list[StaffSession]:
    with session_scope(deployment.engine) as session:
        rows = session.scalars(
            select(StaffSession).where(StaffSession.key_name == key_name).order_by(StaffSession.id)
        ).all()
        session.expunge_all()
    return list(rows)


def last_firm(world: World, n: int = 0) -> dict[str, Any]:
    firms = world.dataset.firms
    last = firms[firms["year"] == firms["year"].max()].sort_values("firm_id")
    return as_profile(last.iloc[n])


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


# --- signing in and out -------------------------------------------------------------
def test_a_caseworker_signs_in_with_a_key_and_gets_a_strict_session_cookie(
    staff: Deployment,
) -> None:
    with browser(staff) as client:
        form = client.get("/staff/sign-in")
        assert form.status_code == 200
        assert CSP in form.headers["content-security-policy"]
        assert "<script" not in form.text and 'lang="en"' in form.text
        assert '<label class="field__label" for="f-api_key">' in form.text
        done = client.post(
            "/staff/sign-in",
            data={"api_key": staff.keys["caseworker"], "csrf": hidden(form.text, "csrf")},
        )
        assert done.status_code == 303 and done.headers["location"] == "/staff/firms"
        cookie = next(
            c for c in done.headers.get_list("set-cookie") if c.startswith("staff_session=")
        )
        token = cookie.split(";", 1)[0].split("=", 1)[1]
        flags = {p.strip().lower() for p in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/staff"} <= flags
        assert "secure" not in flags  # plain http here; https adds it
        firms = client.get("/staff/firms")
        assert firms.status_code == 200 and EN("staff.title_firms") in firms.text
        assert "test-caseworker" in firms.text
    rows = session_rows(staff, "test-caseworker")
    assert rows and rows[-1].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in (r.token_hash, r.csrf_token) for r in rows)
    assert rows[-1].role == "caseworker" and rows[-1].client == "127.0.0.1"
    lasts = rows[-1].expires_at - rows[-1].created_at
    assert lasts == timedelta(hours=staff.settings.staff_session_hours)


OPEN_STAFF_PATHS = {"/staff", "/staff/sign-in", "/staff/static/{name}"}


def staff_routes(deployment: Deployment) -> list[tuple[str, str]]:
    """(method, path with every parameter filled) of each staff route that needs a session."""
    out = []
    for ctx in iter_route_contexts(deployment.server.app.routes):
        path = str(ctx.path)
        if not path.startswith("/staff") or path in OPEN_STAFF_PATHS:
            continue
        filled = re.sub(r"\{[a-z_]+\}", "1", path)
        methods = getattr(ctx.original_route, "methods", set())
        out += [(m, filled) for m in sorted(methods - {"HEAD"})]
    return out


def test_every_staff_page_and_form_needs_a_session(staff: Deployment) -> None:
    routes = staff_routes(staff)
    assert len(routes) >= 12  # the pages, forms and downloads
    with browser(staff) as client:
        for method, path in routes:
            answer = client.request(method, path, data={"csrf": "x"} if method == "POST" else None)
            assert (answer.status_code, answer.headers.get("location")) == (
                303,
                "/staff/sign-in",
            ), (method, path)
        forged = client.get("/staff/firms", cookies={"staff_session": "forged"})
        assert forged.headers["location"] == "/staff/sign-in?ended=1"
        home = client.get("/staff")
    assert home.status_code == 303 and home.headers["location"] == "/staff/firms"


def test_a_sign_in_without_its_csrf_token_is_refused(staff: Deployment) -> None:
    before = len(session_rows(staff, "test-analyst"))
    with browser(staff) as client:
        client.get("/staff/sign-in")  # the cookie half, but not the form half
        refused = client.post("/staff/sign-in", data={"api_key": staff.keys["analyst"]})
        other = client.post(
            "/staff/sign-in", data={"api_key": staff.keys["analyst"], "csrf": "guessed"}
        )
    assert refused.status_code == 403 and other.status_code == 403
    assert EN("staff.csrf_refused") in html.unescape(refused.text)
    assert "staff_session" not in refused.headers.get("set-cookie", "")
    assert len(session_rows(staff, "test-analyst")) == before


@pytest.mark.parametrize(
    ("key", "status", "message"),
    [
        ("partner", 403, "staff.sign_in_partner"),
        ("revoked", 401, "staff.sign_in_failed"),
        (None, 401, "staff.sign_in_failed"),
    ],
)
def test_partners_unknown_and_revoked_keys_cannot_sign_in(
    staff: Deployment, key: str | None, status: int, message: str
) -> None:
    with browser(staff) as client:
        refused = sign_in(client, staff.keys[key] if key else "rk_not-a-key")
        after = client.get("/staff/firms")
    assert refused.status_code == status
    assert EN(message) in html.unescape(refused.text)
    assert 'aria-invalid="true"' in refused.text
    assert "staff_session" not in refused.headers.get("set-cookie", "")
    assert after.status_code == 303


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., tuple[LiveServer, str]]]:
    """Start a server with settings overrides (no model: signing in needs none); it
    and a caseworker key of it."""
    servers: list[LiveServer] = []

    def start(**overrides: Any) -> tuple[LiveServer, str]:
        settings = make_settings(tmp_path / f"app{len(servers)}", **overrides)
        upgrade_database(settings.db_url)
        with session_scope(get_engine(settings.db_url)) as session:
            key = create_key(session, name="limits-caseworker", role="caseworker")
        servers.append(LiveServer(create_app(settings)).__enter__())
        return servers[-1], key

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def from_address(server: LiveServer, address: str) -> httpx.Client:
    """A browser whose connections leave from ``address`` (any 127.x.y.z is loopback)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def test_failed_sign_ins_are_limited_per_client_like_failed_api_keys(
    serve: Callable[..., tuple[LiveServer, str]],
) -> None:
    server, key = serve(auth_failures_per_minute=3)
    with from_address(server, "127.0.0.2") as client:
        failed = [sign_in(client, "rk_wrong").status_code for _ in range(3)]
        limited = sign_in(client, "rk_wrong")
        even_right = sign_in(client, key)
        api = client.get("/v1/firms", headers={"X-API-Key": key})
    with from_address(server, "127.0.0.3") as other:
        elsewhere = sign_in(other, key)
    assert failed == [401, 401, 401]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    told = EN("staff.sign_in_limited", seconds=limited.headers["Retry-After"])
    assert told in html.unescape(limited.text) and 'aria-invalid="true"' in limited.text
    assert even_right.status_code == 429 and api.status_code == 429  # one limit for both
    assert elsewhere.status_code == 303


def test_each_page_takes_a_token_of_the_keys_rate_limit(
    serve: Callable[..., tuple[LiveServer, str]],
) -> None:
    server, key = serve(rate_limit_per_minute=2)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert sign_in(client, key).status_code == 303
        pages = [client.get("/staff/firms") for _ in range(3)]
        api = client.get("/v1/firms", headers={"X-API-Key": key})
    assert [p.status_code for p in pages] == [200, 200, 429]
    assert int(pages[-1].headers["Retry-After"]) >= 1 and api.status_code == 429


def test_the_cookies_are_secure_when_the_page_is_served_over_https(
    serve: Callable[..., tuple[LiveServer, str]],
) -> None:
    server, key = serve(trusted_proxies=["127.0.0.1"])  # a TLS proxy in front, on this host
    https = {"X-Forwarded-Proto": "https"}
    with httpx.Client(base_url=server.url, headers=https, timeout=30) as client:
        form = client.get("/staff/sign-in")
        half = form.headers["set-cookie"].split(";", 1)[0]  # a Secure cookie is sent
        done = client.post(  # back over https only: the proxy's side of it, by hand
            "/staff/sign-in",
            data={"api_key": key, "csrf": hidden(form.text, "csrf")},
            headers={"Cookie": half},
        )
    session = next(c for c in done.headers.get_list("set-cookie") if "staff_session=" in c)
    assert done.status_code == 303
    assert half.startswith("staff_sign_in=") and "; secure" in form.headers["set-cookie"].lower()
    assert "; secure" in session.lower() and "; httponly" in session.lower()


def test_signing_out_ends_the_session_and_needs_the_csrf_token(staff: Deployment) -> None:
    with signed_in(staff) as client:
        token = client.cookies["staff_session"]
        page = client.get("/staff/firms").text
        refused = client.post("/staff/sign-out", data={"csrf": "wrong"})
        assert refused.status_code == 403
        assert client.get("/staff/firms").status_code == 200  # still signed in
        out = client.post("/staff/sign-out", data={"csrf": hidden(page, "csrf")})
        assert out.status_code == 303 and out.headers["location"] == "/staff/sign-in?out=1"
        replay = client.get("/staff/firms", cookies={"staff_session": token})
        assert replay.status_code == 303
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = next(r for r in session_rows(staff, "test-caseworker") if r.token_hash == digest)
    assert row.ended_why == "signed_out" and row.ended_at is not None
    with staff.client("analyst") as api, staff.client("caseworker") as caseworker:
        audit = api.get("/v1/audit/sign-ins", params={"key_name": "test-caseworker"}).json()
        refused = caseworker.get("/v1/audit/sign-ins")
    shown = next(s for s in audit["items"] if s["id"] == row.id)
    assert (shown["ended_why"], shown["client"], shown["role"]) == (
        "signed_out",
        "127.0.0.1",
        "caseworker",
    )
    assert "token_hash" not in shown and "csrf_token" not in shown
    assert refused.status_code == 403


def test_a_session_expires(staff: Deployment) -> None:
    with signed_in(staff) as client:
        digest = hashlib.sha256(client.cookies["staff_session"].encode()).hexdigest()
        with session_scope(staff.engine) as session:
            session.execute(
                update(StaffSession)
                .where(StaffSession.token_hash == digest)
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        ended = client.get("/staff/firms")
        assert ended.status_code == 303 and ended.headers["location"] == "/staff/sign-in?ended=1"
        notice = client.get("/staff/sign-in?ended=1")
    assert EN("staff.session_ended") in notice.text
    row = next(r for r in session_rows(staff, "test-caseworker") if r.token_hash == digest)
    assert row.ended_why == "expired"


def test_revoking_a_key_ends_its_sessions(staff: Deployment) -> None:
    with session_scope(staff.engine) as session:
        key = create_key(session, name="staff-to-revoke", role="caseworker")
    with browser(staff) as client:
        assert sign_in(client, key).status_code == 303
        assert client.get("/staff/firms").status_code == 200
        with session_scope(staff.engine) as session:
            revoke_key(session, "staff-to-revoke")
        ended = client.get("/staff/firms")
    assert ended.status_code == 303 and ended.headers["location"] == "/staff/sign-in?ended=1"
    assert [r.ended_why for r in session_rows(staff, "staff-to-revoke")] == ["revoked"]


# --- the pages ----------------------------------------------------------------------
def test_the_search_finds_firms_by_id_region_and_size(staff: Deployment, world: World) -> None:
    firm = last_firm(world, 5)
    with signed_in(staff) as client:
        by_id = client.get("/staff/firms", params={"q": firm["firm_id"]})
        region = client.get("/staff/firms", params={"region": firm["region"]})
        sector = client.get("/staff/firms", params={"sector": firm["sector"], "size_band": "small"})
        first = client.get("/staff/firms")
        nxt = re.search(r'id="next-page" href="([^"]+)"', first.text)
        assert nxt is not None
        second = client.get(html.unescape(nxt.group(1)))
    assert by_id.status_code == 200 and f'href="/staff/firms/{firm["firm_id"]}"' in by_id.text
    regions = re.findall(r'<td class="firm-region">([^<·]+)', region.text)
    assert regions and {r.strip() for r in regions} == {EN(f"regions.{firm['region']}")}
    sectors = re.findall(r'<td class="firm-sector">([^<]+)', sector.text)
    assert sectors and set(sectors) == {EN(f"sectors.{firm['sector']}")}
    assert set(re.findall(r'<td class="firm-size">([^<]+)', sector.text)) == {
        EN("staff.sizes.small")
    }
    ids_first = re.findall(r'href="/staff/firms/([^"]+)"', first.text)
    ids_second = re.findall(r'href="/staff/firms/([^"]+)"', second.text)
    assert len(ids_first) == 25 and ids_second and not set(ids_first) & set(ids_second)
    assert max(ids_first) < min(ids_second)


def test_a_firms_page_shows_the_apis_list_with_reasons_in_both_languages(
    staff: Deployment, world: World
) -> None:
    firm = last_firm(world, 1)
    fid = firm["firm_id"]
    with staff.client("caseworker") as api:
        listed = api.get(f"/v1/firms/{fid}/recommendations", params={"k": 10}).json()
        korean = api.get(f"/v1/firms/{fid}/recommendations", params={"k": 10, "lang": "ko"})
    with signed_in(staff) as client:
        page = client.get(f"/staff/firms/{fid}")
        ko = client.get(f"/staff/firms/{fid}", params={"lang": "ko"})
    assert page.status_code == 200 and ko.status_code == 200
    names = [text_of(n) for n in re.findall(r'class="programme__name"[^>]*>(.*?)</h3>', page.text)]
    assert names and names == [i["name"] for i in listed["recommendations"]]
    assert page.text.count('<table class="cap-table">') == 1
    assert page.text.count('<th scope="row">') >= 12  # every capability of the chart
    first_reason = listed["recommendations"][0]["explanation"]["contributions"][0]["text"]
    assert first_reason in html.unescape(page.text)
    ko_reason = korean.json()["recommendations"][0]["explanation"]["contributions"][0]["text"]
    assert 'lang="ko"' in ko.text and ko_reason in html.unescape(ko.text)
    assert KO("staff.record_button") in ko.text and EN("staff.record_button") not in ko.text
    assert page.text.count('action="/staff/feedback"') == len(names)
    # each card says the support in the API's words; the table each gap (peers minus own)
    supports = re.findall(r'<span class="programme__support">(.*?)</span>', ko.text)
    assert supports == [i["support"] for i in korean.json()["recommendations"]]
    cells = re.findall(r'<td class="num">([^<]*(?:below|above|level))</td>', page.text)
    rated = [g["gap"] for g in listed["capability_profile"] if g["gap"] is not None]
    assert cells == [renderer("en").gap(gap, short=True) for gap in rated] and cells
    assert "<script" not in page.text and CSP in page.headers["content-security-policy"]


def test_a_firm_whose_only_year_has_no_catalogue_still_has_its_page(
    staff: Deployment, world: World
) -> None:
    body = {k: v for k, v in last_firm(world, 6).items() if k not in ("firm_id", "year")}
    with staff.client("caseworker") as api:
        put = api.put("/v1/firms/STAFF-NO-CATALOGUE/profiles/2031", json=body)
    assert put.status_code == 201, put.text
    with signed_in(staff) as client:
        page = client.get("/staff/firms/STAFF-NO-CATALOGUE")
    assert page.status_code == 200
    warning = re.search(r'<p class="notice notice--warning">([^<]+)</p>', page.text)
    assert warning is not None and "2031" in warning.group(1)
    assert 'id="profile-form"' in page.text and 'action="/staff/feedback"' not in page.text


def test_feedback_is_recorded_in_place_once_and_refused_without_csrf(
    staff: Deployment, world: World
) -> None:
    fid = last_firm(world, 2)["firm_id"]
    with signed_in(staff) as client:
        page = client.get(f"/staff/firms/{fid}").text
        form = {
            "csrf": hidden(page, "csrf"),
            "request_id": hidden(page, "request_id"),
            "programme_id": hidden(page, "programme_id"),
            "firm_id": fid,
            "action": "contacted",
            "note": "called the CEO 대표 통화",
            "back": "firm",
            "year": hidden(page, "year"),
        }
        forged = client.post("/staff/feedback", data={**form, "csrf": ""})
        assert forged.status_code == 403
        done = client.post("/staff/feedback", data=form)
        again = client.post("/staff/feedback", data=form)
        assert done.status_code == 303 and "done=contacted" in done.headers["location"]
        assert "done=again" in again.headers["location"]
        shown = client.get(done.headers["location"].split("#")[0])
    with session_scope(staff.engine) as session:
        stored = list_feedback(session, request_id=form["request_id"])
    assert [(f.programme_id, f.firm_id, f.action, f.note, f.key_name) for f in stored] == [
        (form["programme_id"], fid, "contacted", form["note"], "test-caseworker")
    ]
    assert EN("staff.done_feedback", status=EN("staff.statuses.contacted")) in shown.text
    assert html.escape(form["note"], quote=False) in shown.text  # in the recorded table


def test_recorded_feedback_is_corrected_on_the_page_and_the_change_logged(
    staff: Deployment, world: World
) -> None:
    fid = last_firm(world, 7)["firm_id"]
    with signed_in(staff) as client:
        page = client.get(f"/staff/firms/{fid}").text
        form = {
            "csrf": hidden(page, "csrf"),
            "request_id": hidden(page, "request_id"),
            "programme_id": hidden(page, "programme_id"),
            "firm_id": fid,
            "action": "contacted",
        }
        done = client.post("/staff/feedback", data=form)
        shown = client.get(done.headers["location"].split("#")[0]).text
        fix = re.search(r'action="/staff/feedback/(\d+)/correct"', shown)
        assert fix is not None
        path = f"/staff/feedback/{fix.group(1)}/correct"
        fixed = {"csrf": form["csrf"], "firm_id": fid, "action": "declined", "note": "no budget"}
        forged = client.post(path, data={**fixed, "csrf": "no"})
        corrected = client.post(path, data=fixed)
        after = client.get(corrected.headers["location"].split("#")[0]).text
    assert forged.status_code == 403 and corrected.status_code == 303
    with session_scope(staff.engine) as session:
        stored = list_feedback(session, request_id=form["request_id"])
    assert [(f.action, f.note, f.updated_by) for f in stored] == [
        ("declined", "no budget", "test-caseworker")
    ]
    assert EN("staff.done_corrected") in after and EN("staff.statuses.declined") in after
    with staff.client("analyst") as api:
        changes = api.get(
            "/v1/audit/changes", params={"entity": "feedback", "entity_key": fix.group(1)}
        ).json()["items"]
    assert [(c["before"]["action"], c["after"]["action"]) for c in changes] == [
        ("contacted", "declined")
    ]


def test_outcomes_are_stored_and_corrected_by_analysts_only(
    staff: Deployment, world: World
) -> None:
    fid = last_firm(world, 3)["firm_id"]
    with signed_in(staff, "caseworker") as client:
        page = client.get(f"/staff/firms/{fid}").text
        assert 'action="/staff/outcomes"' not in page
        refused = client.post(
            "/staff/outcomes",
            data={
                "csrf": hidden(page, "csrf"),
                "firm_id": fid,
                "programme_id": "x",
                "year": "2024",
                "outcome": "2",
            },
        )
    assert refused.status_code == 403
    with signed_in(staff, "analyst") as client:
        page = client.get(f"/staff/firms/{fid}").text
        assert 'action="/staff/outcomes"' in page
        pid, year = hidden(page, "programme_id"), hidden(page, "year")
        form = {"csrf": hidden(page, "csrf"), "firm_id": fid, "programme_id": pid, "year": year}
        first = client.post("/staff/outcomes", data={**form, "outcome": "2"})
        second = client.post("/staff/outcomes", data={**form, "outcome": "3"})
    assert first.status_code == 303 and second.status_code == 303
    with staff.client("analyst") as api:
        changes = api.get(
            "/v1/audit/changes", params={"entity": "outcome", "entity_key": f"{fid}/{year}/{pid}"}
        ).json()["items"]
    assert [(c["before"], c["after"]) for c in changes] == [({"outcome": 2}, {"outcome": 3})]


def test_the_current_years_profile_is_saved_and_a_bad_value_is_named(
    staff: Deployment, world: World
) -> None:
    firm = last_firm(world, 4)
    fid = firm["firm_id"]
    year = datetime.now(UTC).year
    with signed_in(staff) as client:
        page = client.get(f"/staff/firms/{fid}").text
        assert EN("staff.edit_heading", year=year) in page
        values = dict(
            re.findall(r'id="f-([a-z_]+)" name="\1" type="text"[^>]*value="([^"]*)"', page)
        )
        assert values["employees"] == str(firm["employees"])
        checked = re.findall(r'name="(cap_[a-z_]+)" value="(\d)"[^>]*checked', page)
        form = {
            **{k: html.unescape(v) for k, v in values.items()},
            **dict(checked),
            "csrf": hidden(page, "csrf"),
            "sector": firm["sector"],
            "region": firm["region"],
            "firm_name": "Staff Page 주식회사",
            "district": "수원시",
        }
        bad = client.post(f"/staff/firms/{fid}/profile", data={**form, "employees": "-5"})
        good = client.post(
            f"/staff/firms/{fid}/profile",
            data={**form, "employees": "77", "firm_flags": ["women_owned", "innobiz"]},
        )
        after = client.get(good.headers["location"].split("#")[0])
    assert bad.status_code == 422
    field = re.search(
        r'<div class="field field--error">\s*<label class="field__label" for="f-(\w+)"', bad.text
    )
    assert field is not None and field.group(1) == "employees"
    assert good.status_code == 303 and "?done=profile" in good.headers["location"]
    with staff.client("caseworker") as api:
        detail = api.get(f"/v1/firms/{fid}").json()
    stored = {p["year"]: p for p in detail["profiles"]}
    assert stored[year]["employees"] == 77 and stored[year]["firm_name"] == "Staff Page 주식회사"
    assert stored[year]["district"] == "수원시"
    assert stored[year]["firm_flags"] == "women_owned;innobiz"  # the statuses' checkboxes
    assert stored[firm["year"]]["employees"] == firm["employees"]  # last year untouched
    assert EN("staff.done_profile", year=year) in after.text
    # a year without a catalogue is kept, and the list stays on the latest year ranked
    assert EN("staff.list_heading", year=firm["year"]) in after.text
    assert after.text.count('action="/staff/feedback"') >= 1


def test_an_outreach_list_is_the_apis_with_feedback_in_place_and_csv(
    staff: Deployment, world: World
) -> None:
    programmes = world.dataset.programmes
    pid = str(programmes[programmes["year"] == programmes["year"].max()].iloc[0]["programme_id"])
    with staff.client("caseworker") as api:
        listed = api.get(f"/v1/programmes/{pid}/candidates", params={"limit": 25}).json()
    with signed_in(staff) as client:
        page = client.get(f"/staff/programmes/{pid}/candidates")
        assert page.status_code == 200
        shown = re.findall(r'<li class="programme" id="firm-([^"]+)"', page.text)
        assert shown and shown == [c["firm_id"] for c in listed["items"]]
        assert listed["items"][0]["reasons"][0]["text"] in html.unescape(page.text)
        assert f"{listed['support']}</p>" in html.unescape(page.text)
        form = {
            "csrf": hidden(page.text, "csrf"),
            "request_id": hidden(page.text, "request_id"),
            "programme_id": pid,
            "firm_id": shown[0],
            "action": "interested",
            "back": "outreach",
        }
        done = client.post("/staff/feedback", data=form)
        download = client.get(f"/staff/programmes/{pid}/candidates.csv")
    assert done.status_code == 303
    assert done.headers["location"].startswith(
        f"/staff/programmes/{pid}/candidates?done=interested"
    )
    with session_scope(staff.engine) as session:
        stored = list_feedback(session, request_id=form["request_id"])
    assert [(f.firm_id, f.action) for f in stored] == [(shown[0], "interested")]
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["firm_id"] for r in rows] == shown


def test_feedback_on_a_later_outreach_page_returns_to_that_page(
    staff: Deployment, world: World
) -> None:
    programmes = world.dataset.programmes
    pid = str(programmes[programmes["year"] == programmes["year"].max()].iloc[0]["programme_id"])
    with signed_in(staff) as client:
        first = client.get(f"/staff/programmes/{pid}/candidates").text
        nxt = re.search(r'id="next-page" href="([^"]+)"', first)
        assert nxt is not None, "the programme has one page of firms only"
        second = client.get(html.unescape(nxt.group(1))).text
        on_second = re.findall(r'<li class="programme" id="firm-([^"]+)"', second)
        form = {
            "csrf": hidden(second, "csrf"),
            "request_id": hidden(second, "request_id"),
            "programme_id": pid,
            "firm_id": on_second[0],
            "action": "contacted",
            "back": "outreach",
            "cursor": hidden(second, "cursor"),
        }
        done = client.post("/staff/feedback", data=form)
        again = client.get(done.headers["location"].split("#")[0]).text
    assert done.status_code == 303 and "&cursor=" in done.headers["location"]
    assert re.findall(r'<li class="programme" id="firm-([^"]+)"', again) == on_second
    assert EN("staff.done_feedback", status=EN("staff.statuses.contacted")) in again


def test_a_years_allocation_runs_and_shows_seats_and_reasons(staff: Deployment) -> None:
    with signed_in(staff) as client:
        page = client.get("/staff/allocations").text
        csrf = hidden(page, "csrf")
        bad = client.post(
            "/staff/allocations", data={"csrf": csrf, "year": "2024", "per_firm": "0"}
        )
        done = client.post(
            "/staff/allocations", data={"csrf": csrf, "year": "2024", "per_firm": "1"}
        )
        assert done.status_code == 303, done.text
        shown = client.get(done.headers["location"])
        allocation_id = int(re.findall(r"/staff/allocations/(\d+)", done.headers["location"])[0])
    assert bad.status_code == 422 and 'href="#f-per_firm"' in bad.text
    with staff.client("caseworker") as api:
        detail = api.get(f"/v1/allocations/{allocation_id}").json()
    assert shown.status_code == 200
    assert EN("staff.title_allocation", id=allocation_id, year=2024) in shown.text
    seats = re.findall(r"<tbody>(.*?)</tbody>", shown.text, flags=re.S)
    assert len(re.findall(r"<tr>", seats[-2])) == len(detail["programmes"])
    assert (
        detail["assignments"]
        and html.escape(detail["assignments"][0]["reason"], quote=False) in shown.text
    )
