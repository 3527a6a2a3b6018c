"""A map projection fitted to the data's extent.

Longitudes are treated as a circle: the centre is the middle of the shortest arc that holds
every longitude, so data that crosses the antimeridian (Chukotka at −170°, the rest of
Russia at 27°…180°) is centred correctly and the projection's seam (``lon_0 ± 180°``) falls in
the widest empty gap. Geometry is then reprojected vertex by vertex, and a line from 179° to
−179° becomes the short segment it is.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS


def longitude_span(lon: np.ndarray) -> tuple[float, float]:
    """(centre, width) in degrees of the shortest arc of the circle holding every longitude."""
    lon = np.unique(np.mod(np.asarray(lon, float) + 180.0, 360.0) - 180.0)
    if lon.size == 0:
        return 0.0, 0.0
    if lon.size == 1:
        return float(lon[0]), 0.0
    gaps = np.diff(np.concatenate([lon, [lon[0] + 360.0]]))
    i = int(np.argmax(gaps))
    start = lon[(i + 1) % lon.size]
    width = 360.0 - float(gaps[i])
    centre = float(np.mod(start + width / 2.0 + 180.0, 360.0) - 180.0)
    return centre, width


def fitted_crs(lon: np.ndarray, lat: np.ndarray) -> CRS:
    """Albers equal-area conic centred on the data, standard parallels at 1/6 and 5/6 of its
    latitude range; Lambert azimuthal equal-area where the data straddles the equator or is
    too small for a cone to matter."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    lon_0, _width = longitude_span(lon)
    lat_min, lat_max = (float(lat.min()), float(lat.max())) if lat.size else (0.0, 0.0)
    lat_0 = (lat_min + lat_max) / 2.0
    rng = lat_max - lat_min
    lat_1, lat_2 = lat_min + rng / 6.0, lat_max - rng / 6.0
    if lat_1 * lat_2 <= 0 or rng < 1.0:
        return CRS.from_proj4(
            f"+proj=laea +lat_0={lat_0:.4f} +lon_0={lon_0:.4f} +datum=WGS84 +units=m +no_defs"
        )
    return CRS.from_proj4(
        f"+proj=aea +lat_1={lat_1:.4f} +lat_2={lat_2:.4f} +lat_0={lat_0:.4f} "
        f"+lon_0={lon_0:.4f} +datum=WGS84 +units=m +no_defs"
    )


def layers_crs(layers: list[gpd.GeoDataFrame]) -> CRS:
    """The fitted projection for the vertices of the given EPSG:4326 layers."""
    coords = [shapely.get_coordinates(f.geometry.to_numpy()) for f in layers if len(f)]
    xy = np.concatenate(coords) if coords else np.zeros((0, 2))
    return fitted_crs(xy[:, 0], xy[:, 1])
