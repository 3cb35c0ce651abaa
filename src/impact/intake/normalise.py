"""The accepted rows of a valid file in the store's column layout (``impact.core.schema.FRAME_COLUMNS``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.schema import FRAME_COLUMNS
from impact.intake import expectations as ex
from impact.intake.codes import cat_codes, cat_values
from impact.intake.prepare import derive

__all__ = ["normalised"]


def _dates(ordinals: pd.Series) -> np.ndarray:
    """Date ordinals (float) → an object array of ``datetime.date`` (computed per distinct value)."""
    codes, uniques = pd.factorize(ordinals.astype("int64"))
    days = np.array([dt.date.fromordinal(int(o)) for o in uniques] + [None], dtype=object)
    return days[codes]


def normalised(f: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The accepted rows in the store's column layout (see ARCHITECTURE.md)."""
    unit_of = {i.id: i.unit for i in catalog.indicators.values()}
    indicators = catalog.indicators

    def quality(indicator: str | None, grade: str | None) -> str | None:
        """The grade written in the file (a valid file names only known ones), else the indicator's default."""
        if grade is not None:
            return grade
        ind = indicators.get(indicator) if indicator is not None else None
        return ind.quality if ind is not None else None

    index = pd.RangeIndex(len(f))

    def text(col: pd.Series) -> pd.Series:
        return pd.Series(col.astype("str").array, index=index, copy=False)

    def optional(col: pd.Series) -> pd.Series:
        """str or None (object dtype keeps None as None)."""
        if isinstance(col.dtype, pd.CategoricalDtype):
            values = np.append(cat_values(col), np.array([None], dtype=object))[cat_codes(col)]
        else:
            values = col.to_numpy(dtype=object)
            values = np.where(pd.isna(values), None, values)
        return pd.Series(values, index=index, dtype=object)

    iid = f["indicator_id"]
    columns = {
        "row": f.index.to_numpy(dtype="int64"),
        "project_id": text(f["project_id"]),
        "indicator_id": text(iid),
        "period": text(f[ex.H_PERIOD_LABEL]),
        "period_start": _dates(f[ex.H_PERIOD_START]),
        "period_end": _dates(f[ex.H_PERIOD_END]),
        "value": f[ex.H_VALUE_NUM].to_numpy(dtype="float64"),
        "unit": text(derive([iid], unit_of.get)),
        "breakdown": text(f[ex.H_KEY_BREAKDOWN]),
        "breakdown_value": text(f[ex.H_KEY_BREAKDOWN_VALUE]),
        "note": optional(f["note"]),
        "source": optional(f["source"]),
        "quality": optional(derive([iid, f[ex.H_QUALITY]], quality)),
        "evidence": optional(f["evidence"]),
    }
    return pd.DataFrame({c: columns[c] for c in FRAME_COLUMNS}, index=index)
