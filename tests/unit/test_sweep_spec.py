"""Sweep files: validation before any run, design expansion, run ids, chains and order."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from siting.errors import CaseError
from siting.examples import write_example
from siting.io.layers import file_digest
from siting.sweep import load_sweep, make_plan, sweep_from_dict
from siting.sweep.design import design_points
from siting.sweep.plan import relaxing_order, segments


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("case")
    write_example(directory)
    return directory


def sweep_file(case_dir: Path, spec: dict, name: str = "sweep.yaml") -> Path:
    path = case_dir / name
    path.write_text(yaml.safe_dump({"case": "example.yaml", **spec}, sort_keys=False))
    return path


def error(case_dir: Path, spec: dict) -> str:
    with pytest.raises(CaseError) as info:
        load_sweep(sweep_file(case_dir, spec))
    message = str(info.value)
    assert "Traceback" not in message
    return message


def test_a_path_that_does_not_exist_names_the_allowed_keys(case_dir):
    message = error(case_dir, {"parameters": {"costs.gas_prise": {"values": ["5 USD/MWh"]}}})
    assert "sweep.yaml:3: parameters.costs.gas_prise: no key 'gas_prise' under costs" in message
    assert "gas_price" in message and "grid_price" in message


def test_a_wrong_unit_names_the_value_and_the_allowed_units(case_dir):
    message = error(
        case_dir, {"parameters": {"costs.gas_price": {"values": ["5 USD/MWh", "5 USD/MW"]}}}
    )
    assert "parameters.costs.gas_price.values[1]: '5 USD/MW' is not valid" in message
    assert "allowed:" in message and "USD/MWh" in message and "RUB/1000m3" in message


def test_a_value_without_unit_and_a_wrong_type(case_dir):
    assert "has no unit" in error(case_dir, {"parameters": {"costs.gas_price": {"values": [5]}}})
    message = error(case_dir, {"parameters": {"objective.max_sites": {"values": ["three"]}}})
    assert "objective.max_sites.values[0]: 'three'" in message and "integer" in message
    message = error(case_dir, {"parameters": {"objective.sense": {"values": ["max_gas"]}}})
    assert "must be one of 'min_cost', 'max_profit' or 'max_gas_use'" in message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, "the design is empty"),
        ({"parameters": {}}, "the design is empty"),
        ({"parameters": {"costs.gas_price": {"values": []}}}, "the list is empty"),
        ({"parameters": {"costs.gas_price": {}}}, "give exactly one of values"),
        (
            {"parameters": {"objective.target_it": {"range": ["1 GW", "2 GW"]}}},
            "a grid design needs steps",
        ),
        (
            {
                "design": {"kind": "latin_hypercube"},
                "parameters": {"costs.om_fraction": {"values": [0.1]}},
            },
            "needs samples",
        ),
        ({"parameters": {"objective.budget": {"factors": [1, 2]}}}, "which is not set"),
        ({"parameters": {"costs": {"values": [1]}}}, "costs: Input should be a valid dictionary"),
        ({"parameters": {"costs.gas_price.x": {"values": [1]}}}, "is a value, not a section"),
        ({"parameters": {"name": {"values": ["x"]}}}, "cannot be swept"),
        (
            {"parameters": {"costs.gas_price": {"valuez": [1]}}},
            "unknown key (did you mean 'values'?); allowed: values",
        ),
        (
            {"designs": {}},
            "designs: unknown key (did you mean 'design'?); allowed: name, description, case",
        ),
        (
            {"fixed": {"solver.mip_gapp": 0.1}, "pareto": {"objectives": ["cost", "gas"]}},
            "fixed.solver.mip_gapp: no key 'mip_gapp'",
        ),
        (
            {"parameters": {"objective.target_it": {"range": ["1 GW", "2000 MW"], "steps": 2}}},
            "same unit",
        ),
        ({"pareto": {"objectives": ["cost", "gaz"]}}, "must be one of 'cost', 'gas'"),
        ({"pareto": {"objectives": ["cost", "cost"]}}, "two different metrics"),
    ],
)
def test_bad_sweep_files_are_rejected_before_any_run(case_dir, spec, expected):
    assert expected in error(case_dir, spec)


def test_a_missing_case_file(case_dir):
    path = case_dir / "missing.yaml"
    path.write_text(
        yaml.safe_dump({"case": "nope.yaml", "pareto": {"objectives": ["cost", "gas"]}})
    )
    with pytest.raises(CaseError, match=r"missing.yaml:1: case: file not found"):
        load_sweep(path)


def test_a_combination_the_case_rejects_names_the_design_point(case_dir):
    spec = {
        "parameters": {
            "technology.min_modules": {"values": [1, 5]},
            "technology.max_modules": {"values": [6, 3]},
        }
    }
    with pytest.raises(CaseError, match=r"design point 3 .*min_modules \(5\) is larger"):
        make_plan(load_sweep(sweep_file(case_dir, spec)), file_digest)


def test_grid_one_at_a_time_and_latin_hypercube(case_dir):
    params = {
        "costs.gas_price": {"factors": [0.5, 1, 2]},
        "objective.target_it": {"range": ["200 MW", "600 MW"], "steps": 3},
    }
    grid = load_sweep(sweep_file(case_dir, {"parameters": params}))
    assert grid.parameters["objective.target_it"].values == ("200 MW", "400 MW", "600 MW")
    assert grid.parameters["costs.gas_price"].values == (
        "1935 RUB/1000m3",
        "3870 RUB/1000m3",
        "7740 RUB/1000m3",
    )
    assert len(design_points(grid)) == 9

    oat = load_sweep(
        sweep_file(case_dir, {"parameters": params, "design": {"kind": "one_at_a_time"}})
    )
    points = design_points(oat)
    assert points[0] == {} and len(points) == 1 + 3 + 3
    # the base case and the factor 1 and 500 MW points coincide: duplicates share a run id
    plan = make_plan(oat, file_digest)
    assert len(plan.runs) == 1 + 2 + 3

    lhs = load_sweep(
        sweep_file(
            case_dir,
            {
                "parameters": {
                    "objective.target_it": {"range": ["200 MW", "600 MW"]},
                    "objective.max_sites": {"range": [1, 4]},
                },
                "design": {"kind": "latin_hypercube", "samples": 8, "seed": 3},
            },
        )
    )
    points = design_points(lhs)
    assert points == design_points(lhs)  # the seed fixes the sample
    targets = sorted(float(p["objective.target_it"].split()[0]) for p in points)
    # stratified: one sample in each eighth of [200, 600]
    assert [int((t - 200) // 50) for t in targets] == list(range(8))
    assert {p["objective.max_sites"] for p in points} <= {1, 2, 3, 4}


def test_run_ids_are_stable_and_follow_the_resolved_inputs(case_dir, tmp_path):
    spec = {"parameters": {"costs.gas_price": {"values": ["5 USD/MWh", "10 USD/MWh"]}}}
    first = make_plan(load_sweep(sweep_file(case_dir, spec, "a.yaml")), file_digest)
    again = make_plan(load_sweep(sweep_file(case_dir, spec, "b.yaml")), file_digest)
    assert [r.run_id for r in first.runs] == [r.run_id for r in again.runs]
    assert len({r.run_id for r in first.runs}) == 2
    # the same value written in another unit is the same input only if it resolves equal
    other = make_plan(
        load_sweep(
            sweep_file(
                case_dir, {"parameters": {"costs.gas_price": {"values": ["5 EUR/MWh"]}}}, "c.yaml"
            )
        ),
        file_digest,
    )
    assert other.runs[0].run_id not in {r.run_id for r in first.runs}
    # a copied case folder (same file contents elsewhere) gives the same ids
    write_example(tmp_path)
    moved = make_plan(load_sweep(sweep_file(tmp_path, spec)), file_digest)
    assert [r.run_id for r in moved.runs] == [r.run_id for r in first.runs]
    # a changed layer file changes every id
    nodes = tmp_path / "geodata" / "nodes.geojson"
    nodes.write_text(nodes.read_text().replace('"hub"', '"hub "', 1))
    changed = make_plan(load_sweep(sweep_file(tmp_path, spec)), file_digest)
    assert not {r.run_id for r in changed.runs} & {r.run_id for r in first.runs}


def test_chains_group_runs_that_can_share_a_model(case_dir):
    spec = {
        "parameters": {
            "costs.gas_price": {"factors": [1, 2]},
            "objective.target_it": {"values": ["300 MW", "500 MW"]},
            "technology.max_modules": {"values": [4, 6]},
        }
    }
    plan = make_plan(load_sweep(sweep_file(case_dir, spec)), file_digest)
    chains: dict[str, set] = {}
    for run in plan.runs:
        chains.setdefault(run.chain, set()).add(run.columns["technology.max_modules"])
    # prices and target re-solve one model; the module limit changes the model
    assert len(chains) == 2 and all(len(v) == 1 for v in chains.values())


def test_runs_are_ordered_so_each_plan_stays_a_feasible_start(case_dir):
    spec = {
        "parameters": {
            "objective.target_it": {"values": ["300 MW", "700 MW", "500 MW"]},
            "objective.max_sites": {"values": [3, 1, 2]},
        }
    }
    plan = make_plan(load_sweep(sweep_file(case_dir, spec)), file_digest)
    ordered = relaxing_order(plan.runs)
    keys = [(r.columns["objective.target_it"], r.columns["objective.max_sites"]) for r in ordered]
    assert keys[:3] == [(700.0, 1.0), (700.0, 2.0), (700.0, 3.0)]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    # one chain, split so that two slots both have work
    assert len(segments(plan, 2, file_digest)) == 2


def test_an_in_memory_case_and_mapping(case_dir):
    from siting.examples import example_case

    sweep = sweep_from_dict(
        {"parameters": {"costs.gas_price": {"factors": [1, 2]}}}, case=example_case()
    )
    plan = make_plan(sweep, file_digest, data_digest="d")
    assert len(plan.runs) == 2
    assert plan.runs[0].case.costs.gas_price.value == 3870


def test_scenarios_are_swept_by_name(tmp_path):
    case = write_example(tmp_path)
    raw = yaml.safe_load(case.read_text())
    raw["scenarios"] = {"bigger": {"objective": {"target_it": "800 MW"}}}
    case.write_text(yaml.safe_dump(raw))
    sweep = load_sweep(
        sweep_file(tmp_path, {"parameters": {"scenario": {"values": [None, "bigger"]}}})
    )
    plan = make_plan(sweep)
    assert [r.columns["scenario"] for r in plan.runs] == ["base", "bigger"]
    assert [r.case.objective.target_it.value for r in plan.runs] == [500, 800]
    # only the target differs: one model serves both
    assert len({r.chain for r in plan.runs}) == 1
    message = error(tmp_path, {"parameters": {"scenario": {"values": ["smaller"]}}})
    assert "unknown scenario 'smaller'; known scenarios: bigger" in message
