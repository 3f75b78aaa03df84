"""Alerts of new matches: ``alerts subscribe`` and ``alerts run``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cli.common import err, friendly, out, registry, store_engine

app = typer.Typer(
    help="Alerts of new programmes entering subscribers' top k.", no_args_is_help=True
)


@app.command("subscribe")
@friendly
def alerts_subscribe(
    firm: Annotated[str, typer.Option("--firm", help="stored firm id")],
    k: Annotated[int, typer.Option("--k", min=1, help="follow the firm's top k")] = 5,
    by: Annotated[str, typer.Option("--by", help="who subscribes it")] = "cli",
) -> None:
    """Subscribe a stored firm to alerts of new programmes entering its top k."""
    from recommender.adapters.store import session_scope, subscribe

    with session_scope(store_engine()) as session:
        sub = subscribe(session, created_by=by, firm_id=firm, k=k)
    out.print(f"subscription {sub.id}: firm {firm}, top {sub.k}")


def _as_of(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text is not None else date.today()
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date YYYY-MM-DD", param_hint="'--as-of'"
        ) from None


@app.command("run")
@friendly
def alerts_run(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="programmes open on this day, YYYY-MM-DD [today]"
        ),
    ] = None,
) -> None:
    """Alert every subscriber to programmes imported since the last run that enter its
    top k (once each), and print what a mailer would send."""
    from recommender.adapters.artefact import load_recommender
    from recommender.adapters.store import (
        add_alerts,
        list_alerts,
        list_subscriptions,
        load_outcomes,
        load_programmes,
        session_scope,
    )
    from recommender.adapters.store.alert_runs import (
        mark_programmes_seen,
        subscriber_profiles,
        unseen_programme_ids,
    )
    from recommender.adapters.store.tables import utcnow
    from recommender.alerts import new_matches

    day = _as_of(as_of)
    with session_scope(store_engine()) as session:
        subscribers, missing = subscriber_profiles(session, list_subscriptions(session))
        new_ids = unseen_programme_ids(session)
        programmes = load_programmes(session)
        rec = load_recommender(registry(), programmes=programmes)
        firms = {str(p.get("firm_id")) for _, p, _ in subscribers}
        outcomes = load_outcomes(session)
        matches = new_matches(
            rec, subscribers, new_ids, day, outcomes=outcomes[outcomes["firm_id"].isin(firms)]
        )
        started = utcnow()
        add_alerts(session, matches)
        mark_programmes_seen(session, new_ids)
        fresh = list_alerts(session, since=started)
    for sid in missing:
        err.print(f"subscription {sid}: its firm is no longer stored; skipped")
    out.print(
        f"{len(new_ids)} new programmes since the last run, {len(subscribers)} "
        f"subscribers, {len(fresh)} alerts (as of {day:%Y-%m-%d})"
    )
    by_id = programmes.set_index("programme_id")
    for sid, profile, k in subscribers:
        mine = [a for a in fresh if a.subscription_id == sid]
        if not mine:
            continue
        who = f"firm {profile['firm_id']}" if profile.get("firm_id") else "saved profile"
        out.print(f"subscription {sid} ({who}, top {k}):")
        for a in sorted(mine, key=lambda a: a.rank):
            p = by_id.loc[a.programme_id]
            end = p["apply_end"]
            window = (
                f"apply {p['apply_start'] or '…'} – {end or '…'}"
                if p["apply_start"] or end
                else "window not announced"
            )
            left = f", {(date.fromisoformat(end) - day).days} days left" if end else ""
            out.print(
                f"  #{a.rank} {p['name']} [{p['programme_type']}] {a.programme_id}; "
                f"{window}{left}; {p['url'] or 'no link'}"
            )
