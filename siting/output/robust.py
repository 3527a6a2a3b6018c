"""The robust folder: the robust plan operated in each scenario, and its comparison with
each scenario's own plan.

::

    DIR/
      <scenario>/             the run folder of the robust plan operated in that scenario
                              (sites.gpkg, tables/*.csv, solution.json, maps, report)
      robust_plans.csv        one row per plan (robust, own:<scenario>): expected cost, worst
                              regret, cost in each scenario, sites open, sites in common
      robust_costs.csv        plan × scenario: feasible, cost, own optimum, regret, gas, grid
      robust_sites.csv        plan × open site: IT, generation, grid link, position
      robust.md               the comparison as a report section
      robust.json             the request, the robust solve and the checks
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from siting.output.files import finite, write_csv, write_json, write_text

if TYPE_CHECKING:
    from siting.robust.plan import RobustResult

TABLE_FILES = {
    "plans": "robust_plans.csv",
    "costs": "robust_costs.csv",
    "plan_sites": "robust_sites.csv",
}
SUMMARY_FILE = "robust.json"
REPORT_FILE = "robust.md"


def _money(value: Any) -> str:
    return "infeasible" if value is None or not math.isfinite(float(value)) else f"{value:,.1f}"


def comparison_markdown(result: RobustResult) -> str:
    """The robust plan against each scenario's own plan, as a Markdown section."""
    s = result.summary
    names = list(result.options.scenarios)
    what = "expected cost" if s["objective"] == "expected" else "worst-case regret"
    lines = [
        "## One plan across scenarios",
        "",
        f"The robust plan minimises the {what} over "
        + ", ".join(f"{n} (p = {p:g})" for n, p in result.options.scenarios.items())
        + f"; {s['robust_status']}. Costs in MUSD/y, each from the plan's operation in the "
        "scenario with its sites, modules, generators and grid links fixed, checked "
        "independently.",
        "",
        "| plan | " + " | ".join(names) + " | expected | worst regret | sites | in common |",
        "|---|" + "---:|" * (len(names) + 4),
    ]
    for _, row in result.plans.iterrows():
        cells = [_money(row[f"cost_musd_y[{n}]"]) for n in names]
        lines.append(
            f"| {row['plan']} | "
            + " | ".join(cells)
            + f" | {_money(row['expected_cost_musd_y'])} | {_money(row['max_regret_musd_y'])}"
            + f" | {int(row['sites_open'])} | {int(row['sites_in_common'])} |"
        )
    same = s["robust_equals_own"]
    lines += [
        "",
        (
            f"The robust plan opens the same sites as the own plan of {', '.join(same)}."
            if same
            else "The robust plan differs from every scenario's own plan."
        ),
    ]
    spread = _spread(result.costs)
    if spread is not None and spread <= s["mip_gap"]:
        lines.append(
            f"Every plan costs within {spread:.2%} of the others in every scenario, inside the "
            f"{s['mip_gap']:.2%} gap of the solves: the scenarios do not tell the plans apart."
        )
    return "\n".join(lines) + "\n"


def _spread(costs: pd.DataFrame) -> float | None:
    """The largest relative spread of the plans' costs within one scenario (None when some
    plan fails somewhere)."""
    if not bool(costs["feasible"].all()):
        return None
    by = costs.groupby("scenario")["cost_musd_y"]
    return float(((by.max() - by.min()) / by.min()).max())


def write_tables(result: RobustResult, out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for attr, name in TABLE_FILES.items():
        write_csv(out / name, getattr(result, attr), index=False)
        written.append(out / name)
    write_text(out / REPORT_FILE, comparison_markdown(result))
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
