"""The network report: what the builder did and what it built, for the user.

:class:`NetworkReport` holds the counts of every step, every feature or piece left out with
its reason, the connected components and which committed demand each field can reach; the
functions below summarise a graph and turn it into tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely import Point

from siting.geodata import removals_frame


@dataclass
class NetworkReport:
    """What the builder did, for the user."""

    n_nodes: int = 0
    n_edges: int = 0
    route_km: float = 0.0
    components: list[dict[str, object]] = field(default_factory=list)
    snapped_nodes: int = 0
    junctions_added: int = 0
    dropped: list[dict[str, object]] = field(default_factory=list)
    isolated_nodes: list[str] = field(default_factory=list)
    input_km: float = 0.0
    merged_km: float = 0.0
    end_joins: int = 0
    t_junctions: int = 0
    crossings: int = 0
    slivers_km: float = 0.0
    capacity_sources: dict[str, int] = field(default_factory=dict)
    reach: list[dict[str, object]] = field(default_factory=list)
    node_snaps: list[dict[str, object]] = field(default_factory=list)
    end_moves_km: list[float] = field(default_factory=list)
    #: every selected line whose capacity a rule filled: pipeline_id, rule, capacity_mw,
    #: capacity_bcm_y, diameter_mm, strings, length_km
    imputed: list[dict[str, object]] = field(default_factory=list)
    #: inputs that look wrong (also issued as warnings by the run)
    warnings: list[str] = field(default_factory=list)
    #: the column read for each quantity of each layer (see :func:`siting.geodata.resolved_columns`)
    columns: list[dict[str, str]] = field(default_factory=list)
    #: grid nodes whose gas share burns gas at a network node (model v2): grid_id,
    #: gas_node, km and whether the layer gave the node or the nearest was taken
    gas_feeds: list[dict[str, object]] = field(default_factory=list)

    @property
    def removed(self) -> pd.DataFrame:
        """Every feature, piece or node left out, with its reason (one row each)."""
        return removals_frame(self.dropped)

    @property
    def largest_component_share(self) -> float:
        if not self.components or self.route_km <= 0:
            return 0.0
        return float(self.components[0]["route_km"]) / self.route_km  # type: ignore[arg-type]

    def components_frame(self) -> pd.DataFrame:
        rows = [
            {
                **{k: v for k, v in c.items() if k not in ("fields", "demand_nodes")},
                "fields": ";".join(map(str, c["fields"])),  # type: ignore[call-overload]
                "demand_nodes": ";".join(map(str, c.get("demand_nodes", []))),  # type: ignore[call-overload]
            }
            for c in self.components
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, object]:
        return {
            "nodes": self.n_nodes,
            "corridors": self.n_edges,
            "route_km": self.route_km,
            "input_km": self.input_km,
            "merged_parallel_km": self.merged_km,
            "slivers_km": self.slivers_km,
            "junctions_added": self.junctions_added,
            "end_joins": self.end_joins,
            "t_junctions": self.t_junctions,
            "crossings": self.crossings,
            "nodes_snapped": self.snapped_nodes,
            "node_moves_km": {str(d["node_id"]): d["moved_km"] for d in self.node_snaps},
            "ends_joined": len(self.end_moves_km),
            "largest_end_move_km": max(self.end_moves_km, default=0.0),
            "capacity_sources": self.capacity_sources,
            "largest_component_share": self.largest_component_share,
            "components": self.components,
            "reach": self.reach,
            "isolated_nodes": self.isolated_nodes,
            "removed": len(self.dropped),
            "removed_by_reason": self.removal_summary(),
            "capacity_imputed": self.imputed,
            "columns": self.columns,
            "warnings": self.warnings,
            **({"grid_gas_feeds": self.gas_feeds} if self.gas_feeds else {}),
        }

    def removal_summary(self) -> list[dict[str, object]]:
        """Features, pieces and nodes left out, by reason: how many and their km."""
        if not self.dropped:
            return []
        removed = self.removed
        km = pd.to_numeric(removed["length_km"], errors="coerce")
        grouped = removed.assign(km=km).groupby("reason", sort=False)
        return [
            {
                "reason": str(reason),
                "what": str(rows["what"].mode().iloc[0]),
                "count": len(rows),
                "length_km": math.fsum(rows["km"].dropna()) if rows["km"].notna().any() else None,
            }
            for reason, rows in grouped
        ]

    def imputation_lines(self, most: int = 10) -> list[str]:
        """One line per rule that filled capacities: count, km, and each line (up to
        ``most``; all of them are in ``network_report.json``)."""
        out = []
        by_rule: dict[str, list[dict[str, object]]] = {}
        for row in self.imputed:
            by_rule.setdefault(str(row["rule"]), []).append(row)
        for rule, rows in by_rule.items():
            km = math.fsum(float(r["length_km"]) for r in rows)  # type: ignore[arg-type]
            shown = [_imputation(r) for r in rows[:most]]
            more = (
                f"; and {len(rows) - most} more (network_report.json)" if len(rows) > most else ""
            )
            out.append(
                f"capacity imputed by the {rule} rule for {len(rows)} line(s), {km:,.0f} km: "
                + "; ".join(shown)
                + more
            )
        return out

    def lines(self) -> list[str]:
        out = [
            f"{self.n_nodes} nodes, {self.n_edges} pipeline corridors, {self.route_km:,.0f} route-km "
            f"in {len(self.components)} connected component(s)"
            + (
                f"; the largest holds {self.largest_component_share:.0%} of the route-km"
                if self.components
                else ""
            ),
        ]
        if self.merged_km > 0:
            out.append(
                f"{self.input_km:,.0f} km of drawings; {self.merged_km:,.0f} km ran parallel to "
                "another line and were merged into its corridor"
            )
        if self.junctions_added:
            out.append(
                f"{self.junctions_added} junction(s) added: {self.end_joins} where line ends met, "
                f"{self.t_junctions} where an end met a line, {self.crossings} at crossings"
            )
        if self.imputed:
            out.extend(self.imputation_lines())
        else:
            filled = {k: v for k, v in self.capacity_sources.items() if k != "data" and v}
            if filled:
                out.append(
                    "capacity filled for "
                    + ", ".join(f"{n} line(s) by the {k} rule" for k, n in filled.items())
                )
        if self.snapped_nodes:
            out.append(f"{self.snapped_nodes} node(s) put on the nearest line")
        summary = self.removal_summary()
        for r in summary[:12]:
            km = f", {r['length_km']:,.0f} km" if r["length_km"] is not None else ""
            if r["what"] == "junction added":
                out.append(f"added {r['count']} junction(s): {r['reason']}")
            else:
                out.append(f"left out {r['count']} {r['what']}(s){km}: {r['reason']}")
        if len(summary) > 12:
            out.append(f"… and {len(summary) - 12} other reasons (see the removals table)")
        if self.isolated_nodes:
            out.append(
                f"{len(self.isolated_nodes)} node(s) not on any selected pipeline: "
                + ", ".join(self.isolated_nodes[:10])
                + (" …" if len(self.isolated_nodes) > 10 else "")
            )
        if self.gas_feeds:
            nearest = [f for f in self.gas_feeds if f["source"] == "nearest"]
            far = max(self.gas_feeds, key=lambda f: float(f["km"]))  # type: ignore[arg-type]
            out.append(
                f"{len(self.gas_feeds)} gas-fired grid node(s) fed from the network, "
                f"{len(nearest)} from the nearest node; the farthest feed is {far['grid_id']} → "
                f"{far['gas_node']}, {float(far['km']):,.0f} km"  # type: ignore[arg-type]
            )
        return out


def _imputation(row: dict[str, object]) -> str:
    """``P1: 1,420 mm × 2 strings → 64.0 bcm/y`` (the inputs the rule used, where known)."""
    given = []
    diameter = float(row.get("diameter_mm", float("nan")))  # type: ignore[arg-type]
    strings = float(row.get("strings", float("nan")))  # type: ignore[arg-type]
    if row["rule"] == "diameter" and math.isfinite(diameter):
        given.append(f"{diameter:,.0f} mm")
        if math.isfinite(strings) and strings != 1:
            given.append(f"{strings:.0f} strings")
    inputs = " × ".join(given)
    return (
        f"{row['pipeline_id']}: {inputs + ' → ' if inputs else ''}{row['capacity_bcm_y']:.1f} bcm/y"
    )


def _ranked_components(graph: nx.Graph) -> list[tuple[set[object], float]]:
    """Connected components with their route-km, largest route-km first.

    Sums are exact (math.fsum), so they do not depend on the order the nodes of a
    component come in."""
    comps = list(nx.connected_components(graph))
    label = {n: k for k, comp in enumerate(comps) for n in comp}
    lengths: list[list[float]] = [[] for _ in comps]
    for u, _, d in graph.edges(data=True):
        lengths[label[u]].append(d["length_km"])
    ranked = [(comp, math.fsum(km)) for comp, km in zip(comps, lengths, strict=True)]
    ranked.sort(key=lambda c: (-c[1], -len(c[0]), str(min(map(str, c[0])))))
    return ranked


def components_summary(graph: nx.Graph) -> list[dict[str, object]]:
    """Connected components, largest route-km first: size, route-km, supply and demand."""
    comps = _ranked_components(graph)
    total = math.fsum(km for _, km in comps) or 1.0
    nodes = graph.nodes
    return [
        {
            "component": i + 1,
            "nodes": len(comp),
            "route_km": km,
            "share": km / total,
            "supply_mw": math.fsum(nodes[n]["supply_mw"] for n in comp),
            "demand_mw": math.fsum(nodes[n]["demand_mw"] for n in comp),
            "fields": sorted(str(n) for n in comp if nodes[n]["supply_mw"] > 0),
            "demand_nodes": sorted(str(n) for n in comp if nodes[n]["demand_mw"] > 0),
        }
        for i, (comp, km) in enumerate(comps)
    ]


def component_labels(graph: nx.Graph) -> dict[object, int]:
    """The component number (1 = largest route-km) of every node."""
    return {n: i + 1 for i, (comp, _) in enumerate(_ranked_components(graph)) for n in comp}


def supply_reach(graph: nx.Graph) -> list[dict[str, object]]:
    """Which committed-demand nodes each supply node can reach along the flow directions."""
    d: nx.DiGraph[str] = nx.DiGraph()
    d.add_nodes_from(graph.nodes)
    for _, _, e in graph.edges(data=True):
        if e["capacity_uv_mw"] > 0:
            d.add_edge(e["u"], e["v"])
        if e["capacity_vu_mw"] > 0:
            d.add_edge(e["v"], e["u"])
    demand = {n for n, a in graph.nodes(data=True) if a["demand_mw"] > 0}
    out = []
    for n, a in graph.nodes(data=True):
        if a["supply_mw"] > 0:
            reach = (nx.descendants(d, n) | {n}) & demand
            out.append(
                {
                    "supply_node": n,
                    "supply_mw": float(a["supply_mw"]),
                    "reaches": sorted(map(str, reach)),
                    "reachable_demand_mw": math.fsum(graph.nodes[m]["demand_mw"] for m in reach),
                }
            )
    return out


def edges_frame(graph: nx.Graph) -> gpd.GeoDataFrame:
    """Corridors as a GeoDataFrame (u, v, geometry oriented u→v, capacities, length)."""
    rows = [d for _, _, d in graph.edges(data=True)]
    if not rows:
        return gpd.GeoDataFrame(
            {"u": [], "v": [], "length_km": [], "capacity_uv_mw": [], "capacity_vu_mw": []},
            geometry=[],
            crs="EPSG:4326",
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def nodes_frame(graph: nx.Graph) -> gpd.GeoDataFrame:
    df = pd.DataFrame.from_dict(dict(graph.nodes(data=True)), orient="index")
    df.index.name = "node_id"
    df = df.reset_index()
    return gpd.GeoDataFrame(
        df,
        geometry=[Point(x, y) for x, y in zip(df["lon"], df["lat"], strict=True)],
        crs="EPSG:4326",
    )
