"""Bad input, nothing lost: imports (``recommender import --data``) and POST /v1/outcomes
with wrong types, missing columns, unknown ids, duplicate rows, huge values, a cp949
file, empty files and a 200 MB upload are each refused with a clear message, and the
store (everything :func:`export_dataset` returns) and the registry (versions, champion,
history) are exactly as they were before.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from recommender.adapters.files import write_data_dir
from recommender.adapters.store import export_dataset
from recommender.settings import get_settings
from tests.api.conftest import Deployment

Snapshot = tuple[dict[str, pd.DataFrame], list[str], str | None, int]


def snapshot(d: Deployment) -> Snapshot:
    ds = export_dataset(d.engine)
    frames = {
        "firms": ds.firms,
        "programmes": ds.programmes,
        "outcomes": ds.outcomes if ds.outcomes is not None else pd.DataFrame(),
    }
    return (
        frames,
        [v["version"] for v in d.registry.versions()],
        d.registry.champion(),
        len(d.registry.history()),
    )


def assert_unchanged(before: Snapshot, after: Snapshot) -> None:
    for name, frame in before[0].items():
        pd.testing.assert_frame_equal(frame, after[0][name], obj=name)
    assert before[1:] == after[1:]


@pytest.fixture
def cli_env(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI pointed at the deployment's store and registry."""
    monkeypatch.setenv("RECOMMENDER_VAR_DIR", str(deployment.root))
    monkeypatch.setenv("RECOMMENDER_MODELS_DIR", str(deployment.settings.models_dir))
    monkeypatch.setenv("RECOMMENDER_DATABASE_URL", deployment.settings.db_url)
    monkeypatch.setenv("RECOMMENDER_SIGNING_KEY", deployment.settings.signing_key)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def corrupt_firms(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / "firms.csv"
        change(pd.read_csv(path, dtype=str, keep_default_na=False)).to_csv(path, index=False)

    return apply


def write_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def cp949_catalogue(folder: Path) -> None:
    path = folder / "programmes.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "name"] = "스마트공장 구축 지원사업"
    frame.to_csv(path, index=False, encoding="cp949")


def unknown_outcome_ids(folder: Path) -> None:
    path = folder / "outcomes.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "firm_id"] = "NO-SUCH-FIRM"
    frame.loc[1, "programme_id"] = "NO-SUCH-PROGRAMME"
    frame.to_csv(path, index=False)


BAD_IMPORTS: dict[str, tuple[Callable[[Path], None], str]] = {
    "wrong type": (corrupt_firms(lambda f: f.assign(employees=["many"] * len(f))), "employees"),
    "missing column": (corrupt_firms(lambda f: f.drop(columns=["sector"])), "sector"),
    "unknown ids": (unknown_outcome_ids, "NO-SUCH"),
    "duplicate rows": (corrupt_firms(lambda f: pd.concat([f, f.head(3)])), "firm_id"),
    "huge value": (corrupt_firms(lambda f: f.assign(employees="9" * 40)), "employees"),
    "infinite value": (corrupt_firms(lambda f: f.assign(revenue_krw_m="1e400")), "revenue"),
    "cp949 encoding": (cp949_catalogue, "UTF-8"),
    "empty file": (write_bytes("firms.csv", b""), "firms"),
}


@pytest.mark.parametrize("case", list(BAD_IMPORTS))
def test_a_bad_import_is_refused_and_changes_nothing(
    deployment: Deployment, cli_env: None, tmp_path: Path, case: str
) -> None:
    folder = tmp_path / "data"
    write_data_dir(deployment.world.dataset, folder, fmt="csv")
    spoil, mentions = BAD_IMPORTS[case]
    spoil(folder)
    before = snapshot(deployment)
    result = CliRunner().invoke(app, ["import", "--data", str(folder)])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and mentions in result.output, result.output
    assert "Traceback" not in result.output
    assert_unchanged(before, snapshot(deployment))


def a_stored_outcome(d: Deployment) -> dict[str, Any]:
    row = d.world.dataset.outcomes.iloc[0]
    return {
        "firm_id": str(row["firm_id"]),
        "year": int(row["year"]),
        "programme_id": str(row["programme_id"]),
        "outcome": int(row["outcome"]),
    }


def new_outcome(d: Deployment) -> dict[str, Any]:
    """A valid outcome not stored yet: an existing profile and programme of its year."""
    ds = d.world.dataset
    stored = set(
        ds.outcomes[["firm_id", "year", "programme_id"]].itertuples(index=False, name=None)
    )
    firm = ds.firms.iloc[0]
    for pid in ds.programmes.loc[ds.programmes["year"] == firm["year"], "programme_id"]:
        if (firm["firm_id"], firm["year"], pid) not in stored:
            return {
                "firm_id": str(firm["firm_id"]),
                "year": int(firm["year"]),
                "programme_id": str(pid),
                "outcome": 1,
            }
    raise AssertionError("no free outcome slot")


BAD_OUTCOMES: dict[str, tuple[Callable[[Deployment], Any], int, str]] = {
    "wrong type": (
        lambda d: {"rows": [{**new_outcome(d), "outcome": "lots"}]},
        422,
        "rows.0.outcome",
    ),
    "missing field": (
        lambda d: {"rows": [{k: v for k, v in new_outcome(d).items() if k != "programme_id"}]},
        422,
        "programme_id",
    ),
    "unknown firm": (
        lambda d: {"rows": [new_outcome(d), {**new_outcome(d), "firm_id": "NO-SUCH-FIRM"}]},
        422,
        "NO-SUCH-FIRM",
    ),
    "unknown programme": (
        lambda d: {"rows": [{**new_outcome(d), "programme_id": "NO-SUCH"}]},
        422,
        "NO-SUCH",
    ),
    "duplicate rows": (lambda d: {"rows": [new_outcome(d), new_outcome(d)]}, 422, "rows"),
    "already stored": (
        lambda d: {"rows": [new_outcome(d), a_stored_outcome(d)]},
        409,
        "already stored",
    ),
    "huge value": (
        lambda d: {"rows": [{**new_outcome(d), "outcome": 10**40}]},
        422,
        "rows.0.outcome",
    ),
    "huge year": (lambda d: {"rows": [{**new_outcome(d), "year": 10**20}]}, 422, "rows.0.year"),
    "no rows": (lambda d: {"rows": []}, 422, "rows"),
    "not an object": (lambda d: [new_outcome(d)], 422, "body"),
}


@pytest.mark.parametrize("case", list(BAD_OUTCOMES))
def test_bad_outcomes_are_refused_and_nothing_is_stored(deployment: Deployment, case: str) -> None:
    make, status, mentions = BAD_OUTCOMES[case]
    before = snapshot(deployment)
    with deployment.client("analyst") as client:
        response = client.post("/v1/outcomes", json=make(deployment))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert mentions in response.text
    assert_unchanged(before, snapshot(deployment))


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("cp949 body", '{"rows": [{"firm_id": "가나다", "year": 2024}]}'.encode("cp949")),
        ("empty body", b""),
        ("truncated JSON", b'{"rows": [{"firm_id": '),
    ],
)
def test_undecodable_outcome_bodies_are_refused(
    deployment: Deployment, case: str, body: bytes
) -> None:
    before = snapshot(deployment)
    with deployment.client("analyst") as client:
        response = client.post(
            "/v1/outcomes", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    assert_unchanged(before, snapshot(deployment))


def send_huge_upload(url: str, key: str, *, size: int) -> tuple[int, bytes, int]:
    """POST ``size`` bytes generated on the fly; (status, response head, bytes sent)."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            (
                f"POST /v1/outcomes HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
            ).encode()
        )
        chunk = b'{"rows": [' + b" " * (1 << 20)
        sock.settimeout(0.0)
        response = b""
        deadline = time.monotonic() + 120
        while sent < size:
            with contextlib.suppress(BlockingIOError):
                response += sock.recv(65536)
            if response:
                break
            try:
                sent += sock.send(chunk[: min(len(chunk), size - sent)])
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                assert time.monotonic() < deadline, "the server neither read nor answered"
                select.select([sock], [sock], [], 0.05)  # until it can take more or answers
        sock.settimeout(10)
        while b"\r\n\r\n" not in response:
            data = sock.recv(65536)
            if not data:
                break
            response += data
    return int(response.split(b" ", 2)[1]), response, sent


def test_a_200_mb_upload_is_refused_fast_and_stores_nothing(deployment: Deployment) -> None:
    before = snapshot(deployment)
    started = time.monotonic()
    status, response, sent = send_huge_upload(
        deployment.server.url, deployment.keys["analyst"], size=200 * 1024 * 1024
    )
    elapsed = time.monotonic() - started
    assert status == 413, response[:300]
    assert b"application/problem+json" in response
    assert elapsed < 5
    assert sent < 200 * 1024 * 1024  # refused before the body was read
    assert_unchanged(before, snapshot(deployment))


def test_a_chunked_200_mb_upload_is_refused_too(deployment: Deployment) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"rows": ['
        for _ in range(200):
            yield b" " * (1 << 20)

    before = snapshot(deployment)
    started = time.monotonic()
    try:
        with deployment.client("analyst") as client:
            response = client.post(
                "/v1/outcomes", content=body(), headers={"Content-Type": "application/json"}
            )
        assert response.status_code == 413, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass  # the server answered 413 and closed while the client was still sending
    assert time.monotonic() - started < 10
    assert_unchanged(before, snapshot(deployment))
