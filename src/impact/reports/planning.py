"""Which reports a run produces, and the checks before any kernel starts.

:func:`plan_reports` turns the user's selection into :class:`ReportSpec` items; each spec knows its
notebook, file name, parameters and title. :func:`validate_parameters` and :func:`check_notebook`
refuse what papermill would silently get wrong (see the module docstring of
:mod:`impact.reports.runner`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impact.core.catalog import Catalog
from impact.core.errors import EXIT_UNREADABLE, ImpactError
from impact.core.i18n import N_, texts
from impact.reports.naming import UNKNOWN_ID

__all__ = [
    "KERNEL_NAME",
    "KINDS",
    "PLAIN_TYPES",
    "ParamValue",
    "ReportError",
    "ReportSpec",
    "check_notebook",
    "plan_reports",
    "validate_parameters",
]

KERNEL_NAME = "python3"

# kind -> (notebook file, id parameter or None)
KINDS: dict[str, tuple[str, str | None]] = {
    "project": ("project_report.ipynb", "project_id"),
    "portfolio": ("portfolio_report.ipynb", None),
    "guiding_idea": ("guiding_idea_report.ipynb", "guiding_idea_id"),
    "principle": ("principle_report.ipynb", "principle_id"),
}
_NAME_PREFIX = {"project": "project", "portfolio": "portfolio", "guiding_idea": "guiding-idea",
                "principle": "principle"}
_CATALOG_ATTR = {"project": "projects", "guiding_idea": "guiding_ideas", "principle": "principles"}
# the title of each kind of report; "{name}" is the project, guiding idea or principle
TITLES = {
    "project": N_("Impact report: {name}"),
    "portfolio": N_("Portfolio report: the pilot projects"),
    "guiding_idea": N_("Guiding idea: {name}"),
    "principle": N_("Principle: {name}"),
}
PLAIN_TYPES = (str, int, float, bool, type(None))

ParamValue = str | int | float | bool | None


class ReportError(ImpactError):
    """A report run cannot start (bad selection, missing notebook, unusable parameters).

    ``message_id`` is an English text marked with ``N_``; :meth:`message` translates it and fills
    in ``fields``.
    """

    def __init__(self, message_id: str, exit_code: int = EXIT_UNREADABLE, **fields: Any) -> None:
        self.message_id = message_id
        self.fields = fields
        self.exit_code = exit_code
        super().__init__(texts("en")(message_id, **fields))

    def message(self, lang: str = "de") -> str:
        return texts(lang)(self.message_id, **self.fields)


@dataclass(frozen=True)
class ReportSpec:
    """One report to produce: its kind (``project``, ``portfolio``, ``guiding_idea``,
    ``principle``) and, except for the portfolio, the id it is about."""

    kind: str
    ident: str | None = None

    @property
    def name(self) -> str:
        """File stem, e.g. ``project-kiezbox``, ``portfolio``, ``guiding-idea-nachhaltig``."""
        prefix = _NAME_PREFIX[self.kind]
        return prefix if self.ident is None else f"{prefix}-{self.ident}"

    @property
    def notebook(self) -> str:
        return KINDS[self.kind][0]

    def parameters(self, common: dict[str, ParamValue]) -> dict[str, ParamValue]:
        params = dict(common)
        id_param = KINDS[self.kind][1]
        if id_param is not None:
            params[id_param] = self.ident
        return params

    def title(self, catalog: Catalog, lang: str) -> str:
        """A human title in ``lang`` (used in the index, as the HTML ``<title>`` and as the heading)."""
        _ = texts(lang)
        message = TITLES[self.kind]
        if self.kind == "portfolio":
            return _(message)
        entity = getattr(catalog, _CATALOG_ATTR[self.kind]).get(self.ident or "")
        name = entity.name.get(lang) if entity is not None else str(self.ident)
        return _(message, name=name)


def plan_reports(catalog: Catalog, *, all_reports: bool = False, projects: Sequence[str] = (),
                 portfolio: bool = False, guiding_ideas: Sequence[str] = (),
                 principles: Sequence[str] = ()) -> list[ReportSpec]:
    """The reports to run. ``all_reports``: every project, the portfolio, every guiding idea and
    principle (5 + 1 + 4 + 8 = 18 with the shipped framework). Unknown ids raise ReportError (2)."""
    if all_reports:
        return ([ReportSpec("project", p) for p in catalog.projects] + [ReportSpec("portfolio")]
                + [ReportSpec("guiding_idea", g) for g in catalog.guiding_ideas]
                + [ReportSpec("principle", p) for p in catalog.principles])
    specs: list[ReportSpec] = []
    for kind, ids in (("project", projects), ("guiding_idea", guiding_ideas), ("principle", principles)):
        known = getattr(catalog, _CATALOG_ATTR[kind])
        for ident in ids:
            if ident not in known:
                raise ReportError(UNKNOWN_ID[_CATALOG_ATTR[kind]], id=ident, known=", ".join(known))
            spec = ReportSpec(kind, ident)
            if spec not in specs:
                specs.append(spec)
        if kind == "project" and portfolio:
            specs.append(ReportSpec("portfolio"))
    if not specs:
        raise ReportError(N_("No reports selected: give --all or --project ID (or --portfolio, --guiding-idea, "
                             "--principle)."))
    return specs


def validate_parameters(params: dict[str, Any]) -> dict[str, ParamValue]:
    """Accept only identifier names and plain values (str, int, float, bool, None).

    Papermill pastes names into code verbatim and quotes non-plain values without escaping;
    anything else is refused with ReportError.
    """
    for key, value in params.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ReportError(N_("Invalid parameter name {name}."), name=repr(key))
        if not isinstance(value, PLAIN_TYPES):
            raise ReportError(N_("Parameter '{name}': only text, a number, true/false or None are allowed, "
                                 "not {type}."), name=key, type=type(value).__name__)
        if isinstance(value, str) and ("\x00" in value or len(value) > 4096):
            raise ReportError(N_("Parameter '{name}': invalid text."), name=key)
    return dict(params)


def check_notebook(path: Path, names: Sequence[str]) -> None:
    """The notebook exists, has a cell tagged ``parameters``, and declares every name in ``names``.

    The declared names come from papermill's public ``inspect_notebook``; a notebook without
    kernel metadata is inspected with the kernel the run uses (:data:`KERNEL_NAME`).
    """
    import nbformat
    import papermill

    if not path.is_file():
        raise ReportError(N_("Notebook not found: {path}"), path=str(path))
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same user problem
        raise ReportError(N_("{path}: not a readable notebook ({reason})."), path=str(path), reason=str(exc)) from None
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise ReportError(N_("{path}: no cell tagged 'parameters' (the parameters would be overwritten)."),
                          path=str(path))
    if nb.metadata.get("kernelspec", {}).get("name"):
        declared = set(papermill.inspect_notebook(str(path)))
    else:  # the inspection needs a kernel name; the run passes KERNEL_NAME explicitly
        declared = set(_inspect_with_kernel(nb, path.name, KERNEL_NAME))
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise ReportError(N_("{path}: unknown parameters {unknown}; the notebook declares {declared}."),
                          path=str(path), unknown=", ".join(unknown), declared=", ".join(sorted(declared)))


def _inspect_with_kernel(nb: Any, file_name: str, kernel: str) -> dict[str, Any]:
    """``papermill.inspect_notebook`` for a notebook without kernel metadata, as run with ``kernel``."""
    import tempfile

    import nbformat
    import papermill

    nb.metadata["kernelspec"] = {"name": kernel, "language": "python", "display_name": kernel}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / file_name
        nbformat.write(nb, str(copy))
        return dict(papermill.inspect_notebook(str(copy)))
