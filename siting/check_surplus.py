"""The checker's own recomputation of the surplus totals (see :mod:`siting.surplus`).

The run computes the deliverable surplus of each period with the Edmonds–Karp maximum flow of
:func:`siting.surplus.deliverable_mw`; the checker builds a graph of its own from the
solution's tables and takes networkx's default (preflow-push) maximum flow:

    source → field f          capacity supply_max[f,p]
    u → v (each arc)           capacity capacity[a,p]
    n → d(n) → sink            capacity demand[n,p]        (committed demand)
    k → sink                   unbounded, for k a candidate site's node or a gas feed

Committed demand can be met when the flow with the sink edges k → sink left out saturates
every demand edge. An augmenting path from the source ends at the sink and never passes
through it earlier, so it never lowers the flow on an edge into the sink: the maximum flow
of the whole graph can start from a flow that meets committed demand, and the deliverable
surplus is that maximum less the committed demand (NaN when it cannot be met).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from siting.solution import Solution

_SOURCE, _SINK = ("source",), ("sink",)


def recomputed_surplus(s: Solution) -> dict[str, float]:
    """The surplus totals of :func:`siting.solution.surplus_totals`, recomputed."""
    nodes, arcs = s.nodes, s.arcs
    periods = list(s.periods.index)
    on_network = nodes.index[nodes["kind"].astype(str).to_numpy() != "stranded"]
    off = nodes.index.difference(on_network)
    touched = set(arcs["from_node"].astype(str)) | set(arcs["to_node"].astype(str))
    piped = [n for n in on_network if str(n) in touched]
    sinks = set(s.sites["node_id"].astype(str))
    grid = s.grid_nodes
    if "gas_share" in grid.columns and "gas_node" in grid.columns:
        sinks |= {str(n) for n in grid.loc[grid["gas_share"] > 0, "gas_node"].dropna()}
    per_bcm = s.params.mw_per_bcm_y
    weight = s.periods["weight"].to_dict()
    out: dict[str, float] = {}
    deliverable_by_period = []
    stranded_supply = stranded_gas = 0.0
    for q in periods:
        at = _node_values(s, q)
        cap = _arc_capacity(s, q)
        gross = float(at["supply_max_mw"].reindex(piped).sum()) - float(
            at["demand_mw"].reindex(on_network).sum()
        )
        deliverable = _max_flow_surplus(at.reindex(on_network), arcs, cap, sinks)
        used = at["burn_mw"] + at["indirect_mw"]
        out[f"surplus_gross_{q}_bcm_y"] = gross / per_bcm
        out[f"surplus_deliverable_{q}_bcm_y"] = deliverable / per_bcm
        out[f"gas_pipeline_{q}_bcm_y"] = float(used.reindex(on_network).sum()) / per_bcm
        out[f"gas_pipeline_direct_{q}_bcm_y"] = (
            float(at["burn_mw"].reindex(on_network).sum()) / per_bcm
        )
        out[f"gas_pipeline_indirect_{q}_bcm_y"] = (
            float(at["indirect_mw"].reindex(on_network).sum()) / per_bcm
        )
        deliverable_by_period.append(deliverable / per_bcm)
        stranded_supply += float(weight[q]) * float(at["supply_max_mw"].reindex(off).sum())
        stranded_gas += float(weight[q]) * float(used.reindex(off).sum())
    out["surplus_deliverable_bcm_y"] = min(deliverable_by_period) if periods else math.nan
    out["stranded_supply_bcm_y"] = stranded_supply / per_bcm
    out["gas_stranded_bcm_y"] = stranded_gas / per_bcm
    return out


def _node_values(s: Solution, q: object) -> pd.DataFrame:
    columns = ["supply_max_mw", "demand_mw", "burn_mw", "indirect_mw"]
    frame = pd.DataFrame(s.node_periods.xs(q, level="period")) if len(s.node_periods) else s.nodes
    return frame.reindex(columns=columns, fill_value=0.0).fillna(0.0)


def _arc_capacity(s: Solution, q: object) -> pd.Series:
    if len(s.arc_periods):
        return pd.Series(s.arc_periods.xs(q, level="period")["capacity_mw"]).reindex(s.arcs.index)
    return pd.Series(s.arcs["capacity_mw"])


def _max_flow_surplus(
    at: pd.DataFrame, arcs: pd.DataFrame, capacity: pd.Series, sinks: set[str]
) -> float:
    """The deliverable surplus of one period as a maximum flow (MW; NaN when committed
    demand cannot be met)."""
    g: nx.DiGraph = nx.DiGraph()
    names = [str(n) for n in at.index]
    supply = at["supply_max_mw"].to_numpy(float)
    demand = at["demand_mw"].to_numpy(float)
    for n, cap in zip(names, supply, strict=True):
        if cap > 0:
            g.add_edge(_SOURCE, n, capacity=float(cap))
    for u, v, cap in zip(
        arcs["from_node"].astype(str),
        arcs["to_node"].astype(str),
        capacity.to_numpy(float),
        strict=True,
    ):
        if cap > 0 and np.isfinite(cap):
            before = g[u][v]["capacity"] if g.has_edge(u, v) else 0.0
            g.add_edge(u, v, capacity=before + float(cap))
    committed = 0.0
    for n, d in zip(names, demand, strict=True):
        if d > 0:
            g.add_edge(n, ("demand", n), capacity=float(d))
            g.add_edge(("demand", n), _SINK, capacity=float(d))
            committed += float(d)
    if _SOURCE not in g or _SINK not in g:
        met = 0.0
    else:
        met = float(nx.maximum_flow_value(g, _SOURCE, _SINK))
    if met < committed - 1e-6 * max(1.0, committed):
        return math.nan
    for k in sinks:
        if k in names:
            g.add_edge(k, _SINK)  # no capacity: unbounded
    if _SOURCE not in g or _SINK not in g:
        return 0.0
    return float(nx.maximum_flow_value(g, _SOURCE, _SINK)) - committed
