"""``python -m cli ...`` runs the ``recommender`` command."""

from cli import app

app(prog_name="recommender")
