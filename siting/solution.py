"""``Solution``: the solved plan as plain tables, keyed by site, arc, node, grid node, hub.

Each table holds the model data of its rows and the decisions and cost terms, so a
``Solution`` explains itself: every term of the objective is a column of the site or arc
table, and ``totals`` add them up. Reporting and the checker read only these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from siting.breakeven import breakeven_table
from siting.inputs import (
    COVER_OBJECTIVES,
    MUSD_Y_PER_USD_PER_MWH,
    PARETO_METRICS,
    ModelInputs,
    Params,
    annual_periods,
)
from siting.outcome import SolveReport
from siting.surplus import STRANDED, surplus_table

#: site inputs the cost terms read
_SITE_INPUTS = (
    "module_mw",
    "pue",
    "open_cost_musd_y",
    "it_cost_musd_per_mw_y",
    "gen_cost_musd_per_mw_y",
    "gas_price_factor",
    "grid_link_cost_musd_y",
    "open_capex_musd",
    "it_capex_musd_per_mw",
    "gen_capex_musd_per_mw",
    "grid_link_capex_musd",
)
#: relative tolerance (of the limit, and at least of 1) for calling a limit binding: a
#: pipeline full, a field at capacity, a grid node's spare capacity used up. The console,
#: summary.json, the report and the checker all count with it.
BINDING_TOL = 1e-6
SITE_COST_TERMS = (
    "cost_open_musd_y",
    "cost_it_musd_y",
    "cost_gen_musd_y",
    "cost_gas_musd_y",
    "cost_grid_link_musd_y",
    "cost_grid_energy_musd_y",
    "cost_serve_musd_y",
)
#: the cost terms model v2 adds: variable O&M of the technology menu, and the grid capacity
#: and connection charges per MW contracted
SITE_COST_TERMS_V2 = ("cost_vom_musd_y", "cost_grid_capacity_musd_y")


@dataclass(frozen=True)
class Solution:
    """A solved plan. ``report`` says how the solve ended; never assume it is optimal."""

    sites: pd.DataFrame
    arcs: pd.DataFrame
    nodes: pd.DataFrame
    grid_nodes: pd.DataFrame
    hubs: pd.DataFrame
    serve: pd.DataFrame
    cliques: pd.DataFrame
    params: Params
    report: SolveReport
    totals: dict[str, float] = field(default_factory=dict)
    # model v2 (empty for a v1 plan): the periods, the technology menu, units per site and
    # technology, and the per-period decisions of sites, arcs, nodes and grid nodes
    periods: pd.DataFrame = field(default_factory=annual_periods)
    technologies: pd.DataFrame = field(default_factory=pd.DataFrame)
    site_units: pd.DataFrame = field(default_factory=pd.DataFrame)
    site_periods: pd.DataFrame = field(default_factory=pd.DataFrame)
    arc_periods: pd.DataFrame = field(default_factory=pd.DataFrame)
    node_periods: pd.DataFrame = field(default_factory=pd.DataFrame)
    grid_periods: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the generation capex and grid price at which each chosen site's (and the best
    #: unchosen ones') other power option would cost the same (``siting.breakeven``)
    breakeven: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def chosen(self) -> pd.DataFrame:
        return self.sites[self.sites["open"] == 1]

    @property
    def is_v2(self) -> bool:
        """A model v2 plan: per-period tables (and possibly a technology menu)."""
        return len(self.site_periods) > 0

    @property
    def cost_terms(self) -> tuple[str, ...]:
        """The site cost term columns of this plan."""
        return SITE_COST_TERMS + SITE_COST_TERMS_V2 if self.is_v2 else SITE_COST_TERMS


def assemble_solution(
    inputs: ModelInputs,
    report: SolveReport,
    decisions: pd.DataFrame,
    flows: pd.Series,
    supply: pd.Series,
    served: np.ndarray,
) -> Solution:
    """Join the decisions to the model tables and derive the cost terms and totals."""
    p = inputs.params
    base = inputs.sites
    col = {c: base[c].to_numpy(float) for c in _SITE_INPUTS}
    d = {c: decisions[c].to_numpy(float) for c in decisions.columns}
    it_mw = col["module_mw"] * d["modules"]
    grid_factor = base["grid_id"].map(inputs.grid_nodes["price_factor"]).to_numpy(float)
    serve_cost = served * inputs.serve["cost_musd_per_mw_y"].to_numpy(float)
    site_of_pair = base.index.get_indexer(pd.Index(inputs.serve["site_id"]))
    costs = {
        "cost_open_musd_y": col["open_cost_musd_y"] * d["open"],
        "cost_it_musd_y": col["it_cost_musd_per_mw_y"] * it_mw,
        "cost_gen_musd_y": col["gen_cost_musd_per_mw_y"] * d["gen_mw"],
        "cost_gas_musd_y": p.gas_cost_musd_per_mw_y * col["gas_price_factor"] * d["gas_mw"],
        "cost_grid_link_musd_y": col["grid_link_cost_musd_y"] * d["grid_link"],
        "cost_grid_energy_musd_y": p.grid_energy_cost_musd_per_mw_y
        * np.nan_to_num(grid_factor)
        * d["grid_mw"],
        "cost_serve_musd_y": _sum_at(site_of_pair, serve_cost, len(base)),
    }
    derived = {
        "it_mw": it_mw,
        "facility_mw": col["pue"] * it_mw,
        "gas_bcm_y": d["gas_mw"] / p.mw_per_bcm_y,
        "serve_mw": _sum_at(site_of_pair, served, len(base)),
        **costs,
        "cost_total_musd_y": np.sum([costs[t] for t in SITE_COST_TERMS], axis=0),
        "value_musd_y": p.compute_value_musd_per_mw_y * it_mw,
        "capex_musd": col["open_capex_musd"] * d["open"]
        + col["it_capex_musd_per_mw"] * it_mw
        + col["gen_capex_musd_per_mw"] * d["gen_mw"]
        + col["grid_link_capex_musd"] * d["grid_link"],
        "source": np.select(
            [
                (d["open"] == 0) | (not p.energy_system),
                d["grid_mw"] <= 1e-6,
                d["gas_mw"] <= 1e-6,
            ],
            ["", "gas", "grid"],
            default="hybrid",
        ),
    }
    sites = pd.concat([base, decisions, pd.DataFrame(derived, index=base.index)], axis=1)
    serve = inputs.serve.assign(serve_mw=served, cost_musd_y=serve_cost)

    flow = flows.to_numpy(float)
    capacity = inputs.arcs["capacity_mw"].to_numpy(float)
    arcs = inputs.arcs.assign(
        flow_mw=flow,
        flow_bcm_y=flow / p.mw_per_bcm_y,
        utilisation=np.divide(flow, capacity, out=np.zeros_like(flow), where=capacity > 0),
        cost_transport_musd_y=inputs.arcs["cost_musd_per_mw_y"].to_numpy(float) * flow,
    )
    nodes = inputs.nodes.assign(
        supply_mw=supply,
        burn_mw=_sum_at(
            inputs.nodes.index.get_indexer(pd.Index(base["node_id"])), d["gas_mw"], len(supply)
        ),
        supply_bcm_y=supply / p.mw_per_bcm_y,
        demand_bcm_y=inputs.nodes["demand_mw"] / p.mw_per_bcm_y,
    )
    grid = inputs.grid_nodes
    used = _sum_at(grid.index.get_indexer(pd.Index(base["grid_id"])), d["grid_mw"], len(grid))
    spare = grid["spare_mw"].to_numpy(float)
    grid_nodes = grid.assign(
        used_mw=used,
        utilisation=np.divide(used, spare, out=np.zeros_like(used), where=spare > 0),
    )
    hubs = inputs.hubs.assign(
        served_mw=_sum_at(
            inputs.hubs.index.get_indexer(pd.Index(serve["hub_id"])), served, len(inputs.hubs)
        ),
        required_mw=inputs.hubs["demand_mw"] + inputs.hubs["share_of_it"] * float(it_mw.sum()),
    )
    if p.objective in COVER_OBJECTIVES:
        pair_open = d["open"][site_of_pair] > 0.5
        reach = _sum_at(
            inputs.hubs.index.get_indexer(pd.Index(serve["hub_id"])), pair_open, len(hubs)
        )
        hubs = hubs.assign(open_within_radius=reach.astype(int), covered=(reach > 0).astype(int))

    solution = Solution(
        sites=sites,
        arcs=arcs,
        nodes=nodes,
        grid_nodes=grid_nodes,
        hubs=hubs,
        serve=serve,
        cliques=inputs.cliques.copy(),
        params=p,
        report=report,
    )
    return finished(solution)


def finished(solution: Solution) -> Solution:
    """The plan with its totals and its break-even table."""
    return replace(solution, totals=compute_totals(solution), breakeven=breakeven_table(solution))


def _sum_at(positions: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Σ of ``values`` by target position (positions < 0 are dropped)."""
    keep = positions >= 0
    return np.bincount(positions[keep], weights=values[keep], minlength=size).astype(float)


def with_flows(
    solution: Solution, inputs: ModelInputs, flows: pd.Series, supply: pd.Series
) -> Solution:
    """The same plan with other (equally feasible) arc flows and field supplies (keyed by
    arc and node, or by (arc, period) and (node, period) for a model v2 plan)."""
    if solution.is_v2:
        plan = replace(plan_of(solution), flows=flows, supply=supply)
        return assemble_solution_v2(inputs, solution.report, plan)
    decisions = solution.sites[["open", "modules", "gas_mw", "gen_mw", "grid_mw", "grid_link"]]
    served = solution.serve["serve_mw"].to_numpy(float)
    return assemble_solution(inputs, solution.report, decisions, flows, supply, served)


def objective_value(
    cost_musd_y: float,
    value_musd_y: float,
    gas_mw: float,
    p: Params,
    remoteness_mw_km: float | None = None,
    it_mw: float = 0.0,
) -> float:
    """The objective of a plan; ``gas_mw`` is the gas the objective counts (direct, plus
    indirect when the case counts it) and ``it_mw`` the IT its tie-break rewards."""
    if p.objective == "min_cost":
        return cost_musd_y
    if p.objective == "max_profit":
        return value_musd_y - cost_musd_y
    if p.objective == "pareto":
        metrics = pareto_metric_values(cost_musd_y, gas_mw, remoteness_mw_km)
        assert p.pareto_metrics is not None
        return sum(
            w * (1.0 if PARETO_METRICS[name][0] == "min" else -1.0) * metrics[name]
            for name, w in zip(p.pareto_metrics, p.pareto_weights, strict=True)
        )
    if p.gas_use_it_weight:
        gas_mw = gas_mw + p.gas_use_it_weight * it_mw
    return gas_mw - p.gas_use_cost_weight * cost_musd_y


def pareto_metric_values(
    cost_musd_y: float, gas_mw: float, remoteness_mw_km: float | None
) -> dict[str, float]:
    return {
        "cost": cost_musd_y,
        "gas": gas_mw,
        "remoteness": float("nan") if remoteness_mw_km is None else remoteness_mw_km,
    }


def transport_baseline_total(s: Solution) -> float:
    """Σ_p w[p]·B[p]: the least transport cost of the committed demand alone (MUSD/y), which
    the plan's transport is counted above (0 without a tariff)."""
    baseline = s.params.transport_baseline_musd_y
    if not baseline:
        return 0.0
    return float(np.dot(s.periods["weight"].to_numpy(float), np.asarray(baseline, float)))


def compute_totals(s: Solution) -> dict[str, float]:
    sites, p = s.sites, s.params
    site_cost = float(sites["cost_total_musd_y"].sum())
    baseline = transport_baseline_total(s)
    transport = float(s.arcs["cost_transport_musd_y"].sum()) - baseline
    cost = site_cost + transport
    it = float(sites["it_mw"].sum())
    gas = float(sites["gas_mw"].sum())
    value = float(sites["value_musd_y"].sum())
    remoteness = (
        float((sites["town_km"] * sites["it_mw"]).sum()) if "town_km" in sites.columns else None
    )
    piped = s.nodes["kind"] != STRANDED
    supply_max = float(s.nodes.loc[piped, "supply_max_mw"].sum())
    demand = float(s.nodes.loc[piped, "demand_mw"].sum())
    counted = gas
    if s.is_v2:
        w = s.periods["weight"]
        on = s.node_periods[piped.reindex(s.node_periods.index, level="node_id").to_numpy()]
        per = on.groupby(level="period")[["supply_max_mw", "demand_mw"]].sum()
        supply_max = float((per["supply_max_mw"] * w).sum())
        demand = float((per["demand_mw"] * w).sum())
        if p.count_indirect:
            counted = gas + float(sites["gas_indirect_mw"].sum())
    totals = {
        "sites_open": int(sites["open"].sum()),
        "it_mw": it,
        "facility_mw": float(sites["facility_mw"].sum()),
        "gas_mw": gas,
        "gas_bcm_y": gas / p.mw_per_bcm_y,
        "grid_mw": float(sites["grid_mw"].sum()),
        "gen_mw": float(sites["gen_mw"].sum()),
        "surplus_mw": supply_max - demand,
        "surplus_bcm_y": (supply_max - demand) / p.mw_per_bcm_y,
        "cost_musd_y": cost,
        "cost_transport_musd_y": transport,
        "cost_transport_baseline_musd_y": baseline,
        "capex_musd": float(sites["capex_musd"].sum()),
        "value_musd_y": value,
        "cost_per_mw_it_musd_y": cost / it if it > 0 else float("nan"),
        "capex_per_mw_it_musd": float(sites["capex_musd"].sum()) / it if it > 0 else float("nan"),
        "objective": objective_value(cost, value, counted, p, remoteness, it),
    }
    if remoteness is not None:
        totals["remoteness_mw_km"] = remoteness
        totals["remoteness_km"] = remoteness / it if it > 0 else float("nan")
    for term in s.cost_terms:
        totals[term] = float(sites[term].sum())
    if p.objective in COVER_OBJECTIVES:
        totals.update(cover_totals(s))
        totals["objective"] = (
            totals["covered_weight"] if p.objective == "max_cover" else totals["sites_open"]
        )
    totals.update(binding_counts(s))
    totals.update(surplus_totals(s, surplus_table(s)))
    if s.is_v2:
        totals.update(v2_totals(s))
    return totals


def surplus_totals(s: Solution, table: pd.DataFrame) -> dict[str, float]:
    """The surplus per period (gross, deliverable, the plan's pipeline gas) and the headline:
    the least deliverable surplus of any period; off-network supply and its use beside it
    (annual, weighted), in bcm/y."""
    bcm = table / s.params.mw_per_bcm_y
    out: dict[str, float] = {}
    for q, row in bcm.iterrows():
        out[f"surplus_gross_{q}_bcm_y"] = float(row["gross_mw"])
        out[f"surplus_deliverable_{q}_bcm_y"] = float(row["deliverable_mw"])
        out[f"gas_pipeline_{q}_bcm_y"] = float(row["pipeline_gas_mw"])
        out[f"gas_pipeline_direct_{q}_bcm_y"] = float(row["pipeline_direct_mw"])
        out[f"gas_pipeline_indirect_{q}_bcm_y"] = float(row["pipeline_indirect_mw"])
    w = s.periods["weight"].reindex(table.index).to_numpy(float)
    out["surplus_deliverable_bcm_y"] = float(bcm["deliverable_mw"].min())
    out["stranded_supply_bcm_y"] = float((w * bcm["stranded_supply_mw"]).sum())
    out["gas_stranded_bcm_y"] = float((w * bcm["stranded_gas_mw"]).sum())
    return out


def cover_totals(s: Solution) -> dict[str, float]:
    """A covering plan's hubs covered: their number, share and weight."""
    covered = s.hubs["covered"].to_numpy(float)
    weight = s.hubs["cover_weight"].to_numpy(float)
    n = len(covered)
    return {
        "hubs_covered": int(covered.sum()),
        "hubs_uncovered": int(n - covered.sum()),
        "covered_share": float(covered.sum() / n) if n else float("nan"),
        "covered_weight": float(weight @ covered),
        "cover_weight_total": float(weight.sum()),
    }


def v2_totals(s: Solution) -> dict[str, float]:
    """Direct and indirect gas, power by source and the plan's cost per MWh of IT."""
    sites, p = s.sites, s.params
    direct = float(sites["gas_direct_mw"].sum())
    indirect = float(sites["gas_indirect_mw"].sum())
    it = float(sites["it_mw"].sum())
    cost = (
        float(sites["cost_total_musd_y"].sum())
        + float(s.arcs["cost_transport_musd_y"].sum())
        - transport_baseline_total(s)
    )
    out = {
        "gas_direct_mw": direct,
        "gas_indirect_mw": indirect,
        "gas_total_mw": direct + indirect,
        "gas_direct_bcm_y": direct / p.mw_per_bcm_y,
        "gas_indirect_bcm_y": indirect / p.mw_per_bcm_y,
        "gas_total_bcm_y": (direct + indirect) / p.mw_per_bcm_y,
        "installed_mw": float(sites["installed_mw"].sum()),
        "power_grid_mw": float(sites["grid_mw"].sum()),
        "cost_usd_per_mwh_it": cost / (it * MUSD_Y_PER_USD_PER_MWH) if it > 0 else float("nan"),
    }
    for t in s.technologies.index:
        out[f"power_{t}_mw"] = float(sites[f"power_{t}_mw"].sum())
    return out


def at_limit(value: object, limit: object) -> np.ndarray:
    """Where a quantity has reached its positive limit, to :data:`BINDING_TOL`."""
    value, limit = np.asarray(value, float), np.asarray(limit, float)
    return (limit > 0) & (value >= limit - BINDING_TOL * np.maximum(1.0, np.abs(limit)))


def limits_reached(s: Solution) -> dict[str, pd.Series]:
    """Per pipeline arc, node and grid node: whether the plan uses it to its limit (in some
    period, for a v2 plan), to :data:`BINDING_TOL`. The binding counts of the totals and
    the report's binding constraints both read this."""
    if s.is_v2:
        ap, np_, gp = s.arc_periods, s.node_periods, s.grid_periods
        return {
            "arcs": _ever_at_limit(ap["flow_mw"], ap["capacity_mw"], "arc_id", s.arcs.index),
            "nodes": _ever_at_limit(
                np_["supply_mw"], np_["supply_max_mw"], "node_id", s.nodes.index
            ),
            "grid_nodes": _ever_at_limit(
                gp["used_mw"], gp["spare_mw"], "grid_id", s.grid_nodes.index
            ),
        }
    arcs, nodes, grid = s.arcs, s.nodes, s.grid_nodes
    return {
        "arcs": pd.Series(at_limit(arcs["flow_mw"], arcs["capacity_mw"]), index=arcs.index),
        "nodes": pd.Series(at_limit(nodes["supply_mw"], nodes["supply_max_mw"]), index=nodes.index),
        "grid_nodes": pd.Series(at_limit(grid["used_mw"], grid["spare_mw"]), index=grid.index),
    }


def binding_counts(s: Solution) -> dict[str, int]:
    """How many pipeline arcs, fields and grid nodes the plan uses to their limit."""
    reached = limits_reached(s)
    return {
        "arcs_full": int(reached["arcs"].sum()),
        "fields_at_capacity": int(reached["nodes"].sum()),
        "grid_nodes_exhausted": int(reached["grid_nodes"].sum()),
    }


def _ever_at_limit(value: pd.Series, limit: pd.Series, level: str, ids: pd.Index) -> pd.Series:
    """Whether each of ``ids`` (index ``level`` of the per-period values) reaches its limit
    in some period."""
    if not len(value):
        return pd.Series(False, index=ids)
    hit = pd.Series(at_limit(value, limit), index=value.index)
    return hit.groupby(level=level).any().reindex(ids, fill_value=False).astype(bool)


@dataclass(frozen=True)
class PlanV2:
    """The decisions of a model v2 solve.

    - ``decisions`` (per site): open, modules, gen_mw (no menu), grid_link, grid_cap_mw;
    - ``site_periods`` (site × period): grid_mw, and gas_mw (no menu) or power_<t>_mw;
    - ``units`` (site × technology): units built;
    - ``flows`` (arc × period) and ``supply`` (node × period), MW;
    - ``served``: serve_mw per row of the serve table.
    """

    decisions: pd.DataFrame
    site_periods: pd.DataFrame
    units: pd.DataFrame
    flows: pd.Series
    supply: pd.Series
    served: np.ndarray


def plan_of(solution: Solution) -> PlanV2:
    """The decisions of a model v2 plan, read back from its tables."""
    sites = solution.sites
    techs = [t for t in solution.technologies.index if f"units_{t}" in sites.columns]
    decisions = sites[["open", "modules", "gen_mw", "grid_link", "grid_cap_mw"]]
    columns = ["grid_mw", *(f"power_{t}_mw" for t in techs)] if techs else ["grid_mw", "gas_mw"]
    units = pd.DataFrame({t: sites[f"units_{t}"] for t in techs}, index=sites.index)
    flows = solution.arc_periods["flow_mw"]
    supply = solution.node_periods["supply_mw"]
    served = solution.serve["serve_mw"].to_numpy(float)
    return PlanV2(decisions, solution.site_periods[columns], units, flows, supply, served)


def _weighted(long: pd.Series, weight: pd.Series, level: str) -> pd.Series:
    """Σ_p w[p]·x[id,p] per id of a long series keyed (id, period)."""
    w = weight.reindex(long.index.get_level_values("period")).to_numpy(float)
    return (
        pd.Series(long.to_numpy(float) * w, index=long.index).groupby(level=level, sort=False).sum()
    )


def _peak(long: pd.Series, level: str) -> tuple[pd.Series, pd.Series]:
    """The highest value per id over the periods, and the period where it is reached
    ("" where it is zero)."""
    wide = long.unstack("period")
    wide = wide.reindex(long.index.get_level_values(level).unique())
    top = wide.max(axis=1)
    period = wide.idxmax(axis=1).where(top > 1e-9, "").astype(object)
    return top.fillna(0.0), period.fillna("")


def assemble_solution_v2(inputs: ModelInputs, report: SolveReport, plan: PlanV2) -> Solution:
    """Join a model v2 plan to the model tables: per-period tables, annual (weighted) site,
    arc, node and grid columns, units per technology and every cost term."""
    p = inputs.params
    base, periods = inputs.sites, inputs.periods
    weight = periods["weight"]
    d = plan.decisions
    techs = inputs.technologies
    built = [t for t in techs.index if t in plan.units.columns]
    sp = plan.site_periods.copy()
    site_pos = base.index.get_indexer(sp.index.get_level_values("site_id"))
    open_ = d["open"].to_numpy(float)
    it_mw = base["module_mw"].to_numpy(float) * d["modules"].to_numpy(float)
    pue = inputs.per_period("sites", "pue").stack()
    assert isinstance(pue, pd.Series)  # one level of columns stacks into a Series
    sp.insert(0, "pue", pue.reindex(sp.index).to_numpy(float))
    sp.insert(1, "it_mw", it_mw[site_pos])
    sp.insert(2, "facility_mw", sp["pue"] * sp["it_mw"])
    if built:
        eta = techs["efficiency"]
        sp["onsite_mw"] = sum(sp[f"power_{t}_mw"] for t in built)
        sp["gas_mw"] = sum(sp[f"power_{t}_mw"] / eta[t] for t in built)
    else:
        sp["onsite_mw"] = p.generator_efficiency * sp["gas_mw"]
    grid_id = base["grid_id"].to_numpy(dtype=object)[site_pos]
    factor = (
        (inputs.grid_column("gas_share") * inputs.grid_column("gas_heat_rate")).to_dict()
        if len(inputs.grid_nodes)
        else {}
    )
    sp["gas_indirect_mw"] = np.array([factor.get(g, 0.0) for g in grid_id]) * sp["grid_mw"]

    def annual(column: str) -> np.ndarray:
        return _weighted(sp[column], weight, "site_id").reindex(base.index).to_numpy(float)

    gas, grid, indirect = annual("gas_mw"), annual("grid_mw"), annual("gas_indirect_mw")
    mult = base["capex_multiplier"].to_numpy(float)
    units = plan.units.reindex(index=base.index, columns=built).fillna(0).astype(int)
    installed = np.zeros(len(base))
    cost_gen = np.zeros(len(base))
    capex_gen = np.zeros(len(base))
    cost_vom = np.zeros(len(base))
    per_tech: dict[str, np.ndarray] = {}
    unit_rows = []
    for t in built:
        mw = units[t].to_numpy(float) * float(techs["unit_mw"][t])
        power = annual(f"power_{t}_mw")
        installed += mw
        cost_t = float(techs["cost_musd_per_mw_y"][t]) * mult * mw
        capex_t = float(techs["capex_musd_per_mw"][t]) * mult * mw
        vom_t = float(techs["variable_om_musd_per_mw_y"][t]) * power
        cost_gen += cost_t
        capex_gen += capex_t
        cost_vom += vom_t
        per_tech[f"units_{t}"] = units[t].to_numpy(int)
        per_tech[f"power_{t}_mw"] = power
        unit_rows.append(
            pd.DataFrame(
                {
                    "site_id": base.index,
                    "tech_id": t,
                    "unit_mw": float(techs["unit_mw"][t]),
                    "units": units[t].to_numpy(int),
                    "installed_mw": mw,
                    "power_mw": power,
                    "fuel_mw": power / float(techs["efficiency"][t]),
                    "cost_musd_y": cost_t,
                    "cost_vom_musd_y": vom_t,
                    "capex_musd": capex_t,
                }
            )
        )
    if not built:
        installed = d["gen_mw"].to_numpy(float)
        cost_gen = base["gen_cost_musd_per_mw_y"].to_numpy(float) * installed
        capex_gen = base["gen_capex_musd_per_mw"].to_numpy(float) * installed
    grid_factor = np.nan_to_num(
        base["grid_id"].map(inputs.grid_nodes["price_factor"]).to_numpy(float)
    )
    charge = inputs.grid_column("capacity_charge_musd_per_mw_y") + inputs.grid_column(
        "connection_cost_musd_per_mw_y"
    )
    site_charge = np.nan_to_num(base["grid_id"].map(charge).to_numpy(float))
    site_conn = np.nan_to_num(
        base["grid_id"].map(inputs.grid_column("connection_charge_musd_per_mw")).to_numpy(float)
    )
    grid_cap = d["grid_cap_mw"].to_numpy(float)
    served = plan.served
    serve_cost = served * inputs.serve["cost_musd_per_mw_y"].to_numpy(float)
    site_of_pair = base.index.get_indexer(pd.Index(inputs.serve["site_id"]))
    link = d["grid_link"].to_numpy(float)
    costs = {
        "cost_open_musd_y": base["open_cost_musd_y"].to_numpy(float) * open_,
        "cost_it_musd_y": base["it_cost_musd_per_mw_y"].to_numpy(float) * it_mw,
        "cost_gen_musd_y": cost_gen,
        "cost_gas_musd_y": p.gas_cost_musd_per_mw_y
        * base["gas_price_factor"].to_numpy(float)
        * gas,
        "cost_grid_link_musd_y": base["grid_link_cost_musd_y"].to_numpy(float) * link,
        "cost_grid_energy_musd_y": p.grid_energy_cost_musd_per_mw_y * grid_factor * grid,
        "cost_serve_musd_y": _sum_at(site_of_pair, serve_cost, len(base)),
        "cost_vom_musd_y": cost_vom,
        "cost_grid_capacity_musd_y": site_charge * grid_cap,
    }
    onsite = annual("onsite_mw")
    main = np.full(len(base), "", dtype=object)
    if built:
        share = np.column_stack([per_tech[f"power_{t}_mw"] for t in built])
        capacity = np.column_stack(
            [units[t].to_numpy(float) * float(techs["unit_mw"][t]) for t in built]
        )
        pick = np.where(share.sum(axis=1) > 1e-9, share.argmax(axis=1), capacity.argmax(axis=1))
        main = np.where(installed > 1e-9, np.array(built, dtype=object)[pick], "")
    else:
        main = np.where(installed > 1e-9, "gas", "")
    main = np.where((open_ > 0) & (main == "") & (grid > 1e-9), "grid", main)
    decisions = pd.DataFrame(
        {
            "open": d["open"].to_numpy(int),
            "modules": d["modules"].to_numpy(),
            "gas_mw": gas,
            "gen_mw": installed,
            "grid_mw": grid,
            "grid_link": d["grid_link"].to_numpy(int),
        },
        index=base.index,
    )
    derived = {
        "it_mw": it_mw,
        "facility_mw": annual("facility_mw"),
        "gas_bcm_y": gas / p.mw_per_bcm_y,
        "serve_mw": _sum_at(site_of_pair, served, len(base)),
        **{k: v for k, v in costs.items() if k in SITE_COST_TERMS},
        "cost_total_musd_y": np.sum(list(costs.values()), axis=0),
        "value_musd_y": p.compute_value_musd_per_mw_y * it_mw,
        "capex_musd": base["open_capex_musd"].to_numpy(float) * open_
        + base["it_capex_musd_per_mw"].to_numpy(float) * it_mw
        + capex_gen
        + base["grid_link_capex_musd"].to_numpy(float) * link
        + site_conn * grid_cap,
        "source": np.select(
            [(open_ == 0), grid <= 1e-6, onsite <= 1e-6], ["", "gas", "grid"], default="hybrid"
        ),
        "cost_vom_musd_y": cost_vom,
        "cost_grid_capacity_musd_y": costs["cost_grid_capacity_musd_y"],
        "gas_direct_mw": gas,
        "gas_indirect_mw": indirect,
        "installed_mw": installed,
        "grid_cap_mw": grid_cap,
        "technology": main,
        **per_tech,
    }
    sites = pd.concat([base, decisions, pd.DataFrame(derived, index=base.index)], axis=1)
    serve = inputs.serve.assign(serve_mw=served, cost_musd_y=serve_cost)

    arcs, arc_periods = _arcs_v2(inputs, plan.flows, weight)
    nodes, node_periods = _nodes_v2(inputs, plan.supply, sp, weight)
    grid_nodes, grid_periods = _grid_v2(inputs, sp, weight)
    it_total = float(it_mw.sum())
    hubs = inputs.hubs.assign(
        served_mw=_sum_at(
            inputs.hubs.index.get_indexer(pd.Index(serve["hub_id"])), served, len(inputs.hubs)
        ),
        required_mw=inputs.hubs["demand_mw"] + inputs.hubs["share_of_it"] * it_total,
    )
    site_units = (
        pd.concat(unit_rows, ignore_index=True).set_index(["site_id", "tech_id"])
        if unit_rows
        else pd.DataFrame()
    )
    solution = Solution(
        sites=sites,
        arcs=arcs,
        nodes=nodes,
        grid_nodes=grid_nodes,
        hubs=hubs,
        serve=serve,
        cliques=inputs.cliques.copy(),
        params=p,
        report=report,
        periods=periods.copy(),
        technologies=techs.copy(),
        site_units=site_units,
        site_periods=sp,
        arc_periods=arc_periods,
        node_periods=node_periods,
        grid_periods=grid_periods,
    )
    return finished(solution)


def _arcs_v2(
    inputs: ModelInputs, flows: pd.Series, weight: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = inputs.params
    capacity = inputs.per_period("arcs", "capacity_mw").stack().reindex(flows.index)
    flow = flows.to_numpy(float)
    cap = capacity.to_numpy(float)
    util = np.divide(flow, cap, out=np.zeros_like(flow), where=cap > 0)
    periods_frame = pd.DataFrame(
        {"capacity_mw": cap, "flow_mw": flow, "utilisation": util}, index=flows.index
    )
    annual = _weighted(flows, weight, "arc_id").reindex(inputs.arcs.index).to_numpy(float)
    top, when = _peak(periods_frame["utilisation"], "arc_id")
    arcs = inputs.arcs.assign(
        flow_mw=annual,
        flow_bcm_y=annual / p.mw_per_bcm_y,
        utilisation=top.reindex(inputs.arcs.index).to_numpy(float),
        cost_transport_musd_y=inputs.arcs["cost_musd_per_mw_y"].to_numpy(float) * annual,
        binding_period=when.reindex(inputs.arcs.index).to_numpy(object),
    )
    return arcs, periods_frame


def _nodes_v2(
    inputs: ModelInputs, supply: pd.Series, sp: pd.DataFrame, weight: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = inputs.params
    nodes = inputs.nodes
    index = supply.index
    node_of = inputs.sites["node_id"]
    burn = (
        sp["gas_mw"]
        .groupby(
            [
                node_of.reindex(sp.index.get_level_values("site_id")).to_numpy(),
                sp.index.get_level_values("period"),
            ]
        )
        .sum()
    )
    burn.index.names = ["node_id", "period"]
    feed = inputs.grid_column("gas_node")
    grid_of = inputs.sites["grid_id"].reindex(sp.index.get_level_values("site_id")).to_numpy(object)
    fed_from = np.array(
        [feed.get(g) if g is not None and g == g else None for g in grid_of], dtype=object
    )
    has = np.array([f is not None for f in fed_from])
    indirect = (
        pd.Series(sp["gas_indirect_mw"].to_numpy(float)[has])
        .groupby([fed_from[has], sp.index.get_level_values("period")[has]])
        .sum()
        if has.any()
        else pd.Series(dtype=float)
    )
    frame = pd.DataFrame(
        {
            "supply_max_mw": inputs.per_period("nodes", "supply_max_mw")
            .stack()
            .reindex(index)
            .to_numpy(float),
            "demand_mw": inputs.per_period("nodes", "demand_mw")
            .stack()
            .reindex(index)
            .to_numpy(float),
            "supply_mw": supply.to_numpy(float),
            "burn_mw": burn.reindex(index).fillna(0.0).to_numpy(float),
            "indirect_mw": indirect.reindex(index).fillna(0.0).to_numpy(float)
            if len(indirect)
            else 0.0,
        },
        index=index,
    )
    use = np.divide(
        frame["supply_mw"].to_numpy(float),
        frame["supply_max_mw"].to_numpy(float),
        out=np.zeros(len(frame)),
        where=frame["supply_max_mw"].to_numpy(float) > 0,
    )
    top, when = _peak(pd.Series(use, index=index), "node_id")
    ann = {
        c: _weighted(frame[c], weight, "node_id").reindex(nodes.index).to_numpy(float)
        for c in ("supply_mw", "burn_mw", "indirect_mw")
    }
    out = nodes.assign(
        supply_mw=ann["supply_mw"],
        burn_mw=ann["burn_mw"],
        supply_bcm_y=ann["supply_mw"] / p.mw_per_bcm_y,
        demand_bcm_y=nodes["demand_mw"] / p.mw_per_bcm_y,
        indirect_mw=ann["indirect_mw"],
        utilisation=top.reindex(nodes.index).to_numpy(float),
        binding_period=when.reindex(nodes.index).to_numpy(object),
    )
    return out, frame


def _grid_v2(
    inputs: ModelInputs, sp: pd.DataFrame, weight: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    grid = inputs.grid_nodes
    spare = inputs.per_period("grid_nodes", "spare_mw").stack()
    spare.index.names = ["grid_id", "period"]
    grid_of = inputs.sites["grid_id"].reindex(sp.index.get_level_values("site_id")).to_numpy(object)
    has = np.array([g is not None and g == g for g in grid_of])
    periods = sp.index.get_level_values("period")
    by = [grid_of[has], periods[has]]
    used = sp["grid_mw"][has].groupby(by).sum() if has.any() else pd.Series(dtype=float)
    gas = sp["gas_indirect_mw"][has].groupby(by).sum() if has.any() else pd.Series(dtype=float)
    index = spare.index
    frame = pd.DataFrame(
        {
            "spare_mw": spare.to_numpy(float),
            "used_mw": used.reindex(index).fillna(0.0).to_numpy(float) if len(used) else 0.0,
            "gas_indirect_mw": gas.reindex(index).fillna(0.0).to_numpy(float) if len(gas) else 0.0,
        },
        index=index,
    )
    frame["utilisation"] = np.divide(
        frame["used_mw"].to_numpy(float),
        frame["spare_mw"].to_numpy(float),
        out=np.zeros(len(frame)),
        where=frame["spare_mw"].to_numpy(float) > 0,
    )
    top, when = _peak(frame["utilisation"], "grid_id")
    ann = {
        c: _weighted(frame[c], weight, "grid_id").reindex(grid.index).to_numpy(float)
        for c in ("used_mw", "gas_indirect_mw")
    }
    out = grid.assign(
        used_mw=ann["used_mw"],
        utilisation=top.reindex(grid.index).to_numpy(float) if len(grid) else [],
        gas_indirect_mw=ann["gas_indirect_mw"],
        binding_period=when.reindex(grid.index).to_numpy(object) if len(grid) else [],
    )
    return out, frame
