"""Diagnosis of infeasible cases: graph checks before the solve, elastic re-solve after.

HiGHS gives no usable irreducible infeasible subsystem for a MIP, so we

1. check the gas network as a graph before solving: demand that no field can reach, the
   max-flow from all fields to all committed demand, sites that no gas can reach, and the
   most gas a site could ever receive against its minimum size;
2. when the solve says infeasible, re-solve the *elastic* model (every constraint family
   gets penalised slacks) and report which family needs slack, where, and how much
   (:mod:`siting.solver.elastic`, which fills in the :class:`Diagnosis` defined here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from siting.inputs import ModelInputs


@dataclass(frozen=True)
class Finding:
    family: str
    where: str
    amount: float
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return self.message


@dataclass
class Diagnosis:
    findings: list[Finding] = field(default_factory=list)
    elastic_outcome: str | None = None

    @property
    def families(self) -> list[str]:
        return sorted({f.family for f in self.findings if f.blocking})

    @property
    def blocking(self) -> bool:
        return any(f.blocking for f in self.findings)

    def lines(self) -> list[str]:
        return [str(f) for f in self.findings] or ["no specific cause found"]

    def to_dict(self) -> dict[str, object]:
        return {
            "families": self.families,
            "elastic_outcome": self.elastic_outcome,
            "findings": [f.__dict__ for f in self.findings],
        }


def _digraph(inputs: ModelInputs) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(inputs.nodes.index)
    for a in inputs.arcs.itertuples():
        if g.has_edge(a.from_node, a.to_node):
            g.edges[a.from_node, a.to_node]["capacity"] += a.capacity_mw
        else:
            g.add_edge(a.from_node, a.to_node, capacity=a.capacity_mw)
    return g


def graph_checks(
    inputs: ModelInputs, max_flow_sites: int = 300, network: Diagnosis | None = None
) -> Diagnosis:
    """Cheap structural checks of the gas network; findings explain infeasibility early.

    ``network`` gives the findings of :func:`network_checks` when they are known already
    (they do not change when a built model is re-solved with new parameters).
    """
    if not inputs.params.energy_system:
        return capacity_checks(inputs)
    if network is None:
        network = network_checks(inputs, max_flow_sites)
    return Diagnosis([*network.findings, *parameter_checks(inputs)])


def parameter_checks(inputs: ModelInputs) -> list[Finding]:
    """The checks that depend on the sweepable scalars (target, site limit): cheap enough
    to repeat for every re-solve of a built model."""
    out = []
    p = inputs.params
    if p.target_mw is not None:
        potential = _potential_mw(inputs)
        if potential < p.target_mw:
            out.append(
                Finding(
                    "target",
                    "system",
                    p.target_mw - potential,
                    f"target: the sites can host at most {potential:,.0f} MW of IT, below the "
                    f"{p.target_mw:,.0f} MW target",
                )
            )
    return out


def network_checks(inputs: ModelInputs, max_flow_sites: int = 300) -> Diagnosis:
    """The checks of the network and sites alone (unchanged by re-solves of one model); with
    representative periods, in every period (each finding names its period)."""
    if not inputs.has_periods:
        return _network_checks(inputs, max_flow_sites)
    diag = Diagnosis()
    seen: set[str] = set()
    for q in inputs.period_names:
        for f in _network_checks(inputs.period_view(q), max_flow_sites).findings:
            if not f.blocking:
                if f.message not in seen:
                    seen.add(f.message)
                    diag.findings.append(f)
                continue
            diag.findings.append(
                Finding(f.family, f"{f.where} in {q}", f.amount, f"{q}: {f.message}", f.blocking)
            )
    return diag


def _network_checks(inputs: ModelInputs, max_flow_sites: int = 300) -> Diagnosis:
    diag = Diagnosis()
    nodes, p = inputs.nodes, inputs.params
    g = _digraph(inputs)
    fields = nodes.index[nodes["supply_max_mw"] > 0].tolist()
    demand = nodes["demand_mw"]
    reach: set[object] = set()
    for f in fields:
        reach |= nx.descendants(g, f) | {f}
    for n in demand.index[(demand > 0) & ~demand.index.isin(list(reach))]:
        diag.findings.append(
            Finding(
                "gas_balance",
                str(n),
                float(demand[n]),
                f"gas_balance: node {n} has committed demand {demand[n]:,.0f} MW but no field can reach it",
            )
        )
    total_supply, total_demand = float(nodes["supply_max_mw"].sum()), float(demand.sum())
    if total_demand > total_supply * (1 + 1e-9):
        diag.findings.append(
            Finding(
                "field_capacity",
                "system",
                total_demand - total_supply,
                f"field_capacity: committed demand {total_demand:,.0f} MW exceeds all field "
                f"availability {total_supply:,.0f} MW",
            )
        )
    reachable = nodes[nodes.index.isin(list(reach))]
    reachable_demand = float(reachable["demand_mw"].sum())
    flow_value, cut = _max_flow_to_demand(g, reachable)
    if flow_value < reachable_demand * (1 - 1e-9) and total_demand <= total_supply:
        diag.findings.append(
            Finding(
                "arc_capacity",
                ", ".join(cut[:8]),
                reachable_demand - flow_value,
                f"arc_capacity: the network can deliver only {flow_value:,.0f} of {reachable_demand:,.0f} "
                f"MW committed demand; saturated pipelines: {', '.join(cut[:8]) or 'n/a'}",
            )
        )
    sites = inputs.sites
    unreachable = sites.index[~sites["node_id"].isin(list(reach))]
    if len(unreachable) and p.allow_gas:
        diag.findings.append(
            Finding(
                "gas_balance",
                f"{len(unreachable)} sites",
                float(len(unreachable)),
                f"note: {len(unreachable)} of {len(sites)} sites cannot receive gas from any field "
                f"(e.g. {', '.join(map(str, unreachable[:5]))}); they can only use the grid",
                blocking=False,
            )
        )
    if len(sites) <= max_flow_sites and p.allow_gas and not p.allow_grid:
        diag.findings.extend(_site_gas_limits(g, inputs, fields))
    return diag


def capacity_checks(inputs: ModelInputs) -> Diagnosis:
    """Without an energy system: can the sites (at most max_sites of them) hold the target
    and the demand of the hubs?"""
    diag = Diagnosis(parameter_checks(inputs))
    potential = _potential_mw(inputs)
    demand = float(inputs.hubs["demand_mw"].sum())
    if potential < demand * (1 - 1e-9):
        diag.findings.append(
            Finding(
                "demand_hubs",
                "system",
                demand - potential,
                f"demand_hubs: the sites can hold at most {potential:,.6g}, below the "
                f"demand of the hubs {demand:,.6g}",
            )
        )
    return diag


def _potential_mw(inputs: ModelInputs) -> float:
    """The most IT the sites can host: all of them, or the max_sites largest."""
    capacity, k = inputs.max_it_mw, inputs.params.max_sites
    return float((capacity.nlargest(k) if k is not None else capacity).sum())


def _max_flow_to_demand(g: nx.DiGraph, nodes: object) -> tuple[float, list[str]]:
    h = g.copy()
    for n, row in nodes.iterrows():  # type: ignore[attr-defined]
        if row["supply_max_mw"] > 0:
            h.add_edge("__source__", n, capacity=float(row["supply_max_mw"]))
        if row["demand_mw"] > 0:
            h.add_edge(n, "__sink__", capacity=float(row["demand_mw"]))
    if "__source__" not in h or "__sink__" not in h:
        return 0.0, []
    value, (reachable, _) = nx.minimum_cut(h, "__source__", "__sink__")
    cut = [
        f"{u}>{v}"
        for u, v in h.edges
        if u in reachable and v not in reachable and u != "__source__" and v != "__sink__"
    ]
    return float(value), cut


def _site_gas_limits(g: nx.DiGraph, inputs: ModelInputs, fields: list) -> list[Finding]:
    """Sites whose minimum campus needs more gas than the network could ever bring them."""
    out = []
    nodes, p = inputs.nodes, inputs.params
    h = g.copy()
    for f in fields:
        h.add_edge("__source__", f, capacity=float(nodes.at[f, "supply_max_mw"]))
    tech = inputs.technologies
    available = tech[tech["available"].astype(bool)] if inputs.has_menu else tech
    # with a technology menu, the most efficient one needs the least gas
    eta = float(available["efficiency"].max()) if len(available) else p.generator_efficiency
    for s, row in inputs.sites.iterrows():
        need = row["min_modules"] * row["module_mw"] * row["pue"] / eta
        if need <= 0:
            continue
        reach = (
            nx.maximum_flow_value(h, "__source__", row["node_id"]) if row["node_id"] in h else 0.0
        )
        if reach < need * (1 - 1e-9):
            out.append(
                Finding(
                    "size",
                    str(s),
                    need - reach,
                    f"size: site {s} needs {need:,.0f} MW of gas for its minimum campus but at most "
                    f"{reach:,.0f} MW can reach it",
                )
            )
    return out
