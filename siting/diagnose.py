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

import math
from collections.abc import Hashable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from networkx.algorithms.flow import boykov_kolmogorov

from siting import geo
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
    """What is wrong with a case. ``components``: the network's pieces with their supply
    and committed demand (:func:`component_balance`), when the network was checked;
    ``elastic_note``: how the elastic re-solve ended when it did not finish."""

    findings: list[Finding] = field(default_factory=list)
    elastic_outcome: str | None = None
    components: pd.DataFrame | None = None
    elastic_note: str | None = None

    @property
    def families(self) -> list[str]:
        return sorted({f.family for f in self.findings if f.blocking})

    @property
    def blocking(self) -> bool:
        return any(f.blocking for f in self.findings)

    def lines(self) -> list[str]:
        note = [self.elastic_note] if self.elastic_note else []
        return note + ([str(f) for f in self.findings] or ["no specific cause found"])

    def to_dict(self) -> dict[str, object]:
        return {
            "families": self.families,
            "elastic_outcome": self.elastic_outcome,
            "elastic_note": self.elastic_note,
            "findings": [f.__dict__ for f in self.findings],
        }


def _digraph(inputs: ModelInputs) -> nx.DiGraph[Hashable]:
    g: nx.DiGraph[Hashable] = nx.DiGraph()
    g.add_nodes_from(inputs.nodes.index)
    arcs = inputs.arcs
    capacity: dict[tuple[Hashable, Hashable], float] = {}
    for u, v, c in zip(
        arcs["from_node"].tolist(),
        arcs["to_node"].tolist(),
        arcs["capacity_mw"].tolist(),
        strict=True,
    ):
        capacity[u, v] = capacity[u, v] + c if (u, v) in capacity else c
    g.add_edges_from((u, v, {"capacity": c}) for (u, v), c in capacity.items())
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
    return Diagnosis([*network.findings, *parameter_checks(inputs)], components=network.components)


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
    tables = []
    for q in inputs.period_names:
        checked = _network_checks(inputs.period_view(q), max_flow_sites)
        if checked.components is not None:
            tables.append(checked.components.assign(period=q))
        for f in checked.findings:
            if not f.blocking:
                if f.message not in seen:
                    seen.add(f.message)
                    diag.findings.append(f)
                continue
            diag.findings.append(
                Finding(f.family, f"{f.where} in {q}", f.amount, f"{q}: {f.message}", f.blocking)
            )
    diag.components = pd.concat(tables, ignore_index=True) if tables else None
    return diag


def component_balance(inputs: ModelInputs) -> pd.DataFrame:
    """Each connected piece of the network (pipelines taken both ways) with its field supply
    against its committed demand; a short piece also gets the nearest other piece.

    Components are numbered as in the network report: largest route-km first (ties: more
    nodes, then the smallest node id). One row per component: ``nodes`` (ids, ';'-joined),
    ``supply_mw``, ``demand_mw``, ``shortfall_mw`` = max(0, demand − supply); for short
    components ``nearest_component``, ``gap_km`` (the geodesic distance between the closest
    pair of their nodes) and that pair, ``gap_from`` and ``gap_to``, and the same for the
    nearest component with spare supply (``nearest_spare_component``, ``spare_gap_km``, …).
    """
    nodes, arcs = inputs.nodes, inputs.arcs
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(nodes.index)
    for u, v, km in zip(arcs["from_node"], arcs["to_node"], arcs["length_km"], strict=True):
        g.add_edge(u, v, length_km=float(km))
    comps = []
    for comp in nx.connected_components(g):
        km = math.fsum(d["length_km"] for _, _, d in g.subgraph(comp).edges(data=True))
        comps.append((sorted(comp, key=str), km))
    comps.sort(key=lambda c: (-c[1], -len(c[0]), str(c[0][0])))
    label = pd.Series(
        [k + 1 for k, (comp, _) in enumerate(comps) for _ in comp],
        index=[n for comp, _ in comps for n in comp],
    ).reindex(nodes.index)
    supply = nodes["supply_max_mw"].groupby(label).sum()
    demand = nodes["demand_mw"].groupby(label).sum()
    table = pd.DataFrame(
        {
            "component": range(1, len(comps) + 1),
            "route_km": [km for _, km in comps],
            "nodes": [";".join(map(str, comp)) for comp, _ in comps],
            "supply_mw": supply.reindex(range(1, len(comps) + 1)).to_numpy(float),
            "demand_mw": demand.reindex(range(1, len(comps) + 1)).to_numpy(float),
        }
    )
    table["shortfall_mw"] = (table["demand_mw"] - table["supply_mw"]).clip(lower=0.0)
    spare = (table["supply_mw"] - table["demand_mw"]).to_numpy(float)
    lon, lat = nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    located = np.isfinite(lon) & np.isfinite(lat)
    lab = label.to_numpy()
    ids = nodes.index.astype(str).to_numpy()

    def closest(inside: np.ndarray, outside: np.ndarray) -> list[object]:
        """Nearest component, km and the node pair between two sets of nodes."""
        if not inside.any() or not outside.any():
            return [pd.NA, np.nan, None, None]
        idx, km = geo.nearest(lon[inside], lat[inside], lon[outside], lat[outside])
        j = int(np.argmin(km))
        target = np.flatnonzero(outside)[idx[j]]
        return [int(lab[target]), float(km[j]), ids[np.flatnonzero(inside)[j]], ids[target]]

    short = table["shortfall_mw"].to_numpy() > _short_tolerance(table)
    with_spare = np.isin(lab, table["component"].to_numpy()[spare > 0])
    near = [
        closest((lab == k) & located, (lab != k) & located)
        + closest((lab == k) & located, with_spare & located)
        if is_short
        else [pd.NA, np.nan, None, None] * 2
        for k, is_short in zip(table["component"], short, strict=True)
    ]
    columns = ["nearest_component", "gap_km", "gap_from", "gap_to"]
    columns += ["nearest_spare_component", "spare_gap_km", "spare_gap_from", "spare_gap_to"]
    for c, values in zip(columns, zip(*near, strict=True), strict=True):
        table[c] = pd.array(values, dtype="Int64") if c.endswith("component") else list(values)
    return table


def component_tables(inputs: ModelInputs) -> pd.DataFrame:
    """:func:`component_balance` of every period (a ``period`` column with several)."""
    if not inputs.has_periods:
        return component_balance(inputs)
    return pd.concat(
        [component_balance(inputs.period_view(q)).assign(period=q) for q in inputs.period_names],
        ignore_index=True,
    )


def _short_tolerance(table: pd.DataFrame) -> np.ndarray:
    return 1e-9 * np.maximum(1.0, table["demand_mw"].to_numpy(float))


def _component_findings(table: pd.DataFrame) -> list[Finding]:
    """One finding per component whose committed demand exceeds its own supply (only when
    the network is in pieces: a whole network short of supply is the system finding)."""
    if len(table) < 2:
        return []
    out = []
    short = table[table["shortfall_mw"].to_numpy() > _short_tolerance(table)]
    for row in short.to_dict("records"):
        members = str(row["nodes"]).split(";")
        named = ", ".join(members[:5]) + (
            f" and {len(members) - 5} more" if len(members) > 5 else ""
        )
        if pd.isna(row["nearest_component"]):
            nearest = "no other component has located nodes"
        else:
            nearest = (
                f"the nearest other component is {row['nearest_component']}, "
                f"{row['gap_km']:,.1f} km away ({row['gap_from']} – {row['gap_to']})"
            )
        if pd.isna(row["nearest_spare_component"]):
            nearest += "; no component has spare supply"
        elif row["nearest_spare_component"] != row["nearest_component"]:
            spare = table.loc[table["component"] == row["nearest_spare_component"]].iloc[0]
            nearest += (
                f"; the nearest with spare supply is {row['nearest_spare_component']} "
                f"({float(spare['supply_mw'] - spare['demand_mw']):,.0f} MW spare), {row['spare_gap_km']:,.1f} "
                f"km away ({row['spare_gap_from']} – {row['spare_gap_to']})"
            )
        out.append(
            Finding(
                "gas_balance",
                f"component {row['component']}",
                float(row["shortfall_mw"]),
                f"gas_balance: network component {row['component']} ({named}) has "
                f"{row['supply_mw']:,.0f} MW of field supply against {row['demand_mw']:,.0f} MW of "
                f"committed demand, {row['shortfall_mw']:,.0f} MW short; {nearest}: connect it "
                "(a larger network.snap_km, or the missing pipeline) or lower the committed "
                "demand there",
            )
        )
    return out


def _network_checks(inputs: ModelInputs, max_flow_sites: int = 300) -> Diagnosis:
    diag = Diagnosis()
    nodes, p = inputs.nodes, inputs.params
    g = _digraph(inputs)
    fields = nodes.index[nodes["supply_max_mw"] > 0].tolist()
    demand = nodes["demand_mw"]
    reach: set[object] = set()
    for f in fields:
        reach |= nx.descendants(g, f) | {f}
    balance = component_balance(inputs)
    diag.components = balance
    pieces = _component_findings(balance)
    diag.findings.extend(pieces)
    short_rows = balance[balance["shortfall_mw"].to_numpy() > _short_tolerance(balance)]
    in_short = {n for nodes_ in short_rows["nodes"] for n in nodes_.split(";")} if pieces else set()
    unreached = (demand > 0) & ~demand.index.isin(list(reach))
    for n in demand.index[unreached & ~demand.index.astype(str).isin(in_short)]:
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
    # what the short components cannot receive is theirs, not the pipelines'
    explained = _explained_by_components(balance, reachable)
    missing = reachable_demand - flow_value - explained
    if missing > reachable_demand * 1e-9 and total_demand <= total_supply:
        of = f" (besides the {explained:,.0f} MW the short components lack)" if explained else ""
        diag.findings.append(
            Finding(
                "arc_capacity",
                ", ".join(cut[:8]),
                missing,
                f"arc_capacity: the network can deliver only {flow_value:,.0f} of {reachable_demand:,.0f} "
                f"MW committed demand: {missing:,.0f} MW{of} do not fit through the pipelines; "
                f"saturated pipelines: {', '.join(cut[:8]) or 'n/a'}",
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


def _explained_by_components(balance: pd.DataFrame, reachable: pd.DataFrame) -> float:
    """Σ over components of the committed demand reachable from a field beyond the
    component's own supply: the least the max-flow must fall short by because of them."""
    out = 0.0
    for nodes_, supply in zip(balance["nodes"], balance["supply_mw"], strict=True):
        inside = reachable[reachable.index.astype(str).isin(nodes_.split(";"))]
        out += max(0.0, float(inside["demand_mw"].sum()) - float(supply))
    return out


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


def _max_flow_to_demand(g: nx.DiGraph[Hashable], nodes: pd.DataFrame) -> tuple[float, list[str]]:
    h = g.copy()
    ids = nodes.index.tolist()
    for n, supply, demand in zip(
        ids, nodes["supply_max_mw"].tolist(), nodes["demand_mw"].tolist(), strict=True
    ):
        if supply > 0:
            h.add_edge("__source__", n, capacity=float(supply))
        if demand > 0:
            h.add_edge(n, "__sink__", capacity=float(demand))
    if "__source__" not in h or "__sink__" not in h:
        return 0.0, []
    # the cut is the same for every maximum flow; Boykov-Kolmogorov finds one fastest on
    # pipeline networks (GEM Russia: 3.5× faster than networkx's default preflow-push)
    value, (reachable, _) = nx.minimum_cut(h, "__source__", "__sink__", flow_func=boykov_kolmogorov)
    cut = [
        f"{u}>{v}"
        for u, v in h.edges
        if u in reachable and v not in reachable and u != "__source__" and v != "__sink__"
    ]
    return float(value), cut


def _site_gas_limits(
    g: nx.DiGraph[Hashable], inputs: ModelInputs, fields: list[Hashable]
) -> list[Finding]:
    """Sites whose minimum campus needs more gas than the network could ever bring them."""
    out = []
    supply = inputs.nodes["supply_max_mw"].to_numpy(float)
    position, p = inputs.nodes.index, inputs.params
    h = g.copy()
    for f in fields:
        h.add_edge("__source__", f, capacity=float(supply[position.get_loc(f)]))
    tech = inputs.technologies
    available = tech[tech["available"].astype(bool)] if inputs.has_menu else tech
    # with a technology menu, the most efficient one needs the least gas
    eta = float(available["efficiency"].max()) if len(available) else p.generator_efficiency
    for s, row in inputs.sites.iterrows():
        need = row["min_modules"] * row["module_mw"] * row["pue"] / eta
        if need <= 0:
            continue
        reach = (
            nx.maximum_flow_value(h, "__source__", row["node_id"], flow_func=boykov_kolmogorov)
            if row["node_id"] in h
            else 0.0
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
