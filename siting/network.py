"""Pipelines and nodes → the gas network graph (networkx).

Lines are cut wherever a node or the end of another line lies within ``snap_km`` of them;
line ends that meet no node are merged into junctions. Each piece becomes an edge with its
geodesic length and the capacity of its line in each direction; parallel pieces between
the same two nodes are merged into one corridor with the capacities summed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import LineString, Point
from shapely.ops import substring

from siting import geo


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

    def lines(self) -> list[str]:
        out = [
            f"{self.n_nodes} nodes, {self.n_edges} pipeline corridors, {self.route_km:,.0f} route-km "
            f"in {len(self.components)} connected component(s)",
        ]
        if self.junctions_added:
            out.append(f"{self.junctions_added} junction(s) added where line ends meet")
        for d in self.dropped:
            out.append(f"dropped {d['what']} {d['id']}: {d['reason']}")
        if self.isolated_nodes:
            out.append(
                f"{len(self.isolated_nodes)} node(s) not on any selected pipeline: "
                + ", ".join(self.isolated_nodes[:10])
                + (" …" if len(self.isolated_nodes) > 10 else "")
            )
        return out


@dataclass
class Network:
    graph: nx.Graph
    report: NetworkReport


def build_network(pipelines: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, snap_km: float) -> Network:
    """Build the undirected corridor graph; edge attributes carry directed capacities."""
    report = NetworkReport()
    parts = pipelines.explode(index_parts=False).reset_index(drop=True)
    parts = parts[~parts.geometry.is_empty].reset_index(drop=True)
    anchors = _anchors(parts, nodes, snap_km, report)
    pieces = _cut(parts, anchors, snap_km, report)
    graph = nx.Graph()
    for row in anchors.itertuples(index=False):
        graph.add_node(
            row.node_id,
            name=row.name,
            kind=row.kind,
            lon=row.lon,
            lat=row.lat,
            supply_mw=row.supply_mw,
            demand_mw=row.demand_mw,
        )
    for edge in _merge_parallel(pieces):
        graph.add_edge(edge["u"], edge["v"], **edge)
    isolated = [n for n in graph.nodes if graph.degree(n) == 0]
    for n in isolated:
        attrs = graph.nodes[n]
        if attrs["supply_mw"] == 0 and attrs["demand_mw"] == 0:
            graph.remove_node(n)
            report.dropped.append(
                {
                    "what": "node",
                    "id": n,
                    "reason": "not on any selected pipeline, no supply or demand",
                }
            )
        else:
            report.isolated_nodes.append(n)
    report.n_nodes = graph.number_of_nodes()
    report.n_edges = graph.number_of_edges()
    report.route_km = float(sum(d["length_km"] for _, _, d in graph.edges(data=True)))
    report.components = components_summary(graph)
    return Network(graph, report)


def components_summary(graph: nx.Graph) -> list[dict[str, object]]:
    out = []
    for comp in sorted(nx.connected_components(graph), key=len, reverse=True):
        sub = graph.subgraph(comp)
        out.append(
            {
                "nodes": len(comp),
                "route_km": float(sum(d["length_km"] for _, _, d in sub.edges(data=True))),
                "supply_mw": float(sum(graph.nodes[n]["supply_mw"] for n in comp)),
                "demand_mw": float(sum(graph.nodes[n]["demand_mw"] for n in comp)),
                "fields": sorted(n for n in comp if graph.nodes[n]["supply_mw"] > 0),
            }
        )
    return out


def _anchors(
    parts: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, snap_km: float, report: NetworkReport
) -> pd.DataFrame:
    """Named nodes plus junctions for line ends that meet no node (clustered within snap_km)."""
    named = pd.DataFrame(
        {
            "node_id": nodes["node_id"].to_numpy(),
            "name": nodes["name"].to_numpy(),
            "kind": nodes["kind"].to_numpy(),
            "lon": nodes.geometry.x.to_numpy(),
            "lat": nodes.geometry.y.to_numpy(),
            "supply_mw": nodes["supply_mw"].to_numpy(dtype=float),
            "demand_mw": nodes["demand_mw"].to_numpy(dtype=float),
        }
    )
    ends = np.vstack(
        [
            shapely.get_coordinates(shapely.get_point(parts.geometry.to_numpy(), 0)),
            shapely.get_coordinates(shapely.get_point(parts.geometry.to_numpy(), -1)),
        ]
    )
    if len(named):
        _, dist = geo.nearest(
            ends[:, 0], ends[:, 1], named["lon"].to_numpy(), named["lat"].to_numpy()
        )
        free = ends[dist > snap_km]
    else:
        free = ends
    if len(free) == 0:
        return named
    free = np.unique(np.round(free, 9), axis=0)
    pairs = geo.pairs_within_km(free[:, 0], free[:, 1], snap_km)
    clusters = nx.Graph()
    clusters.add_nodes_from(range(len(free)))
    clusters.add_edges_from((int(i), int(j)) for i, j, _ in pairs)
    rows = []
    for comp in sorted(nx.connected_components(clusters), key=min):
        first = free[min(comp)]
        rows.append(
            {
                "node_id": f"junction_{len(rows) + 1:04d}",
                "name": f"junction {len(rows) + 1}",
                "kind": "junction",
                "lon": float(first[0]),
                "lat": float(first[1]),
                "supply_mw": 0.0,
                "demand_mw": 0.0,
            }
        )
    report.junctions_added = len(rows)
    return pd.concat([named, pd.DataFrame(rows)], ignore_index=True)


def _cut(
    parts: gpd.GeoDataFrame, anchors: pd.DataFrame, snap_km: float, report: NetworkReport
) -> list[dict[str, object]]:
    """Cut every line at the anchors within ``snap_km`` of it."""
    lines = parts.geometry.to_numpy()
    anchor_pts = shapely.points(anchors["lon"].to_numpy(), anchors["lat"].to_numpy())
    tree = shapely.STRtree(lines)
    # query in degrees with a latitude-aware margin, then confirm geodesically
    margin_deg = (
        snap_km / 111.0 / np.maximum(np.cos(np.radians(np.abs(anchors["lat"].to_numpy()))), 0.05)
    )
    a_idx, l_idx = tree.query(shapely.buffer(anchor_pts, margin_deg), predicate="intersects")
    hits: dict[int, list[tuple[float, int]]] = {}
    for a, li in zip(a_idx.tolist(), l_idx.tolist(), strict=True):
        line = lines[li]
        pos = line.project(anchor_pts[a])
        on_line = line.interpolate(pos)
        dist = geo.geodesic_km(on_line.x, on_line.y, anchors["lon"].iat[a], anchors["lat"].iat[a])
        if float(dist) <= snap_km:
            hits.setdefault(li, []).append((pos, a))
    starts = shapely.get_coordinates(shapely.get_point(lines, 0))
    stops = shapely.get_coordinates(shapely.get_point(lines, -1))
    a_lon, a_lat = anchors["lon"].to_numpy(), anchors["lat"].to_numpy()
    start_anchor, _ = geo.nearest(starts[:, 0], starts[:, 1], a_lon, a_lat)
    stop_anchor, _ = geo.nearest(stops[:, 0], stops[:, 1], a_lon, a_lat)
    anchor_xy = np.column_stack([a_lon, a_lat])
    node_ids = anchors["node_id"].to_numpy()
    pieces: list[dict[str, object]] = []
    for li, line in enumerate(lines):
        row = parts.iloc[li]
        cuts = _cut_positions(
            hits.get(li, []), int(start_anchor[li]), int(stop_anchor[li]), line.length
        )
        for (p0, a0), (p1, a1) in itertools.pairwise(cuts):
            if a0 == a1 or p1 - p0 <= 0:
                continue
            coords = np.asarray(shapely.get_coordinates(substring(line, p0, p1)))
            if len(coords) < 2:
                continue
            coords[0], coords[-1] = anchor_xy[a0], anchor_xy[a1]
            piece = LineString(coords)
            pieces.append(
                {
                    "a": node_ids[a0],
                    "b": node_ids[a1],
                    "geometry": piece,
                    "length_km": geo.line_length_km(piece),
                    "capacity_mw": float(row["capacity_mw"]),
                    "direction": row["direction"],
                    "pipeline_id": row["pipeline_id"],
                    "name": row["name"],
                }
            )
    return pieces


def _cut_positions(
    hits: list[tuple[float, int]], start: int, stop: int, length: float
) -> list[tuple[float, int]]:
    """Sorted (position, anchor) cuts: the line's ends, then one cut per interior anchor."""
    cuts = {start: 0.0, stop: length}
    for pos, a in hits:
        cuts.setdefault(a, pos)
    return sorted((pos, a) for a, pos in cuts.items())


def _merge_parallel(pieces: list[dict[str, object]]) -> list[dict[str, object]]:
    """One corridor per node pair; capacity summed per direction (u→v, v→u)."""
    corridors: dict[tuple[str, str], dict[str, object]] = {}
    for p in pieces:
        a, b = str(p["a"]), str(p["b"])
        key = (a, b) if a <= b else (b, a)
        forward = a == key[0]
        cap = float(p["capacity_mw"])  # type: ignore[arg-type]
        both = p["direction"] == "both"
        c = corridors.get(key)
        if c is None:
            geom = p["geometry"] if forward else p["geometry"].reverse()  # type: ignore[union-attr]
            c = corridors[key] = {
                "u": key[0],
                "v": key[1],
                "geometry": geom,
                "length_km": p["length_km"],
                "capacity_uv_mw": 0.0,
                "capacity_vu_mw": 0.0,
                "pipeline_ids": [],
                "names": [],
            }
        if forward or both:
            c["capacity_uv_mw"] = float(c["capacity_uv_mw"]) + cap  # type: ignore[arg-type]
        if not forward or both:
            c["capacity_vu_mw"] = float(c["capacity_vu_mw"]) + cap  # type: ignore[arg-type]
        c["pipeline_ids"].append(p["pipeline_id"])  # type: ignore[union-attr]
        if p["name"] not in c["names"]:  # type: ignore[operator]
            c["names"].append(p["name"])  # type: ignore[union-attr]
    for c in corridors.values():
        c["pipeline_ids"] = ";".join(map(str, c["pipeline_ids"]))  # type: ignore[arg-type]
        c["names"] = "; ".join(map(str, c["names"]))  # type: ignore[arg-type]
    return list(corridors.values())


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
