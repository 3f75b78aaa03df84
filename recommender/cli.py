"""The ``recommender`` command: a thin edge over the core, training and the API.

Every command turns a :class:`~recommender.errors.RecommenderError` into one clear
message on stderr and a non-zero exit; nothing here holds logic of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from recommender.errors import RecommenderError

app = typer.Typer(help="SME support-programme matching recommender.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
err = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])


def friendly(func: F) -> F:
    """Run a command, reporting product errors as a message and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RecommenderError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False,
                      soft_wrap=True)  # escape: data values like '[/x]' are not markup
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


DataDir = Annotated[Path, typer.Option("--data", help="data directory (contract.md)")]


# --- data -----------------------------------------------------------------------------
@app.command()
@friendly
def validate(data: DataDir) -> None:
    """Check a data directory against the contract and report every problem."""
    from recommender.dataio import read_data_dir

    ds = read_data_dir(data)
    n_out = 0 if ds.outcomes is None else len(ds.outcomes)
    out.print(f"ok: {len(ds.firms)} firm profiles, {len(ds.programmes)} programmes, "
              f"{n_out} outcomes")


# --- section: simulate (demo world) ---------------------------------------------------

# --- section: training, scoring, evaluation, models -----------------------------------
def _registry() -> Any:
    from recommender.registry import Registry
    from recommender.settings import get_settings

    s = get_settings()
    return Registry(s.models_dir, signing_key=s.signing_key)


def _oracle(data: Path) -> Any:
    import pandas as pd

    path = data / "oracle.csv"
    return pd.read_csv(path, dtype={"firm_id": str, "programme_id": str}) if path.exists() else None


def _progress() -> Callable[[str], None]:
    return lambda message: err.print(f"[dim]…[/] {message}", highlight=False)


@app.command()
@friendly
def train(data: DataDir,
          version: Annotated[str | None, typer.Option(help="name of the new version")] = None,
          objective: Annotated[str, typer.Option(help="auto or a ranker objective")] = "auto",
          seed: Annotated[int, typer.Option()] = 42,
          threads: Annotated[int, typer.Option(help="LightGBM threads")] = 2,
          evaluation: Annotated[bool, typer.Option(help="evaluate against baselines first")] = True,
          ) -> None:
    """Train a new model version from a data directory (written under models/)."""
    from recommender.dataio import read_data_dir
    from training.train import train_version

    ds = read_data_dir(data, require_outcomes=True)
    registry = _registry()
    with err.status("training…"):
        name = train_version(ds, registry=registry, version=version, oracle=_oracle(data),
                             objective=objective, seed=seed, num_threads=threads,
                             run_evaluation=evaluation, progress=_progress())
    champion = " (champion)" if registry.champion() == name else ""
    out.print(f"wrote model version {name}{champion}: {registry.root / name}")


@app.command()
@friendly
def score(data: DataDir,
          model: Annotated[str, typer.Option(help="version name or champion")],
          out_file: Annotated[Path, typer.Option("--out", help="CSV file to write")],
          year: Annotated[int | None, typer.Option(help="only firm rows of this year")] = None,
          ) -> None:
    """Rank every programme of the same year for every firm row of a data directory."""
    import os
    import tempfile

    from recommender.dataio import read_data_dir
    from recommender.recommend import Recommender

    ds = read_data_dir(data)
    firms = ds.firms if year is None else ds.firms[ds.firms["year"] == year]
    rec = Recommender.load(_registry(), model, programmes=ds.programmes, num_threads=2)
    with err.status("scoring…"):
        scored = rec.score(firms, outcomes=ds.outcomes)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_file.parent, suffix=".tmp")
    os.close(fd)
    scored.to_csv(tmp, index=False)
    os.replace(tmp, out_file)
    out.print(f"scored {len(firms)} firm rows x programmes -> {len(scored)} rows in {out_file} "
              f"(model {rec.version})")


@app.command()
@friendly
def evaluate(data: DataDir,
             model: Annotated[str, typer.Option(help="version whose procedure to re-run")] = "champion",
             seed: Annotated[int, typer.Option()] = 42,
             threads: Annotated[int, typer.Option()] = 2) -> None:
    """Evaluate the training procedure of a version on a data directory, beside baselines."""
    from recommender.dataio import read_data_dir
    from training.evaluate import evaluate as run

    manifest = _registry().verify(model)
    ds = read_data_dir(data, require_outcomes=True)
    result = run(ds, oracle=_oracle(data), objective=manifest["params"]["objective"], seed=seed,
                 num_threads=threads, compare_objectives=False, progress=_progress())
    from rich.table import Table

    table = Table(title=f"{manifest['version']} procedure on {data}")
    cols = [c for c in result.metrics.columns]
    for c in cols:
        table.add_column(c)
    for row in result.metrics.itertuples(index=False):
        table.add_row(*[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row])
    out.print(table)


models_app = typer.Typer(help="List, promote and roll back model versions.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
@friendly
def models_list() -> None:
    """Every version with its headline metrics; * marks the champion."""
    for v in _registry().versions():
        metrics = v.get("metrics") or {}
        shown = ", ".join(f"{k}={metrics[k]:.4f}" for k in ("oracle_ndcg@3", "regret",
                                                             "validation_score")
                          if isinstance(metrics.get(k), (int, float)))
        mark = "*" if v.get("is_champion") else " "
        out.print(f"{mark} {v['version']}  {v.get('created_at', '')}  {shown}", highlight=False)


@models_app.command("promote")
@friendly
def models_promote(version: str,
                   force: Annotated[bool, typer.Option(help="promote even if worse")] = False,
                   ) -> None:
    """Make VERSION the champion (refused when worse than the champion, unless --force)."""
    _registry().promote(version, force=force)
    out.print(f"champion is now {version}")


@models_app.command("rollback")
@friendly
def models_rollback() -> None:
    """Return to the previous champion."""
    out.print(f"champion is now {_registry().rollback()}")


# --- section: store, keys, import/export ----------------------------------------------
def _store_engine() -> Any:
    """The configured database, migrated to the current schema."""
    from recommender.store import get_engine, upgrade_database

    upgrade_database()
    return get_engine()


@app.command("import")
@friendly
def import_data(data: DataDir) -> None:
    """Validate a data directory and store it (all or nothing; re-importing is harmless)."""
    from recommender.dataio import read_data_dir
    from recommender.store import import_dataset, summarise_counts

    ds = read_data_dir(data)
    counts = import_dataset(_store_engine(), ds)
    out.print(f"imported {data}: {summarise_counts(counts)}", highlight=False)


@app.command("export")
@friendly
def export_data(
    out_dir: Annotated[Path, typer.Option("--out", help="data directory to write")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
) -> None:
    """Write everything stored (outcomes posted via the API included) as a data directory."""
    from recommender.dataio import FORMATS, write_data_dir
    from recommender.store import export_dataset

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}",
                                 param_hint="'--format'")
    ds = export_dataset(_store_engine())
    write_data_dir(ds, out_dir, fmt=fmt)  # type: ignore[arg-type]
    n_out = 0 if ds.outcomes is None else len(ds.outcomes)
    out.print(f"exported {len(ds.firms)} firm profiles, {len(ds.programmes)} programmes, "
              f"{n_out} outcomes to {out_dir}", highlight=False)


keys_app = typer.Typer(help="Create, revoke and list API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
@friendly
def keys_create(
    role: Annotated[str, typer.Option(help="caseworker, partner or analyst")],
    name: Annotated[str, typer.Option(help="unique name of the key's holder")],
) -> None:
    """Create an API key; it is printed once, as the last line, and never shown again."""
    from recommender.store import ROLES, create_key, session_scope

    if role not in ROLES:
        raise typer.BadParameter(f"{role!r} is not one of {', '.join(ROLES)}",
                                 param_hint="'--role'")
    with session_scope(_store_engine()) as session:
        key = create_key(session, name=name, role=role)
    out.print(f"created {role} key {name!r}; store it now, it cannot be shown again:",
              highlight=False)
    typer.echo(key)


@keys_app.command("revoke")
@friendly
def keys_revoke(name: str) -> None:
    """Revoke the key called NAME; it stops working at once."""
    from recommender.store import revoke_key, session_scope

    with session_scope(_store_engine()) as session:
        revoke_key(session, name)
    out.print(f"revoked key {name!r}", highlight=False)


@keys_app.command("list")
@friendly
def keys_list() -> None:
    """Every key's name, role and state (never the keys themselves)."""
    from recommender.store import list_keys, session_scope

    with session_scope(_store_engine()) as session:
        keys = list_keys(session)
    if not keys:
        out.print("no API keys; create one with: recommender keys create --role ROLE --name NAME")
    for k in keys:
        state = "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d %H:%M}"
        out.print(f"{k.name}  {k.role}  created {k.created_at:%Y-%m-%d %H:%M}  {state}",
                  highlight=False, markup=False)


db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Migrate the configured database to the current schema (safe to repeat)."""
    from recommender.store import current_revision, get_engine, upgrade_database

    upgrade_database()
    out.print(f"database at revision {current_revision(get_engine())}", highlight=False)


# --- section: catalogue (bizinfo) ------------------------------------------------------

# --- section: serving -----------------------------------------------------------------


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
