"""Geometry cleaning: which features take part, and the drawn lines as samples.

Steps 1–2 of :mod:`siting.network`: the features whose status is selected; the lines with
explicit topology (``from_node``/``to_node``) apart from the drawn ones; the drawn lines
broken into parts (a part with fewer than two distinct vertices is left out and listed),
densified along great circles to at most ``step_km`` and put in a local projection.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting import geo
from siting.config import NetworkConfig
from siting.errors import DataError


def node_table(nodes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The nodes layer as a plain table (ids as text, lon/lat columns)."""
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


def explicit_mask(lines: pd.DataFrame) -> np.ndarray:
    """Lines that name both their end nodes (joined by id, never by geometry)."""
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


@dataclass(frozen=True)
class Parts:
    """The drawn lines' parts as flat vertex arrays."""

    coords: np.ndarray  # (n, 2) lon/lat of every vertex
    part: np.ndarray  # part of each vertex (sorted)
    part_row: np.ndarray  # line (row of the drawn lines) of each part
    removed: list[dict[str, object]]  # parts left out, for the report


def line_parts(lines: pd.DataFrame) -> Parts:
    """Parts of (multi)lines without repeated vertices; a part needs two distinct vertices."""
    parts, row = shapely.get_parts(lines.geometry.to_numpy(), return_index=True)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    keep = np.ones(len(coords), bool)
    keep[1:] = ~((index[1:] == index[:-1]) & np.all(coords[1:] == coords[:-1], axis=1))
    coords, index = coords[keep], index[keep]
    counts = np.bincount(index, minlength=len(parts))
    good = counts >= 2
    removed: list[dict[str, object]] = [
        {
            "layer": "pipelines",
            "what": "piece",
            "id": str(lines["pipeline_id"].iloc[row[p]]),
            "reason": "a part with fewer than two distinct points",
            "length_km": 0.0,
        }
        for p in np.flatnonzero(~good)
    ]
    renumber = np.cumsum(good) - 1
    sel = good[index]
    return Parts(coords[sel], renumber[index[sel]], row[good], removed)


@dataclass(frozen=True)
class Samples:
    """Drawn lines sampled every ≤ ``step_km`` along great circles, in a local projection.

    ``ll`` and ``xy`` hold each sample's lon/lat and projected metres; ``part`` the part it
    belongs to (samples of a part are consecutive, in drawing order); ``part_row`` the line
    of each part."""

    ll: np.ndarray
    xy: np.ndarray
    part: np.ndarray
    part_row: np.ndarray
    proj: geo.LocalProjection
    step_km: float
    segment_km: np.ndarray  # geodesic length from each sample to the next (any part)

    @property
    def same_part(self) -> np.ndarray:
        """Whether sample i and i + 1 belong to the same part (one entry per sample pair)."""
        return self.part[1:] == self.part[:-1]

    @property
    def input_km(self) -> float:
        """Geodesic length of the drawn lines."""
        per_part = np.bincount(
            self.part[:-1],
            weights=np.where(self.same_part, self.segment_km, 0.0),
            minlength=len(self.part_row),
        )
        return float(per_part.sum())


def sample(parts: Parts, nodes: pd.DataFrame, cfg: NetworkConfig) -> Samples:
    """Densify the parts (every ≤ 1 km, finer for a small ``parallel_km``) and project them
    with the nodes around the centre of both."""
    step_km = float(np.clip(cfg.parallel_km / 2.0, 0.1, 1.0)) if cfg.parallel_km else 1.0
    ll, part = geo.densify_coords(parts.coords, parts.part, step_km)
    proj = geo.LocalProjection.around(
        np.concatenate([ll[:, 0], nodes["lon"].to_numpy()]),
        np.concatenate([ll[:, 1], nodes["lat"].to_numpy()]),
    )
    return Samples(
        ll=ll,
        xy=proj.to_xy(ll),
        part=part,
        part_row=parts.part_row,
        proj=proj,
        step_km=step_km,
        segment_km=geo.segment_lengths_km(ll),
    )
