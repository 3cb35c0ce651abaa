"""``impact tokens`` (issue, revoke, list) and ``impact portal`` (start the submission portal)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from impact.apps.portal.tokens import TokenStore, default_tokens_path
from impact.core.config import settings
from impact.core.errors import EXIT_INVALID, EXIT_UNREADABLE, CatalogError, ImpactError

_tokens_option = click.option(
    "--tokens", "tokens_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Token file (default: data/portal/tokens.json, or $IMPACT_TOKENS).")
_catalog_option = click.option(
    "--catalog", "catalog_dir", type=click.Path(path_type=Path), default=None,
    help="Catalog directory (default: indicators/, or $IMPACT_CATALOG).")


def _fail(exc: ImpactError, code: int | None = None) -> NoReturn:
    click.echo(f"{exc.message('de')}\n{exc.message('en')}", err=True)
    sys.exit(code if code is not None else exc.exit_code)


@click.group()
def tokens() -> None:
    """Access tokens for the submission portal (one per project team).

    Only a SHA-256 hash of each token is stored; the token itself is printed once, by
    ``issue``. Exit codes: 0 ok, 1 unknown project or token id, 2 unreadable token file.
    """


@tokens.command("issue")
@click.argument("project")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day the token is valid (YYYY-MM-DD).")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Valid for N days from today.")
@click.option("--note", default=None, help="A note for the evaluation unit (e.g. who received it).")
@_tokens_option
@_catalog_option
def issue(project: str, expires: dt.datetime | None, days: int | None, note: str | None,
          tokens_path: Path | None, catalog_dir: Path | None) -> None:
    """Issue a new token for PROJECT and print it (it cannot be shown again)."""
    from impact.core.catalog import load_catalog

    if expires is not None and days is not None:
        click.echo("--expires und --days schließen sich aus. / --expires and --days are mutually exclusive.", err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        cat = load_catalog(catalog_dir)
    except CatalogError as exc:
        click.echo(f"Katalog fehlerhaft / catalog has problems:\n{exc}", err=True)
        sys.exit(EXIT_INVALID)
    if project not in cat.projects:
        known = ", ".join(sorted(cat.projects))
        click.echo(f"Unbekanntes Projekt „{project}“ (bekannt: {known}).\n"
                   f"Unknown project '{project}' (known: {known}).", err=True)
        sys.exit(EXIT_INVALID)
    today = settings().today
    until = expires.date() if expires else (today + dt.timedelta(days=days) if days else None)
    store = TokenStore(tokens_path)
    try:
        record, raw = store.issue(project, expires=until, note=note, today=today)
    except ImpactError as exc:
        _fail(exc)
    except OSError as exc:
        click.echo(f"Token-Datei nicht schreibbar / token file not writable: {store.path}: {exc.strerror}", err=True)
        sys.exit(EXIT_UNREADABLE)
    click.echo(raw)
    click.echo(f"Token-ID / token id: {record.id}  Projekt / project: {record.project}  "
               f"gültig bis / valid until: {record.expires or 'unbegrenzt / unlimited'}", err=True)
    click.echo("Der Zugangscode wird nur jetzt angezeigt; bitte sicher übermitteln. / "
               "The token is shown only now; hand it over securely.", err=True)


@tokens.command("revoke")
@click.argument("token_id")
@_tokens_option
def revoke(token_id: str, tokens_path: Path | None) -> None:
    """Revoke the token TOKEN_ID (it stays listed, marked revoked)."""
    store = TokenStore(tokens_path)
    try:
        record = store.revoke(token_id)
    except ImpactError as exc:
        _fail(exc)
    except OSError as exc:
        click.echo(f"Token-Datei nicht schreibbar / token file not writable: {store.path}: {exc.strerror}", err=True)
        sys.exit(EXIT_UNREADABLE)
    click.echo(f"Widerrufen / revoked: {record.id} ({record.project}) {record.revoked_at}")


@tokens.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_tokens_option
def list_(fmt: str, tokens_path: Path | None) -> None:
    """List tokens: id, project, created, expiry, status, note (never tokens or hashes)."""
    store = TokenStore(tokens_path)
    try:
        records = store.records()
    except ImpactError as exc:
        _fail(exc)
    today = settings().today
    rows = [r.public(today) for r in records]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"Keine Zugangscodes in {store.path}. / No tokens in {store.path}.")
        return
    header = f"{'id':<13} {'project':<22} {'created (UTC)':<21} {'expires':<11} {'status':<8} note"
    click.echo(header)
    click.echo("-" * len(header))
    for r in rows:
        note = " ".join(str(r["note"] or "").split())  # one line per token, whatever the note holds
        click.echo(f"{r['id']:<13} {r['project']:<22} {r['created_at']:<21} {r['expires'] or '-':<11} "
                   f"{r['status']:<8} {note}")


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8866, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; keep 127.0.0.1 behind a reverse proxy.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Store directory (default: data/store, or $IMPACT_STORE).")
@_tokens_option
@_catalog_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Upload size limit in bytes (default 10 MB, never above $IMPACT_MAX_BYTES).")
@click.option("--base-url", default="/", show_default=True, help="URL prefix when served below a path by a proxy.")
@click.option("--client-header", default=None,
              help="Header naming the client set by a trusted reverse proxy (e.g. X-Real-IP); "
                   "failed token attempts are then limited per client instead of for the whole portal.")
def portal(port: int, host: str, store_dir: Path | None, tokens_path: Path | None, catalog_dir: Path | None,
           max_bytes: int | None, base_url: str, client_header: str | None) -> None:
    """Start the submission portal (Voilà, notebooks/submit.ipynb only) until Ctrl-C.

    Exit codes: 0 stopped, 1 catalog has problems, 2 port busy or files unusable.
    """
    from impact.apps.portal.server import PORTAL_MAX_BYTES, PortalConfig, PortError, check_port, default_notebook, serve
    from impact.core.catalog import load_catalog

    notebook = default_notebook()
    if not notebook.is_file():
        click.echo(f"Portal-Notebook fehlt / portal notebook missing: {notebook}", err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        load_catalog(catalog_dir)
        TokenStore(tokens_path).records()
    except CatalogError as exc:
        click.echo(f"Katalog fehlerhaft / catalog has problems:\n{exc}", err=True)
        sys.exit(EXIT_INVALID)
    except ImpactError as exc:
        _fail(exc)
    if client_header is not None and not client_header.replace("-", "").isalnum():
        click.echo("--client-header: nur Buchstaben, Ziffern und '-'. / letters, digits and '-' only.", err=True)
        sys.exit(EXIT_UNREADABLE)
    limit = min(max_bytes or PORTAL_MAX_BYTES, settings().max_bytes)
    cfg = PortalConfig(notebook=notebook, host=host, port=port,
                       store_dir=store_dir or settings().store_dir,
                       tokens_path=tokens_path or default_tokens_path(),
                       catalog_dir=catalog_dir or settings().catalog_dir,
                       max_bytes=limit, base_url=base_url, client_header=client_header)
    try:
        check_port(host, port)
    except PortError as exc:
        click.echo(f"Port {host}:{port} nicht verfügbar / not available: {exc.strerror}", err=True)
        sys.exit(EXIT_UNREADABLE)
    click.echo(f"Portal: http://{host}:{port}{'/' + base_url.strip('/') if base_url.strip('/') else ''}/  "
               f"(Store {cfg.store_dir}, Tokens {cfg.tokens_path}, max {limit} bytes) — Strg-C / Ctrl-C beendet.",
               err=True)
    sys.exit(serve(cfg))
