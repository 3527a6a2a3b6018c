"""The example moved across the antimeridian (+130° of longitude: 44…78°E → 174°E…152°W)
must map exactly as compactly as the original: same projected extent on the static map, one
piece on the web map."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
import shapely

from siting.report import static_map
from siting.report.web import interactive_map


def _shift(run, degrees: float):
    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([np.mod(xy[:, 0] + degrees + 180.0, 360.0) - 180.0, xy[:, 1]])

    layers = {}
    for name, frame in run.layers.items():
        moved = frame.copy()
        moved.geometry = shapely.transform(frame.geometry.to_numpy(), move)
        layers[name] = moved
    return replace(run, layers=layers)


def test_static_map_extent_is_unchanged_across_the_antimeridian(example_rundata):
    moved = _shift(example_rundata, 130.0)
    lons = shapely.get_coordinates(moved.layers["pipelines"].geometry.to_numpy())[:, 0]
    assert lons.min() < -150 and lons.max() > 170  # the data really straddles ±180°
    ax0, ax1 = static_map(example_rundata).axes[0], static_map(moved).axes[0]
    width0 = np.diff(ax0.get_xlim())[0]
    width1 = np.diff(ax1.get_xlim())[0]
    assert width1 == pytest.approx(width0, rel=1e-6)
    assert np.diff(ax1.get_ylim())[0] == pytest.approx(np.diff(ax0.get_ylim())[0], rel=1e-6)


def test_web_map_keeps_the_data_in_one_piece(example_rundata):
    moved = _shift(example_rundata, 130.0)
    page = interactive_map(moved).get_root().render()
    call = page[page.rindex(".fitBounds(") :]  # the map's own call, after Leaflet's source
    numbers = re.findall(r"-?\d+(?:\.\d+)?", call[: call.index(")")])
    _lat0, lon0, _lat1, lon1 = (float(x) for x in numbers[:4])
    # the network spans 46…74 °E; moved: 176 °E … 204 °E (= 156 °W), 28° wide, not 332°
    assert lon0 == pytest.approx(176.0) and lon1 == pytest.approx(204.0)
