"""The independent checks of a model v2 plan: periods, technology units, reliability, grid
fuel and charges, and the cost ceiling.

Like :mod:`siting.check`, everything is recomputed from the Solution's tables with its own
arithmetic (no model code): the per-period balances of power at every site and of gas at
every node (with the indirect gas of grid power recomputed from the grid nodes' fuel
columns), arc, field and grid limits per period, units and national caps, the N+1 rule
from the units built, every annual (weighted) column against its periods, every cost term
and the objective.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from siting.inputs import MUSD_Y_PER_USD_PER_MWH
from siting.solution import Solution

if TYPE_CHECKING:
    from siting.check import _Checker


def _ids(index: pd.Index) -> pd.Index:
    """Row labels for messages: (id, period) pairs as ``id in period``."""
    if isinstance(index, pd.MultiIndex):
        return pd.Index([f"{a} in {b}" for a, b in index])
    return index


def _weighted(long: pd.Series, weight: pd.Series, ids: pd.Index, level: str) -> np.ndarray:
    w = weight.reindex(long.index.get_level_values("period")).to_numpy(float)
    total = pd.Series(long.to_numpy(float) * w, index=long.index).groupby(level=level).sum()
    return total.reindex(ids).fillna(0.0).to_numpy(float)


def check_energy(c: _Checker, solution: Solution, it: np.ndarray) -> None:
    """Every model v2 family and column (the per-period replacement of the v1 energy checks)."""
    s, p = solution.sites, solution.params
    sp, weight = solution.site_periods, solution.periods["weight"]
    techs = [t for t in solution.technologies.index if f"units_{t}" in s.columns]
    site_of = sp.index.get_level_values("site_id")
    pos = s.index.get_indexer(site_of)
    ids = _ids(sp.index)
    c.eq("periods", pd.Index(["weights"]), [weight.sum()], [1.0], "Σ period weights = 1")

    # the site-period table itself
    c.eq("power_balance", ids, sp["it_mw"].to_numpy(float), it[pos], "IT per period = IT")
    pue = sp["pue"].to_numpy(float)
    c.eq("power_balance", ids, sp["facility_mw"].to_numpy(float), pue * it[pos], "PUE·IT")
    grid = sp["grid_mw"].to_numpy(float)
    if techs:
        tech = solution.technologies
        power = {t: sp[f"power_{t}_mw"].to_numpy(float) for t in techs}
        onsite = np.sum(list(power.values()), axis=0)
        fuel = np.sum([power[t] / float(tech["efficiency"][t]) for t in techs], axis=0)
    else:
        onsite = p.generator_efficiency * sp["gas_mw"].to_numpy(float)
        fuel = sp["gas_mw"].to_numpy(float)
    c.eq("technology", ids, sp["gas_mw"].to_numpy(float), fuel, "fuel = Σ_t power/η_t")
    c.eq("power_balance", ids, onsite + grid, pue * it[pos], "on-site + grid = PUE·IT")
    c.eq("power_balance", ids, sp["onsite_mw"].to_numpy(float), onsite, "on-site as reported")
    for col in ("grid_mw", "gas_mw"):
        c.leq("non-negative", ids, -sp[col].to_numpy(float), np.zeros(len(sp)), f"{col} ≥ 0")
    if not p.allow_gas:
        c.eq("technology", ids, onsite, np.zeros(len(sp)), "no on-site gas allowed")

    if techs:
        _check_units(c, solution, techs, pos)
    else:
        gen = s["gen_mw"].to_numpy(float)[pos]
        r = p.reserve_margin
        c.leq("generation", ids, (1 + r) * onsite, gen, "(1+r)·η·gas[p] ≤ gen")

    _check_grid(c, solution, pos)
    _check_network(c, solution)
    _check_annual(c, solution)


def _check_units(c: _Checker, solution: Solution, techs: list, pos: np.ndarray) -> None:
    s, p, sp = solution.sites, solution.params, solution.site_periods
    tech = solution.technologies
    ids = _ids(sp.index)
    open_ = s["open"].to_numpy(float)
    unit = {t: float(tech["unit_mw"][t]) for t in techs}
    units = {t: s[f"units_{t}"].to_numpy(float) for t in techs}
    for t in techs:
        n = units[t]
        c.eq("integer", s.index, n, np.rint(n), f"units of {t} must be integer")
        c.leq("technology", s.index, -n, np.zeros(len(s)), f"units of {t} ≥ 0")
        c.eq(
            "technology",
            s.index,
            n * (1 - open_),
            np.zeros(len(s)),
            f"{t} units only at open sites",
        )
        power = sp[f"power_{t}_mw"].to_numpy(float)
        c.leq("technology", ids, -power, np.zeros(len(sp)), f"power of {t} ≥ 0")
        c.leq("technology", ids, power, unit[t] * n[pos], f"power of {t} ≤ unit·units")
        cap = float(tech["national_cap_mw"][t])
        if cap == cap:
            c.leq("national_cap", pd.Index([t]), [unit[t] * n.sum()], [cap], "Σ MW ≤ cap")
        if not bool(tech.at[t, "available"]):
            c.eq("technology", s.index, n, np.zeros(len(s)), f"{t} is not available")
    installed = np.sum([unit[t] * units[t] for t in techs], axis=0)
    c.eq("technology", s.index, s["installed_mw"].to_numpy(float), installed, "installed MW")
    if "units" in solution.site_units.columns and len(solution.site_units):
        su = solution.site_units
        ids_su = _ids(su.index)
        site, tech_of = su.index.get_level_values(0), su.index.get_level_values(1)
        again = np.array([s.at[a, f"units_{b}"] for a, b in su.index], dtype=float)
        c.eq("technology", ids_su, su["units"].to_numpy(float), again, "site_units = sites")
        power = np.array([s.at[a, f"power_{b}_mw"] for a, b in su.index], dtype=float)
        c.eq("technology", ids_su, su["power_mw"].to_numpy(float), power, "site_units power")
        eta = tech["efficiency"].reindex(tech_of).to_numpy(float)
        c.eq("technology", ids_su, su["fuel_mw"].to_numpy(float), power / eta, "fuel = power/η")
        mw = again * tech["unit_mw"].reindex(tech_of).to_numpy(float)
        c.eq("technology", ids_su, su["installed_mw"].to_numpy(float), mw, "installed = unit·units")
        mult = s["capex_multiplier"].reindex(site).to_numpy(float)
        cost = tech["cost_musd_per_mw_y"].reindex(tech_of).to_numpy(float) * mult * mw
        c.eq("cost_terms", ids_su, su["cost_musd_y"].to_numpy(float), cost, "units' annual cost")
    if p.reliability == "n_plus_1":
        largest = np.max([np.where(units[t] > 0.5, unit[t], 0.0) for t in techs], axis=0)
        output = np.sum([sp[f"power_{t}_mw"].to_numpy(float) for t in techs], axis=0)
        credit = np.zeros(len(sp))
        if p.grid_firm_share > 0:
            cap_mw = s["grid_cap_mw"].to_numpy(float)[pos]
            credit = p.grid_firm_share * (cap_mw - sp["grid_mw"].to_numpy(float))
        c.leq(
            "reliability",
            ids,
            output,
            (installed - largest)[pos] + credit,
            "output ≤ capacity − largest unit + φ·(contracted − drawn)",
        )


def _check_grid(c: _Checker, solution: Solution, pos: np.ndarray) -> None:
    s, p, sp = solution.sites, solution.params, solution.site_periods
    ids = _ids(sp.index)
    gp = solution.grid_periods
    grid = sp["grid_mw"].to_numpy(float)
    link = s["grid_link"].to_numpy(float)
    periods = sp.index.get_level_values("period")
    g_of = s["grid_id"].to_numpy(dtype=object)[pos]
    allowed = np.array([g is not None and g == g for g in g_of]) & p.allow_grid
    spare = np.array(
        [
            gp["spare_mw"].get((g, q), 0.0) if ok else 0.0
            for g, q, ok in zip(g_of, periods, allowed, strict=True)
        ],
        dtype=float,
    )
    c.leq("grid", ids, grid, spare * link[pos], "grid[p] ≤ spare[p] · link")
    c.leq(
        "grid",
        s.index,
        link,
        np.where(s["grid_id"].notna() & p.allow_grid, s["open"], 0.0),
        "link ≤ open",
    )
    cap_mw = s["grid_cap_mw"].to_numpy(float)
    if (cap_mw > 0).any() or (s["cost_grid_capacity_musd_y"].to_numpy(float) > 0).any():
        c.leq("grid", ids, grid, cap_mw[pos], "grid[p] ≤ contracted capacity")
        most = pd.Series(spare).groupby(pos).max().reindex(range(len(s))).fillna(0.0).to_numpy()
        c.leq("grid", s.index, cap_mw, most * link, "contracted ≤ max spare · link")
    used = (
        pd.Series(grid).groupby([g_of, periods]).sum() if allowed.any() else pd.Series(dtype=float)
    )
    for (g, q), total in zip(used.index, used.tolist(), strict=True):
        if g is None or g != g:
            continue
        c.leq(
            "grid",
            pd.Index([f"{g} in {q}"]),
            [total],
            [gp["spare_mw"].get((g, q), 0.0)],
            "Σ grid at node ≤ spare",
        )
    recomputed = (
        used.reindex(gp.index).fillna(0.0).to_numpy(float) if len(used) else np.zeros(len(gp))
    )
    c.eq(
        "grid",
        _ids(gp.index),
        gp["used_mw"].to_numpy(float),
        recomputed,
        "used = Σ grid of its sites",
    )


def _indirect(solution: Solution) -> tuple[np.ndarray, pd.Series]:
    """Indirect gas per site-period row, and per (gas node, period), from the grid nodes'
    fuel columns."""
    s, sp, g = solution.sites, solution.site_periods, solution.grid_nodes
    pos = s.index.get_indexer(sp.index.get_level_values("site_id"))
    g_of = s["grid_id"].to_numpy(dtype=object)[pos]
    if "gas_share" not in g.columns:
        return np.zeros(len(sp)), pd.Series(dtype=float)
    share = (g["gas_share"] * g["gas_heat_rate"]).to_dict()
    feed = g["gas_node"].to_dict()
    factor = np.array([share.get(x, 0.0) if x is not None else 0.0 for x in g_of], dtype=float)
    factor = np.nan_to_num(factor)
    gas = factor * sp["grid_mw"].to_numpy(float)
    node = np.array([feed.get(x) if x is not None else None for x in g_of], dtype=object)
    keep = (factor > 0) & np.array([n is not None for n in node])
    at = (
        pd.Series(gas[keep]).groupby([node[keep], sp.index.get_level_values("period")[keep]]).sum()
        if keep.any()
        else pd.Series(dtype=float)
    )
    return gas, at


def _check_network(c: _Checker, solution: Solution) -> None:
    s, sp = solution.sites, solution.site_periods
    ap, np_ = solution.arc_periods, solution.node_periods
    arcs = solution.arcs
    flow = ap["flow_mw"].to_numpy(float)
    c.leq(
        "arc_capacity",
        _ids(ap.index),
        flow,
        ap["capacity_mw"].to_numpy(float),
        "flow[p] ≤ capacity[p]",
    )
    c.leq("arc_capacity", _ids(ap.index), -flow, np.zeros(len(ap)), "flow ≥ 0")
    supply = np_["supply_mw"].to_numpy(float)
    c.leq(
        "field_capacity",
        _ids(np_.index),
        supply,
        np_["supply_max_mw"].to_numpy(float),
        "supply[p] ≤ available[p]",
    )
    c.leq("field_capacity", _ids(np_.index), -supply, np.zeros(len(np_)), "supply ≥ 0")
    arc_of = ap.index.get_level_values("arc_id")
    periods = ap.index.get_level_values("period")
    to_node = arcs["to_node"].reindex(arc_of).to_numpy(object)
    from_node = arcs["from_node"].reindex(arc_of).to_numpy(object)
    inflow = pd.Series(flow).groupby([to_node, periods]).sum()
    outflow = pd.Series(flow).groupby([from_node, periods]).sum()
    pos = s.index.get_indexer(sp.index.get_level_values("site_id"))
    node_of = s["node_id"].to_numpy(dtype=object)[pos]
    burn = (
        pd.Series(sp["gas_mw"].to_numpy(float))
        .groupby([node_of, sp.index.get_level_values("period")])
        .sum()
    )
    gas, indirect = _indirect(solution)
    c.eq(
        "indirect_gas", _ids(sp.index), sp["gas_indirect_mw"].to_numpy(float), gas, "σ_gas·HR·grid"
    )
    idx = np_.index

    def at(series: pd.Series) -> np.ndarray:
        return (
            series.reindex(idx).fillna(0.0).to_numpy(float) if len(series) else np.zeros(len(idx))
        )

    lhs = supply + at(inflow) - at(outflow)
    rhs = np_["demand_mw"].to_numpy(float) + at(burn) + at(indirect)
    c.eq("gas_balance", _ids(idx), lhs, rhs, "supply + in − out = demand + burn + indirect")
    c.eq("gas_balance", _ids(idx), np_["burn_mw"].to_numpy(float), at(burn), "burn as reported")
    c.eq(
        "indirect_gas",
        _ids(idx),
        np_["indirect_mw"].to_numpy(float),
        at(indirect),
        "indirect at node",
    )


def _check_annual(c: _Checker, solution: Solution) -> None:
    """Every annual column is the weighted sum (or the peak) of its periods."""
    s, w = solution.sites, solution.periods["weight"]
    sp = solution.site_periods
    for col, src in (
        ("gas_mw", "gas_mw"),
        ("grid_mw", "grid_mw"),
        ("facility_mw", "facility_mw"),
        ("gas_indirect_mw", "gas_indirect_mw"),
    ):
        c.eq(
            "periods",
            s.index,
            s[col].to_numpy(float),
            _weighted(sp[src], w, s.index, "site_id"),
            f"{col} = Σ_p w·{src}[p]",
        )
    c.eq(
        "periods",
        s.index,
        s["gas_direct_mw"].to_numpy(float),
        s["gas_mw"].to_numpy(float),
        "direct gas = on-site fuel",
    )
    for t in solution.technologies.index:
        if f"power_{t}_mw" in s.columns:
            c.eq(
                "periods",
                s.index,
                s[f"power_{t}_mw"].to_numpy(float),
                _weighted(sp[f"power_{t}_mw"], w, s.index, "site_id"),
                f"power of {t}",
            )
    arcs, ap = solution.arcs, solution.arc_periods
    c.eq(
        "periods",
        arcs.index,
        arcs["flow_mw"].to_numpy(float),
        _weighted(ap["flow_mw"], w, arcs.index, "arc_id"),
        "flow = Σ_p w·flow[p]",
    )
    peak = ap["utilisation"].groupby(level="arc_id").max().reindex(arcs.index).fillna(0.0)
    c.eq(
        "periods",
        arcs.index,
        arcs["utilisation"].to_numpy(float),
        peak.to_numpy(float),
        "utilisation = highest over periods",
    )
    nodes, np_ = solution.nodes, solution.node_periods
    for col in ("supply_mw", "burn_mw", "indirect_mw"):
        c.eq(
            "periods",
            nodes.index,
            nodes[col].to_numpy(float),
            _weighted(np_[col], w, nodes.index, "node_id"),
            f"{col} = Σ_p w·{col}[p]",
        )
    g, gp = solution.grid_nodes, solution.grid_periods
    if len(g):
        c.eq(
            "periods",
            g.index,
            g["used_mw"].to_numpy(float),
            _weighted(gp["used_mw"], w, g.index, "grid_id"),
            "used = Σ_p w·used[p]",
        )


def check_v2_system(c: _Checker, solution: Solution, it: np.ndarray, cost: float) -> None:
    """The budget with units and connection charges, and the cost ceiling."""
    p = solution.params
    one = pd.Index(["system"])
    if p.budget_musd is not None:
        c.leq("budget", one, [float(capex_v2(solution).sum())], [p.budget_musd], "Σ capex ≤ budget")
    if p.ceiling_usd_per_mwh is not None:
        c.leq(
            "cost_ceiling",
            one,
            [cost],
            [p.ceiling_usd_per_mwh * MUSD_Y_PER_USD_PER_MWH * float(it.sum())],
            "cost ≤ ceiling · IT energy",
        )


def capex_v2(solution: Solution) -> np.ndarray:
    """Overnight capex per site, recomputed: site, IT, units (or generation), line, and
    the connection charge per MW contracted."""
    s = solution.sites
    it = s["module_mw"].to_numpy(float) * s["modules"].to_numpy(float)
    tech = solution.technologies
    techs = [t for t in tech.index if f"units_{t}" in s.columns]
    mult = s["capex_multiplier"].to_numpy(float)
    if techs:
        gen = np.sum(
            [
                float(tech["capex_musd_per_mw"][t])
                * mult
                * float(tech["unit_mw"][t])
                * s[f"units_{t}"].to_numpy(float)
                for t in techs
            ],
            axis=0,
        )
    else:
        gen = s["gen_capex_musd_per_mw"].to_numpy(float) * s["gen_mw"].to_numpy(float)
    conn = _grid_value(solution, "connection_charge_musd_per_mw")
    return (
        s["open_capex_musd"].to_numpy(float) * s["open"].to_numpy(float)
        + s["it_capex_musd_per_mw"].to_numpy(float) * it
        + gen
        + s["grid_link_capex_musd"].to_numpy(float) * s["grid_link"].to_numpy(float)
        + conn * s["grid_cap_mw"].to_numpy(float)
    )


def _grid_value(solution: Solution, column: str) -> np.ndarray:
    g = solution.grid_nodes
    if column not in g.columns:
        return np.zeros(len(solution.sites))
    return np.nan_to_num(solution.sites["grid_id"].map(g[column]).to_numpy(float))


def cost_terms_v2(solution: Solution, it: np.ndarray) -> dict[str, np.ndarray]:
    """Every site cost term of a model v2 plan, recomputed."""
    s, p, w = solution.sites, solution.params, solution.periods["weight"]
    sp = solution.site_periods
    tech = solution.technologies
    techs = [t for t in tech.index if f"units_{t}" in s.columns]
    mult = s["capex_multiplier"].to_numpy(float)
    fuel = _weighted(sp["gas_mw"], w, s.index, "site_id")
    grid = _weighted(sp["grid_mw"], w, s.index, "site_id")
    if techs:
        gen = np.sum(
            [
                float(tech["cost_musd_per_mw_y"][t])
                * mult
                * float(tech["unit_mw"][t])
                * s[f"units_{t}"].to_numpy(float)
                for t in techs
            ],
            axis=0,
        )
        vom = np.sum(
            [
                float(tech["variable_om_musd_per_mw_y"][t])
                * _weighted(sp[f"power_{t}_mw"], w, s.index, "site_id")
                for t in techs
            ],
            axis=0,
        )
    else:
        gen = s["gen_cost_musd_per_mw_y"].to_numpy(float) * s["gen_mw"].to_numpy(float)
        vom = np.zeros(len(s))
    price = np.nan_to_num(s["grid_id"].map(solution.grid_nodes["price_factor"]).to_numpy(float))
    charge = _grid_value(solution, "capacity_charge_musd_per_mw_y") + _grid_value(
        solution, "connection_cost_musd_per_mw_y"
    )
    serve = (
        (solution.serve["serve_mw"] * solution.serve["cost_musd_per_mw_y"])
        .groupby(solution.serve["site_id"])
        .sum()
        .reindex(s.index)
        .fillna(0.0)
        .to_numpy()
    )
    return {
        "cost_open_musd_y": s["open_cost_musd_y"].to_numpy(float) * s["open"].to_numpy(float),
        "cost_it_musd_y": s["it_cost_musd_per_mw_y"].to_numpy(float) * it,
        "cost_gen_musd_y": gen,
        "cost_gas_musd_y": p.gas_cost_musd_per_mw_y * s["gas_price_factor"].to_numpy(float) * fuel,
        "cost_grid_link_musd_y": s["grid_link_cost_musd_y"].to_numpy(float)
        * s["grid_link"].to_numpy(float),
        "cost_grid_energy_musd_y": p.grid_energy_cost_musd_per_mw_y * price * grid,
        "cost_serve_musd_y": serve,
        "cost_vom_musd_y": vom,
        "cost_grid_capacity_musd_y": charge * s["grid_cap_mw"].to_numpy(float),
    }


def gas_counted(solution: Solution) -> float:
    """The gas the objective counts: on site, plus for grid power when the case says so."""
    s, p, w = solution.sites, solution.params, solution.periods["weight"]
    sp = solution.site_periods
    direct = float(_weighted(sp["gas_mw"], w, s.index, "site_id").sum())
    if not p.count_indirect:
        return direct
    gas, _at = _indirect(solution)
    return direct + float(_weighted(pd.Series(gas, index=sp.index), w, s.index, "site_id").sum())
