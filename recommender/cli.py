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
    from recommender.adapters.files import read_data_dir

    ds = read_data_dir(data)
    n_out = 0 if ds.outcomes is None else len(ds.outcomes)
    out.print(f"ok: {len(ds.firms)} firm profiles, {len(ds.programmes)} programmes, "
              f"{n_out} outcomes")


# --- section: simulate (demo world) ---------------------------------------------------
def _year_span(text: str) -> tuple[int, int]:
    """``2022-2024`` (or a single ``2024``) as a (first, last) pair."""
    parts = text.strip().split("-")
    try:
        years = [int(p) for p in parts]
    except ValueError:
        raise typer.BadParameter(f"expected FROM-TO such as 2022-2024, not {text!r}") from None
    if len(years) not in (1, 2):
        raise typer.BadParameter(f"expected FROM-TO such as 2022-2024, not {text!r}")
    return years[0], years[-1]


@app.command()
@friendly
def simulate(out_dir: Annotated[Path, typer.Option("--out", help="data directory to write")],
             firms: Annotated[int, typer.Option("--firms", help="distinct firms")] = 2000,
             years: Annotated[str, typer.Option(help="profile years FROM-TO")] = "2022-2024",
             seed: Annotated[int, typer.Option()] = 42,
             fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
             partitions: Annotated[int, typer.Option(
                 help="large worlds: simulate and write N chunks of firms one at a time "
                      "(Parquet, one row group per chunk)")] = 0,
             ) -> None:
    """Write a simulated demo world (firms, programmes, outcomes) plus its oracle.csv."""
    from recommender.simulate import ORACLE_FILE, simulate_world, write_world

    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter(f"expected csv or parquet, not {fmt!r}", param_hint="--format")
    first, last = _year_span(years)
    if partitions:
        from recommender.simulate.chunked import write_partitioned_world

        if fmt != "parquet":
            raise typer.BadParameter("--partitions writes Parquet: add --format parquet",
                                     param_hint="--partitions")
        with err.status("simulating…") as status:
            done = write_partitioned_world(out_dir, n_firms=firms, partitions=partitions,
                                           years=(first, last), seed=seed,
                                           progress=lambda m: status.update(f"{m}…"))
        out.print(f"wrote {done.firm_rows} firm profiles, {done.programmes} programmes, "
                  f"{done.outcomes} outcomes and {done.oracle_rows} oracle pairs "
                  f"({ORACLE_FILE}) to {out_dir} in {done.partitions} partitions",
                  highlight=False)
        return
    with err.status("simulating…") as status:
        world = simulate_world(n_firms=firms, years=(first, last), seed=seed,
                               progress=lambda message: status.update(f"{message}…"))
        status.update(f"writing {out_dir}…")
        write_world(world, out_dir, fmt="parquet" if fmt == "parquet" else "csv")
    ds = world.dataset
    n_out = 0 if ds.outcomes is None else len(ds.outcomes)
    out.print(f"wrote {len(ds.firms)} firm profiles, {len(ds.programmes)} programmes, "
              f"{n_out} outcomes and {len(world.oracle)} oracle pairs ({ORACLE_FILE}) "
              f"to {out_dir}", highlight=False)


# --- section: training, scoring, evaluation, models -----------------------------------
def _registry() -> Any:
    from recommender.adapters.registry import Registry
    from recommender.settings import get_settings

    s = get_settings()
    return Registry(s.models_dir, signing_key=s.signing_key)


def _engine(name: str) -> str:
    """``local`` or ``dask``; anything else is a usage error."""
    if name not in ("local", "dask"):
        raise typer.BadParameter(f"expected local or dask, not {name!r}", param_hint="'--engine'")
    return name


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
          objective: Annotated[str, typer.Option(help="a ranker objective, or auto to choose by validation")] = "regression",
          seed: Annotated[int, typer.Option()] = 42,
          threads: Annotated[int, typer.Option(help="LightGBM threads")] = 2,
          evaluation: Annotated[bool, typer.Option(help="evaluate against baselines first")] = True,
          engine: Annotated[str, typer.Option(help="local (one process) or dask")] = "local",
          scheduler: Annotated[str | None, typer.Option(
              help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster)")
          ] = None,
          workers: Annotated[int, typer.Option(help="local Dask cluster size")] = 2,
          ) -> None:
    """Train a new model version from a data directory (written under models/)."""
    registry = _registry()
    if _engine(engine) == "dask":
        from training.dask_train import train_version_dask

        if objective not in ("auto", "regression"):
            raise typer.BadParameter("the dask engine trains the regression objective only",
                                     param_hint="'--objective'")
        if evaluation:
            err.print("[dim]…[/] the dask engine skips the baseline evaluation "
                      "(run `recommender evaluate` for it)", highlight=False)
        with err.status("training on Dask…"):
            name = train_version_dask(data, registry=registry, version=version,
                                      scheduler=scheduler, n_workers=workers,
                                      objective="regression", seed=seed, progress=_progress())
    else:
        from recommender.adapters.files import read_data_dir
        from training.train import train_version

        ds = read_data_dir(data, require_outcomes=True)
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
          out_file: Annotated[Path, typer.Option(
              "--out", help="CSV file to write (a directory of Parquet parts with dask)")],
          year: Annotated[int | None, typer.Option(help="only firm rows of this year")] = None,
          engine: Annotated[str, typer.Option(help="local (one process) or dask")] = "local",
          scheduler: Annotated[str | None, typer.Option(
              help="Dask scheduler address (default: a local cluster)")] = None,
          workers: Annotated[int, typer.Option(help="local Dask cluster size")] = 2,
          explain_top: Annotated[int, typer.Option(
              help="dask: add the reasons of each firm's top N programmes")] = 0,
          ) -> None:
    """Rank every programme of the same year for every firm row of a data directory."""
    if _engine(engine) == "dask":
        from training.dask_score import score_dask

        with err.status("scoring on Dask…"):
            run = score_dask(data, registry=_registry(), out_dir=out_file, model=model,
                             scheduler=scheduler, n_workers=workers, year=year,
                             explain_top=explain_top, progress=_progress())
        out.print(f"scored {run.firm_rows} firm rows x programmes -> {run.rows} rows in "
                  f"{run.files} Parquet parts under {run.out_dir} (model {run.version})")
        return
    if explain_top:
        raise typer.BadParameter("--explain-top needs --engine dask", param_hint="'--explain-top'")
    import os
    import tempfile

    from recommender.adapters.files import read_data_dir
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
    from recommender.adapters.files import read_data_dir
    from training.evaluate import evaluate as run

    manifest = _registry().verify(model)
    ds = read_data_dir(data, require_outcomes=True)
    result = run(ds, oracle=_oracle(data), objective=manifest["params"]["objective"], seed=seed,
                 num_threads=threads, compare_objectives=False, progress=_progress())
    out.print(f"{manifest['version']} procedure on {data}", highlight=False)
    # plain text: no column is ever cut short, whatever the terminal's width
    print(result.metrics.round(4).to_string(index=False))


@app.command("build-demo-model")
@friendly
def build_demo_model(
    threads: Annotated[int, typer.Option(help="LightGBM threads")] = 2,
) -> None:
    """Rebuild the shipped demo model (models/demo-v1) from the demo world; make it champion."""
    import shutil
    import uuid

    from recommender.constants import DEMO_MODEL_VERSION, DEMO_WORLD
    from recommender.adapters.registry import Registry
    from recommender.simulate import simulate_world
    from training.train import train_version

    registry = _registry()
    world = simulate_world(**DEMO_WORLD)  # type: ignore[arg-type]
    # Train into a scratch registry (ignored by the real one: "_tmp-" prefix), then swap
    # folders, so a failed rebuild leaves the shipped version as it was.
    scratch = registry.root / f"_tmp-demo-{uuid.uuid4().hex}"
    old = registry.root / f"_tmp-old-{uuid.uuid4().hex}"
    try:
        with err.status("training the demo model…"):
            train_version(world.dataset, registry=Registry(scratch, signing_key=registry.signing_key),
                          version=DEMO_MODEL_VERSION, oracle=world.oracle, num_threads=threads,
                          progress=_progress())
        target = registry.root / DEMO_MODEL_VERSION
        if target.exists():
            target.rename(old)
        (scratch / DEMO_MODEL_VERSION).rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    registry.promote(DEMO_MODEL_VERSION, force=True)
    out.print(f"rebuilt {target} and made it the champion")


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
    from recommender.adapters.store import get_engine, upgrade_database

    upgrade_database()
    return get_engine()


@app.command("import")
@friendly
def import_data(data: DataDir) -> None:
    """Validate a data directory and store it (all or nothing; re-importing is harmless)."""
    from recommender.adapters.files import read_data_dir
    from recommender.adapters.store import import_dataset, summarise_counts

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
    from recommender.adapters.files import FORMATS, write_data_dir
    from recommender.adapters.store import export_dataset

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
    from recommender.adapters.store import ROLES, create_key, session_scope

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
    from recommender.adapters.store import revoke_key, session_scope

    with session_scope(_store_engine()) as session:
        revoke_key(session, name)
    out.print(f"revoked key {name!r}", highlight=False)


@keys_app.command("list")
@friendly
def keys_list() -> None:
    """Every key's name, role and state (never the keys themselves)."""
    from recommender.adapters.store import list_keys, session_scope

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
    from recommender.adapters.store import current_revision, get_engine, upgrade_database

    upgrade_database()
    out.print(f"database at revision {current_revision(get_engine())}", highlight=False)


# --- section: catalogue (bizinfo) ------------------------------------------------------
catalogue_app = typer.Typer(help="Import and curate support-programme catalogues (Bizinfo).",
                            no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")
CatalogueDir = Annotated[Path | None, typer.Option(
    "--out", help="catalogue directory (programmes.csv, bizinfo_evidence.csv, overrides.csv)")]


def _print_import(report: Any, where: str) -> None:
    c = report.counts
    out.print(f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged; "
              f"{report.overrides} overrides applied", highlight=False, soft_wrap=True)
    out.print(f"{report.total} programmes in {where}; by type:", highlight=False, soft_wrap=True)
    for kind, n in report.type_counts.items():
        out.print(f"  {kind:<18} {n:>5}", highlight=False)


@catalogue_app.command("import-bizinfo")
@friendly
def catalogue_import_bizinfo(
    file: Annotated[Path, typer.Argument(help="Bizinfo announcements CSV")],
    out_dir: CatalogueDir = None,
    into_store: Annotated[bool, typer.Option(
        "--into-store", help="write to the configured database instead of a directory")] = False,
) -> None:
    """Import (or re-import) Bizinfo announcements as contract programme rows."""
    if (out_dir is None) == (not into_store):
        raise typer.BadParameter("give exactly one of --out DIR or --into-store",
                                 param_hint="'--out' / '--into-store'")
    if out_dir is None:
        from recommender.adapters.bizinfo.dbstore import import_into_store
        from recommender.adapters.store import session_scope

        with err.status("importing…"), session_scope(_store_engine()) as session:
            report = import_into_store(session, file)
        _print_import(report, "the store (source bizinfo)")
        return
    from recommender.adapters.bizinfo.filestore import EVIDENCE_FILE, PROGRAMMES_FILE, import_into_dir

    with err.status("importing…"):
        report = import_into_dir(file, out_dir)
    _print_import(report, f"{out_dir / PROGRAMMES_FILE}, evidence in {out_dir / EVIDENCE_FILE}")


@catalogue_app.command("set-type")
@friendly
def catalogue_set_type(
    programme_id: Annotated[str, typer.Argument(metavar="ID", help="programme id (PBLN_...)")],
    programme_type: Annotated[str, typer.Argument(metavar="TYPE", help="programme type")],
    out_dir: CatalogueDir = None,
    by: Annotated[str, typer.Option("--by", help="who corrects it (store mode)")] = "cli",
) -> None:
    """Correct a programme's type; the override is kept across re-imports (overrides.csv
    with --out, else the store's type_overrides)."""
    if out_dir is None:
        from recommender.adapters.bizinfo.dbstore import set_type_in_store
        from recommender.adapters.store import session_scope

        with session_scope(_store_engine()) as session:
            row = set_type_in_store(session, programme_id, programme_type, set_by=by)
    else:
        from recommender.adapters.bizinfo.filestore import set_type_in_dir

        row = dict(set_type_in_dir(out_dir, programme_id, programme_type))
    out.print(f"{programme_id} is now {row['programme_type']} (override; targets: "
              f"{row['targets'] or 'none'})", highlight=False, soft_wrap=True)


# --- section: alerts -------------------------------------------------------------------
alerts_app = typer.Typer(help="Alerts of new programmes entering subscribers' top k.",
                         no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("subscribe")
@friendly
def alerts_subscribe(
    firm: Annotated[str, typer.Option("--firm", help="stored firm id")],
    k: Annotated[int, typer.Option("--k", min=1, help="follow the firm's top k")] = 5,
    by: Annotated[str, typer.Option("--by", help="who subscribes it")] = "cli",
) -> None:
    """Subscribe a stored firm to alerts of new programmes entering its top k."""
    from recommender.adapters.store import session_scope, subscribe

    with session_scope(_store_engine()) as session:
        sub = subscribe(session, created_by=by, firm_id=firm, k=k)
    out.print(f"subscription {sub.id}: firm {firm}, top {sub.k}", highlight=False)


@alerts_app.command("run")
@friendly
def alerts_run(
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE", help="programmes open on this day, YYYY-MM-DD [today]")] = None,
) -> None:
    """Alert every subscriber to programmes imported since the last run that enter its
    top k (once each), and print what a mailer would send."""
    from datetime import date

    from recommender.alerts import new_matches
    from recommender.recommend import Recommender
    from recommender.adapters.store import (
        add_alerts,
        list_alerts,
        list_subscriptions,
        load_outcomes,
        load_programmes,
        session_scope,
    )
    from recommender.adapters.store.alert_runs import (
        mark_programmes_seen,
        subscriber_profiles,
        unseen_programme_ids,
    )
    from recommender.adapters.store.tables import utcnow

    try:
        day = date.fromisoformat(as_of) if as_of is not None else date.today()
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date YYYY-MM-DD",
                                 param_hint="'--as-of'") from None
    with session_scope(_store_engine()) as session:
        subscribers, missing = subscriber_profiles(session, list_subscriptions(session))
        new_ids = unseen_programme_ids(session)
        programmes = load_programmes(session)
        rec = Recommender.load(_registry(), programmes=programmes)
        firms = {str(p.get("firm_id")) for _, p, _ in subscribers}
        outcomes = load_outcomes(session)
        matches = new_matches(rec, subscribers, new_ids, day,
                              outcomes=outcomes[outcomes["firm_id"].isin(firms)])
        started = utcnow()
        add_alerts(session, matches)
        mark_programmes_seen(session, new_ids)
        fresh = list_alerts(session, since=started)
    for sid in missing:
        err.print(f"subscription {sid}: its firm is no longer stored; skipped", highlight=False)
    out.print(f"{len(new_ids)} new programmes since the last run, {len(subscribers)} "
              f"subscribers, {len(fresh)} alerts (as of {day:%Y-%m-%d})", highlight=False)
    by_id = programmes.set_index("programme_id")
    for sid, profile, k in subscribers:
        mine = [a for a in fresh if a.subscription_id == sid]
        if not mine:
            continue
        who = f"firm {profile['firm_id']}" if profile.get("firm_id") else "saved profile"
        out.print(f"subscription {sid} ({who}, top {k}):", highlight=False, markup=False)
        for a in sorted(mine, key=lambda a: a.rank):
            p = by_id.loc[a.programme_id]
            end = p["apply_end"]
            window = (f"apply {p['apply_start'] or '…'} – {end or '…'}"
                      if p["apply_start"] or end else "window not announced")
            left = f", {(date.fromisoformat(end) - day).days} days left" if end else ""
            out.print(f"  #{a.rank} {p['name']} [{p['programme_type']}] {a.programme_id}; "
                      f"{window}{left}; {p['url'] or 'no link'}",
                      highlight=False, markup=False, soft_wrap=True)


# --- section: serving -----------------------------------------------------------------
@app.command()
@friendly
def serve(host: Annotated[str | None, typer.Option(help="address to bind [127.0.0.1]")] = None,
          port: Annotated[int | None, typer.Option(help="port [8000]")] = None,
          workers: Annotated[int | None, typer.Option(help="worker processes [1]")] = None,
          access_log: Annotated[bool, typer.Option(help="log each request line")] = True,
          ) -> None:
    """Serve the HTTP API (uvicorn); the model follows the registry's champion."""
    from api.server import run_server

    run_server(host=host, port=port, workers=workers, access_log=access_log)


@app.command()
@friendly
def demo(host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
         port: Annotated[int, typer.Option(help="port")] = 8000) -> None:
    """First start on embedded defaults: store the demo world, check the model, serve."""
    from api.demo import prepare_demo
    from api.server import run_server
    from recommender.settings import get_settings
    from recommender.adapters.store import summarise_counts

    with err.status("preparing the demo…") as status:
        state = prepare_demo(get_settings(), progress=lambda m: status.update(f"{m}…"))
    if state.imported is not None:
        out.print(f"stored the demo world: {summarise_counts(state.imported)}", highlight=False)
    base = f"http://{host}:{port}"
    firm = f"{state.example_firm[0]}/recommendations?year={state.example_firm[1]}" \
        if state.example_firm else "FIRM_ID/recommendations"
    out.print(f"serving model {state.champion} on {base} (API docs: {base}/docs)\n"
              "create a key:   recommender keys create --role caseworker --name me\n"
              f"then try:       curl -s -H \"X-API-Key: $KEY\" \"{base}/v1/firms/{firm}\"",
              highlight=False, markup=False, soft_wrap=True)
    run_server(host=host, port=port, workers=1)


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
