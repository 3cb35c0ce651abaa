"""The indicator catalog: the Strategic Framework and its indicators, as data checked on load.

The catalog lives in YAML files below one directory (``indicators/`` by default; the CLI and the
apps pass ``settings().catalog_dir``)::

    framework/guiding_ideas.yaml   guiding_ideas: [{id, name, description, section}]
    framework/principles.yaml      principles:    [{id, name, description, section}]
    framework/perspectives.yaml    perspectives:  [{id, name, description, section, kind}]
    framework/projects.yaml        projects:      [{id, name, description, section, lead,
                                                    start, end, runtime_illustrative}]
    framework/breakdowns.yaml      breakdowns:    [{id, name, values: [{id, name}]}]
    framework/units.yaml           units:         [{id, name, symbol, aliases}]
    <anything else>.yaml           indicators:    [{...see docs/catalog.md...}]

Texts (``name``, ``description``, ``definition``, ``source``, ``method``, notes and reasons) are
``{de: ..., en: ..., <more languages>: ...}``. The modules, one job each:

* :mod:`.model` — ``Text``, framework entities, projects, breakdowns, units, the ``Catalog``;
* :mod:`.indicator` — ``Indicator`` and its per-project ``Target`` (milestones, tolerance, history);
* :mod:`.yamlfile` — one YAML file parsed (fast for the plain shapes, PyYAML's result exactly);
* :mod:`.reading` — typed readers that collect problems; :mod:`.framework`,
  :mod:`.indicators`, :mod:`.targets`, :mod:`.references` — the checks per part;
* :mod:`.loading` — ``load_catalog`` and the checks across indicators; :mod:`.jsonform` — JSON.
"""

from impact.core.catalog.indicator import (
    DIRECTIONS,
    EFFECTS,
    FREQUENCIES,
    IMPACT_LEVELS,
    QUALITY_GRADES,
    TERMS,
    VALUE_TYPES,
    Conflict,
    Indicator,
    Milestone,
    Target,
    TargetVersion,
    Tolerance,
    impact_level,
)
from impact.core.catalog.jsonform import catalog_json
from impact.core.catalog.loading import load_catalog
from impact.core.catalog.model import Breakdown, Catalog, ConflictPair, Entity, Project, Text, Unit
from impact.core.catalog.references import REFERENCE_KINDS

__all__ = [
    "DIRECTIONS",
    "EFFECTS",
    "FREQUENCIES",
    "IMPACT_LEVELS",
    "QUALITY_GRADES",
    "REFERENCE_KINDS",
    "TERMS",
    "VALUE_TYPES",
    "Breakdown",
    "Catalog",
    "Conflict",
    "ConflictPair",
    "Entity",
    "Indicator",
    "Milestone",
    "Project",
    "Target",
    "TargetVersion",
    "Text",
    "Tolerance",
    "Unit",
    "catalog_json",
    "impact_level",
    "load_catalog",
]
