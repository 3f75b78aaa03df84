"""Model versions: list, promote (with the same guard as the CLI) and roll back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import AnalystDep, HolderDep, RegistryDep, SettingsDep
from api.promotion import gate_evidence
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.models import ChampionOut, ModelList
from recommender import ConflictError, ModelIntegrityError, ModelNotFoundError

router = APIRouter(prefix="/v1/models", tags=["models"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=ModelList)
def list_models(principal: AnalystDep, registry: RegistryDep, holder: HolderDep) -> dict[str, Any]:
    """Every model version with its metrics, the champion and the version served here;
    an unsigned or tampered version is listed with ``valid`` false and why."""
    serving = holder.version
    listed = registry.versions(verify=True)  # hmac, then every file's size and sha256
    versions = [{**v, "serving": v["version"] == serving} for v in listed]
    try:
        champion = registry.champion()
    except ModelIntegrityError:  # an unreadable pointer: listed as no champion
        champion = None
    return {"champion": champion, "serving": serving, "versions": versions}


@router.post("/rollback", response_model=ChampionOut)
def rollback(principal: AnalystDep, registry: RegistryDep, holder: HolderDep) -> dict[str, Any]:
    """Return to the previous champion; this process serves it at once."""
    try:
        champion = registry.rollback()
    except ModelNotFoundError as exc:
        raise ConflictError(str(exc)) from None
    holder.refresh()
    return {"champion": champion, "serving": holder.version}


@router.post("/{version}/promote", response_model=ChampionOut)
def promote(
    principal: AnalystDep,
    registry: RegistryDep,
    holder: HolderDep,
    settings: SettingsDep,
    version: Annotated[str, Path(min_length=1, max_length=128)],
    force: Annotated[bool, Query(description="promote even if worse")] = False,
) -> dict[str, Any]:
    """Make a verified version the champion: refused when, on the store's outcomes, it is
    worse than the champion beyond the interval or lowers a group's value (unless ``force``)."""
    name = registry.resolve(version)
    registry.verify(name)
    current = registry.champion()
    evidence = None
    if current is not None and current != name:
        evidence = gate_evidence(
            name, current, settings=settings, signing_key=registry.signing_key, force=force
        )
    champion = registry.promote(name, force=force, evidence=evidence)
    holder.refresh()
    return {"champion": champion, "serving": holder.version}
