"""``impact review``: queries to teams, approval and reopening of values (recorded in the ledger)."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from impact.cli.common import (
    ImpactGroup,
    catalog_option,
    cli_settings,
    format_option,
    known_at_option,
    lang_option,
    store_option,
    user_errors,
)
from impact.cli.store import check_project, existing_store
from impact.core.i18n import N_, format_date, format_datetime, format_number, texts
from impact.core.schema import KEY_COLUMNS
from impact.store.layout import printable
from impact.store.review import STATES, Query, key_dict
from impact.store.store import Store
from impact.store.values import latest_per_key

__all__ = ["review"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = N_("""
\b
Exit codes:
  0  done
  1  refused because of the data's state (an approved value, a closed query)
  2  no store at --store, unknown value, query or project, empty text, or usage error
  3  busy: another process holds the store's lock; nothing was done
""")

REVIEW_HELP = N_("""Review values before they are published: ask teams about values, approve them, reopen them.

Every step is recorded in the store's ledger with who (--by, default: your login name) and when.
An approved value is locked: a file that would change it is refused (code value_approved) until
the value is reopened with a reason. A correction of a queried value from the team answers the
query; the team can also reply in text in the portal.
""")


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def by_option(f: F) -> F:
    return click.option("--by", default=None, help=N_("Who does this (default: your login name)."))(f)


def common(f: F) -> F:
    for deco in (lang_option, format_option("text", "json"), store_option):
        f = deco(f)
    return f


def _emit(fmt: str, payload: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2) if fmt == "json" else text)


def _key_text(rec: dict[str, Any] | Query) -> str:
    r = key_dict(rec.key) if isinstance(rec, Query) else rec
    label = f"{r['project_id']} / {r['indicator_id']} / {r['period']}"
    if r.get("breakdown"):
        label += f" / {r['breakdown']} = {r['breakdown_value']}"
    return printable(label)


def _scope_text(project: str, period: str, indicator: str | None) -> str:
    return printable(f"{project} / {indicator} / {period}" if indicator else f"{project} / {period}")


@click.group(cls=ImpactGroup, help=REVIEW_HELP, epilog=EXIT_CODES)
def review() -> None:
    pass


# --------------------------------------------------------------------------- list

LIST_HELP = N_("""List the current values with their review state, quality and evidence, then the queries
and the teams' replies.

--state keeps the values in that state (pending, queried or approved); --project the values of one
project. With --known-at the state as it was then.
""")


def _value_rows(store: Store, known_at: Any, project: str | None, state: str | None) -> list[dict[str, Any]]:
    current = latest_per_key(store.values(known_at))
    if project:
        current = current[current["project_id"] == project]
    if state:
        current = current[current["review_state"] == state]
    if current.empty:
        return []
    states = store.review_state(known_at)[[*KEY_COLUMNS, "approved_at", "approved_by"]]
    merged = current.reset_index(drop=True).merge(states, on=list(KEY_COLUMNS), how="left")
    merged = merged.sort_values(["project_id", "indicator_id", "period_start", "breakdown", "breakdown_value"])
    rows = []
    for r in merged.to_dict("records"):
        approved_at = r["approved_at"] if isinstance(r["approved_at"], pd.Timestamp) and pd.notna(r["approved_at"]) else None
        rows.append({**{c: r[c] for c in KEY_COLUMNS}, "value": float(r["value"]), "unit": _none(r.get("unit")),
                     "quality": _none(r.get("quality")), "evidence": _none(r.get("evidence")),
                     "review_state": r["review_state"], "submission_id": r["submission_id"],
                     "received_at": pd.Timestamp(r["received_at"]).isoformat(),
                     "approved_at": approved_at.isoformat() if approved_at is not None else None,
                     "approved_by": _none(r.get("approved_by"))})
    return rows


def _none(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


STATE_TEXT = {"pending": N_("pending"), "queried": N_("queried"), "approved": N_("approved"),
              "open": N_("open"), "answered": N_("answered"), "resolved": N_("closed")}


def _values_text(rows: list[dict[str, Any]], lang: str) -> list[str]:
    _ = texts(lang)
    head = [_("value"), _("state"), _("quality"), _("evidence"), _("key")]
    table = [head]
    for r in rows:
        state_id = r["review_state"]
        state = _(STATE_TEXT[state_id])
        if r["approved_at"]:
            state += " " + _("({date}, {by})", date=format_date(pd.Timestamp(r["approved_at"]), lang, "short"),
                             by=printable(r["approved_by"] or "?"))
        table.append([format_number(r["value"], lang, 3), state, printable(r["quality"] or "-"),
                      printable(r["evidence"] or "-"), _key_text(r)])
    widths = [max(len(line[i]) for line in table) for i in range(len(head) - 1)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(line[:-1], widths, strict=True)), line[-1]]) for line in table]
    lines.insert(1, "-" * len(lines[0]))
    return lines


def _query_text(q: Query, lang: str) -> list[str]:
    _ = texts(lang)
    lines = [_("{id}  {state}  {key} (value {value}), asked {at} by {by}:",
               id=q.id, state=_(STATE_TEXT[q.state]), key=_key_text(q), value=format_number(q.value, lang, 3),
               at=format_datetime(q.at, lang, "short"), by=printable(q.by or "?")),
             f"    „{printable(q.text)}“" if lang == "de" else f"    \"{printable(q.text)}\""]
    for a in q.answers:
        when = format_datetime(a.at, lang, "short")
        if a.kind == "text":
            lines.append("    → " + _("reply {at} by {by}: {text}", at=when, by=printable(a.by or "?"),
                                      text=printable(a.text or "")))
        else:
            lines.append("    → " + _("corrected value sent {at} (submission {sid})", at=when,
                                      sid=(a.submission_id or "")[:12]))
    if q.state == "resolved" and q.resolved_at is not None:
        note = _(": {text}", text=printable(q.resolution)) if q.resolution else _(" (by approval)")
        lines.append("    ✓ " + _("closed {at} by {by}", at=format_datetime(q.resolved_at, lang, "short"),
                                    by=printable(q.resolved_by or "?")) + note)
    return lines


@review.command("list", help=LIST_HELP, epilog=EXIT_CODES)
@click.option("--project", default=None, help=N_("Only this project's values and queries."))
@click.option("--state", type=click.Choice(STATES), default=None, help=N_("Only values in this review state."))
@known_at_option
@catalog_option
@common
def list_(project: str | None, state: str | None, known_at: dt.date | dt.datetime | None, catalog_dir: Path | None,
          store_dir: Path | None, fmt: str, lang: str | None) -> None:
    lang = lang or cli_settings().lang
    store = existing_store(store_dir, lang)
    check_project(catalog_dir, project, lang)
    with user_errors(lang):
        rows = _value_rows(store, known_at, project, state)
        shown = {tuple(r[c] for c in KEY_COLUMNS) for r in rows}
        found = [q for q in store.queries(project) if state is None or q.key in shown]
    if fmt == "json":
        _emit(fmt, {"store": str(store.path), "project": project, "state": state, "values": rows,
                    "queries": [q.to_json() for q in found]}, "")
        return
    _ = texts(lang)
    lines = _values_text(rows, lang) if rows else [_("No values.")]
    counts = {s: sum(r["review_state"] == s for r in rows) for s in STATES}
    lines += ["", _("{pending} pending, {queried} queried, {approved} approved", **counts)]
    unresolved = [q for q in found if q.state != "resolved"]
    lines += ["", _("Open queries ({n}); closed: {closed}", n=len(unresolved), closed=len(found) - len(unresolved))]
    for q in unresolved:
        lines += _query_text(q, lang)
    click.echo("\n".join(lines))


# --------------------------------------------------------------------------- query / resolve

QUERY_HELP = N_("""Ask the team a question about one stored value.

The team sees it in the portal after signing in and answers by sending a corrected file or by
replying in text. Prints the query id (q-…), used by impact review resolve.
""")


def _breakdown(text: str | None, lang: str) -> tuple[str, str]:
    if not text:
        return "", ""
    if "=" not in text:
        _ = texts(lang)
        raise click.BadParameter(_("write the breakdown as dimension=value, e.g. district=mitte"),
                                 param_hint="--breakdown")
    dim, value = text.split("=", 1)
    return dim.strip(), value.strip()


@review.command("query", help=QUERY_HELP, epilog=EXIT_CODES)
@click.option("--project", required=True, help=N_("Project id."))
@click.option("--indicator", required=True, help=N_("Indicator id."))
@click.option("--period", required=True, help=N_("Period, e.g. 2026-Q3."))
@click.option("--breakdown", default=None, help=N_("A breakdown as dimension=value (default: the total)."))
@click.option("--text", "text", required=True, help=N_("The question to the team."))
@by_option
@common
def query(project: str, indicator: str, period: str, breakdown: str | None, text: str, by: str | None,
          store_dir: Path | None, fmt: str, lang: str | None) -> None:
    lang = lang or cli_settings().lang
    dim, dim_value = _breakdown(breakdown, lang)
    store = existing_store(store_dir, lang)
    with user_errors(lang):
        q = store.ask(project, indicator, period, text, by=by or _login(), breakdown=dim, breakdown_value=dim_value)
    _ = texts(lang)
    _emit(fmt, q.to_json(), _("Query {id} recorded: {key} (value {value}).", id=q.id, key=_key_text(q),
                              value=format_number(q.value, lang, 3)))


RESOLVE_HELP = N_("""Close a query with a note (e.g. what the team's answer showed).""")


@review.command("resolve", help=RESOLVE_HELP, epilog=EXIT_CODES)
@click.argument("query_id")
@click.option("--text", "text", required=True, help=N_("The closing note."))
@by_option
@common
def resolve(query_id: str, text: str, by: str | None, store_dir: Path | None, fmt: str, lang: str | None) -> None:
    lang = lang or cli_settings().lang
    store = existing_store(store_dir, lang)
    with user_errors(lang):
        q = store.resolve_query(query_id, text, by=by or _login())
    _ = texts(lang)
    _emit(fmt, q.to_json(), _("Query {id} closed.", id=q.id))


# --------------------------------------------------------------------------- approve / reopen

APPROVE_HELP = N_("""Approve the current values of a project for a period (all indicators, or one).

Approved values are locked: a file that would change one is refused (exit 1, code value_approved,
file to quarantine) until it is reopened. Open queries about these values are closed by the
approval. Values approved already are left as they are.
""")


def _approval_payload(store: Store, keys: list[dict[str, Any]], by: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"store": str(store.path), **extra, "by": by, "count": len(keys), "values": keys}


@review.command("approve", help=APPROVE_HELP, epilog=EXIT_CODES)
@click.option("--project", required=True, help=N_("Project id."))
@click.option("--period", required=True, help=N_("Period, e.g. 2026-Q3."))
@click.option("--indicator", default=None, help=N_("Only this indicator (default: all)."))
@by_option
@common
def approve(project: str, period: str, indicator: str | None, by: str | None, store_dir: Path | None, fmt: str,
            lang: str | None) -> None:
    lang = lang or cli_settings().lang
    who = by or _login()
    store = existing_store(store_dir, lang)
    with user_errors(lang):
        keys = store.approve(project, period, by=who, indicator=indicator)
    _ = texts(lang)
    what = _scope_text(project, period, indicator)
    text = (_.ngettext("{n} value approved for {what}.", "{n} values approved for {what}.", len(keys), what=what)
            if keys else _("Nothing to approve: the values of {what} are approved already.", what=what))
    _emit(fmt, _approval_payload(store, keys, who, {"project": project, "period": period, "indicator": indicator,
                                                     "approved": len(keys)}), text)


REOPEN_HELP = N_("""Reopen approved values of a project for a period (all indicators, or one), with a reason.

The reopening and its reason stay in the history; corrections of these values are accepted
again until they are approved anew.
""")


@review.command("reopen", help=REOPEN_HELP, epilog=EXIT_CODES)
@click.option("--project", required=True, help=N_("Project id."))
@click.option("--period", required=True, help=N_("Period, e.g. 2026-Q3."))
@click.option("--indicator", default=None, help=N_("Only this indicator (default: all)."))
@click.option("--reason", required=True, help=N_("Why the values are reopened (kept in the history)."))
@by_option
@common
def reopen(project: str, period: str, indicator: str | None, reason: str, by: str | None, store_dir: Path | None,
           fmt: str, lang: str | None) -> None:
    lang = lang or cli_settings().lang
    who = by or _login()
    store = existing_store(store_dir, lang)
    with user_errors(lang):
        keys = store.reopen(project, period, reason, by=who, indicator=indicator)
    _ = texts(lang)
    what = _scope_text(project, period, indicator)
    text = _.ngettext("{n} value reopened for {what}.", "{n} values reopened for {what}.", len(keys), what=what)
    _emit(fmt, _approval_payload(store, keys, who, {"project": project, "period": period, "indicator": indicator,
                                                     "reason": reason, "reopened": len(keys)}), text)
