"""The ``recommender`` command: the composition root of the product.

Here the core (``recommender``), its adapters (``recommender.adapters``), ``training``
and ``api`` are put together; nothing imports this package. Every command turns a
:class:`~recommender.RecommenderError` into one clear message on stderr and exit code 2
(:func:`cli.common.friendly`), and prints its results as plain lines that do not depend
on the terminal (:mod:`cli.common`).

One module per command group, each holding a ``typer.Typer`` called ``app``:

``data``       validate, simulate, import, export
``models``     train, score, evaluate, build-demo-model, models list / promote / rollback
``keys``       keys create / revoke / list
``catalogue``  catalogue import-bizinfo / set-type / set-field
``alerts``     alerts subscribe / run
``server``     serve, demo, db upgrade

To add a command group, write ``cli/<group>.py`` with ``app = typer.Typer(...)`` and its
commands (decorated with ``@friendly``), then register it with one line below:
``app.add_typer(<group>.app)`` puts its commands at the top level (``recommender X``),
``app.add_typer(<group>.app, name="<group>")`` under a group (``recommender <group> X``).
Heavy imports go inside the command functions, so ``recommender --help`` stays quick.
"""

from __future__ import annotations

import typer

from cli import alerts, allocate, catalogue, data, keys, models, server

app = typer.Typer(
    help="SME support-programme matching recommender.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app)
app.add_typer(models.app)
app.add_typer(keys.app, name="keys")
app.add_typer(catalogue.app, name="catalogue")
app.add_typer(alerts.app, name="alerts")
app.add_typer(server.app)
app.add_typer(allocate.app)

__all__ = ["app"]
