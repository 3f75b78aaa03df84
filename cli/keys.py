"""API keys: ``keys create``, ``keys revoke`` and ``keys list``."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import friendly, out, store_engine

app = typer.Typer(help="Create, revoke and list API keys.", no_args_is_help=True)


@app.command("create")
@friendly
def keys_create(
    role: Annotated[str, typer.Option(help="caseworker, partner or analyst")],
    name: Annotated[str, typer.Option(help="unique name of the key's holder")],
) -> None:
    """Create an API key; it is printed once, as the last line, and never shown again."""
    from recommender.adapters.store import ROLES, create_key, session_scope

    if role not in ROLES:
        raise typer.BadParameter(
            f"{role!r} is not one of {', '.join(ROLES)}", param_hint="'--role'"
        )
    with session_scope(store_engine()) as session:
        key = create_key(session, name=name, role=role)
    out.print(f"created {role} key {name!r}; store it now, it cannot be shown again:")
    typer.echo(key)


@app.command("revoke")
@friendly
def keys_revoke(name: str) -> None:
    """Revoke the key called NAME; it stops working at once."""
    from recommender.adapters.store import revoke_key, session_scope

    with session_scope(store_engine()) as session:
        revoke_key(session, name)
    out.print(f"revoked key {name!r}")


@app.command("list")
@friendly
def keys_list() -> None:
    """Every key's name, role and state (never the keys themselves)."""
    from recommender.adapters.store import list_keys, session_scope

    with session_scope(store_engine()) as session:
        keys = list_keys(session)
    if not keys:
        out.print("no API keys; create one with: recommender keys create --role ROLE --name NAME")
    for k in keys:
        state = "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d %H:%M}"
        out.print(f"{k.name}  {k.role}  created {k.created_at:%Y-%m-%d %H:%M}  {state}")
