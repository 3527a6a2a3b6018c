"""Graph building: corridors between junctions, and the networkx graph.

Step 7 of :mod:`siting.network`. Each elementary segment carries the capacity of every line
drawn along it (one value per line, the largest over its pieces; summed over lines, or the
largest with ``parallel_capacity: max``). The pieces between junctions (nodes, line ends,
crossings, and points where the set of lines changes) become corridors with their geodesic
length and the capacity in each direction. Dangling pieces shorter than ``sliver_km`` that
end in no node are removed. Lines with explicit topology join their nodes by id. Two
corridors between the same two nodes stay apart (a junction is added halfway along the
second) unless they are explicit parallel pipes, whose capacities add up.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import LineString

from siting import geo
from siting.config import NetworkConfig
from siting.network._planar import unique_pairs
from siting.network.clean import Samples
from siting.network.junctions import Junctions

#: a corridor: u, v, coords (lon/lat, u → v), length_km, capacity_uv_mw, capacity_vu_mw,
#: pipeline_ids, names, explicit
Corridor = dict[str, object]
#: a node row: node_id, name, kind, lon, lat, supply_mw, demand_mw
NodeRow = dict[str, object]


def directional(
    row_direction: np.ndarray, capacity: np.ndarray, reverse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity along and against the drawing direction of each line."""
    against = np.where(
        np.isfinite(reverse), reverse, np.where(row_direction == "both", capacity, 0.0)
    )
    return capacity, against


def _junction_row(node_id: str, name: str, lon: float, lat: float) -> NodeRow:
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
    a, b = joined.seg_a, joined.seg_b
    vll = joined.ll
    # unique undirected elementary segments after merging; drop zero-length loops
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    loop = lo == hi
    key, inv = unique_pairs(lo, hi)
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
        vll[seg["u"], 0], vll[seg["u"], 1], vll[seg["v"], 0], vll[seg["v"], 1]
    )
    is_node = np.zeros(len(vll), bool)
    is_node[joined.node_vertex] = True
    slivers: list[dict[str, object]] = []
    for _ in range(6):
        chains = _chains(seg, is_node)
        sliver, removed = _slivers(chains, seg, is_node, contrib, cfg.sliver_km)
        slivers.extend(removed)
        if not sliver.any():
            break
        drop_segs = np.concatenate([c["segs"] for c, s in zip(chains, sliver, strict=True) if s])
        seg = seg.drop(index=seg.index[drop_segs])
    vertex_node = {
        int(v): str(n) for n, v in zip(nodes["node_id"], joined.node_vertex, strict=True)
    }
    junction_ids: dict[int, str] = {}
    junction_rows: list[NodeRow] = []
    ends = sorted({int(c["start"]) for c in chains} | {int(c["end"]) for c in chains})
    ends = [v for v in ends if v not in vertex_node]
    order = np.lexsort((vll[ends, 1], vll[ends, 0])) if ends else []
    for k, i in enumerate(order):
        v = ends[i]
        junction_ids[v] = f"junction_{k + 1:04d}"
        junction_rows.append(
            _junction_row(junction_ids[v], f"junction {k + 1}", float(vll[v, 0]), float(vll[v, 1]))
        )
    labels = _chain_labels(contrib, seg, chains)
    corridors: list[Corridor] = []
    for k, c in enumerate(chains):
        s, e = int(c["start"]), int(c["end"])
        first = seg.iloc[int(c["segs"][0])]
        forward = int(first["u"]) == int(c["vertices"][0])
        corridors.append(
            {
                "u": vertex_node.get(s, junction_ids.get(s)),
                "v": vertex_node.get(e, junction_ids.get(e)),
                "coords": vll[c["vertices"]],
                "length_km": float(seg["km"].to_numpy()[c["segs"]].sum()),
                "capacity_uv_mw": float(first["cap_uv"] if forward else first["cap_vu"]),
                "capacity_vu_mw": float(first["cap_vu"] if forward else first["cap_uv"]),
                "pipeline_ids": labels[k][0],
                "names": labels[k][1],
                "explicit": False,
            }
        )
    return DrawnCorridors(corridors, junction_rows, slivers)


def _contributions(lines: pd.DataFrame, step_row: np.ndarray, joined: Junctions) -> pd.DataFrame:
    """One row per (elementary segment, line): capacities along lo→hi and hi→lo, given the
    line (row of ``lines``) of each step."""
    rows = lines.iloc[step_row]
    along, against = directional(
        rows["direction"].to_numpy(),
        rows["capacity_mw"].to_numpy(float),
        rows["reverse_capacity_mw"].to_numpy(float)
        if "reverse_capacity_mw" in rows
        else np.full(len(rows), np.nan),
    )
    fwd = joined.step_forward
    per_step = pd.DataFrame(
        {
            "seg": joined.step_seg,
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
    parent = joined.parent
    a2, b2 = joined.seg_a, joined.seg_b
    child = pd.DataFrame({"child": np.arange(len(parent)), "seg": parent})
    out = child.merge(per_step, on="seg", how="inner")
    lo = np.minimum(a2, b2)
    flip = a2[out["child"].to_numpy()] != lo[out["child"].to_numpy()]
    lohi = out["cap_lohi"].to_numpy()
    hilo = out["cap_hilo"].to_numpy()
    out["cap_lohi"] = np.where(flip, hilo, lohi)
    out["cap_hilo"] = np.where(flip, lohi, hilo)
    return out


def _chains(seg: pd.DataFrame, is_node: np.ndarray) -> list[dict[str, np.ndarray | int]]:
    """Maximal paths of elementary segments through vertices of degree 2 that are not nodes
    and where the lines do not change; each with its start, end, vertices and segments."""
    u = seg["u"].to_numpy()
    v = seg["v"].to_numpy()
    sig = seg["sig"].to_numpy()
    n_v = len(is_node)
    m = len(u)
    ends = np.concatenate([u, v])
    segs = np.concatenate([np.arange(m), np.arange(m)])
    order = np.argsort(ends, kind="stable")
    ends, segs = ends[order], segs[order]
    indptr = np.searchsorted(ends, np.arange(n_v + 1))
    deg = np.diff(indptr)
    junction = (deg != 2) | is_node
    two = np.flatnonzero(deg == 2)
    first = segs[indptr[two]]
    second = segs[indptr[two] + 1]
    junction[two[sig[first] != sig[second]]] = True
    visited = np.zeros(m, bool)
    chains: list[dict[str, np.ndarray | int]] = []

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


def _slivers(
    chains: list[dict[str, np.ndarray | int]],
    seg: pd.DataFrame,
    is_node: np.ndarray,
    contrib: pd.DataFrame,
    sliver_km: float,
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Chains that dangle (an end of degree 1 that is no node) and are shorter than
    ``sliver_km``, and their removal rows."""
    if sliver_km <= 0 or not chains:
        return np.zeros(len(chains), bool), []
    deg = np.bincount(
        np.concatenate([seg["u"].to_numpy(), seg["v"].to_numpy()]), minlength=len(is_node)
    )
    out = np.zeros(len(chains), bool)
    removed: list[dict[str, object]] = []
    km = seg["km"].to_numpy()
    labels: list[tuple[str, str]] | None = None
    for k, c in enumerate(chains):
        s, e = int(c["start"]), int(c["end"])
        length = float(km[c["segs"]].sum())
        dangling = (deg[s] == 1 and not is_node[s]) or (deg[e] == 1 and not is_node[e])
        if dangling and length < sliver_km:
            out[k] = True
            labels = labels or _chain_labels(contrib, seg, chains)
            removed.append(
                {
                    "layer": "pipelines",
                    "what": "sliver",
                    "id": labels[k][0],
                    "reason": f"dangling piece shorter than sliver_km ({sliver_km:g} km)",
                    "length_km": length,
                }
            )
    return out, removed


def _chain_labels(
    contrib: pd.DataFrame, seg: pd.DataFrame, chains: list[dict[str, np.ndarray | int]]
) -> list[tuple[str, str]]:
    """(pipeline ids, names) of the drawings along each chain."""
    size = max(
        int(seg.index.max()) if len(seg) else -1, int(contrib["useg"].max()) if len(contrib) else -1
    )
    pos = np.full(size + 1, -1)
    for k, c in enumerate(chains):
        pos[seg.index.to_numpy()[c["segs"]]] = k
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


@dataclass(frozen=True)
class ExplicitCorridors:
    """Lines with explicit topology as corridors between their named nodes."""

    corridors: list[Corridor]
    junctions: list[NodeRow]  # line ends that name no node in the nodes layer
    removed: list[dict[str, object]]  # the same ends, for the report


def explicit_corridors(lines: pd.DataFrame, nodes: pd.DataFrame) -> ExplicitCorridors:
    """Each line joins its ``from_node`` and ``to_node``; its drawing's ends go to them."""
    if len(lines) == 0:
        return ExplicitCorridors([], [], [])
    known = set(nodes["node_id"])
    pos = nodes.set_index("node_id")[["lon", "lat"]]
    extra: dict[str, NodeRow] = {}
    along, against = directional(
        lines["direction"].to_numpy(),
        lines["capacity_mw"].to_numpy(float),
        lines["reverse_capacity_mw"].to_numpy(float),
    )
    coords_all = [np.asarray(shapely.get_coordinates(g)) for g in lines.geometry]
    out: list[Corridor] = []
    for k, row in enumerate(lines.itertuples(index=False)):
        coords = coords_all[k].copy()
        for end, at in ((str(row.from_node), 0), (str(row.to_node), -1)):
            if end in known:
                coords[at] = pos.loc[end].to_numpy()
            elif end not in extra:
                extra[end] = _junction_row(end, end, float(coords[at, 0]), float(coords[at, 1]))
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
    removed: list[dict[str, object]] = [
        {
            "layer": "nodes",
            "what": "junction added",
            "id": nid,
            "reason": "a line end names a node that is not in the nodes layer; a junction was put there",
            "length_km": float("nan"),
        }
        for nid in extra
    ]
    return ExplicitCorridors(out, list(extra.values()), removed)


def separate_parallel(corridors: list[Corridor]) -> tuple[list[Corridor], list[NodeRow]]:
    """Two corridors between the same nodes: explicit parallel pipes add up; two drawn
    routes stay apart, with a junction halfway along the second (a ring that starts and
    ends at one node gets two). Returns the corridors and the junctions added."""
    out: dict[tuple[str, str], Corridor] = {}
    added: list[NodeRow] = []
    queue = list(reversed(corridors))
    while queue:
        c = queue.pop()
        u, v = str(c["u"]), str(c["v"])
        key = (u, v) if u <= v else (v, u)
        flip = u != key[0]
        prev = out.get(key)
        if prev is not None and c["explicit"] and prev["explicit"]:
            prev["capacity_uv_mw"] = float(prev["capacity_uv_mw"]) + float(  # type: ignore[arg-type]
                c["capacity_vu_mw" if flip else "capacity_uv_mw"]  # type: ignore[arg-type]
            )
            prev["capacity_vu_mw"] = float(prev["capacity_vu_mw"]) + float(  # type: ignore[arg-type]
                c["capacity_uv_mw" if flip else "capacity_vu_mw"]  # type: ignore[arg-type]
            )
            prev["pipeline_ids"] = f"{prev['pipeline_ids']};{c['pipeline_ids']}"
            if str(c["names"]) not in str(prev["names"]):
                prev["names"] = f"{prev['names']}; {c['names']}"
            continue
        if u == v or prev is not None:
            pieces = _split_corridor(c, 3 if u == v else 2)
            for k in range(len(pieces) - 1):
                n_mid = len(added) + 1
                end = np.asarray(pieces[k]["coords"])[-1]
                jid = f"junction_m{n_mid:04d}"
                added.append(_junction_row(jid, f"junction m{n_mid}", float(end[0]), float(end[1])))
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
    return list(out.values()), added


def _split_corridor(c: Corridor, n: int) -> list[Corridor]:
    """A corridor cut into ``n`` pieces of equal geodesic length."""
    coords = np.asarray(c["coords"], float)
    total = float(geo.segment_lengths_km(coords).sum())
    pieces = geo.split_at_km(coords, total * np.arange(1, n) / n)
    return [{**c, "coords": piece, "length_km": total / n} for piece in pieces]


@dataclass(frozen=True)
class Assembled:
    graph: nx.Graph
    removed: list[dict[str, object]]  # nodes on no pipeline, without supply or demand
    isolated: list[str]  # nodes on no pipeline that are kept (they have supply or demand)


def assemble(nodes: pd.DataFrame, junctions: list[NodeRow], corridors: list[Corridor]) -> Assembled:
    """The undirected corridor graph; a node on no corridor is dropped unless it has
    supply or demand."""
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
    removed: list[dict[str, object]] = []
    isolated: list[str] = []
    for n in [n for n in graph.nodes if graph.degree(n) == 0]:
        attrs = graph.nodes[n]
        if attrs["supply_mw"] == 0 and attrs["demand_mw"] == 0:
            graph.remove_node(n)
            removed.append(
                {
                    "layer": "nodes",
                    "what": "node",
                    "id": n,
                    "reason": "not on any selected pipeline, no supply or demand",
                    "length_km": float("nan"),
                }
            )
        else:
            isolated.append(n)
    return Assembled(graph, removed, isolated)
