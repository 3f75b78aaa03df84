"""The reliability suite reuses the API suite's real deployment (uvicorn on 127.0.0.1,
a tiny simulated world in a store, a trained model in a temporary registry, keys of
every role); see :mod:`tests.api.conftest`. It runs on the default store, SQLite (the
locked-database and key-dump checks are about that file). The long checks (load,
memory, promotion under load) are in ``bench/verify.py`` (``make verify``).
"""

import pytest

from tests.api.conftest import deployment, profiles, trained_models, world  # noqa: F401


@pytest.fixture(scope="session")
def backend() -> str:
    """The reliability suite's store: the default, SQLite."""
    return "sqlite"
