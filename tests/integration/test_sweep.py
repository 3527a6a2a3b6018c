"""Sweeps end to end on the example: answers equal independent solves, failures are recorded,
an interrupted sweep resumes without loss or duplicates, backends agree row for row."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from siting.api import load_case, solve_case
from siting.examples import write_example
from siting.output.sweep_store import PENDING, TIMING_COLUMNS, read_tables
from siting.sweep import analysis, load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[2]
SITING = [sys.executable, "-m", "siting"]
KEY = ["run_id", "status", "sites", "sites_open"]


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("example")
    write_example(directory)
    return directory


def sweep_file(case_dir: Path, spec: dict, name: str) -> Path:
    path = case_dir / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"case": "example.yaml", **spec}, sort_keys=False))
    return path


PRICE_AND_TARGET = {
    "parameters": {
        "costs.gas_price": {"factors": [0.5, 1, 4]},
        "objective.target_it": {"values": ["300 MW", "500 MW", "2 GW"]},
    }
}


@pytest.fixture(scope="module")
def price_sweep(case_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("price")
    sweep = load_sweep(sweep_file(case_dir, PRICE_AND_TARGET, "price"))
    return sweep, run_sweep(sweep, out, workers=0, progress=False)


def test_each_run_equals_an_independent_solve(case_dir, price_sweep):
    """Every re-solved point gives the objective and sites of a fresh `solve_case`; the
    2 GW target is beyond the 900 MW the three sites can host: recorded as infeasible."""
    _, result = price_sweep
    runs = result.runs
    assert len(runs) == 9
    assert (runs.loc[runs["objective.target_it"] == 2000, "status"] == "infeasible").all()
    assert runs.loc[runs["objective.target_it"] == 2000, "message"].str.contains("900 MW").all()
    solved = runs[runs["status"] == "optimal"]
    assert len(solved) == 6
    for _, row in solved.iterrows():
        price = {0.5: "1935", 1: "3870", 4: "15480"}
        factor = min(price, key=lambda f: abs(row["costs.gas_price"] * 1 - 4.907016 * f))
        fresh = solve_case(
            load_case(
                case_dir / "example.yaml",
                overrides={
                    "costs.gas_price": f"{price[factor]} RUB/1000m3",
                    "objective.target_it": f"{row['objective.target_it']:g} MW",
                },
            )
        )
        assert row["objective"] == pytest.approx(fresh.solution.report.objective, rel=1e-7)
        assert set(row["sites"].split(";")) == set(fresh.solution.chosen.index)
    # one model built, every other run re-solved it
    assert (~runs["reused"]).sum() == 1
    assert set(solved["handoff"]) <= {"full", "update"}
    chosen = result.sites.groupby("run_id")["it_mw"].sum()
    assert chosen.reindex(solved["run_id"]).to_numpy() == pytest.approx(solved["it_mw"].to_numpy())


def test_rebuilding_every_run_gives_the_same_rows(case_dir, price_sweep, tmp_path):
    sweep, reused = price_sweep
    rebuilt = run_sweep(sweep, tmp_path / "rebuilt", workers=0, reuse=False, progress=False)
    assert not rebuilt.runs["reused"].any()
    pd.testing.assert_frame_equal(rebuilt.runs[KEY], reused.runs[KEY])
    assert rebuilt.runs["objective"].to_numpy() == pytest.approx(
        reused.runs["objective"].to_numpy(), rel=1e-7, nan_ok=True
    )


def test_a_worker_keeps_its_model_out_of_the_collector_until_it_drops_it(case_dir, tmp_path):
    """Re-solves keep the built model frozen (no full collections over it); dropping what
    the worker keeps hands it back to the collector."""
    from siting.sweep import worker

    worker.forget()
    before = gc.get_freeze_count()
    sweep = load_sweep(sweep_file(case_dir, {"parameters": PRICE_AND_TARGET["parameters"]}, "gc"))
    result = run_sweep(sweep, tmp_path / "gc", workers=0, progress=False)
    assert result.runs["reused"].any()
    assert worker._STATE.models and gc.get_freeze_count() > before
    worker.forget()
    assert not worker._STATE.models and gc.get_freeze_count() == 0


def test_failures_and_time_limits_are_recorded_and_the_sweep_goes_on(case_dir, tmp_path):
    broken = case_dir / "geodata" / "broken.geojson"
    broken.write_text("{ this is not GeoJSON")
    spec = {
        "parameters": {
            "layers.nodes": {"values": ["geodata/nodes.geojson", "geodata/broken.geojson"]},
            "solver.time_limit_s": {"values": [60, 1e-9]},
        }
    }
    result = run_sweep(
        load_sweep(sweep_file(case_dir, spec, "failing")),
        tmp_path / "out",
        workers=0,
        progress=False,
    )
    runs = result.runs.set_index(["layers.nodes", "solver.time_limit_s"])
    good = str(case_dir / "geodata" / "nodes.geojson")
    bad = str(case_dir / "geodata" / "broken.geojson")
    assert runs.loc[(good, 60.0), "status"] == "optimal"
    # stopped at once: with the previous plan as a start it still has a (non-optimal) plan
    assert runs.loc[(good, 1e-9), "status"] in ("limit", "no_solution")
    assert "time limit" in runs.loc[(good, 1e-9), "message"]
    assert (runs.loc[bad, "status"] == "error").all()
    assert runs.loc[bad, "message"].str.contains("broken.geojson").all()


def test_a_pareto_front_of_cost_and_gas(case_dir, tmp_path):
    """The cost end of the front is the ordinary least-cost plan; along the front, more gas
    burnt costs more; the checker held every ε bound (all runs optimal)."""
    spec = {"pareto": {"objectives": ["cost", "gas"], "points": 5}}
    result = run_sweep(
        load_sweep(sweep_file(case_dir, spec, "front")), tmp_path, workers=0, progress=False
    )
    runs = result.runs
    assert len(runs) == 4 + 3 and (runs["status"] == "optimal").all()
    front = analysis.pareto_front(runs)
    assert front["efficient"].all()
    ordered = front.sort_values("first")
    assert ordered["second"].is_monotonic_increasing
    least_cost = solve_case(load_case(case_dir / "example.yaml")).solution
    assert ordered["first"].iloc[0] == pytest.approx(least_cost.totals["cost_musd_y"], rel=1e-6)
    eps = runs[runs["role"] == "epsilon"]
    assert (eps["gas_mw"] >= eps["epsilon"] * (1 - 1e-6)).all()
    assert (eps["handoff"] == "update").sum() >= 1


def test_analysis_of_a_sweep(price_sweep):
    _, result = price_sweep
    freq = analysis.selection_frequency(result.runs, result.sites, result.candidates)
    solved = result.runs[result.runs["status"] == "optimal"]
    for site, row in freq.iterrows():
        expected = solved["sites"].str.split(";").apply(lambda s, site=site: site in s).mean()
        assert row["share"] == pytest.approx(expected)
    assert set(freq.index) == set(result.candidates["site_id"])
    robust = analysis.robust_sites(result.runs, result.sites, 0.9)
    assert (robust["share"] >= 0.9).all()
    table = analysis.tradeoffs(result.runs)
    cost = table[(table["parameter"] == "costs.gas_price") & (table["metric"] == "cost_musd_y")]
    assert cost["mean"].is_monotonic_increasing
    assert set(cost["runs"]) == {2}


def test_pareto_filter_on_a_known_table():
    """Three plans of one point: (cost 1, gas 1), (2, 3), (3, 2): the last is dominated."""
    runs = pd.DataFrame(
        {
            "run_id": ["a", "b", "c"],
            "point": 0,
            "step": [1, 4, 5],
            "role": ["anchor", "epsilon", "epsilon"],
            "status": "optimal",
            "label": "base",
            "pareto_metrics": "cost,gas",
            "cost_musd_y": [1.0, 2.0, 3.0],
            "gas_bcm_y": [1.0, 3.0, 2.0],
        }
    )
    front = analysis.pareto_front(runs).set_index("run_id")
    assert front["efficient"].to_dict() == {"a": True, "b": True, "c": False}


def test_cli_dry_run_and_errors(case_dir):
    spec = sweep_file(case_dir, PRICE_AND_TARGET, "cli")
    out = subprocess.run(
        [*SITING, "sweep", str(spec), "--out", str(case_dir / "x"), "--dry-run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "9 design point(s), 9 run(s)" in out.stdout
    assert "re-solves" in out.stdout and "1 model(s) to build" in out.stdout
    assert not (case_dir / "x").exists()
    bad = sweep_file(case_dir, {"parameters": {"costs.gas_price": {"values": ["5 USD"]}}}, "bad")
    out = subprocess.run(
        [*SITING, "sweep", str(bad), "--out", str(case_dir / "y")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 2
    assert "error:" in out.stderr and "Traceback" not in out.stderr
    assert "parameters.costs.gas_price.values[0]" in out.stderr


@pytest.mark.slow
def test_killing_a_sweep_and_starting_again_loses_and_repeats_nothing(case_dir, tmp_path):
    """Kill the CLI (driver and worker, SIGKILL) after a few runs, then run the same sweep:
    every run exists once, the runs finished before the kill are not computed again."""
    spec = sweep_file(
        case_dir,
        {
            "parameters": {
                "costs.gas_price": {"range": ["1 USD/MWh", "30 USD/MWh"], "steps": 12},
                "objective.target_it": {"values": ["300 MW", "500 MW", "800 MW"]},
            }
        },
        "kill",
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*SITING, "sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if len(list((out / PENDING).glob("*.run.parquet"))) >= 5:
                break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = read_tables(out).runs
    assert 5 <= len(before) < 36, "the sweep should have been killed part-way"
    result = run_sweep(load_sweep(spec), out, workers=0, progress=False)
    assert result.computed == 36 - len(before)
    assert result.skipped == len(before)
    runs = result.runs
    assert len(runs) == 36 and runs["run_id"].is_unique
    assert result.sites.duplicated(["run_id", "site_id"]).sum() == 0
    kept = runs.set_index("run_id").loc[before["run_id"]]
    assert list(kept["finished_at"]) == list(before["finished_at"])
    assert not list((out / PENDING).iterdir())
    again = run_sweep(load_sweep(spec), out, workers=0, progress=False)
    assert again.computed == 0 and len(again.runs) == 36


@pytest.mark.slow
def test_local_processes_and_a_dask_cluster_agree_row_for_row(case_dir, tmp_path):
    """The same sweep on two local worker processes and on a two-worker LocalCluster gives
    the same rows; a sweep extended afterwards on Dask computes only the new runs."""
    distributed = pytest.importorskip("distributed")
    sweep = load_sweep(sweep_file(case_dir, PRICE_AND_TARGET, "backends"))
    local = run_sweep(sweep, tmp_path / "local", workers=2, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = run_sweep(sweep, tmp_path / "dask", client=client, progress=False)
        extended = dict(PRICE_AND_TARGET)
        extended["parameters"] = {
            **PRICE_AND_TARGET["parameters"],
            "costs.gas_price": {"factors": [0.5, 1, 2, 4]},
        }
        more = run_sweep(
            load_sweep(sweep_file(case_dir, extended, "extended")),
            tmp_path / "dask",
            client=client,
            progress=False,
        )
    columns = [c for c in local.runs.columns if c not in TIMING]
    pd.testing.assert_frame_equal(
        local.runs[columns].drop(columns=["reused", "warm_start", "handoff"]),
        dask.runs[columns].drop(columns=["reused", "warm_start", "handoff"]),
        check_exact=False,
        rtol=1e-7,
    )
    pd.testing.assert_frame_equal(local.sites, dask.sites, check_exact=False, rtol=1e-7)
    assert more.computed == 3 and more.skipped == 9 and len(more.runs) == 12


TIMING = {*TIMING_COLUMNS, "worker", "finished_at"}
