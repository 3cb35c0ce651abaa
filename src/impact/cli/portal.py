"""``impact tokens`` (issue, revoke, list) and ``impact portal`` (start the submission portal)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click

from impact.apps.portal.tokens import TOKENS_ENV, TokenStore, tokens_path
from impact.cli.common import (
    DAY,
    ImpactCommand,
    ImpactGroup,
    catalog_option,
    cli_settings,
    fail,
    format_option,
    help_lang,
    lang_option,
    load_catalog_or_exit,
    store_option,
    user_errors,
)
from impact.core.errors import EXIT_INVALID, EXIT_UNREADABLE
from impact.core.i18n import N_, format_date, texts

_tokens_option = click.option(
    "--tokens", "tokens_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help=N_("Token file (default: data/portal/tokens.json, or $IMPACT_TOKENS)."))


def _token_store(tokens_file: Path | None) -> TokenStore:
    return TokenStore(tokens_path(cli_settings().root, tokens_file or os.environ.get(TOKENS_ENV)))


@click.group(cls=ImpactGroup, help=N_("""Access tokens for the submission portal (one per project team).

Only a SHA-256 hash of each token is stored; the token itself is printed once, by "issue".
Exit codes: 0 ok, 1 unknown project or token id, 2 unreadable token file, 3 token file busy."""))
def tokens() -> None:
    pass


@tokens.command("issue", help=N_("Issue a new token for PROJECT and print it (it cannot be shown again)."))
@click.argument("project")
@click.option("--expires", type=DAY, default=None, help=N_("Last day the token is valid (YYYY-MM-DD)."))
@click.option("--days", type=click.IntRange(min=1), default=None, help=N_("Valid for N days from today."))
@click.option("--note", default=None, help=N_("A note for the evaluation unit (e.g. who received it)."))
@_tokens_option
@catalog_option
@lang_option
def issue(project: str, expires: dt.date | None, days: int | None, note: str | None, tokens_file: Path | None,
          catalog_dir: Path | None, lang: str | None) -> None:
    lang = lang or help_lang()
    _ = texts(lang)
    if expires is not None and days is not None:
        fail(EXIT_UNREADABLE, _("--expires and --days exclude each other: give one of them."))
    cat = load_catalog_or_exit(catalog_dir, lang)
    if project not in cat.projects:
        fail(EXIT_INVALID, _("Unknown project “{project}” (known: {known}).", project=project,
                             known=", ".join(sorted(cat.projects))))
    today = cli_settings().today
    until = expires if expires else (today + dt.timedelta(days=days) if days else None)
    store = _token_store(tokens_file)
    with user_errors(lang):
        record, raw = store.issue(project, expires=until, note=note, today=today)
    click.echo(raw)
    valid = format_date(record.expires_date, lang) if record.expires_date else _("unlimited")
    click.echo(_("Token id: {token_id}  project: {project}  valid until: {until}", token_id=record.id,
                 project=record.project, until=valid), err=True)
    click.echo(_("The token is shown only now; hand it over securely."), err=True)


@tokens.command("revoke", help=N_("Revoke the token TOKEN_ID (it stays listed, marked revoked)."))
@click.argument("token_id")
@_tokens_option
@lang_option
def revoke(token_id: str, tokens_file: Path | None, lang: str | None) -> None:
    lang = lang or help_lang()
    _ = texts(lang)
    with user_errors(lang):
        record = _token_store(tokens_file).revoke(token_id)
    click.echo(_("Revoked: {token_id} ({project}) at {when}", token_id=record.id, project=record.project,
                 when=record.revoked_at))


@tokens.command("list", help=N_("List tokens: id, project, created, expiry, status, note (never tokens or hashes)."))
@format_option("text", "json")
@_tokens_option
@lang_option
def list_(fmt: str, tokens_file: Path | None, lang: str | None) -> None:
    lang = lang or help_lang()
    _ = texts(lang)
    store = _token_store(tokens_file)
    with user_errors(lang):
        records = store.records()
    today = cli_settings().today
    rows = [r.public(today) for r in records]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("No tokens in {path}.", path=store.path))
        return
    status = {"active": _("active"), "revoked": _("revoked"), "expired": _("expired")}
    names = [_("id"), _("project"), _("created (UTC)"), _("expires"), _("status"), _("note")]
    header = " ".join(f"{n:<{w}}" for n, w in zip(names, (13, 22, 21, 11, 10, 0), strict=True)).rstrip()
    click.echo(header)
    click.echo("-" * len(header))
    for r in rows:
        note = " ".join(str(r["note"] or "").split())  # one line per token, whatever the note holds
        click.echo(f"{r['id']:<13} {r['project']:<22} {r['created_at']:<21} {r['expires'] or '-':<11} "
                   f"{status.get(r['status'], r['status']):<10} {note}")


@click.command(cls=ImpactCommand, help=N_("""Start the submission portal (notebooks/submit.ipynb behind a token sign-in) until Ctrl-C.

Nothing runs for a visitor before a valid sign-in; at most --max-kernels pages are open at once
(others see a "busy, try again" page); a sign-in ends after --idle-minutes without activity.
Exit codes: 0 stopped, 1 catalog has problems, 2 port busy or files unusable."""))
@click.option("--port", type=click.IntRange(1, 65535), default=8866, show_default=True, help=N_("Port to listen on."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("Interface to bind; keep 127.0.0.1 behind a reverse proxy."))
@store_option
@_tokens_option
@catalog_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help=N_("Upload size limit in bytes (default 10 MB, never above $IMPACT_MAX_BYTES)."))
@click.option("--base-url", default="/", show_default=True, help=N_("URL prefix when served below a path by a proxy."))
@click.option("--trusted-proxy", is_flag=True, default=False,
              help=N_("Behind a reverse proxy that sets X-Real-IP or X-Forwarded-For (and X-Forwarded-Proto): take "
                      "the client's address from there, so failed sign-ins are limited per client. Never without "
                      "such a proxy: clients could name any address."))
@click.option("--max-kernels", type=click.IntRange(min=1), default=6, show_default=True,
              help=N_("Most app pages (kernels, about 200 MB each) open at the same time."))
@click.option("--idle-minutes", type=click.FloatRange(min=0.05), default=30, show_default=True,
              help=N_("A sign-in ends after this many minutes without activity."))
@click.option("--kernel-idle-minutes", type=click.FloatRange(min=0.05), default=5, show_default=True,
              help=N_("A page's kernel without an open tab is shut down after this many idle minutes."))
@lang_option
def portal(port: int, host: str, store_dir: Path | None, tokens_file: Path | None, catalog_dir: Path | None,
           max_bytes: int | None, base_url: str, trusted_proxy: bool, max_kernels: int, idle_minutes: float,
           kernel_idle_minutes: float, lang: str | None) -> None:
    from impact.apps.portal.server import PORTAL_MAX_BYTES, PortalConfig, serve
    from impact.apps.serving import PortError, check_port
    from impact.core.config import settings

    lang = lang or help_lang()
    _ = texts(lang)
    cfg = cli_settings()
    notebook = cfg.notebooks_dir / "submit.ipynb"
    if not notebook.is_file():
        fail(EXIT_UNREADABLE, _("The portal notebook is missing: {path}", path=notebook))
    cat = load_catalog_or_exit(catalog_dir, lang)
    store = _token_store(tokens_file)
    with user_errors(lang):
        store.records()
    limit = min(max_bytes or PORTAL_MAX_BYTES, cfg.max_bytes)
    portal_cfg = PortalConfig(
        notebook=notebook, store_dir=(store_dir or cfg.store_dir).resolve(), tokens_path=store.path,
        catalog_dir=(catalog_dir or cfg.catalog_dir).resolve(), projects=frozenset(cat.projects),
        today=lambda: settings().today, host=host, port=port, max_bytes=limit, base_url=base_url,
        trusted_proxy=trusted_proxy, max_kernels=max_kernels, session_idle_seconds=max(3, round(idle_minutes * 60)),
        kernel_idle_seconds=max(3, round(kernel_idle_minutes * 60)), lang=lang)
    try:
        check_port(host, port)
    except PortError as exc:
        fail(EXIT_UNREADABLE, _("Port {host}:{port} is not available: {reason}", host=host, port=port,
                                reason=exc.strerror))
    prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""
    click.echo(_("Portal: http://{host}:{port}{prefix}/ (store {store}, tokens {tokens}, uploads up to {limit} bytes) "
                 "— Ctrl-C stops it.", host=host, port=port, prefix=prefix, store=portal_cfg.store_dir,
                 tokens=store.path, limit=limit), err=True)
    raise SystemExit(serve(portal_cfg))
