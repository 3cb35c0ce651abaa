"""``impact explorer``: the evaluators' explorer served as a web app (Voilà, read-only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from impact.cli.common import (
    ImpactCommand,
    catalog_option,
    cli_settings,
    fail,
    help_lang,
    load_catalog_or_exit,
    store_option,
)
from impact.core.errors import EXIT_UNREADABLE
from impact.core.i18n import N_, languages, texts

__all__ = ["explorer"]

OPTIONS = (  # outermost first, as they appear in --help
    click.option("--port", type=click.IntRange(1, 65535), default=8867, show_default=True,
                 help=N_("Port the explorer listens on.")),
    click.option("--host", default="127.0.0.1", show_default=True,
                 help=N_("Interface to bind; keep 127.0.0.1 behind a reverse proxy.")),
    store_option, catalog_option,
    click.option("--base-url", default="/", show_default=True,
                 help=N_("URL prefix when a proxy serves the explorer below a path.")),
    click.option("--max-kernels", type=click.IntRange(min=1), default=6, show_default=True,
                 help=N_("Most explorer pages (kernels, about 250 MB each) open at the same time.")),
    click.option("--kernel-idle-minutes", type=click.FloatRange(min=0.05), default=5, show_default=True,
                 help=N_("A page's kernel without an open tab is shut down after this many idle minutes.")),
    click.option("--lang", type=click.Choice(languages(), case_sensitive=False), default=None,
                 help=N_("Language the explorer starts in (default: $IMPACT_LANG, else de); the page can switch.")),
)


def _options(f: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(OPTIONS):
        f = option(f)
    return f



@click.command(cls=ImpactCommand, help=N_("""Serve the evaluators' explorer (notebooks/explorer.ipynb) as a web app until Ctrl-C.

The explorer only reads the store. Every browser tab gets its own kernel (about 250 MB); at most
--max-kernels run at once (others see a "busy, try again" page). A tab's kernel ends when the tab
is closed, and a kernel without an open tab is shut down after --kernel-idle-minutes.
Exit codes: 0 stopped, 1 catalog has problems, 2 port busy or notebook missing."""))
@_options
def explorer(port: int, host: str, store_dir: Path | None, catalog_dir: Path | None, base_url: str,
             max_kernels: int, kernel_idle_minutes: float, lang: str | None) -> None:
    from impact.apps.explorer.server import ExplorerServer, serve_config
    from impact.apps.serving import PortError, check_port, serve

    cfg = cli_settings()
    lang = lang or help_lang()
    load_catalog_or_exit(catalog_dir, lang)  # a broken catalog is reported here, not in every page
    _ = texts(lang)
    notebook = cfg.notebooks_dir / "explorer.ipynb"
    if not notebook.is_file():
        fail(EXIT_UNREADABLE, _("The explorer notebook is missing: {path}", path=notebook))
    server = ExplorerServer(notebook=notebook, store_dir=(store_dir or cfg.store_dir).resolve(),
                            catalog_dir=(catalog_dir or cfg.catalog_dir).resolve(), lang=lang, host=host, port=port,
                            base_url=base_url, max_kernels=max_kernels,
                            kernel_idle_seconds=max(3, round(kernel_idle_minutes * 60)))
    prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""
    try:
        check_port(host, port)
    except PortError as exc:
        fail(EXIT_UNREADABLE, _("Port {host}:{port} is not available: {reason}", host=host, port=port,
                                reason=exc.strerror))
    click.echo(_("Explorer: http://{host}:{port}{prefix}/ (store {store}, read-only) — Ctrl-C stops it.",
                 host=host, port=port, prefix=prefix, store=server.store_dir), err=True)
    raise SystemExit(serve(serve_config(server)))
