"""Programme catalogues: ``catalogue import-bizinfo``, ``set-type`` and ``set-field``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import err, friendly, out, store_engine

if TYPE_CHECKING:
    from recommender.adapters.bizinfo.filestore import ImportReport

app = typer.Typer(
    help="Import and curate support-programme catalogues (Bizinfo).", no_args_is_help=True
)
CatalogueDir = Annotated[
    Path | None,
    typer.Option(
        "--out", help="catalogue directory (programmes.csv, bizinfo_evidence.csv, overrides.csv)"
    ),
]


def _print_import(report: ImportReport, where: str) -> None:
    c = report.counts
    out.print(
        f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged; "
        f"{report.overrides} overrides applied"
    )
    out.print(f"{report.total} programmes in {where}; by type:")
    for kind, n in report.type_counts.items():
        out.print(f"  {kind:<18} {n:>5}")


@app.command("import-bizinfo")
@friendly
def catalogue_import_bizinfo(
    file: Annotated[Path, typer.Argument(help="Bizinfo announcements CSV")],
    out_dir: CatalogueDir = None,
    into_store: Annotated[
        bool,
        typer.Option(
            "--into-store", help="write to the configured database instead of a directory"
        ),
    ] = False,
) -> None:
    """Import (or re-import) Bizinfo announcements as contract programme rows."""
    if (out_dir is None) == (not into_store):
        raise typer.BadParameter(
            "give exactly one of --out DIR or --into-store", param_hint="'--out' / '--into-store'"
        )
    if out_dir is None:
        from recommender.adapters.bizinfo.dbstore import import_into_store
        from recommender.adapters.store import session_scope

        with err.status("importing…"), session_scope(store_engine()) as session:
            report = import_into_store(session, file)
        _print_import(report, "the store (source bizinfo)")
        return
    from recommender.adapters.bizinfo.filestore import (
        EVIDENCE_FILE,
        PROGRAMMES_FILE,
        import_into_dir,
    )

    with err.status("importing…"):
        report = import_into_dir(file, out_dir)
    _print_import(report, f"{out_dir / PROGRAMMES_FILE}, evidence in {out_dir / EVIDENCE_FILE}")


@app.command("set-type")
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

        with session_scope(store_engine()) as session:
            row = set_type_in_store(session, programme_id, programme_type, set_by=by)
    else:
        from recommender.adapters.bizinfo.filestore import set_type_in_dir

        row = dict(set_type_in_dir(out_dir, programme_id, programme_type))
    out.print(
        f"{programme_id} is now {row['programme_type']} (override; targets: "
        f"{row['targets'] or 'none'})"
    )


@app.command("set-field")
@friendly
def catalogue_set_field(
    programme_id: Annotated[str, typer.Argument(metavar="ID", help="programme id (PBLN_...)")],
    field: Annotated[
        str,
        typer.Argument(
            metavar="FIELD",
            help="districts, target_groups, industries, support_kind, support_krw_m, "
            "offers_nothing, requires_rnd_lab or requires_patent",
        ),
    ],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="as in overrides.csv; * = none")],
    out_dir: CatalogueDir = None,
    by: Annotated[str, typer.Option("--by", help="who corrects it (store mode)")] = "cli",
) -> None:
    """Correct a field the readers fill; kept across re-imports (overrides.csv with --out,
    else the store's field_overrides)."""
    if out_dir is None:
        from recommender.adapters.bizinfo.dbstore import set_field_in_store
        from recommender.adapters.store import session_scope

        with session_scope(store_engine()) as session:
            row = set_field_in_store(session, programme_id, field, value, set_by=by)
    else:
        from recommender.adapters.bizinfo.filestore import set_field_in_dir

        row = dict(set_field_in_dir(out_dir, programme_id, field, value))
    out.print(f"{programme_id}: {field} is now {row[field]!s} (set by caseworker)")
