"""The widgets of the portal page and their texts, in one language at a time.

Only construction and wording live here; what the controls do is in :mod:`impact.apps.portal.app`.
Every control is a native, focusable element (buttons, a file button, check boxes, links), so the
page can be used with the keyboard alone; headings give it an outline for screen readers.
"""

from __future__ import annotations

import ipywidgets as w

from impact.apps.portal.html import INTRO, STYLE, TITLE, esc, language_name, message_html, size_text, tag
from impact.core.i18n import texts

__all__ = ["ACCEPTED_SUFFIXES", "PortalView"]

ACCEPTED_SUFFIXES = (".csv", ".xlsx")  # what the reader accepts (no .txt: it would be refused anyway)


class PortalView:
    """The widget tree. ``widget`` is what the notebook displays."""

    def __init__(self, languages: tuple[str, ...], lang: str) -> None:
        self.lang_toggle = w.ToggleButtons(options=[(language_name(c), c) for c in languages], value=lang)
        self.lang_toggle.add_class("impact-lang")
        self.header = w.HTML()
        self.header.add_class("impact-header")
        self.status = w.HTML()
        self.status.add_class("impact-status")
        self.template_label = w.HTML()
        self.format_choice = w.ToggleButtons(options=[("CSV", "csv"), ("Excel (.xlsx)", "xlsx")], value="csv")
        self.format_choice.add_class("impact-format")
        self.template_link = w.HTML()
        self.template_link.add_class("impact-template")
        self.upload_label = w.HTML()
        self.upload = w.FileUpload(accept=",".join(ACCEPTED_SUFFIXES), multiple=False, icon="")
        self.upload.add_class("impact-upload")
        self.validation = w.HTML()
        self.validation.add_class("impact-validation")
        self.submit_label = w.HTML()
        self.allow_revert = w.Checkbox(value=False, indent=False, layout=w.Layout(display="none", width="auto"))
        self.allow_revert.add_class("impact-allow-revert")
        self.confirm_implausible = w.Checkbox(value=False, indent=False,
                                              layout=w.Layout(display="none", width="auto"))
        self.confirm_implausible.add_class("impact-confirm-implausible")
        self.submit_button = w.Button(button_style="success", disabled=True)
        self.submit_button.add_class("impact-submit")
        self.receipt = w.HTML()
        self.receipt.add_class("impact-receipt")
        self.queries = w.VBox()
        self.queries.add_class("impact-queries")
        self.project_box = w.VBox([
            self.queries, self.template_label, self.format_choice, self.template_link, self.upload_label, self.upload,
            self.validation, self.submit_label, self.allow_revert, self.confirm_implausible, self.submit_button,
            self.receipt])
        self.project_box.layout.display = "none"
        self.widget = w.VBox([w.HTML(STYLE), self.lang_toggle, self.header, self.status, self.project_box])
        self.widget.add_class("impact-portal")

    def show_project(self, shown: bool) -> None:
        self.project_box.layout.display = "flex" if shown else "none"

    def render_labels(self, lang: str, max_bytes: int, signed_in_line: str) -> None:
        """Every fixed text of the page in ``lang``; ``signed_in_line`` is trusted HTML."""
        _ = texts(lang)
        title = _(TITLE)
        lost = _("The connection to the portal has ended, for example after a while without activity. "
                 "Please reload the page; you may have to sign in again.")
        self.lang_toggle.tooltips = [_("Language") for _c in self.lang_toggle.options]
        intro = _(INTRO)
        self.header.value = (f'<div data-impact-lang="{esc(lang)}" data-impact-title="{esc(title)}" '
                             f'data-impact-disconnected="{esc(lost)}">{tag("h1", title)}{tag("p", intro)}'
                             f"{signed_in_line}</div>")
        self.template_label.value = tag("h2", _("1. Download the template (optional)"))
        limit = size_text(max_bytes, lang)
        self.upload_label.value = tag("h2", _("2. Upload your file (CSV or Excel, at most {limit})", limit=limit))
        self.upload.description = _("Choose file")
        self.submit_label.value = tag("h2", _("3. Submit"))
        self.submit_button.description = _("Submit")
        self.allow_revert.description = _("Yes, replace the newer corrections listed above with the values of this file")
        self.confirm_implausible.description = _("Yes, the values flagged as implausible above are correct")

    @staticmethod
    def signed_in_line(lang: str, project: str, name: str, token_id: str) -> str:
        _ = texts(lang)
        text = _("Signed in for the project “{name}” ({project}), token id {token_id}.", name=name, project=project,
                 token_id=token_id)
        return message_html("ok", text, link=(f"logout?lang={lang}", _("Sign out")))

    @staticmethod
    def signed_out_line(lang: str) -> str:
        _ = texts(lang)
        return message_html("info", _("Please sign in with your project's access token first."),
                            link=(f"login?lang={lang}", _("Sign in")))
