"""Pieces every stage's CLI shares: loading the catalog with a readable failure."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from impact.core.catalog import Catalog, load_catalog
from impact.core.errors import EXIT_INVALID, CatalogError

__all__ = ["load_catalog_or_exit"]


def load_catalog_or_exit(catalog_dir: Path | None) -> Catalog:
    """Load the catalog; on problems print each (file, indicator, problem) and exit 1."""
    try:
        return load_catalog(catalog_dir)
    except CatalogError as exc:
        click.echo(f"Katalog fehlerhaft / catalog has {len(exc.problems)} problem(s):", err=True)
        for p in exc.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(EXIT_INVALID)
