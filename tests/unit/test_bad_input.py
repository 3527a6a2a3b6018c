"""Bad input that used to give a wrong answer without a word: one test per class.

Each test runs the command line on the example case with one thing wrong and checks the
message a user sees (errors: one line naming the file, the feature or key and the fix;
warnings: on the console and in the run folder) and that nothing wrong was written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import yaml
from shapely import LineString, Point
from typer.testing import CliRunner

from siting import cli
from siting.examples import NODES, write_example
from siting.io.case_file import read_case
from siting.units import Conversions, bcm_per_year_to_mw

#: the example's surplus: fields 25 + 15 bcm/y, committed demand 18 + 12 bcm/y
EXAMPLE_SURPLUS_BCM_Y = 10.0


def flat(text: str) -> str:
    """Console text with line wrapping undone."""
    return " ".join(text.split())


def siting(*args: object) -> tuple[int, str, str]:
    """Run the command line in this process: exit code, stdout, stderr (each flattened)."""
    result = CliRunner().invoke(cli.app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, flat(result.stdout), flat(result.stderr)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The example case written to files; tests change its layers and its case file."""
    return write_example(tmp_path / "case")


def layer(case: Path, name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(case.parent / "geodata" / f"{name}.geojson")


def save(case: Path, name: str, frame: gpd.GeoDataFrame) -> None:
    path = case.parent / "geodata" / f"{name}.geojson"
    path.unlink()
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")


def edit_case(case: Path, **sections: object) -> None:
    raw = yaml.safe_load(case.read_text(encoding="utf-8"))
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
        else:
            raw[key] = value
    case.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_a_column_mapping_takes_effect_or_fails(example, tmp_path):
    """Two capacity-like columns: ``columns: {capacity: capacity_km3_h}`` (what the "several
    columns match" error invites) used to lose its unit suffix, and the other column was
    read instead. The right column in 1000 m³/h gives the example's own plan; the decoy in
    bcm/y is a tenth of it and would make the case infeasible."""
    pipes = layer(example, "pipelines")
    pipes["capacity_km3_h"] = pipes["capacity_bcm_y"] * 1e9 / 8760 / 1e3
    pipes["capacity_bcm_y"] = pipes["capacity_bcm_y"] / 10
    save(example, "pipelines", pipes)
    layers = yaml.safe_load(example.read_text())["layers"]
    layers["pipelines"] = {"path": layers["pipelines"], "columns": {"capacity": "capacity_km3_h"}}
    edit_case(example, layers=layers)

    code, out, err = siting("validate", example)
    assert code == 0, err
    assert (
        "pipelines: capacity ← capacity_km3_h [1000m3/h] (columns: {capacity: capacity_km3_h}), not capacity_bcm_y"
        in out
    )

    run = tmp_path / "run"
    code, out, err = siting("run", example, "--out", run)
    assert code == 0, err
    assert "capacity ← capacity_km3_h [1000m3/h]" in out
    want = {
        "layer": "pipelines",
        "quantity": "capacity",
        "column": "capacity_km3_h",
        "unit": "1000m3/h",
        "how": "columns: {capacity: capacity_km3_h}",
        "not_used": "capacity_bcm_y",
    }
    assert want in manifest(run)["inputs"]["columns"]
    report = json.loads((run / "network_report.json").read_text())
    assert want in report["columns"]
    arcs = (run / "tables" / "arcs.csv").read_text()
    trunk = bcm_per_year_to_mw(35.0, Conversions())
    assert f"hub>junction,hub,junction,{trunk!r}" in arcs.replace('"', "")

    # a mapping that the case would not read is an error, and so is a column without a unit
    edit_case(example, network={"capacity_column": "design_capacity"})
    code, _, err = siting("validate", example)
    assert code == 2
    assert re.fullmatch(
        r"error: \S+pipelines.geojson: layer pipelines: columns: \{capacity: capacity_km3_h\} "
        r"would not take effect: the case reads the capacity from the column named by "
        r"network.capacity_column, not 'capacity'; map that name instead, or set "
        r"network.capacity_column: capacity",
        err,
    )
    edit_case(example, network={"capacity_column": "capacity"})
    pipes["flow"] = pipes.pop("capacity_km3_h")
    save(example, "pipelines", pipes)
    layers["pipelines"]["columns"] = {"capacity": "flow"}
    edit_case(example, layers=layers)
    code, _, err = siting("validate", example)
    assert code == 2
    assert (
        "layer pipelines: column flow: unknown unit for 'capacity'; declare it on the layer, e.g. units: {capacity: bcm/y}"
        in err
    )


def test_a_node_with_latitude_and_longitude_swapped_is_named(example, tmp_path):
    """Lines with explicit topology are redrawn to their nodes: a node at (lat, lon)
    instead of (lon, lat) drew two lines to a phantom point 1,000 km away."""
    pipes = layer(example, "pipelines")
    ends = {
        "north_line": ("field_north", "cs_north"),
        "north_line_2": ("cs_north", "hub"),
        "east_line": ("field_east", "hub"),
        "trunk": ("hub", "junction"),
        "city_line": ("junction", "city"),
        "export_line": ("junction", "border"),
    }
    north = pipes.iloc[[0]].assign(pipeline_id="north_line_2")
    pipes = gpd.GeoDataFrame([*pipes.to_dict("records"), *north.to_dict("records")], crs=pipes.crs)
    pipes.loc[0, "geometry"] = LineString([NODES["field_north"][:2], NODES["cs_north"][:2]])
    pipes.loc[5, "geometry"] = LineString([NODES["cs_north"][:2], NODES["hub"][:2]])
    pipes["from_node"] = [ends[p][0] for p in pipes["pipeline_id"]]
    pipes["to_node"] = [ends[p][1] for p in pipes["pipeline_id"]]
    save(example, "pipelines", pipes)
    nodes = layer(example, "nodes")
    good = nodes.copy()
    nodes.loc[nodes["node_id"] == "cs_north", "geometry"] = Point(64.5, 66.0)
    save(example, "nodes", nodes)

    run = tmp_path / "run"
    code, _, err = siting("run", example, "--out", run)
    assert code == 2
    assert re.fullmatch(
        r"error: \S+nodes.geojson: layer nodes: node cs_north at \(lon 64.5, lat 66\) lies "
        r"\d+ km from the drawn ends of its pipelines \(north_line, north_line_2\); lat/lon "
        r"swapped\? At \(lon 66, lat 64.5\) it lies 0.0 km from them: swap its coordinates",
        err,
    )
    assert not run.exists()

    # moved 60 km but not swapped: a warning with the distance, kept in the run folder
    good.loc[good["node_id"] == "cs_north", "geometry"] = Point(66.0, 65.04)
    save(example, "nodes", good)
    code, _out, err = siting("run", example, "--out", run)
    assert code == 0, err
    assert re.search(
        r"warning: \S+nodes.geojson: layer nodes: node cs_north lies 60 km from the drawn ends "
        r"of its pipelines \(north_line, north_line_2\), farther than node_snap_km \(1 km\)",
        err,
    )
    assert any("node cs_north lies 60 km" in w for w in manifest(run)["inputs"]["warnings"])


def test_the_diameter_rule_counts_strings_and_every_imputation_is_printed(example, tmp_path):
    """The trunk has no capacity, 1,420 mm and two strings: 2 × 32 = 64 bcm/y (it used to
    get 32). Its imputation and the proposed line left out are printed with their km."""
    pipes = layer(example, "pipelines")
    pipes["diameter_mm"] = 1420.0
    pipes["strings"] = [1, 1, 2, 1, 1]
    pipes.loc[pipes["pipeline_id"] == "trunk", "capacity_bcm_y"] = None
    spur = pipes.iloc[[1]].assign(pipeline_id="spur", status="proposed", name="spur")
    spur["geometry"] = [LineString([(74.0, 63.5), (78.0, 64.0)])]
    pipes = gpd.GeoDataFrame([*pipes.to_dict("records"), *spur.to_dict("records")], crs=pipes.crs)
    save(example, "pipelines", pipes)
    edit_case(example, network={"fill_capacity": ["diameter"]})

    run = tmp_path / "run"
    code, out, err = siting("run", example, "--out", run)
    assert code == 0, err
    assert re.search(
        r"capacity imputed by the diameter rule for 1 line\(s\), 4\d\d km: trunk: 1,420 mm × "
        r"2 strings → 64.0 bcm/y",
        out,
    )
    assert re.search(
        r"left out 1 pipeline\(s\), 2\d\d km: status proposed is not in network.statuses", out
    )
    imputed = json.loads((run / "network_report.json").read_text())["capacity_imputed"]
    assert [(r["pipeline_id"], r["strings"], round(r["capacity_bcm_y"], 6)) for r in imputed] == [
        ("trunk", 2.0, 64.0)
    ]
    arcs = (run / "tables" / "arcs.csv").read_text()
    trunk = bcm_per_year_to_mw(64.0, Conversions())
    assert f"hub>junction,hub,junction,{trunk!r}" in arcs


def test_a_field_on_no_pipeline_is_left_out_of_the_surplus(example, tmp_path):
    """A 100 bcm/y field 600 km from any line used to count in the surplus headline (110
    bcm/y instead of 10). It is warned about and left out of every surplus figure."""
    nodes = layer(example, "nodes")
    far = nodes.iloc[[0]].assign(node_id="field_far", name="field far")
    far["production_capacity_bcm_y"] = 100.0
    far["geometry"] = [Point(85.0, 70.0)]
    save(
        example,
        "nodes",
        gpd.GeoDataFrame([*nodes.to_dict("records"), *far.to_dict("records")], crs=nodes.crs),
    )

    run = tmp_path / "run"
    code, out, err = siting("run", example, "--out", run)
    assert code == 0, err
    assert re.search(
        r"warning: \S+nodes.geojson: layer nodes: field field_far \(100.0 bcm/y\) is on no "
        r"selected pipeline \(the nearest lies \d{3} km away\): its supply is left out of the "
        r"model and of the surplus; put it within node_snap_km \(1 km\) of its line, or "
        r"select the pipeline that serves it",
        err,
    )
    assert f"of {EXAMPLE_SURPLUS_BCM_Y:.1f} bcm/y surplus" in out
    summary = json.loads((run / "summary.json").read_text())
    assert summary["totals"]["surplus_bcm_y"] == pytest.approx(EXAMPLE_SURPLUS_BCM_Y, rel=1e-9)
    assert "field_far" not in (run / "tables" / "nodes.csv").read_text()
    assert any("field_far" in w for w in manifest(run)["inputs"]["warnings"])
    removed = (run / "tables" / "network_removed.csv").read_text()
    assert "field_far,a field on no selected pipeline: its supply is left out" in removed
    if (run / "report.md").exists():
        assert f"{EXAMPLE_SURPLUS_BCM_Y:.3f} bcm/y" in (run / "report.md").read_text()


def test_too_many_candidate_sites_are_refused_before_they_are_built(example, tmp_path):
    """A spacing far too fine used to sit for minutes in "model inputs" without a word. The
    count and an estimate come first; past the limit the case is refused at once."""
    run = tmp_path / "run"
    spacing = ["--set", "candidates.spacing_km=20"]
    code, out, err = siting("run", example, *spacing, "--max-candidates", 50, "--out", run)
    assert code == 2
    assert re.fullmatch(
        r"error: case example: candidates.spacing_km: 20 gives (\d+) candidate sites, more than "
        r"candidates.max_candidates \(50\), would take about \d+ s and [\d.]+ GB to prepare and "
        r"build the model \([\d.]+ k nonzeros; the solve comes on top\); raise "
        r"candidates.spacing_km, or raise the limit with --max-candidates \1 \(or "
        r"candidates.max_candidates\)",
        err,
    )
    assert not run.exists()
    count = re.search(r"gives (\d+) candidate", err).group(1)
    code, out, err = siting("run", example, *spacing, "--max-candidates", count, "--out", run)
    assert code == 0, err
    assert re.search(rf"{count} candidate sites: about \d+ s and [\d.]+ GB", out)


def test_prices_far_outside_their_plausible_range_are_warned_about(example, tmp_path):
    """``gas_price: 3870 RUB/m3`` is a valid unit and 4,907 USD/MWh of fuel heat."""
    run = tmp_path / "run"
    code, _, err = siting("run", example, "--set", "costs.gas_price=3870 RUB/m3", "--out", run)
    assert code == 0, err
    message = (
        "costs.gas_price: 3870 RUB/m3 is 4,907 USD/MWh of fuel heat, far outside the plausible "
        "0.5–500 USD/MWh (siting/plausible.py gives the basis); did you mean 3870 RUB/1000m3?"
    )
    assert f"warning: {message}" in err
    assert message in manifest(run)["inputs"]["warnings"]
    code, _out, err = siting("validate", example)
    assert code == 0 and "warning" not in err


def test_an_empty_layer_says_it_has_no_features(example, tmp_path):
    """An empty fibre layer used to mean "fibre everywhere" (0 km), an empty pipeline layer
    a missing column."""
    empty = '{"type": "FeatureCollection", "features": []}'
    fiber = example.parent / "geodata" / "fiber.geojson"
    fiber.write_text(empty)
    run = tmp_path / "run"
    code, _, err = siting("run", example, "--out", run)
    assert code == 2
    assert err == (
        f"error: {fiber}: layer fiber: the layer has no features; give a file with features, "
        "or leave layers.fiber out of the case"
    )
    pipes = example.parent / "geodata" / "pipelines.geojson"
    pipes.write_text(empty)
    code, _, err = siting("validate", example)
    assert code == 2
    assert (
        err
        == f"error: {pipes}: layer pipelines: the layer has no features; give a file with features"
    )
    assert not run.exists()


def test_validate_reads_and_checks_every_layer(example):
    """``siting validate`` used to check the YAML only; it reads every layer now."""
    code, out, err = siting("validate", example)
    assert code == 0, err
    for name, n, crs in [
        ("pipelines", 5, "EPSG:4326"),
        ("nodes", 7, "EPSG:4326"),
        ("grid", 2, "EPSG:4326"),
        ("fiber", 1, "EPSG:4326"),
        ("climate", 4, "lon/lat"),
        ("towns", 4, "lon/lat"),
    ]:
        assert re.search(rf"{name}: \S+ \(\w+, {crs}\): {n} feature\(s\)", out), name
    assert "nodes: production_capacity ← production_capacity_bcm_y [bcm/y]" in out
    assert (
        "network: 7 nodes, 6 pipeline corridors, 2,674 route-km in 1 connected component(s)" in out
    )
    assert "candidates: 5 points, 5 eligible" in out
    assert out.endswith("ok: example")

    nodes = layer(example, "nodes")
    nodes.loc[nodes["node_id"] == "junction", "node_id"] = "hub"
    save(example, "nodes", nodes)
    code, _, err = siting("validate", example)
    assert code == 2
    assert re.fullmatch(
        r"error: \S+nodes.geojson: layer nodes: feature hub: column node_id: duplicate id", err
    )


def test_environment_paths_are_taken_from_the_working_folder(example, tmp_path, monkeypatch):
    """``SITING_DATA=../shared/data siting run models/gaslib-135.yaml`` from the repository
    root used to look for ``models/../shared/data``."""
    data = example.parent / "geodata"
    case_dir = tmp_path / "models"
    case_dir.mkdir()
    raw = yaml.safe_load(example.read_text())
    raw["layers"] = {k: "${SITING_TEST_DATA}/" + Path(v).name for k, v in raw["layers"].items()}
    (case_dir / "case.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SITING_TEST_DATA", str(data.relative_to(tmp_path)))
    case = read_case("models/case.yaml")
    assert case.layers is not None and case.layers.pipelines.path == data / "pipelines.geojson"

    # the README's facility-location snippet shows the time limit it needs
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("## Facility location", 1)[1].split("```python", 1)[1].split("```")[0]
    assert "time_limit_s" in snippet
