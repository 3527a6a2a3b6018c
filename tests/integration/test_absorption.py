"""The absorption curve: ``max_gas_use`` under a cost ceiling, swept over the ceiling, on the
example case. A higher ceiling only loosens the one constraint it sets, so the gas absorbed
cannot fall; each point is the plan a single run at that ceiling finds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from siting.api import load_case, solve_case
from siting.examples import write_example
from siting.sweep import analysis, load_sweep, run_sweep

SITING = [sys.executable, "-m", "siting"]
#: the example at 500 MW costs about 189 USD per MWh of IT: below 185 nothing is built,
#: at 250 the three sites' 900 MW are
CEILINGS = [170, 185, 190, 195, 200, 250]


@pytest.fixture(scope="module")
def absorb(tmp_path_factory) -> tuple[Path, Path]:
    """The example as a max_gas_use case with a ceiling, and a sweep file over the ceiling."""
    directory = tmp_path_factory.mktemp("absorb")
    case = yaml.safe_load(write_example(directory).read_text())
    case["objective"] |= {"sense": "max_gas_use", "target_it": None, "ceiling_usd_per_mwh": 200}
    case_path = directory / "absorb.yaml"
    case_path.write_text(yaml.safe_dump(case, sort_keys=False))
    spec = {
        "name": "absorb",
        "case": "absorb.yaml",
        "parameters": {"objective.ceiling_usd_per_mwh": {"values": CEILINGS}},
    }
    sweep_path = directory / "sweep.yaml"
    sweep_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return case_path, sweep_path


def test_the_curve_rises_and_each_point_is_a_single_run(absorb, tmp_path):
    case_path, sweep_path = absorb
    result = run_sweep(load_sweep(sweep_path), tmp_path / "s", workers=0, progress=False)
    assert analysis.is_absorption(result.runs)
    curve = analysis.absorption_curve(result.runs)
    assert list(curve["ceiling_usd_per_mwh"]) == CEILINGS
    assert (curve["status"] == "optimal").all()
    gas = curve["gas_total_bcm_y"].to_numpy(float)
    assert np.all(np.diff(gas) >= -1e-9)
    assert gas[0] == 0 and gas[-1] > 0
    # the ceiling binds wherever something is built below the saturation point
    built = curve[curve["it_gw"] > 0]
    assert (built["cost_usd_per_mwh_it"] <= built["ceiling_usd_per_mwh"] + 1e-6).all()
    for _, row in curve.iterrows():
        case = load_case(
            case_path, overrides={"objective.ceiling_usd_per_mwh": row["ceiling_usd_per_mwh"]}
        )
        single = solve_case(case).solution
        t = single.totals
        assert row["gas_total_bcm_y"] == pytest.approx(t["gas_total_bcm_y"], rel=1e-6, abs=1e-9)
        assert row["it_gw"] == pytest.approx(t["it_mw"] / 1e3, rel=1e-6, abs=1e-9)
        assert row["cost_musd_y"] == pytest.approx(t["cost_musd_y"], rel=1e-6, abs=1e-6)


def test_the_sweep_command_writes_the_curve_and_its_plot(absorb, tmp_path):
    _case, sweep_path = absorb
    out = tmp_path / "s"
    done = subprocess.run(
        [*SITING, "sweep", str(sweep_path), "--out", str(out), "-w", "0", "-q", "--plots"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Absorption curve" in done.stdout
    assert (out / "plots" / "absorption.png").stat().st_size > 0
    curve = (out / "absorption.csv").read_text().splitlines()
    assert curve[0].startswith("ceiling_usd_per_mwh,") and len(curve) == len(CEILINGS) + 1
