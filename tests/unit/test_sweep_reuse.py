"""The reuse table is honest: a key path that a sweep re-solves without a rebuild changes
nothing in the model tables and only mutable parameters among the Params."""

from __future__ import annotations

import pandas as pd
import pytest

from siting.examples import example_case, example_geodata
from siting.inputs import params_from_case
from siting.io.case_file import deep_merge
from siting.pipeline import prepare
from siting.solver.model import MUTABLE_PARAMS
from siting.solver.parameters import MUTABLE
from siting.sweep.plan import _PRESENCE, REUSED

BUDGET = {"objective": {"budget": "8000 MUSD", "ceiling_usd_per_mwh": 10000.0}}
CHANGES = {
    "costs.gas_price": "9 USD/MWh",
    "costs.grid_price": "80 USD/MWh",
    "costs.compute_value": "2 MUSD/MW/y",
    "objective.target_it": "700 MW",
    "objective.budget": "9000 MUSD",
    "objective.max_sites": 2,
    "objective.ceiling_usd_per_mwh": 500.0,
    "solver.time_limit_s": 5,
    "solver.mip_gap": 0.01,
    "solver.seed": 3,
    "solver.threads": 2,
    "solver.elastic_diagnosis": False,
    "solver.highs_options": {"mip_heuristic_run_rins": False},
    "solver.check_tolerance": 1e-4,
}


def nested(path: str, value: object) -> dict:
    head, _, rest = path.partition(".")
    return {head: nested(rest, value) if rest else value}


@pytest.fixture(scope="module")
def base():
    case = example_case(**BUDGET)
    return prepare(case, example_geodata(case)).inputs


def test_every_reused_path_is_covered():
    assert set(CHANGES) == set(REUSED)


@pytest.mark.parametrize("path", sorted(CHANGES))
def test_reused_paths_change_only_mutable_parameters(base, path):
    section = path.partition(".")[0]
    case = example_case(**deep_merge(BUDGET, nested(path, CHANGES[path])))
    inputs = prepare(case, example_geodata(case)).inputs
    for name in ("nodes", "arcs", "sites", "grid_nodes", "hubs", "serve", "cliques"):
        pd.testing.assert_frame_equal(getattr(inputs, name), getattr(base, name))
    before, after = base.params.to_dict(), inputs.params.to_dict()
    changed = {k for k in before if before[k] != after[k]}
    assert changed <= set(MUTABLE_PARAMS)
    if section != "solver":
        assert changed, f"{path} should move a mutable parameter"


def test_the_reused_model_keys_are_the_declared_mutable_parameters():
    """Beyond solver settings, a sweep re-solves exactly the case keys of the mutable
    parameters table; the optional ones are the keys whose presence is structural."""
    declared = {q.case_path for q in MUTABLE if q.case_path is not None}
    assert {p for p in REUSED if not p.startswith("solver.")} == declared
    assert set(_PRESENCE) == {q.case_path for q in MUTABLE if q.optional}


@pytest.mark.parametrize("q", [q for q in MUTABLE if q.case_path], ids=lambda q: q.case_path)
def test_each_declared_case_key_moves_exactly_its_parameter(q):
    before = params_from_case(example_case(**BUDGET)).to_dict()
    change = nested(q.case_path, CHANGES[q.case_path])
    after = params_from_case(example_case(**deep_merge(BUDGET, change))).to_dict()
    assert {k for k in before if before[k] != after[k]} == {q.field}
