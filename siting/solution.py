"""``Solution``: the solved plan as plain tables, keyed by site, arc, node, grid node, hub.

Each table holds the model data of its rows and the decisions and cost terms, so a
``Solution`` explains itself: every term of the objective is a column of the site or arc
table, and ``totals`` add them up. Reporting and the checker read only these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from siting.inputs import PARETO_METRICS, ModelInputs, Params
from siting.outcome import SolveReport

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

    @property
    def chosen(self) -> pd.DataFrame:
        return self.sites[self.sites["open"] == 1]


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
    site_of_pair = base.index.get_indexer(inputs.serve["site_id"])
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
        burn_mw=_sum_at(inputs.nodes.index.get_indexer(base["node_id"]), d["gas_mw"], len(supply)),
        supply_bcm_y=supply / p.mw_per_bcm_y,
        demand_bcm_y=inputs.nodes["demand_mw"] / p.mw_per_bcm_y,
    )
    grid = inputs.grid_nodes
    used = _sum_at(grid.index.get_indexer(base["grid_id"]), d["grid_mw"], len(grid))
    spare = grid["spare_mw"].to_numpy(float)
    grid_nodes = grid.assign(
        used_mw=used,
        utilisation=np.divide(used, spare, out=np.zeros_like(used), where=spare > 0),
    )
    hubs = inputs.hubs.assign(
        served_mw=_sum_at(inputs.hubs.index.get_indexer(serve["hub_id"]), served, len(inputs.hubs)),
        required_mw=inputs.hubs["demand_mw"] + inputs.hubs["share_of_it"] * float(it_mw.sum()),
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
    )
    return replace(solution, totals=compute_totals(solution))


def _sum_at(positions: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Σ of ``values`` by target position (positions < 0 are dropped)."""
    keep = positions >= 0
    return np.bincount(positions[keep], weights=values[keep], minlength=size).astype(float)


def with_flows(
    solution: Solution, inputs: ModelInputs, flows: pd.Series, supply: pd.Series
) -> Solution:
    """The same plan with other (equally feasible) arc flows and field supplies."""
    decisions = solution.sites[["open", "modules", "gas_mw", "gen_mw", "grid_mw", "grid_link"]]
    served = solution.serve["serve_mw"].to_numpy(float)
    return assemble_solution(inputs, solution.report, decisions, flows, supply, served)


def objective_value(
    cost_musd_y: float,
    value_musd_y: float,
    gas_mw: float,
    p: Params,
    remoteness_mw_km: float | None = None,
) -> float:
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
    return gas_mw - p.gas_use_cost_weight * cost_musd_y


def pareto_metric_values(
    cost_musd_y: float, gas_mw: float, remoteness_mw_km: float | None
) -> dict[str, float]:
    return {
        "cost": cost_musd_y,
        "gas": gas_mw,
        "remoteness": float("nan") if remoteness_mw_km is None else remoteness_mw_km,
    }


def compute_totals(s: Solution) -> dict[str, float]:
    sites, p = s.sites, s.params
    site_cost = float(sites["cost_total_musd_y"].sum())
    transport = float(s.arcs["cost_transport_musd_y"].sum())
    cost = site_cost + transport
    it = float(sites["it_mw"].sum())
    gas = float(sites["gas_mw"].sum())
    value = float(sites["value_musd_y"].sum())
    remoteness = (
        float((sites["town_km"] * sites["it_mw"]).sum()) if "town_km" in sites.columns else None
    )
    supply_max = float(s.nodes["supply_max_mw"].sum())
    demand = float(s.nodes["demand_mw"].sum())
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
        "capex_musd": float(sites["capex_musd"].sum()),
        "value_musd_y": value,
        "cost_per_mw_it_musd_y": cost / it if it > 0 else float("nan"),
        "capex_per_mw_it_musd": float(sites["capex_musd"].sum()) / it if it > 0 else float("nan"),
        "objective": objective_value(cost, value, gas, p, remoteness),
    }
    if remoteness is not None:
        totals["remoteness_mw_km"] = remoteness
        totals["remoteness_km"] = remoteness / it if it > 0 else float("nan")
    for term in SITE_COST_TERMS:
        totals[term] = float(sites[term].sum())
    totals.update(binding_counts(s))
    return totals


def at_limit(value: object, limit: object) -> np.ndarray:
    """Where a quantity has reached its positive limit, to :data:`BINDING_TOL`."""
    value, limit = np.asarray(value, float), np.asarray(limit, float)
    return (limit > 0) & (value >= limit - BINDING_TOL * np.maximum(1.0, np.abs(limit)))


def binding_counts(s: Solution) -> dict[str, int]:
    """How many pipelines, fields and grid nodes the plan uses to their limit."""
    return {
        "arcs_full": int(at_limit(s.arcs["flow_mw"], s.arcs["capacity_mw"]).sum()),
        "fields_at_capacity": int(at_limit(s.nodes["supply_mw"], s.nodes["supply_max_mw"]).sum()),
        "grid_nodes_exhausted": int(
            at_limit(s.grid_nodes["used_mw"], s.grid_nodes["spare_mw"]).sum()
        ),
    }
