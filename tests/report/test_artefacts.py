"""Every artefact of a run folder exists, parses and says what the Solution says (no images
compared: layers and counts, markers and network references, numbers in the report)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pyogrio
import pytest
import shapely

from siting.output.artefacts import read_run
from siting.report import report_markdown, static_map
from siting.report.assets import external_references
from siting.report.style import SOURCE_COLOURS
from siting.report.web import SITE_CLASS, interactive_map, offline_html

SITING = [sys.executable, "-m", "siting"]
ARTEFACTS = ("map.png", "map.html", "report.md", "report.html", "cost_breakdown.svg")


def test_a_run_writes_every_artefact(example_folder):
    manifest = json.loads((example_folder / "manifest.json").read_text())
    for name in (*ARTEFACTS, "sites.gpkg"):
        assert (example_folder / name).stat().st_size > 0, name
        assert name in manifest["files"]
    assert (example_folder / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ET.fromstring((example_folder / "cost_breakdown.svg").read_bytes())


def test_geopackage_layers_and_feature_counts(example_folder, example_result):
    sol = example_result.solution
    gpkg = example_folder / "sites.gpkg"
    layers = dict(pyogrio.list_layers(gpkg))
    counts = {name: pyogrio.read_info(gpkg, layer=name)["features"] for name in layers}
    assert counts["sites"] == len(sol.chosen) == 2
    assert counts["candidates"] == 5
    assert counts["fields"] == 2  # field_north, field_east
    assert counts["grid"] == 2
    assert counts["fiber"] == 1 and counts["country"] == 1 and counts["borders"] == 1
    assert counts["fiber_links"] == len(sol.chosen)
    assert counts["grid_links"] == int(sol.chosen["grid_link"].sum())
    assert counts["pipelines"] == len(example_result.prepared.candidates.graph.edges)
    pipes = pyogrio.read_dataframe(gpkg, layer="pipelines")
    assert {"net_flow_mw", "utilisation", "free_capacity_mw", "capacity_mw"} <= set(pipes)
    cand = pyogrio.read_dataframe(gpkg, layer="candidates")
    assert {"exclusion_reason", "eligible", "open", "it_mw"} <= set(cand)
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert {"fiber_km", "town_km", "cost_it_musd_y", "source"} <= set(sites)
    fields = pyogrio.read_dataframe(gpkg, layer="fields")
    assert fields["supply_max_bcm_y"].sort_values().tolist() == pytest.approx([15.0, 25.0])


def test_geopackage_embeds_qgis_styles(example_folder):
    con = sqlite3.connect(example_folder / "sites.gpkg")
    try:
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        styles = con.execute(
            "SELECT f_table_name, styleName, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
    finally:
        con.close()
    assert contents["layer_styles"] == "attributes"
    features = {k for k, v in contents.items() if v == "features"}
    defaults = {name for name, _style, _qml, default in styles if default}
    assert defaults == features  # every layer opens styled
    by_layer = {(n, s): ET.fromstring(q[q.index("<qgis") :]) for n, s, q, _d in styles}
    sites = by_layer[("sites", "siting")].find("renderer-v2")
    assert sites.get("type") == "categorizedSymbol" and sites.get("attr") == "source"
    assert {c.get("value") for c in sites.iter("category")} == set(SOURCE_COLOURS)
    pipes = by_layer[("pipelines", "siting")].find("renderer-v2")
    assert pipes.get("type") == "graduatedSymbol" and pipes.get("attr") == "utilisation"
    assert ("pipelines", "free capacity") in by_layer


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, float] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-key" in a and "data-value" in a:
            self.values.setdefault(a["data-key"], float(a["data-value"]))


def test_report_numbers_equal_the_solution(example_folder, example_result):
    sol = example_result.solution
    page = (example_folder / "report.html").read_text()
    parser = _Cells()
    parser.feed(page)
    v = parser.values
    for key in ("it_mw", "gas_bcm_y", "surplus_bcm_y", "grid_mw", "cost_musd_y", "capex_musd"):
        assert v[key] == sol.totals[key], key
    assert v["objective"] == sol.report.objective
    assert v["sites_open"] == len(sol.chosen)
    # the per-site rows carry each site's own numbers too
    assert v["cost_musd_y"] == pytest.approx(sol.sites["cost_total_musd_y"].sum(), rel=1e-12)
    md = (example_folder / "report.md").read_text()
    t = sol.totals
    assert f"| IT capacity placed | {t['it_mw']:,.1f} MW |" in md
    assert f"| annualised cost | {t['cost_musd_y']:,.2f} MUSD/y |" in md
    assert f"| gas burnt | {t['gas_bcm_y']:.3f} bcm/y |" in md
    for section in ("Cost breakdown", "Chosen sites", "Binding constraints", "Assumptions"):
        assert f"## {section}" in md and f"<h2>{section}</h2>" in page
    assert "<svg" in page and "data:image/png;base64," in page  # chart and map inline
    assert not external_references(page)
    assert "| pipeline full |" in md or "| field at capacity |" in md


def test_html_map_is_self_contained_with_one_marker_per_site(example_folder, example_result):
    page = (example_folder / "map.html").read_text()
    assert external_references(page) == []
    assert "Leaflet 1.9" in page and "L.map(" in page
    assert len(re.findall(rf'"className": "{SITE_CLASS}"', page)) == len(
        example_result.solution.chosen
    )
    for layer in ("candidates", "chosen sites", "pipelines: utilisation", "fibre backbone"):
        assert layer in page


def test_offline_html_refuses_external_assets(example_rundata):
    import folium

    m = interactive_map(example_rundata)
    folium.TileLayer("OpenStreetMap").add_to(m)  # the basemap as a default: still no fetch
    offline_html(m)
    m.get_root().header.add_child(folium.JavascriptLink("https://cdn.example.org/x.js"))
    with pytest.raises(Exception, match="would fetch 1 resource"):
        offline_html(m)


def test_static_map_contents_without_looking_at_pixels(example_rundata):
    fig = static_map(example_rundata)
    ax = fig.axes[0]
    title = ax.get_title(loc="left")
    assert title.startswith("example: 500 MW IT at 2 sites")
    assert "bcm/y" in title and "MUSD/y" in title
    sites = [c for c in ax.collections if c.get_gid() == "siting-sites"]
    assert len(sites) == 1 and len(sites[0].get_offsets()) == 2
    areas = sorted(sites[0].get_sizes())
    assert areas[1] / areas[0] == pytest.approx(300.0 / 200.0)  # area ∝ MW IT
    labels = {t.get_text() for lg in fig.legends for t in lg.get_texts()}
    assert {"on-site gas", "grid", "gas field", "fibre backbone"} <= labels
    assert any("pipeline utilisation" in lab.lower() for lab in labels)
    texts = {t.get_text() for t in ax.texts}
    assert "N" in texts  # north arrow
    assert any(type(a).__name__ == "ScaleBar" for a in ax.artists)
    # drawn in metres of a conic projection, not in degrees
    assert ax.get_xlim()[1] - ax.get_xlim()[0] > 1e5


def test_siting_map_rerenders_from_the_folder_alone(example_folder, example_rundata, tmp_path):
    import shutil

    run = tmp_path / "copy"
    shutil.copytree(example_folder, run)
    for name in ARTEFACTS:
        (run / name).unlink()
    proc = subprocess.run(
        [*SITING, "map", str(run), "--format", "png", "--format", "svg", "--geojson"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    for name in (*ARTEFACTS, "map.svg", "geojson/sites.geojson", "geojson/pipelines.geojson"):
        assert (run / name).exists(), name
    manifest = json.loads((run / "manifest.json").read_text())
    # each file with the hash of its content (the manifest cannot hold its own)
    assert len(manifest["files"]["map.svg"]) == 64 and "manifest.json" not in manifest["files"]
    # the report from the folder equals the report straight after the solve
    assert (run / "report.md").read_text() == report_markdown(example_rundata)
    again = read_run(run)
    assert set(again.layers) == set(example_rundata.layers)


def test_siting_map_on_a_non_run_is_one_line(tmp_path):
    proc = subprocess.run([*SITING, "map", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "no manifest.json" in proc.stderr


def test_siting_compare_writes_a_diff(example_folder, tmp_path):
    other = tmp_path / "one_site"
    proc = subprocess.run(
        [
            *SITING,
            "run",
            "--example",
            "--out",
            str(other),
            "-q",
            "--set",
            "objective.max_sites=1",
            "--set",
            "objective.target_it=300 MW",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "cmp"
    proc = subprocess.run(
        [*SITING, "compare", str(example_folder), str(other), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "removed" in proc.stdout
    assert (out / "diff_map.png").read_bytes()[:4] == b"\x89PNG"
    import pandas as pd

    diff = pd.read_csv(out / "compare.csv", index_col="site_id")
    assert diff.loc["junction", "change"] == "removed"
    assert diff.loc["hub", "change"] == "unchanged"
    assert "junction" in (out / "compare.md").read_text()


def test_a_plan_with_no_site_still_maps_and_reports(tmp_path):
    """max_profit with no value for compute: every site only costs, so none opens (0 MUSD/y)."""
    from siting.api import solve_case
    from siting.examples import example_case, example_geodata

    case = example_case(objective={"sense": "max_profit", "target_it": None})
    result = solve_case(case, out=tmp_path, data=example_geodata(case))
    assert result.solution.totals["sites_open"] == 0
    assert "No site was chosen." in (tmp_path / "report.md").read_text()
    page = (tmp_path / "map.html").read_text()
    assert f'"className": "{SITE_CLASS}"' not in page and not external_references(page)
    assert (tmp_path / "map.png").stat().st_size > 0


def test_a_drawing_error_does_not_lose_the_run(example_result, tmp_path, monkeypatch):
    from siting.api import write_result
    from siting.report import static

    def broken(*_a, **_k):
        raise RuntimeError("no ink")

    monkeypatch.setattr(static, "static_map", broken)
    with pytest.warns(UserWarning, match="no ink.*siting map"):
        write_result(example_result, tmp_path)
    assert (tmp_path / "manifest.json").exists()
    assert not (tmp_path / "map.png").exists() and not (tmp_path / "report.md").exists()


@pytest.mark.slow
def test_russia_web_map_is_compact_and_offline(russia_rundata):
    """Pipelines split at every candidate are joined again where flow and capacity agree,
    coordinates keep 4 decimals, and the page (Leaflet included) stays under 1.2 MB; it was
    1.6 MB with every segment and full-precision coordinates written twice."""
    from siting.report.web import merge_lines

    page = offline_html(interactive_map(russia_rundata))
    assert external_references(page) == []
    assert len(page.encode()) < 1_200_000
    pipes = russia_rundata.layers["pipelines"]
    merged = merge_lines(pipes, ["names", "net_flow_mw", "capacity_mw"])
    assert len(merged) < len(pipes) / 3
    degrees = [shapely.length(f.geometry.to_numpy()).sum() for f in (merged, pipes)]
    assert degrees[0] == pytest.approx(degrees[1])  # the same lines, fewer features
    assert len(re.findall(rf'"className": "{SITE_CLASS}"', page)) == len(
        russia_rundata.layers["sites"]
    )
    assert not re.search(r"\d\.\d{5,}\]", page.split("</script>", 1)[1])  # ≤ 4 decimals


@pytest.mark.slow
def test_russia_report_reads_well(russia_rundata):
    """Full pipelines are counted by segment in the summary sentence (as the CLI counts
    them) but listed once per stretch; grid nodes appear by name; the assumptions come in
    sections with the model's own units first; sites carry a place name."""
    sol = russia_rundata.solution
    md = report_markdown(russia_rundata, charts=False)
    full = int(sol.totals["arcs_full"])
    rows = md.count("| pipeline full |")
    assert f"{full} pipeline segments on {rows} stretches are full" in md
    assert 0 < rows < full
    grid = russia_rundata.layers["grid"].set_index("grid_id")
    # used up in some period (a node with no spare at all is not listed: the plan uses none)
    exhausted = sol.grid_nodes[sol.grid_nodes["utilisation"] >= 0.999]
    assert len(exhausted) == sol.totals["grid_nodes_exhausted"] > 0
    for gid in exhausted.index:
        assert f"| grid node exhausted | {grid.loc[gid, 'name']} ({gid}) |" in md
    for heading in ("Why each site was picked", "In the model's units", "Objective", "Costs"):
        assert f"### {heading}" in md
    assert "| 10000.0 |" not in md and "| True |" not in md
    assert "km from " in md
