"""Old module paths of version 0.1 (one flat package), kept importable for users' scripts.

Version 0.2 groups the modules into one sub-package per stage (see ``docs/ARCHITECTURE.md``).
``import impact.validation`` still works: it warns (``DeprecationWarning``) and gives a module
holding the public names of its successor. Write the new paths in new code; this table goes in
a later version.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

__all__ = ["MOVED", "install"]

# old module -> the module that holds its contents now
MOVED: dict[str, str] = {
    "impact.config": "impact.core.config",
    "impact.errors": "impact.core.errors",
    "impact.periods": "impact.core.periods",
    "impact.catalog": "impact.core.catalog",
    "impact.locking": "impact.core.locking",
    "impact.reading": "impact.intake.reading",
    "impact.expectations": "impact.intake.expectations",
    "impact.validation": "impact.intake.validation",
    "impact.template": "impact.intake.template",
    "impact.messages": "impact.intake.problems",
    "impact.ingest": "impact.store.ingest",
    "impact.trends": "impact.engine.trends",
    "impact.export": "impact.engine.export",
    "impact.figures": "impact.reports.figures",
    "impact.report_text": "impact.reports.sections",
    "impact.html_export": "impact.reports.html_export",
    "impact.scheduler": "impact.reports.scheduler",
    "impact.explorer": "impact.apps.explorer.app",
    "impact.explorer_data": "impact.apps.explorer.data",
    "impact.portal": "impact.apps.portal.app",
    "impact.portal_server": "impact.apps.portal.server",
    "impact.tokens": "impact.apps.portal.tokens",
    "impact.cli_common": "impact.cli.common",
    "impact.cli_catalog": "impact.cli.catalog",
    "impact.cli_intake": "impact.cli.intake",
    "impact.cli_store": "impact.cli.store",
    "impact.cli_engine": "impact.cli.engine",
    "impact.cli_reports": "impact.cli.reports",
    "impact.cli_portal": "impact.cli.portal",
}


class _MovedLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # a fresh module, filled below

    def exec_module(self, module: ModuleType) -> None:
        target = MOVED[module.__name__]
        warnings.warn(f"{module.__name__} moved to {target}; import it from there", DeprecationWarning,
                      stacklevel=2)
        new = importlib.import_module(target)
        names = getattr(new, "__all__", None) or [n for n in vars(new) if not n.startswith("__")]
        module.__dict__.update({n: getattr(new, n) for n in names if hasattr(new, n)})
        module.__all__ = list(names)  # type: ignore[attr-defined]


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname in MOVED:
            return importlib.machinery.ModuleSpec(fullname, _MovedLoader())
        return None


def install() -> None:
    """Make the old paths importable (idempotent; called by ``import impact``)."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
