"""The numbers a Solution derives from its decisions, recomputed by the independent checker.

:mod:`siting.check` verifies the constraints and the objective; this module verifies every
other number a run writes from the plan: the derived columns of each table and every
total. Each is recomputed here with its own arithmetic from the decisions and the model
data in the same tables (never with :mod:`siting.solution`'s code), and compared.

=====================  ==========================================================
table                  derived columns
=====================  ==========================================================
sites                  it_mw = module_mw·modules, facility_mw = PUE·IT,
                       gas_bcm_y = gas_mw / mw_per_bcm_y, serve_mw = Σ_h serve,
                       value_musd_y = value·IT, cost_total_musd_y = Σ cost terms,
                       capex_musd = Σ capex terms, source (gas, grid, hybrid)
arcs                   flow_bcm_y, utilisation = flow / capacity,
                       cost_transport_musd_y = cost·flow
nodes                  burn_mw = Σ gas burnt at the node, supply_bcm_y, demand_bcm_y
grid_nodes             used_mw = Σ grid import at the node, utilisation
hubs                   served_mw = Σ_s serve, required_mw = demand + share·Σ IT
serve                  cost_musd_y = serve_mw·cost
totals                 every key (sums, ratios, counts of binding limits, objective)
=====================  ==========================================================
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import pandas as pd

from siting.outcome import SolveReport
from siting.solution import BINDING_TOL, Solution

#: the cost terms of a site, and the capex terms as (coefficient column, decision)
SITE_COST_COLUMNS = (
    "cost_open_musd_y",
    "cost_it_musd_y",
    "cost_gen_musd_y",
    "cost_gas_musd_y",
    "cost_grid_link_musd_y",
    "cost_grid_energy_musd_y",
    "cost_serve_musd_y",
)
#: below this a decision counts as zero when naming a site's power source (as the model's
#: extraction does)
SOURCE_EPS_MW = 1e-6


class Checker(Protocol):
    """What :class:`siting.check._Checker` offers: comparisons within its tolerance, and
    single findings."""

    def eq(self, family: str, ids: pd.Index, lhs: np.ndarray, rhs: np.ndarray, what: str) -> None:
        """Record rows where lhs and rhs differ beyond the tolerance."""

    def note(self, family: str, where: str, amount: float, detail: str) -> None:
        """Record one violation found by a test that is not a comparison."""


def check_derived(c: Checker, solution: Solution) -> None:
    """Recompute every derived column of the Solution's tables and every total."""
    it = _site_columns(c, solution)
    _network_columns(c, solution)
    _hub_columns(c, solution, it)
    check_totals(c, solution)


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(float)


def _sum_by(values: pd.Series, keys: pd.Series, index: pd.Index) -> np.ndarray:
    """Σ values grouped by key, in the order of ``index`` (0 where a key has none)."""
    return values.groupby(keys).sum().reindex(index).fillna(0.0).to_numpy(float)


def _site_columns(c: Checker, solution: Solution) -> np.ndarray:
    s, p = solution.sites, solution.params
    ids = s.index
    it = _col(s, "module_mw") * _col(s, "modules")
    c.eq("derived", ids, _col(s, "facility_mw"), _col(s, "pue") * it, "facility_mw = PUE·IT")
    c.eq(
        "derived",
        ids,
        _col(s, "gas_bcm_y"),
        _col(s, "gas_mw") / p.mw_per_bcm_y,
        "gas_bcm_y = gas_mw / mw_per_bcm_y",
    )
    serve = solution.serve
    c.eq(
        "derived",
        ids,
        _col(s, "serve_mw"),
        _sum_by(serve["serve_mw"], serve["site_id"], ids),
        "serve_mw = Σ served",
    )
    c.eq(
        "derived",
        ids,
        _col(s, "cost_total_musd_y"),
        np.sum([_col(s, term) for term in SITE_COST_COLUMNS], axis=0),
        "cost_total_musd_y = Σ cost terms",
    )
    c.eq(
        "derived",
        ids,
        _col(s, "value_musd_y"),
        p.compute_value_musd_per_mw_y * it,
        "value_musd_y = value · IT",
    )
    capex = (
        _col(s, "open_capex_musd") * _col(s, "open")
        + _col(s, "it_capex_musd_per_mw") * it
        + _col(s, "gen_capex_musd_per_mw") * _col(s, "gen_mw")
        + _col(s, "grid_link_capex_musd") * _col(s, "grid_link")
    )
    c.eq("derived", ids, _col(s, "capex_musd"), capex, "capex_musd = Σ capex terms")
    gas, grid = _col(s, "gas_mw"), _col(s, "grid_mw")
    source = np.where(
        (_col(s, "open") == 0) | (not p.energy_system),
        "",
        np.where(grid <= SOURCE_EPS_MW, "gas", np.where(gas <= SOURCE_EPS_MW, "grid", "hybrid")),
    )
    written = s["source"].fillna("").astype(str).to_numpy()
    for i in np.flatnonzero(written != source)[:20]:
        c.note("derived", str(ids[i]), 1.0, f"source {written[i]!r}, the plan says {source[i]!r}")
    return it


def _network_columns(c: Checker, solution: Solution) -> None:
    arcs, nodes, grid, s = solution.arcs, solution.nodes, solution.grid_nodes, solution.sites
    per_bcm = solution.params.mw_per_bcm_y
    flow, capacity = _col(arcs, "flow_mw"), _col(arcs, "capacity_mw")
    c.eq("derived", arcs.index, _col(arcs, "flow_bcm_y"), flow / per_bcm, "flow_bcm_y")
    c.eq(
        "derived",
        arcs.index,
        _col(arcs, "utilisation"),
        np.divide(flow, capacity, out=np.zeros_like(flow), where=capacity > 0),
        "utilisation = flow / capacity",
    )
    c.eq(
        "derived",
        arcs.index,
        _col(arcs, "cost_transport_musd_y"),
        _col(arcs, "cost_musd_per_mw_y") * flow,
        "cost_transport_musd_y = cost · flow",
    )
    c.eq(
        "derived",
        nodes.index,
        _col(nodes, "burn_mw"),
        _sum_by(s["gas_mw"], s["node_id"], nodes.index),
        "burn_mw = Σ gas burnt at the node",
    )
    c.eq(
        "derived",
        nodes.index,
        _col(nodes, "supply_bcm_y"),
        _col(nodes, "supply_mw") / per_bcm,
        "supply_bcm_y",
    )
    c.eq(
        "derived",
        nodes.index,
        _col(nodes, "demand_bcm_y"),
        _col(nodes, "demand_mw") / per_bcm,
        "demand_bcm_y",
    )
    used = _sum_by(s["grid_mw"], s["grid_id"], grid.index)
    spare = _col(grid, "spare_mw")
    c.eq("derived", grid.index, _col(grid, "used_mw"), used, "used_mw = Σ grid import at the node")
    c.eq(
        "derived",
        grid.index,
        _col(grid, "utilisation"),
        np.divide(used, spare, out=np.zeros_like(used), where=spare > 0),
        "utilisation = used / spare",
    )


def _hub_columns(c: Checker, solution: Solution, it: np.ndarray) -> None:
    hubs, serve = solution.hubs, solution.serve
    c.eq(
        "derived",
        pd.Index(serve.index),
        _col(serve, "cost_musd_y"),
        _col(serve, "serve_mw") * _col(serve, "cost_musd_per_mw_y"),
        "cost_musd_y = serve_mw · cost",
    )
    if not len(hubs):
        return
    c.eq(
        "derived",
        hubs.index,
        _col(hubs, "served_mw"),
        _sum_by(serve["serve_mw"], serve["hub_id"], hubs.index),
        "served_mw = Σ served",
    )
    c.eq(
        "derived",
        hubs.index,
        _col(hubs, "required_mw"),
        _col(hubs, "demand_mw") + _col(hubs, "share_of_it") * float(it.sum()),
        "required_mw = demand + share · Σ IT",
    )


def _binding(value: np.ndarray, limit: np.ndarray) -> int:
    return int(((limit > 0) & (value >= limit - BINDING_TOL * np.maximum(1.0, limit))).sum())


def recomputed_totals(solution: Solution) -> dict[str, float]:
    """Every total a run writes, recomputed from the tables."""
    s, arcs, nodes, grid, p = (
        solution.sites,
        solution.arcs,
        solution.nodes,
        solution.grid_nodes,
        solution.params,
    )
    it = float((_col(s, "module_mw") * _col(s, "modules")).sum())
    gas = float(_col(s, "gas_mw").sum())
    terms = {term: float(_col(s, term).sum()) for term in SITE_COST_COLUMNS}
    transport = float((_col(arcs, "cost_musd_per_mw_y") * _col(arcs, "flow_mw")).sum())
    cost = sum(terms.values()) + transport
    capex = float(_col(s, "capex_musd").sum())
    value = p.compute_value_musd_per_mw_y * it
    surplus = float(_col(nodes, "supply_max_mw").sum() - _col(nodes, "demand_mw").sum())
    used = _sum_by(s["grid_mw"], s["grid_id"], grid.index)

    def per_it(x: float) -> float:
        return x / it if it > 0 else math.nan

    out: dict[str, float] = {
        "sites_open": float(_col(s, "open").sum()),
        "it_mw": it,
        "facility_mw": float((_col(s, "pue") * _col(s, "module_mw") * _col(s, "modules")).sum()),
        "gas_mw": gas,
        "gas_bcm_y": gas / p.mw_per_bcm_y,
        "grid_mw": float(_col(s, "grid_mw").sum()),
        "gen_mw": float(_col(s, "gen_mw").sum()),
        "surplus_mw": surplus,
        "surplus_bcm_y": surplus / p.mw_per_bcm_y,
        "cost_musd_y": cost,
        "cost_transport_musd_y": transport,
        "capex_musd": capex,
        "value_musd_y": value,
        "cost_per_mw_it_musd_y": per_it(cost),
        "capex_per_mw_it_musd": per_it(capex),
        **terms,
        "arcs_full": _binding(_col(arcs, "flow_mw"), _col(arcs, "capacity_mw")),
        "fields_at_capacity": _binding(_col(nodes, "supply_mw"), _col(nodes, "supply_max_mw")),
        "grid_nodes_exhausted": _binding(used, _col(grid, "spare_mw")),
    }
    if "town_km" in s.columns:
        remoteness = float((_col(s, "town_km") * _col(s, "module_mw") * _col(s, "modules")).sum())
        out["remoteness_mw_km"] = remoteness
        out["remoteness_km"] = per_it(remoteness)
    return out


def check_totals(c: Checker, solution: Solution) -> None:
    """Each total the Solution carries against its recomputation (``objective`` is checked
    with the objective, in :mod:`siting.check`)."""
    recomputed = recomputed_totals(solution)
    for key, value in solution.totals.items():
        if key == "objective":
            continue
        if key not in recomputed:
            c.note("totals", key, math.nan, "a total the checker does not know how to recompute")
            continue
        compare(c, "totals", key, value, recomputed[key])


def compare(
    c: Checker, family: str, where: str, written: object, expected: object, what: str = ""
) -> None:
    """One written number against its recomputation; NaN (written as null) equals NaN."""
    a, b = _number(written), _number(expected)
    if math.isnan(a) and math.isnan(b):
        return
    if math.isnan(a) or math.isnan(b):
        c.note(family, where, math.nan, f"{what or where}: written {written!r}, recomputed {b:.6g}")
        return
    c.eq(family, pd.Index([where]), np.array([a]), np.array([b]), what or f"{where} as written")


def _number(value: object) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | int | float | np.integer | np.floating):
        return float(value)
    return math.nan


def reported_gap(objective: float, bound: float) -> float:
    """HiGHS's relative MIP gap: |objective − bound| / |objective| (0 when both are 0)."""
    if objective == bound:
        return 0.0
    return abs(objective - bound) / abs(objective) if objective != 0 else math.inf


def report_problems(
    report: SolveReport, recomputed: float | None, tol: float
) -> list[tuple[str, float, str]]:
    """Where HiGHS's report contradicts the plan recomputed, as (what, by how much, detail):
    its objective differs from the recomputed one, its best bound lies on the wrong side of
    it, its gap is not that of its objective and bound, a plan called optimal is not within
    the gap setting, or the Lagrangian bounds of a facility-location model do not bracket
    the plan."""
    r = report
    out: list[tuple[str, float, str]] = []
    if recomputed is None or not math.isfinite(recomputed):
        return out
    scale = max(1.0, abs(recomputed))
    minimise = r.sense == "min"
    if r.objective is not None and abs(r.objective - recomputed) > tol * scale:
        out.append(
            (
                "objective",
                abs(r.objective - recomputed),
                f"HiGHS's objective {r.objective:.9g} is not the recomputed {recomputed:.9g} "
                "of its own plan",
            )
        )
    if r.bound is not None:
        excess = (r.bound - recomputed) if minimise else (recomputed - r.bound)
        if excess > tol * scale:
            out.append(
                (
                    "best bound",
                    excess,
                    f"HiGHS's best bound {r.bound:.9g} is not {'≤' if minimise else '≥'} the "
                    f"recomputed objective {recomputed:.9g} of its own plan",
                )
            )
    if r.gap is not None and r.objective is not None and r.bound is not None:
        gap = reported_gap(r.objective, r.bound)
        if abs(r.gap - gap) > 1e-6 and not (math.isinf(gap) and r.gap >= 1):
            out.append(
                (
                    "gap",
                    abs(r.gap - gap),
                    f"the gap {r.gap:.6g} is not that of the objective and bound ({gap:.6g})",
                )
            )
    if r.is_optimal and r.bound is not None:
        gap = reported_gap(recomputed, r.bound)
        if gap > r.mip_gap_setting + max(tol, 1e-9):
            out.append(
                (
                    "optimality",
                    gap,
                    f"called optimal, but the recomputed objective {recomputed:.9g} and the "
                    f"bound {r.bound:.9g} are {gap:.4%} apart (gap setting "
                    f"{r.mip_gap_setting:.4%})",
                )
            )
    lower = r.presolve.get("lagrangian_lower_bound")
    upper = r.presolve.get("lagrangian_upper_bound")
    if minimise and lower is not None and lower - recomputed > tol * scale:
        out.append(
            (
                "Lagrangian bound",
                lower - recomputed,
                f"the Lagrangian lower bound {lower:.9g} exceeds the plan's cost {recomputed:.9g}",
            )
        )
    # optimal within the gap: objective ≤ bound / (1 − gap) ≤ UB / (1 − gap)
    if (
        minimise
        and r.is_optimal
        and upper is not None
        and recomputed > upper / (1 - r.mip_gap_setting) + tol * scale
    ):
        out.append(
            (
                "Lagrangian plan",
                recomputed - upper,
                f"the plan called optimal costs {recomputed:.9g}, more than the Lagrangian "
                f"heuristic plan's {upper:.9g}",
            )
        )
    return out


def check_report(c: Checker, solution: Solution, recomputed: float | None, tol: float) -> None:
    """Record :func:`report_problems` (the objective itself is compared in
    :mod:`siting.check`)."""
    for where, amount, detail in report_problems(solution.report, recomputed, tol):
        if where != "objective":
            c.note("solver_report", where, amount, detail)
