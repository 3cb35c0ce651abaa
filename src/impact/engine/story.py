"""One status story: trajectory status and forecast outlook in one sentence a reader understands.

The status (:mod:`impact.engine.progress`) says where an indicator stands against the expected path
*now*; the outlook (:mod:`impact.engine.forecast`) says where its current pace leads by the target
date. They can disagree — on track now, but the pace is too slow for the target — and the sentence
says both and how they relate ("on track, but at the current pace the 2026 target will probably be
missed"). Used by ``impact scores`` and the reports.

The rule (docs/methodology.md): the outlook is ``likely`` when even the unfavourable end of the 90 %
forecast band reaches the target, ``unlikely`` when even the favourable end misses it, ``uncertain``
in between, and absent without a forecast (fewer than 4 values, or no target value).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from impact.core.i18n import N_, texts
from impact.engine.trends import MIN_POINTS

__all__ = ["OUTLOOKS", "STATUS_LABELS", "outlook_of", "status_label", "status_sentence"]

OUTLOOKS = ("likely", "unlikely", "uncertain")
STATUS_LABELS = {"on_track": N_("on track"), "at_risk": N_("at risk"), "off_track": N_("off track"),
                 "no_data": N_("no data")}
_TOLERANCE = {"within": N_("side effect within its tolerance"),
              "crossed": N_("side effect beyond its tolerance"), "no_data": N_("no data")}
# (status, outlook) → sentence; {year} is the target date's year
_SENTENCES = {
    ("on_track", "likely"): N_("on track, and at the current pace the {year} target will probably be reached"),
    ("on_track", "uncertain"): N_("on track; whether the current pace reaches the {year} target is still open"),
    ("on_track", "unlikely"): N_("on track, but at the current pace the {year} target will probably be missed"),
    ("at_risk", "likely"): N_("at risk, but at the current pace the {year} target will probably still be reached"),
    ("at_risk", "uncertain"): N_("at risk; whether the current pace reaches the {year} target is still open"),
    ("at_risk", "unlikely"): N_("at risk, and at the current pace the {year} target will probably be missed"),
    ("off_track", "likely"): N_("off track, but at the current pace the {year} target will probably still be "
                                "reached"),
    ("off_track", "uncertain"): N_("off track; whether the current pace reaches the {year} target is still open"),
    ("off_track", "unlikely"): N_("off track, and at the current pace the {year} target will probably be missed"),
}


def _get(row: Any, *keys: str) -> Any:
    """A field of an ``Evaluation.indicators`` row (Series or dict) or of its JSON form."""
    for key in keys:
        obj = row
        for part in key.split("."):
            if isinstance(obj, Mapping) and part in obj:
                obj = obj[part]
            elif not isinstance(obj, Mapping) and hasattr(obj, "index") and part in obj.index:
                obj = obj[part]
            else:
                obj = None
                break
        if obj is not None:
            return obj
    return None


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x) in ("nan", "NaT", "<NA>")


def outlook_of(row: Any) -> str | None:
    """The row's ``outlook``, or derived from ``target_unlikely`` for rows without that column."""
    outlook = _get(row, "outlook", "forecast.outlook")
    if isinstance(outlook, str) and outlook in OUTLOOKS:
        return outlook
    unlikely = _get(row, "target_unlikely", "forecast.target_unlikely")
    if _missing(unlikely):
        return None
    return "unlikely" if bool(unlikely) else "uncertain"


def status_label(status: str, lang: str) -> str:
    """``on_track`` → "im Plan" / "on track"."""
    return texts(lang)(STATUS_LABELS.get(status, status))


def _year(row: Any) -> str | None:
    day = _get(row, "target_date", "forecast.at")
    if _missing(day):
        return None
    return str(day)[:4]


def status_sentence(row: Any, lang: str) -> str:
    """Status and outlook of one indicator row (``Evaluation.indicators`` row or its JSON form) in
    one sentence, e.g. "im Plan, aber bei gleichbleibendem Tempo wird das Ziel 2026 voraussichtlich
    verfehlt"."""
    _ = texts(lang)
    tolerance = _get(row, "tolerance_status")
    if _missing(_get(row, "status")) and isinstance(tolerance, str) and tolerance in _TOLERANCE:
        return _(_TOLERANCE[tolerance])  # a side effect watched by its tolerance alone
    status = str(_get(row, "status") or "no_data")
    if status == "no_data":
        stale = _get(row, "stale")
        return _("no current data (the last value is outdated)") if (not _missing(stale) and bool(stale)) \
            else _("no data")
    outlook = outlook_of(row)
    year = _year(row)
    if outlook is None or year is None:
        n_points = _get(row, "n_points", "trend.n_points")
        if not _missing(n_points) and int(n_points) < MIN_POINTS:
            return _("{status} (too few values for a forecast)", status=status_label(status, lang))
        return status_label(status, lang)
    return _(_SENTENCES[(status, outlook)], year=year)
