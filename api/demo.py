"""First start on embedded defaults: a migrated store holding the demo world, the
shipped model as champion. Used by ``recommender demo`` before it serves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from api.queries import first_firm, store_is_empty
from recommender import ModelNotFoundError
from recommender.adapters.signing import open_registry
from recommender.adapters.store import get_engine, import_dataset, session_scope, upgrade_database
from recommender.constants import DEMO_WORLD
from recommender.settings import Settings


@dataclass(frozen=True)
class DemoState:
    """What the demo start found or did."""

    imported: dict[str, dict[str, int]] | None  # counts when the demo world was imported
    champion: str
    example_firm: tuple[str, int] | None  # (firm_id, latest year) for the curl example


def prepare_demo(
    settings: Settings,
    *,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoState:
    """Migrate the store, fill it with the demo world when empty, check the champion.

    The stored world is placed around ``today`` (default: the current date): its years
    end at this year and this year's application windows are open, upcoming or closed on
    it (:func:`recommender.simulate.placed_around`); its programmes are named in Korean
    with the English beside (:func:`recommender.simulate.in_korean`).

    Raises
    ------
    ModelNotFoundError
        No champion in ``settings.models_dir``; the message says how to build one.
    ModelIntegrityError
        The champion fails verification.
    """
    say = progress or (lambda _m: None)
    say("migrating the database")
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    registry = open_registry(settings, trial=False)  # the server test-loads it
    if registry.champion() is None:
        raise ModelNotFoundError(
            f"no model in {settings.models_dir}: build the shipped demo model with "
            "`make model` (or `recommender build-demo-model`), then run this again"
        )
    champion = registry.verify("champion")["version"]
    imported = None
    with session_scope(engine) as session:
        empty = store_is_empty(session)
    if empty:
        from recommender import simulate_world
        from recommender.simulate import in_korean, placed_around

        say("simulating the demo world (first start only)")
        world = simulate_world(**DEMO_WORLD)  # type: ignore[arg-type]
        placed = placed_around(world.dataset, today or date.today())
        say("storing it")
        imported = import_dataset(engine, replace(placed, programmes=in_korean(placed.programmes)))
    with session_scope(engine) as session:
        example = first_firm(session)
    return DemoState(imported=imported, champion=champion, example_firm=example)
