"""Whole datasets in and out of the store (``docs/contract.md``).

:func:`import_dataset` writes a validated :class:`~recommender.contract.canonical.Dataset`
in one transaction: if anything fails, nothing is kept. Rows are matched by key, so
importing the same directory twice changes nothing the second time. The store holds the
v1 tables and the optional v2 ``applications`` and ``feedback``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from recommender.adapters.store.applications import load_applications, upsert_applications
from recommender.adapters.store.catalogue import load_programmes, upsert_programmes
from recommender.adapters.store.db import session_scope
from recommender.adapters.store.feedback_rows import export_feedback, import_feedback
from recommender.adapters.store.firms import load_firms, upsert_firms
from recommender.adapters.store.outcomes import load_outcomes, upsert_outcomes
from recommender.contract.canonical import (
    Dataset,
    canonical_applications,
    canonical_firms,
    canonical_outcomes,
    canonical_programmes,
)
from recommender.errors import ConflictError

NOTHING = {"added": 0, "updated": 0, "unchanged": 0}


def import_dataset(engine: Engine, ds: Dataset) -> dict[str, dict[str, int]]:
    """Store a validated dataset's firms, programmes, outcomes and applications, all or
    nothing.

    Parameters
    ----------
    engine
        The database (already migrated).
    ds
        A dataset from :func:`recommender.adapters.files.read_data_dir` (validated, canonical).

    Returns
    -------
    dict
        Per table, ``{"added": n, "updated": n, "unchanged": n}``.

    Raises
    ------
    ConflictError
        The database refused a row (e.g. an outcome of an unknown programme); the
        whole import was rolled back.
    """
    counts: dict[str, dict[str, int]] = {}
    try:
        with session_scope(engine) as session:
            counts["firms"] = upsert_firms(session, ds.firms)
            counts["programmes"] = upsert_programmes(session, ds.programmes)
            if ds.outcomes is not None:
                counts["outcomes"] = upsert_outcomes(session, ds.outcomes, source="import")
            else:
                counts["outcomes"] = dict(NOTHING)
            if ds.applications is not None:
                counts["applications"] = upsert_applications(session, ds.applications)
            if ds.feedback is not None:
                counts["feedback"] = import_feedback(session, ds.feedback)
    except IntegrityError as exc:
        raise ConflictError(
            f"the database refused the import, nothing was changed: {exc.orig}"
        ) from exc
    return counts


def export_dataset(engine: Engine, *, year: int | None = None) -> Dataset:
    """Everything stored, as a dataset: firms, programmes (type overrides applied),
    every outcome (imported or posted through the API), every application, and the
    feedback on served lists that names stored profiles (:func:`export_feedback`).

    Parameters
    ----------
    engine
        The database.
    year
        Only this year's profiles, offerings and outcomes.

    Returns
    -------
    Dataset
        Canonical frames; ``outcomes`` / ``applications`` / ``feedback`` are ``None``
        when none is stored.
    """
    with session_scope(engine) as session:
        firms = load_firms(session, year=year)
        programmes = load_programmes(session, year=year)
        outcomes = load_outcomes(session, year=year)
        applications = load_applications(session, years=None if year is None else [year])
        feedback, _ = export_feedback(session, year=year)
    return Dataset(
        firms=canonical_firms(firms),
        programmes=canonical_programmes(programmes),
        outcomes=None if outcomes.empty else canonical_outcomes(outcomes),
        applications=None if applications.empty else canonical_applications(applications),
        feedback=None if feedback.empty else feedback,
    )


def summarise_counts(counts: dict[str, dict[str, Any]]) -> str:
    """``firms: 3 added, 1 updated, 0 unchanged; ...`` for people."""
    return "; ".join(
        f"{table}: {c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged"
        for table, c in counts.items()
    )
