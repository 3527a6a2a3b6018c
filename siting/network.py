"""Pipelines and nodes → the gas network graph (networkx), and a report of what was done.

The builder turns drawings into topology in a fixed order; every step is vectorised over
all lines at once (numpy, scipy's KD-tree, shapely's STRtree):

1. **Select** the features whose status is in ``network.statuses`` (the others are listed).
2. **Explicit topology**: a line with ``from_node``/``to_node`` (GasLib) joins those nodes
   by id; it is never snapped, merged or cut.
3. **Parallel drawings**: every other line is sampled every ≤ 1 km. Where a line runs within
   ``parallel_km`` of a longer one, in the same direction (within 30°), for at least
   ``parallel_min_km``, it is the same corridor: its geometry there is replaced by the
   longer line's and its capacity is added to the corridor's (pieces of one ``line_id``
   count once; ``parallel_capacity: max`` takes the largest instead of the sum).
4. **Nodes** are moved onto the nearest line within ``node_snap_km`` (the drawings stay as
   they are; the report lists how far each node moved). A node farther away stays isolated
   (kept if it has supply or demand).
5. **Line ends** that meet nothing are joined, in this order, to a node within ``snap_km``,
   to other free ends within ``snap_km`` (one end leads, none moves farther than
   ``snap_km``), or to the nearest point of another line within ``snap_km`` (a T-junction).
6. **Crossings**: lines that cross are cut at the crossing and joined there
   (``connect_crossings``).
7. **Corridors**: the pieces between junctions (nodes, ends, crossings, and points where
   the set of lines changes) become graph edges with their geodesic length and the
   capacity in each direction. **Slivers** — dangling pieces shorter than ``sliver_km``
   ending in no node — are removed. Two corridors between the same two nodes stay apart
   (a junction is added halfway along the second) unless they are explicit parallel pipes,
   whose capacities add up.

Planar work happens in a :class:`~siting.geo.LocalProjection` of the data; tolerances are
confirmed geodesically, so no point moves farther than its tolerance. Lengths are geodesic.
Every feature or piece that is left out is listed in the report with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import LineString, Point

from siting import geo
from siting.config import PIPELINE_STATUSES, NetworkConfig
from siting.errors import DataError
from siting.geodata import removals_frame, status_removals

PARALLEL_MAX_ANGLE_DEG = 30.0


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
        }

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
        filled = {k: v for k, v in self.capacity_sources.items() if k != "data" and v}
        if filled:
            out.append(
                "capacity filled for "
                + ", ".join(f"{n} line(s) by the {k} rule" for k, n in filled.items())
            )
        if self.snapped_nodes:
            out.append(f"{self.snapped_nodes} node(s) put on the nearest line")
        reasons = self.removed.groupby("reason", sort=False).size() if self.dropped else []
        for reason, n in list(reasons.items())[:12] if len(reasons) else []:
            out.append(f"left out {n} × {reason}")
        if len(reasons) > 12:
            out.append(f"… and {len(reasons) - 12} other reasons (see the removals table)")
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


def _config(config: NetworkConfig | float) -> NetworkConfig:
    if isinstance(config, NetworkConfig):
        return config
    return NetworkConfig(snap_km=float(config), statuses=PIPELINE_STATUSES)


def build_network(
    pipelines: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, config: NetworkConfig | float
) -> Network:
    """Build the undirected corridor graph; edge attributes carry directed capacities.

    ``config`` is the case's ``network`` section (a plain number is read as ``snap_km``
    with every status selected)."""
    cfg = _config(config)
    report = NetworkReport()
    report.dropped.extend(status_removals(pipelines, cfg).to_dict("records"))
    lines = pipelines[pipelines["status"].isin(cfg.statuses)].reset_index(drop=True)
    report.capacity_sources = (
        lines["capacity_source"].value_counts().to_dict()
        if "capacity_source" in lines
        else {"data": len(lines)}
    )
    node_table = _node_table(nodes)
    explicit = _explicit_mask(lines)
    builder = _Builder(lines[~explicit].reset_index(drop=True), node_table, cfg, report)
    corridors, junctions = builder.run()
    for snap in report.node_snaps:
        v = builder.node_vertex[snap["node_id"]]  # type: ignore[index]
        row = node_table["node_id"] == snap["node_id"]
        node_table.loc[row, ["lon", "lat"]] = builder.vll[v]
    explicit_corridors, extra_nodes = _explicit_corridors(
        lines[explicit].reset_index(drop=True), node_table, report
    )
    corridors = _separate_parallel(corridors + explicit_corridors, junctions, report)
    graph = _graph(node_table, junctions + extra_nodes, corridors, report)
    report.n_nodes = graph.number_of_nodes()
    report.n_edges = graph.number_of_edges()
    report.route_km = float(sum(d["length_km"] for _, _, d in graph.edges(data=True)))
    report.components = components_summary(graph)
    report.reach = supply_reach(graph)
    report.junctions_added = report.end_joins + report.t_junctions + report.crossings
    return Network(graph, report)


# ---------------------------------------------------------------------------------------
# inputs


def _node_table(nodes: gpd.GeoDataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "node_id": nodes["node_id"].astype(str).to_numpy(),
            "name": nodes["name"].to_numpy(),
            "kind": nodes["kind"].to_numpy(),
            "lon": nodes.geometry.x.to_numpy(),
            "lat": nodes.geometry.y.to_numpy(),
            "supply_mw": nodes["supply_mw"].to_numpy(dtype=float),
            "demand_mw": nodes["demand_mw"].to_numpy(dtype=float),
        }
    )


def _explicit_mask(lines: pd.DataFrame) -> np.ndarray:
    if "from_node" not in lines or "to_node" not in lines:
        return np.zeros(len(lines), bool)
    has_a = lines["from_node"].notna().to_numpy()
    has_b = lines["to_node"].notna().to_numpy()
    half = has_a != has_b
    if half.any():
        i = int(np.flatnonzero(half)[0])
        raise DataError(
            f"pipelines: feature {lines['pipeline_id'].iloc[i]}: give both from_node and "
            "to_node, or neither (then the line is joined by its geometry)"
        )
    return has_a & has_b


def _directional(
    row_direction: np.ndarray, capacity: np.ndarray, reverse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity along and against the drawing direction of each line."""
    against = np.where(
        np.isfinite(reverse), reverse, np.where(row_direction == "both", capacity, 0.0)
    )
    return capacity, against


# ---------------------------------------------------------------------------------------
# the geometric builder


class _Builder:
    """Steps 3–7 of the module docstring for lines without explicit topology."""

    def __init__(
        self, lines: pd.DataFrame, nodes: pd.DataFrame, cfg: NetworkConfig, report: NetworkReport
    ) -> None:
        self.lines, self.nodes, self.cfg, self.report = lines, nodes, cfg, report

    # -- samples ----------------------------------------------------------------------
    def run(self) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        cfg = self.cfg
        if len(self.lines) == 0:
            self.node_vertex: dict[str, int] = {}
            return [], []
        self._parts()
        if len(self.part_row) == 0:
            return [], []
        self.step_km = float(np.clip(cfg.parallel_km / 2.0, 0.1, 1.0)) if cfg.parallel_km else 1.0
        ll, owner = geo.densify_coords(self.coords, self.coord_part, self.step_km)
        self.proj = geo.LocalProjection.around(
            np.concatenate([ll[:, 0], self.nodes["lon"].to_numpy()]),
            np.concatenate([ll[:, 1], self.nodes["lat"].to_numpy()]),
        )
        self.ll, self.part = ll, owner
        self.xy = self.proj.to_xy(ll)
        self.report.input_km = float(geo.line_lengths_km(ll, owner, len(self.part_row)).sum())
        target = self._cover() if cfg.parallel_km > 0 else np.full(len(ll), -1)
        steps = self._steps(target)
        return self._topology(steps)

    def _parts(self) -> None:
        geoms = self.lines.geometry.to_numpy()
        parts, row = shapely.get_parts(geoms, return_index=True)
        coords, index = shapely.get_coordinates(parts, return_index=True)
        # drop repeated vertices; a part needs two distinct vertices
        keep = np.ones(len(coords), bool)
        keep[1:] = ~((index[1:] == index[:-1]) & np.all(coords[1:] == coords[:-1], axis=1))
        coords, index = coords[keep], index[keep]
        counts = np.bincount(index, minlength=len(parts))
        good = counts >= 2
        for p in np.flatnonzero(~good):
            self.report.dropped.append(
                {
                    "layer": "pipelines",
                    "what": "piece",
                    "id": str(self.lines["pipeline_id"].iloc[row[p]]),
                    "reason": "a part with fewer than two distinct points",
                    "length_km": 0.0,
                }
            )
        renumber = np.cumsum(good) - 1
        sel = good[index]
        self.coords = coords[sel]
        self.coord_part = renumber[index[sel]]
        self.part_row = row[good]

    # -- parallel drawings ---------------------------------------------------------------
    def _cover(self) -> np.ndarray:
        """For each sample, the sample of a better-ranked line whose corridor it belongs to
        (−1 where it keeps its own geometry)."""
        cfg, xy, part = self.cfg, self.xy, self.part
        n = len(xy)
        seg_ok = np.append(part[1:] == part[:-1], False)  # sample i starts a segment i→i+1
        along = np.zeros(n)
        d = np.hypot(*(xy[1:] - xy[:-1]).T)
        along[1:] = np.cumsum(np.where(seg_ok[:-1], d, 0.0))
        part_len = np.bincount(part, weights=np.where(seg_ok, np.append(d, 0.0), 0.0))
        # longer drawings are kept; ties by order
        order = np.lexsort((np.arange(len(part_len)), -part_len))
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        tangent = _tangents(xy, part)
        tol_m = cfg.parallel_km * 1000.0
        radius = tol_m * self.proj.max_scale + self.step_km * 1000.0
        tree = geo.kdtree(xy)
        pairs = tree.query_pairs(radius, output_type="ndarray")
        if len(pairs) == 0:
            return np.full(n, -1)
        i = np.concatenate([pairs[:, 0], pairs[:, 1]])
        j = np.concatenate([pairs[:, 1], pairs[:, 0]])
        better = rank[part[j]] < rank[part[i]]
        i, j = i[better], j[better]
        # the nearest point of j's line near j: on segment j→j+1 or j−1→j
        best_d = np.full(len(i), np.inf)
        best_t = j.copy()
        cos = np.zeros(len(i))
        for a, b in ((j, j + 1), (j - 1, j)):
            ok = (a >= 0) & (b < n)
            ok[ok] &= (part[a[ok]] == part[j[ok]]) & (part[b[ok]] == part[j[ok]])
            dist, t = _point_segment(xy[i[ok]], xy[a[ok]], xy[b[ok]])
            seg_dir = xy[b[ok]] - xy[a[ok]]
            seg_dir /= np.maximum(np.linalg.norm(seg_dir, axis=1, keepdims=True), 1e-9)
            c = np.abs((tangent[i[ok]] * seg_dir).sum(axis=1))
            closer = dist < best_d[ok]
            idx = np.flatnonzero(ok)[closer]
            best_d[idx] = dist[closer]
            best_t[idx] = np.where(t[closer] < 0.5, a[ok][closer], b[ok][closer])
            cos[idx] = c[closer]
        keep = (best_d <= tol_m) & (cos >= np.cos(np.radians(PARALLEL_MAX_ANGLE_DEG)))
        i, tgt, dist_k, r = i[keep], best_t[keep], best_d[keep], rank[part[best_t[keep]]]
        target = np.full(n, -1)
        if len(i):
            o = np.lexsort((dist_k, r, i))
            first = np.append(True, i[o][1:] != i[o][:-1])
            target[i[o][first]] = tgt[o][first]
        target = self._smooth(target, along, part)
        # follow chains of covering to a kept sample
        for _ in range(64):
            nxt = np.where(target >= 0, target, -1)
            deeper = (nxt >= 0) & (target[np.maximum(nxt, 0)] >= 0)
            if not deeper.any():
                break
            target[deeper] = target[nxt[deeper]]
        covered = target >= 0
        self.report.merged_km = float(
            geo.segment_lengths_km(self.ll)[(covered[:-1] & covered[1:]) & seg_ok[:-1]].sum()
        )
        return target

    def _smooth(self, target: np.ndarray, along: np.ndarray, part: np.ndarray) -> np.ndarray:
        """Covered runs shorter than ``parallel_min_km`` are not duplicates; kept runs shorter
        than it between two covered runs are detours of the same corridor."""
        min_m = self.cfg.parallel_min_km * 1000.0
        covered = target >= 0
        for pass_covered in (True, False):
            runs = _runs(covered, part)
            length = along[runs[:, 1] - 1] - along[runs[:, 0]]
            value = covered[runs[:, 0]]
            if pass_covered:
                flip = value & (length < min_m)
            else:
                first = np.append(True, part[runs[1:, 0]] != part[runs[:-1, 0]])
                last = np.append(part[runs[:-1, 0]] != part[runs[1:, 0]], True)
                flip = ~value & (length < min_m) & ~first & ~last
            for s, e in runs[flip]:
                covered[s:e] = not pass_covered
        target = np.where(covered, target, -1)
        # samples covered by smoothing take the target of the nearest covered sample before
        gap = covered & (target < 0)
        if gap.any():
            idx = np.where(target >= 0, np.arange(len(target)), -1)
            prev = np.maximum.accumulate(idx)
            same = (prev >= 0) & (part[np.maximum(prev, 0)] == part)
            fill = gap & same
            target[fill] = target[prev[fill]]
            left = covered & (target < 0)
            if left.any():
                idx = np.where(target >= 0, np.arange(len(target)), len(target))
                nxt = np.minimum.accumulate(idx[::-1])[::-1]
                ok = left & (nxt < len(target))
                ok[ok] &= part[nxt[ok]] == part[ok]
                target[ok] = target[nxt[ok]]
                target[left & ~ok] = -1
        return target

    # -- sequences → elementary steps ----------------------------------------------------
    def _steps(self, target: np.ndarray) -> pd.DataFrame:
        """Consecutive vertices of every line after mapping covered samples onto their
        corridor: (a, b, part), with jumps along a corridor filled in."""
        n = len(self.xy)
        part = self.part
        resolved = np.where(target >= 0, target, np.arange(n))
        seq, seq_part = resolved, part
        for _ in range(3):
            seq, seq_part = _monotone(seq, seq_part, part)
            seq, seq_part = _expand(seq, seq_part, part)
            seq = np.where(target[seq] >= 0, target[seq], seq)
            keep = np.append(True, (seq[1:] != seq[:-1]) | (seq_part[1:] != seq_part[:-1]))
            seq, seq_part = seq[keep], seq_part[keep]
        same = seq_part[1:] == seq_part[:-1]
        a, b = seq[:-1][same], seq[1:][same]
        p = seq_part[:-1][same]
        keep = a != b
        self.kept = target < 0
        return pd.DataFrame({"a": a[keep], "b": b[keep], "part": p[keep]})

    # -- topology ----------------------------------------------------------------------
    def _topology(
        self, steps: pd.DataFrame
    ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        cfg, report = self.cfg, self.report
        # unique undirected segments between sample vertices
        lo = np.minimum(steps["a"].to_numpy(), steps["b"].to_numpy())
        hi = np.maximum(steps["a"].to_numpy(), steps["b"].to_numpy())
        seg_key, seg_of_step = np.unique(np.column_stack([lo, hi]), axis=0, return_inverse=True)
        seg_of_step = seg_of_step.ravel()
        steps = steps.assign(seg=seg_of_step, forward=steps["a"].to_numpy() == lo)
        self.vxy = self.xy.copy()
        self.vll = self.ll.copy()
        self.vpart = self.part.copy()
        seg_a, seg_b = seg_key[:, 0].copy(), seg_key[:, 1].copy()
        n_vertex = len(self.vxy)
        node_vertex = np.arange(n_vertex, n_vertex + len(self.nodes))
        self.vxy = np.vstack([self.vxy, self.proj.to_xy(self.nodes[["lon", "lat"]].to_numpy())])
        self.vll = np.vstack([self.vll, self.nodes[["lon", "lat"]].to_numpy()])
        self.vpart = np.concatenate([self.vpart, np.full(len(self.nodes), -1)])
        self.node_vertex = dict(zip(self.nodes["node_id"], node_vertex.tolist(), strict=True))
        inserts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (seg, t, vertex)
        merge: dict[int, int] = {}
        # nodes onto the nearest segment
        seg_geoms = shapely.linestrings(np.stack([self.vxy[seg_a], self.vxy[seg_b]], axis=1))
        tree = shapely.STRtree(seg_geoms)
        node_pts = shapely.points(self.vxy[node_vertex])
        tol = cfg.node_tolerance_km
        attached = np.zeros(len(self.nodes), bool)
        if len(node_pts) and len(seg_geoms):
            n_idx, s_idx = tree.query_nearest(
                node_pts, max_distance=tol * 1000.0 * self.proj.max_scale, all_matches=False
            )
            _, t = _point_segment(
                self.vxy[node_vertex[n_idx]], self.vxy[seg_a[s_idx]], self.vxy[seg_b[s_idx]]
            )
            at = self.proj.to_lonlat(
                self.vxy[seg_a[s_idx]]
                + t[:, None] * (self.vxy[seg_b[s_idx]] - self.vxy[seg_a[s_idx]])
            )
            km = geo.geodesic_km(
                at[:, 0], at[:, 1], self.vll[node_vertex[n_idx], 0], self.vll[node_vertex[n_idx], 1]
            )
            ok = km <= tol
            attached[n_idx[ok]] = True
            inserts.append((s_idx[ok], t[ok], node_vertex[n_idx[ok]]))
            # the node moves onto the line (pipeline drawings are not bent)
            moved = node_vertex[n_idx[ok]]
            self.vll[moved] = at[ok]
            self.vxy[moved] = self.proj.to_xy(at[ok])
            report.node_snaps = [
                {"node_id": str(self.nodes["node_id"].iat[k]), "moved_km": float(d)}
                for k, d in zip(n_idx[ok], km[ok], strict=True)
            ]
            report.snapped_nodes = int((km[ok] > 1e-3).sum())
        self.attached = attached
        # free ends
        degree = np.bincount(np.concatenate([seg_a, seg_b]), minlength=len(self.vxy))
        ends = np.flatnonzero((degree == 1) & (np.arange(len(self.vxy)) < n_vertex))
        snap = cfg.snap_km
        free = np.ones(len(ends), bool)
        if len(ends) and snap > 0:
            # to a node
            if len(self.nodes):
                idx, km = geo.nearest(
                    self.vll[ends, 0],
                    self.vll[ends, 1],
                    self.vll[node_vertex, 0],
                    self.vll[node_vertex, 1],
                )
                to_node = km <= snap
                for e, k in zip(ends[to_node], idx[to_node], strict=True):
                    merge[int(e)] = int(node_vertex[k])
                    attached[k] = True
                free &= ~to_node
            # to other free ends (greedy leaders: nobody moves farther than snap_km)
            fe = ends[free]
            lead = np.arange(len(fe))
            pairs = geo.pairs_within_km(self.vll[fe, 0], self.vll[fe, 1], snap)
            if len(pairs):
                lead = np.asarray(_leaders(len(fe), pairs))
                for f in np.flatnonzero(lead != np.arange(len(fe))):
                    merge[int(fe[f])] = int(fe[lead[f]])
                report.end_joins = len(np.unique(lead[lead != np.arange(len(fe))]))
            # each group of ends (or single end) to the nearest point of another line
            leaders = np.unique(lead)
            if len(leaders):
                member_keys = lead * (len(self.part_row) + 3) + (self.vpart[fe] + 2)
                e_idx, s_idx = tree.query(
                    shapely.points(self.vxy[fe[leaders]]),
                    predicate="dwithin",
                    distance=snap * 1000.0 * self.proj.max_scale,
                )
                base = leaders[e_idx] * (len(self.part_row) + 3)
                own = np.isin(base + self.vpart[seg_a[s_idx]] + 2, member_keys) | np.isin(
                    base + self.vpart[seg_b[s_idx]] + 2, member_keys
                )
                e_idx, s_idx = e_idx[~own], s_idx[~own]
                src = fe[leaders[e_idx]]
                dist, t = _point_segment(
                    self.vxy[src], self.vxy[seg_a[s_idx]], self.vxy[seg_b[s_idx]]
                )
                o = np.lexsort((dist, e_idx))
                first = _firsts(e_idx[o])
                e_idx, s_idx, t = e_idx[o][first], s_idx[o][first], t[o][first]
                src = fe[leaders[e_idx]]
                at_xy = self.vxy[seg_a[s_idx]] + t[:, None] * (
                    self.vxy[seg_b[s_idx]] - self.vxy[seg_a[s_idx]]
                )
                at = self.proj.to_lonlat(at_xy)
                # every end of the group must stay within snap_km of where it goes
                members = pd.DataFrame({"lead": lead, "end": fe})
                pick = pd.DataFrame({"lead": leaders[e_idx], "k": np.arange(len(e_idx))})
                m = members.merge(pick, on="lead")
                km = geo.geodesic_km(
                    at[m["k"], 0], at[m["k"], 1], self.vll[m["end"], 0], self.vll[m["end"], 1]
                )
                worst = (
                    pd.Series(km).groupby(m["k"].to_numpy()).max().reindex(np.arange(len(e_idx)))
                )
                ok = (worst <= snap).to_numpy()
                new = self._new_vertices(at_xy[ok], at[ok])
                inserts.append((s_idx[ok], t[ok], new))
                for e, v in zip(src[ok], new, strict=True):
                    merge[int(e)] = int(v)
                for e, ld in zip(fe, lead, strict=True):
                    if e != fe[ld] and int(fe[ld]) in merge and merge[int(fe[ld])] >= n_vertex:
                        merge[int(e)] = merge[int(fe[ld])]
                report.t_junctions = int(ok.sum())
        self._check_swapped(attached, tree, seg_a, seg_b)
        # crossings
        if cfg.connect_crossings and len(seg_geoms) > 1:
            ca, cb = tree.query(seg_geoms, predicate="crosses")
            keep = ca < cb
            ca, cb = ca[keep], cb[keep]
            shared = (
                (seg_a[ca] == seg_a[cb])
                | (seg_a[ca] == seg_b[cb])
                | (seg_b[ca] == seg_a[cb])
                | (seg_b[ca] == seg_b[cb])
            )
            ca, cb = ca[~shared], cb[~shared]
            if len(ca):
                ta, tb = _intersection_params(
                    self.vxy[seg_a[ca]],
                    self.vxy[seg_b[ca]],
                    self.vxy[seg_a[cb]],
                    self.vxy[seg_b[cb]],
                )
                at_xy = self.vxy[seg_a[ca]] + ta[:, None] * (
                    self.vxy[seg_b[ca]] - self.vxy[seg_a[ca]]
                )
                new = self._new_vertices(at_xy, self.proj.to_lonlat(at_xy))
                inserts.append((ca, ta, new))
                inserts.append((cb, tb, new))
                report.crossings = len(ca)
        # split segments at the inserted vertices
        seg_a2, seg_b2, parent = _split_segments(seg_a, seg_b, inserts)
        # apply merges
        label = np.arange(len(self.vxy))
        for src, dst in merge.items():
            label[src] = dst
        moved = np.asarray(sorted(merge), dtype=int)
        if len(moved):
            report.end_moves_km = geo.geodesic_km(
                self.vll[moved, 0],
                self.vll[moved, 1],
                self.vll[label[moved], 0],
                self.vll[label[moved], 1],
            ).tolist()
        a2, b2 = label[seg_a2], label[seg_b2]
        contributions = self._contributions(steps, parent, a2, b2)
        return self._corridors(a2, b2, contributions, node_vertex)

    def _check_swapped(
        self, attached: np.ndarray, tree: shapely.STRtree, seg_a: np.ndarray, seg_b: np.ndarray
    ) -> None:
        """A node on no line that would lie on one with latitude and longitude swapped is
        almost surely swapped: say so instead of leaving it isolated."""
        lost = np.flatnonzero(~attached)
        if not len(lost):
            return
        lon = self.nodes["lat"].to_numpy()[lost]
        lat = self.nodes["lon"].to_numpy()[lost]
        valid = np.abs(lat) <= 90
        lost, lon, lat = lost[valid], lon[valid], lat[valid]
        if not len(lost):
            return
        tol = self.cfg.node_tolerance_km
        pts = shapely.points(self.proj.to_xy(np.column_stack([lon, lat])))
        n_idx, _s_idx = tree.query_nearest(
            pts, max_distance=max(tol, 1.0) * 1000.0 * self.proj.max_scale, all_matches=False
        )
        if len(n_idx):
            k = int(lost[n_idx[0]])
            _, near = geo.nearest(
                self.nodes["lon"].to_numpy()[[k]],
                self.nodes["lat"].to_numpy()[[k]],
                self.ll[:, 0],
                self.ll[:, 1],
            )
            raise DataError(
                f"nodes: node {self.nodes['node_id'].iat[k]}: {float(near[0]):,.0f} km from the "
                "nearest pipeline, but on one with latitude and longitude swapped; swap them "
                "in the nodes layer"
            )

    def _new_vertices(self, xy: np.ndarray, ll: np.ndarray) -> np.ndarray:
        start = len(self.vxy)
        self.vxy = np.vstack([self.vxy, xy])
        self.vll = np.vstack([self.vll, ll])
        self.vpart = np.concatenate([self.vpart, np.full(len(xy), -2)])
        return np.arange(start, start + len(xy))

    def _contributions(
        self, steps: pd.DataFrame, parent: np.ndarray, a2: np.ndarray, b2: np.ndarray
    ) -> pd.DataFrame:
        """One row per (elementary segment, line): capacities along lo→hi and hi→lo."""
        rows = self.lines.iloc[self.part_row[steps["part"].to_numpy()]]
        along, against = _directional(
            rows["direction"].to_numpy(),
            rows["capacity_mw"].to_numpy(float),
            rows["reverse_capacity_mw"].to_numpy(float)
            if "reverse_capacity_mw" in rows
            else np.full(len(rows), np.nan),
        )
        fwd = steps["forward"].to_numpy()
        per_step = pd.DataFrame(
            {
                "seg": steps["seg"].to_numpy(),
                "line": rows["line_id"].astype(str).to_numpy()
                if "line_id" in rows
                else rows["pipeline_id"].astype(str).to_numpy(),
                "pipeline_id": rows["pipeline_id"].astype(str).to_numpy(),
                "name": rows["name"].astype(str).to_numpy(),
                "cap_lohi": np.where(fwd, along, against),
                "cap_hilo": np.where(fwd, against, along),
            }
        )
        # each elementary segment inherits the contributions of the sample segment it split
        child = pd.DataFrame({"child": np.arange(len(parent)), "seg": parent})
        out = child.merge(per_step, on="seg", how="inner")
        lo = np.minimum(a2, b2)
        flip = a2[out["child"].to_numpy()] != lo[out["child"].to_numpy()]
        lohi = out["cap_lohi"].to_numpy()
        hilo = out["cap_hilo"].to_numpy()
        out["cap_lohi"] = np.where(flip, hilo, lohi)
        out["cap_hilo"] = np.where(flip, lohi, hilo)
        return out

    def _corridors(
        self, a: np.ndarray, b: np.ndarray, contrib: pd.DataFrame, node_vertex: np.ndarray
    ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        cfg, report = self.cfg, self.report
        # unique undirected elementary segments after merging; drop zero-length loops
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        loop = lo == hi
        key, inv = np.unique(np.column_stack([lo, hi]), axis=0, return_inverse=True)
        inv = inv.ravel()
        contrib = contrib.assign(useg=inv[contrib["child"].to_numpy()])
        contrib = contrib[~loop[contrib["child"].to_numpy()]]
        keep_seg = np.zeros(len(key), bool)
        keep_seg[contrib["useg"].unique()] = True
        # capacity per segment: one value per line (max over its pieces), summed over lines
        per_line = contrib.groupby(["useg", "line"], sort=True).agg(
            cap_lohi=("cap_lohi", "max"), cap_hilo=("cap_hilo", "max")
        )
        how = "sum" if cfg.parallel_capacity == "sum" else "max"
        caps = per_line.groupby(level=0).agg(how).reindex(np.arange(len(key))).fillna(0.0)
        # a signature of the set of lines on each segment: where it changes, a junction
        codes = pd.factorize(per_line.index.get_level_values(1))[0]
        salt = np.random.default_rng(12345).integers(1, 2**62, size=max(codes.max() + 1, 1))
        useg_of = per_line.index.get_level_values(0).to_numpy()
        starts = np.flatnonzero(np.append(True, useg_of[1:] != useg_of[:-1]))
        sig = np.zeros(len(key), dtype=np.int64)
        if len(starts):
            sig[useg_of[starts]] = np.bitwise_xor.reduceat(salt[codes], starts)
        seg = pd.DataFrame(
            {
                "u": key[:, 0],
                "v": key[:, 1],
                "cap_uv": caps["cap_lohi"].to_numpy(),
                "cap_vu": caps["cap_hilo"].to_numpy(),
                "sig": sig,
            }
        )[keep_seg]
        seg["km"] = geo.geodesic_km(
            self.vll[seg["u"], 0],
            self.vll[seg["u"], 1],
            self.vll[seg["v"], 0],
            self.vll[seg["v"], 1],
        )
        is_node = np.zeros(len(self.vxy), bool)
        is_node[node_vertex] = True
        for _ in range(6):
            chains = _chains(seg, is_node)
            sliver = self._slivers(chains, seg, is_node, contrib)
            if not sliver.any():
                break
            drop_segs = np.concatenate(
                [c["segs"] for c, s in zip(chains, sliver, strict=True) if s]
            )
            seg = seg.drop(index=seg.index[drop_segs])
        junction_ids: dict[int, str] = {}
        vertex_node = {int(v): nid for nid, v in self.node_vertex.items()}
        junction_rows: list[dict[str, object]] = []
        ends = sorted({int(c["start"]) for c in chains} | {int(c["end"]) for c in chains})
        ends = [v for v in ends if v not in vertex_node]
        order = np.lexsort((self.vll[ends, 1], self.vll[ends, 0])) if ends else []
        for k, i in enumerate(order):
            v = ends[i]
            junction_ids[v] = f"junction_{k + 1:04d}"
            junction_rows.append(
                {
                    "node_id": junction_ids[v],
                    "name": f"junction {k + 1}",
                    "kind": "junction",
                    "lon": float(self.vll[v, 0]),
                    "lat": float(self.vll[v, 1]),
                    "supply_mw": 0.0,
                    "demand_mw": 0.0,
                }
            )
        labels = _chain_labels(contrib, seg, chains)
        corridors = []
        for k, c in enumerate(chains):
            s, e = int(c["start"]), int(c["end"])
            u = vertex_node.get(s, junction_ids.get(s))
            v = vertex_node.get(e, junction_ids.get(e))
            first = seg.iloc[int(c["segs"][0])]
            forward = int(first["u"]) == int(c["vertices"][0])
            corridors.append(
                {
                    "u": u,
                    "v": v,
                    "coords": self.vll[c["vertices"]],
                    "length_km": float(seg["km"].to_numpy()[c["segs"]].sum()),
                    "capacity_uv_mw": float(first["cap_uv"] if forward else first["cap_vu"]),
                    "capacity_vu_mw": float(first["cap_vu"] if forward else first["cap_uv"]),
                    "pipeline_ids": labels[k][0],
                    "names": labels[k][1],
                    "explicit": False,
                }
            )
        report.slivers_km = float(
            sum(d["length_km"] for d in report.dropped if d.get("what") == "sliver")  # type: ignore[misc]
        )
        return corridors, junction_rows

    def _slivers(
        self,
        chains: list[dict[str, object]],
        seg: pd.DataFrame,
        is_node: np.ndarray,
        contrib: pd.DataFrame,
    ) -> np.ndarray:
        if self.cfg.sliver_km <= 0 or not chains:
            return np.zeros(len(chains), bool)
        deg = np.bincount(
            np.concatenate([seg["u"].to_numpy(), seg["v"].to_numpy()]), minlength=len(is_node)
        )
        out = np.zeros(len(chains), bool)
        km = seg["km"].to_numpy()
        labels: list[tuple[str, str]] | None = None
        for k, c in enumerate(chains):
            s, e = int(c["start"]), int(c["end"])  # type: ignore[call-overload]
            length = float(km[c["segs"]].sum())  # type: ignore[index]
            dangling = (deg[s] == 1 and not is_node[s]) or (deg[e] == 1 and not is_node[e])
            if dangling and length < self.cfg.sliver_km:
                out[k] = True
                labels = labels or _chain_labels(contrib, seg, chains)
                self.report.dropped.append(
                    {
                        "layer": "pipelines",
                        "what": "sliver",
                        "id": labels[k][0],
                        "reason": f"dangling piece shorter than sliver_km ({self.cfg.sliver_km:g} km)",
                        "length_km": length,
                    }
                )
        return out


def _chain_labels(
    contrib: pd.DataFrame, seg: pd.DataFrame, chains: list[dict[str, object]]
) -> list[tuple[str, str]]:
    """(pipeline ids, names) of the drawings along each chain."""
    size = max(
        int(seg.index.max()) if len(seg) else -1, int(contrib["useg"].max()) if len(contrib) else -1
    )
    pos = np.full(size + 1, -1)
    for k, c in enumerate(chains):
        pos[seg.index.to_numpy()[c["segs"]]] = k  # type: ignore[index]
    chain = pos[contrib["useg"].to_numpy()]
    pairs = pd.DataFrame(
        {
            "chain": chain,
            "pipeline_id": contrib["pipeline_id"].to_numpy(),
            "name": contrib["name"].to_numpy(),
        }
    )
    pairs = pairs[pairs["chain"] >= 0].drop_duplicates()
    ids = (
        pairs.drop_duplicates(["chain", "pipeline_id"])
        .groupby("chain")["pipeline_id"]
        .agg(lambda x: ";".join(sorted(x)))
    )
    names = (
        pairs.drop_duplicates(["chain", "name"])
        .groupby("chain")["name"]
        .agg(lambda x: "; ".join(sorted(x)))
    )
    return [(str(ids.get(k, "")), str(names.get(k, ""))) for k in range(len(chains))]


# ---------------------------------------------------------------------------------------
# vectorised helpers


def _firsts(sorted_keys: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal keys."""
    if len(sorted_keys) == 0:
        return np.zeros(0, bool)
    return np.append(True, sorted_keys[1:] != sorted_keys[:-1])


def _tangents(xy: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Unit direction of each line at each sample (central difference within its line)."""
    n = len(xy)
    prev = np.arange(n) - 1
    nxt = np.arange(n) + 1
    prev_ok = (prev >= 0) & (part[np.maximum(prev, 0)] == part)
    next_ok = (nxt < n) & (part[np.minimum(nxt, n - 1)] == part)
    a = np.where(prev_ok[:, None], xy[np.maximum(prev, 0)], xy)
    b = np.where(next_ok[:, None], xy[np.minimum(nxt, n - 1)], xy)
    d = b - a
    return d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)


def _point_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Planar distance from points p to segments a→b, and the parameter t ∈ [0, 1] of the
    nearest point."""
    ab = b - a
    denom = (ab * ab).sum(axis=1)
    t = np.where(denom > 0, ((p - a) * ab).sum(axis=1) / np.where(denom > 0, denom, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)
    q = a + t[:, None] * ab
    return np.hypot(*(p - q).T), t


def _intersection_params(
    a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parameters (ta, tb) of the crossing point of segments a0→a1 and b0→b1."""
    r, s = a1 - a0, b1 - b0
    denom = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    denom = np.where(np.abs(denom) < 1e-12, 1e-12, denom)
    qp = b0 - a0
    ta = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / denom
    tb = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    return np.clip(ta, 0.0, 1.0), np.clip(tb, 0.0, 1.0)


def _runs(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """(start, stop) of maximal runs of equal ``values`` within equal ``group``."""
    n = len(values)
    if n == 0:
        return np.zeros((0, 2), int)
    change = np.append(True, (values[1:] != values[:-1]) | (group[1:] != group[:-1]))
    starts = np.flatnonzero(change)
    stops = np.append(starts[1:], n)
    return np.column_stack([starts, stops])


def _monotone(
    seq: np.ndarray, seq_part: np.ndarray, part: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Within each stretch of a line's sequence that lies on one other line, keep the
    vertices in that line's order (no back-and-forth jitter)."""
    on = part[seq]
    runs = _runs(on, seq_part)
    out = seq.copy()
    long = runs[(runs[:, 1] - runs[:, 0]) > 2]
    for s, e in long:
        chunk = seq[s:e]
        out[s:e] = (
            np.maximum.accumulate(chunk) if chunk[-1] >= chunk[0] else np.minimum.accumulate(chunk)
        )
    return out, seq_part


def _expand(
    seq: np.ndarray, seq_part: np.ndarray, part: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fill jumps between two vertices of the same line with that line's vertices between."""
    if len(seq) < 2:
        return seq, seq_part
    a, b = seq[:-1], seq[1:]
    same_line = (part[a] == part[b]) & (seq_part[:-1] == seq_part[1:])
    gap = np.where(same_line, np.abs(b - a), 1)
    gap = np.maximum(gap, 1)
    # each step a→b emits a, a±1, …, b∓1; the last vertex is appended at the end
    reps = gap
    start = np.repeat(a, reps)
    offset = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    sign = np.repeat(np.where(same_line, np.sign(b - a), 0), reps)
    out = start + sign * offset
    out_part = np.repeat(seq_part[:-1], reps)
    return np.append(out, seq[-1]), np.append(out_part, seq_part[-1])


def _leaders(n: int, pairs: np.ndarray) -> list[int]:
    """Greedy clustering: in index order, an unassigned point leads every unassigned point
    within the radius (given as ``pairs`` i < j); each point's leader is within the radius."""
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for i, j in pairs[:, :2].astype(int).tolist():
        nbrs[i].append(j)
        nbrs[j].append(i)
    lead = [-1] * n
    for i in range(n):
        if lead[i] >= 0:
            continue
        lead[i] = i
        for j in nbrs[i]:
            if lead[j] < 0:
                lead[j] = i
    return lead


def _split_segments(
    seg_a: np.ndarray, seg_b: np.ndarray, inserts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split segments at inserted vertices: returns the new (a, b) and each one's parent."""
    if not inserts or not sum(len(s) for s, _, _ in inserts):
        return seg_a, seg_b, np.arange(len(seg_a))
    s = np.concatenate([x[0] for x in inserts]).astype(int)
    t = np.concatenate([x[1] for x in inserts])
    v = np.concatenate([x[2] for x in inserts]).astype(int)
    n = len(seg_a)
    # every segment as a list of (t, vertex): its ends at 0 and 1 plus the insertions
    all_s = np.concatenate([np.arange(n), np.arange(n), s])
    all_t = np.concatenate([np.zeros(n), np.ones(n), np.clip(t, 1e-12, 1 - 1e-12)])
    all_v = np.concatenate([seg_a, seg_b, v])
    o = np.lexsort((all_t, all_s))
    all_s, all_v = all_s[o], all_v[o]
    same = all_s[1:] == all_s[:-1]
    return all_v[:-1][same], all_v[1:][same], all_s[:-1][same]


def _chains(seg: pd.DataFrame, is_node: np.ndarray) -> list[dict[str, object]]:
    """Maximal paths of elementary segments through vertices of degree 2 that are not nodes
    and where the lines do not change; each with its start, end, vertices and segments."""
    u = seg["u"].to_numpy()
    v = seg["v"].to_numpy()
    sig = seg["sig"].to_numpy()
    n_v = len(is_node)
    m = len(u)
    ends = np.concatenate([u, v])
    segs = np.concatenate([np.arange(m), np.arange(m)])
    other = np.concatenate([v, u])
    order = np.argsort(ends, kind="stable")
    ends, segs, other = ends[order], segs[order], other[order]
    indptr = np.searchsorted(ends, np.arange(n_v + 1))
    deg = np.diff(indptr)
    junction = (deg != 2) | is_node
    two = np.flatnonzero(deg == 2)
    first = segs[indptr[two]]
    second = segs[indptr[two] + 1]
    junction[two[sig[first] != sig[second]]] = True
    visited = np.zeros(m, bool)
    chains: list[dict[str, object]] = []

    def walk(start: int, s: int) -> None:
        verts, ss = [start], []
        cur = start
        while True:
            visited[s] = True
            ss.append(s)
            nxt = int(v[s]) if int(u[s]) == cur else int(u[s])
            verts.append(nxt)
            if junction[nxt]:
                break
            a, b = indptr[nxt], indptr[nxt] + 1
            s = int(segs[a]) if int(segs[a]) != s else int(segs[b])
            if visited[s]:
                break
            cur = nxt
        chains.append(
            {
                "start": start,
                "end": verts[-1],
                "vertices": np.asarray(verts),
                "segs": np.asarray(ss),
            }
        )

    for j in np.flatnonzero(junction & (deg > 0)):
        for k in range(indptr[j], indptr[j + 1]):
            if not visited[segs[k]]:
                walk(int(j), int(segs[k]))
    # closed rings with no junction: start anywhere
    while not visited.all():
        s = int(np.flatnonzero(~visited)[0])
        junction[u[s]] = True
        walk(int(u[s]), s)
    return chains


# ---------------------------------------------------------------------------------------
# explicit topology, assembly


def _explicit_corridors(
    lines: pd.DataFrame, nodes: pd.DataFrame, report: NetworkReport
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    if len(lines) == 0:
        return [], []
    known = set(nodes["node_id"])
    pos = nodes.set_index("node_id")[["lon", "lat"]]
    extra: dict[str, dict[str, object]] = {}
    along, against = _directional(
        lines["direction"].to_numpy(),
        lines["capacity_mw"].to_numpy(float),
        lines["reverse_capacity_mw"].to_numpy(float),
    )
    coords_all = [np.asarray(shapely.get_coordinates(g)) for g in lines.geometry]
    out = []
    for k, row in enumerate(lines.itertuples(index=False)):
        coords = coords_all[k].copy()
        for end, at in ((str(row.from_node), 0), (str(row.to_node), -1)):
            if end in known:
                coords[at] = pos.loc[end].to_numpy()
            elif end not in extra:
                extra[end] = {
                    "node_id": end,
                    "name": end,
                    "kind": "junction",
                    "lon": float(coords[at, 0]),
                    "lat": float(coords[at, 1]),
                    "supply_mw": 0.0,
                    "demand_mw": 0.0,
                }
        out.append(
            {
                "u": str(row.from_node),
                "v": str(row.to_node),
                "coords": coords,
                "length_km": float(geo.segment_lengths_km(coords).sum()),
                "capacity_uv_mw": float(along[k]),
                "capacity_vu_mw": float(against[k]),
                "pipeline_ids": str(row.pipeline_id),
                "names": str(row.name),
                "explicit": True,
            }
        )
    for nid in extra:
        report.dropped.append(
            {
                "layer": "nodes",
                "what": "junction added",
                "id": nid,
                "reason": "a line end names a node that is not in the nodes layer; a junction was put there",
                "length_km": float("nan"),
            }
        )
    return out, list(extra.values())


def _separate_parallel(
    corridors: list[dict[str, object]], junctions: list[dict[str, object]], report: NetworkReport
) -> list[dict[str, object]]:
    """Two corridors between the same nodes: explicit parallel pipes add up; two drawn
    routes stay apart, with a junction halfway along the second (a ring that starts and
    ends at one node gets two)."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    queue = list(reversed(corridors))
    n_mid = 0
    while queue:
        c = queue.pop()
        u, v = str(c["u"]), str(c["v"])
        key = (u, v) if u <= v else (v, u)
        flip = u != key[0]
        prev = out.get(key)
        if prev is not None and c["explicit"] and prev["explicit"]:
            prev["capacity_uv_mw"] = float(prev["capacity_uv_mw"]) + float(
                c["capacity_vu_mw" if flip else "capacity_uv_mw"]
            )  # type: ignore[arg-type]
            prev["capacity_vu_mw"] = float(prev["capacity_vu_mw"]) + float(
                c["capacity_uv_mw" if flip else "capacity_vu_mw"]
            )  # type: ignore[arg-type]
            prev["pipeline_ids"] = f"{prev['pipeline_ids']};{c['pipeline_ids']}"
            if str(c["names"]) not in str(prev["names"]):
                prev["names"] = f"{prev['names']}; {c['names']}"
            continue
        if u == v or prev is not None:
            pieces = _split_corridor(c, 3 if u == v else 2)
            for k in range(len(pieces) - 1):
                n_mid += 1
                end = np.asarray(pieces[k]["coords"])[-1]
                jid = f"junction_m{n_mid:04d}"
                junctions.append(
                    {
                        "node_id": jid,
                        "name": f"junction m{n_mid}",
                        "kind": "junction",
                        "lon": float(end[0]),
                        "lat": float(end[1]),
                        "supply_mw": 0.0,
                        "demand_mw": 0.0,
                    }
                )
                pieces[k]["v"] = jid
                pieces[k + 1]["u"] = jid
            queue.extend(reversed(pieces))
            continue
        coords = np.asarray(c["coords"])
        out[key] = {
            **c,
            "u": key[0],
            "v": key[1],
            "coords": coords[::-1] if flip else coords,
            "capacity_uv_mw": c["capacity_vu_mw"] if flip else c["capacity_uv_mw"],
            "capacity_vu_mw": c["capacity_uv_mw"] if flip else c["capacity_vu_mw"],
        }
    return list(out.values())


def _split_corridor(c: dict[str, object], n: int) -> list[dict[str, object]]:
    """A corridor cut into ``n`` pieces of equal geodesic length."""
    coords = np.asarray(c["coords"], float)
    total = float(geo.segment_lengths_km(coords).sum())
    pieces = geo.split_at_km(coords, total * np.arange(1, n) / n)
    return [{**c, "coords": piece, "length_km": total / n} for piece in pieces]


def _graph(
    nodes: pd.DataFrame,
    junctions: list[dict[str, object]],
    corridors: list[dict[str, object]],
    report: NetworkReport,
) -> nx.Graph:
    graph = nx.Graph()
    for row in [*nodes.to_dict("records"), *junctions]:
        graph.add_node(
            row["node_id"],
            name=row["name"],
            kind=row["kind"],
            lon=float(row["lon"]),  # type: ignore[arg-type]
            lat=float(row["lat"]),  # type: ignore[arg-type]
            supply_mw=float(row["supply_mw"]),  # type: ignore[arg-type]
            demand_mw=float(row["demand_mw"]),  # type: ignore[arg-type]
        )
    for c in corridors:
        graph.add_edge(
            c["u"],
            c["v"],
            u=c["u"],
            v=c["v"],
            geometry=LineString(np.asarray(c["coords"])),
            length_km=float(c["length_km"]),  # type: ignore[arg-type]
            capacity_uv_mw=float(c["capacity_uv_mw"]),  # type: ignore[arg-type]
            capacity_vu_mw=float(c["capacity_vu_mw"]),  # type: ignore[arg-type]
            pipeline_ids=c["pipeline_ids"],
            names=c["names"],
        )
    isolated = [n for n in graph.nodes if graph.degree(n) == 0]
    for n in isolated:
        attrs = graph.nodes[n]
        if attrs["supply_mw"] == 0 and attrs["demand_mw"] == 0:
            graph.remove_node(n)
            report.dropped.append(
                {
                    "layer": "nodes",
                    "what": "node",
                    "id": n,
                    "reason": "not on any selected pipeline, no supply or demand",
                    "length_km": float("nan"),
                }
            )
        else:
            report.isolated_nodes.append(n)
    return graph


def _ranked_components(graph: nx.Graph) -> list[tuple[set[object], float]]:
    """Connected components with their route-km, largest route-km first."""
    comps = []
    for comp in nx.connected_components(graph):
        km = float(sum(d["length_km"] for _, _, d in graph.subgraph(comp).edges(data=True)))
        comps.append((comp, km))
    comps.sort(key=lambda c: (-c[1], -len(c[0]), str(min(map(str, c[0])))))
    return comps


def components_summary(graph: nx.Graph) -> list[dict[str, object]]:
    """Connected components, largest route-km first: size, route-km, supply and demand."""
    comps = _ranked_components(graph)
    total = sum(km for _, km in comps) or 1.0
    return [
        {
            "component": i + 1,
            "nodes": len(comp),
            "route_km": km,
            "share": km / total,
            "supply_mw": float(sum(graph.nodes[n]["supply_mw"] for n in comp)),
            "demand_mw": float(sum(graph.nodes[n]["demand_mw"] for n in comp)),
            "fields": sorted(str(n) for n in comp if graph.nodes[n]["supply_mw"] > 0),
            "demand_nodes": sorted(str(n) for n in comp if graph.nodes[n]["demand_mw"] > 0),
        }
        for i, (comp, km) in enumerate(comps)
    ]


def component_labels(graph: nx.Graph) -> dict[object, int]:
    """The component number (1 = largest route-km) of every node."""
    return {n: i + 1 for i, (comp, _) in enumerate(_ranked_components(graph)) for n in comp}


def supply_reach(graph: nx.Graph) -> list[dict[str, object]]:
    """Which committed-demand nodes each supply node can reach along the flow directions."""
    d = nx.DiGraph()
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
                    "reachable_demand_mw": float(sum(graph.nodes[m]["demand_mw"] for m in reach)),
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
