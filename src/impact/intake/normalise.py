"""The accepted rows of a valid file in the store's column layout (``impact.core.schema.FRAME_COLUMNS``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from impact.core.catalog import Catalog
from impact.core.schema import FRAME_COLUMNS
from impact.intake import expectations as ex
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

    def text(col: str) -> np.ndarray:
        return f[col].astype(object).to_numpy()

    def optional(col: str) -> np.ndarray:
        s = f[col].astype(object)
        return s.where(s.notna(), None).to_numpy()

    out = pd.DataFrame({
        "row": f.index.to_numpy(dtype="int64"),
        "project_id": text("project_id"),
        "indicator_id": text("indicator_id"),
        "period": text(ex.H_PERIOD_LABEL),
        "period_start": _dates(f[ex.H_PERIOD_START]),
        "period_end": _dates(f[ex.H_PERIOD_END]),
        "value": f[ex.H_VALUE_NUM].to_numpy(dtype="float64"),
        "unit": derive([f["indicator_id"]], unit_of.get).astype(object).to_numpy(),
        "breakdown": text(ex.H_KEY_BREAKDOWN),
        "breakdown_value": text(ex.H_KEY_BREAKDOWN_VALUE),
        "note": optional("note"),
        "source": optional("source"),
        "quality": derive([f["indicator_id"], f[ex.H_QUALITY]], quality).astype(object).to_numpy(),
        "evidence": optional("evidence"),
    })
    for col in ("project_id", "indicator_id", "period", "unit", "breakdown", "breakdown_value"):
        out[col] = out[col].astype("str")
    for col in ("note", "source", "quality", "evidence"):  # str or None (object dtype keeps None as None)
        values = out[col].to_numpy(dtype=object)
        out[col] = pd.Series(np.where(pd.isna(values), None, values), index=out.index, dtype=object)
    return out[list(FRAME_COLUMNS)]
