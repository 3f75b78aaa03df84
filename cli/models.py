"""Models: ``train``, ``score``, ``evaluate``, ``build-demo-model`` and the ``models``
group (``list``, ``promote``, ``card``, ``rollback``, ``trust``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import (
    DataDir,
    err,
    friendly,
    out,
    progress,
    read_oracle,
    registry,
    store_engine,
)

app = typer.Typer()
versions_app = typer.Typer(
    help="List, promote, roll back and trust model versions.", no_args_is_help=True
)
app.add_typer(versions_app, name="models")


def _engine(name: str) -> str:
    """``local`` or ``dask``; anything else is a usage error."""
    if name not in ("local", "dask"):
        raise typer.BadParameter(f"expected local or dask, not {name!r}", param_hint="'--engine'")
    return name


@app.command()
@friendly
def train(
    data: DataDir,
    version: Annotated[str | None, typer.Option(help="name of the new version")] = None,
    objective: Annotated[
        str, typer.Option(help="a ranker objective, or auto to choose by validation")
    ] = "regression",
    seed: Annotated[int, typer.Option()] = 42,
    threads: Annotated[int, typer.Option(help="LightGBM threads")] = 2,
    evaluation: Annotated[bool, typer.Option(help="evaluate against baselines first")] = True,
    engine: Annotated[str, typer.Option(help="local (one process) or dask")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster)"
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="local Dask cluster size")] = 2,
    masking: Annotated[
        bool,
        typer.Option(
            help="hide programme attributes of training pairs at the real catalogue's rates "
            "(docs/ranker.md); --no-masking trains on full descriptions only"
        ),
    ] = True,
    mask_seed: Annotated[int, typer.Option(help="seed of the masking draws")] = 42,
    hold_out_last_year: Annotated[
        bool,
        typer.Option(help="fit on every year but the last and record it for the promotion gate"),
    ] = False,
) -> None:
    """Train a new model version from a data directory (written under models/)."""
    from training.masking import Masking

    models = registry()
    options: dict[str, Any]
    if _engine(engine) == "dask":
        from training.dask import train_version

        if objective not in ("auto", "regression"):
            raise typer.BadParameter(
                "the dask engine trains the regression objective only", param_hint="'--objective'"
            )
        if hold_out_last_year:
            raise typer.BadParameter(
                "the dask engine does not hold out a year", param_hint="'--hold-out-last-year'"
            )
        options = {"scheduler": scheduler, "n_workers": workers}
    else:
        from training.local import train_version

        options = {"num_threads": threads, "oracle": read_oracle(data)}
        options["hold_out"] = hold_out_last_year
    with err.status(f"training ({engine})…"):
        name = train_version(
            data,
            registry=models,
            version=version,
            objective=objective,
            seed=seed,
            run_evaluation=evaluation,
            progress=progress(),
            masking=Masking(seed=mask_seed) if masking else None,
            **options,
        )
    champion = " (champion)" if models.champion() == name else ""
    out.print(f"wrote model version {name}{champion}: {models.root / name}")


@app.command()
@friendly
def score(
    data: DataDir,
    model: Annotated[str, typer.Option(help="version name or champion")],
    out_file: Annotated[
        Path,
        typer.Option("--out", help="CSV file to write (a directory of Parquet parts with dask)"),
    ],
    year: Annotated[int | None, typer.Option(help="only firm rows of this year")] = None,
    engine: Annotated[str, typer.Option(help="local (one process) or dask")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster)")
    ] = None,
    workers: Annotated[int, typer.Option(help="local Dask cluster size")] = 2,
    explain_top: Annotated[
        int, typer.Option(help="dask: add the reasons of each firm's top N programmes")
    ] = 0,
) -> None:
    """Rank every programme of the same year for every firm row of a data directory."""
    options: dict[str, Any]
    if _engine(engine) == "dask":
        from batch.dask import score as run

        options = {"scheduler": scheduler, "n_workers": workers}
    else:
        if explain_top:
            raise typer.BadParameter(
                "--explain-top needs --engine dask", param_hint="'--explain-top'"
            )
        from batch.local import score as run

        options = {}
    with err.status(f"scoring ({engine})…"):
        done = run(
            data,
            registry=registry(),
            out=out_file,
            model=model,
            year=year,
            explain_top=explain_top,
            progress=progress(),
            **options,
        )
    where = f"{done.files} Parquet parts under {done.out}" if engine == "dask" else done.out
    out.print(
        f"scored {done.firm_rows} firm rows x programmes -> {done.rows} rows in "
        f"{where} (model {done.version})"
    )


@app.command()
@friendly
def evaluate(
    data: DataDir,
    model: Annotated[str, typer.Option(help="stored version to score (or champion)")] = "champion",
    procedure: Annotated[
        bool,
        typer.Option(
            "--procedure",
            help="re-run the version's training procedure against the baselines instead",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")] = False,
    n_boot: Annotated[int, typer.Option(help="bootstrap draws of the intervals")] = 1000,
    seed: Annotated[int, typer.Option()] = 42,
    threads: Annotated[int, typer.Option()] = 2,
) -> None:
    """Estimate a stored version's value on DIR's last year from its outcomes alone (or,
    with --procedure, evaluate its training procedure beside the baselines)."""
    if procedure:
        _evaluate_procedure(data, model, seed=seed, threads=threads)
        return
    import json

    from recommender.adapters.artefact import load_recommender
    from recommender.adapters.files import read_data_dir
    from training.version_value import evaluate_version, logged_data

    ds = read_data_dir(data, require_outcomes=True)
    with err.status("estimating who joins what…"):
        logged = logged_data(ds, seed=seed)
    models = registry()
    rec = load_recommender(models, model, programmes=ds.programmes, num_threads=threads)
    trained = models.verify(str(rec.version)).get("years") or []
    with err.status(f"scoring and evaluating {rec.version}…"):
        result = evaluate_version(
            logged,
            rec,
            oracle=read_oracle(data),
            trained_years=trained,
            n_boot=n_boot,
            seed=seed,
        )
    if result["in_sample"]:
        err.print(
            f"[bold yellow]warning:[/] {rec.version} was trained on {logged.year}'s outcomes: "
            "this estimate is in-sample and biased towards it; evaluate on a later year"
        )
    if as_json:
        print(json.dumps(result))
        return
    from cli.evaluation_table import print_evaluation

    print_evaluation(result, data=data)


def _evaluate_procedure(data: Path, model: str, *, seed: int, threads: int) -> None:
    from recommender.adapters.files import read_data_dir
    from training.evaluate import evaluate as run
    from training.masking import Masking

    manifest = registry().verify(model)
    ds = read_data_dir(data, require_outcomes=True)
    result = run(
        ds,
        oracle=read_oracle(data),
        objective=manifest["params"]["objective"],
        seed=seed,
        num_threads=threads,
        compare_objectives=False,
        masking=Masking.of_record(manifest.get("masking")),
        progress=progress(),
    )
    out.print(f"{manifest['version']} procedure on {data}")
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

    from recommender import simulate_world
    from recommender.adapters.atomic import publish_dir
    from recommender.adapters.registry import Registry
    from recommender.constants import DEMO_MODEL_VERSION, DEMO_WORLD
    from training.local import train_version

    models = registry()
    world = simulate_world(**DEMO_WORLD)  # type: ignore[arg-type]
    # Train into a scratch registry (ignored by the real one: "_tmp-" prefix), then swap
    # folders, so a failed rebuild leaves the shipped version as it was.
    scratch = models.root / f"_tmp-demo-{uuid.uuid4().hex}"
    target = models.root / DEMO_MODEL_VERSION
    try:
        with err.status("training the demo model…"):
            train_version(
                world.dataset,
                registry=Registry(scratch, signing_key=models.signing_key),
                version=DEMO_MODEL_VERSION,
                oracle=world.oracle,
                num_threads=threads,
                progress=progress(),
            )
        publish_dir(scratch / DEMO_MODEL_VERSION, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    models.promote(DEMO_MODEL_VERSION, force=True)
    out.print(f"rebuilt {target} and made it the champion")


@versions_app.command("list")
@friendly
def models_list() -> None:
    """Every version with its headline metrics; * marks the champion, INVALID a version
    that is unsigned or does not match its manifest (with why)."""
    for v in registry().versions(verify=True):
        metrics = v.get("metrics") or {}
        shown = ", ".join(
            f"{k}={metrics[k]:.4f}"
            for k in ("oracle_ndcg@3", "regret", "validation_score")
            if isinstance(metrics.get(k), (int, float))
        )
        mark = "*" if v.get("is_champion") else " "
        invalid = "" if v.get("valid") else f"  INVALID: {v.get('error')}"
        out.print(f"{mark} {v['version']}  {v.get('created_at', '')}  {shown}{invalid}")


@versions_app.command("promote")
@friendly
def models_promote(
    version: str,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="judge on this data directory (default: the store)"),
    ] = None,
    force: Annotated[bool, typer.Option(help="promote even if the gate refuses")] = False,
) -> None:
    """Make VERSION the champion: refused when, on the same data, it is worse than the
    champion beyond the interval or lowers a group's value by more than the margin."""
    from training.gate import decide

    models = registry()
    name = models.resolve(version)
    models.verify(name)
    current = models.champion()
    evidence = None
    if current is not None and current != name:
        with err.status(f"judging {name} against {current}…"):
            if data is None:
                store_engine()  # the store migrated, as every command reading it
            evidence = decide(name, current, data=data, force=force)
        out.print(evidence.get("reason") or evidence.get("error", ""))
        if force and not evidence.get("accepted", False):
            err.print(f"[bold yellow]forced:[/] {name} promoted past the gate (recorded)")
    models.promote(name, force=force, evidence=evidence)
    out.print(f"champion is now {name}")


@versions_app.command("card")
@friendly
def models_card(
    version: str,
    out_dir: Annotated[
        Path, typer.Option("--out", help="folder for VERSION.transparency.md and .json")
    ] = Path("."),
) -> None:
    """Write VERSION's transparency record (purpose, data, features, main factors,
    evaluation, limits, owner) as Markdown and JSON."""
    from recommender.adapters.artefact import load_ranker
    from training.transparency import write_transparency

    models = registry()
    name = models.resolve(version)
    manifest = models.verify(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_transparency(
        out_dir,
        manifest,
        ranker=load_ranker(models, name),
        events=models.history(),
        stem=f"{name}.",
    )
    out.print(f"wrote {out_dir / name}.transparency.md and .json")


@versions_app.command("rollback")
@friendly
def models_rollback() -> None:
    """Return to the previous champion."""
    out.print(f"champion is now {registry().rollback()}")


@versions_app.command("trust")
@friendly
def models_trust(
    version: str,
    by: Annotated[
        str | None, typer.Option(help="who accepts it, for the record (default: login name)")
    ] = None,
) -> None:
    """Accept VERSION brought from elsewhere: check its files against its manifest and
    sign the manifest with the local key, noting who and when (logged)."""
    import getpass

    from recommender.adapters.signing import trust_version

    if by is None:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):  # no login name in some containers
            by = "unknown"
    note = trust_version(registry(), version, by=by)
    out.print(f"trusted {version}: signed with the local key by {by} at {note['at']}")
