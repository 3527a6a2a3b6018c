"""Plain tables of the alternatives: plan rows, plan × site rows, candidate classes, regrets,
the metrics' spread and the ties. Pure functions of solved plans and worker records.

Two plans *cost the same* when their case objectives differ by at most the tie tolerance
times |f*|. The *tied candidates* are the sites whose presence differs between the
optimum and a plan that costs the same (an alternative, or the best plan with a site forced
closed or open): for each of them an equally cheap plan decides the other way.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from siting.alternatives.metrics import Metric, metric_values
from siting.inputs import ModelInputs
from siting.solution import Solution

#: plan columns copied from a Solution's totals
TOTALS = (
    "cost_musd_y",
    "it_mw",
    "sites_open",
    "gas_mw",
    "gas_bcm_y",
    "grid_mw",
    "capex_musd",
    "remoteness_mw_km",
)
SITE_COLUMNS = ("it_mw", "modules", "gas_mw", "grid_mw", "source", "lon", "lat")
CLASSES = ("every", "some", "none")
OK = ("optimal", "limit")


def _sign(maximise: bool) -> float:
    return -1.0 if maximise else 1.0


def plan_row(solution: Solution, metrics: Sequence[Metric], optimum: Solution) -> dict[str, Any]:
    """One plan as a row: how its solve ended, its objective against the optimum's, its
    totals and every metric."""
    r, t = solution.report, solution.totals
    f, f_star = float(t["objective"]), float(optimum.totals["objective"])
    sign = _sign(optimum.report.sense == "max")
    chosen = solution.chosen.sort_values("it_mw", ascending=False)
    return {
        "status": str(r.outcome),
        "gap": r.gap,
        "objective": f,
        "objective_vs_optimum_pct": 100.0 * sign * (f - f_star) / max(abs(f_star), 1e-12),
        **{k: t.get(k) for k in TOTALS},
        **metric_values(metrics, solution.sites),
        "solve_s": r.solve_s,
        "nodes": r.nodes,
        "sites": ";".join(map(str, chosen.index)),
    }


def alternative_sites_rows(plan: int, solution: Solution) -> pd.DataFrame:
    """plan × open site × MW."""
    chosen = solution.chosen
    cols = [c for c in SITE_COLUMNS if c in chosen.columns]
    out = chosen[cols].rename_axis("site_id").reset_index()
    out.insert(0, "plan", plan)
    return out


def classify(
    sites: pd.DataFrame,
    alternative_sites: pd.DataFrame,
    plans: Sequence[int],
    optimum_sites: Iterable[Hashable],
) -> pd.DataFrame:
    """Every candidate: in how many of ``plans`` it is open, and its class — ``every``
    (open in all of them), ``some`` or ``none``."""
    in_plans = alternative_sites[alternative_sites["plan"].isin(plans)]
    count = in_plans.groupby("site_id").size().reindex(sites.index).fillna(0).astype(int)
    n = len(plans)
    klass = (
        np.where(count == n, "every", np.where(count > 0, "some", "none"))
        if n
        else np.full(len(count), "none")
    )
    cols = [c for c in ("lon", "lat", "place", "grid_id") if c in sites.columns]
    out = sites[cols].copy()
    out["plans_open"] = count.to_numpy()
    out["share_of_plans"] = count.to_numpy() / n if n else 0.0
    out["class"] = pd.Categorical(klass, categories=list(CLASSES))
    out["in_optimum"] = out.index.isin(list(optimum_sites))
    return out.rename_axis("site_id")


def regret_table(
    records: Sequence[Mapping[str, Any]], optimum: Solution, maximise: bool
) -> pd.DataFrame:
    """One row per regret run (see :mod:`siting.alternatives.regrets` for the regret)."""
    f_star = float(optimum.totals["objective"])
    sign = _sign(maximise)
    base = set(map(str, optimum.chosen.index))
    rows = []
    for rec in records:
        ok = rec.get("status") in OK
        objective = rec.get("objective") if ok else None
        bound = rec.get("bound") if ok else None
        opened = set(str(rec.get("sites") or "").split(";")) - {""} if ok else set()
        rows.append(
            {
                "change": rec.get("change"),
                "site_id": rec.get("site_id"),
                "status": rec.get("status"),
                "objective": objective,
                "regret_musd_y": sign * (objective - f_star) if objective is not None else None,
                "regret_pct": 100.0 * sign * (objective - f_star) / max(abs(f_star), 1e-12)
                if objective is not None
                else None,
                "regret_low_musd_y": sign * (bound - f_star) if bound is not None else None,
                "gap": rec.get("gap") if ok else None,
                "sites_open": rec.get("sites_open") if ok else None,
                "sites_added": ";".join(sorted(opened - base)),
                "sites_dropped": ";".join(sorted(base - opened)) if ok else "",
                "sites": rec.get("sites") if ok else "",
                "solve_s": rec.get("solve_s"),
                "reused": rec.get("reused"),
                "message": rec.get("message", ""),
            }
        )
    columns = [
        "change",
        "site_id",
        "status",
        "objective",
        "regret_musd_y",
        "regret_pct",
        "regret_low_musd_y",
        "gap",
        "sites_open",
        "sites_added",
        "sites_dropped",
        "sites",
        "solve_s",
        "reused",
        "message",
    ]
    return pd.DataFrame(rows, columns=columns)


def spread_table(alternatives: pd.DataFrame, metrics: Sequence[Metric]) -> pd.DataFrame:
    """The objective's and each metric's range over the plans, with the plans at each end."""
    rows = []
    measures = [("objective", "objective", "MUSD/y")] + [
        (m.column, m.label, m.unit) for m in metrics
    ]
    seen = set()
    for column, label, unit in measures:
        if column in seen or column not in alternatives.columns or alternatives.empty:
            continue
        seen.add(column)
        values = alternatives[column].astype(float)
        rows.append(
            {
                "measure": column,
                "label": label,
                "unit": unit,
                "optimum": float(values.iloc[0]),
                "min": float(values.min()),
                "max": float(values.max()),
                "plan_min": int(alternatives["plan"].iloc[int(np.argmin(values.to_numpy()))]),
                "plan_max": int(alternatives["plan"].iloc[int(np.argmax(values.to_numpy()))]),
            }
        )
    return pd.DataFrame(
        rows, columns=["measure", "label", "unit", "optimum", "min", "max", "plan_min", "plan_max"]
    )


def percent(share: float) -> str:
    """0.0001 → '0.01 %'."""
    return f"{share * 100:.4g} %"


def tie_sentence(count: int, tolerance: float) -> str:
    if count >= 2:
        return (
            f"{count} candidates cost the same to within {percent(tolerance)}; "
            "the choice among them is arbitrary."
        )
    return (
        f"No plan found other than the optimum costs the same to within {percent(tolerance)}: "
        "the choice of sites is not a tie-break at that tolerance."
    )


def tie_summary(
    alternatives: pd.DataFrame,
    regrets: pd.DataFrame,
    optimum: Solution,
    tolerance: float,
) -> dict[str, Any]:
    """The candidates and plans that tie with the optimum (see the module docstring)."""
    f_star = float(optimum.totals["objective"])
    sign = _sign(optimum.report.sense == "max")
    within = tolerance * max(abs(f_star), 1e-12)
    base = frozenset(map(str, optimum.chosen.index))
    plans: set[frozenset[str]] = {base}
    tied: set[str] = set()
    candidates = [(row["objective"], row["sites"]) for _, row in alternatives.iterrows()]
    candidates += [
        (row["objective"], row["sites"])
        for _, row in regrets.iterrows()
        if row["status"] in OK and row["objective"] is not None
    ]
    for objective, sites in candidates:
        if objective is None or pd.isna(objective) or sign * (objective - f_star) > within:
            continue
        opened = frozenset(str(sites or "").split(";")) - {""}
        plans.add(opened)
        tied |= opened ^ base
    count = len(tied)
    return {
        "tie_tolerance": tolerance,
        "tied_candidates": sorted(tied),
        "tied_count": count,
        "tied_plans": len(plans),
        "ties_sentence": tie_sentence(count, tolerance),
    }


def standalone_cost(inputs: ModelInputs) -> pd.Series:
    """A site's cost per MW of IT built to its full size on its own (on-site gas, or the grid
    where that is cheaper and allowed), ignoring the network: a ranking aid only."""
    s, p = inputs.sites, inputs.params
    max_it = (s["module_mw"] * s["max_modules"]).replace(0, np.nan)
    pue = s["pue"]
    base = s["open_cost_musd_y"] / max_it + s["it_cost_musd_per_mw_y"]
    if not p.energy_system:
        return base.fillna(np.inf)
    gas = pue * (
        (1 + p.reserve_margin) * s["gen_cost_musd_per_mw_y"]
        + p.gas_cost_musd_per_mw_y * s["gas_price_factor"] / p.generator_efficiency
    )
    factor = s["grid_id"].map(inputs.grid_nodes["price_factor"]).astype(float)
    grid = pue * p.grid_energy_cost_musd_per_mw_y * factor + s["grid_link_cost_musd_y"] / max_it
    options = []
    if p.allow_gas:
        options.append(gas)
    if p.allow_grid:
        options.append(grid.where(s["grid_id"].notna()))
    power = pd.concat(options, axis=1).min(axis=1) if options else pd.Series(np.inf, s.index)
    return (base + power).fillna(np.inf)


def unchosen_ranking(
    inputs: ModelInputs,
    alternative_sites: Sequence[pd.DataFrame],
    chosen: set[Hashable],
    count: int,
) -> list[Hashable]:
    """The ``count`` best unchosen sites: those open in most alternatives first, then by
    their stand-alone cost per MW."""
    if count <= 0:
        return []
    frames = [f for f in alternative_sites if len(f)]
    appear = pd.concat(frames).groupby("site_id").size() if frames else pd.Series(dtype=int)
    table = pd.DataFrame(
        {
            "appear": appear.reindex(inputs.sites.index).fillna(0).to_numpy(),
            "cost": standalone_cost(inputs).to_numpy(),
        },
        index=inputs.sites.index,
    )
    table = table[~table.index.isin(list(chosen))]
    ranked = table.sort_values(["appear", "cost"], ascending=[False, True], kind="stable")
    return ranked.index[:count].tolist()
