"""A tiny, valid, deterministic dataset for tests: 4 firms over 2 years, 5 programmes.

The values are fixed by hand (no randomness) so tests can point at exact rows:
firms.csv rows 2-5 are the 2023 profiles of F001-F004, rows 6-9 their 2024 profiles;
programmes.csv rows 2-6 are P23-CONS, P23-RND (2023) and P24-EDU, P24-GLOB, P24-OTH
(2024); outcomes.csv rows 2-5 are F001/P23-CONS, F002/P23-RND (2023) and
F001/P24-EDU, F003/P24-GLOB (2024). The v2 ``applications`` (not part of
:func:`valid_dataset`, which is a v1 dataset) are F002/P23-CONS (2023), F002/P24-GLOB and
F004/P24-OTH (2024): applications.csv rows 2-4.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from recommender.constants import CAPABILITIES
from recommender.contract.canonical import (
    Dataset,
    canonical_applications,
    canonical_firms,
    canonical_outcomes,
    canonical_programmes,
)

NAN = float("nan")

_FIRMS_2023 = [
    # firm_id, region, sector, founded, employees, revenue, growth, export, rnd, researchers,
    # patents, lab
    ("F001", "seoul", "mfg_high_tech", 2010, 45, 12_000.0, 0.08, 0.35, 900.0, 6, 4, True),
    ("F002", "busan", "kbs_ict", 2018, 12, 1_500.5, NAN, 0.0, 120.0, 2, 0, False),
    ("F003", "gyeonggi", "mfg_mid_tech", 1998, 180, 64_000.0, -0.02, 0.6, 2_100.0, 14, 21, True),
    ("F004", "jeju", "other_services", 2021, 3, 240.0, 0.5, 0.0, 0.0, 0, 0, False),
]


def _capabilities(seed: int) -> dict[str, float]:
    """Fixed 1..5 self-assessments with a few gaps (NaN), varied by ``seed``."""
    values: dict[str, float] = {}
    for i, cap in enumerate(CAPABILITIES):
        score = (seed * 7 + i * 3) % 5 + 1
        values[cap] = NAN if (seed + i) % 6 == 0 else float(score)
    return values


def firms_frame() -> pd.DataFrame:
    """Eight profiles: F001-F004 in 2023, then the same firms in 2024."""
    rows = []
    for year in (2023, 2024):
        for n, (
            fid,
            region,
            sector,
            founded,
            emp,
            rev,
            growth,
            export,
            rnd,
            res,
            pat,
            lab,
        ) in enumerate(_FIRMS_2023):
            grown = year - 2023
            rows.append(
                {
                    "firm_id": fid,
                    "year": year,
                    "region": region,
                    "sector": sector,
                    "founded_year": founded,
                    "employees": emp + 2 * grown,
                    "revenue_krw_m": rev * (1 + 0.1 * grown),
                    "revenue_growth": growth,
                    "export_share": export,
                    "rnd_spend_krw_m": rnd,
                    "researchers": res,
                    "patents": pat + grown,
                    "has_rnd_lab": lab or (grown == 1 and n == 1),
                    **_capabilities(n + 4 * grown),
                }
            )
    return canonical_firms(pd.DataFrame(rows))


def programmes_frame() -> pd.DataFrame:
    """Five offerings of several types, with and without eligibility rules."""
    none = None
    rows = [
        (
            "P23-CONS",
            "Technology consulting voucher",
            "consulting",
            "KOSMES",
            "cap_tech_planning;cap_internal_coordination",
            2023,
            5.0,
            299.0,
            NAN,
            NAN,
            "*",
            "*",
            none,
            NAN,
            20.0,
            6.0,
            40.0,
            "2023-02-01",
            "2023-03-15",
            "https://example.org/p1",
            "Consulting on technology planning.",
            "manual",
        ),
        (
            "P23-RND",
            "R&D planning support",
            "rnd_planning",
            "KEIT",
            "cap_rnd_execution",
            2023,
            NAN,
            NAN,
            3.0,
            10.0,
            "mfg_high_tech;mfg_mid_tech;kbs_ict",
            "*",
            True,
            50_000.0,
            100.0,
            12.0,
            10.0,
            none,
            none,
            none,
            none,
            none,
        ),
        (
            "P24-EDU",
            "Engineer training",
            "education",
            none,
            none,
            2024,
            1.0,
            NAN,
            NAN,
            NAN,
            "*",
            "seoul;busan;gyeonggi",
            False,
            NAN,
            NAN,
            3.0,
            NAN,
            "2024-01-10",
            "2024-01-31",
            none,
            "Short courses, 한국어 과정 포함.",
            "bizinfo",
        ),
        (
            "P24-GLOB",
            "Export market entry",
            "globalization",
            "KOTRA",
            "cap_global_orientation;cap_global_partnerships;cap_marketing",
            2024,
            10.0,
            300.0,
            NAN,
            NAN,
            "mfg_high_tech;mfg_mid_tech;mfg_low_tech",
            "*",
            none,
            NAN,
            35.5,
            9.0,
            25.0,
            none,
            none,
            "https://example.org/p4",
            none,
            "bizinfo",
        ),
        (
            "P24-OTH",
            "Regional business fair",
            "other",
            "Jeju TP",
            none,
            2024,
            NAN,
            NAN,
            NAN,
            NAN,
            "*",
            "jeju",
            none,
            NAN,
            0.0,
            1.0,
            100.0,
            none,
            none,
            none,
            none,
            "bizinfo",
        ),
    ]
    columns = [
        "programme_id",
        "name",
        "programme_type",
        "agency",
        "targets",
        "year",
        "min_employees",
        "max_employees",
        "min_firm_age",
        "max_firm_age",
        "sectors",
        "regions",
        "requires_rnd_lab",
        "max_revenue_krw_m",
        "support_krw_m",
        "duration_months",
        "capacity",
        "apply_start",
        "apply_end",
        "url",
        "description",
        "source",
    ]
    return canonical_programmes(pd.DataFrame(rows, columns=columns, dtype=object))


def outcomes_frame() -> pd.DataFrame:
    """Four participations, each in the year the programme ran."""
    rows = [
        ("F001", 2023, "P23-CONS", 2),
        ("F002", 2023, "P23-RND", 0),
        ("F001", 2024, "P24-EDU", 1),
        ("F003", 2024, "P24-GLOB", 3),
    ]
    return canonical_outcomes(
        pd.DataFrame(rows, columns=["firm_id", "year", "programme_id", "outcome"])
    )


def applications_frame() -> pd.DataFrame:
    """Three applications (contract v2), each for an offering of the application's year."""
    rows = [("F002", 2023, "P23-CONS"), ("F002", 2024, "P24-GLOB"), ("F004", 2024, "P24-OTH")]
    return canonical_applications(pd.DataFrame(rows, columns=["firm_id", "year", "programme_id"]))


def valid_dataset() -> Dataset:
    """The tiny valid v1 dataset described in the module docstring (a fresh copy each call)."""
    return Dataset(firms=firms_frame(), programmes=programmes_frame(), outcomes=outcomes_frame())


def valid_dataset_v2() -> Dataset:
    """:func:`valid_dataset` plus its applications."""
    ds = valid_dataset()
    return Dataset(ds.firms, ds.programmes, ds.outcomes, applications_frame())


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """A frame as a CSV file would hold it: every cell a string, missing as ''."""
    buffer = io.StringIO()
    df.to_csv(buffer, index=False)
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=str, keep_default_na=False)


def text_tables() -> dict[str, pd.DataFrame]:
    """The valid dataset's tables as all-string frames, keyed by table name."""
    ds = valid_dataset()
    assert ds.outcomes is not None
    return {
        "firms": as_text(ds.firms),
        "programmes": as_text(ds.programmes),
        "outcomes": as_text(ds.outcomes),
    }


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Change one cell of a CSV file; ``row`` counts lines as a person does (header = 1)."""
    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    lines[row - 1][lines[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)
