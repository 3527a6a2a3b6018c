"""Checks of the inputs that only the network can make, before it is built.

A line with explicit topology (``from_node``/``to_node``) joins its nodes by id: its drawing
is redrawn so that its ends lie on the nodes (:mod:`siting.network.graph`). A node whose
coordinates are wrong then drags every line that ends at it to a phantom place, and a site
may appear on a line that does not exist. So each such node is checked against the drawn
ends of its lines: when none of them lies within ``network.node_snap_km`` of the node, the
node is suspect. If swapping its latitude and longitude puts it within that distance of
them, that is the error; otherwise it is a warning that names the node and the distance. A
single line whose drawn end is far from a node that its other lines agree with is a warning
about that line.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely

from siting import geo
from siting.config import NetworkConfig
from siting.errors import DataError

#: below this, a drawn end and its node are the same point for any data (km)
MIN_TOLERANCE_KM = 0.5


def explicit_end_warnings(
    lines: pd.DataFrame,
    nodes: pd.DataFrame,
    cfg: NetworkConfig,
    sources: Mapping[str, str] | None = None,
) -> list[str]:
    """Check the nodes named by ``from_node``/``to_node`` against the drawn ends of their
    ``lines`` (explicit lines only; ``nodes`` as :func:`siting.network.clean.node_table`).

    Raises :class:`DataError` for a node with latitude and longitude swapped; returns a
    warning for every other node or line end farther apart than the tolerance. ``sources``
    names the file of each layer, for the messages."""
    sources = sources or {}
    source = sources.get("nodes", "<memory>")
    if len(lines) == 0:
        return []
    ends = _drawn_ends(lines, nodes)
    if ends.empty:
        return []
    tol = max(cfg.node_tolerance_km, MIN_TOLERANCE_KM)
    ends["km"] = geo.geodesic_km(
        ends["node_lon"].to_numpy(float),
        ends["node_lat"].to_numpy(float),
        ends["end_lon"].to_numpy(float),
        ends["end_lat"].to_numpy(float),
    )
    by_node = ends.groupby("node_id", sort=False)
    nearest_km = by_node["km"].min()
    far_nodes = nearest_km[nearest_km > tol].index
    warnings: list[str] = []
    for node_id in far_nodes:
        rows = ends[ends["node_id"] == node_id]
        lon, lat = float(rows["node_lon"].iloc[0]), float(rows["node_lat"].iloc[0])
        km = float(rows["km"].min())
        pipes = _names(rows["pipeline_id"])
        swapped_km = _swapped_km(lon, lat, rows)
        if swapped_km is not None and swapped_km <= tol:
            raise DataError(
                f"{source}: layer nodes: node {node_id} at (lon {lon:g}, lat {lat:g}) lies "
                f"{km:,.0f} km from the drawn ends of its pipelines ({pipes}); lat/lon "
                f"swapped? At (lon {lat:g}, lat {lon:g}) it lies {swapped_km:,.1f} km from "
                "them: swap its coordinates"
            )
        warnings.append(
            f"{source}: layer nodes: node {node_id} lies {km:,.0f} km from the drawn ends of "
            f"its pipelines ({pipes}), farther than node_snap_km ({tol:g} km); they are "
            "redrawn to the node: check its coordinates and the lines' from_node/to_node"
        )
    agreed = ends[~ends["node_id"].isin(far_nodes) & (ends["km"] > tol)]
    for row in agreed.itertuples(index=False):
        warnings.append(
            f"{sources.get('pipelines', '<memory>')}: layer pipelines: feature "
            f"{row.pipeline_id}: its drawn {row.end} lies {row.km:,.0f} km "
            f"from its {row.end_column} {row.node_id}, where its other lines end; it is "
            f"redrawn to the node: check its {row.end_column} and its geometry"
        )
    return warnings


def _drawn_ends(lines: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """One row per line end that names a known node: the node's and the drawing's lon/lat."""
    pos = nodes.drop_duplicates("node_id").set_index("node_id")[["lon", "lat"]]
    first, last = [], []
    for geom in lines.geometry:
        parts = shapely.get_parts(geom)
        first.append(shapely.get_coordinates(parts[0])[0])
        last.append(shapely.get_coordinates(parts[-1])[-1])
    frames = []
    for column, end, coords in (
        ("from_node", "start", np.asarray(first)),
        ("to_node", "end", np.asarray(last)),
    ):
        node_id = lines[column].astype(str).to_numpy()
        known = pos.index.get_indexer(pd.Index(node_id)) >= 0
        at = pos.reindex(node_id[known])
        frames.append(
            pd.DataFrame(
                {
                    "row": np.flatnonzero(known),
                    "pipeline_id": lines["pipeline_id"].astype(str).to_numpy()[known],
                    "node_id": node_id[known],
                    "end": end,
                    "end_column": column,
                    "node_lon": at["lon"].to_numpy(float),
                    "node_lat": at["lat"].to_numpy(float),
                    "end_lon": coords[known, 0],
                    "end_lat": coords[known, 1],
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values("row", kind="stable")


def _swapped_km(lon: float, lat: float, rows: pd.DataFrame) -> float | None:
    """Distance from the node with its coordinates swapped to the nearest drawn end, or
    None when the swapped pair is no position (its latitude beyond ±90°)."""
    if abs(lon) > 90:
        return None
    km = geo.geodesic_km(
        np.full(len(rows), lat),
        np.full(len(rows), lon),
        rows["end_lon"].to_numpy(float),
        rows["end_lat"].to_numpy(float),
    )
    return float(np.min(km))


def _names(ids: pd.Series, most: int = 4) -> str:
    unique = list(dict.fromkeys(map(str, ids)))
    return ", ".join(unique[:most]) + (
        f" and {len(unique) - most} more" if len(unique) > most else ""
    )
