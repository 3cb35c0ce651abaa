"""The kernel side of a report: what a report notebook works with (:class:`ReportContext`).

``impact report`` evaluates the store once and writes the result with :func:`build_cache`; inside
each report kernel :func:`load_context` reads that cache (or, for a notebook opened by hand,
evaluates the store itself). The kernels import only pandas, plotly and the catalog model.
"""

from __future__ import annotations

import datetime as dt
import pickle  # noqa: S403 - only our own cache file, written by this run, is ever loaded
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from impact.core.catalog import Catalog, load_catalog
from impact.core.config import settings

__all__ = ["CACHE_FORMAT", "EVALUATION_ATTRIBUTES", "ReportContext", "build_cache", "evaluate_store", "load_context"]

CACHE_FORMAT = 1


@dataclass(frozen=True)
class ReportContext:
    """What a report notebook works with: catalog, evaluation, date, language, method text."""

    catalog: Catalog
    evaluation: Any  # impact.engine.evaluation.Evaluation, or a namespace with the same attributes
    as_of: dt.date
    lang: str
    methodology: str | None = None


EVALUATION_ATTRIBUTES = ("as_of", "indicators", "series", "breakdowns", "scores", "ladder", "completeness",
                         "matrix_guiding_ideas", "matrix_principles", "shared_indicators", "projects")


def _evaluation_fields(evaluation: Any) -> dict[str, Any]:
    """The contract's attributes of an Evaluation as plain values (DataFrames, a date, a tuple)."""
    return {name: getattr(evaluation, name) for name in EVALUATION_ATTRIBUTES if hasattr(evaluation, name)}


def _methodology_texts() -> dict[str, str] | None:
    from impact.engine import evaluation as engine

    text = getattr(engine, "METHODOLOGY", None)
    if isinstance(text, dict):
        return {str(k): str(v) for k, v in text.items()}
    if isinstance(text, str):
        return {"de": text, "en": text}
    return None


def evaluate_store(catalog: Catalog, store_dir: Path, as_of: dt.date) -> tuple[Any, str]:
    from impact.engine.evaluation import evaluate
    from impact.store.store import Store

    store = Store(store_dir)
    values = store.values(as_of=as_of)
    return evaluate(catalog, values, as_of), store.content_hash(as_of)


def build_cache(catalog: Catalog, evaluation: Any, path: Path) -> Path:
    """Write the evaluation (as plain DataFrames) and the catalog for the report kernels."""
    payload = {
        "format": CACHE_FORMAT,
        "catalog": catalog,
        "evaluation": _evaluation_fields(evaluation),
        "methodology": _methodology_texts(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path


def _parse_day(value: str | dt.date | None) -> dt.date:
    if value is None or value == "":
        return settings().today
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_context(*, catalog: str | None = None, store: str | None = None, as_of: str | None = None,
                 lang: str = "de", evaluation_cache: str | None = None) -> ReportContext:
    """Build the context inside a report kernel.

    With ``evaluation_cache`` (written by :func:`build_cache` during ``impact report``) nothing
    is recomputed; without it (a notebook opened by hand) the store is evaluated here.
    """
    if lang not in ("de", "en"):
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")
    day = _parse_day(as_of)
    if evaluation_cache and Path(evaluation_cache).is_file():
        with Path(evaluation_cache).open("rb") as fh:
            payload = pickle.load(fh)  # noqa: S301 - our own cache file (see build_cache)
        if payload.get("format") != CACHE_FORMAT:
            raise ValueError(f"{evaluation_cache}: unknown cache format")
        ev = SimpleNamespace(**payload["evaluation"])
        texts = payload.get("methodology") or {}
        return ReportContext(payload["catalog"], ev, ev.as_of, lang, texts.get(lang))
    cat = load_catalog(catalog)
    ev, _ = evaluate_store(cat, Path(store) if store else settings().store_dir, day)
    texts = _methodology_texts() or {}
    return ReportContext(cat, ev, day, lang, texts.get(lang))
