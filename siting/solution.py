"""``Solution``: the solved plan as plain tables, keyed by site, arc, node, grid node, hub.

Each table holds the model data of its rows and the decisions and cost terms, so a
``Solution`` explains itself: every term of the objective is a column of the site or arc
table, and ``totals`` add them up. Reporting and the checker read only these tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting.inputs import PARETO_METRICS, ModelInputs, Params
from siting.solve import SolveReport

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


def _model_values(var: pyo.Var, index: list) -> np.ndarray:
    return np.array([pyo.value(var[i], exception=False) or 0.0 for i in index], dtype=float)


Values = Callable[[pyo.Var, list], np.ndarray]


def extract_solution(
    m: pyo.ConcreteModel, inputs: ModelInputs, report: SolveReport, values: Values | None = None
) -> Solution:
    """Read the decisions from a solved model and compute every cost term. ``values`` reads
    a variable's values (default: from the model, where the solver loaded them)."""
    read = values or _model_values

    def _values(var: pyo.Var | None, index: list) -> np.ndarray:
        """Values in ``index`` order; zeros for a variable the model leaves out."""
        return np.zeros(len(index)) if var is None else read(var, index)

    p = inputs.params
    s_idx = inputs.sites.index.tolist()

    def var(name: str) -> pyo.Var | None:
        return m.find_component(name)

    decisions = pd.DataFrame(
        {
            "open": np.rint(_values(m.open, s_idx)).astype(int),
            "modules": _values(m.modules, s_idx),
            "gas_mw": np.maximum(_values(var("gas_mw"), s_idx), 0.0),
            "gen_mw": np.maximum(_values(var("gen_mw"), s_idx), 0.0),
            "grid_mw": np.maximum(_values(var("grid_mw"), s_idx), 0.0),
            "grid_link": np.rint(_values(var("grid_link"), s_idx)).astype(int),
        },
        index=inputs.sites.index,
    )
    if p.integer_modules:
        decisions["modules"] = np.rint(decisions["modules"]).astype(int)
    a_idx = inputs.arcs.index.tolist()
    flows = pd.Series(np.maximum(_values(var("flow_mw"), a_idx), 0.0), index=inputs.arcs.index)
    fields = list(m.FIELDS)
    supply = pd.Series(0.0, index=inputs.nodes.index)
    supply[fields] = np.maximum(_values(var("supply_mw"), fields), 0.0)
    pairs = list(m.SERVE)
    served = np.maximum(_values(m.serve_mw, pairs), 0.0) if pairs else np.zeros(0)
    return assemble_solution(inputs, report, decisions, flows, supply, served)


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
    sites = inputs.sites.join(decisions)
    sites["it_mw"] = sites["module_mw"] * sites["modules"]
    sites["facility_mw"] = sites["pue"] * sites["it_mw"]
    sites["gas_bcm_y"] = sites["gas_mw"] / p.mw_per_bcm_y
    grid_factor = sites["grid_id"].map(inputs.grid_nodes["price_factor"]).fillna(0.0).astype(float)
    serve = inputs.serve.copy()
    serve["serve_mw"] = served
    serve["cost_musd_y"] = serve["serve_mw"] * serve["cost_musd_per_mw_y"]
    sites["serve_mw"] = serve.groupby("site_id")["serve_mw"].sum().reindex(sites.index).fillna(0.0)
    sites["cost_open_musd_y"] = sites["open_cost_musd_y"] * sites["open"]
    sites["cost_it_musd_y"] = sites["it_cost_musd_per_mw_y"] * sites["it_mw"]
    sites["cost_gen_musd_y"] = sites["gen_cost_musd_per_mw_y"] * sites["gen_mw"]
    sites["cost_gas_musd_y"] = (
        p.gas_cost_musd_per_mw_y * sites["gas_price_factor"] * sites["gas_mw"]
    )
    sites["cost_grid_link_musd_y"] = sites["grid_link_cost_musd_y"] * sites["grid_link"]
    sites["cost_grid_energy_musd_y"] = (
        p.grid_energy_cost_musd_per_mw_y * grid_factor * sites["grid_mw"]
    )
    sites["cost_serve_musd_y"] = (
        serve.groupby("site_id")["cost_musd_y"].sum().reindex(sites.index).fillna(0.0).astype(float)
    )
    sites["cost_total_musd_y"] = sites[list(SITE_COST_TERMS)].sum(axis=1)
    sites["value_musd_y"] = p.compute_value_musd_per_mw_y * sites["it_mw"]
    sites["capex_musd"] = (
        sites["open_capex_musd"] * sites["open"]
        + sites["it_capex_musd_per_mw"] * sites["it_mw"]
        + sites["gen_capex_musd_per_mw"] * sites["gen_mw"]
        + sites["grid_link_capex_musd"] * sites["grid_link"]
    )
    sites["source"] = np.select(
        [
            (sites["open"] == 0) | (not p.energy_system),
            sites["grid_mw"] <= 1e-6,
            sites["gas_mw"] <= 1e-6,
        ],
        ["", "gas", "grid"],
        default="hybrid",
    )

    arcs = inputs.arcs.copy()
    arcs["flow_mw"] = flows
    arcs["flow_bcm_y"] = arcs["flow_mw"] / p.mw_per_bcm_y
    arcs["utilisation"] = np.where(
        arcs["capacity_mw"] > 0, arcs["flow_mw"] / arcs["capacity_mw"], 0.0
    )
    arcs["cost_transport_musd_y"] = arcs["cost_musd_per_mw_y"] * arcs["flow_mw"]

    nodes = inputs.nodes.copy()
    nodes["supply_mw"] = supply
    nodes["burn_mw"] = sites.groupby("node_id")["gas_mw"].sum().reindex(nodes.index).fillna(0.0)
    nodes["supply_bcm_y"] = nodes["supply_mw"] / p.mw_per_bcm_y
    nodes["demand_bcm_y"] = nodes["demand_mw"] / p.mw_per_bcm_y

    grid_nodes = inputs.grid_nodes.copy()
    grid_nodes["used_mw"] = (
        sites.groupby("grid_id")["grid_mw"].sum().reindex(grid_nodes.index).fillna(0.0)
    )
    grid_nodes["utilisation"] = np.where(
        grid_nodes["spare_mw"] > 0, grid_nodes["used_mw"] / grid_nodes["spare_mw"], 0.0
    )
    hubs = inputs.hubs.copy()
    hubs["served_mw"] = serve.groupby("hub_id")["serve_mw"].sum().reindex(hubs.index).fillna(0.0)
    hubs["required_mw"] = hubs["demand_mw"] + hubs["share_of_it"] * float(sites["it_mw"].sum())

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


def binding_counts(s: Solution, share: float = 0.999) -> dict[str, int]:
    """How many pipelines, fields and grid nodes the plan uses to (nearly) their limit."""
    fields = s.nodes[s.nodes["supply_max_mw"] > 0]
    return {
        "arcs_full": int((s.arcs["utilisation"] >= share).sum()),
        "fields_at_capacity": int((fields["supply_mw"] >= share * fields["supply_max_mw"]).sum()),
        "grid_nodes_exhausted": int(
            (
                (s.grid_nodes["used_mw"] >= share * s.grid_nodes["spare_mw"])
                & (s.grid_nodes["spare_mw"] > 0)
            ).sum()
        ),
    }
