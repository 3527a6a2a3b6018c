"""What flips the plan: a one-at-a-time low/high sweep and its tornado chart.

The inputs varied, each alone with every other at the case's value:

- generation capex: each technology of the menu (``technology.menu.<t>.capex``), or
  ``costs.generation_capex`` without a menu, at (1 − spread) and (1 + spread) times the
  case's;
- the reliability rule: with a menu, the other rule of ``technology.reliability.rule``
  (``none`` ↔ ``n_plus_1``); without one, ``technology.n_plus_one_units`` off and at
  :data:`V1_RESERVE_UNITS` (whichever the case does not use);
- ``costs.grid_price``, ``costs.gas_price`` and ``costs.discount_rate`` at (1 ∓ spread)
  times the case's.

Each value is one run of an ordinary ``one_at_a_time`` sweep (:mod:`siting.sweep`: prices
re-solve one built model, capex, the rule and the discount rate rebuild it). A bar is the
change of a metric from the base run to the run at the low and at the high value:

    Δ_low[i] = metric(run at low value of input i) − metric(base run)

for the annualised cost (MUSD/y) and the gas used (bcm/y; direct plus indirect where the
case counts indirect gas). Bars are sorted by their largest absolute change.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.config import Case
from siting.errors import SitingError
from siting.sweep.design import design_points
from siting.sweep.parameters import Sweep

#: default relative spread of the low and high values
SPREAD = 0.25
#: the reserve of a case without a menu when the tornado turns reliability on (1 in 4)
V1_RESERVE_UNITS = 4
RULES = ("none", "n_plus_1")
#: metric → (runs column, chart title)
TORNADO_METRICS = {
    "cost": ("cost_musd_y", "annualised cost (MUSD/y)"),
    "gas": ("gas_total_bcm_y", "gas used (bcm/y)"),
}
TORNADO_COLUMNS = [
    "parameter",
    "low",
    "high",
    "base_cost_musd_y",
    "cost_low_musd_y",
    "cost_high_musd_y",
    "base_gas_bcm_y",
    "gas_low_bcm_y",
    "gas_high_bcm_y",
    "status_low",
    "status_high",
    "max_gap",
]


def tornado_parameters(case: Case, spread: float = SPREAD) -> dict[str, dict[str, Any]]:
    """The sweep's ``parameters:`` for ``case`` (see the module docstring)."""
    if not 0 < spread < 1:
        raise SitingError(f"tornado spread {spread}: give a fraction between 0 and 1, e.g. 0.25")
    factors = {"factors": [round(1 - spread, 6), round(1 + spread, 6)]}
    tech = case.technology
    out: dict[str, dict[str, Any]] = {}
    if tech.menu:
        for name in tech.menu:
            out[f"technology.menu.{name}.capex"] = factors
        rule = tech.reliability.rule if tech.reliability is not None else "none"
        out["technology.reliability.rule"] = {"values": [r for r in RULES if r != rule]}
    else:
        out["costs.generation_capex"] = factors
        units = tech.n_plus_one_units
        out["technology.n_plus_one_units"] = {
            "values": [None if units is not None else V1_RESERVE_UNITS]
        }
    out["costs.grid_price"] = factors
    out["costs.gas_price"] = factors
    if case.costs.discount_rate > 0:
        out["costs.discount_rate"] = factors
    return out


def tornado_spec(
    case: Case,
    spread: float = SPREAD,
    scenario: str | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The tornado as a sweep file's mapping (``case:`` is given to ``sweep_from_dict``)."""
    return {
        "name": f"{case.name}-tornado",
        "description": f"one at a time, each input at ±{spread:.0%}",
        **({"scenario": scenario} if scenario else {}),
        "fixed": dict(fixed or {}),
        "parameters": tornado_parameters(case, spread),
        "design": {"kind": "one_at_a_time"},
    }


def _written(value: Any) -> str:
    return "off" if value is None else str(value)


def tornado_table(sweep: Sweep, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per input: its low and high values as written, and cost and gas at the
    base, low and high runs (NaN where a run gave no plan)."""
    points = design_points(sweep)
    if points[0]:
        raise SitingError("a tornado needs a one_at_a_time sweep (its first run is the base)")
    by_point = runs.drop_duplicates("point").set_index("point")
    if 0 not in by_point.index:
        raise SitingError("the sweep has no base run yet: run it first")
    gas_col = TORNADO_METRICS["gas"][0]

    def metric(i: int, column: str) -> float:
        if i not in by_point.index or by_point.at[i, "status"] not in ("optimal", "limit"):
            return float("nan")
        value: Any = by_point.at[i, column]
        if column == gas_col and pd.isna(value):
            value = by_point.at[i, "gas_bcm_y"]
        return float(value)

    base = by_point.loc[0]
    if base["status"] not in ("optimal", "limit"):
        raise SitingError(f"the base run of the tornado ended {base['status']}: {base['message']}")
    rows = []
    for path in sweep.parameters:
        mine = [i for i, pt in enumerate(points) if path in pt]
        low, high = mine[0], mine[-1]
        rows.append(
            {
                "parameter": path,
                "low": _written(points[low][path]),
                "high": _written(points[high][path]) if high != low else "",
                "base_cost_musd_y": metric(0, "cost_musd_y"),
                "cost_low_musd_y": metric(low, "cost_musd_y"),
                "cost_high_musd_y": metric(high, "cost_musd_y") if high != low else np.nan,
                "base_gas_bcm_y": metric(0, gas_col),
                "gas_low_bcm_y": metric(low, gas_col),
                "gas_high_bcm_y": metric(high, gas_col) if high != low else np.nan,
                "status_low": str(by_point.at[low, "status"]) if low in by_point.index else "",
                "status_high": (
                    str(by_point.at[high, "status"])
                    if high != low and high in by_point.index
                    else ""
                ),
                # the largest relative MIP gap of the runs the bar compares
                "max_gap": float(
                    by_point.loc[[i for i in {0, low, high} if i in by_point.index], "gap"].max()
                ),
            }
        )
    return pd.DataFrame(rows, columns=TORNADO_COLUMNS)


def bars(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per input, the change from the base at its low and its high value, largest first."""
    base = table[f"base_{metric}_{'musd_y' if metric == 'cost' else 'bcm_y'}"]
    unit = "musd_y" if metric == "cost" else "bcm_y"
    out = pd.DataFrame(
        {
            "parameter": table["parameter"],
            "low": table["low"],
            "high": table["high"],
            "delta_low": table[f"{metric}_low_{unit}"] - base,
            "delta_high": table[f"{metric}_high_{unit}"] - base,
        }
    )
    size = np.nan_to_num(
        np.fmax(out["delta_low"].abs().to_numpy(float), out["delta_high"].abs().to_numpy(float))
    )
    return out.assign(size=size).sort_values("size", ascending=False, kind="stable")


def plot_tornado(table: pd.DataFrame, metric: str) -> Any:
    """The tornado chart of one metric (``cost`` or ``gas``): a horizontal bar per input
    from the base value to the low-value run (light) and to the high-value run (dark)."""
    from siting.sweep.analysis import _figure

    title = TORNADO_METRICS[metric][1]
    b = bars(table, metric).iloc[::-1]
    base = float(table[f"base_{metric}_{'musd_y' if metric == 'cost' else 'bcm_y'}"].iloc[0])
    fig = _figure(figsize=(8, 0.55 * len(b) + 1.5))
    ax = fig.add_subplot()
    y = np.arange(len(b))
    low = b["delta_low"].fillna(0.0).to_numpy(float)
    high = b["delta_high"].fillna(0.0).to_numpy(float)
    ax.barh(y, low, left=base, color="#9ecae1", label="low value (or the other rule)")
    ax.barh(y, high, left=base, color="#08519c", label="high value")
    ax.axvline(base, color="black", linewidth=0.8)
    labels = [
        f"{p}\n{lo}" + (f" / {hi}" if hi else "")
        for p, lo, hi in zip(b["parameter"], b["low"], b["high"], strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(f"{title}; base {base:,.4g}")
    ax.set_title(f"What moves the plan: {title}, one input at a time")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def tornado_markdown(table: pd.DataFrame, name: str, plots: list[str]) -> str:
    """The tornado report: what was varied, the charts and the table."""
    lines = [
        f"# Tornado: {name}",
        "",
        "Each input alone at its low and its high value, every other at the case's value; "
        "the bars are the change of the annualised cost and of the gas used (direct plus "
        "indirect where the case counts it) from the base run.",
        "",
    ]
    lines += [f"![{p}]({p})" for p in plots] + [""]
    cols = ["input", "low", "high", "Δ cost low", "Δ cost high", "Δ gas low", "Δ gas high"]
    lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    cost, gas = bars(table, "cost").set_index("parameter"), bars(table, "gas")
    gas = gas.set_index("parameter")
    for p, row in cost.iterrows():

        def f(x: Any, fmt: str) -> str:
            return "—" if not np.isfinite(float(x)) else fmt.format(float(x))

        lines.append(
            f"| {p} | {row['low']} | {row['high']} | {f(row['delta_low'], '{:+,.1f}')} | "
            f"{f(row['delta_high'], '{:+,.1f}')} | {f(gas.at[p, 'delta_low'], '{:+.3f}')} | "
            f"{f(gas.at[p, 'delta_high'], '{:+.3f}')} |"
        )
    base = table.iloc[0]
    gap = float(table["max_gap"].max())
    lines += [
        "",
        f"Base: {base['base_cost_musd_y']:,.1f} MUSD/y, {base['base_gas_bcm_y']:.3f} bcm/y of gas. "
        "Δ cost in MUSD/y, Δ gas in bcm/y; — where a run gave no plan.",
        "",
        f"Runs are solved to a relative gap of at most {gap:.3%}: a change of cost below "
        f"{gap * base['base_cost_musd_y']:,.1f} MUSD/y is within the solver's tolerance, and "
        "so is a change of gas between plans of (nearly) equal cost.",
        "",
    ]
    return "\n".join(lines)


def write_tornado(out: Path, sweep: Sweep, runs: pd.DataFrame, plots: bool = True) -> list[Path]:
    """``tornado.csv``, ``plots/tornado_cost.png``, ``plots/tornado_gas.png`` and
    ``tornado.md`` in the sweep folder ``out``."""
    from siting.output.files import write_csv
    from siting.output.sweep_store import save_figure

    table = tornado_table(sweep, runs)
    written = [out / "tornado.csv"]
    write_csv(written[0], table, index=False)
    shown = []
    if plots:
        for metric in TORNADO_METRICS:
            fig = plot_tornado(table, metric)
            written.append(save_figure(fig, out / "plots" / f"tornado_{metric}.png"))
            shown.append(f"plots/tornado_{metric}.png")
    md = out / "tornado.md"
    md.write_text(tornado_markdown(table, sweep.name, shown), encoding="utf-8")
    written.append(md)
    return written
