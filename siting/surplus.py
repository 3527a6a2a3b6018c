"""The gas surplus of a plan's network: gross spare field capacity and the deliverable surplus.

For each period p, over the nodes on the pipelines (off-network supply left out):

- **gross** = Σ_f supply_max[f,p] − Σ_n demand[n,p]: spare field capacity beyond committed
  demand, wherever it is;
- **deliverable** = the most gas the network can carry from the fields to the places where a
  plan may burn it (the nodes of the candidate sites and the gas nodes that feed gas-fired
  grid nodes), beyond committed demand:

      max  Σ_{n ∈ K} x[n]
      s.t. supply[n]·[n ∈ F] + Σ_{a ∈ A⁻(n)} flow[a] − Σ_{a ∈ A⁺(n)} flow[a]
               = demand[n,p] + x[n]·[n ∈ K]                  for every node n
           0 ≤ flow[a] ≤ capacity[a,p],  0 ≤ supply[f] ≤ supply_max[f,p],  x ≥ 0

  (NaN when the committed demand itself cannot be met). A field that no pipeline reaches
  adds to neither: it has no arc, so it is left out of the gross figure too.

Every plan's pipeline gas (burnt on site and behind the grid) in a period is a feasible x of
that LP, so it never exceeds the deliverable surplus. The off-network supply (the
``stranded`` layer) is reported beside it, never added to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from networkx.algorithms.flow import edmonds_karp

if TYPE_CHECKING:
    from siting.solution import Solution

#: graph node kind of off-network supply (see siting.candidates)
STRANDED = "stranded"

SURPLUS_COLUMNS = [
    "gross_mw",
    "deliverable_mw",
    "pipeline_gas_mw",
    "pipeline_direct_mw",
    "pipeline_indirect_mw",
    "stranded_supply_mw",
    "stranded_gas_mw",
]


def deliverable_mw(
    nodes: pd.Index,
    supply_max: np.ndarray,
    demand: np.ndarray,
    arc_from: np.ndarray,
    arc_to: np.ndarray,
    capacity: np.ndarray,
    sinks: pd.Index,
) -> float:
    """The LP above for one period on plain arrays (NaN if committed demand is unmet).

    It is a maximum flow: source → field (supply_max), the arcs (capacity), node → its
    committed demand → sink, and sink nodes → sink unbounded. Committed demand is met when
    the flow without the sink nodes' edges fills every demand edge; an augmenting path never
    lowers the flow into the sink, so the flow with them can start from that one, and the
    surplus is the whole maximum less the committed demand."""
    if len(nodes) == 0:
        return 0.0
    graph: nx.DiGraph = nx.DiGraph()
    source, sink = ("source",), ("sink",)
    names = [str(n) for n in nodes]
    for n, cap in zip(names, supply_max, strict=True):
        if cap > 0:
            graph.add_edge(source, n, capacity=float(cap))
    for u, v, cap in zip(map(str, arc_from), map(str, arc_to), capacity, strict=True):
        if cap > 0:
            before = graph[u][v]["capacity"] if graph.has_edge(u, v) else 0.0
            graph.add_edge(u, v, capacity=before + float(cap))
    committed = float(demand[demand > 0].sum())
    for n, d in zip(names, demand, strict=True):
        if d > 0:
            graph.add_edge(n, ("committed", n), capacity=float(d))
            graph.add_edge(("committed", n), sink, capacity=float(d))
    met = _flow(graph, source, sink)
    if met < committed - 1e-6 * max(1.0, committed):
        return float("nan")
    present = set(names)
    for k in map(str, sinks):
        if k in present:
            graph.add_edge(k, sink)
    return _flow(graph, source, sink) - committed


def _flow(graph: nx.DiGraph, source: tuple[str], sink: tuple[str]) -> float:
    if source not in graph or sink not in graph:
        return 0.0
    return float(nx.maximum_flow_value(graph, source, sink, flow_func=edmonds_karp))


def surplus_table(s: Solution) -> pd.DataFrame:
    """Per period: gross and deliverable surplus, the plan's pipeline gas (in all, on site
    and behind the grid), and the off-network supply and its use (MW of fuel heat)."""
    nodes = s.nodes
    periods = list(s.periods.index)
    off = nodes["kind"].to_numpy(object) == STRANDED
    on_network = nodes.index[~off]
    arcs = s.arcs
    touched = pd.Index(pd.unique(np.concatenate([arcs["from_node"], arcs["to_node"]])))
    piped = on_network[on_network.isin(touched)]
    grid = s.grid_nodes
    feeds = (
        grid.loc[grid["gas_share"] > 0, "gas_node"].dropna()
        if "gas_share" in grid.columns
        else pd.Series(dtype=object)
    )
    sinks = pd.Index(
        pd.unique(np.concatenate([s.sites["node_id"].to_numpy(object), feeds.to_numpy(object)]))
    )
    per_node = _per_period_nodes(s, periods)
    per_arc = _per_period_capacity(s, periods)
    rows = []
    for q in periods:
        at = per_node[q]
        on = at.reindex(piped)
        gross = float(on["supply_max_mw"].sum() - at.reindex(on_network)["demand_mw"].sum())
        deliverable = deliverable_mw(
            on_network,
            at.reindex(on_network)["supply_max_mw"].to_numpy(float),
            at.reindex(on_network)["demand_mw"].to_numpy(float),
            arcs["from_node"].to_numpy(object),
            arcs["to_node"].to_numpy(object),
            per_arc[q].to_numpy(float),
            sinks,
        )
        used = at["burn_mw"] + at["indirect_mw"]
        rows.append(
            {
                "gross_mw": gross,
                "deliverable_mw": deliverable,
                "pipeline_gas_mw": float(used.reindex(on_network).sum()),
                "pipeline_direct_mw": float(at["burn_mw"].reindex(on_network).sum()),
                "pipeline_indirect_mw": float(at["indirect_mw"].reindex(on_network).sum()),
                "stranded_supply_mw": float(at["supply_max_mw"].reindex(nodes.index[off]).sum()),
                "stranded_gas_mw": float(used.reindex(nodes.index[off]).sum()),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(periods, name="period"), columns=SURPLUS_COLUMNS)


def _per_period_nodes(s: Solution, periods: list) -> dict[object, pd.DataFrame]:
    """Per period: supply_max_mw, demand_mw, burn_mw and indirect_mw of every node."""
    columns = ["supply_max_mw", "demand_mw", "burn_mw", "indirect_mw"]
    node_periods = s.node_periods
    if len(node_periods):
        return {
            q: pd.DataFrame(node_periods.xs(q, level="period")).reindex(
                columns=columns, fill_value=0.0
            )
            for q in periods
        }
    nodes = s.nodes.reindex(columns=columns, fill_value=0.0)
    return {q: nodes for q in periods}


def _per_period_capacity(s: Solution, periods: list) -> dict[object, pd.Series]:
    arc_periods = s.arc_periods
    arcs = s.arcs
    if len(arc_periods):
        wide = arc_periods["capacity_mw"].unstack("period").reindex(arcs.index)
        return {q: wide[q] for q in periods}
    return {q: arcs["capacity_mw"] for q in periods}
