"""The kernel side of a report: what a report notebook works with (:class:`ReportContext`).

``impact report`` evaluates the store once and writes the result with :func:`build_cache`; inside
each report kernel :func:`load_context` reads that cache (or, for a notebook opened by hand,
evaluates the store itself). The kernels import only pandas, plotly and the catalog model.

:func:`load_context` is the kernel's edge: it alone reads the settings (for a notebook opened by
hand without a store or date); everything below takes explicit arguments.
"""

from __future__ import annotations

import datetime as dt
import pickle  # noqa: S403 - only our own cache file, written by this run, is ever loaded
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from impact.core.catalog import Catalog, load_catalog
from impact.core.files import atomic_write_with
from impact.core.i18n import languages, texts

__all__ = ["CACHE_FORMAT", "EVALUATION_ATTRIBUTES", "ReportContext", "approved_values", "build_cache", "evaluate_store",
           "knowledge_now", "load_context"]

CACHE_FORMAT = 2


@dataclass(frozen=True)
class ReportContext:
    """What a report notebook works with: catalog, evaluation, the two dates, language.

    ``known_at`` is the knowledge date as an exact UTC instant (ISO 8601 with ``Z``) or ``None``
    (everything stored); ``approved_only`` marks a publication set.
    """

    catalog: Catalog
    evaluation: Any  # impact.engine.evaluation.Evaluation, or a namespace with the same attributes
    as_of: dt.date
    lang: str
    known_at: str | None = None
    approved_only: bool = False


EVALUATION_ATTRIBUTES = ("as_of", "known_at", "indicators", "series", "breakdowns", "scores", "ladder",
                         "completeness", "matrix_guiding_ideas", "matrix_principles", "shared_indicators",
                         "tradeoffs", "projects")


def _evaluation_fields(evaluation: Any) -> dict[str, Any]:
    """The contract's attributes of an Evaluation as plain values (DataFrames, a date, a tuple)."""
    return {name: getattr(evaluation, name) for name in EVALUATION_ATTRIBUTES if hasattr(evaluation, name)}


def evaluate_store(catalog: Catalog, store_dir: Path, as_of: dt.date,
                   known_at: dt.date | dt.datetime | None = None, approved_only: bool = False) -> tuple[Any, str]:
    """Evaluate the store at ``store_dir`` for the reference date ``as_of`` with what was received
    by the knowledge date ``known_at`` (``None``: everything stored); returns the evaluation and
    the hash of the submissions it used. ``approved_only``: the publication set, from the values
    the evaluators approved alone (``Store.values(known_at, approved_only=True)``)."""
    from impact.engine.evaluation import evaluate
    from impact.store.store import Store

    store = Store(store_dir)
    values = approved_values(store, known_at) if approved_only else store.values(known_at)
    return evaluate(catalog, values, as_of, known_at=known_at), store.content_hash(known_at)


def approved_values(store: Any, known_at: dt.date | dt.datetime | None) -> pd.DataFrame:
    """The approved values by ``known_at``; never a value whose review state is not ``approved``.

    A store whose values carry no review state (written before reviews existed) has approved
    nothing, so the publication set is empty.
    """
    values = store.values(known_at, approved_only=True)
    if "review_state" not in values.columns:
        return values.iloc[0:0]
    return values[values["review_state"].astype("string").fillna("") == "approved"]


def knowledge_now(store_dir: Path, clock: dt.datetime) -> dt.datetime:
    """"Now" as a knowledge date: the later of ``clock`` and the newest receipt in the store.

    Receipt times are strictly increasing, so with a pinned clock (``IMPACT_NOW`` in tests and
    replays) later submissions are stamped a little after it; "now" must still include every
    submission stored. With a real clock this is the clock.
    """
    from impact.store.store import Store

    now = pd.Timestamp(clock).tz_convert("UTC") if pd.Timestamp(clock).tzinfo else pd.Timestamp(clock, tz="UTC")
    store = Store(store_dir)
    if store.path.is_dir():
        newest = store.last_event_at()  # submissions and review steps (approvals count for --approved-only)
        if newest is not None:
            now = max(now, newest)
    return now.to_pydatetime()


def build_cache(catalog: Catalog, evaluation: Any, path: Path, *, known_at: str | None = None,
                approved_only: bool = False) -> Path:
    """Write the evaluation (as plain DataFrames) and the catalog for the report kernels."""
    payload = {"format": CACHE_FORMAT, "catalog": catalog, "evaluation": _evaluation_fields(evaluation),
               "known_at": known_at, "approved_only": approved_only}

    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)

    atomic_write_with(path, write, mode=0o600)
    return path


def _check_lang(lang: str) -> None:
    known = languages()
    if lang not in known:
        _ = texts(lang)
        raise ValueError(_("Unknown report language '{lang}'. Choose one of: {known}.", lang=lang,
                           known=", ".join(known)))


def load_context(*, catalog: str | None = None, store: str | None = None, as_of: str | None = None,
                 known_at: str | None = None, lang: str = "de",
                 evaluation_cache: str | None = None) -> ReportContext:
    """Build the context inside a report kernel.

    With ``evaluation_cache`` (written by :func:`build_cache` during ``impact report``) nothing
    is recomputed; without it (a notebook opened by hand) the store is evaluated here, with the
    configured store and "today" where ``store`` and ``as_of`` are not given, and everything
    stored where ``known_at`` (ISO date or date-time) is not given.
    """
    _check_lang(lang)
    if evaluation_cache and Path(evaluation_cache).is_file():
        with Path(evaluation_cache).open("rb") as fh:
            payload = pickle.load(fh)  # noqa: S301 - our own cache file (see build_cache)
        if payload.get("format") != CACHE_FORMAT:
            raise ValueError(f"{evaluation_cache}: unknown cache format")
        ev = SimpleNamespace(**payload["evaluation"])
        return ReportContext(payload["catalog"], ev, ev.as_of, lang, payload.get("known_at"),
                             bool(payload.get("approved_only")))
    from impact.core.config import settings
    from impact.core.schema import knowledge_cutoff
    from impact.reports.provenance import utc_stamp

    cfg = settings()
    day = dt.date.fromisoformat(as_of) if as_of else cfg.today
    cat = load_catalog(catalog or cfg.catalog_dir)
    cutoff = knowledge_cutoff(known_at)
    moment = None if cutoff is None else cutoff.to_pydatetime()
    ev, _ = evaluate_store(cat, Path(store) if store else cfg.store_dir, day, moment)
    return ReportContext(cat, ev, day, lang, None if moment is None else utc_stamp(moment))
