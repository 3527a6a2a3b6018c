"""The fitted map projection: centre longitude on a circle, conic parameters, antimeridian."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pyproj import Transformer
from shapely import LineString

from siting.report.projection import fitted_crs, longitude_span


def _proj_params(crs) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PROJ-string round trip: fine here
        return crs.to_dict()


@pytest.mark.parametrize(
    ("lons", "centre", "width"),
    [
        # plain: 40..80 → centre 60, width 40
        ([40.0, 55.0, 80.0], 60.0, 40.0),
        # across the antimeridian: 170..190 (= −170) → centre 180 (−180), width 20
        ([170.0, -170.0, 175.0], -180.0, 20.0),
        # Russia: Kaliningrad 20° to Chukotka −170° (= 190°) → arc 20..190, centre 105, width 170
        ([20.0, 60.0, 100.0, 150.0, 179.0, -179.0, -170.0], 105.0, 170.0),
        ([33.0], 33.0, 0.0),
    ],
)
def test_longitude_span_is_the_shortest_arc(lons, centre, width):
    c, w = longitude_span(np.array(lons))
    assert np.mod(c - centre + 180.0, 360.0) - 180.0 == pytest.approx(0.0, abs=1e-9)
    assert w == pytest.approx(width)


def test_russian_extent_gets_an_albers_conic_centred_on_it():
    """lat 42..78 → standard parallels at 42 + 36/6 = 48 and 78 − 6 = 72, centre 60."""
    crs = fitted_crs(np.array([20.0, 100.0, -170.0]), np.array([42.0, 78.0, 60.0]))
    params = _proj_params(crs)
    assert params["proj"] == "aea"
    assert params["lat_1"] == pytest.approx(48.0)
    assert params["lat_2"] == pytest.approx(72.0)
    assert params["lat_0"] == pytest.approx(60.0)
    assert params["lon_0"] == pytest.approx(105.0)


def test_equator_straddling_extent_gets_an_azimuthal_projection():
    crs = fitted_crs(np.array([10.0, 20.0]), np.array([-10.0, 10.0]))
    assert _proj_params(crs)["proj"] == "laea"


def test_a_line_across_the_antimeridian_stays_short():
    """170°E → 170°W at 65°N is 20° of longitude: 20 · 111.32 · cos 65° ≈ 941 km, not 340°."""
    line = LineString([(170.0, 65.0), (-170.0, 65.0)])
    crs = fitted_crs(np.array([160.0, -165.0]), np.array([60.0, 70.0]))
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    (x0, x1), (y0, y1) = to_map.transform(*line.xy)
    length_km = float(np.hypot(x1 - x0, y1 - y0)) / 1000.0
    assert 900.0 < length_km < 980.0
