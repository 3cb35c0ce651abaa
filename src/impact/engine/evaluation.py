"""The indicator engine: current values, progress, status, scores, coverage, ladder,
completeness, trends and synergies — pure functions over DataFrames and the catalog.

Nothing here reads or writes files, and no input is ever modified. Everything is vectorised
(numpy/pandas group operations, no per-row Python), so 10 million stored values evaluate in
seconds (see ``benchmarks/bench_scores.py``).

Rules (the same text, for readers of reports, is :data:`METHODOLOGY` and ``docs/methodology.md``):

1. **Current values.** From the stored value rows, only those *received* on or before the end of
   ``as_of`` (UTC) and whose *period starts* on or before ``as_of`` count. Per key (project,
   indicator, period, breakdown, breakdown value) the row received last wins (a correction);
   equal receipt times: the later row in the input wins. Older rows stay in the store, so a
   re-run for a past ``as_of`` gives the same numbers it gave then.
2. **Latest value** of a project's indicator: the total (no breakdown) of its latest period.
3. **Progress** ``(value − baseline) / (target − baseline)`` — one formula for both directions.
   ``progress_raw`` is unclipped, ``progress`` is clipped to [0, 1]. Target bands
   (``target_band``): 1 inside the band; outside ``1 − distance to the nearest band edge /
   distance from the baseline to that edge`` (which is the same formula towards the edge on the
   baseline's side, and decreases again when a value overshoots the band). If the baseline lies
   on that edge, the band width is used as the distance (or 1 for a one-point band).
4. **Expected progress** follows the straight line from baseline (at baseline_date) to target
   (at target_date), evaluated at the end of the latest value's period (so reporting lag is not
   punished), clipped to [0, 1]. :func:`trajectory` gives the expected *value* on that line.
5. **Status**: ``on_track`` when progress ≥ expected − 0.10; ``at_risk`` when ≥ expected − 0.25;
   otherwise ``off_track``. ``no_data`` when there is no value, or when the value is *stale*:
   a period is *due* once its end plus :data:`GRACE_DAYS` (30) days has passed; a value is stale
   when its period lies more than :data:`STALE_PERIODS` (2) periods before the last due period
   (i.e. three due reports in a row are missing; the project's end caps the last due period).
   Stale values are still shown (``stale = True``) but count as missing everywhere below.
6. **Scores** per guiding idea, principle, perspective, and overall (all of a project's
   indicators): the weighted mean (indicator ``weight``) of ``progress`` over the indicators
   *with a current value*; ``coverage`` = share of the group's indicators with a current value.
   Missing data never counts as zero: a group without data has score NaN and coverage 0; a
   group a project has no indicators for has ``n_indicators = 0``, score NaN and coverage 0.
   The **portfolio** scope pools all evaluated project × indicator pairs (each pair counts once,
   with its indicator's weight).
7. **Impact ladder** per project and level (output, outcome, impact): number of indicators,
   number with a current value, weighted mean progress (like the scores).
8. **Completeness**: expected = periods of the indicator's frequency that overlap the project's
   runtime and are due (end + 30 days ≤ as_of); received = those of them with a total value;
   ``share`` = received / expected (NaN when nothing is due yet); ``overdue`` lists the missing
   ones. Breakdown rows do not count as submissions of the total.
9. **Trends** (:mod:`impact.engine.trends`): Theil–Sen over the last 24 total values, time = period
   end in years, slope in units per year; fewer than 4 values → ``too_short``. Forecast at the
   target date with a 90 % band from Sen's slope interval, clipped to the indicator's min/max.
   ``target_unlikely`` is True when even the favourable end of the band misses the target
   (for bands: the forecast band does not touch the target band), None when too short.
10. **Synergies**: project × guiding idea and project × principle score matrices; shared
    indicators are those assigned to two or more of the evaluated projects.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from impact.core.catalog import IMPACT_LEVELS, Catalog, Target
from impact.engine.trends import MIN_POINTS, WINDOW, batch_theil_sen, forecast, years

__all__ = [
    "AT_RISK_TOLERANCE",
    "GRACE_DAYS",
    "KEY_COLUMNS",
    "METHODOLOGY",
    "ON_TRACK_TOLERANCE",
    "STALE_PERIODS",
    "STATUSES",
    "Evaluation",
    "compute_progress",
    "current_values",
    "evaluate",
    "trajectory",
]

KEY_COLUMNS = ("project_id", "indicator_id", "period", "breakdown", "breakdown_value")
REQUIRED_COLUMNS = (*KEY_COLUMNS, "period_start", "value", "received_at")
STATUSES = ("on_track", "at_risk", "off_track", "no_data")
ON_TRACK_TOLERANCE = 0.10
AT_RISK_TOLERANCE = 0.25
GRACE_DAYS = 30
STALE_PERIODS = 2
GROUP_TYPES = ("guiding_idea", "principle", "perspective", "overall")
_GROUP_ATTR = {"guiding_idea": "guiding_ideas", "principle": "principles", "perspective": "perspectives"}
_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
_EPS = 1e-9

SERIES_COLUMNS = ["project_id", "indicator_id", "period", "period_start", "value", "submission_id", "note"]
BREAKDOWN_COLUMNS = ["project_id", "indicator_id", "period", "period_start", "breakdown", "breakdown_value",
                     "value", "submission_id", "note"]
INDICATOR_COLUMNS = [
    "project_id", "indicator_id", "level", "impact_step", "weight", "direction", "frequency", "unit",
    "period", "period_start", "value", "baseline", "baseline_date", "target", "target_date", "band_low",
    "band_high", "illustrative", "progress", "progress_raw", "expected_progress", "stale", "status",
    "n_points", "trend_slope", "trend_note", "forecast", "forecast_low", "forecast_high", "target_unlikely",
]


# --------------------------------------------------------------------------- methodology text

METHODOLOGY: dict[str, str] = {
    "de": """\
### Methodik

- **Aktuelle Werte:** Es zählen nur Werte, die bis zum Stichtag (Ende des Tages, UTC) eingegangen
  sind und deren Zeitraum bis zum Stichtag begonnen hat. Für jeden Schlüssel (Projekt, Indikator,
  Zeitraum, Aufschlüsselung) gilt der zuletzt eingegangene Wert (Korrektur); ältere Werte bleiben
  gespeichert, sodass ein Bericht für einen früheren Stichtag dieselben Zahlen ergibt.
- **Fortschritt** = (Wert − Ausgangswert) / (Zielwert − Ausgangswert), für beide Richtungen,
  begrenzt auf 0–100 %. Zielkorridore: innerhalb 100 %, außerhalb
  1 − Abstand zur nächsten Korridorgrenze / Abstand des Ausgangswerts zu dieser Grenze.
  Maßgeblich ist der Gesamtwert des jüngsten Zeitraums.
- **Erwarteter Fortschritt:** gerade Linie vom Ausgangswert (Ausgangsdatum) zum Zielwert
  (Zieldatum), am Ende des jüngsten berichteten Zeitraums.
- **Status:** *im Plan*, wenn Fortschritt ≥ erwartet − 10 Prozentpunkte; *gefährdet*, wenn
  ≥ erwartet − 25 Prozentpunkte; sonst *nicht im Plan*. *Keine Daten*, wenn kein Wert vorliegt
  oder der letzte Wert veraltet ist (mehr als zwei fällige Zeiträume alt; ein Zeitraum ist
  30 Tage nach seinem Ende fällig).
- **Scores** je Leitgedanke, Prinzip, Zukunftsperspektive, Projekt und Portfolio: gewichteter
  Mittelwert des Fortschritts der Indikatoren *mit* aktuellem Wert, immer mit **Abdeckung**
  (Anteil der Indikatoren mit aktuellem Wert). Fehlende Daten zählen nie als null; eine Gruppe
  ohne Daten hat keinen Score und Abdeckung 0 %. Das Portfolio fasst alle Paare aus Projekt und
  Indikator zusammen.
- **Wirkungstreppe:** Anzahl der Indikatoren und mittlerer Fortschritt auf den Stufen Output
  (1–3), Outcome (4–6) und Impact (7).
- **Vollständigkeit:** erwartet sind alle fälligen Zeiträume in der Projektlaufzeit; überfällig
  sind die ohne Gesamtwert.
- **Trend:** robuste Theil-Sen-Steigung (Einheiten pro Jahr) über die letzten 24 Werte, ab
  4 Werten; Prognose zum Zieldatum mit 90-%-Band. *Ziel unwahrscheinlich*, wenn selbst das
  günstige Ende des Bandes das Ziel verfehlt.
""",
    "en": """\
### Methodology

- **Current values:** only values received by the reporting date (end of day, UTC) whose period
  has started by then count. Per key (project, indicator, period, breakdown) the value received
  last wins (a correction); older values stay stored, so a report for an earlier date gives the
  same numbers again.
- **Progress** = (value − baseline) / (target − baseline), for both directions, limited to
  0–100 %. Target bands: 100 % inside; outside
  1 − distance to the nearest band edge / distance from the baseline to that edge.
  It uses the total of the latest period.
- **Expected progress:** straight line from the baseline (baseline date) to the target (target
  date), at the end of the latest reported period.
- **Status:** *on track* when progress ≥ expected − 10 percentage points; *at risk* when
  ≥ expected − 25 points; otherwise *off track*. *No data* when there is no value or the last
  value is stale (more than two due periods old; a period is due 30 days after its end).
- **Scores** per guiding idea, principle, future perspective, project and portfolio: weighted
  mean progress of the indicators *with* a current value, always shown with **coverage** (share
  of indicators with a current value). Missing data never counts as zero; a group without data
  has no score and 0 % coverage. The portfolio pools all project × indicator pairs.
- **Impact ladder:** number of indicators and mean progress at output (steps 1–3), outcome (4–6)
  and impact (7).
- **Completeness:** all due periods within the project runtime are expected; those without a
  total value are overdue.
- **Trend:** robust Theil–Sen slope (units per year) over the last 24 values, from 4 values on;
  forecast at the target date with a 90 % band. *Target unlikely* when even the favourable end
  of the band misses the target.
""",
}


# --------------------------------------------------------------------------- small helpers


def _as_date(day: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    if isinstance(day, str):
        return dt.date.fromisoformat(day)
    raise TypeError(f"as_of must be a date, got {type(day).__name__}")


def _check_columns(values: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in values.columns]
    if missing:
        raise ValueError(f"value rows lack the column(s) {', '.join(missing)}")


def _utc(col: pd.Series) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(pd.to_datetime(col, utc=True)) if not (
        pd.api.types.is_datetime64_any_dtype(col.dtype)) else pd.DatetimeIndex(col)
    return idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")


def _period_end_days(period_ord: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Last day of each period, as days since 1970-01-01."""
    next_start = (period_ord + 1) * months - 1970 * 12
    return next_start.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1


def _label(period_ord: int, frequency: str) -> str:
    if frequency == "yearly":
        return f"{period_ord}"
    if frequency == "quarterly":
        return f"{period_ord // 4}-Q{period_ord % 4 + 1}"
    return f"{period_ord // 12}-{period_ord % 12 + 1:02d}"


def _days(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _last_due_ordinal(as_of: dt.date, frequency: str) -> int:
    """Ordinal of the last period whose end + GRACE_DAYS lies on or before ``as_of``."""
    months = _MONTHS[frequency]
    cut = as_of - dt.timedelta(days=GRACE_DAYS)
    ordinal = (cut.year * 12 + cut.month - 1) // months
    end = _period_end_days(np.array([ordinal]), np.array([months]))[0]
    return ordinal if end <= _days(cut) else ordinal - 1


# --------------------------------------------------------------------------- current values


@dataclass(frozen=True)
class _Current:
    values: pd.DataFrame           # the input (never modified)
    pos: np.ndarray                # positions of the current rows in ``values``, input order
    month: np.ndarray              # month ordinal (year·12 + month − 1) of each current row's period start
    project_codes: np.ndarray      # into project_uniques
    project_uniques: np.ndarray
    indicator_codes: np.ndarray
    indicator_uniques: np.ndarray
    total: np.ndarray              # bool: no breakdown

    def column(self, name: str, rows: np.ndarray | None = None) -> pd.Series:
        """Column ``name`` of the current rows (or of the given current-row numbers)."""
        at = self.pos if rows is None else self.pos[rows]
        return self.values[name].take(at).reset_index(drop=True)

    def frame(self, columns: Sequence[str] | None = None, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The current rows (optionally only ``rows`` of them) with the given columns."""
        at = self.pos if rows is None else self.pos[rows]
        src = self.values if columns is None else self.values.reindex(columns=list(columns))
        return src.take(at).reset_index(drop=True)


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x))


def _factorize(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    small = np.int32 if len(uniques) < 2**31 else np.int64
    return codes.astype(small, copy=False), np.asarray(uniques, dtype=object)


def _received_before(col: pd.Series, cutoff: pd.Timestamp) -> np.ndarray:
    """``received_at < cutoff`` (UTC; naive times are taken as UTC) without copying the column."""
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        return np.asarray(col < cutoff)
    if pd.api.types.is_datetime64_dtype(col.dtype):
        return np.asarray(col < cutoff.tz_localize(None))
    return np.asarray(_utc(col) < cutoff)


def _received_ns(col: pd.Series) -> np.ndarray:
    return _utc(col).asi8


def _month_and_started(col: pd.Series, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Month ordinal of each period start and whether it is on or before ``as_of``."""
    limit = np.datetime64(as_of, "D")
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        idx = pd.DatetimeIndex(col)
        arr = (idx.tz_convert(None) if idx.tz is not None else idx).values
        started = arr.astype("datetime64[D]") <= limit
        month = arr.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        return month.astype(np.int32), started & ~np.isnat(arr)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    conv = pd.DatetimeIndex(pd.to_datetime(pd.Index(uniques, dtype=object), errors="coerce"))
    if conv.tz is not None:
        conv = conv.tz_convert(None)
    u_arr = conv.values
    u_month = np.append((u_arr.astype("datetime64[M]").astype(np.int64) + 1970 * 12).astype(np.int32), -1)
    u_started = np.append((u_arr.astype("datetime64[D]") <= limit) & ~np.isnat(u_arr), False)
    return u_month[codes], u_started[codes]  # code −1 (missing) picks the appended "no" entry


def _current(values: pd.DataFrame, as_of: dt.date) -> _Current:
    _check_columns(values)
    cutoff = pd.Timestamp(as_of + dt.timedelta(days=1), tz="UTC")
    month, started = _month_and_started(values["period_start"], as_of)
    mask = _received_before(values["received_at"], cutoff)
    mask = mask & started
    del started
    everything = bool(mask.all())
    pos = np.arange(len(values)) if everything else np.flatnonzero(mask)
    del mask
    if not everything:
        month = month[pos]
    codes: list[np.ndarray] = []
    uniques: list[np.ndarray] = []
    for name in KEY_COLUMNS:
        c, u = _factorize(values[name])
        if name in ("breakdown", "breakdown_value"):  # a missing breakdown is the total ("")
            remap, u = pd.factorize(np.array(["" if _missing(x) else x for x in u], dtype=object))
            c = remap.astype(np.int32)[c]
            u = np.asarray(u, dtype=object)
        codes.append(c if everything else c[pos])
        uniques.append(u)
    empty_b = np.array([u == "" for u in uniques[3]], dtype=bool)
    empty_v = np.array([u == "" for u in uniques[4]], dtype=bool)
    total = empty_b[codes[3]] & empty_v[codes[4]] if len(pos) else np.zeros(0, dtype=bool)
    # one integer per key (mixed radix, re-numbered densely if it would grow too large)
    key = codes[0].astype(np.int64)
    for c, u in zip(codes[1:], uniques[1:], strict=True):
        key *= max(len(u), 1)
        key += c
        if len(key) and int(key.max()) > 2**52:
            key = pd.factorize(key)[0].astype(np.int64)
    del codes[2:]
    if len(key) and int(key.max()) <= 4 * len(key) + 1_000_000:
        dup = (np.bincount(key) > 1)[key]  # cheaper than hashing for a dense key range
    else:
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if dup.any():
        # Among rows sharing a key the newest receipt wins; lexsort is stable, so equal
        # receipt times keep input order and the later row wins.
        idx = np.flatnonzero(dup)
        rec = _received_ns(values["received_at"].take(pos[idx]))
        order = idx[np.lexsort((rec, key[idx]))]
        k = key[order]
        last = np.ones(len(order), dtype=bool)
        last[:-1] = k[1:] != k[:-1]
        chosen = ~dup
        chosen[order[last]] = True
        keep = np.flatnonzero(chosen)
        pos, month, total = pos[keep], month[keep], total[keep]
        codes = [c[keep] for c in codes]
    del key, dup
    return _Current(values, pos, month, codes[0], uniques[0], codes[1], uniques[1], total)


def current_values(values: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The current value rows as known on ``as_of``: one row per (project, indicator, period,
    breakdown, breakdown_value), the one received last, among rows received on or before the
    end of ``as_of`` (UTC) whose period starts on or before ``as_of``.

    Returns a new frame with the input's columns (input order kept, fresh index); ``values`` is
    not modified. Raises ``ValueError`` naming missing columns.
    """
    return _current(values, _as_date(as_of)).frame()


# --------------------------------------------------------------------------- progress & trajectory


def trajectory(target: Target, day: dt.date) -> float:
    """The expected value on ``day``: the straight line from ``baseline`` at ``baseline_date`` to
    ``target`` at ``target_date`` (held at the baseline before and at the target after)."""
    span = (target.target_date - target.baseline_date).days
    frac = 0.0 if span <= 0 else min(max((day - target.baseline_date).days / span, 0.0), 1.0)
    return target.baseline + frac * (target.target - target.baseline)


def compute_progress(value: np.ndarray | float, baseline: np.ndarray | float, target: np.ndarray | float,
                     band_low: np.ndarray | float = np.nan,
                     band_high: np.ndarray | float = np.nan) -> np.ndarray:
    """Unclipped progress (``progress_raw``) for arrays (or scalars) of values; see rule 3.

    Where ``band_low``/``band_high`` are given (not NaN) the band rule applies, elsewhere
    ``(value − baseline) / (target − baseline)``. NaN values give NaN.
    """
    v = np.asarray(value, dtype=float)
    b = np.asarray(baseline, dtype=float)
    t = np.asarray(target, dtype=float)
    lo = np.broadcast_to(np.asarray(band_low, dtype=float), np.broadcast(v, b, t).shape)
    hi = np.broadcast_to(np.asarray(band_high, dtype=float), lo.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = (v - b) / (t - b)
        is_band = ~np.isnan(lo) & ~np.isnan(hi)
        inside = (v >= lo) & (v <= hi)
        edge = np.where(v < lo, lo, hi)
        dist = np.abs(edge - b)
        width = hi - lo
        dist = np.where(dist > 0, dist, np.where(width > 0, width, 1.0))
        band = np.where(inside, 1.0, 1.0 - np.abs(v - edge) / dist)
        out = np.where(is_band, band, linear)
    return np.where(np.isnan(v), np.nan, out)


def _expected(bdays: np.ndarray, tdays: np.ndarray, day: np.ndarray) -> np.ndarray:
    span = (tdays - bdays).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(span > 0, (day - bdays) / span, 1.0)
    return np.clip(frac, 0.0, 1.0)


# --------------------------------------------------------------------------- evaluation


class _Lazy:
    """A DataFrame computed on first use, then kept."""

    def __init__(self, build: Callable[[], pd.DataFrame]) -> None:
        self._build: Callable[[], pd.DataFrame] | None = build
        self._value: pd.DataFrame | None = None

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Lazy:
        lazy = cls(lambda: frame)
        lazy._value, lazy._build = frame, None
        return lazy

    def get(self) -> pd.DataFrame:
        if self._value is None:
            assert self._build is not None
            self._value, self._build = self._build(), None
        return self._value


@dataclass(frozen=True)
class Evaluation:
    """Everything the reports, the explorer and ``impact scores`` show (column names are a
    contract, see docs/ARCHITECTURE.md "Engine"). Build with :func:`evaluate`.

    Beyond the contract: ``indicators`` also has ``direction``, ``frequency``, ``unit``,
    ``band_low``/``band_high`` (NaN without band), ``illustrative`` and ``stale``;
    ``period_start``, ``baseline_date`` and ``target_date`` there are ``datetime.date``.
    ``ladder`` and ``completeness`` also have ``coverage`` and ``frequency``;
    ``shared_indicators`` also has ``status``; ``projects`` is the tuple of evaluated project
    ids. ``series`` and ``breakdowns`` are properties built on first access (their
    ``period_start`` is passed through from the input).
    """

    as_of: dt.date
    indicators: pd.DataFrame
    scores: pd.DataFrame
    ladder: pd.DataFrame
    completeness: pd.DataFrame
    matrix_guiding_ideas: pd.DataFrame
    matrix_principles: pd.DataFrame
    shared_indicators: pd.DataFrame
    projects: tuple[str, ...] = ()
    _series: _Lazy = field(default_factory=lambda: _Lazy.of(pd.DataFrame(columns=SERIES_COLUMNS)),
                           repr=False, compare=False)
    _breakdowns: _Lazy = field(default_factory=lambda: _Lazy.of(pd.DataFrame(columns=BREAKDOWN_COLUMNS)),
                               repr=False, compare=False)

    @property
    def series(self) -> pd.DataFrame:
        """Current total values of the evaluated project × indicator pairs, sorted by project,
        indicator (catalog order) and period. Built on first access (it can be large)."""
        return self._series.get()

    @property
    def breakdowns(self) -> pd.DataFrame:
        """Current breakdown values (same columns + ``breakdown``, ``breakdown_value``), sorted
        like :attr:`series`. Built on first access."""
        return self._breakdowns.get()

    def project_ids(self) -> tuple[str, ...]:
        """The evaluated projects, in catalog order."""
        return self.projects

    def to_json(self, projects: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``impact scores --format json`` object (NaN → null). ``projects`` limits the
        ``projects`` part; the portfolio always covers every evaluated project."""
        chosen = [p for p in self.projects if projects is None or p in projects]
        out: dict[str, Any] = {"as_of": self.as_of.isoformat(), "projects": {}}
        ind = self.indicators
        comp = self.completeness
        for pid in chosen:
            rows = ind[ind["project_id"] == pid]
            out["projects"][pid] = {
                "indicators": [_indicator_json(r) for r in rows.to_dict("records")],
                **self._groups_json(pid),
                "ladder": {r["level"]: {"n_indicators": int(r["n_indicators"]), "n_with_data": int(r["n_with_data"]),
                                        "mean_progress": _num(r["mean_progress"])}
                           for r in self.ladder[self.ladder["project_id"] == pid].to_dict("records")},
                "completeness": _completeness_json(comp[comp["project_id"] == pid]),
            }
        out["portfolio"] = self._groups_json("portfolio")
        return out

    def _groups_json(self, scope: str) -> dict[str, Any]:
        # every group id is always listed (stable keys for scripts); a group without indicators
        # or without data has score null and coverage 0, with n_indicators telling which it is
        s = self.scores[self.scores["scope"] == scope]
        out: dict[str, Any] = {}
        for gtype, key in (("guiding_idea", "guiding_ideas"), ("principle", "principles"),
                           ("perspective", "perspectives")):
            out[key] = {r["group_id"]: _score_json(r) for r in s[s["group_type"] == gtype].to_dict("records")}
        overall = s[s["group_type"] == "overall"].to_dict("records")
        out["overall"] = _score_json(overall[0]) if overall else {"score": None, "coverage": 0.0,
                                                                 "n_indicators": 0, "n_with_data": 0}
        return out


def _num(x: Any) -> float | None:
    if x is None or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _score_json(r: dict[str, Any]) -> dict[str, Any]:
    return {"score": _num(r["score"]), "coverage": _num(r["coverage"]) or 0.0,
            "n_indicators": int(r["n_indicators"]), "n_with_data": int(r["n_with_data"])}


def _iso(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT:
        return None
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    return x.isoformat() if hasattr(x, "isoformat") else str(x)


def _indicator_json(r: dict[str, Any]) -> dict[str, Any]:
    band = None if _num(r["band_low"]) is None else [_num(r["band_low"]), _num(r["band_high"])]
    period = r["period"] if isinstance(r["period"], str) else None
    unlikely = r["target_unlikely"]
    return {
        "id": r["indicator_id"], "period": period, "value": _num(r["value"]),
        "baseline": _num(r["baseline"]), "target": _num(r["target"]), "band": band,
        "progress": _num(r["progress"]), "progress_raw": _num(r["progress_raw"]),
        "expected_progress": _num(r["expected_progress"]), "status": r["status"], "stale": bool(r["stale"]),
        "level": r["level"], "weight": _num(r["weight"]),
        "trend": {"slope_per_year": _num(r["trend_slope"]), "note": r["trend_note"], "n_points": int(r["n_points"])},
        "forecast": {"value": _num(r["forecast"]), "low": _num(r["forecast_low"]), "high": _num(r["forecast_high"]),
                     "at": _iso(r["target_date"]),
                     "target_unlikely": None if unlikely is None or unlikely is pd.NA else bool(unlikely)},
    }


def _completeness_json(c: pd.DataFrame) -> dict[str, Any]:
    expected = int(c["expected"].sum()) if len(c) else 0
    received = int(c["received"].sum()) if len(c) else 0
    overdue = {r["indicator_id"]: list(r["overdue"]) for r in c.to_dict("records") if len(r["overdue"])}
    return {"expected": expected, "received": received,
            "share": (received / expected) if expected else None, "overdue": overdue}


def _assignments(catalog: Catalog, projects: Sequence[str]) -> pd.DataFrame:
    rows = []
    for pid in projects:
        for ind in catalog.indicators_for(pid):
            t = ind.targets[pid]
            rows.append((pid, ind.id, ind.level, ind.impact_step, float(ind.weight), ind.direction, ind.frequency,
                         ind.unit, t.baseline, t.baseline_date, t.target, t.target_date,
                         t.band[0] if t.band else np.nan, t.band[1] if t.band else np.nan, t.illustrative,
                         np.nan if ind.min is None else ind.min, np.nan if ind.max is None else ind.max))
    cols = ["project_id", "indicator_id", "level", "impact_step", "weight", "direction", "frequency", "unit",
            "baseline", "baseline_date", "target", "target_date", "band_low", "band_high", "illustrative",
            "_min", "_max"]
    return pd.DataFrame(rows, columns=cols)


def evaluate(catalog: Catalog, values: pd.DataFrame, as_of: dt.date,
             projects: Sequence[str] | None = None) -> Evaluation:
    """Evaluate the stored ``values`` against the catalog as known on ``as_of``.

    ``projects`` limits the evaluation (and the portfolio) to those project ids (catalog order
    is kept; unknown ids raise ``ValueError``). See the module docstring for every rule.
    """
    as_of = _as_date(as_of)
    if projects is None:
        pids = list(catalog.projects)
    else:
        unknown = [p for p in projects if p not in catalog.projects]
        if unknown:
            raise ValueError(f"unknown project id(s): {', '.join(unknown)}")
        pids = [p for p in catalog.projects if p in set(projects)]
    cur = _current(values, as_of)
    ind = _assignments(catalog, pids)
    n_pairs = len(ind)

    # ---- map current rows to assignment rows (vectorised lookups through small tables)
    pair_lut: dict[tuple[str, str], int] = {(p, i): n for n, (p, i) in
                                            enumerate(zip(ind["project_id"], ind["indicator_id"], strict=True))}
    proj_index = {p: n for n, p in enumerate(pids)}
    ind_ids = list(dict.fromkeys(ind["indicator_id"]))
    ind_index = {i: n for n, i in enumerate(ind_ids)}
    # the last row/column (index −1) of the grid stands for "not evaluated": pair −1
    grid = np.full((len(pids) + 1, len(ind_ids) + 1), -1, dtype=np.int32)
    for (p, i), n in pair_lut.items():
        grid[proj_index[p], ind_index[i]] = n
    p_map = np.array([proj_index.get(u, -1) for u in cur.project_uniques], dtype=np.int32)
    i_map = np.array([ind_index.get(u, -1) for u in cur.indicator_uniques], dtype=np.int32)
    pair = grid[p_map[cur.project_codes], i_map[cur.indicator_codes]] if len(cur.pos) else np.zeros(0, np.int32)
    freq_months = ind["frequency"].map(_MONTHS).to_numpy(dtype=np.int32) if n_pairs else np.zeros(0, np.int32)

    # ---- totals, sorted by pair then period
    t_rows = np.flatnonzero(cur.total & (pair >= 0))
    t_pair = pair[t_rows]
    t_ord = (cur.month[t_rows] // freq_months[t_pair]).astype(np.int32) if len(t_rows) else np.zeros(0, np.int32)
    if len(t_rows):
        sort_key = t_pair.astype(np.int64) * (int(t_ord.max()) + 1) + t_ord
        if not bool((sort_key[1:] >= sort_key[:-1]).all()):
            order = np.argsort(sort_key, kind="stable")
            t_rows, t_pair, t_ord = t_rows[order], t_pair[order], t_ord[order]
            del order
        del sort_key
    vals = values["value"]
    vals_arr = vals.to_numpy(dtype=float, na_value=np.nan) if pd.api.types.is_numeric_dtype(vals.dtype) else \
        pd.to_numeric(vals, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    t_value = vals_arr[cur.pos[t_rows]]
    del vals_arr

    # ---- latest total per pair, n_points
    n_points = np.bincount(t_pair, minlength=n_pairs)[:n_pairs] if n_pairs else np.zeros(0, np.int64)
    is_last = np.ones(len(t_pair), dtype=bool)
    is_last[:-1] = t_pair[1:] != t_pair[:-1]
    last_rows = np.flatnonzero(is_last)
    del is_last
    latest_pos = np.full(n_pairs, -1, dtype=np.int64)
    latest_pos[t_pair[last_rows]] = last_rows
    has_val = latest_pos >= 0
    lp = np.where(has_val, latest_pos, 0)
    value = np.where(has_val, t_value[lp] if len(t_value) else np.nan, np.nan)
    period = np.full(n_pairs, None, dtype=object)
    pstart = np.full(n_pairs, None, dtype=object)
    latest_ord = np.where(has_val, t_ord[lp] if len(t_ord) else -1, -1).astype(np.int64)
    if has_val.any():
        src = t_rows[latest_pos[has_val]]
        period[has_val] = cur.column("period", src).astype(object).to_numpy()
        months = cur.month[src]
        pstart[has_val] = [dt.date(int(m) // 12, int(m) % 12 + 1, 1) for m in months]
    latest_end = np.where(has_val, _period_end_days(latest_ord, freq_months.astype(np.int64)), 0)

    # ---- progress, expected, stale, status
    base = ind["baseline"].to_numpy(dtype=float)
    tgt = ind["target"].to_numpy(dtype=float)
    lo = ind["band_low"].to_numpy(dtype=float)
    hi = ind["band_high"].to_numpy(dtype=float)
    raw = compute_progress(value, base, tgt, lo, hi) if n_pairs else np.zeros(0)
    prog = np.clip(raw, 0.0, 1.0)
    bdays = np.array([_days(d) for d in ind["baseline_date"]], dtype=np.int64)
    tdays = np.array([_days(d) for d in ind["target_date"]], dtype=np.int64)
    ref_day = np.where(has_val, latest_end, _days(as_of))
    expected = _expected(bdays, tdays, ref_day)
    due = _due_ordinals(catalog, ind, as_of)
    stale = has_val & (latest_ord < due - STALE_PERIODS) & (due >= 0)
    with_data = has_val & ~stale & ~np.isnan(value)
    status = np.where(prog >= expected - ON_TRACK_TOLERANCE - _EPS, "on_track",
                      np.where(prog >= expected - AT_RISK_TOLERANCE - _EPS, "at_risk", "off_track")).astype(object)
    status[~with_data] = "no_data"

    # ---- trends on the last WINDOW totals per pair
    slope, f_mid, f_low, f_high = _trends(t_pair, t_ord, freq_months, t_value, n_pairs, tdays)
    vmin = ind["_min"].to_numpy(dtype=float)
    vmax = ind["_max"].to_numpy(dtype=float)
    f_mid, f_low, f_high = (np.clip(a, np.where(np.isnan(vmin), -np.inf, vmin), np.where(np.isnan(vmax), np.inf, vmax))
                            for a in (f_mid, f_low, f_high))
    direction = ind["direction"].to_numpy(dtype=object)
    unlikely = np.where(direction == "higher_is_better", f_high < tgt - _EPS,
                        np.where(direction == "lower_is_better", f_low > tgt + _EPS,
                                 (f_high < lo - _EPS) | (f_low > hi + _EPS))).astype(object)
    unlikely[np.isnan(slope)] = None
    trend_ok = n_points >= MIN_POINTS

    out = ind.drop(columns=["_min", "_max"]).assign(
        period=pd.Series(period, dtype=object), period_start=pd.Series(pstart, dtype=object), value=value,
        progress=np.where(has_val, prog, np.nan),
        progress_raw=raw, expected_progress=expected, stale=stale, status=status, n_points=n_points.astype(np.int64),
        trend_slope=slope, trend_note=np.where(trend_ok, "ok", "too_short").astype(object),
        forecast=f_mid, forecast_low=f_low, forecast_high=f_high, target_unlikely=pd.Series(unlikely, dtype=object),
    )[INDICATOR_COLUMNS]

    scores = _scores(catalog, out, with_data, pids)
    ladder = _ladder(out, with_data, pids)
    completeness = _completeness(catalog, ind, t_pair, t_ord, as_of)
    matrix_gi = _matrix(scores, "guiding_idea", pids, list(catalog.guiding_ideas))
    matrix_pr = _matrix(scores, "principle", pids, list(catalog.principles))
    shared = _shared(out)
    return Evaluation(as_of, out, scores, ladder, completeness, matrix_gi, matrix_pr, shared, tuple(pids),
                      _Lazy(lambda: cur.frame(SERIES_COLUMNS, t_rows)), _Lazy(lambda: _breakdown_frame(cur, pair)))


def _breakdown_frame(cur: _Current, pair: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(~cur.total & (pair >= 0))
    if len(rows):
        rows = rows[np.lexsort((cur.month[rows], pair[rows]))]
    return cur.frame(BREAKDOWN_COLUMNS, rows)


def _due_ordinals(catalog: Catalog, ind: pd.DataFrame, as_of: dt.date) -> np.ndarray:
    """Per assignment row: ordinal of the last due period, capped by the project's end."""
    cache: dict[tuple[str, str], int] = {}
    out = np.empty(len(ind), dtype=np.int64)
    for n, (pid, freq) in enumerate(zip(ind["project_id"], ind["frequency"], strict=True)):
        key = (pid, freq)
        if key not in cache:
            due = _last_due_ordinal(as_of, freq)
            end = catalog.projects[pid].end
            if end is not None:
                due = min(due, (end.year * 12 + end.month - 1) // _MONTHS[freq])
            cache[key] = due
        out[n] = cache[key]
    return out


def _trends(t_pair: np.ndarray, t_ord: np.ndarray, freq_months: np.ndarray, t_value: np.ndarray, n_pairs: int,
            tdays: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    nan = np.full(n_pairs, np.nan)
    if not len(t_pair):
        return nan, nan.copy(), nan.copy(), nan.copy()
    # position from the end within each pair (t_pair is sorted)
    # position of each value counted from the end of its pair's run (t_pair is sorted)
    ends = (np.cumsum(np.bincount(t_pair, minlength=n_pairs)) - 1).astype(np.int32)
    from_end = ends[t_pair] - np.arange(len(t_pair), dtype=np.int32)
    keep = np.flatnonzero(from_end < WINDOW)
    k_pair = t_pair[keep]
    pairs_present, row_of = np.unique(k_pair, return_inverse=True)
    x = np.full((len(pairs_present), WINDOW), np.nan)
    y = np.full((len(pairs_present), WINDOW), np.nan)
    col = WINDOW - 1 - from_end[keep]
    del from_end
    end_days = _period_end_days(t_ord[keep].astype(np.int64), freq_months[k_pair].astype(np.int64))
    x[row_of, col] = years(end_days)
    y[row_of, col] = t_value[keep]
    trend = batch_theil_sen(x, y)
    mid, low, high = forecast(trend, years(tdays[pairs_present]))
    slope = nan.copy()
    f_mid, f_low, f_high = nan.copy(), nan.copy(), nan.copy()
    slope[pairs_present] = trend.slope
    f_mid[pairs_present] = mid
    f_low[pairs_present] = low
    f_high[pairs_present] = high
    return slope, f_mid, f_low, f_high


def _weighted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Group ``df`` (columns weight, progress, has) by ``keys`` → n_indicators, n_with_data, score."""
    d = df.assign(_wp=np.where(df["has"], df["weight"] * df["progress"], 0.0),
                  _w=np.where(df["has"], df["weight"], 0.0), _n=1, _h=df["has"].astype(np.int64))
    g = d.groupby(keys, sort=False, observed=True)[["_wp", "_w", "_n", "_h"]].sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        g["score"] = np.where(g["_w"] > 0, g["_wp"] / g["_w"].where(g["_w"] > 0, 1.0), np.nan)
    g["n_indicators"] = g["_n"].astype(np.int64)
    g["n_with_data"] = g["_h"].astype(np.int64)
    g["coverage"] = g["n_with_data"] / g["n_indicators"]
    return g.drop(columns=["_wp", "_w", "_n", "_h"])


def _memberships(catalog: Catalog) -> pd.DataFrame:
    rows = [(i.id, gtype, gid) for i in catalog.indicators.values()
            for gtype, attr in _GROUP_ATTR.items() for gid in getattr(i, attr)]
    return pd.DataFrame(rows, columns=["indicator_id", "group_type", "group_id"])


def _scores(catalog: Catalog, ind: pd.DataFrame, has: np.ndarray, pids: list[str]) -> pd.DataFrame:
    base = pd.DataFrame({"project_id": ind["project_id"], "indicator_id": ind["indicator_id"],
                         "weight": ind["weight"], "progress": ind["progress"], "has": has})
    mem = base.merge(_memberships(catalog), on="indicator_id", how="inner")
    overall = base.assign(group_type="overall", group_id="overall")
    long = pd.concat([mem, overall], ignore_index=True)
    per_project = _weighted(long, ["project_id", "group_type", "group_id"]).rename(columns={"project_id": "scope"})
    portfolio = _weighted(long, ["group_type", "group_id"]).assign(scope="portfolio")
    got = pd.concat([per_project, portfolio], ignore_index=True)
    # every scope × every group of the catalog (groups without indicators: n_indicators 0)
    groups = [(gt, gid) for gt, attr in _GROUP_ATTR.items() for gid in getattr(catalog, attr)] + [("overall", "overall")]
    frame = pd.DataFrame([(scope, gt, gid) for scope in [*pids, "portfolio"] for gt, gid in groups],
                         columns=["scope", "group_type", "group_id"])
    out = frame.merge(got, on=["scope", "group_type", "group_id"], how="left")
    out["n_indicators"] = out["n_indicators"].fillna(0).astype(np.int64)
    out["n_with_data"] = out["n_with_data"].fillna(0).astype(np.int64)
    out["coverage"] = out["coverage"].fillna(0.0).astype(float)
    out["score"] = out["score"].astype(float)
    return out[["scope", "group_type", "group_id", "score", "coverage", "n_indicators", "n_with_data"]]


def _ladder(ind: pd.DataFrame, has: np.ndarray, pids: list[str]) -> pd.DataFrame:
    base = pd.DataFrame({"project_id": ind["project_id"], "level": ind["level"], "weight": ind["weight"],
                         "progress": ind["progress"], "has": has})
    g = _weighted(base, ["project_id", "level"]) if len(base) else pd.DataFrame(
        columns=["project_id", "level", "score", "n_indicators", "n_with_data", "coverage"])
    frame = pd.DataFrame([(p, lv) for p in pids for lv in IMPACT_LEVELS], columns=["project_id", "level"])
    out = frame.merge(g, on=["project_id", "level"], how="left")
    out["n_indicators"] = out["n_indicators"].fillna(0).astype(np.int64)
    out["n_with_data"] = out["n_with_data"].fillna(0).astype(np.int64)
    out["mean_progress"] = out["score"].astype(float)
    out["coverage"] = out["coverage"].fillna(0.0).astype(float)
    return out[["project_id", "level", "n_indicators", "n_with_data", "mean_progress", "coverage"]]


def _gaps(rp: np.ndarray, ro: np.ndarray, first: np.ndarray, last: np.ndarray,
          received: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The expected periods without a value: (pair, ordinal) arrays sorted by pair and ordinal.

    ``rp``/``ro`` are the received (pair, ordinal) inside each pair's expected range
    ``first..last``, sorted by pair then ordinal (unique). Works on the gaps between received
    periods, so memory is proportional to the received rows plus the missing periods only.
    """
    starts: list[np.ndarray] = []
    lens: list[np.ndarray] = []
    pairs: list[np.ndarray] = []
    if len(rp):
        rp = rp.astype(np.int64)
        ro = ro.astype(np.int64)
        same = rp[1:] == rp[:-1]
        glen = ro[1:] - ro[:-1] - 1
        inner = same & (glen > 0)
        pairs.append(rp[1:][inner])
        starts.append(ro[:-1][inner] + 1)
        lens.append(glen[inner])
        head = np.ones(len(rp), dtype=bool)
        head[1:] = ~same
        tail = np.ones(len(rp), dtype=bool)
        tail[:-1] = ~same
        hp, hs = rp[head], ro[head]
        pairs.append(hp)
        starts.append(first[hp])
        lens.append(hs - first[hp])
        tp, ts = rp[tail], ro[tail]
        pairs.append(tp)
        starts.append(ts + 1)
        lens.append(last[tp] - ts)
    none = np.flatnonzero((received == 0) & (last >= first))
    pairs.append(none)
    starts.append(first[none])
    lens.append(last[none] - first[none] + 1)
    gp, gs, gl = (np.concatenate(x).astype(np.int64) for x in (pairs, starts, lens))
    ok = gl > 0
    gp, gs, gl = gp[ok], gs[ok], gl[ok]
    order = np.lexsort((gs, gp))
    gp, gs, gl = gp[order], gs[order], gl[order]
    pr = np.repeat(gp, gl)
    od = np.repeat(gs, gl) + (np.arange(int(gl.sum())) - np.repeat(np.cumsum(gl) - gl, gl))
    return pr, od


def _completeness(catalog: Catalog, ind: pd.DataFrame, t_pair: np.ndarray, t_ord: np.ndarray,
                  as_of: dt.date) -> pd.DataFrame:
    n = len(ind)
    first = np.empty(n, dtype=np.int64)
    last = np.empty(n, dtype=np.int64)
    due_cache: dict[str, int] = {}
    for k, (pid, freq) in enumerate(zip(ind["project_id"], ind["frequency"], strict=True)):
        months = _MONTHS[freq]
        proj = catalog.projects[pid]
        first[k] = (proj.start.year * 12 + proj.start.month - 1) // months
        if freq not in due_cache:
            due_cache[freq] = _last_due_ordinal(as_of, freq)
        lst = due_cache[freq]
        if proj.end is not None:
            lst = min(lst, (proj.end.year * 12 + proj.end.month - 1) // months)
        last[k] = lst
    expected = np.maximum(last - first + 1, 0)
    in_range = (t_ord >= first[t_pair]) & (t_ord <= last[t_pair]) if len(t_pair) else np.zeros(0, dtype=bool)
    received = np.bincount(t_pair[in_range], minlength=n)[:n] if n else np.zeros(0, np.int64)
    overdue: list[list[str]] = [[] for _ in range(n)]
    if bool((received < expected).any()):
        pr, od = _gaps(t_pair[in_range], t_ord[in_range], first, last, received)
        freqs = ind["frequency"].to_numpy(dtype=object)
        pf = freqs[pr]  # (pr, od): the missing (pair, period ordinal), sorted
        lab = np.empty(len(pr), dtype=object)
        for f in set(pf.tolist()):
            sel = pf == f
            lo_o, hi_o = int(od[sel].min()), int(od[sel].max())
            table = np.array([_label(o, f) for o in range(lo_o, hi_o + 1)], dtype=object)
            lab[sel] = table[od[sel] - lo_o]
        bounds = np.flatnonzero(np.diff(pr)) + 1
        for k, chunk in zip(pr[np.concatenate(([0], bounds))].tolist(), np.split(lab, bounds), strict=True):
            overdue[k] = chunk.tolist()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(expected > 0, received / np.where(expected > 0, expected, 1), np.nan)
    return pd.DataFrame({"project_id": ind["project_id"], "indicator_id": ind["indicator_id"],
                         "frequency": ind["frequency"], "expected": expected.astype(np.int64),
                         "received": received.astype(np.int64), "share": share,
                         "overdue": pd.Series(overdue, dtype=object)})


def _matrix(scores: pd.DataFrame, group_type: str, pids: list[str], ids: list[str]) -> pd.DataFrame:
    s = scores[(scores["group_type"] == group_type) & (scores["scope"] != "portfolio")]
    m = s.pivot(index="scope", columns="group_id", values="score") if len(s) else pd.DataFrame()
    m = m.reindex(index=pids, columns=ids).astype(float)
    m.index.name = "project_id"
    m.columns.name = group_type
    return m


def _shared(ind: pd.DataFrame) -> pd.DataFrame:
    counts = ind.groupby("indicator_id", sort=False)["project_id"].transform("size")
    cols = ["indicator_id", "project_id", "value", "progress", "status"]
    return ind.loc[counts >= 2, cols].sort_values(["indicator_id", "project_id"], kind="stable").reset_index(drop=True)
