"""Provenance of a report run: ``manifest.json``, and the lines that state its two dates.

The manifest records what a later re-run needs to reproduce every number: the reference date
(``as_of``), the knowledge date (``known_at``, the exact UTC instant), whether only approved
values were used, the catalog's and the stored submissions' hashes, versions and the command.
Reports, the index page and the manifest state the dates the same way (:func:`dates_line`).
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path
from typing import Any

import pandas as pd

from impact.core.files import atomic_write_text
from impact.core.i18n import format_date, format_datetime, texts

__all__ = ["MANIFEST_VERSION", "approved_only_notice", "dates_line", "instant", "utc_stamp", "versions",
           "write_manifest"]

MANIFEST_VERSION = 2  # 2: known_at and approved_only


def utc_stamp(moment: dt.datetime | pd.Timestamp) -> str:
    """An exact UTC instant in ISO 8601 with ``Z`` (microseconds kept when there are any)."""
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def instant(known_at: dt.date | dt.datetime | pd.Timestamp | str | None) -> str | None:
    """The knowledge date as the exact instant that counts (a date = the end of that day, UTC)."""
    from impact.core.schema import knowledge_cutoff

    cutoff = knowledge_cutoff(known_at)
    return None if cutoff is None else utc_stamp(cutoff)


def versions() -> dict[str, str]:
    """Python's and the relevant packages' versions."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("impact", "papermill", "nbconvert", "plotly", "pandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def dates_line(info: dict[str, Any], lang: str) -> str:
    """"Reference date: … · Knowledge date: …" for ``info`` with ``as_of`` and ``known_at``."""
    _ = texts(lang)
    known = info.get("known_at")
    knowledge = (_("Knowledge date: {moment}", moment=format_datetime(known, lang)) if known
                 else _("Knowledge date: everything stored"))
    reference = _("Reference date: {day}", day=format_date(info["as_of"], lang))
    return f"{reference} · {knowledge}"


def approved_only_notice(lang: str) -> str:
    """The line every page of a publication set carries."""
    _ = texts(lang)
    return _("Publication set: only values approved by the evaluators are shown; values still under "
             "review are left out.")


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically (UTF-8, indented, stable key order)."""
    atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
