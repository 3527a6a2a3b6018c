"""The tornado (``siting.sweep.tornado``) on the example case: every bar is the difference
of two independent single runs, and the CLI writes the table, charts and report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from siting.api import load_case, solve_case
from siting.examples import write_example
from siting.io.sweep_file import sweep_from_dict
from siting.sweep import run_sweep
from siting.sweep.tornado import bars, tornado_parameters, tornado_spec, tornado_table

SITING = [sys.executable, "-m", "siting"]


@pytest.fixture(scope="module")
def case_path(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("example")
    write_example(directory)
    return directory / "example.yaml"


@pytest.fixture(scope="module")
def tornado(case_path, tmp_path_factory):
    case = load_case(case_path)
    sweep = sweep_from_dict(tornado_spec(case, 0.25), case=case_path)
    out = tmp_path_factory.mktemp("tornado")
    result = run_sweep(sweep, out, workers=0, progress=False)
    return case, tornado_table(sweep, result.runs)


def test_the_inputs_are_the_ones_asked_for(case_path):
    """Without a menu: generation capex, the reserve (off in the example, so at 1 in 4),
    grid price, gas price, discount rate."""
    params = tornado_parameters(load_case(case_path), 0.25)
    assert list(params) == [
        "costs.generation_capex",
        "technology.n_plus_one_units",
        "costs.grid_price",
        "costs.gas_price",
        "costs.discount_rate",
    ]
    assert params["costs.gas_price"] == {"factors": [0.75, 1.25]}
    assert params["technology.n_plus_one_units"] == {"values": [4]}


def _single(case_path: Path, overrides: dict) -> tuple[float, float]:
    solution = solve_case(load_case(case_path, overrides=overrides)).solution
    assert solution.report.outcome.value == "optimal"
    t = solution.totals
    return t["cost_musd_y"], t.get("gas_total_bcm_y", t["gas_bcm_y"])


def test_each_bar_is_the_difference_of_two_single_runs(case_path, tornado):
    """Base, then each input at its low and high value through ``solve_case`` with the
    override written out by hand; the example's grid price 35 USD/MWh, gas price
    3870 RUB/1000 m³, generation capex 1.5 MUSD/MW and discount rate 0.08 at 0.75× / 1.25×."""
    _case, table = tornado
    base_cost, base_gas = _single(case_path, {})
    by_param = table.set_index("parameter")
    assert by_param["base_cost_musd_y"].to_numpy() == pytest.approx(base_cost, rel=1e-7)
    singles = {
        "costs.generation_capex": ["1.125 MUSD/MW", "1.875 MUSD/MW"],
        "technology.n_plus_one_units": [4],
        "costs.grid_price": ["26.25 USD/MWh", "43.75 USD/MWh"],
        "costs.gas_price": ["2902.5 RUB/1000m3", "4837.5 RUB/1000m3"],
        "costs.discount_rate": [0.06, 0.1],
    }
    cost_bars = bars(table, "cost").set_index("parameter")
    gas_bars = bars(table, "gas").set_index("parameter")
    moved = 0
    for path, values in singles.items():
        for side, value in zip(("low", "high"), values, strict=False):
            cost, gas = _single(case_path, {path: value})
            assert cost_bars.at[path, f"delta_{side}"] == pytest.approx(
                cost - base_cost, rel=1e-6, abs=1e-6
            ), (path, side)
            assert gas_bars.at[path, f"delta_{side}"] == pytest.approx(
                gas - base_gas, rel=1e-6, abs=1e-9
            ), (path, side)
            moved += abs(cost - base_cost) > 1e-3
    # every input moves the cost at one end at least (none is a dead parameter)
    assert moved >= len(singles)
    # cost rises with each price and capex, and with the discount rate
    for path in ("costs.generation_capex", "costs.gas_price", "costs.discount_rate"):
        assert cost_bars.at[path, "delta_low"] < 0 < cost_bars.at[path, "delta_high"]
    # bars are sorted by size
    assert list(cost_bars["size"]) == sorted(cost_bars["size"], reverse=True)


def test_the_cli_writes_table_charts_and_report(case_path, tmp_path):
    out = tmp_path / "t"
    done = subprocess.run(
        [*SITING, "tornado", str(case_path), "--out", str(out), "-w", "0", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "tornado of cost" in done.stdout
    table = pd.read_csv(out / "tornado.csv")
    assert len(table) == 5 and table["status_low"].eq("optimal").all()
    assert (out / "plots" / "tornado_cost.png").stat().st_size > 0
    assert (out / "plots" / "tornado_gas.png").stat().st_size > 0
    report = (out / "tornado.md").read_text()
    assert "plots/tornado_cost.png" in report and "costs.discount_rate" in report


def test_a_bad_spread_is_one_line(case_path, tmp_path):
    done = subprocess.run(
        [*SITING, "tornado", str(case_path), "--out", str(tmp_path / "t"), "--spread", "1.5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "spread 1.5" in done.stderr and "Traceback" not in done.stderr


def test_a_menu_case_varies_each_technology_and_the_other_rule():
    """Russia v2: four technologies under N+1, so eight capex values and the rule ``none``."""
    root = Path(__file__).resolve().parents[2]
    params = tornado_parameters(load_case(root / "models" / "russia-v2.yaml"), 0.2)
    capex = [p for p in params if p.endswith(".capex")]
    assert capex == [
        f"technology.menu.{t}.capex"
        for t in ("ccgt", "gas_turbine", "gas_turbine_small", "gas_engine")
    ]
    assert all(params[p] == {"factors": [0.8, 1.2]} for p in capex)
    assert params["technology.reliability.rule"] == {"values": ["none"]}
    assert list(params)[-3:] == ["costs.grid_price", "costs.gas_price", "costs.discount_rate"]
