"""One run order: a point of a sweep gives the tables of a single run of the same case, gas
flows included (the routing step, the Lagrangian step and the checker run in both), whether
the worker builds the model for it or re-solves the one it built."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from siting.api import load_case, solve_case
from siting.examples import write_example
from siting.sweep import load_sweep, run_sweep, worker
from siting.sweep.plan import make_plan

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("sites", "arcs", "nodes", "grid_nodes", "hubs", "serve")


def sweep_file(directory: Path, case: Path, parameters: dict) -> Path:
    path = directory / "sweep.yaml"
    path.write_text(yaml.safe_dump({"case": str(case), "parameters": parameters}))
    return path


def assert_same_tables(a, b) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.totals == b.totals


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("example")
    write_example(directory)
    return directory


def test_a_russia_sweep_point_routes_its_gas_as_the_single_run(tmp_path):
    """On Russia the plan's own routing (paying the transport tariff above the committed
    demand's least transport cost) fills 67 pipeline segments over its three periods: the
    sweep's point must report the routed flows and the costs of the single run."""
    case_path = ROOT / "models" / "russia.yaml"
    case = load_case(case_path)
    sweep = load_sweep(
        sweep_file(tmp_path, case_path, {"solver.seed": {"values": [case.solver.seed]}})
    )
    (run,) = make_plan(sweep).runs
    worker.forget()
    point = worker.solve_planned(run)
    worker.forget()
    single = solve_case(case).solution
    assert_same_tables(point, single)
    assert point.totals["arcs_full"] == single.totals["arcs_full"] == 67


def test_a_resolved_sweep_point_equals_the_single_run(case_dir, tmp_path):
    sweep = load_sweep(
        sweep_file(case_dir, case_dir / "example.yaml", {"costs.gas_price": {"factors": [3, 1]}})
    )
    case = load_case(case_dir / "example.yaml")
    runs = make_plan(sweep).runs
    base = next(r for r in runs if r.case.costs.gas_price == case.costs.gas_price)
    other = next(r for r in runs if r is not base)

    worker.forget()
    worker.solve_planned(other)
    point = worker.solve_planned(base)
    worker.forget()
    assert point.report.handoff == "update", "the point re-solved the built model"

    single = solve_case(case).solution
    assert point.arcs["flow_mw"].sum() > 0
    assert_same_tables(point, single)

    try:
        result = run_sweep(sweep, tmp_path / "out", workers=0, progress=False)
    finally:
        worker.forget()  # the next sweep of this case in this process starts cold
    row = result.runs.set_index("run_id").loc[base.run_id]
    assert row["objective"] == single.totals["objective"]
    assert row["sites"] == ";".join(single.chosen.sort_values("it_mw", ascending=False).index)
