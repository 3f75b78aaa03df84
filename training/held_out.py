"""A version's held-out year: what training records, and the gate's last source of data.

``recommender train --hold-out-last-year`` fits the version on every year but the last
of its data directory and records that year in the manifest, with the directory and
the fingerprint of what was read there (:mod:`training.fingerprint`)::

    "held_out": {"year": 2024, "data": "/abs/data", "data_fingerprint": "3f…"}

The promotion gate judges candidate and champion on the same data: a data directory
given to it, else the store's outcomes, else, when the store holds no outcomes at all,
the candidate's held-out year read again from the recorded directory.
:func:`held_out_dataset` reads it only if the directory still exists and still
fingerprints the same; otherwise it refuses, naming what is missing, so figures from
different data are never compared and nothing is promoted on an estimate that could
not be computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from recommender import DataValidationError, Problem
from recommender.constants import YEAR
from recommender.contract.canonical import Dataset
from training.fingerprint import data_fingerprint

HELD_OUT: Final[str] = "held_out"


def fingerprint_of(ds: Dataset) -> str:
    """The fingerprint training records for a dataset (firms, programmes, outcomes)."""
    return data_fingerprint(
        {"firms": ds.firms, "programmes": ds.programmes, "outcomes": ds.outcomes}
    )


def hold_out_last_year(ds: Dataset) -> tuple[Dataset, int]:
    """Every table's rows of the years before the last profile year, and that year.

    Raises
    ------
    DataValidationError
        The data holds no outcomes of its last year (nothing to judge on later) or no
        earlier year to train on; the problem names the year.
    """
    year = int(ds.firms[YEAR].max())
    outcomes = ds.outcomes
    if outcomes is None or not (outcomes[YEAR] == year).any():
        raise DataValidationError(
            [Problem("outcomes", None, YEAR, year, f"outcomes of {year}, the year to hold out")]
        )
    if not (ds.firms[YEAR] < year).any():
        raise DataValidationError(
            [Problem("firms", None, YEAR, year, f"firm profiles before {year} to train on")]
        )

    def before(frame: Any) -> Any:
        return None if frame is None else frame[frame[YEAR] < year].reset_index(drop=True)

    kept = Dataset(
        before(ds.firms), before(ds.programmes), before(outcomes), before(ds.applications)
    )
    return kept, year


def held_out_record(year: int, data: Path | None, ds: Dataset) -> dict[str, Any]:
    """The manifest field: the held-out year, the directory read and its fingerprint."""
    return {
        HELD_OUT: {
            "year": int(year),
            "data": None if data is None else str(Path(data).resolve()),
            "data_fingerprint": fingerprint_of(ds),
        }
    }


def _refuse(candidate: str, what: str, value: object = None) -> DataValidationError:
    return DataValidationError(
        [
            Problem(
                "outcomes",
                None,
                None,
                value,
                f"outcomes to judge on: the store holds none, so the gate falls back to the "
                f"held-out year recorded by {candidate!r}, and {what}",
            )
        ]
    )


def held_out_dataset(candidate: str, manifest: Mapping[str, Any]) -> tuple[Dataset, str]:
    """The candidate's recorded data up to its held-out year, and the source's name.

    Raises
    ------
    DataValidationError
        The manifest records no held-out year or no data directory, the directory is
        gone, or it no longer holds the data the version recorded (another
        fingerprint). Nothing is read from it then.
    """
    from recommender.adapters.files import read_data_dir

    record = manifest.get(HELD_OUT)
    if not isinstance(record, Mapping) or record.get("year") is None:
        raise _refuse(
            candidate,
            "it records none (train it with --hold-out-last-year, or pass --data DIR)",
        )
    year, path = int(record["year"]), record.get("data")
    if not path:
        raise _refuse(candidate, f"it records no data directory for {year}", year)
    if not Path(path).is_dir():
        raise _refuse(candidate, f"its data directory {path} no longer exists", path)
    ds = read_data_dir(Path(path), require_outcomes=True)
    found = fingerprint_of(ds)
    if found != record.get("data_fingerprint"):
        raise _refuse(
            candidate,
            f"its data directory {path} no longer holds the data it was trained from "
            f"(fingerprint {found[:12]}, recorded {str(record.get('data_fingerprint'))[:12]})",
            path,
        )
    return ds, f"the held-out year {year} of {candidate!r}, data directory {path}"
