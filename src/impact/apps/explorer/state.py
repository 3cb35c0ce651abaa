"""What the explorer knows and what is selected: no widgets, no settings.

:class:`ExplorerData` holds the catalog and the stored values (read once) and evaluates them at
most once per date (an LRU cache of :class:`~impact.apps.explorer.data.Frames`). It also keeps what
went wrong while reading the store, so that the app can say it in the reader's language.
:class:`Selection` is the immutable snapshot of every control value that a chart or the table
depends on; it doubles as the key under which a rendered part is remembered.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from impact.apps.explorer.data import Frames, month_starts, prepare
from impact.core.catalog import Catalog
from impact.core.errors import ImpactError

if TYPE_CHECKING:
    from impact.store.store import Store

__all__ = ["CACHE_SIZE", "ExplorerData", "Selection"]

log = logging.getLogger(__name__)
CACHE_SIZE = 8


@dataclass(frozen=True)
class Selection:
    """Every control value the charts and the table read (``group`` = the chosen group of ``kind``)."""

    lang: str
    as_of: dt.date | None
    known_at: dt.date | None
    projects: tuple[str, ...]
    indicators: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None
    breakdown: str
    kind: str
    group: str


class ExplorerData:
    """The catalog, the values of one store (or a given DataFrame) and their evaluations.

    ``store`` is a directory or a :class:`impact.store.store.Store`; ``None`` without ``values``
    means that no store was named (shown as an empty store). Reading errors are kept in
    :attr:`error` instead of being raised.
    """

    def __init__(self, catalog: Catalog, values: pd.DataFrame | None = None,
                 store: str | Path | Store | None = None) -> None:
        self.catalog = catalog
        self.n_evaluations = 0
        self.store_missing = False
        self.error: BaseException | None = None
        self._cache: OrderedDict[tuple[dt.date, object], Frames] = OrderedDict()
        self.store_label, self.values = self._load(values, store)
        self.first_received = _first_received(self.values)

    def _load(self, values: pd.DataFrame | None, store: str | Path | Store | None) -> tuple[str, pd.DataFrame | None]:
        if values is not None:
            return "(DataFrame)", values
        if store is None:
            return "", None
        from impact.store.store import Store

        if isinstance(store, Store):
            path = store.path
        else:
            path = Path(store).expanduser()
            store = Store(path)
        try:
            if not path.is_dir():
                self.store_missing = True
                return str(path), None
            return str(path), store.values()
        except (ImpactError, OSError, ValueError) as exc:
            self.error = exc
            return str(path), None

    @property
    def has_data(self) -> bool:
        """Whether there are any values to evaluate."""
        return self.values is not None and len(self.values) > 0

    def error_text(self, lang: str) -> str:
        """What went wrong reading the store, in ``lang`` (empty when nothing did)."""
        if self.error is None:
            return ""
        return self.error.message(lang) if isinstance(self.error, ImpactError) else str(self.error)

    def frames_for(self, as_of: dt.date, known_at: dt.date | dt.datetime | None = None) -> Frames | None:
        """The evaluation at the reference date ``as_of`` (Stichtag) with the values received by
        the knowledge date ``known_at`` (Datenstand; a date means the end of that day, UTC;
        ``None`` = everything stored), cached; ``None`` without data. Raises whatever the
        evaluation raises."""
        if not self.has_data:
            return None
        key = (as_of, known_at)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        from impact.engine.evaluation import evaluate

        assert self.values is not None
        frames = prepare(evaluate(self.catalog, self.values, as_of, known_at=known_at))
        self.n_evaluations += 1
        self._cache[key] = frames
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return frames

    def received_any_by(self, known_at: dt.date | dt.datetime | None) -> bool:
        """Whether anything had been received by the knowledge date (``None``: anything at all)."""
        if self.first_received is None or known_at is None:
            return self.has_data
        day = known_at.date() if isinstance(known_at, dt.datetime) else known_at
        return day >= self.first_received

    def months(self, as_of: dt.date, today: dt.date) -> list[dt.date]:
        """First days of the months a time range can span: from the earliest project start or
        period to the latest of ``as_of``, ``today`` and the last period."""
        starts = [p.start for p in self.catalog.projects.values()]
        first = min(starts) if starts else as_of
        last = max(as_of, today)
        if self.has_data and "period_start" in self.values.columns:  # type: ignore[union-attr]
            ps = pd.to_datetime(self.values["period_start"])  # type: ignore[index]
            first, last = min(first, ps.min().date()), max(last, ps.max().date())
        return month_starts(first, last)


def _first_received(values: pd.DataFrame | None) -> dt.date | None:
    """The UTC day the first value was received (``None`` without values or receipt times)."""
    if values is None or values.empty or "received_at" not in values.columns:
        return None
    first = pd.to_datetime(values["received_at"], utc=True).min()
    return None if pd.isna(first) else first.date()
