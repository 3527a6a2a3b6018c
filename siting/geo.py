"""Geodesic helpers on the WGS84 ellipsoid, vectorised.

Nearest-neighbour searches run on a KD-tree of unit-sphere coordinates (chord order equals
great-circle order); the distances returned are then computed exactly with
:class:`pyproj.Geod`. Distances to lines use the lines densified to ``step_km``, so they are
exact to within half a step.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import shapely
from pyproj import Geod
from scipy.spatial import cKDTree

GEOD: Final = Geod(ellps="WGS84")
EARTH_RADIUS_KM: Final = 6371.0088


def unit_xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.column_stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


def chord_for_km(km: float) -> float:
    """Unit-sphere chord length for a great-circle distance (capped at the diameter)."""
    return 2.0 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0)


def geodesic_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    _, _, dist_m = GEOD.inv(
        np.asarray(lon1, float),
        np.asarray(lat1, float),
        np.asarray(lon2, float),
        np.asarray(lat2, float),
    )
    return np.asarray(dist_m, dtype=float) / 1000.0


def line_length_km(geom: shapely.Geometry) -> float:
    return float(GEOD.geometry_length(geom)) / 1000.0


def segment_lengths_km(coords: np.ndarray) -> np.ndarray:
    """Geodesic length of each segment of a polyline given as an (n, 2) lon/lat array."""
    if len(coords) < 2:
        return np.zeros(0)
    return geodesic_km(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])


def interpolate_along(coords: np.ndarray, distances_km: np.ndarray) -> np.ndarray:
    """Points at geodesic distances along a polyline (lon/lat array), as an (m, 2) array."""
    seg = segment_lengths_km(coords)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    distances_km = np.clip(np.asarray(distances_km, float), 0.0, cum[-1])
    idx = np.clip(np.searchsorted(cum, distances_km, side="right") - 1, 0, len(seg) - 1)
    start = coords[idx]
    end = coords[idx + 1]
    az, _, _ = GEOD.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])
    offset_m = (distances_km - cum[idx]) * 1000.0
    lon, lat, _ = GEOD.fwd(start[:, 0], start[:, 1], np.asarray(az), offset_m)
    return np.column_stack([np.asarray(lon), np.asarray(lat)])


def nearest(
    query_lon: np.ndarray, query_lat: np.ndarray, target_lon: np.ndarray, target_lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index of and geodesic distance (km) to the nearest target point for each query point."""
    query_lon = np.asarray(query_lon, float)
    if len(target_lon) == 0:
        return np.full(len(query_lon), -1), np.full(len(query_lon), np.inf)
    tree = cKDTree(unit_xyz(np.asarray(target_lon, float), np.asarray(target_lat, float)))
    _, idx = tree.query(unit_xyz(query_lon, np.asarray(query_lat, float)))
    idx = np.asarray(idx, dtype=int)
    dist = geodesic_km(
        query_lon, query_lat, np.asarray(target_lon)[idx], np.asarray(target_lat)[idx]
    )
    return idx, dist


def densify(geoms: np.ndarray, step_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of (multi)lines densified to about ``step_km``: (lon/lat array, line index)."""
    step_deg = step_km / 111.0
    dense = shapely.segmentize(np.asarray(geoms), max_segment_length=step_deg)
    coords, index = shapely.get_coordinates(dense, return_index=True)
    return coords, index


def distance_to_lines_km(
    lon: np.ndarray, lat: np.ndarray, lines: np.ndarray, step_km: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (km) from each point to the nearest line, and that line's index."""
    if len(lines) == 0:
        return np.full(len(lon), np.inf), np.full(len(lon), -1)
    coords, owner = densify(lines, step_km)
    idx, dist = nearest(lon, lat, coords[:, 0], coords[:, 1])
    return dist, owner[idx]


def pairs_within_km(lon: np.ndarray, lat: np.ndarray, radius_km: float) -> np.ndarray:
    """All pairs (i, j, km) with i < j closer than ``radius_km``, as an (m, 3) array."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if len(lon) < 2 or radius_km <= 0:
        return np.zeros((0, 3))
    tree = cKDTree(unit_xyz(lon, lat))
    pairs = tree.query_pairs(chord_for_km(radius_km * 1.01), output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 3))
    dist = geodesic_km(lon[pairs[:, 0]], lat[pairs[:, 0]], lon[pairs[:, 1]], lat[pairs[:, 1]])
    keep = dist < radius_km
    return np.column_stack([pairs[keep].astype(float), dist[keep]])


def points_within_km(
    lon: np.ndarray,
    lat: np.ndarray,
    target_lon: np.ndarray,
    target_lat: np.ndarray,
    radius_km: float,
) -> list[tuple[int, int, float]]:
    """Pairs (query i, target j, km) closer than ``radius_km``."""
    if len(lon) == 0 or len(target_lon) == 0:
        return []
    tree = cKDTree(unit_xyz(np.asarray(target_lon, float), np.asarray(target_lat, float)))
    hits = tree.query_ball_point(
        unit_xyz(np.asarray(lon, float), np.asarray(lat, float)), chord_for_km(radius_km * 1.01)
    )
    qi = np.repeat(np.arange(len(lon)), [len(h) for h in hits])
    tj = np.concatenate([np.asarray(h, dtype=int) for h in hits]) if len(qi) else np.zeros(0, int)
    if len(qi) == 0:
        return []
    dist = geodesic_km(
        np.asarray(lon)[qi],
        np.asarray(lat)[qi],
        np.asarray(target_lon)[tj],
        np.asarray(target_lat)[tj],
    )
    keep = dist <= radius_km
    return list(zip(qi[keep].tolist(), tj[keep].tolist(), dist[keep].tolist(), strict=True))
