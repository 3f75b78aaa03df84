"""``recommender allocate``: decide one year's seats jointly, exactly, with reasons."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDir, err, friendly, out, progress, registry

app = typer.Typer()

MIN_SHARE_HELP = (
    "a minimum share of the seats on offer for a group of firms, repeatable: "
    "FIELD:VALUES=SHARE or FIELD:not:VALUES=SHARE, FIELD one of region, sector, size_band "
    "(micro <10 employees, small <50, medium <300, large), VALUES comma-separated, SHARE a "
    "fraction or a percentage; e.g. --min-share 'region:not:seoul,gyeonggi=0.30' "
    "--min-share 'size_band:micro=20%'"
)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"expected a date YYYY-MM-DD, not {text!r}", param_hint="'--as-of'"
        ) from None


@app.command()
@friendly
def allocate(
    data: DataDir,
    year: Annotated[int, typer.Option(help="the year whose seats to allocate")],
    model: Annotated[str, typer.Option(help="version name or champion (a regression model)")],
    out_file: Annotated[
        Path,
        typer.Option(
            "--out",
            help="CSV file to write: one row per assignment, with its reason; "
            "FILE.programmes.csv beside it holds each programme's seat value",
        ),
    ],
    per_firm: Annotated[int, typer.Option(help="most programmes one firm may get")] = 1,
    as_of: Annotated[
        str | None, typer.Option(help="only programmes open that day (YYYY-MM-DD)")
    ] = None,
    min_share: Annotated[list[str] | None, typer.Option(help=MIN_SHARE_HELP)] = None,
    applications: Annotated[
        Path | None,
        typer.Option(
            help="applications file (firm_id, year, programme_id): each firm only gets what it "
            "applied for (default: the data directory's applications file, if any)"
        ),
    ] = None,
    threads: Annotated[int, typer.Option(help="LightGBM threads")] = 2,
) -> None:
    """Allocate a year's programme seats among its firms, maximising the total expected outcome.

    Each firm gets at most --per-firm eligible programmes, each programme at most its capacity.

    The optimum is exact: a min-cost flow, or a HiGHS MIP with --min-share.

    Nothing is written when the input is bad or a floor cannot be met.
    """
    from batch.allocate import allocate_data_dir

    with err.status("allocating…"):
        run = allocate_data_dir(
            data,
            registry=registry(),
            out=out_file,
            year=year,
            model=model,
            per_firm=per_firm,
            as_of=_day(as_of),
            min_shares=min_share or [],
            applications=applications,
            num_threads=threads,
            progress=progress(),
        )
    s = run.summary
    out.print(
        f"allocated {s['assignments']:,} seats of {s['programmes']:,} programmes "
        f"({s['seats_on_offer']:,} on offer) to {s['firms_assigned']:,} of "
        f"{s['firms']:,} firms of {s['year']} with model {run.version}: total expected "
        f"outcome {s['total_expected_outcome']:,.2f} ({s['solver']})"
    )
    for floor in s["floors"]:  # type: ignore[attr-defined]
        out.print(
            f"floor {floor['floor']}: {floor['assigned']:,} seats (needs {floor['required']:,})"
        )
    if run.best_seats:
        best = ", ".join(f"{pid} (+{value:.2f})" for pid, value in run.best_seats)
        out.print(f"one more seat would add most at: {best}")
    out.print(f"-> {run.out} and {run.programmes_out}")
