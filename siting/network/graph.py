"""Graph building: lines with explicit topology, parallel corridors, the networkx graph.

Step 7 of :mod:`siting.network`, continued. Lines with explicit topology join their nodes
by id. Two corridors between the same two nodes stay apart (a junction is added halfway
along the second) unless they are explicit parallel pipes, whose capacities add up. The
corridors and nodes then become an undirected networkx graph; a node on no corridor is
dropped unless it has supply or demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import LineString

from siting import geo
from siting.network.corridors import Corridor, NodeRow, directional, junction_row


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
                extra[end] = junction_row(end, end, float(coords[at, 0]), float(coords[at, 1]))
        segment_km = geo.segment_lengths_km(coords)
        out.append(
            {
                "u": str(row.from_node),
                "v": str(row.to_node),
                "coords": coords,
                "length_km": float(segment_km.sum()),
                "segment_km": segment_km,
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
            along, against = c["capacity_uv_mw"], c["capacity_vu_mw"]
            prev["capacity_uv_mw"] = float(prev["capacity_uv_mw"]) + float(
                against if flip else along
            )
            prev["capacity_vu_mw"] = float(prev["capacity_vu_mw"]) + float(
                along if flip else against
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
                added.append(junction_row(jid, f"junction m{n_mid}", float(end[0]), float(end[1])))
                pieces[k]["v"] = jid
                pieces[k + 1]["u"] = jid
            queue.extend(reversed(pieces))
            continue
        kept = c.copy()
        if flip:
            kept["u"], kept["v"] = key
            kept["coords"] = np.asarray(c["coords"])[::-1]
            kept["segment_km"] = np.asarray(c["segment_km"])[::-1]
            kept["capacity_uv_mw"] = c["capacity_vu_mw"]
            kept["capacity_vu_mw"] = c["capacity_uv_mw"]
        out[key] = kept
    return list(out.values()), added


def _split_corridor(c: Corridor, n: int) -> list[Corridor]:
    """A corridor cut into ``n`` pieces of equal geodesic length."""
    coords = np.asarray(c["coords"], float)
    total = float(geo.segment_lengths_km(coords).sum())
    pieces = geo.split_at_km(coords, total * np.arange(1, n) / n)
    return [
        {**c, "coords": piece, "length_km": total / n, "segment_km": geo.segment_lengths_km(piece)}
        for piece in pieces
    ]


@dataclass(frozen=True)
class Assembled:
    graph: nx.Graph
    removed: list[dict[str, object]]  # nodes on no pipeline, without demand; supply left out
    isolated: list[str]  # nodes on no pipeline that are kept (they have demand)
    #: supply nodes on no pipeline, whose supply is left out: (node_id, supply_mw)
    off_network: list[tuple[str, float]]


def assemble(nodes: pd.DataFrame, junctions: list[NodeRow], corridors: list[Corridor]) -> Assembled:
    """The undirected corridor graph.

    A node on no corridor is dropped unless it has committed demand. A field on no corridor
    has no way to deliver its gas: its supply is left out (of the model and of every surplus
    figure) and listed. Gas meant to be used where it is produced, off the network, belongs
    in a layer of its own, not among the network's nodes."""
    graph: nx.Graph[str] = nx.Graph()
    rows: list[Mapping[Any, Any]] = [*nodes.to_dict("records"), *junctions]
    for row in rows:
        graph.add_node(
            row["node_id"],
            name=row["name"],
            kind=row["kind"],
            lon=float(row["lon"]),
            lat=float(row["lat"]),
            supply_mw=float(row["supply_mw"]),
            demand_mw=float(row["demand_mw"]),
        )
    for c in corridors:
        graph.add_edge(
            c["u"],
            c["v"],
            u=c["u"],
            v=c["v"],
            geometry=LineString(np.asarray(c["coords"])),
            length_km=float(c["length_km"]),
            capacity_uv_mw=float(c["capacity_uv_mw"]),
            capacity_vu_mw=float(c["capacity_vu_mw"]),
            pipeline_ids=c["pipeline_ids"],
            names=c["names"],
        )
    removed: list[dict[str, object]] = []
    isolated: list[str] = []
    off_network: list[tuple[str, float]] = []
    for n in [n for n in graph.nodes if graph.degree(n) == 0]:
        attrs = graph.nodes[n]
        if attrs["supply_mw"] > 0:
            off_network.append((str(n), float(attrs["supply_mw"])))
            attrs["supply_mw"] = 0.0
            removed.append(
                {
                    "layer": "nodes",
                    "what": "supply",
                    "id": n,
                    "reason": "a field on no selected pipeline: its supply is left out",
                    "length_km": float("nan"),
                }
            )
        if attrs["demand_mw"] == 0:
            graph.remove_node(n)
            if n not in dict(off_network):
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
    return Assembled(graph, removed, isolated, off_network)
