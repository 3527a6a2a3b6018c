"""Geodesic helpers on the WGS84 ellipsoid, vectorised.

Nearest-neighbour searches run on a KD-tree of unit-sphere coordinates (chord order equals
great-circle order); the distances returned are then computed exactly with
:class:`pyproj.Geod`. Distances to lines use the lines densified along great circles to
``step_km``, so they are exact to within half a step. Nothing here works in degrees as if
they were planar, so lines and points across the antimeridian are handled like any other.

Planar work (cutting lines where they cross, snapping ends onto lines) happens in a
:class:`LocalProjection`: an azimuthal equidistant projection centred on the data, where
distances from the centre are exact and others are stretched by at most ``max_scale``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import shapely
from pyproj import Geod, Transformer

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

GEOD: Final = Geod(ellps="WGS84")
WGS84_A_KM: Final = 6378.137
WGS84_E2: Final = 6.69437999014e-3
#: how many targets :func:`nearest` looks at first for each query
NEAREST_FIRST_K: Final = 4
#: how many vertices of densified lines are measured for the distance to the lines
LINE_VERTICES_MEASURED: Final = 8
EARTH_RADIUS_KM: Final = 6371.0088
MAX_RADIUS_KM: Final = 6399.6


def kdtree(points: np.ndarray) -> cKDTree:
    """A KD-tree of ``points``; scipy.spatial is imported on first use, not with the package."""
    from scipy.spatial import cKDTree

    return cKDTree(points)


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


def ecef_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Earth-centred, earth-fixed coordinates (km) of points on the WGS84 ellipsoid."""
    lon_r, lat_r = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    sin_lat = np.sin(lat_r)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
    cos_lat = np.cos(lat_r)
    return np.column_stack(
        [n * cos_lat * np.cos(lon_r), n * cos_lat * np.sin(lon_r), n * (1.0 - WGS84_E2) * sin_lat]
    )


def nearest(
    query_lon: np.ndarray,
    query_lat: np.ndarray,
    target_lon: np.ndarray,
    target_lat: np.ndarray,
    first: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Index of and geodesic distance (km) to the nearest target point for each query point.

    Targets are searched by the straight line between points on the ellipsoid (a KD-tree of
    their earth-centred coordinates), which is never longer than the geodesic. So once the
    geodesic to the first target found is known, only targets whose straight line is
    shorter can be nearer: those are measured too, and the nearest taken (on a tie, the one
    the straight line ranks first). For targets within a few hundred km the straight line
    and the geodesic differ by less than 0.1 %, so there are seldom more than one.

    With ``first``, only the ``first`` targets nearest by straight line are measured. That
    is enough for the vertices of a densified line, where the nearest vertex is among the
    few around the foot of the perpendicular, and avoids measuring the dozens of vertices
    that a point thousands of km away sees at nearly the same distance."""
    query_lon = np.asarray(query_lon, float)
    query_lat = np.asarray(query_lat, float)
    target_lon = np.asarray(target_lon, float)
    target_lat = np.asarray(target_lat, float)
    n_q, n_t = len(query_lon), len(target_lon)
    if n_t == 0:
        return np.full(n_q, -1), np.full(n_q, np.inf)
    if n_q == 0:
        return np.zeros(0, int), np.zeros(0)
    tree = kdtree(ecef_km(target_lon, target_lat))
    xyz = ecef_km(query_lon, query_lat)
    k = min(first or NEAREST_FIRST_K, n_t)
    chord, idx = tree.query(xyz, k=k)
    chord = np.reshape(chord, (n_q, k))
    idx = np.reshape(np.asarray(idx, dtype=int), (n_q, k))
    first_km = geodesic_km(query_lon, query_lat, target_lon[idx[:, 0]], target_lat[idx[:, 0]])
    reach = first_km * (1.0 + 1e-9) + 1e-9
    # the candidates of each query: its k nearest by straight line within reach; a query
    # whose k-th is still within reach takes every target within reach instead
    within = chord <= reach[:, None]
    within[:, 0] = True
    more = within[:, -1] & (k < n_t) & (first is None)
    within[more] = False
    q_of, col = np.nonzero(within)
    t_of = idx[q_of, col]
    if more.any():
        rows = np.flatnonzero(more)
        hits = tree.query_ball_point(xyz[rows], reach[rows])
        q_of = np.concatenate([q_of, np.repeat(rows, [len(h) for h in hits])])
        t_of = np.concatenate([t_of, *[np.asarray(h, dtype=int) for h in hits]])
    single = np.bincount(q_of, minlength=n_q) == 1
    best_idx, best_km = idx[:, 0].copy(), first_km
    if single.all():
        return best_idx, best_km
    several = ~single[q_of]
    q_of, t_of = q_of[several], t_of[several]
    km = geodesic_km(query_lon[q_of], query_lat[q_of], target_lon[t_of], target_lat[t_of])
    # per query the smallest km; on a tie, the straight line's nearest, then the lower index
    not_first = t_of != idx[q_of, 0]
    order = np.lexsort((t_of, not_first, km, q_of))
    lead = order[np.r_[True, q_of[order][1:] != q_of[order][:-1]]]
    best_idx[q_of[lead]] = t_of[lead]
    best_km[q_of[lead]] = km[lead]
    return best_idx, best_km


def lonlat_from_xyz(xyz: np.ndarray) -> np.ndarray:
    xyz = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
    lat = np.degrees(np.arcsin(np.clip(xyz[:, 2], -1.0, 1.0)))
    lon = np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))
    return np.column_stack([lon, lat])


def densify_coords(
    coords: np.ndarray, owner: np.ndarray, step_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Polylines given as lon/lat ``coords`` with their line index ``owner`` (sorted by line),
    with points added along great circles so no segment is longer than ``step_km``."""
    coords = np.asarray(coords, float)
    owner = np.asarray(owner)
    if len(coords) < 2:
        return coords, owner
    same = owner[1:] == owner[:-1]
    xyz = unit_xyz(coords[:, 0], coords[:, 1])
    a, b = xyz[:-1], xyz[1:]
    omega = np.arccos(np.clip((a * b).sum(axis=1), -1.0, 1.0))
    # the ellipsoid's largest radius of curvature (a²/b at the poles) bounds a segment's length
    n_sub = np.where(same, np.maximum(np.ceil(omega * MAX_RADIUS_KM / step_km), 1), 1)
    n_sub = n_sub.astype(int)
    # each segment emits its start and n_sub − 1 interior points; each line's last vertex ends it
    seg = np.repeat(np.arange(len(a)), n_sub)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n_sub) - n_sub, n_sub)
    t = k / n_sub[seg]
    om = omega[seg]
    small = om < 1e-12
    sin_om = np.where(small, 1.0, np.sin(om))
    wa = np.where(small, 1.0 - t, np.sin((1.0 - t) * om) / sin_om)
    wb = np.where(small, t, np.sin(t * om) / sin_om)
    pts = wa[:, None] * a[seg] + wb[:, None] * b[seg]
    lonlat = lonlat_from_xyz(pts)
    lonlat[k == 0] = coords[:-1][seg[k == 0]]
    last = np.flatnonzero(np.append(~same, True))
    keep_interior = same[seg] | (k == 0)
    out, out_owner = lonlat[keep_interior], owner[:-1][seg[keep_interior]]
    # the points come line by line in order; each line's last vertex goes after its points
    at = np.searchsorted(out_owner, owner[last], side="right")
    return np.insert(out, at, coords[last], axis=0), np.insert(out_owner, at, owner[last])


def densify(geoms: np.ndarray, step_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of (multi)lines densified along great circles to about ``step_km``:
    (lon/lat array, line index)."""
    geoms = np.asarray(geoms)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    dense, dense_part = densify_coords(coords, index, step_km)
    return dense, part_owner[dense_part] if len(dense_part) else dense_part


def distance_to_lines_km(
    lon: np.ndarray, lat: np.ndarray, lines: np.ndarray, step_km: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (km) from each point to the nearest line, and that line's index."""
    if len(lines) == 0:
        return np.full(len(lon), np.inf), np.full(len(lon), -1)
    coords, owner = densify(lines, step_km)
    idx, dist = nearest(lon, lat, coords[:, 0], coords[:, 1], first=LINE_VERTICES_MEASURED)
    return dist, owner[idx]


def distance_to_polygons_km(
    lon: np.ndarray, lat: np.ndarray, polygons: np.ndarray, step_km: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (km) from each point to the nearest polygon (0 inside), and its index."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if len(polygons) == 0:
        return np.full(len(lon), np.inf), np.full(len(lon), -1)
    polygons = np.asarray(polygons)
    dist, owner = distance_to_lines_km(lon, lat, shapely.boundary(polygons), step_km)
    tree = shapely.STRtree(polygons)
    p_idx, g_idx = tree.query(shapely.points(lon, lat), predicate="intersects")
    dist[p_idx] = 0.0
    owner[p_idx] = g_idx
    return dist, owner


def line_lengths_km(coords: np.ndarray, owner: np.ndarray, n_lines: int) -> np.ndarray:
    """Geodesic length of each polyline given as flattened lon/lat ``coords`` with ``owner``."""
    if len(coords) < 2:
        return np.zeros(n_lines)
    same = owner[1:] == owner[:-1]
    seg = np.where(same, segment_lengths_km(coords), 0.0)
    return np.bincount(owner[:-1], weights=seg, minlength=n_lines)


def points_along(
    coords: np.ndarray,
    owner: np.ndarray,
    line: np.ndarray,
    distance_km: np.ndarray,
    segment_km: np.ndarray | None = None,
) -> np.ndarray:
    """Points at geodesic ``distance_km`` along polyline ``line`` (lines as flattened lon/lat
    ``coords`` with their ``owner``, sorted by line), as an (m, 2) lon/lat array.
    ``segment_km``, if given, holds the geodesic length from each vertex to the next of the
    same line (any value across lines), so the lines are not measured again."""
    line = np.asarray(line, int)
    distance_km = np.asarray(distance_km, float)
    if len(line) == 0:
        return np.zeros((0, 2))
    same = owner[1:] == owner[:-1]
    seg_km = np.where(same, segment_lengths_km(coords) if segment_km is None else segment_km, 0.0)
    cum = np.concatenate([[0.0], np.cumsum(seg_km)])
    first = np.searchsorted(owner, line, side="left")
    last = np.searchsorted(owner, line, side="right") - 1
    target = cum[first] + np.clip(distance_km, 0.0, cum[last] - cum[first])
    # the segment (start vertex) of the line holding each target distance
    idx = np.searchsorted(cum, target, side="right") - 1
    idx = np.clip(idx, first, np.maximum(last - 1, first))
    start, end = coords[idx], coords[np.minimum(idx + 1, last)]
    az, _, _ = GEOD.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])
    lon, lat, _ = GEOD.fwd(start[:, 0], start[:, 1], np.asarray(az), (target - cum[idx]) * 1000.0)
    return np.column_stack([np.asarray(lon), np.asarray(lat)])


def split_at_km(coords: np.ndarray, cuts_km: np.ndarray) -> list[np.ndarray]:
    """A polyline (lon/lat array) cut at geodesic distances ``cuts_km`` from its start, as
    ``len(cuts) + 1`` pieces; the cut points lie on the geodesic segments, so the pieces'
    geodesic lengths add up to the line's."""
    coords = np.asarray(coords, float)
    seg = segment_lengths_km(coords)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(cum[-1])
    cuts = np.clip(np.sort(np.asarray(cuts_km, float)), 0.0, total)
    points = points_along(coords, np.zeros(len(coords), int), np.zeros(len(cuts), int), cuts)
    bounds = [0.0, *cuts.tolist(), total]
    ends = [coords[0], *points, coords[-1]]
    pieces = []
    for k in range(len(cuts) + 1):
        inner = coords[(cum > bounds[k]) & (cum < bounds[k + 1])]
        pieces.append(np.vstack([ends[k], *inner, ends[k + 1]]))
    return pieces


@dataclass(frozen=True)
class LocalProjection:
    """Azimuthal equidistant projection (metres) centred on a set of points.

    Distances from the centre are exact; any other distance is stretched by at most
    ``max_scale`` (c / sin c at the angular distance c of the farthest point), so a search
    radius of r km in the projection must be ``r × max_scale`` to miss nothing."""

    lon0: float
    lat0: float
    max_scale: float
    _fwd: Transformer
    _inv: Transformer

    @classmethod
    def around(cls, lon: np.ndarray, lat: np.ndarray) -> LocalProjection:
        xyz = unit_xyz(np.asarray(lon, float), np.asarray(lat, float))
        mean = xyz.mean(axis=0) if len(xyz) else np.array([1.0, 0.0, 0.0])
        if np.linalg.norm(mean) < 1e-9:
            mean = np.array([1.0, 0.0, 0.0])
        lon0, lat0 = lonlat_from_xyz(mean[None, :])[0]
        centre = mean / np.linalg.norm(mean)
        c = float(np.arccos(np.clip(xyz @ centre, -1.0, 1.0)).max()) if len(xyz) else 0.0
        max_scale = (
            float(c / np.sin(c)) if 1e-9 < c < np.pi * 0.95 else (1.0 if c <= 1e-9 else 20.0)
        )
        crs = f"+proj=aeqd +lat_0={lat0:.9f} +lon_0={lon0:.9f} +datum=WGS84 +units=m +no_defs"
        return cls(
            float(lon0),
            float(lat0),
            max_scale,
            Transformer.from_crs("EPSG:4326", crs, always_xy=True),
            Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
        )

    def to_xy(self, lonlat: np.ndarray) -> np.ndarray:
        x, y = self._fwd.transform(lonlat[:, 0], lonlat[:, 1])
        return np.column_stack([np.asarray(x), np.asarray(y)])

    def to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        lon, lat = self._inv.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(lon), np.asarray(lat)])


def pairs_within_km(lon: np.ndarray, lat: np.ndarray, radius_km: float) -> np.ndarray:
    """All pairs (i, j, km) with i < j closer than ``radius_km``, as an (m, 3) array."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if len(lon) < 2 or radius_km <= 0:
        return np.zeros((0, 3))
    tree = kdtree(unit_xyz(lon, lat))
    pairs = tree.query_pairs(chord_for_km(radius_km * 1.01), output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 3))
    dist = geodesic_km(lon[pairs[:, 0]], lat[pairs[:, 0]], lon[pairs[:, 1]], lat[pairs[:, 1]])
    keep = dist < radius_km
    return np.column_stack([pairs[keep].astype(float), dist[keep]])


#: a geodesic on WGS84 is between 0.994 and 1.005 times the great circle on the sphere of
#: EARTH_RADIUS_KM through the same latitudes and longitudes (the ellipsoid's radii of
#: curvature lie between 6,335 and 6,400 km); these bounds leave a margin
SPHERE_TO_GEODESIC: Final = (0.98, 1.01)


def close_pairs(
    lon: np.ndarray, lat: np.ndarray, radius_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i, j), i < j, of points closer than ``radius_km`` (geodesic), in the order
    of :func:`pairs_within_km`. Only pairs near the radius on the sphere are measured on
    the ellipsoid; the others are surely inside."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    empty = np.zeros(0, np.int64)
    if len(lon) < 2 or radius_km <= 0:
        return empty, empty
    xyz = unit_xyz(lon, lat)
    low, high = SPHERE_TO_GEODESIC
    pairs = kdtree(xyz).query_pairs(chord_for_km(radius_km * high), output_type="ndarray")
    if len(pairs) == 0:
        return empty, empty
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    chord = np.linalg.norm(xyz[i] - xyz[j], axis=1)
    sphere_km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / 2.0, 1.0))
    near = sphere_km >= radius_km * low
    keep = ~near
    keep[near] = geodesic_km(lon[i[near]], lat[i[near]], lon[j[near]], lat[j[near]]) < radius_km
    return i[keep], j[keep]


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
    tree = kdtree(unit_xyz(np.asarray(target_lon, float), np.asarray(target_lat, float)))
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
