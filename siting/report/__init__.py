"""Maps, reports and run comparisons: plain functions over a solved run.

A run is a :class:`RunData` — the ``Solution`` tables plus the GIS layers of ``sites.gpkg``
and the resolved case — built in memory from a solve (:func:`from_result`) or read back from
a run folder (:func:`siting.output.artefacts.read_run`). Everything here returns plain objects
that notebooks display inline: pandas tables, a matplotlib ``Figure``, a folium ``Map``, a
Markdown or HTML string. Plotting libraries are imported lazily: without the ``maps`` extra
the tables still work and the maps raise an error that says what to install.

::

    from siting.report import read_run, static_map, interactive_map, report_markdown
    run = read_run("results/example")
    static_map(run)            # matplotlib Figure
    interactive_map(run)       # folium Map, offline
"""

from __future__ import annotations

from typing import Any

from siting.report.run import RunData, from_result
from siting.report.tables import (
    assumptions,
    binding_constraints,
    compare_runs,
    compare_totals,
    cost_breakdown,
    headline,
    readable_names,
    site_reasons,
    site_table,
)

_LAZY = {
    "static_map": "siting.report.static",
    "cost_chart": "siting.report.static",
    "diff_map": "siting.report.static",
    "interactive_map": "siting.report.web",
    "offline_html": "siting.report.web",
    "report_markdown": "siting.report.document",
    "report_html": "siting.report.document",
    "compare_markdown": "siting.report.document",
    "read_run": "siting.output.artefacts",
}

__all__ = [
    "RunData",
    "assumptions",
    "binding_constraints",
    "compare_markdown",
    "compare_runs",
    "compare_totals",
    "cost_breakdown",
    "cost_chart",
    "diff_map",
    "from_result",
    "headline",
    "interactive_map",
    "offline_html",
    "read_run",
    "readable_names",
    "report_html",
    "report_markdown",
    "site_reasons",
    "site_table",
    "static_map",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'siting.report' has no attribute {name!r}")
