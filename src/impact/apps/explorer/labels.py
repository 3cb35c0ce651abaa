"""Bilingual labels and messages of the explorer (German first, English second)."""

from __future__ import annotations

__all__ = ["LABELS", "label"]

# key -> (German, English)
LABELS: dict[str, tuple[str, str]] = {
    "title": ("Wirkungsmessung Smart City Berlin – Explorer", "Smart City Berlin impact measurement – explorer"),
    "lang": ("Sprache", "Language"),
    "as_of": ("Stand", "As of"),
    "projects": ("Projekte", "Projects"),
    "guiding_idea": ("Leitgedanke", "Guiding idea"),
    "principle": ("Prinzip", "Principle"),
    "perspective": ("Perspektive", "Perspective"),
    "indicator": ("Indikatoren", "Indicators"),
    "time_range": ("Zeitraum", "Time range"),
    "breakdown": ("Aufschlüsselung", "Breakdown"),
    "score_kind": ("Werte nach", "Scores by"),
    "all": ("(alle)", "(all)"),
    "none": ("(keine)", "(none)"),
    "download": ("Auswahl als CSV", "Selection as CSV"),
    "download_tip": ("Erzeugt einen Download-Link für die angezeigte Tabelle",
                     "Creates a download link for the table shown"),
    "download_link": ("CSV herunterladen", "Download CSV"),
    "rows": ("Zeilen", "rows"),
    "kind_guiding_idea": ("Leitgedanken", "Guiding ideas"),
    "kind_principle": ("Prinzipien", "Principles"),
    "kind_perspective": ("Perspektiven", "Perspectives"),
    "portfolio": ("Portfolio (alle Projekte)", "Portfolio (all projects)"),
    "score": ("Wert (0–1)", "Score (0–1)"),
    "coverage": ("Abdeckung", "Coverage"),
    "score_title": ("Zielerreichung nach {kind} – Stand {as_of}", "Progress by {kind} – as of {as_of}"),
    "series_title": ("Zeitreihen gegen den Zielpfad", "Series against the target trajectory"),
    "breakdown_title": ("Aufgeschlüsselte Werte: {breakdown}", "Values broken down by: {breakdown}"),
    "breakdown_title_none": ("Aufschlüsselung: bitte oben eine wählen", "Breakdown: choose one above"),
    "too_many": (" – die ersten {shown} von {total} Linien (Auswahl eingrenzen; die Tabelle enthält alle)",
                 " – first {shown} of {total} lines (narrow the selection; the table has all)"),
    "trajectory": ("Zielpfad", "target trajectory"),
    "period": ("Zeitraum", "Period"),
    "value": ("Wert", "Value"),
    "table_title": ("Zugrunde liegende Werte", "Underlying values"),
    "table_more": ("… {n} weitere Zeilen (vollständig im CSV)", "… {n} more rows (all of them in the CSV)"),
    "table_empty": ("Keine Werte für diese Auswahl.", "No values for this selection."),
    "col_project_id": ("Projekt", "Project"),
    "col_indicator_id": ("Indikator-ID", "Indicator id"),
    "col_indicator": ("Indikator", "Indicator"),
    "col_period": ("Zeitraum", "Period"),
    "col_breakdown": ("Aufschlüsselung", "Breakdown"),
    "col_breakdown_value": ("Ausprägung", "Breakdown value"),
    "col_value": ("Wert", "Value"),
    "col_unit": ("Einheit", "Unit"),
    "col_note": ("Anmerkung", "Note"),
    "col_submission_id": ("Einreichung (ID)", "Submission id"),
    "empty_store": (
        "Der Datenspeicher {store} enthält noch keine Werte{missing}. Beispieldaten laden: "
        "<code>make report</code> oder <code>impact ingest data/sample/*.csv data/sample/*.xlsx</code>, dann diese Zelle neu ausführen.",
        "The store {store} holds no values yet{missing}. To load the sample data run "
        "<code>make report</code> or <code>impact ingest data/sample/*.csv data/sample/*.xlsx</code>, then run this cell again.",
    ),
    "store_missing": (" (den Ordner gibt es nicht – stimmt der Pfad?)", " (there is no such folder – is the path right?)"),
    "none_received": ("Bis zum Stand {as_of} war noch keine Einreichung eingegangen (die erste kam am {first}). "
                      "Bitte einen späteren Stand wählen.",
                      "Nothing had been received by {as_of} (the first submission arrived on {first}). "
                      "Please choose a later as-of date."),
    "store_error": ("Der Datenspeicher {store} kann nicht gelesen werden: {error}",
                    "The store {store} cannot be read: {error}"),
    "catalog_error": ("Der Indikatorenkatalog ist fehlerhaft ({n} Probleme):",
                      "The indicator catalog is broken ({n} problems):"),
    "eval_error": ("Die Auswertung zum Stand {as_of} ist fehlgeschlagen: {error}",
                   "The evaluation as of {as_of} failed: {error}"),
    "no_as_of": ("Bitte ein Datum für den Stand wählen.", "Please choose an as-of date."),
}


def label(key: str, lang: str = "de", **fmt: object) -> str:
    """The label ``key`` in ``lang`` (``de`` or ``en``), formatted with ``fmt``."""
    de, en = LABELS[key]
    text = en if lang == "en" else de
    return text.format(**fmt) if fmt else text
