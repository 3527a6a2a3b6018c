"""Real networks that nobody here drew: GEM GGIT, GasLib and SciGRID_gas from ../shared/data,
read, cleaned into a network and (for the two cases in models/) solved end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from siting.api import load_case, solve_case
from siting.config import LayerSpec, NetworkConfig
from siting.errors import DataError
from siting.geodata import standardise_nodes, standardise_pipelines
from siting.io.layers import read_layer
from siting.network import build_network
from siting.units import Conversions

CONV = Conversions()
MW_PER_KM3_H = 33.8 / 3.6  # 1000 m³/h of gas at 33.8 MJ/m³


def gem_case(shared, **overrides):
    path = shared / "gem-ggit" / "russia_pipelines_fullres.geojson"
    return load_case(
        "models/gem-russia.yaml", overrides={"layers.pipelines.path": str(path), **overrides}
    )


def gaslib_case(shared):
    folder = shared / "gaslib" / "GasLib-135"
    return load_case(
        "models/gaslib-135.yaml",
        overrides={
            "layers.pipelines.path": str(folder / "GasLib-135.net"),
            "layers.nodes.path": str(folder / "GasLib-135.net"),
            "layers.nodes.options.nominations": str(folder / "GasLib-135.scn"),
        },
    )


@pytest.mark.slow
def test_gem_russia_case_solves_on_the_cleaned_network(shared_data, tmp_path):
    result = solve_case(gem_case(shared_data), out=tmp_path)
    report = result.prepared.network.report
    # ~131,000 km of operating drawings become ~80,000 route-km once parallel strings are one
    assert 125_000 < report.input_km < 135_000
    assert 70_000 < report.route_km < 90_000
    assert report.largest_component_share >= 0.85
    removed = report.removed
    assert (removed["reason"] == "status proposed is not in network.statuses").sum() == 149
    assert report.capacity_sources["default"] > 0  # GEM's "--" capacities, counted
    sol = result.solution
    assert sol.report.is_optimal and result.check.ok
    assert sol.totals["it_mw"] >= 5000 - 1e-6
    sites = result.prepared.candidates.sites.set_index("site_id")
    chosen = sites.loc[sol.chosen.index]
    assert chosen["eligible"].all()
    assert (chosen["country"] == "RU").all()
    foreign = sites[~sites["eligible"]]
    assert foreign["exclusion_reason"].str.contains("not in candidates.countries").any()
    for name in (
        "network_report.json",
        "tables/network_removed.csv",
        "tables/network_components.csv",
    ):
        assert (tmp_path / name).exists()


def test_gaslib_135_with_its_nominations_as_committed_demand(shared_data):
    """The committed demand is the sum of the 99 exit nominations (1000 m³/h → MW); every
    exit is served, and the plan passes the independent check."""
    result = solve_case(gaslib_case(shared_data))
    scn = (shared_data / "gaslib" / "GasLib-135" / "GasLib-135.scn").read_text(encoding="utf-8")
    import re

    exits = re.findall(
        r'<node type="exit" id="([^"]+)">\s*(?:<pressure[^>]*>\s*)*<flow value="([^"]+)"', scn
    )
    assert len(exits) == 99
    nodes = result.solution.nodes
    want = {nid: float(v) * MW_PER_KM3_H for nid, v in exits}
    got = nodes.loc[list(want), "demand_mw"]
    np.testing.assert_allclose(got.to_numpy(), np.array(list(want.values())), rtol=1e-9)
    assert result.solution.report.is_optimal and result.check.ok
    assert result.solution.totals["it_mw"] >= 1000 - 1e-6
    report = result.prepared.network.report
    assert report.n_nodes == 135 and len(report.components) == 1
    assert report.capacity_sources == {"diameter": 141, "data": 29}


def test_the_cli_takes_a_layer_file_from_the_command_line(shared_data, tmp_path):
    env = {**os.environ, "SITING_DATA": str(shared_data)}
    net = shared_data / "gaslib" / "GasLib-135" / "GasLib-135.net"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "siting",
            "run",
            "models/gaslib-135.yaml",
            "--layer",
            f"pipelines={net}",
            "--out",
            str(tmp_path),
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "manifest.json").exists()
    env.pop("SITING_DATA")
    out = subprocess.run(
        [sys.executable, "-m", "siting", "validate", "models/gem-russia.yaml"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 2
    assert "SITING_DATA is not set" in out.stderr and "--layer pipelines=PATH" in out.stderr


def test_gem_map_csv(shared_data):
    """The worldwide map CSV: LNG terminals and units without a route are listed, not lost."""
    spec = LayerSpec(
        path=shared_data / "gem-ggit" / "world_ggit_map_2024-10-08.csv",
        format="gem",
        options={"countries": ["Russia"]},
    )
    raw = read_layer(spec, "pipelines")
    reasons = [r["reason"] for r in raw.removed]
    assert sum(r.startswith("not a pipeline") for r in reasons) == 1295
    assert sum(r == "no route geometry in the GEM file" for r in reasons) == 3
    assert len(raw.frame) == 258 - 3  # GGIT units with Russia among their areas
    pipes = standardise_pipelines(raw.frame, NetworkConfig(default_capacity="10 bcm/y"), CONV)
    assert set(pipes["capacity_source"]) <= {"data", "system", "default"}


def test_scigrid_segments_and_nodes(shared_data):
    folder = shared_data / "scigrid-gas-v1"
    cfg = NetworkConfig(snap_km=1.0, fill_capacity=("diameter",))
    seg = read_layer(LayerSpec(path=folder / "Gas_PipeSegments.csv"), "pipelines")
    pipes = standardise_pipelines(seg.frame, cfg, CONV)
    assert len(pipes) == 532
    # capacities come in mcm/d: 1 mcm/d = 10^6/86400 m³/s × 33.8 MJ/m³ ≈ 391 MW
    first = seg.frame.iloc[0]
    assert pipes["capacity_mw"].iloc[0] == pytest.approx(
        first["capacity_mcm_d"] * 1e6 / 86400 * 33.8
    )
    node_raw = read_layer(LayerSpec(path=folder / "Gas_Nodes.csv"), "nodes")
    assert any(r["what"] == "renamed" for r in node_raw.removed)  # ids reused for other places
    nodes = standardise_nodes(node_raw.frame, cfg, CONV)
    net = build_network(pipes, nodes, cfg)
    report = net.report
    assert 45_000 < report.input_km < 48_000
    assert report.route_km == pytest.approx(report.input_km - report.merged_km, rel=0.01)
    assert report.largest_component_share > 0.95


def test_gaslib_units_are_read_from_each_value(shared_data):
    """GasLib-24 gives diameters in m and has only schematic x/y (so it needs a crs)."""
    path = shared_data / "gaslib" / "GasLib-24" / "GasLib-24.net"
    with pytest.raises(
        DataError, match=r"GasLib-24\.net: layer pipelines: node .*only schematic x/y"
    ):
        read_layer(LayerSpec(path=path), "pipelines")
    raw = read_layer(LayerSpec(path=path, crs="EPSG:3857"), "pipelines").frame.set_index(
        "pipeline_id"
    )
    assert raw.loc["L101", "diameter_mm"] == pytest.approx(1100.0)
    assert raw.loc["L101", "declared_length_km"] == pytest.approx(50.0)
    assert raw.loc["L101", "capacity_km3_h"] == pytest.approx(738.0)
    assert raw.loc["L101", "reverse_capacity_km3_h"] == 0.0
