"""`siting robust` end to end on the example: the folder's run folders re-check, its tables
agree with them, and bad requests are one line each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from siting.check import check_solution
from siting.examples import write_example
from siting.output.run_folder import read_solution

SITING = [sys.executable, "-m", "siting"]
SCENARIOS = {
    "dear-gas": {"costs": {"gas_price": "12000 RUB/1000m3"}},
    "wide": {"candidates": {"spacing_km": 80}},
    "snapped": {"network": {"snap_km": 3.0}},
    "profit": {"objective": {"sense": "max_profit"}},
}


@pytest.fixture(scope="module")
def case_file(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("example")
    path = write_example(directory)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["scenarios"] = SCENARIOS
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def robust(case_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SITING, "robust", str(case_file), *args], capture_output=True, text=True, timeout=300
    )


def test_the_robust_folder_rechecks_and_agrees_with_its_run_folders(case_file, tmp_path):
    out = tmp_path / "robust"
    done = robust(
        case_file,
        "--scenarios",
        "base=0.7,dear-gas=0.3",
        "--objective",
        "regret",
        "--out",
        str(out),
        "-q",
    )
    assert done.returncode == 0, done.stderr
    plans = pd.read_csv(out / "robust_plans.csv")
    costs = pd.read_csv(out / "robust_costs.csv")
    sites = pd.read_csv(out / "robust_sites.csv")
    summary = json.loads((out / "robust.json").read_text())
    assert plans["plan"].tolist() == ["robust", "own:base", "own:dear-gas"]
    assert summary["objective"] == "regret" and summary["scenarios"] == {
        "base": 0.7,
        "dear-gas": 0.3,
    }
    robust_sites = set(sites.loc[sites["plan"] == "robust", "site_id"])
    for name in ("base", "dear-gas"):
        solution = read_solution(out / name)
        assert check_solution(solution).ok
        opened = set(solution.sites.index[solution.sites["open"] > 0])
        assert opened == robust_sites
        row = costs[(costs["plan"] == "robust") & (costs["scenario"] == name)].iloc[0]
        assert row["cost_musd_y"] == pytest.approx(solution.totals["cost_musd_y"])
        assert row["regret_musd_y"] >= -1e-6
    robust_row = plans.set_index("plan").loc["robust"]
    # the robust plan's worst regret is no larger than any own plan's
    assert robust_row["max_regret_musd_y"] <= plans["max_regret_musd_y"].min() + 1e-6
    assert (out / "robust.md").read_text().startswith("## One plan across scenarios")
    # each scenario's report carries the comparison, naming its scenario
    for name in ("base", "dear-gas"):
        report = (out / name / "report.md").read_text()
        assert "## One plan across scenarios" in report
        assert f"the robust plan operated in scenario {name}." in report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenarios", "base=0.5,dear-gas=0.4"], "the scenario probabilities sum to 0.9, not 1"),
        (["--scenarios", "base=0.5,nowhere=0.5"], "unknown scenario 'nowhere'; known scenarios"),
        (
            ["--scenarios", "base=0.5,wide=0.5"],
            "scenario 'wide' changes candidates.spacing_km (None → 80.0), a first-stage input",
        ),
        (
            ["--scenarios", "base=0.5,snapped=0.5"],
            "scenario 'snapped' changes network.snap_km (1.0 → 3.0), a first-stage input",
        ),
        (["--scenarios", "base=0.5,dear-gas=0.5", "--objective", "mean"], "unknown robust"),
        (["--scenarios", "base=0.5,profit=0.5"], "changes objective.sense"),
    ],
)
def test_bad_requests_are_one_line(case_file, tmp_path, args, message):
    done = robust(case_file, *args, "--out", str(tmp_path / "x"), "--no-maps")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert message in lines[0]
    assert not (tmp_path / "x").exists()


def test_russia_2019_as_one_annual_period_is_refused():
    """The 2019 export pattern cannot be met in winter on today's fields, so the case solves
    ``exports-2019`` as one annual period: its periods differ from the base's seasons, a
    first-stage input, and a robust plan across the two is refused in one line."""
    from siting.errors import CaseError
    from siting.robust import RobustOptions, find_robust_plan

    russia = Path(__file__).resolve().parents[2] / "models" / "russia.yaml"
    with pytest.raises(CaseError) as err:
        find_robust_plan(russia, RobustOptions({"base": 0.5, "exports-2019": 0.5}))
    message = str(err.value)
    assert "\n" not in message
    assert "scenario 'exports-2019' changes periods" in message
    assert "a first-stage input" in message


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("sanctions", "scenario 'sanctions' changes technology.menu.ccgt.national_cap"),
        ("annual", "scenario 'annual' changes periods"),
    ],
)
def test_russia_v2_scenarios_changing_the_menu_or_periods_are_refused(scenario, message):
    """The units of each technology are decided once: a scenario with another menu
    (national caps) or without the representative periods cannot share them."""
    from siting.errors import CaseError
    from siting.robust import RobustOptions, find_robust_plan

    russia = Path(__file__).resolve().parents[2] / "models" / "russia-v2.yaml"
    with pytest.raises(CaseError) as err:
        find_robust_plan(russia, RobustOptions({"base": 0.5, scenario: 0.5}))
    text = str(err.value)
    assert "\n" not in text
    assert message in text and "a first-stage input" in text


def test_a_spec_defines_a_scenario_of_its_own(case_file, tmp_path):
    """The spec's own scenario is a partial case over the case file: here the grid price of
    the named scenario ``dear-gas`` is left alone and a dearer grid defined in the spec."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "objective: regret\n"
        "scenarios:\n"
        "  dear-gas: 0.5\n"
        "  dear-grid:\n"
        "    probability: 0.5\n"
        "    description: grid energy at twice the price\n"
        "    costs: {grid_price: 70 USD/MWh}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = robust(case_file, "--spec", str(spec), "--out", str(out), "--no-maps", "-q")
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "robust.json").read_text())
    assert summary["objective"] == "regret"
    assert summary["scenarios"] == {"dear-gas": 0.5, "dear-grid": 0.5}
    grid = json.loads((out / "dear-grid" / "manifest.json").read_text())["case_resolved"]
    assert grid["costs"]["grid_price"] != grid["costs"]["gas_price"]
    assert "dear-grid: grid energy at twice the price" in grid["description"]
    assert check_solution(read_solution(out / "dear-grid")).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios:\n  base: 0.5\n  x: {costs: {gas_price: 1 USD/MWh}}\n", "needs a probability"),
        ("scenarios: {base: 0.5, dear-gas: 0.5}\nsolver: {}\n", "unknown key 'solver'"),
        ("scenarios: {base: 0.5, dear-gas: 0.6}\n", "sum to 1.1, not 1"),
        ("scenarios: {base: 0.5, dear-gas: {probability: 0.5}}\n", "defined in the spec and"),
        ("scenarios: {base: 0.5, x: {probability: 0.5, costs: {nope: 1}}}\n", "nope"),
    ],
)
def test_bad_specs_are_one_line(case_file, tmp_path, text, message):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    done = robust(case_file, "--spec", str(spec), "--out", str(tmp_path / "x"), "--no-maps")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert message in lines[0]


def test_the_russia_robust_plan_is_no_worse_than_any_scenario_plan():
    """On Russia at a 0.5 % gap the robust model may stop at a plan that a scenario's own
    plan beats in expectation; the robust plan is then that own plan. Either way no plan
    in the comparison has a lower expected cost, and every operation passed the checker."""
    from siting.robust import RobustOptions, find_robust_plan
    from siting.robust.spec import read_spec

    root = Path(__file__).resolve().parents[2]
    spec = read_spec(root / "models" / "robust" / "russia-exports.yaml")  # 2025, 2019, half
    scenarios = spec.scenarios
    options = RobustOptions(scenarios, "expected", definitions=spec.definitions, mip_gap=0.005)
    result = find_robust_plan(root / "models" / "russia.yaml", options)
    plans = result.plans.set_index("plan")
    assert plans["feasible_everywhere"].all()
    expected = plans["expected_cost_musd_y"]
    assert expected["robust"] <= expected.min() + 1e-6
    assert result.summary["robust_objective_musd_y"] == pytest.approx(expected["robust"])
    assert result.summary["robust_model_objective_musd_y"] >= expected["robust"] - 1e-6
    assert all(check.ok for check in result.checks.values())
    assert set(result.operations) == set(scenarios)


def test_the_russia_v2_robust_plan_holds_its_units_in_every_scenario():
    """Russia v2 (three periods, technology menu, N+1) over the export futures of
    models/robust/russia-v2-exports.yaml: the plan carries the units of every technology,
    every scenario's operation holds them (the checker re-verifies each), and no plan in
    the comparison has a lower expected cost."""
    from siting.robust import RobustOptions, find_robust_plan
    from siting.robust.plan import first_stage
    from siting.robust.spec import read_spec

    root = Path(__file__).resolve().parents[2]
    spec = read_spec(root / "models" / "robust" / "russia-v2-exports.yaml")
    options = RobustOptions(spec.scenarios, "expected", definitions=spec.definitions, mip_gap=0.005)
    result = find_robust_plan(root / "models" / "russia-v2.yaml", options)
    plans = result.plans.set_index("plan")
    units = [c for c in plans.columns if c.startswith("units_")]
    assert units == [
        f"units_{t}" for t in ("ccgt", "gas_turbine", "gas_turbine_small", "gas_engine")
    ]
    assert plans.loc["robust", units].sum() > 0
    expected = plans["expected_cost_musd_y"]
    assert expected["robust"] <= expected.min() + 1e-6
    held = [first_stage(s)[units] for s in result.operations.values()]
    assert all(h.equals(held[0]) for h in held)
    robust_sites = result.plan_sites[result.plan_sites["plan"] == "robust"].set_index("site_id")
    assert robust_sites[units].sum().tolist() == plans.loc["robust", units].tolist()
    assert all(check.ok for check in result.checks.values())
