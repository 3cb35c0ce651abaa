"""How a chart reaches the page: the whole figure as one output of an ``ipywidgets.Output``.

Why not ``plotly.graph_objects.FigureWidget``: in plotly 7 it is an anywidget whose front-end
code (plotly.js, about 5 MB) travels in every figure's widget state and is evaluated once per
figure when the page loads. anywidget (0.11) gives that evaluation two seconds
(``AbortSignal.timeout(2000)`` in its ``Runtime``); when it takes longer — three charts on a page
that Voilà is still building, on a busy machine — the model's ``ready`` promise is rejected, and
``AnyModel._handle_comm_msg`` awaits that promise before applying *every* later message. The
chart was drawn from its initial state, but no update is ever applied again and no
acknowledgement is sent: the freeze seen in about one Voilà load in four (see docs/explorer.md).

Here every update replaces the output's single display item, a plotly mime bundle
(``application/vnd.plotly.v1+json``), in one state message of a core ipywidget. The
jupyterlab-plotly renderer that ships with plotly draws it in JupyterLab and in Voilà; its
plotly.js is a static file loaded once per page (not widget state), and the widget state per
chart is the figure's JSON (kilobytes). There is no ordering between messages to get wrong: the
last state is what is drawn.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from impact.apps.explorer.figures import Chart

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["CONFIG", "MIME_TYPE", "ChartView", "figure_output"]

MIME_TYPE = "application/vnd.plotly.v1+json"
CONFIG = {"displaylogo": False,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]}


def figure_output(spec: dict[str, Any]) -> dict[str, Any]:
    """A ``display_data`` output holding a figure ``spec`` (plain JSON types) as plotly's mime bundle."""
    title = spec.get("layout", {}).get("title", {}).get("text", "")
    return {"output_type": "display_data", "metadata": {},
            "data": {MIME_TYPE: {**spec, "config": CONFIG}, "text/plain": html.unescape(str(title))}}


class ChartView:
    """One chart on the page: a note (why nothing is drawn, or what is left out) above the figure.

    :attr:`figure` is the figure last shown (an empty figure while nothing is drawn); the page
    shows exactly that figure.
    """

    def __init__(self, name: str) -> None:
        self.note = w.HTML()
        self.output = w.Output(layout=w.Layout(display="none"))
        self.widget = w.VBox([self.note, self.output])
        self.widget.add_class(f"impact-chart-{name}")  # how tests and styles find this chart on the page
        self.chart = Chart(None)

    @property
    def drawn(self) -> bool:
        """Whether a figure is shown."""
        return self.chart.spec is not None

    @property
    def figure(self) -> go.Figure:
        """The figure shown, as a validated plotly figure (empty while nothing is drawn)."""
        return self.chart.figure

    def show(self, chart: Chart) -> None:
        """Show ``chart``: its note, and its figure or nothing."""
        self.note.value = (f'<p class="impact-note" role="status" style="margin:0.4em 0;padding:0.4em 0.6em;'
                           f'border-left:4px solid #0072B2;background:#F2F7FB">{html.escape(chart.note)}</p>'
                           if chart.note else "")
        self.chart = chart
        if chart.spec is None:
            self.output.outputs = ()
            self.output.layout.display = "none"
            return
        self.output.outputs = (figure_output(chart.spec),)
        self.output.layout.display = None
