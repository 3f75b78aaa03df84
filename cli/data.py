"""Data directories: ``validate``, ``simulate``, ``import`` and ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDir, err, friendly, out, store_engine

app = typer.Typer()


@app.command()
@friendly
def validate(data: DataDir) -> None:
    """Check a data directory against the contract and report every problem."""
    from recommender.adapters.files import read_data_dir

    ds = read_data_dir(data)
    n_out = 0 if ds.outcomes is None else len(ds.outcomes)
    extra = "" if ds.feedback is None else f", {len(ds.feedback)} feedback rows"
    out.print(
        f"ok: {len(ds.firms)} firm profiles, {len(ds.programmes)} programmes, "
        f"{n_out} outcomes{extra}"
    )


def year_span(text: str) -> tuple[int, int]:
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
def simulate(
    out_dir: Annotated[Path, typer.Option("--out", help="data directory to write")],
    firms: Annotated[int, typer.Option("--firms", help="distinct firms")] = 2000,
    years: Annotated[str, typer.Option(help="profile years FROM-TO")] = "2022-2024",
    seed: Annotated[int, typer.Option()] = 42,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    partitions: Annotated[
        int,
        typer.Option(
            help="large worlds: simulate and write N chunks of firms one at a time "
            "(Parquet, one row group per chunk)"
        ),
    ] = 0,
) -> None:
    """Write a simulated demo world (firms, programmes, outcomes) plus its oracle.csv."""
    from recommender import simulate_world
    from recommender.adapters.worlds import ORACLE_FILE, write_partitioned_world, write_world

    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter(f"expected csv or parquet, not {fmt!r}", param_hint="--format")
    first, last = year_span(years)
    if partitions:
        if fmt != "parquet":
            raise typer.BadParameter(
                "--partitions writes Parquet: add --format parquet", param_hint="--partitions"
            )
        with err.status("simulating…") as status:
            done = write_partitioned_world(
                out_dir,
                n_firms=firms,
                partitions=partitions,
                years=(first, last),
                seed=seed,
                progress=lambda m: status.update(f"{m}…"),
            )
        out.print(
            f"wrote {done.firm_rows} firm profiles, {done.programmes} programmes, "
            f"{done.outcomes} outcomes and {done.oracle_rows} oracle pairs "
            f"({ORACLE_FILE}) to {out_dir} in {done.partitions} partitions"
        )
        return
    with err.status("simulating…") as status:
        world = simulate_world(
            n_firms=firms,
            years=(first, last),
            seed=seed,
            progress=lambda message: status.update(f"{message}…"),
        )
        status.update(f"writing {out_dir}…")
        write_world(world, out_dir, fmt="parquet" if fmt == "parquet" else "csv")
    ds = world.dataset
    n_out = 0 if ds.outcomes is None else len(ds.outcomes)
    out.print(
        f"wrote {len(ds.firms)} firm profiles, {len(ds.programmes)} programmes, "
        f"{n_out} outcomes and {len(world.oracle)} oracle pairs ({ORACLE_FILE}) "
        f"to {out_dir}"
    )


@app.command("import")
@friendly
def import_data(data: DataDir) -> None:
    """Validate a data directory and store it (all or nothing; re-importing is harmless)."""
    from recommender.adapters.files import read_data_dir
    from recommender.adapters.store import import_dataset, summarise_counts

    ds = read_data_dir(data)
    counts = import_dataset(store_engine(), ds)
    out.print(f"imported {data}: {summarise_counts(counts)}")


@app.command("export")
@friendly
def export_data(
    out_dir: Annotated[Path, typer.Option("--out", help="data directory to write")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
) -> None:
    """Write everything stored (outcomes posted via the API included) as a data directory,
    with the feedback on served lists beside the outcomes (feedback.csv, contract v2)."""
    from recommender.adapters.files import FORMATS, write_data_dir
    from recommender.adapters.store import export_dataset, session_scope
    from recommender.adapters.store.feedback_rows import export_feedback

    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="'--format'"
        )
    engine = store_engine()
    ds = export_dataset(engine)
    write_data_dir(ds, out_dir, fmt=fmt)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        _, left_out = export_feedback(session)
    n_out = 0 if ds.outcomes is None else len(ds.outcomes)
    n_apps = 0 if ds.applications is None else len(ds.applications)
    n_fb = 0 if ds.feedback is None else len(ds.feedback)
    out.print(
        f"exported {len(ds.firms)} firm profiles, {len(ds.programmes)} programmes, "
        f"{n_out} outcomes, {n_apps} applications, {n_fb} feedback rows to {out_dir}"
    )
    if left_out:
        err.print(
            f"{left_out} feedback rows on lists of profiles that are not stored "
            "(a partner's inline profiles) stay in the store only"
        )
