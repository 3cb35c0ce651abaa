"""Executed report notebook → self-contained HTML that opens offline.

* Code cells are hidden (only their outputs are shown); stderr streams (warnings) are dropped.
* Plotly figures stay in the notebook as ``application/vnd.plotly.v1+json`` (so JupyterLab shows
  them natively); :class:`PlotlyToHtml` turns each into a ``<div>`` plus a small script, and the
  page loads plotly.js **once** from ``plotly.min.js`` beside the report (relative URL), instead
  of embedding 4.8 MB per report. :func:`write_plotly_js` puts that file there.
* The template (``impact/templates/impact_report``) extends nbconvert's ``lab`` template with
  the CDN-loaded parts (require.js, MathJax, mermaid, widget manager) removed.
* Markdown cells are left out: their headings are for readers of the notebook in JupyterLab;
  every visible heading of the page comes from the report sections, in the report's language.
"""

from __future__ import annotations

import functools
import html
import shutil
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from impact.core.files import atomic_write_text, atomic_write_with
from impact.core.i18n import texts

__all__ = ["PLOTLY_JS", "PLOTLY_MIME", "PlotlyToHtml", "export_html", "no_plotly_notice", "plotly_js_source",
           "write_plotly_js"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS = "plotly.min.js"
TEMPLATES = Path(__file__).resolve().parent / "templates"
_CONFIG = {"displaylogo": False, "responsive": True,
           "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"]}


def plotly_js_source() -> Path:
    """The plotly.js bundle shipped with the installed plotly package."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / PLOTLY_JS


def write_plotly_js(directory: Path) -> Path:
    """Copy plotly.js into ``directory`` (once; kept when already identical in size)."""
    src = plotly_js_source()
    dest = directory / PLOTLY_JS
    if not dest.is_file() or dest.stat().st_size != src.stat().st_size:
        def copy(tmp: Path) -> None:
            shutil.copyfile(src, tmp)

        atomic_write_with(dest, copy)
    return dest


class PlotlyToHtml(Preprocessor):  # type: ignore[misc]
    """Replace plotly JSON outputs by HTML divs that use an already loaded plotly.js.

    Also removes stderr streams (warnings are for the executed notebook, not for readers), and
    sets the page's ``lang`` to the report's language (``resources["report_lang"]``): nbconvert
    itself accepts only ISO 639-1 codes, a catalogue may add any language.
    """

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        if resources.get("report_lang"):
            resources["language_code"] = resources["report_lang"]
        return super().preprocess(nb, resources)  # type: ignore[no-any-return]

    def preprocess_cell(self, cell: Any, resources: dict[str, Any], index: int) -> tuple[Any, dict[str, Any]]:
        if cell.get("cell_type") != "code":
            return cell, resources
        import plotly.io as pio

        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue
            data = out.get("data")
            if data is not None and PLOTLY_MIME in data:
                fig = data[PLOTLY_MIME]
                markup = pio.to_html(dict(fig), include_plotlyjs=False, full_html=False, validate=False,
                                     config=_CONFIG, default_width="100%")
                out["data"] = nbformat.from_dict({"text/html": markup})
                resources.setdefault("plotly_figures", 0)
                resources["plotly_figures"] += 1
            outputs.append(out)
        cell["outputs"] = outputs
        return cell, resources


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process (compiling the templates costs time)."""
    exporter = HTMLExporter(template_name="impact_report", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_markdown=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(PlotlyToHtml(), enabled=True)
    return exporter


def no_plotly_notice(lang: str) -> str:
    """The notice a page shows when it was copied without ``plotly.min.js`` (HTML; the file name is
    filled in by the page's script)."""
    _ = texts(lang)
    text = _("The interactive charts need the file {file} from the same folder beside this page; the "
             "tables below each chart show the same numbers.", file="\x00")
    return html.escape(text, quote=False).replace("\x00", '<code class="impact-plotly-file"></code>')


def export_html(notebook: Path | Any, html_path: Path, *, lang: str = "de", title: str | None = None,
                plotly_js_url: str = PLOTLY_JS) -> int:
    """Write the executed ``notebook`` (path or NotebookNode) as HTML to ``html_path`` (atomically).

    Returns the number of plotly charts in the page.
    """
    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, str | Path) else notebook
    if title:
        nb.metadata["title"] = title
    body, resources = _exporter().from_notebook_node(
        nb, resources={"plotly_js_url": plotly_js_url, "no_plotly_notice": no_plotly_notice(lang), "report_lang": lang})
    atomic_write_text(html_path, body)
    return int(resources.get("plotly_figures", 0))
