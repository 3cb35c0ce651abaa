"""The top of every report: the title, the two dates, and (for a publication set) the notice that
only approved values are shown; for a project report also lead, runtime and description."""

from __future__ import annotations

from typing import TYPE_CHECKING

from impact.core.i18n import format_date, texts
from impact.reports import markup
from impact.reports.naming import require
from impact.reports.planning import ReportSpec
from impact.reports.provenance import approved_only_notice, dates_line

if TYPE_CHECKING:  # pragma: no cover
    from impact.reports.context import ReportContext

__all__ = ["project_title", "report_title"]


def report_title(ctx: ReportContext, title: str, subtitle: str | None = None) -> None:
    """The report heading with reference date and knowledge date (shared by all report kinds)."""
    sub = f'<p class="impact-meta">{markup.esc(subtitle)}</p>' if subtitle else ""
    dates = dates_line({"as_of": ctx.as_of, "known_at": ctx.known_at}, ctx.lang)
    notice = (f'<p class="impact-notice" id="approved-only">{markup.esc(approved_only_notice(ctx.lang))}</p>'
              if ctx.approved_only else "")
    markup.show(f'{markup.STYLE}<h1>{markup.esc(title)}</h1>{sub}<p class="impact-meta" id="report-dates">'
                f"{markup.esc(dates)}</p>{notice}")


def project_title(ctx: ReportContext, project_id: str) -> None:
    """Title block of a project report: name, dates, lead, runtime, description."""
    require(ctx, "projects", project_id)
    p = ctx.catalog.projects[project_id]
    lang = ctx.lang
    _ = texts(lang)
    end = format_date(p.end, lang) if p.end else _("open")
    runtime = f"{format_date(p.start, lang)} – {end}"
    if p.runtime_illustrative:
        runtime = _("{runtime}; runtime partly assumed (not public)", runtime=runtime)
    report_title(ctx, ReportSpec("project", project_id).title(ctx.catalog, lang))
    facts = " · ".join(markup.labelled(label, value) for label, value in ((_("Lead"), p.lead), (_("Runtime"), runtime)))
    markup.show(f'<p class="impact-meta">{facts}</p>' + markup.para(p.description.get(lang))
                + markup.hint(_("Note: baselines and targets marked * are not public and were set for "
                                "illustration only.")))
