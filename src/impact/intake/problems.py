"""Bilingual texts (German first, English second) for every submission problem code.

Each code is stable and documented in ``docs/submitting.md``; tools may rely on it. The texts
are ``str.format`` templates; :func:`problem` fills them and returns an
:class:`impact.core.errors.Problem`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from impact.core.errors import Problem

__all__ = ["CODES", "WARNING_CODES", "closest", "problem"]

# code -> (German, English). Placeholders are filled from keyword arguments of ``problem``.
CODES: dict[str, tuple[str, str]] = {
    # --- file level (the file cannot be read at all) ---
    "empty_file": ("Die Datei ist leer.", "The file is empty."),
    "binary_file": ("Die Datei ist keine Textdatei (CSV), sondern binär.",
                    "The file is not a text (CSV) file but binary data."),
    "file_too_large": ("Die Datei ist zu groß ({size_de} Bytes, erlaubt sind höchstens {limit_de} Bytes).",
                       "The file is too large ({size} bytes; at most {limit} bytes are allowed)."),
    "bad_encoding": ("Die Datei ist weder in UTF-8 noch in Windows-1252 kodiert (Byte {pos}).",
                     "The file is encoded neither in UTF-8 nor in Windows-1252 (byte {pos})."),
    "mixed_encoding": ("Die Datei mischt UTF-8 und eine andere Kodierung (ab Byte {pos}); Umlaute würden verfälscht.",
                       "The file mixes UTF-8 with another encoding (from byte {pos}); umlauts would be garbled."),
    "no_data_rows": ("Die Datei enthält keine Datenzeilen (nur Kopfzeile oder leere Zeilen).",
                     "The file has no data rows (only a header or blank rows)."),
    "unsupported_format": ("Dateityp „{ext}“ wird nicht unterstützt.", "File type '{ext}' is not supported."),
    "bad_xlsx": ("Die Datei ist keine gültige Excel-Datei (.xlsx).", "The file is not a valid Excel (.xlsx) file."),
    "unreadable_file": ("Die Datei lässt sich nicht öffnen: {detail_de}.", "The file cannot be opened: {detail}."),
    "bad_csv": ("Die CSV-Datei lässt sich nicht lesen: {detail}.", "The CSV file cannot be read: {detail}."),
    # --- header (row 1) ---
    "missing_column": ("Pflichtspalte „{column}“ fehlt.", "Required column '{column}' is missing."),
    "unknown_column": ("Unbekannte Spalte „{column}“ wird ignoriert.", "Unknown column '{column}' is ignored."),
    "duplicate_column": ("Spalte „{column}“ kommt mehrfach vor.", "Column '{column}' appears more than once."),
    # --- rows ---
    "bad_row": ("Die Zeile hat {actual} Felder, die Kopfzeile aber {expected}.",
                "The row has {actual} fields but the header has {expected}."),
    "missing_value": ("Das Feld „{column}“ ist leer.", "The field '{column}' is empty."),
    "formula": ("Formeln sind nicht erlaubt: „{value}“.", "Formulas are not allowed: '{value}'."),
    "unknown_project": ("Unbekanntes Projekt „{value}“.", "Unknown project '{value}'."),
    "project_not_allowed": ("Projekt „{value}“ darf mit diesem Zugang nicht gemeldet werden (nur „{allowed}“).",
                            "Project '{value}' may not be submitted with this access (only '{allowed}')."),
    "unknown_indicator": ("Unbekannter Indikator „{value}“.", "Unknown indicator '{value}'."),
    "indicator_not_in_project": ("Indikator „{value}“ gehört nicht zum Projekt „{project}“.",
                                 "Indicator '{value}' is not assigned to project '{project}'."),
    "bad_period": ("„{value}“ ist kein gültiger Zeitraum.", "'{value}' is not a valid period."),
    "wrong_frequency": ("Zeitraum „{value}“ passt nicht: Indikator „{indicator}“ wird {freq_de} gemeldet.",
                        "Period '{value}' does not fit: indicator '{indicator}' is reported {freq_en}."),
    "period_in_future": ("Zeitraum „{value}“ liegt in der Zukunft (heute ist {today}).",
                         "Period '{value}' lies in the future (today is {today})."),
    "period_outside_runtime": ("Zeitraum „{value}“ liegt außerhalb der Projektlaufzeit von „{project}“ ({runtime}).",
                               "Period '{value}' lies outside the runtime of project '{project}' ({runtime})."),
    "not_a_number": ("„{value}“ ist keine Zahl.", "'{value}' is not a number."),
    "number_too_large": ("Die Zahl „{value}“ ist unplausibel groß.", "The number '{value}' is implausibly large."),
    "below_min": ("Wert {value_de} ist kleiner als das Minimum {limit_de} von „{indicator}“.",
                  "Value {value} is below the minimum {limit} of '{indicator}'."),
    "above_max": ("Wert {value_de} ist größer als das Maximum {limit_de} von „{indicator}“.",
                  "Value {value} is above the maximum {limit} of '{indicator}'."),
    "unit_mismatch": ("Einheit „{value}“ passt nicht zu „{indicator}“ (erwartet: {expected}).",
                      "Unit '{value}' does not match '{indicator}' (expected: {expected})."),
    "unknown_breakdown": ("Unbekannte Aufschlüsselung „{value}“.", "Unknown breakdown '{value}'."),
    "breakdown_not_declared": ("Indikator „{indicator}“ wird nicht nach „{value}“ aufgeschlüsselt.",
                               "Indicator '{indicator}' has no breakdown by '{value}'."),
    "unknown_breakdown_value": ("„{value}“ ist keine Ausprägung der Aufschlüsselung „{breakdown}“.",
                                "'{value}' is not a value of breakdown '{breakdown}'."),
    "breakdown_incomplete": ("Aufschlüsselung und Ausprägung müssen beide ausgefüllt sein (oder beide leer).",
                             "Breakdown and breakdown value must both be filled in (or both be empty)."),
    "duplicate_key": ("Doppelte Zeile: derselbe Wert ({key}) steht schon in Zeile {first}.",
                      "Duplicate row: the same value ({key}) is already in row {first}."),
    # --- warnings ---
    "ambiguous_number": ("„{value}“ ist mehrdeutig und wurde als {read_de} gelesen.",
                         "'{value}' is ambiguous and was read as {read}."),
    "implausible_jump": ("Wert {value_de} weicht stark vom bisherigen Verlauf ab (erwartet etwa {expected_de}, "
                         "üblich {low_de} bis {high_de}).",
                         "Value {value} differs strongly from the earlier course of values (expected about "
                         "{expected}, usual range {low} to {high})."),
}

WARNING_CODES = frozenset({"unknown_column", "ambiguous_number", "implausible_jump"})

# hint id -> (German, English)
HINTS: dict[str, tuple[str, str]] = {
    "did_you_mean": ("meinten Sie „{suggestion}“?", "did you mean '{suggestion}'?"),
    "did_you_mean_column": ("gefunden wurde Spalte „{found}“ – meinten Sie „{column}“?",
                            "found column '{found}' – did you mean '{column}'?"),
    "period_yearly": ("Jahresindikator: schreiben Sie z. B. 2024", "yearly indicator: write e.g. 2024"),
    "period_quarterly": ("Quartalsindikator: schreiben Sie z. B. 2024-Q2", "quarterly indicator: write e.g. 2024-Q2"),
    "period_monthly": ("Monatsindikator: schreiben Sie z. B. 2024-05", "monthly indicator: write e.g. 2024-05"),
    "period_forms": ("erlaubt sind 2024 (Jahr), 2024-Q2 (Quartal) oder 2024-05 (Monat)",
                     "use 2024 (year), 2024-Q2 (quarter) or 2024-05 (month)"),
    "period_date": ("ein Datum ist kein Zeitraum: schreiben Sie 2024-05 für Mai 2024",
                    "a date is not a period: write 2024-05 for May 2024"),
    "comma_and_dot": ("Dezimalkomma oder Dezimalpunkt verwenden, nicht beides",
                      "use a decimal comma or a dot, not both"),
    "comma_in_comma_file": ("in komma-getrennten Dateien Dezimalpunkt verwenden (1234.5) oder die Datei mit Semikolon speichern",
                            "in comma-separated files use a decimal dot (1234.5) or save the file with semicolons"),
    "nan_inf": ("„NaN“ oder „unendlich“ sind keine Werte: fehlt ein Wert, die Zeile weglassen",
                "'NaN' or 'infinity' are not values: if a value is missing, leave the row out"),
    "no_value": ("fehlt der Wert, die Zeile weglassen – eine fehlende Meldung ist fehlend, nicht 0",
                 "if the value is missing, leave the row out – a missing value is missing, not 0"),
    "number_plain": ("nur Ziffern, ggf. mit Dezimalkomma, ohne Einheit oder Text, z. B. 1234,5",
                     "digits only, with a decimal separator if needed, no unit or text, e.g. 1234.5"),
    "type_value": ("tragen Sie den berechneten Wert ein", "type the computed value instead"),
    "known_values": ("erlaubt: {values}", "allowed: {values}"),
    "project_indicators": ("Indikatoren dieses Projekts: {values}", "indicators of this project: {values}"),
    "runtime_ok": ("nur Zeiträume der Laufzeit melden", "report only periods within the runtime"),
    "future": ("Werte erst melden, wenn der Zeitraum begonnen hat", "report values only once the period has started"),
    "unit_optional": ("die Spalte Einheit darf auch leer bleiben", "the unit column may also be left empty"),
    "duplicate": ("eine der Zeilen löschen; Korrekturen als neue Datei einreichen",
                  "delete one of the rows; send corrections as a new file"),
    "excel_file": ("die Datei sieht aus wie eine Excel-Datei: mit Endung .xlsx einreichen",
                   "the file looks like an Excel file: submit it with the extension .xlsx"),
    "utf16": ("die Datei ist als UTF-16 („Unicode-Text“) gespeichert: in Excel „Speichern unter“ → „CSV UTF-8“ "
              "wählen", "the file is saved as UTF-16 ('Unicode text'): in Excel choose 'Save as' → 'CSV UTF-8'"),
    "header_row": ("die Spaltennamen stehen in Zeile {row}: die Zeilen darüber löschen, damit sie in Zeile 1 stehen",
                   "the column names are in row {row}: delete the rows above, so that they are in row 1"),
    "renamed_csv": ("die Datei enthält Text, ist also eine CSV-Datei: mit der Endung .csv einreichen",
                    "the file contains text, so it is a CSV file: submit it with the extension .csv"),
    "old_xls": ("das ist das alte Excel-Format (.xls): in Excel „Speichern unter“ → „Excel-Arbeitsmappe (.xlsx)“",
                "this is the old Excel format (.xls): in Excel choose 'Save as' → 'Excel Workbook (.xlsx)'"),
    "save_as_csv": ("in Excel „Speichern unter“ → „CSV UTF-8“ wählen",
                    "in Excel choose 'Save as' → 'CSV UTF-8'"),
    "supported": ("erlaubt sind .csv und .xlsx", "allowed are .csv and .xlsx"),
    "separator": ("ein Dezimalkomma in einer komma-getrennten Datei? Datei mit Semikolon speichern oder Wert in "
                  "Anführungszeichen setzen",
                  "a decimal comma in a comma-separated file? save the file with semicolons or quote the value"),
    "too_large": ("Datei aufteilen, z. B. je Projekt oder Jahr", "split the file, e.g. by project or year"),
    "template": ("Vorlage mit „impact template PROJEKT“ erzeugen", "create a template with 'impact template PROJECT'"),
    "jump": ("bitte prüfen; ist der Wert richtig, ist nichts zu tun", "please check; if the value is right, nothing to do"),
}


def _fmt(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # pragma: no cover - a bug in a template
        return template


def problem(code: str, row: int | None = None, column: str | None = None, *, hint: str | None = None,
            hint_args: dict[str, Any] | None = None, **values: Any) -> Problem:
    """A :class:`Problem` for ``code`` with the texts filled from ``values`` (and an optional hint)."""
    de, en = CODES[code]
    values.setdefault("column", column)
    for key, val in list(values.items()):  # numbers: German texts get a decimal comma
        if isinstance(val, float):
            values[key] = _num(val)
            values[f"{key}_de"] = _num(val).replace(".", ",")
    hint_de = hint_en = None
    if hint:
        h_de, h_en = HINTS[hint]
        hint_de, hint_en = _fmt(h_de, hint_args or {}), _fmt(h_en, hint_args or {})
    return Problem(row, column, code, _fmt(de, values), _fmt(en, values), hint_de, hint_en)


def _num(x: float) -> str:
    if x != x:  # NaN
        return ""
    return f"{x:g}" if abs(x) < 1e15 else f"{x:.3g}"


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most similar to ``word`` (case-insensitive), or ``None``."""
    cands = list(candidates)
    lowered = {c.casefold(): c for c in cands}
    match = difflib.get_close_matches(word.strip().casefold(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None
