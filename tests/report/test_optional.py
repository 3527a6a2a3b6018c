"""Without the ``maps`` extra a run still completes and the maps say what to install; data
across the antimeridian stays in one piece on the web map."""

from __future__ import annotations

import importlib

import geopandas as gpd
import pytest
from shapely import LineString

from siting.errors import MissingDependencyError
from siting.report import _deps
from siting.report.web import _wrap_longitudes


@pytest.fixture
def no_matplotlib(monkeypatch):
    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(_deps.importlib, "import_module", fake)


def test_static_map_without_matplotlib_names_the_extra(no_matplotlib, example_rundata):
    from siting.report.static import static_map

    with pytest.raises(MissingDependencyError, match=r"pip install 'siting\[maps\]'"):
        static_map(example_rundata)
    assert "matplotlib" in _deps.missing_maps_dependencies()


def test_run_without_the_maps_extra_still_writes_the_run(no_matplotlib, example_result, tmp_path):
    from siting.api import write_result

    with pytest.warns(UserWarning, match=r"siting\[maps\]"):
        write_result(example_result, tmp_path)
    assert (tmp_path / "manifest.json").exists() and (tmp_path / "sites.gpkg").exists()
    assert not (tmp_path / "map.png").exists()


def test_longitudes_wrap_around_the_centre():
    """A line from 179°E to 179°W, centred on 180°: −179 becomes 181, so it is 2° long."""
    gdf = gpd.GeoDataFrame(geometry=[LineString([(179.0, 65.0), (-179.0, 66.0)])], crs=4326)
    wrapped = _wrap_longitudes(gdf, 180.0).geometry.iloc[0]
    assert list(wrapped.coords) == [(179.0, 65.0), (181.0, 66.0)]
    assert wrapped.length == pytest.approx(5**0.5)


def test_siting_map_without_the_extra_prints_the_install_hint(example_folder, monkeypatch):
    from typer.testing import CliRunner

    from siting import cli
    from siting.output import artefacts

    monkeypatch.setattr(artefacts, "missing_maps_dependencies", lambda: ["folium"])
    result = CliRunner().invoke(cli.app, ["map", str(example_folder)])
    assert result.exit_code == 6
    assert "folium" in result.output and "pip install 'siting[maps]'" in result.output
    assert "Traceback" not in result.output
