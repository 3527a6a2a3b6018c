"""Pipelines and nodes → the gas network graph (networkx), and a report of what was done.

The builder turns drawings into topology in a fixed order of stages, each a module that
takes plain data and returns plain data; every step is vectorised over all lines at once
(numpy, a KD-tree, shapely's STRtree):

- :mod:`~siting.network.checks` — before anything is built, each node named by lines with
  explicit topology is checked against the drawn ends of its lines (a node with latitude
  and longitude swapped is an error).

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
     pipes, whose capacities add up. A field on no corridor keeps no supply (it could not
     deliver it): it is left out of the model and the surplus, with a warning.

- :mod:`~siting.network.report` — the :class:`NetworkReport`, components and reach.

Planar work happens in a :class:`~siting.geo.LocalProjection` of the data; tolerances are
confirmed geodesically, so no point moves farther than its tolerance. Lengths are geodesic.
Every feature or piece that is left out is listed in the report with its reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from siting import geo
from siting.collector import paused
from siting.config import PIPELINE_STATUSES, NetworkConfig
from siting.geodata import status_removals
from siting.network.checks import explicit_end_warnings
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
from siting.units import Conversions, bcm_per_year_to_mw

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
    pipelines: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    config: NetworkConfig | float,
    *,
    conversions: Conversions | None = None,
    sources: Mapping[str, str] | None = None,
) -> Network:
    """Build the undirected corridor graph; edge attributes carry directed capacities.

    ``config`` is the case's ``network`` section (a plain number is read as ``snap_km``
    with every status selected). ``conversions`` give the bcm/y of the report's text, and
    ``sources`` the file of each layer for its messages."""
    cfg = _config(config)
    conv = conversions or Conversions()
    sources = sources or {}
    lines = pipelines[pipelines["status"].isin(cfg.statuses)].reset_index(drop=True)
    table = node_table(nodes)
    explicit = explicit_mask(lines)
    warnings = explicit_end_warnings(lines[explicit].reset_index(drop=True), table, cfg, sources)
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
    warnings += off_network_warnings(assembled.off_network, table, graph, cfg, conv, sources)
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
                *status_removals(pipelines, cfg),
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
            capacity_sources={
                str(k): int(n) for k, n in lines["capacity_source"].value_counts().items()
            }
            if "capacity_source" in lines
            else {"data": len(lines)},
            reach=supply_reach(graph),
            node_snaps=joins.node_snaps,
            end_moves_km=joins.end_moves_km,
            imputed=imputed_capacities(lines, conv),
            warnings=warnings,
        ),
        Drawings.of(graph, lengths),
    )


def imputed_capacities(lines: gpd.GeoDataFrame, conv: Conversions) -> list[dict[str, object]]:
    """Every line whose capacity a ``network.fill_capacity`` rule gave, with what it used."""
    if "capacity_source" not in lines:
        return []
    filled = lines[~lines["capacity_source"].isin(["data", ""])]
    mw_per_bcm_y = bcm_per_year_to_mw(1.0, conv)
    return [
        {
            "pipeline_id": str(row["pipeline_id"]),
            "rule": str(row["capacity_source"]),
            "capacity_mw": float(row["capacity_mw"]),
            "capacity_bcm_y": float(row["capacity_mw"]) / mw_per_bcm_y,
            "diameter_mm": float(row.get("diameter_mm", math.nan)),
            "strings": float(row.get("strings", math.nan)),
            "length_km": geo.line_length_km(row.geometry),
        }
        for _, row in filled.iterrows()
    ]


def off_network_warnings(
    off_network: list[tuple[str, float]],
    table: pd.DataFrame,
    graph: nx.Graph,
    cfg: NetworkConfig,
    conv: Conversions,
    sources: Mapping[str, str],
) -> list[str]:
    """A warning for each field on no selected pipeline: its supply is left out."""
    if not off_network:
        return []
    at = table.drop_duplicates("node_id").set_index("node_id").loc[[n for n, _ in off_network]]
    geoms = [d["geometry"] for _, _, d in graph.edges(data=True)]
    if geoms:
        km, _ = geo.distance_to_lines_km(
            at["lon"].to_numpy(float), at["lat"].to_numpy(float), np.asarray(geoms, dtype=object)
        )
    else:
        km = np.full(len(at), np.inf)
    mw_per_bcm_y = bcm_per_year_to_mw(1.0, conv)
    return [
        f"{sources.get('nodes', '<memory>')}: layer nodes: {table.loc[table['node_id'] == n, 'kind'].iloc[0]} {n} "
        f"({supply / mw_per_bcm_y:,.1f} bcm/y) is on no selected pipeline"
        + (f" (the nearest lies {d:,.0f} km away)" if np.isfinite(d) else "")
        + ": its supply is left out of the model and of the surplus; put it within "
        f"node_snap_km ({cfg.node_tolerance_km:g} km) of its line, or select the pipeline "
        "that serves it"
        for (n, supply), d in zip(off_network, km, strict=True)
    ]
