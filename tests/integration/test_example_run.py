"""The example end to end: library, files, CLI, outputs, re-check, failures."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyogrio
import pytest

from siting.api import load_case, solve_case
from siting.check import check_solution
from siting.examples import example_case, example_geodata, write_example
from siting.output.run_folder import read_solution

SITING = [sys.executable, "-m", "siting"]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    case = example_case()
    result = solve_case(case, out=out, data=example_geodata(case))
    return result, out


def test_invariants_hold_on_the_example(example_run):
    result, _ = example_run
    sol = result.solution
    assert sol.report.is_optimal
    assert result.check.ok
    # gas balance at every node to 1e-6 MW, recomputed here once more
    arcs = sol.arcs
    inflow = arcs.groupby("to_node")["flow_mw"].sum().reindex(sol.nodes.index).fillna(0)
    outflow = arcs.groupby("from_node")["flow_mw"].sum().reindex(sol.nodes.index).fillna(0)
    residual = (
        sol.nodes["supply_mw"] + inflow - outflow - sol.nodes["demand_mw"] - sol.nodes["burn_mw"]
    )
    assert np.abs(residual).max() < 1e-6
    assert (sol.sites["modules"] <= sol.sites["max_modules"]).all()
    assert (sol.chosen["modules"] >= sol.chosen["min_modules"]).all()
    assert (arcs["flow_mw"] <= arcs["capacity_mw"] + 1e-6).all()
    assert sol.totals["it_mw"] >= 500 - 1e-6
    assert sol.totals["sites_open"] <= 3
    # every objective term is attributed to a site or an arc and they add up to HiGHS's value
    assert sol.totals["cost_musd_y"] == pytest.approx(sol.report.objective, rel=1e-9)
    attributed = sol.sites["cost_total_musd_y"].sum() + sol.arcs["cost_transport_musd_y"].sum()
    assert attributed == pytest.approx(sol.report.objective, rel=1e-9)


def test_file_based_example_gives_the_same_plan(example_run, tmp_path):
    result, _ = example_run
    case = load_case(write_example(tmp_path))
    again = solve_case(case)
    assert again.solution.report.objective == pytest.approx(
        result.solution.report.objective, rel=1e-9
    )
    assert set(again.solution.chosen.index) == set(result.solution.chosen.index)


def test_run_folder_contents(example_run):
    result, out = example_run
    sol = result.solution
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["status"] == "optimal"
    assert len(manifest["inputs_hash"]) == 64
    assert manifest["versions"]["highspy"] and manifest["solver"]["mip_gap"] == 1e-6
    assert {"sites.gpkg", "summary.json", "tables/sites.csv", "tables/arcs.csv"} <= set(
        manifest["files"]
    )
    layers = dict(pyogrio.list_layers(out / "sites.gpkg"))
    assert {"sites", "candidates", "pipelines", "nodes", "grid_links"} <= set(layers)
    assert pyogrio.read_info(out / "sites.gpkg", layer="sites")["features"] == len(sol.chosen)
    assert pyogrio.read_info(out / "sites.gpkg", layer="candidates")["features"] == 5
    summary = json.loads((out / "summary.json").read_text())
    assert summary["totals"]["it_mw"] == pytest.approx(sol.totals["it_mw"])
    assert {s["site_id"] for s in summary["sites"]} == set(sol.chosen.index)
    assert not list(out.glob(".*partial*"))


def test_read_back_and_recheck(example_run):
    result, out = example_run
    loaded = read_solution(out)
    report = check_solution(loaded)
    assert report.ok
    assert report.objective_recomputed == pytest.approx(result.solution.report.objective, rel=1e-9)


def test_cli_run_and_check(tmp_path):
    out = tmp_path / "x"
    proc = subprocess.run(
        [*SITING, "run", "--example", "--out", str(out)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "optimal" in proc.stdout and "gas burnt" in proc.stdout and "MIP gap" in proc.stdout
    assert (out / "manifest.json").exists()
    proc = subprocess.run([*SITING, "check", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0 and "ok" in proc.stdout


def test_cli_log_level_puts_the_diagnostics_on_stderr(tmp_path):
    argv = ["run", "--example", "--quiet", "--out", str(tmp_path / "x")]
    quiet = subprocess.run([*SITING, *argv], capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert "INFO" not in quiet.stderr
    proc = subprocess.run([*SITING, "--log-level", "info", *argv], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "siting.notes INFO: network: 7 nodes" in proc.stderr
    assert "siting.solver.handle INFO: HiGHS: optimal" in proc.stderr
    assert "INFO" not in proc.stdout


def test_cli_prints_a_diagnosis_not_a_traceback(tmp_path):
    out = tmp_path / "inf"
    proc = subprocess.run(
        [*SITING, "run", "--example", "--out", str(out), "--set", "objective.target_it=30 GW"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    assert "infeasible" in proc.stderr and "target" in proc.stderr
    assert not (out / "manifest.json").exists()
    # the network of the failed run is there to look at, and the console says where
    for name in ("nodes", "arcs", "network_balance", "network_components"):
        assert (out / "tables" / f"{name}.csv").exists(), name
    assert (out / "network_report.json").exists() and (out / "diagnosis.json").exists()
    assert "network tables" in proc.stderr


def test_cli_bad_case_is_one_line(tmp_path):
    path = write_example(tmp_path)
    path.write_text(path.read_text().replace("max_sites: 3", "max_sitez: 3"))
    proc = subprocess.run([*SITING, "run", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "objective.max_sitez: unknown key" in lines[0]


def test_interrupted_write_leaves_no_complete_looking_run(tmp_path, monkeypatch):
    import siting.output.run_folder as outputs

    case = example_case()
    result = solve_case(case, data=example_geodata(case))
    from siting.api import write_result

    write_result(result, tmp_path)  # a previous complete run in the same folder
    assert (tmp_path / "manifest.json").exists()

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "write_json", boom)
    with pytest.raises(OSError):
        write_result(result, tmp_path)
    assert not (tmp_path / "manifest.json").exists()
    assert not list(tmp_path.rglob("*partial*"))


def test_formulation_switches_keep_the_example_optimum(example_run):
    """Every strengthening family off gives the same optimal cost on the gas-siting example."""
    result, _ = example_run
    plain = example_case(
        formulation={
            "strong_linking": False,
            "capacity_cover": False,
            "symmetry_breaking": False,
            "tight_bounds": False,
        }
    )
    other = solve_case(plain, data=example_geodata(plain)).solution
    assert other.report.is_optimal
    assert other.report.objective == pytest.approx(result.solution.report.objective, rel=1e-6)


def test_regional_gas_prices_scale_with_the_case_price():
    """Sites take the price of the nearest priced node relative to the cheapest priced node
    (3870 RUB/1000 m³, the field belt): the hub pays 4500/3870 = 1.163 times the case's gas
    price, the junction 5500/3870; cs_north, nearest to field_north, pays the base price. A
    fresh build at twice the case price gives the same factors, so rebuilding and re-solving
    agree."""
    from siting.pipeline import prepare

    for price in ("3870 RUB/1000m3", "7740 RUB/1000m3"):
        case = example_case(costs={"gas_price": price})
        sites = prepare(case, example_geodata(case)).inputs.sites
        assert sites.loc["hub", "gas_price_factor"] == pytest.approx(4500 / 3870)
        assert sites.loc["junction", "gas_price_factor"] == pytest.approx(5500 / 3870)
        assert sites.loc["cs_north", "gas_price_factor"] == pytest.approx(1.0)
