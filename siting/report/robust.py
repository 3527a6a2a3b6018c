""" "One plan across scenarios": the report section that compares the robust plan with each
scenario's own plan (cost in each scenario, expected cost, worst regret, sites in common).

It reads the plain tables of :class:`siting.robust.plan.RobustResult` (or the same tables
read back from its folder).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from siting.report.document import Cell, Figure, Section, Subheading, Table, _md_table

TITLE = "One plan across scenarios"


def _money(value: Any) -> str:
    if value is None or not math.isfinite(float(value)):
        return "cannot operate"
    return f"{float(value):,.1f}"


def _spread(costs: pd.DataFrame) -> float | None:
    """The largest relative spread of the plans' costs within one scenario (None when some
    plan cannot operate somewhere)."""
    if not bool(costs["feasible"].all()):
        return None
    by = costs.groupby("scenario")["cost_musd_y"]
    return float(((by.max() - by.min()) / by.min()).max())


def robust_section(
    plans: pd.DataFrame,
    costs: pd.DataFrame,
    summary: Mapping[str, Any],
    scenario: str | None = None,
) -> Section:
    """The comparison; ``scenario`` names the scenario of the run folder it sits in."""
    s = summary
    probabilities: Mapping[str, float] = s["scenarios"]
    names: Sequence[str] = list(probabilities)
    what = "expected cost" if s["objective"] == "expected" else "worst-case regret"
    here = (
        f" This run folder is the robust plan operated in scenario {scenario}." if scenario else ""
    )
    blocks: list[str | Table | Figure | Subheading] = [
        f"Sites, modules, on-site generation (the units of each technology, with a menu), "
        f"grid links and contracted grid capacity are decided once; gas flows, fuel, "
        f"dispatch and grid import per scenario and period. The robust plan minimises the {what} over "
        + ", ".join(f"{n} (p = {p:g})" for n, p in probabilities.items())
        + f"; {s['robust_status']}.{here} Each cost (MUSD/y) is the plan's operation in the "
        "scenario with its first stage fixed, checked independently; a regret is the cost "
        "above the best known in that scenario.",
    ]
    units = [str(c) for c in plans.columns if str(c).startswith("units_")]
    rows = []
    for _, row in plans.iterrows():
        rows.append(
            [
                Cell(str(row["plan"])),
                *(Cell(_money(row[f"cost_musd_y[{n}]"])) for n in names),
                Cell(_money(row["expected_cost_musd_y"])),
                Cell(_money(row["max_regret_musd_y"])),
                Cell(str(int(row["sites_open"]))),
                Cell(str(int(row["sites_in_common"]))),
                *(Cell(f"{int(row[c]):,}") for c in units),
            ]
        )
    columns = ["plan", *names, "expected", "worst regret", "sites", "in common"]
    columns += [f"{c.removeprefix('units_')} units" for c in units]
    blocks.append(Table(columns, rows, set(range(1, len(columns)))))
    if s.get("robust_source", "robust model") != "robust model":
        blocks.append(
            f"Within its gap the robust model stopped at a plan that does worse on this "
            f"objective ({_money(s['robust_model_objective_musd_y'])} MUSD/y) than the own plan "
            f"of {str(s['robust_source']).removeprefix('own:')}, so that plan is the robust plan."
        )
    same, equal = s["robust_equals_own"], s.get("robust_is_own", [])
    sized = [n for n in same if n not in equal]
    if equal:
        blocks.append(f"The robust plan is the own plan of {', '.join(equal)}.")
    if sized:
        blocks.append(
            f"The robust plan opens the same sites as the own plan of {', '.join(sized)}, "
            "with other sizes, generators, units or grid links."
        )
    if not same:
        blocks.append("The robust plan opens other sites than every scenario's own plan.")
    failing = sorted(set(costs.loc[~costs["feasible"].astype(bool), "plan"]))
    if failing:
        blocks.append(
            f"{', '.join(failing)} cannot operate in every scenario: "
            + ("their" if len(failing) > 1 else "its")
            + " sites and generators need gas or grid power that some scenario does not leave."
        )
    spread = _spread(costs)
    if spread is not None and spread <= float(s["mip_gap"]):
        blocks.append(
            f"Every plan costs within {spread:.2%} of the others in every scenario, inside "
            f"the {float(s['mip_gap']):.2%} gap of the solves: the scenarios do not tell the "
            "plans apart."
        )
    return Section(TITLE, blocks)


def section_markdown(section: Section) -> str:
    lines = [f"## {section.title}", ""]
    for block in section.blocks:
        lines += [_md_table(block) if isinstance(block, Table) else str(block), ""]
    return "\n".join(lines).rstrip() + "\n"
