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

A model v2 plan's annual columns are weighted sums (or peaks) of its periods, checked
against them in :mod:`siting.check_energy`; here its facility MW, burn, grid use and
utilisations are left to that module, its capex and source follow its own rules, and its
per-period utilisations, binding counts and v2 totals are recomputed.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import pandas as pd

from siting.inputs import COVER_OBJECTIVES, MUSD_Y_PER_USD_PER_MWH
from siting.outcome import SolveReport
from siting.solution import BINDING_TOL, Solution

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
    if solution.is_v2:
        _v2_columns(c, solution)
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
    v2 = solution.is_v2
    if not v2:  # v2: weighted over the periods, in siting.check_energy
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
        np.sum([_col(s, term) for term in solution.cost_terms], axis=0),
        "cost_total_musd_y = Σ cost terms",
    )
    c.eq(
        "derived",
        ids,
        _col(s, "value_musd_y"),
        p.compute_value_musd_per_mw_y * it,
        "value_musd_y = value · IT",
    )
    if v2:
        from siting.check_energy import capex_v2  # it imports this module's users

        capex = capex_v2(solution)
    else:
        capex = (
            _col(s, "open_capex_musd") * _col(s, "open")
            + _col(s, "it_capex_musd_per_mw") * it
            + _col(s, "gen_capex_musd_per_mw") * _col(s, "gen_mw")
            + _col(s, "grid_link_capex_musd") * _col(s, "grid_link")
        )
    c.eq("derived", ids, _col(s, "capex_musd"), capex, "capex_musd = Σ capex terms")
    grid = _col(s, "grid_mw")
    # the power made on site: v1 from the fuel, v2 weighted over the periods
    onsite = _col(s, "gas_mw")
    if v2:
        w = solution.periods["weight"]
        sp = solution.site_periods["onsite_mw"]
        weight = w.reindex(sp.index.get_level_values("period")).to_numpy(float)
        onsite = _sum_by(
            pd.Series(sp.to_numpy(float) * weight),
            pd.Series(sp.index.get_level_values("site_id")),
            ids,
        )
    source = np.where(
        (_col(s, "open") == 0) | (not p.energy_system),
        "",
        np.where(grid <= SOURCE_EPS_MW, "gas", np.where(onsite <= SOURCE_EPS_MW, "grid", "hybrid")),
    )
    written = s["source"].fillna("").astype(str).to_numpy()
    for i in np.flatnonzero(written != source)[:20]:
        c.note("derived", str(ids[i]), 1.0, f"source {written[i]!r}, the plan says {source[i]!r}")
    return it


def _network_columns(c: Checker, solution: Solution) -> None:
    arcs, nodes, grid, s = solution.arcs, solution.nodes, solution.grid_nodes, solution.sites
    per_bcm = solution.params.mw_per_bcm_y
    v2 = solution.is_v2
    flow, capacity = _col(arcs, "flow_mw"), _col(arcs, "capacity_mw")
    c.eq("derived", arcs.index, _col(arcs, "flow_bcm_y"), flow / per_bcm, "flow_bcm_y")
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
    if v2:
        _period_utilisation(c, solution)
        return
    c.eq(
        "derived",
        arcs.index,
        _col(arcs, "utilisation"),
        _ratio(flow, capacity),
        "utilisation = flow / capacity",
    )
    c.eq(
        "derived",
        nodes.index,
        _col(nodes, "burn_mw"),
        _sum_by(s["gas_mw"], s["node_id"], nodes.index),
        "burn_mw = Σ gas burnt at the node",
    )
    used = _sum_by(s["grid_mw"], s["grid_id"], grid.index)
    c.eq("derived", grid.index, _col(grid, "used_mw"), used, "used_mw = Σ grid import at the node")
    c.eq(
        "derived",
        grid.index,
        _col(grid, "utilisation"),
        _ratio(used, _col(grid, "spare_mw")),
        "utilisation = used / spare",
    )


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def _period_utilisation(c: Checker, solution: Solution) -> None:
    """Model v2: each period's utilisation of an arc, field or grid node is use / limit,
    and the annual column of the grid nodes and nodes is the highest over the periods (the
    arcs' is checked in :mod:`siting.check_energy`)."""
    tables = (
        (solution.arc_periods, "flow_mw", "capacity_mw", None, "arc_id"),
        (solution.grid_periods, "used_mw", "spare_mw", solution.grid_nodes, "grid_id"),
        (solution.node_periods, "supply_mw", "supply_max_mw", solution.nodes, "node_id"),
    )
    for frame, use, limit, annual, level in tables:
        if not len(frame):
            continue
        ratio = _ratio(_col(frame, use), _col(frame, limit))
        if "utilisation" in frame.columns:
            ids = pd.Index([f"{a} in {b}" for a, b in frame.index])
            c.eq(
                "derived", ids, _col(frame, "utilisation"), ratio, f"utilisation = {use} / {limit}"
            )
        if annual is not None and "utilisation" in annual.columns:
            peak = pd.Series(ratio, index=frame.index).groupby(level=level).max()
            c.eq(
                "derived",
                annual.index,
                _col(annual, "utilisation"),
                peak.reindex(annual.index).fillna(0.0).to_numpy(float),
                "utilisation = highest over the periods",
            )


def _v2_columns(c: Checker, solution: Solution) -> None:
    """Model v2 columns not checked in :mod:`siting.check_energy`: the units' size, variable
    O&M and capex, the indirect gas of each grid node, and the period of each peak."""
    su, tech, s = solution.site_units, solution.technologies, solution.sites
    if len(su):
        t_of = su.index.get_level_values("tech_id")
        site_of = su.index.get_level_values("site_id")
        ids = pd.Index([f"{a} {b}" for a, b in su.index])
        unit = tech["unit_mw"].reindex(t_of).to_numpy(float)
        c.eq("derived", ids, _col(su, "unit_mw"), unit, "unit_mw as in the technology table")
        vom = tech["variable_om_musd_per_mw_y"].reindex(t_of).to_numpy(float)
        c.eq("derived", ids, _col(su, "cost_vom_musd_y"), vom * _col(su, "power_mw"), "O&M")
        capex = (
            tech["capex_musd_per_mw"].reindex(t_of).to_numpy(float)
            * s["capex_multiplier"].reindex(site_of).to_numpy(float)
            * _col(su, "installed_mw")
        )
        c.eq("derived", ids, _col(su, "capex_musd"), capex, "capex = capex/MW · multiplier · MW")
    grid, gp, sp = solution.grid_nodes, solution.grid_periods, solution.site_periods
    if len(grid) and "gas_indirect_mw" in gp.columns:
        site_of = sp.index.get_level_values("site_id")
        grid_of = s["grid_id"].reindex(site_of).to_numpy(object)
        has = np.array([g is not None and g == g for g in grid_of])
        per = (
            pd.Series(_col(sp, "gas_indirect_mw")[has])
            .groupby([grid_of[has], sp.index.get_level_values("period")[has]])
            .sum()
            if has.any()
            else pd.Series(dtype=float)
        )
        expected = per.reindex(gp.index).fillna(0.0).to_numpy(float) if len(per) else 0.0
        ids = pd.Index([f"{a} in {b}" for a, b in gp.index])
        c.eq(
            "derived",
            ids,
            _col(gp, "gas_indirect_mw"),
            np.broadcast_to(expected, len(gp)),
            "indirect gas = Σ at the node's sites",
        )
        weight = solution.periods["weight"].reindex(gp.index.get_level_values("period"))
        annual = (
            pd.Series(_col(gp, "gas_indirect_mw") * weight.to_numpy(float), index=gp.index)
            .groupby(level="grid_id")
            .sum()
        )
        c.eq(
            "derived",
            grid.index,
            _col(grid, "gas_indirect_mw"),
            annual.reindex(grid.index).fillna(0.0).to_numpy(float),
            "gas_indirect_mw = Σ_p w·indirect[p]",
        )
    for annual_frame, frame, level in (
        (solution.arcs, solution.arc_periods, "arc_id"),
        (solution.nodes, solution.node_periods, "node_id"),
        (grid, gp, "grid_id"),
    ):
        if "binding_period" in annual_frame.columns and "utilisation" in frame.columns:
            _peak_periods(c, annual_frame, frame, level)


def _peak_periods(c: Checker, annual: pd.DataFrame, frame: pd.DataFrame, level: str) -> None:
    """``binding_period`` names a period where the utilisation is at its highest, and is
    empty where it is zero in every period."""
    util = pd.Series(_col(frame, "utilisation"), index=frame.index)
    top = util.groupby(level=level).max().reindex(annual.index).fillna(0.0)
    written = annual["binding_period"].astype(object).where(annual["binding_period"].notna(), "")
    for key, period in written.items():
        peak = float(top.get(key, 0.0))
        if peak <= 1e-9:
            if str(period) != "":
                c.note(
                    "derived", str(key), peak, f"binding_period {period!r}, no use in any period"
                )
            continue
        at = util.get((key, str(period)), math.nan) if period != "" else math.nan
        if not (at >= peak - 1e-9 * max(1.0, peak)):
            c.note(
                "derived",
                str(key),
                peak,
                f"binding_period {period!r} is not a period of the highest utilisation",
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


def _binding_ever(frame: pd.DataFrame, use: str, limit: str, level: str) -> int:
    """How many entities reach their limit in some period."""
    if not len(frame):
        return 0
    value, cap = _col(frame, use), _col(frame, limit)
    hit = (cap > 0) & (value >= cap - BINDING_TOL * np.maximum(1.0, cap))
    return int(pd.Series(hit, index=frame.index).groupby(level=level).any().sum())


def recomputed_totals(solution: Solution) -> dict[str, float]:
    """Every total a run writes, recomputed from the tables (the objective aside)."""
    s, arcs, nodes, grid, p = (
        solution.sites,
        solution.arcs,
        solution.nodes,
        solution.grid_nodes,
        solution.params,
    )
    v2 = solution.is_v2
    it = float((_col(s, "module_mw") * _col(s, "modules")).sum())
    gas = float(_col(s, "gas_mw").sum())
    terms = {term: float(_col(s, term).sum()) for term in solution.cost_terms}
    # with a transport tariff the plan pays for what it moves beyond committed demand alone
    paid_anyway = committed_transport(solution)
    transport = (
        float((_col(arcs, "cost_musd_per_mw_y") * _col(arcs, "flow_mw")).sum()) - paid_anyway
    )
    cost = sum(terms.values()) + transport
    capex = float(_col(s, "capex_musd").sum())
    value = p.compute_value_musd_per_mw_y * it
    if v2:
        np_, w = solution.node_periods, solution.periods["weight"]
        weight = w.reindex(np_.index.get_level_values("period")).to_numpy(float)
        # off-network supply is no pipeline surplus
        piped = ~np.isin(
            np_.index.get_level_values("node_id"), nodes.index[nodes["kind"] == "stranded"]
        )
        surplus = float(
            ((_col(np_, "supply_max_mw") - _col(np_, "demand_mw")) * weight)[piped].sum()
        )
        binding = {
            "arcs_full": _binding_ever(solution.arc_periods, "flow_mw", "capacity_mw", "arc_id"),
            "fields_at_capacity": _binding_ever(np_, "supply_mw", "supply_max_mw", "node_id"),
            "grid_nodes_exhausted": _binding_ever(
                solution.grid_periods, "used_mw", "spare_mw", "grid_id"
            ),
        }
        facility = float(_col(s, "facility_mw").sum())  # weighted: siting.check_energy
    else:
        on = (nodes["kind"] != "stranded").to_numpy()
        surplus = float(_col(nodes, "supply_max_mw")[on].sum() - _col(nodes, "demand_mw")[on].sum())
        used = _sum_by(s["grid_mw"], s["grid_id"], grid.index)
        binding = {
            "arcs_full": _binding(_col(arcs, "flow_mw"), _col(arcs, "capacity_mw")),
            "fields_at_capacity": _binding(_col(nodes, "supply_mw"), _col(nodes, "supply_max_mw")),
            "grid_nodes_exhausted": _binding(used, _col(grid, "spare_mw")),
        }
        facility = float((_col(s, "pue") * it_per_site(s)).sum())

    def per_it(x: float) -> float:
        return x / it if it > 0 else math.nan

    out: dict[str, float] = {
        "sites_open": float(_col(s, "open").sum()),
        "it_mw": it,
        "facility_mw": facility,
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
        **binding,
    }
    if "town_km" in s.columns:
        remoteness = float((_col(s, "town_km") * it_per_site(s)).sum())
        out["remoteness_mw_km"] = remoteness
        out["remoteness_km"] = per_it(remoteness)
    if v2:
        direct, indirect = gas, float(_col(s, "gas_indirect_mw").sum())
        out.update(
            {
                "gas_direct_mw": direct,
                "gas_indirect_mw": indirect,
                "gas_total_mw": direct + indirect,
                "gas_direct_bcm_y": direct / p.mw_per_bcm_y,
                "gas_indirect_bcm_y": indirect / p.mw_per_bcm_y,
                "gas_total_bcm_y": (direct + indirect) / p.mw_per_bcm_y,
                "installed_mw": float(_col(s, "installed_mw").sum()),
                "power_grid_mw": float(_col(s, "grid_mw").sum()),
                "cost_usd_per_mwh_it": cost / (it * MUSD_Y_PER_USD_PER_MWH) if it > 0 else math.nan,
            }
        )
        for t in solution.technologies.index:
            if f"power_{t}_mw" in s.columns:
                out[f"power_{t}_mw"] = float(_col(s, f"power_{t}_mw").sum())
    if p.objective in COVER_OBJECTIVES:
        out.update(_cover_totals(solution))
    from siting.check_surplus import recomputed_surplus

    out.update(recomputed_surplus(solution))
    out["cost_transport_baseline_musd_y"] = paid_anyway
    return out


def _cover_totals(solution: Solution) -> dict[str, float]:
    """A covering plan's hubs covered (by an open site among their pairs within the
    radius): how many, how many not, their share and weight, and the total weight."""
    hubs, serve, s = solution.hubs, solution.serve, solution.sites
    is_open = _col(s, "open") > 0.5
    pair_open = is_open[s.index.get_indexer(pd.Index(serve["site_id"]))]
    covered = np.zeros(len(hubs), dtype=bool)
    covered[hubs.index.get_indexer(pd.Index(serve["hub_id"]))[pair_open]] = True
    weight = _col(hubs, "cover_weight")
    n = len(hubs)
    return {
        "hubs_covered": float(covered.sum()),
        "hubs_uncovered": float(n - covered.sum()),
        "covered_share": float(covered.sum() / n) if n else math.nan,
        "covered_weight": float(weight[covered].sum()),
        "cover_weight_total": float(weight.sum()),
    }


def committed_transport(solution: Solution) -> float:
    """The transport cost of the committed demand alone that the objective leaves out:
    the periods' weights times the baselines in the plan's parameters."""
    baseline = np.asarray(solution.params.transport_baseline_musd_y, float)
    if not len(baseline):
        return 0.0
    return float((solution.periods["weight"].to_numpy(float) * baseline).sum())


def it_per_site(s: pd.DataFrame) -> np.ndarray:
    return _col(s, "module_mw") * _col(s, "modules")


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
    sign = 1.0 if minimise else -1.0
    lp_bound = r.presolve.get("start_lp_bound")
    if (
        lp_bound is not None
        and math.isfinite(lp_bound)
        and (lp_bound - recomputed) * sign > (tol * scale)
    ):
        out.append(
            (
                "LP bound",
                abs(lp_bound - recomputed),
                f"the LP relaxation's bound {lp_bound:.9g} of the starting plan lies beyond "
                f"the plan's recomputed objective {recomputed:.9g}",
            )
        )
    start = r.presolve.get("start_objective")
    if (
        r.is_optimal
        and start is not None
        and math.isfinite(start)
        and (recomputed - start) * sign > r.mip_gap_setting * abs(start) + tol * scale
    ):
        out.append(
            (
                "starting plan",
                abs(recomputed - start),
                f"the plan called optimal ({recomputed:.9g}) is worse than the starting plan "
                f"HiGHS was given ({start:.9g})",
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
