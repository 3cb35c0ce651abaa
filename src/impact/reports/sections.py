"""Bilingual texts of the evaluation reports, and the report sections the notebooks call.

The notebooks in ``notebooks/`` are thin: a ``parameters`` cell, then one call per section
into this module (``project_summary(ctx, project_id)`` and so on). Each section displays
HTML headings and tables plus plotly charts from :mod:`impact.reports.figures`. All text comes from
:data:`LABELS` (German first, English second) or from the catalog; every value that is not
ours — submitted notes above all — is HTML-escaped here, so a note containing ``<script>``
shows as text and never runs.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from impact.reports import figures as fg

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = [
    "LABELS",
    "fmt_date",
    "fmt_num",
    "fmt_pct",
    "guiding_idea_report",
    "label",
    "methodology",
    "portfolio_overview",
    "portfolio_matrices",
    "portfolio_shared",
    "principle_report",
    "project_completeness",
    "project_guiding_ideas",
    "project_ladder",
    "project_notes",
    "project_principles",
    "project_summary",
    "project_title",
    "report_title",
    "table_html",
]

# key -> (German, English)
LABELS: dict[str, tuple[str, str]] = {
    "report_project": ("Wirkungsbericht", "Impact report"),
    "report_portfolio": ("Portfoliobericht: die fünf Pilotprojekte", "Portfolio report: the five pilot projects"),
    "report_guiding_idea": ("Leitgedanke", "Guiding idea"),
    "report_principle": ("Prinzip", "Principle"),
    "as_of": ("Stand", "As of"),
    "lead": ("Federführung", "Lead"),
    "runtime": ("Laufzeit", "Runtime"),
    "open_end": ("offen", "open"),
    "runtime_illustrative": ("Laufzeit teilweise angenommen (nicht öffentlich)",
                             "runtime partly assumed (not public)"),
    "illustrative_note": ("Hinweis: Ausgangs- und Zielwerte mit * sind nicht öffentlich und nur zur Veranschaulichung gesetzt.",
                          "Note: baselines and targets marked * are not public and were set for illustration only."),
    "summary": ("Überblick", "Summary"),
    "summary_intro": ("Punktzahl (0–100 %, Fortschritt zum Ziel) und Abdeckung (Anteil der Indikatoren mit Daten) je Leitgedanke und Prinzip.",
                      "Score (0–100 %, progress towards target) and coverage (share of indicators with data) per guiding idea and principle."),
    "overall": ("Gesamt", "Overall"),
    "score": ("Punktzahl", "Score"),
    "coverage": ("Abdeckung", "Coverage"),
    "indicators_with_data": ("Indikatoren mit Daten", "Indicators with data"),
    "guiding_ideas": ("Leitgedanken", "Guiding ideas"),
    "guiding_idea": ("Leitgedanke", "Guiding idea"),
    "principles": ("Prinzipien", "Principles"),
    "principle": ("Prinzip", "Principle"),
    "project": ("Projekt", "Project"),
    "projects": ("Projekte", "Projects"),
    "indicator": ("Indikator", "Indicator"),
    "indicators": ("Indikatoren", "Indicators"),
    "period": ("Zeitraum", "Period"),
    "value": ("Wert", "Value"),
    "unit": ("Einheit", "Unit"),
    "baseline": ("Ausgangswert", "Baseline"),
    "target": ("Zielwert", "Target"),
    "target_date": ("Zieldatum", "Target date"),
    "trajectory": ("Zielpfad", "Target trajectory"),
    "breakdown": ("Aufschlüsselung", "Breakdown"),
    "breakdown_value": ("Ausprägung", "Group"),
    "forecast": ("Prognose", "Forecast"),
    "forecast_range": ("Prognosebereich", "Forecast range"),
    "band": ("Zielkorridor", "Target band"),
    "progress": ("Fortschritt", "Progress"),
    "expected_progress": ("Erwarteter Fortschritt", "Expected progress"),
    "status": ("Status", "Status"),
    "trend": ("Trend pro Jahr", "Trend per year"),
    "target_unlikely": ("Ziel voraussichtlich verfehlt", "Target unlikely to be reached"),
    "too_short": ("zu wenige Werte für einen Trend", "too few values for a trend"),
    "no_data": ("keine Daten", "no data"),
    "no_indicators": ("Diesem Abschnitt sind für dieses Projekt keine Indikatoren zugeordnet.",
                      "No indicators of this project belong to this section."),
    "status_on_track": ("im Plan", "on track"),
    "status_at_risk": ("gefährdet", "at risk"),
    "status_off_track": ("nicht im Plan", "off track"),
    "status_no_data": ("keine Daten", "no data"),
    "ladder": ("Wirkungstreppe: Output, Outcome, Impact", "Impact ladder: output, outcome, impact"),
    "ladder_intro": ("Wie viele Indikatoren messen Leistungen (Output, Stufen 1–3), Veränderungen bei Zielgruppen (Outcome, 4–6) und gesellschaftliche Wirkung (Impact, 7)?",
                     "How many indicators measure outputs (steps 1–3), changes for target groups (outcomes, 4–6) and change in society (impact, 7)?"),
    "level": ("Ebene", "Level"),
    "level_output": ("Output", "Output"),
    "level_outcome": ("Outcome", "Outcome"),
    "level_impact": ("Impact", "Impact"),
    "mean_progress": ("Mittlerer Fortschritt", "Mean progress"),
    "completeness": ("Vollständigkeit der Daten und überfällige Meldungen", "Data completeness and overdue submissions"),
    "expected": ("erwartet", "expected"),
    "received": ("erhalten", "received"),
    "share": ("Anteil", "Share"),
    "overdue": ("überfällig", "overdue"),
    "none": ("keine", "none"),
    "notes": ("Aktuelle qualitative Hinweise", "Recent qualitative notes"),
    "no_notes": ("Keine Anmerkungen eingereicht.", "No notes submitted."),
    "note": ("Anmerkung", "Note"),
    "methodology": ("Anhang: Methodik", "Appendix: methodology"),
    "methodology_intro": ("Die Indikatoren stammen aus dem Indikatorenkatalog (Prüfsumme {hash}); Werte aus geprüften Einreichungen bis zum Stichtag.",
                          "Indicators come from the indicator catalog (checksum {hash}); values from validated submissions up to the cut-off date."),
    "definition": ("Definition", "Definition"),
    "source": ("Quelle", "Source"),
    "method": ("Methode", "Method"),
    "direction": ("Richtung", "Direction"),
    "frequency": ("Meldeturnus", "Frequency"),
    "impact_step": ("Wirkungsstufe", "Impact step"),
    "framework_section": ("Abschnitt im Strategischen Rahmen", "Framework section"),
    "dir_higher_is_better": ("mehr ist besser", "higher is better"),
    "dir_lower_is_better": ("weniger ist besser", "lower is better"),
    "dir_target_band": ("Zielkorridor", "target band"),
    "freq_monthly": ("monatlich", "monthly"),
    "freq_quarterly": ("quartalsweise", "quarterly"),
    "freq_yearly": ("jährlich", "yearly"),
    "table": ("Tabelle (Textalternative)", "Table (text alternative)"),
    "chart_scores": ("Punktzahl und Abdeckung", "Score and coverage"),
    "chart_series": ("Verlauf, Zielpfad und Prognose", "Values, target trajectory and forecast"),
    "chart_completeness": ("Vollständigkeit je Indikator", "Completeness per indicator"),
    "pilots_side_by_side": ("Die Pilotprojekte im Vergleich", "The pilots side by side"),
    "synergies": ("Synergien: Punktzahlen je Projekt und Leitgedanke bzw. Prinzip",
                  "Synergies: scores per project and guiding idea or principle"),
    "synergy_intro": ("Wo mehrere Projekte zum selben Leitgedanken oder Prinzip beitragen, können sie voneinander lernen.",
                      "Where several projects contribute to the same guiding idea or principle, they can learn from each other."),
    "shared_indicators": ("Gemeinsame Indikatoren im Vergleich", "Shared indicators compared"),
    "no_shared": ("Kein Indikator wird von mindestens zwei Projekten gemeldet.",
                  "No indicator is reported by at least two projects."),
    "portfolio": ("Portfolio", "Portfolio"),
    "across_pilots": ("über alle Pilotprojekte", "across all pilots"),
    "scores_by_project": ("Punktzahl je Projekt", "Score per project"),
    "indicator_overview": ("Zugeordnete Indikatoren", "Assigned indicators"),
    "series_by_project": ("Zeitreihen je Projekt", "Series per project"),
    "illustrative": ("angenommen", "illustrative"),
    "unknown_id": ("Unbekannte {what}-ID '{id}'. Bekannt sind: {known}.",
                   "Unknown {what} id '{id}'. Known ids: {known}."),
}


def label(key: str, lang: str = "de", **fmt: Any) -> str:
    """The text for ``key`` in ``lang`` (``de`` or ``en``), formatted with ``fmt``."""
    de, en = LABELS[key]
    text = en if lang == "en" else de
    return text.format(**fmt) if fmt else text


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_num(x: Any, lang: str = "de", digits: int = 1) -> str:
    """A number for readers: German ``1.234,5``, English ``1,234.5``; missing → ``–``."""
    if _missing(x):
        return "–"
    value = float(x)
    if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_pct(x: Any, lang: str = "de") -> str:
    """A share 0..1 as a percentage (``42 %``); missing → ``–``."""
    if _missing(x):
        return "–"
    return f"{fmt_num(float(x) * 100, lang, 0)} %"


def fmt_date(x: Any, lang: str = "de") -> str:
    """A date as ``21.11.2026`` (German) or ``2026-11-21`` (English)."""
    if _missing(x):
        return "–"
    if isinstance(x, str):
        x = dt.date.fromisoformat(x[:10])
    if isinstance(x, dt.datetime | pd.Timestamp):
        x = x.date()
    return x.strftime("%d.%m.%Y") if lang == "de" else x.isoformat()


def esc(x: Any) -> str:
    """HTML-escape any value (``None`` → empty)."""
    return "" if x is None else html.escape(str(x), quote=True)


def table_html(rows: Sequence[Sequence[Any]], header: Sequence[str], caption: str | None = None,
               numeric: Iterable[int] = ()) -> str:
    """An accessible HTML table; every cell and header is escaped."""
    num = set(numeric)
    out = ['<table class="impact-table">']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{esc(h)}</th>' for h in header) + "</tr></thead><tbody>")
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="num"' if i in num else ""
            cells.append(f"<td{cls}>{esc('–' if _missing(cell) else cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _frame_table(df: pd.DataFrame, caption: str | None = None) -> str:
    numeric = [i for i, c in enumerate(df.columns) if pd.api.types.is_numeric_dtype(df[c])]
    return table_html(df.itertuples(index=False, name=None), [str(c) for c in df.columns], caption, numeric)


_STYLE = """<style>
.impact-report{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;max-width:72rem}
.impact-report h1{font-size:1.8rem;margin:.2rem 0}.impact-report h2{font-size:1.4rem;margin-top:1.6rem;border-bottom:2px solid #0072B2}
.impact-report h3{font-size:1.15rem;margin-top:1.2rem}
.impact-report table.impact-table{border-collapse:collapse;margin:.5rem 0 1rem 0;font-size:.92rem;table-layout:auto}
.impact-report table.impact-table caption{text-align:left;font-weight:600;padding:.2rem 0}
.impact-report table.impact-table th,.impact-report table.impact-table td,.impact-report table.impact-table tr{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
.impact-report table.impact-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.impact-report table.impact-table thead th{background:#f0f0f0}
.impact-warn{color:#a33c00}
.impact-meta{color:#333}.impact-hint{color:#444;font-style:italic}
.impact-alt summary{cursor:pointer;color:#0072B2}
.impact-note{white-space:pre-wrap;border-left:4px solid #56B4E9;padding:.3rem .6rem;margin:.4rem 0;background:#f7fbff}
.impact-status{font-weight:600}
</style>"""


def _show(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(f'<div class="impact-report">{markup}</div>'))


def _show_chart(chart: fg.Chart, lang: str) -> None:
    """Display a chart followed by its text alternative (a collapsible table)."""
    from IPython.display import display

    # The plotly JSON mimetype directly: going through plotly.io's renderers would import
    # nbformat/jsonschema in every report kernel (over a second of CPU each).
    bundle = {fg.PLOTLY_MIME: json.loads(chart.figure.to_json()), "text/plain": f"[{chart.title}]"}
    display(bundle, raw=True)
    _show(f'<details class="impact-alt"><summary>{esc(label("table", lang))}: {esc(chart.title)}</summary>'
          f"{_frame_table(chart.table, chart.title)}</details>")


# --------------------------------------------------------------------------- helpers on the context


def _name(ctx: ReportContext, kind: str, ident: str) -> str:
    mapping = getattr(ctx.catalog, kind)
    entity = mapping.get(ident)
    return entity.name.get(ctx.lang) if entity is not None else ident


def _require(ctx: ReportContext, kind: str, ident: str, what_de: str, what_en: str) -> None:
    known = getattr(ctx.catalog, kind)
    if ident not in known:
        what = what_en if ctx.lang == "en" else what_de
        raise ValueError(label("unknown_id", ctx.lang, what=what, id=ident, known=", ".join(known)))


def _status(status: Any, lang: str) -> str:
    key = f"status_{status}" if f"status_{status}" in LABELS else "status_no_data"
    return label(key, lang)


def _scores(ctx: ReportContext, scope: str, group_type: str) -> pd.DataFrame:
    s = ctx.evaluation.scores
    return s[(s["scope"] == scope) & (s["group_type"] == group_type)]


def _score_rows(ctx: ReportContext, scope: str, group_type: str, kind: str) -> pd.DataFrame:
    """Rows ``label, score, coverage, n_with_data, n_indicators`` in catalog order."""
    s = _scores(ctx, scope, group_type).set_index("group_id")
    rows = []
    for gid in getattr(ctx.catalog, kind):
        if gid in s.index:
            r = s.loc[gid]
            rows.append((_name(ctx, kind, gid), r["score"], r["coverage"], r["n_with_data"], r["n_indicators"]))
        else:
            rows.append((_name(ctx, kind, gid), float("nan"), 0.0, 0, 0))
    return pd.DataFrame(rows, columns=["label", "score", "coverage", "n_with_data", "n_indicators"])


def _indicator_rows(ctx: ReportContext, project_id: str | None = None) -> pd.DataFrame:
    ind = ctx.evaluation.indicators
    return ind[ind["project_id"] == project_id] if project_id is not None else ind


def _ind_name(ctx: ReportContext, indicator_id: str) -> str:
    ind = ctx.catalog.indicators.get(indicator_id)
    if ind is None:
        return indicator_id
    unit = ctx.catalog.units.get(ind.unit)
    return ind.name.get(ctx.lang) + (f" ({unit_symbol(unit, ctx.lang)})" if unit is not None and unit.symbol else "")


def unit_symbol(unit: Any, lang: str) -> str:
    """The unit's symbol; a symbol that is a German word (``Anzahl``) is its name in ``lang``."""
    name = getattr(unit, "name", None)
    if name is not None and unit.symbol == name.de:
        return str(name.get(lang))
    return str(unit.symbol)


def _heading(level: int, text: str, anchor: str | None = None) -> str:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f"<h{level}{ident}>{esc(text)}</h{level}>"


# --------------------------------------------------------------------------- title blocks


def report_title(ctx: ReportContext, title: str, subtitle: str | None = None) -> None:
    """The report heading with the cut-off date (shared by all report kinds)."""
    meta = f'{esc(label("as_of", ctx.lang))}: {esc(fmt_date(ctx.as_of, ctx.lang))}'
    sub = f'<p class="impact-meta">{esc(subtitle)}</p>' if subtitle else ""
    _show(f"{_STYLE}<h1>{esc(title)}</h1>{sub}<p class=\"impact-meta\">{meta}</p>")


def project_title(ctx: ReportContext, project_id: str) -> None:
    """Title block of a project report: name, lead, runtime, description."""
    _require(ctx, "projects", project_id, "Projekt", "project")
    p = ctx.catalog.projects[project_id]
    lang = ctx.lang
    end = fmt_date(p.end, lang) if p.end else label("open_end", lang)
    runtime = f"{fmt_date(p.start, lang)} – {end}"
    if p.runtime_illustrative:
        runtime += f"; {label('runtime_illustrative', lang)}"
    report_title(ctx, f"{label('report_project', lang)}: {p.name.get(lang)}")
    _show(f'<p class="impact-meta"><strong>{esc(label("lead", lang))}:</strong> {esc(p.lead)} · '
          f'<strong>{esc(label("runtime", lang))}:</strong> {esc(runtime)}</p>'
          f"<p>{esc(p.description.get(lang))}</p>"
          f'<p class="impact-hint">{esc(label("illustrative_note", lang))}</p>')


# --------------------------------------------------------------------------- project report


def project_summary(ctx: ReportContext, project_id: str) -> None:
    """Score and coverage per guiding idea and principle at a glance."""
    _require(ctx, "projects", project_id, "Projekt", "project")
    lang = ctx.lang
    overall = _scores(ctx, project_id, "overall")
    o = overall.iloc[0] if len(overall) else None
    _show(_heading(2, label("summary", lang), "summary") + f"<p>{esc(label('summary_intro', lang))}</p>"
          + (f'<p><strong>{esc(label("overall", lang))}:</strong> {esc(label("score", lang))} '
             f'{esc(fmt_pct(o["score"], lang))} · {esc(label("coverage", lang))} {esc(fmt_pct(o["coverage"], lang))}</p>'
             if o is not None else ""))
    for group_type, kind, key in (("guiding_idea", "guiding_ideas", "guiding_ideas"),
                                  ("principle", "principles", "principles")):
        rows = _score_rows(ctx, project_id, group_type, kind)
        _show_chart(fg.score_bars(rows, f"{label('chart_scores', lang)}: {label(key, lang)}", lang), lang)


def _indicator_block(ctx: ReportContext, project_id: str, indicator_id: str) -> None:
    lang = ctx.lang
    ind = ctx.catalog.indicators[indicator_id]
    rows = _indicator_rows(ctx, project_id)
    row = rows[rows["indicator_id"] == indicator_id]
    r = row.iloc[0] if len(row) else None
    target = ind.targets.get(project_id)
    star = "*" if target is not None and target.illustrative else ""
    facts = [
        (label("status", lang), _status(r["status"] if r is not None else "no_data", lang)),
        (label("value", lang), "–" if r is None or _missing(r["value"]) else
         f"{fmt_num(r['value'], lang, 2)} ({r['period'] if not _missing(r['period']) else '–'})"),
        (label("baseline", lang) + star, fmt_num(target.baseline if target else None, lang, 2)),
        (label("target", lang) + star, f"{fmt_num(target.target if target else None, lang, 2)} ({fmt_date(target.target_date if target else None, lang)})"),
        (label("progress", lang), fmt_pct(r["progress"] if r is not None else None, lang)),
        (label("expected_progress", lang), fmt_pct(r["expected_progress"] if r is not None else None, lang)),
        (label("forecast", lang), _forecast_text(r, target, lang)),
    ]
    facts_html = " · ".join(f"<strong>{esc(k)}:</strong> {esc(v)}" for k, v in facts)
    unlikely = r.get("target_unlikely") if r is not None else None
    if not _missing(unlikely) and bool(unlikely):
        facts_html += f' · <strong class="impact-warn">⚠ {esc(label("target_unlikely", lang))}</strong>'
    _show(_heading(3, _ind_name(ctx, indicator_id)) + f'<p class="impact-meta">{facts_html}</p>')
    series = ctx.evaluation.series
    s = series[(series["project_id"] == project_id) & (series["indicator_id"] == indicator_id)]
    title = f"{label('chart_series', lang)}: {_ind_name(ctx, indicator_id)}"
    _show_chart(fg.indicator_series(ind, project_id, s, r, title, lang), lang)
    _breakdown_table(ctx, project_id, indicator_id)


def _forecast_text(r: Any, target: Any, lang: str) -> str:
    """The forecast at the target date with its band, or why there is none."""
    if r is None or _missing(r.get("value")):
        return "–"
    if r.get("trend_note") == "too_short" or _missing(r.get("forecast")):
        return label("too_short", lang)
    text = fmt_num(r["forecast"], lang, 2)
    low, high = r.get("forecast_low"), r.get("forecast_high")
    if not _missing(low) and not _missing(high):
        text += f" ({label('forecast_range', lang)} {fmt_num(low, lang, 2)}–{fmt_num(high, lang, 2)})"
    return text


def _breakdown_table(ctx: ReportContext, project_id: str, indicator_id: str) -> None:
    """The latest period's breakdown values (e.g. by district or rarely heard groups), if any."""
    b = getattr(ctx.evaluation, "breakdowns", None)
    if b is None or len(b) == 0:
        return
    b = b[(b["project_id"] == project_id) & (b["indicator_id"] == indicator_id)]
    if b.empty:
        return
    latest = b[b["period_start"] == b["period_start"].max()]
    lang = ctx.lang
    rows = []
    for _, x in latest.iterrows():
        dim = ctx.catalog.breakdowns.get(x["breakdown"])
        value_name = dim.values.get(x["breakdown_value"]) if dim is not None else None
        rows.append((dim.name.get(lang) if dim is not None else x["breakdown"],
                     value_name.get(lang) if value_name is not None else x["breakdown_value"],
                     fmt_num(x["value"], lang, 2)))
    caption = f"{label('breakdown', lang)} ({latest['period'].iloc[0]})"
    _show(table_html(rows, [label("breakdown", lang), label("breakdown_value", lang), label("value", lang)],
                     caption=caption, numeric=[2]))


def project_guiding_ideas(ctx: ReportContext, project_id: str) -> None:
    """One section per guiding idea: its indicators' series against trajectory and forecast."""
    _require(ctx, "projects", project_id, "Projekt", "project")
    lang = ctx.lang
    indicators = ctx.catalog.indicators_for(project_id)
    for gid, gi in ctx.catalog.guiding_ideas.items():
        s = _scores(ctx, project_id, "guiding_idea")
        s = s[s["group_id"] == gid]
        score = (f'{label("score", lang)} {fmt_pct(s.iloc[0]["score"], lang)} · '
                 f'{label("coverage", lang)} {fmt_pct(s.iloc[0]["coverage"], lang)}') if len(s) else ""
        _show(_heading(2, f"{label('guiding_idea', lang)}: {gi.name.get(lang)}", f"gi-{gid}")
              + f"<p>{esc(gi.description.get(lang))}</p>" + (f'<p class="impact-meta">{esc(score)}</p>' if score else ""))
        members = [i for i in indicators if gid in i.guiding_ideas]
        if not members:
            _show(f'<p class="impact-hint">{esc(label("no_indicators", lang))}</p>')
        for ind in members:
            _indicator_block(ctx, project_id, ind.id)


def project_principles(ctx: ReportContext, project_id: str) -> None:
    """The principles for good practice: which indicators serve each and how it scores."""
    _require(ctx, "projects", project_id, "Projekt", "project")
    lang = ctx.lang
    rows = _score_rows(ctx, project_id, "principle", "principles")
    indicators = ctx.catalog.indicators_for(project_id)
    table = []
    for (pid, p), (_, r) in zip(ctx.catalog.principles.items(), rows.iterrows(), strict=True):
        names = ", ".join(_ind_name(ctx, i.id) for i in indicators if pid in i.principles) or label("none", lang)
        table.append((p.name.get(lang), fmt_pct(r["score"], lang), fmt_pct(r["coverage"], lang), names))
    _show(_heading(2, label("principles", lang), "principles")
          + table_html(table, [label("principle", lang), label("score", lang), label("coverage", lang),
                               label("indicators", lang)]))


def project_ladder(ctx: ReportContext, project_id: str) -> None:
    """The balance of outputs, outcomes and impact (PHINEO's impact ladder)."""
    _require(ctx, "projects", project_id, "Projekt", "project")
    lang = ctx.lang
    lad = ctx.evaluation.ladder
    lad = lad[lad["project_id"] == project_id]
    _show(_heading(2, label("ladder", lang), "ladder") + f"<p>{esc(label('ladder_intro', lang))}</p>")
    _show_chart(fg.ladder_chart(lad, label("ladder", lang), lang), lang)


def project_completeness(ctx: ReportContext, project_id: str) -> None:
    """Received against expected submissions per indicator, and the overdue periods."""
    _require(ctx, "projects", project_id, "Projekt", "project")
    lang = ctx.lang
    comp = ctx.evaluation.completeness
    comp = comp[comp["project_id"] == project_id].copy()
    comp["label"] = [_ind_name(ctx, i) for i in comp["indicator_id"]]
    _show(_heading(2, label("completeness", lang), "completeness"))
    _show_chart(fg.completeness_chart(comp, label("chart_completeness", lang), lang), lang)


def project_notes(ctx: ReportContext, project_id: str, limit: int = 12) -> None:
    """The most recent qualitative notes submitted with values (shown escaped, as text)."""
    _require(ctx, "projects", project_id, "Projekt", "project")
    lang = ctx.lang
    parts = [_heading(2, label("notes", lang), "notes")]
    frames = [ctx.evaluation.series]
    if hasattr(ctx.evaluation, "breakdowns") and "note" in ctx.evaluation.breakdowns.columns:
        frames.append(ctx.evaluation.breakdowns)
    notes = pd.concat([f[["project_id", "indicator_id", "period", "period_start", "note"]] for f in frames],
                      ignore_index=True)
    notes = notes[(notes["project_id"] == project_id) & notes["note"].notna()]
    notes = notes[notes["note"].astype(str).str.strip() != ""]
    notes = notes.drop_duplicates(["indicator_id", "period", "note"]).sort_values("period_start", ascending=False)
    if notes.empty:
        parts.append(f'<p class="impact-hint">{esc(label("no_notes", lang))}</p>')
    for _, n in notes.head(limit).iterrows():
        parts.append(f'<blockquote class="impact-note"><strong>{esc(_ind_name(ctx, n["indicator_id"]))}, '
                     f'{esc(n["period"])}:</strong> {esc(n["note"])}</blockquote>')
    _show("".join(parts))


def methodology(ctx: ReportContext, project_id: str | None = None, indicator_ids: Iterable[str] | None = None) -> None:
    """The appendix: every indicator of the report as the catalog defines it, plus the engine's method."""
    lang = ctx.lang
    if indicator_ids is None:
        inds = ctx.catalog.indicators_for(project_id) if project_id else tuple(ctx.catalog.indicators.values())
    else:
        inds = tuple(ctx.catalog.indicators[i] for i in indicator_ids if i in ctx.catalog.indicators)
    parts = [_heading(2, label("methodology", lang), "methodology"),
             f"<p>{esc(label('methodology_intro', lang, hash=ctx.catalog.content_hash[:12]))}</p>"]
    if ctx.methodology:  # the engine's own method text (Markdown, a constant of impact.engine.evaluation)
        from IPython.display import Markdown, display

        _show("".join(parts))
        display(Markdown(ctx.methodology))
        parts = []
    for ind in inds:
        unit = ctx.catalog.units.get(ind.unit)
        rows = [
            (label("definition", lang), ind.definition.get(lang)),
            (label("unit", lang), unit.name.get(lang) if unit else ind.unit),
            (label("direction", lang), label(f"dir_{ind.direction}", lang)),
            (label("frequency", lang), label(f"freq_{ind.frequency}", lang)),
            (label("impact_step", lang), f"{ind.impact_step} ({label('level_' + ind.level, lang)})"),
            (label("guiding_ideas", lang), ", ".join(_name(ctx, "guiding_ideas", g) for g in ind.guiding_ideas)),
            (label("principles", lang), ", ".join(_name(ctx, "principles", g) for g in ind.principles)),
            (label("source", lang), ind.source.get(lang)),
            (label("method", lang), ind.method.get(lang)),
            (label("framework_section", lang), ind.framework_section),
        ]
        targets = [(pid, t) for pid, t in ind.targets.items() if project_id is None or pid == project_id]
        for pid, t in targets:
            star = f" ({label('illustrative', lang)})" if t.illustrative else ""
            band = f", {label('band', lang)} {fmt_num(t.band[0], lang, 2)}–{fmt_num(t.band[1], lang, 2)}" if t.band else ""
            rows.append((f"{label('baseline', lang)} → {label('target', lang)} · {_name(ctx, 'projects', pid)}",
                         f"{fmt_num(t.baseline, lang, 2)} ({fmt_date(t.baseline_date, lang)}) → "
                         f"{fmt_num(t.target, lang, 2)} ({fmt_date(t.target_date, lang)}){band}{star}"))
        parts.append(table_html(rows, [label("indicator", lang), _ind_name(ctx, ind.id)], caption=ind.id))
    _show("".join(parts))


# --------------------------------------------------------------------------- portfolio report


def portfolio_overview(ctx: ReportContext) -> None:
    """The five pilots side by side: overall score, coverage and score per guiding idea."""
    lang = ctx.lang
    report_title(ctx, label("report_portfolio", lang))
    rows = []
    for pid, p in ctx.catalog.projects.items():
        o = _scores(ctx, pid, "overall")
        r = o.iloc[0] if len(o) else None
        n_ind = len(ctx.catalog.indicators_for(pid))
        rows.append((p.name.get(lang), p.lead, fmt_pct(r["score"] if r is not None else None, lang),
                     fmt_pct(r["coverage"] if r is not None else None, lang), n_ind))
    _show(_heading(2, label("pilots_side_by_side", lang), "pilots")
          + table_html(rows, [label("project", lang), label("lead", lang), label("score", lang),
                              label("coverage", lang), label("indicators", lang)], numeric=[4]))
    _show_chart(fg.project_comparison(ctx.evaluation.scores, "guiding_idea",
                                      {k: _name(ctx, "guiding_ideas", k) for k in ctx.catalog.guiding_ideas},
                                      {k: _name(ctx, "projects", k) for k in ctx.catalog.projects},
                                      f"{label('score', lang)}: {label('guiding_ideas', lang)}", lang), lang)


def portfolio_matrices(ctx: ReportContext) -> None:
    """The synergy matrices: project × guiding idea and project × principle."""
    lang = ctx.lang
    _show(_heading(2, label("synergies", lang), "synergies") + f"<p>{esc(label('synergy_intro', lang))}</p>")
    projects = {k: _name(ctx, "projects", k) for k in ctx.catalog.projects}
    for attr, kind, key in (("matrix_guiding_ideas", "guiding_ideas", "guiding_ideas"),
                            ("matrix_principles", "principles", "principles")):
        matrix = getattr(ctx.evaluation, attr)
        cols = {k: _name(ctx, kind, k) for k in getattr(ctx.catalog, kind)}
        _show_chart(fg.matrix_heatmap(matrix, projects, cols, f"{label('synergies', lang).split(':')[0]}: "
                                      f"{label('projects', lang)} × {label(key, lang)}", lang), lang)


def portfolio_shared(ctx: ReportContext) -> None:
    """Indicators reported by at least two pilots, compared."""
    lang = ctx.lang
    shared = ctx.evaluation.shared_indicators
    _show(_heading(2, label("shared_indicators", lang), "shared"))
    if shared is None or len(shared) == 0:
        _show(f'<p class="impact-hint">{esc(label("no_shared", lang))}</p>')
        return
    projects = {k: _name(ctx, "projects", k) for k in ctx.catalog.projects}
    for indicator_id in dict.fromkeys(shared["indicator_id"]):
        rows = shared[shared["indicator_id"] == indicator_id]
        _show_chart(fg.shared_indicator_chart(rows, projects, _ind_name(ctx, indicator_id), lang), lang)


# --------------------------------------------------------------------------- cross-pilot reports


def _cross_report(ctx: ReportContext, group_type: str, kind: str, ident: str, title_key: str) -> None:
    lang = ctx.lang
    entity = getattr(ctx.catalog, kind)[ident]
    report_title(ctx, f"{label(title_key, lang)}: {entity.name.get(lang)}", label("across_pilots", lang))
    _show(f"<p>{esc(entity.description.get(lang))}</p>"
          f'<p class="impact-meta">{esc(label("framework_section", lang))}: {esc(entity.section)}</p>')
    rows = []
    for pid in ctx.catalog.projects:
        s = _scores(ctx, pid, group_type)
        s = s[s["group_id"] == ident]
        r = s.iloc[0] if len(s) else None
        rows.append((_name(ctx, "projects", pid), r["score"] if r is not None else float("nan"),
                     r["coverage"] if r is not None else 0.0, r["n_with_data"] if r is not None else 0,
                     r["n_indicators"] if r is not None else 0))
    s = _scores(ctx, "portfolio", group_type)
    s = s[s["group_id"] == ident]
    if len(s):
        r = s.iloc[0]
        rows.append((label("portfolio", lang), r["score"], r["coverage"], r["n_with_data"], r["n_indicators"]))
    frame = pd.DataFrame(rows, columns=["label", "score", "coverage", "n_with_data", "n_indicators"])
    _show(_heading(2, label("scores_by_project", lang), "scores"))
    _show_chart(fg.score_bars(frame, f"{label('scores_by_project', lang)}: {entity.name.get(lang)}", lang), lang)

    attr = "guiding_ideas" if group_type == "guiding_idea" else "principles"
    members = [i for i in ctx.catalog.indicators.values() if ident in getattr(i, attr)]
    ind = ctx.evaluation.indicators
    table = []
    for i in members:
        for pid in i.targets:
            r = ind[(ind["project_id"] == pid) & (ind["indicator_id"] == i.id)]
            rr = r.iloc[0] if len(r) else None
            table.append((_ind_name(ctx, i.id), _name(ctx, "projects", pid),
                          fmt_num(rr["value"] if rr is not None else None, lang, 2),
                          fmt_pct(rr["progress"] if rr is not None else None, lang),
                          _status(rr["status"] if rr is not None else "no_data", lang)))
    _show(_heading(2, label("indicator_overview", lang), "indicators")
          + (table_html(table, [label("indicator", lang), label("project", lang), label("value", lang),
                                label("progress", lang), label("status", lang)])
             if table else f'<p class="impact-hint">{esc(label("no_indicators", lang))}</p>'))
    if members:
        _show(_heading(2, label("series_by_project", lang), "series"))
    projects = {k: _name(ctx, "projects", k) for k in ctx.catalog.projects}
    series = ctx.evaluation.series
    for i in members:
        s = series[series["indicator_id"] == i.id]
        _show_chart(fg.cross_project_series(s, projects, _ind_name(ctx, i.id), lang), lang)
    methodology(ctx, indicator_ids=[i.id for i in members])


def guiding_idea_report(ctx: ReportContext, guiding_idea_id: str) -> None:
    """One guiding idea across all pilots: scores, indicators, series, methodology."""
    _require(ctx, "guiding_ideas", guiding_idea_id, "Leitgedanken", "guiding idea")
    _cross_report(ctx, "guiding_idea", "guiding_ideas", guiding_idea_id, "report_guiding_idea")


def principle_report(ctx: ReportContext, principle_id: str) -> None:
    """One principle across all pilots: scores, indicators, series, methodology."""
    _require(ctx, "principles", principle_id, "Prinzip", "principle")
    _cross_report(ctx, "principle", "principles", principle_id, "report_principle")
