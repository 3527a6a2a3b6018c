"""Corridors from the drawn lines: the pieces between junctions, with their capacities.

Step 7 of :mod:`siting.network`, for lines joined by their geometry. Each elementary segment
carries the capacity of every line drawn along it (one value per line, the largest over its
pieces; summed over lines, or the largest with ``parallel_capacity: max``). The chains of
segments between junctions (nodes, line ends, crossings, and points where the set of lines
changes) become corridors with their geodesic length and the capacity in each direction.
Dangling pieces shorter than ``sliver_km`` that end in no node are removed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TypedDict

import numpy as np
import pandas as pd

from siting import geo
from siting.config import NetworkConfig
from siting.network._planar import unique_pairs
from siting.network.clean import Samples
from siting.network.junctions import Junctions


class Corridor(TypedDict):
    """A corridor between two nodes, as drawn from ``u`` to ``v``."""

    u: str
    v: str
    coords: np.ndarray  # lon/lat, u → v
    length_km: float
    segment_km: np.ndarray  # of each segment of coords
    capacity_uv_mw: float
    capacity_vu_mw: float
    pipeline_ids: str
    names: str
    explicit: bool  # from a line layer with from/to nodes, not from drawn geometry


class NodeRow(TypedDict):
    """A node of the graph that the nodes layer does not hold (a junction)."""

    node_id: str
    name: str
    kind: str
    lon: float
    lat: float
    supply_mw: float
    demand_mw: float


def directional(
    row_direction: np.ndarray, capacity: np.ndarray, reverse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity along and against the drawing direction of each line."""
    against = np.where(
        np.isfinite(reverse), reverse, np.where(row_direction == "both", capacity, 0.0)
    )
    return capacity, against


def junction_row(node_id: str, name: str, lon: float, lat: float) -> NodeRow:
    return {
        "node_id": node_id,
        "name": name,
        "kind": "junction",
        "lon": lon,
        "lat": lat,
        "supply_mw": 0.0,
        "demand_mw": 0.0,
    }


@dataclass(frozen=True)
class DrawnCorridors:
    """The drawn lines as corridors between nodes and new junctions."""

    corridors: list[Corridor]
    junctions: list[NodeRow]
    slivers: list[dict[str, object]]  # removals, for the report

    @property
    def slivers_km(self) -> float:
        return float(sum(d["length_km"] for d in self.slivers))  # type: ignore[misc]


def drawn_corridors(
    lines: pd.DataFrame,
    samples: Samples,
    steps: pd.DataFrame,
    joined: Junctions,
    nodes: pd.DataFrame,
    cfg: NetworkConfig,
) -> DrawnCorridors:
    """Corridors from the elementary segments: capacities, chains, slivers, junctions."""
    contrib = _contributions(lines, samples.part_row[steps["part"].to_numpy()], joined)
    segs, contrib = _segments(contrib, samples, joined, cfg)
    vll = joined.ll
    is_node = np.zeros(len(vll), bool)
    is_node[joined.node_vertex] = True
    slivers: list[dict[str, object]] = []
    for _ in range(6):
        chains = _chains(segs, is_node)
        sliver, removed = _slivers(chains, segs, is_node, contrib, cfg.sliver_km)
        slivers.extend(removed)
        if not sliver.any():
            break
        segs = segs.without(chains.segments_of(sliver))
    else:
        chains = _chains(segs, is_node)
    vertex_node = {
        int(v): str(n) for n, v in zip(nodes["node_id"], joined.node_vertex, strict=True)
    }
    # junctions: chain ends that are not nodes, numbered west to east
    ends = np.unique(np.concatenate([chains.start, chains.end]))
    ends = ends[~is_node[ends]]
    ends = ends[np.lexsort((vll[ends, 1], vll[ends, 0]))]
    junction_ids = {int(v): f"junction_{k + 1:04d}" for k, v in enumerate(ends)}
    junction_rows = [
        junction_row(f"junction_{k + 1:04d}", f"junction {k + 1}", lon, lat)
        for k, (lon, lat) in enumerate(vll[ends].tolist())
    ]
    names = {**vertex_node, **junction_ids}
    labels = _chain_labels(contrib, segs, chains)
    first = chains.order[chains.bounds[:-1]]
    forward = segs.u[first] == chains.vertices[chains.bounds[:-1] + np.arange(len(chains))]
    cap_uv = np.where(forward, segs.cap_uv[first], segs.cap_vu[first]).tolist()
    cap_vu = np.where(forward, segs.cap_vu[first], segs.cap_uv[first]).tolist()
    km = segs.km[chains.order]
    coords = vll[chains.vertices]
    bounds = chains.bounds.tolist()
    corridors: list[Corridor] = [
        {
            "u": names[s],
            "v": names[e],
            "coords": coords[bounds[k] + k : bounds[k + 1] + k + 1],
            "length_km": float(km[bounds[k] : bounds[k + 1]].sum()),
            "segment_km": km[bounds[k] : bounds[k + 1]],
            "capacity_uv_mw": cap_uv[k],
            "capacity_vu_mw": cap_vu[k],
            "pipeline_ids": labels[k][0],
            "names": labels[k][1],
            "explicit": False,
        }
        for k, (s, e) in enumerate(zip(chains.start.tolist(), chains.end.tolist(), strict=True))
    ]
    return DrawnCorridors(corridors, junction_rows, slivers)


@dataclass(frozen=True)
class _Segments:
    """Unique undirected elementary segments u < v that carry a line."""

    id: np.ndarray  # the segment's number among all unique segments
    u: np.ndarray
    v: np.ndarray
    cap_uv: np.ndarray  # capacity u → v (MW)
    cap_vu: np.ndarray
    sig: np.ndarray  # signature of the set of lines on the segment
    km: np.ndarray  # geodesic length

    def __len__(self) -> int:
        return len(self.id)

    def without(self, positions: np.ndarray) -> _Segments:
        keep = np.ones(len(self), bool)
        keep[positions] = False
        return _Segments(*(getattr(self, f.name)[keep] for f in fields(self)))


def _segments(
    contributions: _Contributions, samples: Samples, joined: Junctions, cfg: NetworkConfig
) -> tuple[_Segments, _Contributions]:
    """The unique segments after joining (zero-length ones dropped) with their capacity in
    each direction and the signature of their lines; the contributions gain each row's
    segment number (``useg``)."""
    a, b = joined.seg_a, joined.seg_b
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    loop = lo == hi
    key, inv = unique_pairs(lo, hi)
    contrib = contributions.table
    contrib = contrib.assign(useg=inv[contrib["child"].to_numpy()])
    contrib = contrib[~loop[contrib["child"].to_numpy()]]
    keep_seg = np.zeros(len(key), bool)
    keep_seg[contrib["useg"].unique()] = True
    # capacity per segment: one value per line (max over its pieces), summed over lines
    per_line = _per_line(contrib)
    cap_lohi = _over_lines(per_line, "cap_lohi", cfg.parallel_capacity, len(key))
    cap_hilo = _over_lines(per_line, "cap_hilo", cfg.parallel_capacity, len(key))
    # a signature of the set of lines on each segment: where it changes, a junction
    codes = pd.factorize(per_line["line"].to_numpy())[0]
    salt = np.random.default_rng(12345).integers(1, 2**62, size=max(codes.max() + 1, 1))
    useg_of = per_line["useg"].to_numpy()
    starts = np.flatnonzero(np.append(True, useg_of[1:] != useg_of[:-1]))
    sig = np.zeros(len(key), dtype=np.int64)
    if len(starts):
        sig[useg_of[starts]] = np.bitwise_xor.reduceat(salt[codes], starts)
    ids = np.flatnonzero(keep_seg)
    u, v = key[ids, 0], key[ids, 1]
    # a segment between consecutive samples of one line was measured when sampling
    n = len(samples.part)
    sampled = (v == u + 1) & (v < n)
    sampled[sampled] = samples.part[u[sampled]] == samples.part[v[sampled]]
    km = np.empty(len(ids))
    km[sampled] = samples.segment_km[u[sampled]]
    rest, vll = ~sampled, joined.ll
    km[rest] = geo.geodesic_km(vll[u[rest], 0], vll[u[rest], 1], vll[v[rest], 0], vll[v[rest], 1])
    segs = _Segments(
        id=ids,
        u=u,
        v=v,
        cap_uv=cap_lohi[ids],
        cap_vu=cap_hilo[ids],
        sig=sig[ids],
        km=km,
    )
    return segs, replace(contributions, table=contrib)


def _per_line(contrib: pd.DataFrame) -> pd.DataFrame:
    """Each line's capacity on each segment, the largest over its pieces (missing values
    skipped): useg, line, cap_lohi, cap_hilo, by segment and line."""
    useg, line = contrib["useg"].to_numpy(), contrib["line"].to_numpy()
    n_line = int(line.max()) + 1 if len(line) else 1
    key = useg * n_line + line
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.flatnonzero(np.append(True, key[1:] != key[:-1])) if len(key) else key
    return pd.DataFrame(
        {
            "useg": key[first] // n_line,
            "line": key[first] % n_line,
            **{
                c: np.fmax.reduceat(contrib[c].to_numpy()[order], first)
                if len(first)
                else np.zeros(0)
                for c in ("cap_lohi", "cap_hilo")
            },
        }
    )


def _over_lines(per_line: pd.DataFrame, column: str, how: str, n_seg: int) -> np.ndarray:
    """Capacity of each segment over its lines: their sum (``how == "sum"``, missing values
    skipped, as pandas sums) or the largest; 0 for segments with no value."""
    useg, value = per_line["useg"].to_numpy(), per_line[column].to_numpy()
    out = np.zeros(n_seg)
    if not len(useg):
        return out
    if how != "sum":
        first = np.flatnonzero(np.append(True, useg[1:] != useg[:-1]))
        out[useg[first]] = np.fmax.reduceat(value, first)
    else:
        sums = pd.DataFrame({column: value}, index=useg).groupby(level=0).agg("sum")[column]
        out[sums.index.to_numpy()] = sums.to_numpy()
    return np.where(np.isnan(out), 0.0, out)


@dataclass(frozen=True)
class _Contributions:
    """One row per (elementary segment, line): the segment it was cut from (``child`` of
    ``seg``), the line's codes and its capacities along lo→hi and hi→lo. Codes number the
    line ids, pipeline ids and names in sorted order: ``line_ids[code]`` etc."""

    table: pd.DataFrame  # child, seg, line, pipeline_id, name, cap_lohi, cap_hilo
    pipeline_ids: np.ndarray
    names: np.ndarray


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Text values as integer codes that sort as the texts do, and the texts by code."""
    codes, uniques = pd.factorize(values.astype(str).to_numpy(dtype=object), sort=True)
    return codes, np.asarray(uniques, dtype=object)


def _contributions(lines: pd.DataFrame, step_row: np.ndarray, joined: Junctions) -> _Contributions:
    """The capacities each line brings to each elementary segment, given the line (row of
    ``lines``) of each step."""
    along, against = directional(
        lines["direction"].to_numpy(),
        lines["capacity_mw"].to_numpy(float),
        lines["reverse_capacity_mw"].to_numpy(float)
        if "reverse_capacity_mw" in lines
        else np.full(len(lines), np.nan),
    )
    line_code, _ = _sorted_codes(lines["line_id"] if "line_id" in lines else lines["pipeline_id"])
    pipeline_code, pipeline_ids = _sorted_codes(lines["pipeline_id"])
    name_code, names = _sorted_codes(lines["name"])
    fwd = joined.step_forward
    # each elementary segment inherits the contributions of the sample segment it split, in
    # the order of the steps
    parent = joined.parent
    by_seg = np.argsort(joined.step_seg, kind="stable")
    count = np.bincount(joined.step_seg, minlength=int(parent.max()) + 1 if len(parent) else 0)
    first = np.cumsum(count) - count
    n = count[parent]
    child = np.repeat(np.arange(len(parent)), n)
    step = by_seg[np.repeat(first[parent], n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)]
    row = step_row[step]
    lo_hi = np.where(fwd[step], along[row], against[row])
    hi_lo = np.where(fwd[step], against[row], along[row])
    a2, b2 = joined.seg_a, joined.seg_b
    flip = a2[child] != np.minimum(a2, b2)[child]
    table = pd.DataFrame(
        {
            "child": child,
            "seg": parent[child],
            "line": line_code[row],
            "pipeline_id": pipeline_code[row],
            "name": name_code[row],
            "cap_lohi": np.where(flip, hi_lo, lo_hi),
            "cap_hilo": np.where(flip, lo_hi, hi_lo),
        }
    )
    return _Contributions(table, pipeline_ids, names)


@dataclass(frozen=True)
class _Chains:
    """Chains of segments, each from its start vertex to its end vertex.

    Chain k walks the segments ``order[bounds[k]:bounds[k + 1]]`` (positions in the segment
    arrays) through the vertices ``vertices[bounds[k] + k : bounds[k + 1] + k + 1]``."""

    start: np.ndarray
    end: np.ndarray
    order: np.ndarray
    bounds: np.ndarray
    vertices: np.ndarray

    def __len__(self) -> int:
        return len(self.start)

    def chain_of_segment(self) -> np.ndarray:
        """The chain of each entry of ``order``."""
        return np.repeat(np.arange(len(self)), np.diff(self.bounds))

    def segments_of(self, chosen: np.ndarray) -> np.ndarray:
        """Segment positions of the chosen chains (a mask over chains)."""
        return self.order[chosen[self.chain_of_segment()]]


def _chains(segs: _Segments, is_node: np.ndarray) -> _Chains:
    """Maximal paths of segments through vertices of degree 2 that are not nodes and where
    the lines do not change.

    A path is walked from the junction (node, end, or vertex of another degree) at which it
    first appears in a sweep of the junctions by number and of each one's segments (those
    it starts, then those it ends, by number); closed rings with no junction come last, each
    walked from the first vertex of its lowest-numbered segment. The chains are the
    components of segments joined at vertices that are no junction; a breadth-first search
    from a root joined to every chain's first segment gives each chain's segments in order."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    u, v, sig = segs.u, segs.v, segs.sig
    m = len(u)
    if m == 0:
        empty = np.zeros(0, np.int64)
        return _Chains(empty, empty, empty, np.zeros(1, np.int64), empty)
    # incidences (vertex, segment), by vertex, then u-side before v-side, then by segment
    ends = np.concatenate([u, v])
    inc_seg = np.concatenate([np.arange(m), np.arange(m)])
    order = np.argsort(ends, kind="stable")
    ends, inc_seg = ends[order], inc_seg[order]
    indptr = np.searchsorted(ends, np.arange(len(is_node) + 1))
    deg = np.diff(indptr)
    junction = (deg != 2) | is_node
    two = np.flatnonzero(deg == 2)
    first, second = inc_seg[indptr[two]], inc_seg[indptr[two] + 1]
    junction[two[sig[first] != sig[second]]] = True
    # segments meeting at a vertex that is no junction belong to one chain
    through = ~junction[two]
    link_vertex, link_a, link_b = two[through], first[through], second[through]
    adjacency = coo_matrix((np.ones(len(link_a)), (link_a, link_b)), shape=(m, m))
    _, comp = connected_components(adjacency, directed=False)
    # paths: found from their first junction incidence; rings: from their lowest segment
    at_junction = np.flatnonzero(junction[ends])
    found = np.full(comp.max() + 1, len(ends))
    np.minimum.at(found, comp[inc_seg[at_junction]], at_junction)
    ring = found == len(ends)
    ring_first = np.full(len(found), m)
    np.minimum.at(ring_first, comp, np.arange(m))
    n_path = int((~ring).sum())
    rank = np.empty(len(found), np.int64)
    paths = np.flatnonzero(~ring)
    rank[paths[np.argsort(found[paths])]] = np.arange(n_path)
    rings = np.flatnonzero(ring)
    rank[rings[np.argsort(ring_first[rings])]] = n_path + np.arange(len(rings))
    n_chain = len(found)
    start_seg = np.empty(n_chain, np.int64)
    start_vertex = np.empty(n_chain, np.int64)
    start_seg[rank[paths]] = inc_seg[found[paths]]
    start_vertex[rank[paths]] = ends[found[paths]]
    start_seg[rank[rings]] = ring_first[rings]
    start_vertex[rank[rings]] = u[ring_first[rings]]
    # a ring is cut at its start vertex; each chain is walked from its start segment
    cut = np.isin(link_vertex, u[ring_first[rings]])
    root = m
    walk = coo_matrix(
        (
            np.ones(int((~cut).sum()) + n_chain),
            (
                np.concatenate([link_a[~cut], np.full(n_chain, root)]),
                np.concatenate([link_b[~cut], start_seg]),
            ),
        ),
        shape=(m + 1, m + 1),
    )
    # breadth first from the root, each chain's segments come in walking order
    reached = breadth_first_order(walk, root, directed=False, return_predecessors=False)[1:]
    seq = reached[np.argsort(rank[comp[reached]], kind="stable")]
    chain_of = rank[comp][seq]
    bounds = np.searchsorted(chain_of, np.arange(n_chain + 1))
    # the vertex each segment is entered by: the chain's start, else the one it shares with
    # the segment before it
    opening = np.zeros(m, bool)
    opening[bounds[:-1]] = True
    prev = np.roll(seq, 1)
    shares_u = (u[seq] == u[prev]) | (u[seq] == v[prev])
    entry = np.where(shares_u, u[seq], v[seq])
    entry[opening] = start_vertex
    leave = np.where(entry == u[seq], v[seq], u[seq])
    last = bounds[1:] - 1
    vertices = np.empty(m + n_chain, np.int64)
    at = np.arange(m) + chain_of
    vertices[at] = entry
    vertices[last + np.arange(n_chain) + 1] = leave[last]
    return _Chains(start_vertex, leave[last], seq, bounds, vertices)


def _slivers(
    chains: _Chains,
    segs: _Segments,
    is_node: np.ndarray,
    contrib: _Contributions,
    sliver_km: float,
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Chains that dangle (an end of degree 1 that is no node) and are shorter than
    ``sliver_km``, and their removal rows."""
    if sliver_km <= 0 or not len(chains):
        return np.zeros(len(chains), bool), []
    deg = np.bincount(np.concatenate([segs.u, segs.v]), minlength=len(is_node))
    dangling = ((deg[chains.start] == 1) & ~is_node[chains.start]) | (
        (deg[chains.end] == 1) & ~is_node[chains.end]
    )
    km = segs.km[chains.order]
    bounds = chains.bounds.tolist()
    candidates = np.flatnonzero(dangling)
    length = np.array([float(km[bounds[k] : bounds[k + 1]].sum()) for k in candidates])
    out = np.zeros(len(chains), bool)
    out[candidates[length < sliver_km]] = True
    if not out.any():
        return out, []
    labels = _chain_labels(contrib, segs, chains)
    removed: list[dict[str, object]] = [
        {
            "layer": "pipelines",
            "what": "sliver",
            "id": labels[k][0],
            "reason": f"dangling piece shorter than sliver_km ({sliver_km:g} km)",
            "length_km": float(d),
        }
        for k, d in zip(candidates, length, strict=True)
        if d < sliver_km
    ]
    return out, removed


def _chain_labels(
    contributions: _Contributions, segs: _Segments, chains: _Chains
) -> list[tuple[str, str]]:
    """(pipeline ids, names) of the drawings along each chain, each sorted and distinct."""
    contrib = contributions.table
    size = max(
        int(segs.id.max()) if len(segs) else -1,
        int(contrib["useg"].max()) if len(contrib) else -1,
    )
    pos = np.full(size + 1, -1)
    pos[segs.id[chains.order]] = chains.chain_of_segment()
    chain = pos[contrib["useg"].to_numpy()]
    on = chain >= 0
    out: list[list[str]] = []
    for column, values, sep in (
        ("pipeline_id", contributions.pipeline_ids, ";"),
        ("name", contributions.names, "; "),
    ):
        n = max(len(values), 1)
        keys = np.unique(chain[on] * n + contrib[column].to_numpy()[on])
        text = values[keys % n].tolist()
        cut = np.searchsorted(keys // n, np.arange(len(chains) + 1)).tolist()
        out.append([sep.join(text[cut[k] : cut[k + 1]]) for k in range(len(chains))])
    return list(zip(out[0], out[1], strict=True))
