"""Pipelines and nodes → the gas network graph (networkx), and a report of what was done.

The builder turns drawings into topology in a fixed order of stages, each a module that
takes plain data and returns plain data; every step is vectorised over all lines at once
(numpy, a KD-tree, shapely's STRtree):

- :mod:`~siting.network.clean` — geometry cleaning:

  1. **Select** the features whose status is in ``network.statuses`` (the others are listed).
  2. **Explicit topology**: a line with ``from_node``/``to_node`` (GasLib) joins those nodes
     by id; it is never snapped, merged or cut. Every other line is broken into parts and
     sampled every ≤ 1 km along great circles.

- :mod:`~siting.network.merge` — corridor merging:

  3. **Parallel drawings**: where a line runs within ``parallel_km`` of a longer one, in the
     same direction (within 30°), for at least ``parallel_min_km``, it is the same corridor:
     its geometry there is replaced by the longer line's and its capacity is added to the
     corridor's (pieces of one ``line_id`` count once; ``parallel_capacity: max`` takes the
     largest instead of the sum).

- :mod:`~siting.network.junctions` — where lines meet:

  4. **Nodes** are moved onto the nearest line within ``node_snap_km`` (the drawings stay as
     they are; the report lists how far each node moved). A node farther away stays
     isolated (kept if it has supply or demand).
  5. **Line ends** that meet nothing are joined, in this order, to a node within
     ``snap_km``, to other free ends within ``snap_km`` (one end leads, none moves farther
     than ``snap_km``), or to the nearest point of another line within ``snap_km`` (a
     T-junction).
  6. **Crossings**: lines that cross are cut at the crossing and joined there
     (``connect_crossings``).

- :mod:`~siting.network.corridors` and :mod:`~siting.network.graph` — graph building:

  7. **Corridors**: the pieces between junctions (nodes, ends, crossings, and points where
     the set of lines changes) become graph edges with their geodesic length and the
     capacity in each direction. **Slivers** — dangling pieces shorter than ``sliver_km``
     ending in no node — are removed. Two corridors between the same two nodes stay apart
     (a junction is added halfway along the second) unless they are explicit parallel
     pipes, whose capacities add up.

- :mod:`~siting.network.report` — the :class:`NetworkReport`, components and reach.

Planar work happens in a :class:`~siting.geo.LocalProjection` of the data; tolerances are
confirmed geodesically, so no point moves farther than its tolerance. Lengths are geodesic.
Every feature or piece that is left out is listed in the report with its reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np

from siting.collector import paused
from siting.config import PIPELINE_STATUSES, NetworkConfig
from siting.geodata import status_removals
from siting.network.clean import explicit_mask, line_parts, node_table, sample
from siting.network.corridors import DrawnCorridors, drawn_corridors
from siting.network.drawings import Drawings
from siting.network.graph import assemble, explicit_corridors, separate_parallel
from siting.network.junctions import JoinReport, join
from siting.network.merge import merge_parallel
from siting.network.report import (
    NetworkReport,
    component_labels,
    components_summary,
    edges_frame,
    nodes_frame,
    supply_reach,
)

__all__ = [
    "Drawings",
    "Network",
    "NetworkReport",
    "build_network",
    "component_labels",
    "components_summary",
    "edges_frame",
    "nodes_frame",
    "supply_reach",
]


@dataclass
class Network:
    graph: nx.Graph
    report: NetworkReport
    #: the graph's corridors as measured while building (for the candidate sites)
    drawings: Drawings | None = None


def _config(config: NetworkConfig | float) -> NetworkConfig:
    if isinstance(config, NetworkConfig):
        return config
    return NetworkConfig(snap_km=float(config), statuses=PIPELINE_STATUSES)


@paused()
def build_network(
    pipelines: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, config: NetworkConfig | float
) -> Network:
    """Build the undirected corridor graph; edge attributes carry directed capacities.

    ``config`` is the case's ``network`` section (a plain number is read as ``snap_km``
    with every status selected)."""
    cfg = _config(config)
    lines = pipelines[pipelines["status"].isin(cfg.statuses)].reset_index(drop=True)
    table = node_table(nodes)
    explicit = explicit_mask(lines)
    drawn_lines = lines[~explicit].reset_index(drop=True)
    parts = line_parts(drawn_lines)
    drawn = DrawnCorridors([], [], [])
    joins = JoinReport()
    input_km = merged_km = 0.0
    if len(parts.part_row):
        samples = sample(parts, table, cfg)
        merged = merge_parallel(samples, cfg)
        joined = join(samples, merged.steps, table, cfg)
        drawn = drawn_corridors(drawn_lines, samples, merged.steps, joined, table, cfg)
        input_km, merged_km, joins = samples.input_km, merged.merged_km, joined.report
        table = joined.placed(table)
    by_id = explicit_corridors(lines[explicit].reset_index(drop=True), table)
    corridors, middles = separate_parallel(drawn.corridors + by_id.corridors)
    assembled = assemble(table, drawn.junctions + middles + by_id.junctions, corridors)
    graph = assembled.graph
    lengths = {(c["u"], c["v"]): np.asarray(c["segment_km"]) for c in corridors}
    return Network(
        graph,
        NetworkReport(
            n_nodes=graph.number_of_nodes(),
            n_edges=graph.number_of_edges(),
            route_km=math.fsum(d["length_km"] for _, _, d in graph.edges(data=True)),
            components=components_summary(graph),
            snapped_nodes=joins.snapped_nodes,
            junctions_added=joins.junctions_added,
            dropped=[
                *status_removals(pipelines, cfg).to_dict("records"),
                *parts.removed,
                *drawn.slivers,
                *by_id.removed,
                *assembled.removed,
            ],
            isolated_nodes=assembled.isolated,
            input_km=input_km,
            merged_km=merged_km,
            end_joins=joins.end_joins,
            t_junctions=joins.t_junctions,
            crossings=joins.crossings,
            slivers_km=drawn.slivers_km,
            capacity_sources=lines["capacity_source"].value_counts().to_dict()
            if "capacity_source" in lines
            else {"data": len(lines)},
            reach=supply_reach(graph),
            node_snaps=joins.node_snaps,
            end_moves_km=joins.end_moves_km,
        ),
        Drawings.of(graph, lengths),
    )
