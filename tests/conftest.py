"""What the whole test run settles before any test module is imported.

Colour forced from the environment (``FORCE_COLOR``, ``PY_COLORS``, ``TTY_COMPATIBLE``,
and ``GITHUB_ACTIONS``, which makes typer draw its usage errors as a coloured panel) is
something the product honours on purpose: whoever forces colour gets it. Tests read the
words of a message, not its colours, so this process and every CLI process it starts run
without them, and a test run gives the same result on a CI runner as on a plain machine.
Width (``COLUMNS``), ``NO_COLOR``, ``TERM`` and the lack of a terminal are not pinned: the
CLI's output does not depend on them (``tests/data/test_cli_validate.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

COLOUR_FORCING = ("FORCE_COLOR", "PY_COLORS", "TTY_COMPATIBLE", "GITHUB_ACTIONS")

for _name in COLOUR_FORCING:  # before typer and rich read them at import
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def gate_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The promotion gate's world and the registry folder of its versions
    (``tests/gate_world.py``), built once per run; copy the folder before promoting."""
    from tests.gate_world import gate_world

    world, registry = gate_world(tmp_path_factory.mktemp("gate-models"))
    return world, registry.root
