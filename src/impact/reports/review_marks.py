"""How a report shows the review of its values (issue 13): per value its quality grade, its
evidence (a link only for http/https addresses, everything escaped) and its review state
(approved, pending, open query); per report the share of approved values and of each grade.

The columns come from ``Evaluation.series`` (``quality``, ``evidence``, ``review_state``, see
docs/ARCHITECTURE.md "Evidence, quality and review"); where a column is absent or empty the
value's grade falls back to the indicator's catalog grade and its state is shown as unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd

from impact.core.i18n import MISSING, format_number, format_percent, is_missing, texts
from impact.reports import markup
from impact.reports.naming import QUALITY, REVIEW_STATES, word

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = ["evidence_cell", "latest_value_line", "quality_of", "review_summary", "values_table"]

_LINK_SCHEMES = ("http", "https")


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value).strip()


def evidence_cell(evidence: Any) -> Any:
    """A table cell for ``evidence``: a link for an http(s) address, otherwise the (escaped) text.

    Anything else — ``javascript:``, ``data:``, relative paths, document references — stays text.
    """
    text = _text(evidence)
    if not text:
        return MISSING
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if parts.scheme.lower() in _LINK_SCHEMES and parts.netloc and not any(c.isspace() or ord(c) < 32 for c in text):
        return markup.Markup(f'<a href="{markup.esc(text)}" rel="noopener noreferrer nofollow">'
                             f"{markup.esc(text)}</a>")
    return text


def quality_of(ctx: ReportContext, indicator_id: str, quality: Any) -> str:
    """The grade key of a value: its own, else the indicator's catalog grade, else ``""``."""
    own = _text(quality)
    if own:
        return own
    ind = ctx.catalog.indicators.get(indicator_id)
    return _text(getattr(ind, "quality", None))


def _state(value: Any) -> str:
    return _text(value)


def values_table(ctx: ReportContext, project_id: str, indicator_id: str, series: pd.DataFrame) -> str:
    """A collapsible table of the indicator's values: period, value, quality, evidence, review state."""
    if series.empty:
        return ""
    lang = ctx.lang
    _ = texts(lang)
    rows = []
    for _i, r in series.sort_values("period_start").iterrows():
        grade = quality_of(ctx, indicator_id, r.get("quality"))
        state = _state(r.get("review_state"))
        rows.append((r["period"], format_number(r["value"], lang, 2),
                     word(QUALITY, grade, lang) if grade else MISSING, evidence_cell(r.get("evidence")),
                     word(REVIEW_STATES, state, lang) if state else MISSING))
    title = _("Values with quality, evidence and review state")
    table = markup.table_html(rows, [_("Period"), _("Value"), _("Quality"), _("Evidence"), _("Review state")],
                              caption=title, numeric=[1])
    return (f'<details class="impact-alt impact-review" data-project="{markup.esc(project_id)}" '
            f'data-indicator="{markup.esc(indicator_id)}"><summary>{markup.esc(title)}</summary>{table}</details>')


def latest_value_line(ctx: ReportContext, indicator_id: str, series: pd.DataFrame) -> str:
    """"Latest value: quality … · evidence … · review state …" for the newest period, or empty."""
    if series.empty:
        return ""
    lang = ctx.lang
    _ = texts(lang)
    r = series.sort_values("period_start").iloc[-1]
    grade, state = quality_of(ctx, indicator_id, r.get("quality")), _state(r.get("review_state"))
    evidence = evidence_cell(r.get("evidence"))
    parts = [markup.labelled(_("Quality"), word(QUALITY, grade, lang) if grade else MISSING),
             markup.labelled(_("Evidence"), "")
             + (str(evidence) if isinstance(evidence, markup.Markup) else markup.esc(evidence)),
             markup.labelled(_("Review state"), word(REVIEW_STATES, state, lang) if state else MISSING)]
    label = _("Latest value ({period})", period=r["period"])
    return f'<p class="impact-meta impact-review-latest"><em>{markup.esc(label)}:</em> ' + " · ".join(parts) + "</p>"


def _shares(keys: pd.Series, vocabulary: dict[str, str], lang: str) -> str:
    """"measured 60 %, counted 40 %" in the vocabulary's order; unknown keys last."""
    total = len(keys)
    counts = keys.value_counts()
    order = [k for k in vocabulary if k in counts.index] + sorted(k for k in counts.index if k not in vocabulary)
    _ = texts(lang)
    unstated = _("not stated")
    return ", ".join(f"{word(vocabulary, k, lang) if k else unstated} {format_percent(counts[k] / total, lang)}"
                     for k in order)


def review_summary(ctx: ReportContext, series: pd.DataFrame) -> str:
    """One paragraph: how many of these values are approved (and queried), and the share of each
    quality grade; a hint when there are no values."""
    lang = ctx.lang
    _ = texts(lang)
    if series.empty:
        return markup.hint(_("Review: no values yet."))
    states = series["review_state"].map(_state) if "review_state" in series.columns else pd.Series([""] * len(series))
    grades = pd.Series([quality_of(ctx, i, q) for i, q in zip(series["indicator_id"], series.get(
        "quality", pd.Series([None] * len(series), index=series.index)), strict=True)])
    total, approved, queried = len(series), int((states == "approved").sum()), int((states == "queried").sum())
    review = _.ngettext("{approved} of {total} value approved ({share})", "{approved} of {total} values approved ({share})",
                        total, approved=format_number(approved, lang, 0), total=format_number(total, lang, 0),
                        share=format_percent(approved / total, lang))
    if queried:
        review += "; " + _.ngettext("{n} with an open query", "{n} with an open query", queried,
                                    n=format_number(queried, lang, 0))
    quality = _shares(grades, QUALITY, lang)
    line = markup.labelled(_("Review"), review) + " · " + markup.labelled(_("Quality"), quality)
    return f'<p class="impact-meta" id="review-summary">{line}</p>'
