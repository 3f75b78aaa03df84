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
            err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
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

# --- section: store, keys, import/export ----------------------------------------------

# --- section: catalogue (bizinfo) ------------------------------------------------------

# --- section: serving -----------------------------------------------------------------


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
