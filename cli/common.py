"""What every command group shares: the consoles, error reporting, option types and the
adapters built from the settings (model registry, migrated store).

Output never depends on the terminal: both consoles print soft-wrapped lines (the
terminal wraps them, rich never inserts a line break at its width), ``out`` prints data
as it is (no markup, emoji or highlighting), so a line reads the same with
``COLUMNS=40``, a wide terminal, no terminal at all or ``NO_COLOR``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from recommender import RecommenderError

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

    from recommender.adapters.registry import Registry

out = Console(soft_wrap=True, highlight=False, markup=False, emoji=False)
err = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)

F = TypeVar("F", bound=Callable[..., Any])

DataDir = Annotated[Path, typer.Option("--data", help="data directory (contract.md)")]


def friendly(func: F) -> F:
    """Run a command, reporting product errors as a message and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RecommenderError as exc:
            # escape: data values like '[/x]' are not markup
            err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def progress() -> Callable[[str], None]:
    """A progress callback printing each message as a dim line on stderr."""
    return lambda message: err.print(f"[dim]…[/] {escape(message)}")


def registry() -> Registry:
    """The model registry of the settings (``RECOMMENDER_MODELS_DIR``), under the signing
    key (created on first use) and with the child-process trial load before promotion."""
    from recommender.adapters.signing import open_registry
    from recommender.settings import get_settings

    return open_registry(get_settings())


def store_engine() -> Engine:
    """The configured database, migrated to the current schema."""
    from recommender.adapters.store import get_engine, upgrade_database
    from recommender.settings import get_settings

    url = get_settings().db_url
    upgrade_database(url)
    return get_engine(url)


def read_oracle(data: Path) -> pd.DataFrame | None:
    """The simulator's ``oracle.csv`` beside a data directory's tables, if there is one."""
    from recommender.adapters.worlds import read_oracle as read

    return read(data)
