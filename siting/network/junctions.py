"""Junctions: nodes onto lines, line ends joined, crossings cut.

Steps 4–6 of :mod:`siting.network`, on the steps of the merged lines:

4. every node moves onto the nearest line within ``node_snap_km`` (the drawings are not
   bent); a node farther away stays where it is;
5. every line end that meets nothing is joined to a node within ``snap_km``, else to other
   free ends within ``snap_km`` (one end leads, none moves farther than ``snap_km``), else to
   the nearest point of another line within ``snap_km`` (a T-junction);
6. lines that cross are cut at the crossing and joined there (``connect_crossings``).

The result is a set of elementary segments between vertices: the samples, the nodes and
the points added at T-junctions and crossings, with merged line ends relabelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from siting import geo
from siting.config import NetworkConfig
from siting.errors import DataError
from siting.network._planar import (
    along,
    firsts,
    intersection_params,
    point_segment,
    unique_pairs,
)
from siting.network.clean import Samples

#: points inserted into sample segments: (segment, parameter t along it, vertex)
Inserts = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class JoinReport:
    """What joining did: nodes moved onto lines, ends joined, crossings cut."""

    node_snaps: list[dict[str, object]] = field(default_factory=list)  # node_id, moved_km
    snapped_nodes: int = 0  # nodes that moved more than a metre
    end_joins: int = 0
    t_junctions: int = 0
    crossings: int = 0
    end_moves_km: list[float] = field(default_factory=list)

    @property
    def junctions_added(self) -> int:
        return self.end_joins + self.t_junctions + self.crossings


@dataclass(frozen=True)
class Junctions:
    """Elementary segments between vertices, and what was joined."""

    ll: np.ndarray  # lon/lat of every vertex: samples, nodes (moved onto lines), added points
    node_vertex: np.ndarray  # vertex of each node, in node-table order
    snapped_rows: np.ndarray  # rows of the node table that moved onto a line
    seg_a: np.ndarray  # elementary segments: first vertex (after joining ends)
    seg_b: np.ndarray  # … and second vertex
    parent: np.ndarray  # the sample segment each elementary segment was cut from
    step_seg: np.ndarray  # the sample segment of each step of the merged lines
    step_forward: np.ndarray  # whether the step runs from the segment's lower vertex
    report: JoinReport

    def placed(self, nodes: pd.DataFrame) -> pd.DataFrame:
        """The node table with the nodes that moved onto a line where they now are."""
        out = nodes.copy()
        rows = self.snapped_rows
        out.loc[rows, ["lon", "lat"]] = self.ll[self.node_vertex[rows]]
        return out


@dataclass(frozen=True)
class _Segments:
    """The unique undirected sample segments of the steps, planar, in an STRtree."""

    a: np.ndarray
    b: np.ndarray
    geoms: np.ndarray
    tree: shapely.STRtree


@dataclass(frozen=True)
class _NodeSnaps:
    inserts: Inserts
    moved: np.ndarray  # node vertices that moved onto a line
    at: np.ndarray  # where they moved (lon/lat)
    rows: np.ndarray  # their rows in the node table
    km: np.ndarray  # how far
    attached: np.ndarray  # per node: on a line


@dataclass(frozen=True)
class _EndJoins:
    merge: dict[int, int]  # line end vertex → the vertex it is joined to
    inserts: Inserts
    new_xy: np.ndarray  # T-junction points added (planar)
    new_ll: np.ndarray
    attached: np.ndarray  # per node: a line end was joined to it
    end_joins: int
    t_junctions: int


def join(
    samples: Samples, steps: pd.DataFrame, nodes: pd.DataFrame, cfg: NetworkConfig
) -> Junctions:
    """Steps 4–6 on the merged lines' ``steps`` (a, b, part)."""
    a, b = steps["a"].to_numpy(), steps["b"].to_numpy()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    seg_key, seg_of_step = unique_pairs(lo, hi)
    n_sample = len(samples.xy)
    node_ll = nodes[["lon", "lat"]].to_numpy()
    node_vertex = np.arange(n_sample, n_sample + len(nodes))
    vxy = np.vstack([samples.xy, samples.proj.to_xy(node_ll)])
    vll = np.vstack([samples.ll, node_ll])
    vpart = np.concatenate([samples.part, np.full(len(nodes), -1)])
    seg_a, seg_b = seg_key[:, 0].copy(), seg_key[:, 1].copy()
    geoms = np.asarray(shapely.linestrings(np.stack([vxy[seg_a], vxy[seg_b]], axis=1)))
    segs = _Segments(seg_a, seg_b, geoms, shapely.STRtree(geoms))
    inserts: list[Inserts] = []

    snaps = _snap_nodes(vxy, vll, node_vertex, segs, samples.proj, cfg.node_tolerance_km)
    node_snaps: list[dict[str, object]] = []
    snapped = 0
    if snaps is not None:
        inserts.append(snaps.inserts)
        vll[snaps.moved] = snaps.at
        vxy[snaps.moved] = samples.proj.to_xy(snaps.at)
        ids = nodes["node_id"].to_numpy()[snaps.rows].tolist()
        node_snaps = [
            {"node_id": str(k), "moved_km": d} for k, d in zip(ids, snaps.km.tolist(), strict=True)
        ]
        snapped = int((snaps.km > 1e-3).sum())
    attached = snaps.attached if snaps is not None else np.zeros(len(nodes), bool)

    joins = _join_ends(vxy, vll, vpart, node_vertex, n_sample, segs, samples, cfg.snap_km)
    attached = attached | joins.attached
    inserts.append(joins.inserts)
    vxy, vll = np.vstack([vxy, joins.new_xy]), np.vstack([vll, joins.new_ll])
    _check_swapped(nodes, attached, segs.tree, samples, cfg.node_tolerance_km)

    n_crossings = 0
    if cfg.connect_crossings and len(geoms) > 1:
        ca, ta, cb, tb, at_xy = _crossings(vxy, segs)
        if len(ca):
            new = np.arange(len(vxy), len(vxy) + len(ca))
            vxy, vll = np.vstack([vxy, at_xy]), np.vstack([vll, samples.proj.to_lonlat(at_xy)])
            inserts.append((ca, ta, new))
            inserts.append((cb, tb, new))
            n_crossings = len(ca)

    seg_a2, seg_b2, parent = _split_segments(seg_a, seg_b, inserts)
    label = np.arange(len(vxy))
    for src, dst in joins.merge.items():
        label[src] = dst
    moved = np.asarray(sorted(joins.merge), dtype=int)
    end_moves_km: list[float] = []
    if len(moved):
        end_moves_km = geo.geodesic_km(
            vll[moved, 0], vll[moved, 1], vll[label[moved], 0], vll[label[moved], 1]
        ).tolist()
    return Junctions(
        ll=vll,
        node_vertex=node_vertex,
        snapped_rows=snaps.rows if snaps is not None else np.zeros(0, int),
        seg_a=label[seg_a2],
        seg_b=label[seg_b2],
        parent=parent,
        step_seg=seg_of_step,
        step_forward=a == lo,
        report=JoinReport(
            node_snaps=node_snaps,
            snapped_nodes=snapped,
            end_joins=joins.end_joins,
            t_junctions=joins.t_junctions,
            crossings=n_crossings,
            end_moves_km=end_moves_km,
        ),
    )


def _snap_nodes(
    vxy: np.ndarray,
    vll: np.ndarray,
    node_vertex: np.ndarray,
    segs: _Segments,
    proj: geo.LocalProjection,
    tol_km: float,
) -> _NodeSnaps | None:
    """Each node onto the nearest point of a line within ``tol_km`` (geodesic)."""
    if not len(node_vertex) or not len(segs.geoms):
        return None
    n_idx, s_idx = segs.tree.query_nearest(
        shapely.points(vxy[node_vertex]),
        max_distance=tol_km * 1000.0 * proj.max_scale,
        all_matches=False,
    )
    sa, sb = segs.a[s_idx], segs.b[s_idx]
    _, t = point_segment(vxy[node_vertex[n_idx]], vxy[sa], vxy[sb])
    at = proj.to_lonlat(along(vxy, sa, sb, t))
    km = geo.geodesic_km(at[:, 0], at[:, 1], vll[node_vertex[n_idx], 0], vll[node_vertex[n_idx], 1])
    ok = km <= tol_km
    attached = np.zeros(len(node_vertex), bool)
    attached[n_idx[ok]] = True
    moved = node_vertex[n_idx[ok]]
    return _NodeSnaps((s_idx[ok], t[ok], moved), moved, at[ok], n_idx[ok], km[ok], attached)


def _join_ends(
    vxy: np.ndarray,
    vll: np.ndarray,
    vpart: np.ndarray,
    node_vertex: np.ndarray,
    n_sample: int,
    segs: _Segments,
    samples: Samples,
    snap_km: float,
) -> _EndJoins:
    """Line ends that meet nothing: to a node, to other ends, or onto another line."""
    merge: dict[int, int] = {}
    attached = np.zeros(len(node_vertex), bool)
    none = (np.zeros(0, int), np.zeros(0), np.zeros(0, int))
    empty = _EndJoins(merge, none, np.zeros((0, 2)), np.zeros((0, 2)), attached, 0, 0)
    degree = np.bincount(np.concatenate([segs.a, segs.b]), minlength=len(vxy))
    ends = np.flatnonzero((degree == 1) & (np.arange(len(vxy)) < n_sample))
    if not len(ends) or snap_km <= 0:
        return empty
    free = np.ones(len(ends), bool)
    # to a node
    if len(node_vertex):
        idx, km = geo.nearest(vll[ends, 0], vll[ends, 1], vll[node_vertex, 0], vll[node_vertex, 1])
        to_node = km <= snap_km
        for e, k in zip(ends[to_node], idx[to_node], strict=True):
            merge[int(e)] = int(node_vertex[k])
            attached[k] = True
        free &= ~to_node
    # to other free ends (greedy leaders: nobody moves farther than snap_km)
    fe = ends[free]
    lead = np.arange(len(fe))
    end_joins = 0
    pairs = geo.pairs_within_km(vll[fe, 0], vll[fe, 1], snap_km)
    if len(pairs):
        lead = np.asarray(_leaders(len(fe), pairs))
        for f in np.flatnonzero(lead != np.arange(len(fe))):
            merge[int(fe[f])] = int(fe[lead[f]])
        end_joins = len(np.unique(lead[lead != np.arange(len(fe))]))
    # each group of ends (or single end) to the nearest point of another line
    leaders = np.unique(lead)
    if not len(leaders):
        return _EndJoins(merge, none, empty.new_xy, empty.new_ll, attached, end_joins, 0)
    n_key = len(samples.part_row) + 3
    member_keys = lead * n_key + (vpart[fe] + 2)
    e_idx, s_idx = segs.tree.query(
        shapely.points(vxy[fe[leaders]]),
        predicate="dwithin",
        distance=snap_km * 1000.0 * samples.proj.max_scale,
    )
    base = leaders[e_idx] * n_key
    own = np.isin(base + vpart[segs.a[s_idx]] + 2, member_keys) | np.isin(
        base + vpart[segs.b[s_idx]] + 2, member_keys
    )
    e_idx, s_idx = e_idx[~own], s_idx[~own]
    src = fe[leaders[e_idx]]
    dist, t = point_segment(vxy[src], vxy[segs.a[s_idx]], vxy[segs.b[s_idx]])
    o = np.lexsort((dist, e_idx))
    first = firsts(e_idx[o])
    e_idx, s_idx, t = e_idx[o][first], s_idx[o][first], t[o][first]
    src = fe[leaders[e_idx]]
    at_xy = along(vxy, segs.a[s_idx], segs.b[s_idx], t)
    at = samples.proj.to_lonlat(at_xy)
    # every end of the group must stay within snap_km of where it goes
    members = pd.DataFrame({"lead": lead, "end": fe})
    pick = pd.DataFrame({"lead": leaders[e_idx], "k": np.arange(len(e_idx))})
    m = members.merge(pick, on="lead")
    km = geo.geodesic_km(at[m["k"], 0], at[m["k"], 1], vll[m["end"], 0], vll[m["end"], 1])
    worst = pd.Series(km).groupby(m["k"].to_numpy()).max().reindex(np.arange(len(e_idx)))
    ok = (worst <= snap_km).to_numpy()
    new = np.arange(len(vxy), len(vxy) + int(ok.sum()))
    for e, v in zip(src[ok], new, strict=True):
        merge[int(e)] = int(v)
    for e, ld in zip(fe, lead, strict=True):
        if e != fe[ld] and int(fe[ld]) in merge and merge[int(fe[ld])] >= n_sample:
            merge[int(e)] = merge[int(fe[ld])]
    return _EndJoins(
        merge, (s_idx[ok], t[ok], new), at_xy[ok], at[ok], attached, end_joins, int(ok.sum())
    )


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


def _check_swapped(
    nodes: pd.DataFrame,
    attached: np.ndarray,
    tree: shapely.STRtree,
    samples: Samples,
    tol_km: float,
) -> None:
    """A node on no line that would lie on one with latitude and longitude swapped is
    almost surely swapped: say so instead of leaving it isolated."""
    lost = np.flatnonzero(~attached)
    if not len(lost):
        return
    lon = nodes["lat"].to_numpy()[lost]
    lat = nodes["lon"].to_numpy()[lost]
    valid = np.abs(lat) <= 90
    lost, lon, lat = lost[valid], lon[valid], lat[valid]
    if not len(lost):
        return
    pts = shapely.points(samples.proj.to_xy(np.column_stack([lon, lat])))
    n_idx, _s_idx = tree.query_nearest(
        pts, max_distance=max(tol_km, 1.0) * 1000.0 * samples.proj.max_scale, all_matches=False
    )
    if len(n_idx):
        k = int(lost[n_idx[0]])
        _, near = geo.nearest(
            nodes["lon"].to_numpy()[[k]],
            nodes["lat"].to_numpy()[[k]],
            samples.ll[:, 0],
            samples.ll[:, 1],
        )
        raise DataError(
            f"nodes: node {nodes['node_id'].iat[k]}: {float(near[0]):,.0f} km from the "
            "nearest pipeline, but on one with latitude and longitude swapped; swap them "
            "in the nodes layer"
        )


def _crossings(
    vxy: np.ndarray, segs: _Segments
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of sample segments that cross (sharing no vertex): each one's segment and
    parameter at the crossing, and the crossing point."""
    # pairs whose boxes meet, then the exact test on the few that share no vertex (two
    # segments that share one meet there and cannot cross)
    ca, cb = segs.tree.query(segs.geoms)
    keep = ca < cb
    ca, cb = ca[keep], cb[keep]
    sa, sb = segs.a, segs.b
    shared = (sa[ca] == sa[cb]) | (sa[ca] == sb[cb]) | (sb[ca] == sa[cb]) | (sb[ca] == sb[cb])
    ca, cb = ca[~shared], cb[~shared]
    cross = shapely.crosses(segs.geoms[ca], segs.geoms[cb])
    ca, cb = ca[cross], cb[cross]
    ta, tb = intersection_params(vxy[sa[ca]], vxy[sb[ca]], vxy[sa[cb]], vxy[sb[cb]])
    return ca, ta, cb, tb, along(vxy, sa[ca], sb[ca], ta)


def _split_segments(
    seg_a: np.ndarray, seg_b: np.ndarray, inserts: list[Inserts]
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
