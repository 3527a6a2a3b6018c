"""Case files: validation, scenarios, overrides, and one-line errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.errors import CaseError
from siting.examples import write_example
from siting.io.case_file import read_case


@pytest.fixture(scope="module")
def example_file(tmp_path_factory) -> Path:
    return write_example(tmp_path_factory.mktemp("example"))


def write(tmp_path: Path, example_file: Path, text: str) -> Path:
    """A case in the example folder (so its layer paths resolve) with extra YAML appended."""
    path = example_file.parent / f"case_{abs(hash(text))}.yaml"
    path.write_text(example_file.read_text() + text)
    return path


def error_of(path: Path, **kw) -> str:
    with pytest.raises(CaseError) as info:
        read_case(path, **kw)
    return str(info.value)


def test_example_case_file_validates(example_file):
    case = read_case(example_file)
    assert case.name == "example"
    assert case.objective.target_it.to_internal(case.conversions) == 500
    assert all(
        spec.path.is_absolute() and spec.path.exists() for spec in case.layers.specs().values()
    )
    with pytest.raises(Exception, match="frozen"):
        case.name = "other"


def test_unknown_key_names_file_line_path_and_allowed_keys(tmp_path, example_file):
    path = write(tmp_path, example_file, "solver:\n  time_limit_s: 5\n  mip_gapp: 0.01\n")
    msg = error_of(path)
    assert str(path) in msg
    assert (
        "solver.mip_gapp: unknown key (did you mean 'mip_gap'?); allowed: time_limit_s, mip_gap"
        in msg
    )
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "mip_gapp" in t)
    assert f":{line}:" in msg
    assert len(msg.splitlines()) == 1


def test_wrong_unit_is_one_line_with_allowed_units(tmp_path, example_file):
    path = write(tmp_path, example_file, "units:\n  rub_per_usd: 90\n")
    text = path.read_text().replace("target_it: 500 MW", "target_it: 500 MWh")
    path.write_text(text)
    msg = error_of(path)
    assert "objective.target_it: unit 'MWh' is not a power unit; allowed: GW, MW, W, kW" in msg
    assert len(msg.splitlines()) == 1


def test_missing_layer_file(tmp_path, example_file):
    text = example_file.read_text().replace("geodata/grid.geojson", "geodata/no_such_grid.geojson")
    path = example_file.parent / "missing.yaml"
    path.write_text(text)
    msg = error_of(path)
    assert "layers.grid.path: file not found" in msg and "no_such_grid.geojson" in msg


def test_wrong_type_and_literal(tmp_path, example_file):
    path = write(tmp_path, example_file, "")
    path.write_text(path.read_text().replace("sense: min_cost", "sense: cheapest"))
    assert "objective.sense: must be one of 'min_cost', 'max_profit' or 'max_gas_use'" in error_of(
        path
    )
    path.write_text(example_file.read_text().replace("max_sites: 3", "max_sites: three"))
    assert "objective.max_sites:" in error_of(path) and "'three'" in error_of(path)


def test_scenarios_merge_and_report_their_own_errors(tmp_path, example_file):
    path = write(
        tmp_path,
        example_file,
        "scenarios:\n"
        "  big:\n    description: a bigger target\n    objective:\n      target_it: 1 GW\n"
        "  broken:\n    objective:\n      target: 1 GW\n",
    )
    big = read_case(path, scenario="big")
    assert big.scenario == "big" and big.label == "example/big"
    assert big.objective.target_it.to_internal(big.conversions) == 1000
    assert big.objective.max_sites == 3  # untouched keys stay
    msg = error_of(path, scenario="broken")
    assert "scenario 'broken': objective.target: unknown key" in msg
    assert "unknown scenario 'nope'; known scenarios: big, broken" in error_of(
        path, scenario="nope"
    )


def test_overrides_by_key_path(example_file):
    case = read_case(
        example_file, overrides={"costs.gas_price": "5 USD/MWh", "objective.max_sites": 1}
    )
    assert case.costs.gas_price.to_internal(case.conversions) == 5
    assert case.objective.max_sites == 1
    with pytest.raises(CaseError, match=r"--set costs\.gas_prize: unknown key"):
        read_case(example_file, overrides={"costs.gas_prize": "5 USD/MWh"})


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlayers: [unclosed\n")
    msg = error_of(bad)
    assert msg.startswith(f"{bad}:") and "not valid YAML" in msg
    assert "case file not found" in error_of(tmp_path / "absent.yaml")


def test_semantic_checks(tmp_path, example_file):
    path = example_file.parent / "sem.yaml"
    path.write_text(example_file.read_text().replace("min_modules: 1", "min_modules: 9"))
    assert "min_modules (9) is larger than max_modules (6)" in error_of(path)
    path.write_text(example_file.read_text().replace("sense: min_cost", "sense: max_gas_use"))
    assert "max_gas_use needs a budget" in error_of(path)


def test_formulation_section_and_exact_site_count(tmp_path, example_file):
    """The formulation is switched in the case file and reaches the model's parameters; an
    exactly-p rule is min_sites = max_sites."""
    from siting.examples import example_geodata
    from siting.pipeline import prepare

    path = write(
        tmp_path,
        example_file,
        "formulation:\n  capacity_cover: false\n  symmetry_breaking: false\n",
    )
    path.write_text(path.read_text().replace("max_sites: 3", "max_sites: 3\n  min_sites: 3"))
    case = read_case(path)
    assert case.formulation.capacity_cover is False and case.formulation.strong_linking
    params = prepare(case, example_geodata(case)).inputs.params
    assert params.formulation == case.formulation
    assert (params.min_sites, params.max_sites) == (3, 3)
    path.write_text(path.read_text().replace("capacity_cover: false", "capacity_covr: false"))
    message = error_of(path)
    assert "formulation.capacity_covr: unknown key (did you mean 'capacity_cover'?)" in message
    assert "allowed: strong_linking, capacity_cover" in message
    path.write_text(
        example_file.read_text().replace("max_sites: 3", "max_sites: 3\n  min_sites: 4")
    )
    assert "min_sites (4) is larger than max_sites (3)" in error_of(path)


def test_params_round_trip_through_json():
    """Run folders keep the parameters as JSON; the formulation comes back as it was, and a
    folder written before a key existed reads with that key's default."""
    import json

    from siting.config import FormulationConfig
    from siting.inputs import Params

    params = Params(
        min_sites=2,
        energy_system=False,
        formulation=FormulationConfig(tight_bounds=False),
        transport_baseline_musd_y=(40.0, 10.0),
    )
    assert Params.from_dict(json.loads(json.dumps(params.to_dict()))) == params
    old = {k: v for k, v in params.to_dict().items() if k not in ("formulation", "min_sites")}
    assert Params.from_dict(old).formulation == FormulationConfig()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            "mip_heuristic_run_rinz: false",
            "mip_heuristic_run_rinz: not a HiGHS option; did you mean mip_heuristic_run_rins",
        ),
        ("mip_heuristic_run_rins: 0", "mip_heuristic_run_rins: HiGHS expects true or false, got 0"),
        ("mip_heuristic_effort: 5", "mip_heuristic_effort: HiGHS rejects the value 5.0"),
        ("mip_max_nodes: 2.5", "mip_max_nodes: HiGHS expects an integer, got 2.5"),
        ("time_limit: 5", "time_limit: set it through solver.time_limit_s"),
    ],
)
def test_highs_options_are_checked_against_highs(tmp_path, example_file, options, expected):
    path = write(tmp_path, example_file, f"solver:\n  highs_options:\n    {options}\n")
    msg = error_of(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "highs_options" in t)
    assert f"{path}:{line}: solver.highs_options: {expected}" in msg
    assert len(msg.splitlines()) == 1


def test_highs_options_keep_their_highs_types(tmp_path, example_file):
    path = write(
        tmp_path,
        example_file,
        "solver:\n  highs_options:\n    mip_heuristic_effort: 0\n    presolve: 'off'\n",
    )
    options = read_case(path).solver.highs_options
    assert options == {"mip_heuristic_effort": 0.0, "presolve": "off"}
    assert isinstance(options["mip_heuristic_effort"], float)


def test_the_transport_tariff_takes_a_unit_once(tmp_path, example_file):
    """costs.gas_transport_tariff is read with its unit; the unitless key beside it is one
    line naming both."""
    path = example_file.parent / "tariff.yaml"
    text = example_file.read_text().replace(
        "gas_price: 3870 RUB/1000m3",
        "gas_price: 3870 RUB/1000m3\n  gas_transport_tariff: 20 RUB/1000m3/100km",
    )
    path.write_text(text)
    costs = read_case(path).costs
    assert costs.transport_tariff(read_case(path).conversions) == pytest.approx(0.2535926, rel=1e-6)
    path.write_text(
        text.replace(
            "gas_transport_tariff:",
            "transport_tariff_usd_per_mwh_per_1000km: 0.3\n  gas_transport_tariff:",
        )
    )
    message = error_of(path)
    assert "give the transport tariff once" in message and "\n" not in message
    path.write_text(text.replace("20 RUB/1000m3/100km", "20 RUB/1000m3"))
    assert "not a gas_tariff unit; allowed:" in error_of(path)
