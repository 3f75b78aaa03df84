"""The rules across rows and tables: duplicate keys, and rows that refer to others.

A table's key (:attr:`~recommender.contract.spec.Table.key`) may not repeat. A table
that *refers* (outcomes, applications) must name a firm with a profile of that year and
a programme that runs in that year.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from recommender.contract.cells import plain
from recommender.contract.fields import CONTRACT
from recommender.contract.raw import RawTable
from recommender.contract.spec import Table
from recommender.errors import Problem


def duplicate_problems(table: Table, parsed: pd.DataFrame, raw: RawTable) -> list[Problem]:
    """Rows whose key repeats an earlier row's; reported on the key's first column."""
    keys = list(table.key)
    if any(k not in parsed for k in keys):
        return []
    key = parsed[keys]
    involved = key[key.notna().all(axis=1) & key.duplicated(keep=False)]
    first: dict[tuple[object, ...], int] = {}
    problems = []
    for pos, values in zip(
        involved.index, involved.itertuples(index=False, name=None), strict=True
    ):
        shown = tuple(plain(v) for v in values)
        if shown in first:
            expected = table.duplicate.format(
                row=first[shown], key=", ".join(str(v) for v in shown)
            )
            problems.append(
                Problem(
                    raw.file,
                    int(raw.rows[pos]),
                    keys[0],
                    plain(raw.frame[keys[0]].iat[pos]),
                    expected,
                )
            )
        else:
            first[shown] = int(raw.rows[pos])
    return problems


def _firm_problems(
    out: pd.DataFrame,
    firms: pd.DataFrame,
    ffile: str,
    report: Callable[[pd.Series, str, Callable[[int], str]], None],
) -> None:
    """Rows naming an unknown firm, or a year in which the firm has no profile."""
    known = out["firm_id"].isin(set(firms["firm_id"].dropna()))
    report(
        out["firm_id"].notna() & ~known,
        "firm_id",
        lambda pos: f"a firm_id that has a profile in {ffile}",
    )
    unsure = set(firms.loc[firms["year"].isna(), "firm_id"].dropna())
    profiles = pd.MultiIndex.from_frame(firms[["firm_id", "year"]].dropna())
    has = pd.Series(
        pd.MultiIndex.from_frame(out[["firm_id", "year"]]).isin(profiles), index=out.index
    )
    lost = known & out["year"].notna() & ~has & ~out["firm_id"].isin(unsure)
    if not lost.any():
        return
    of = (
        firms[firms["firm_id"].isin(set(out.loc[lost, "firm_id"]))]
        .dropna(subset=["year"])
        .groupby("firm_id")["year"]
        .agg(lambda y: ", ".join(str(v) for v in sorted(y.unique())))
    )
    report(
        lost,
        "year",
        lambda pos: (
            f"a year with a profile of {out['firm_id'].iat[pos]} in {ffile} "
            f"(has: {of.get(out['firm_id'].iat[pos], '')})"
        ),
    )


def _programme_problems(
    out: pd.DataFrame,
    progs: pd.DataFrame,
    pfile: str,
    report: Callable[[pd.Series, str, Callable[[int], str]], None],
) -> None:
    """Rows naming an unknown programme, or one that runs in another year."""
    ran = progs.dropna(subset=["programme_id"]).drop_duplicates("programme_id")
    ran_in = ran.set_index("programme_id")["year"]
    report(
        out["programme_id"].notna() & ~out["programme_id"].isin(ran_in.index),
        "programme_id",
        lambda pos: f"a programme_id listed in {pfile}",
    )
    if "year" in out:
        when = out["programme_id"].map(ran_in).astype("Int64")
        report(
            when.notna() & out["year"].notna() & (when != out["year"]),
            "year",
            lambda pos: (
                f"{when.iat[pos]}, the year programme "
                f"{out['programme_id'].iat[pos]} runs in {pfile}"
            ),
        )


def reference_problems(
    name: str, parsed: Mapping[str, pd.DataFrame], tables: Mapping[str, RawTable]
) -> list[Problem]:
    """Rows of a referring table ``name`` that name no known firm profile or programme
    running that year (rules whose other table is absent are skipped)."""
    out, raw = parsed[name], tables[name]
    problems: list[Problem] = []

    def report(mask: pd.Series, column: str, expected: Callable[[int], str]) -> None:
        for pos in np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False)):
            problems.append(
                Problem(
                    raw.file,
                    int(raw.rows[pos]),
                    column,
                    plain(raw.frame[column].iat[pos]),
                    expected(int(pos)),
                )
            )

    firms = parsed.get("firms")
    pair = {"firm_id", "year"}
    if firms is not None and pair <= set(firms) and pair <= set(out):
        _firm_problems(out, firms, tables["firms"].file, report)
    progs = parsed.get("programmes")
    if progs is not None and {"programme_id", "year"} <= set(progs) and "programme_id" in out:
        _programme_problems(out, progs, tables["programmes"].file, report)
    return problems


def key_problems(
    parsed: Mapping[str, pd.DataFrame], tables: Mapping[str, RawTable]
) -> dict[str, list[Problem]]:
    """Duplicate keys of every parsed table and the references of referring ones."""
    out: dict[str, list[Problem]] = {}
    for name, frame in parsed.items():
        table = CONTRACT[name]
        out[name] = duplicate_problems(table, frame, tables[name])
        if table.refers:
            out[name] += reference_problems(name, parsed, tables)
    return out
