"""Serving: ``serve``, ``demo`` and the ``db`` group (``db upgrade``)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import err, friendly, out

app = typer.Typer()
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
@friendly
def serve(
    host: Annotated[str | None, typer.Option(help="address to bind [127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [8000]")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes [1]")] = None,
    access_log: Annotated[bool, typer.Option(help="log each request line")] = True,
) -> None:
    """Serve the HTTP API (uvicorn); the model follows the registry's champion."""
    from api.server import run_server

    run_server(host=host, port=port, workers=workers, access_log=access_log)


@app.command()
@friendly
def demo(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
) -> None:
    """First start on embedded defaults: store the demo world, check the model, serve."""
    from api.demo import prepare_demo
    from api.server import run_server
    from recommender.adapters.store import summarise_counts
    from recommender.settings import get_settings

    with err.status("preparing the demo…") as status:
        state = prepare_demo(get_settings(), progress=lambda m: status.update(f"{m}…"))
    if state.imported is not None:
        out.print(f"stored the demo world: {summarise_counts(state.imported)}")
    base = f"http://{host}:{port}"
    firm = (
        f"{state.example_firm[0]}/recommendations?year={state.example_firm[1]}"
        if state.example_firm
        else "FIRM_ID/recommendations"
    )
    out.print(
        f"serving model {state.champion} on {base} (API docs: {base}/docs)\n"
        "create a key:   recommender keys create --role caseworker --name me\n"
        f'then try:       curl -s -H "X-API-Key: $KEY" "{base}/v1/firms/{firm}"'
    )
    run_server(host=host, port=port, workers=1)


@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Migrate the configured database to the current schema (safe to repeat)."""
    from recommender.adapters.store import current_revision, get_engine, upgrade_database
    from recommender.settings import get_settings

    url = get_settings().db_url
    upgrade_database(url)
    out.print(f"database at revision {current_revision(get_engine(url))}")
