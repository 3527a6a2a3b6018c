"""The robust folder: the robust plan operated in each scenario, and its comparison with
each scenario's own plan.

::

    DIR/
      <scenario>/             the run folder of the robust plan operated in that scenario
                              (sites.gpkg, tables/*.csv, solution.json, maps, and the
                              report with the section "One plan across scenarios")
      robust_plans.csv        one row per plan (robust, own:<scenario>): expected cost, worst
                              regret, cost in each scenario, sites open, sites in common, units
                              per technology
      robust_costs.csv        plan × scenario: feasible, cost, own optimum, regret, gas, grid
      robust_sites.csv        plan × open site: IT, generation, grid link and capacity,
                              units per technology (units_<t>), position
      robust.md               the comparison as a report section
      robust.json             the request, the robust solve and the checks
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from siting.output.files import Writer, finite, write_csv, write_json, write_text
from siting.report.robust import robust_section, section_markdown

if TYPE_CHECKING:
    from siting.report.run import RunData
    from siting.robust.plan import RobustResult

TABLE_FILES = {
    "plans": "robust_plans.csv",
    "costs": "robust_costs.csv",
    "plan_sites": "robust_sites.csv",
}
SUMMARY_FILE = "robust.json"
REPORT_FILE = "robust.md"


def artefact_writers(result: RobustResult, run: RunData, scenario: str) -> dict[str, Writer]:
    """Maps, the cost chart and the report (with "One plan across scenarios") of the robust
    plan operated in ``scenario``; rendered before any file is touched."""
    from siting.output.artefacts import _figure_bytes, bytes_writers
    from siting.report.document import report_html, report_markdown, report_sections
    from siting.report.static import cost_chart, static_map
    from siting.report.web import interactive_map, offline_html

    fig = static_map(run)
    png = _figure_bytes(fig, "png")
    chart = cost_chart(run)
    sections = [
        *report_sections(run, cost_figure=chart),
        robust_section(result.plans, result.costs, result.summary, scenario),
    ]
    return bytes_writers(
        {
            "map.png": png,
            "map.html": offline_html(interactive_map(run)).encode(),
            "cost_breakdown.svg": _figure_bytes(chart, "svg"),
            "report.md": report_markdown(run, sections=sections).encode(),
            "report.html": report_html(run, map_png=png, sections=sections).encode(),
        }
    )


def write_tables(result: RobustResult, out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for attr, name in TABLE_FILES.items():
        write_csv(out / name, getattr(result, attr), index=False)
        written.append(out / name)
    section = robust_section(result.plans, result.costs, result.summary)
    write_text(out / REPORT_FILE, section_markdown(section))
    summary = {
        **result.summary,
        "timings_s": result.timings,
        "report": result.report.to_dict(),
    }
    write_json(out / SUMMARY_FILE, finite(summary))
    return [*written, out / REPORT_FILE, out / SUMMARY_FILE]


def read_robust(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a robust folder, by their attribute names."""
    out = Path(out_dir)
    return {attr: pd.read_csv(out / name) for attr, name in TABLE_FILES.items()}
