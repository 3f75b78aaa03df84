"""`recommender demo`'s first start stores the demo world placed around today (pinned
here), so the portal's year menu and a firm's list show this year's programmes, some
open on the day, named in Korean with the English beside."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from api.demo import prepare_demo
from recommender.adapters.store import export_dataset, get_engine
from recommender.settings import PROJECT_ROOT, Settings

TODAY = date(2026, 12, 2)


def test_the_first_demo_start_stores_a_world_that_ends_today(tmp_path: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "models", tmp_path / "models")
    settings = Settings(
        var_dir=tmp_path / "var",
        models_dir=tmp_path / "models",
        db_url=f"sqlite:///{tmp_path / 'demo.db'}",
    )
    state = prepare_demo(settings, today=TODAY)
    assert state.imported is not None and state.example_firm is not None
    assert state.example_firm[1] == TODAY.year
    stored = export_dataset(get_engine(settings.db_url))
    assert sorted(stored.programmes["year"].unique()) == [2024, 2025, 2026]
    now = stored.programmes[stored.programmes["year"] == TODAY.year]
    day = TODAY.isoformat()
    assert ((now["apply_start"] <= day) & (now["apply_end"] >= day)).sum() >= 5
    assert (now["apply_start"] > day).sum() >= 5 and (now["apply_end"] < day).sum() >= 5
    korean = stored.programmes["name"].str.contains("[가-힣].* · [A-Za-z]", regex=True)
    assert korean.all(), "every demo programme is named in Korean, the English beside"
    assert stored.programmes["agency"].str.contains("[가-힣]", regex=True).all()
