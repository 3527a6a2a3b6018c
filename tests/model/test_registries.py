"""One registry per concept, held to every consumer.

- Constraint families: each family module declares a ``FamilySpec``; the elastic mode's
  slacks, the diagnosis's findings and the checker's report speak only of declared
  families, and every declared family reaches each of them.
- Mutable parameters: ``siting.solver.parameters.MUTABLE`` is the whole list; the model's
  mutable parameters (which the HiGHS hand-off moves) and ``set_params`` agree with it
  (the sweep's reuse table is held to it in ``tests/unit/test_sweep_reuse.py``).
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from toy import toy

from siting.check import check_solution
from siting.config import SolverConfig
from siting.diagnose import graph_checks
from siting.errors import InfeasibleError
from siting.pipeline import solve_inputs
from siting.solver.model import (
    FAMILIES,
    SPECS,
    FamilySpec,
    build_model,
    declared_families,
    pareto,
    set_params,
)
from siting.solver.model.grid import FAMILY as GRID
from siting.solver.parameters import MUTABLE, SCALARS

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)
SITE = {"s": {"node": "S"}}


def everything(**params):
    """Every family at once: a field, a pipe, a grid node, two identical sites in one
    spacing clique, a hub, a target, a budget and site limits. Optimum: one site, 20 MW."""
    twin = {"node": "S", "grid_id": "g", "open_cost_musd_y": 1.0}
    return toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"a": twin, "b": twin},
        grid={"g": 100.0},
        hubs={"h": {"demand": 10.0}},
        serve=[("a", "h", 5.0), ("b", "h", 5.0)],
        cliques=[["a", "b"]],
        **{
            "generator_efficiency": 0.5,
            "grid_energy_cost_musd_per_mw_y": 0.1,
            "target_mw": 20,
            "budget_musd": 1e6,
            "max_sites": 2,
            "min_sites": 1,
            "min_spacing_km": 10.0,
            "max_rtt_ms": 10.0,
            **params,
        },
    )


def everything_v2(**params):
    """Every model v2 family at once: two periods, a technology menu with a national cap
    under the N+1 rule with a grid firm share, a grid node whose gas share is fed from S,
    with a capacity charge, and a cost ceiling. Optimum: 20 MW of IT."""
    return toy(
        {"F": {"supply": 1000}, "S": {}},
        {"F>S": ("F", "S", 1000)},
        {"a": {"node": "S", "grid_id": "g", "pue": {"w": 1.2, "s": 1.1}}},
        grid={"g": {"w": 10.0, "s": 30.0}},
        periods={"w": 0.4, "s": 0.6},
        techs={
            "big": {"unit": 20, "efficiency": 0.5, "cost": 1.0, "capex": 5.0, "cap": 40},
            "small": {"unit": 5, "efficiency": 0.4, "cost": 1.2, "capex": 6.0, "vom": 0.1},
        },
        grid_fuel={"g": {"gas_share": 0.5, "heat_rate": 2.5, "gas_node": "S"}},
        grid_charges={"g": {"capacity": 0.2, "connection": 0.1, "connection_capex": 1.0}},
        **{
            "reliability": "n_plus_1",
            "grid_firm_share": 0.5,
            "grid_energy_cost_musd_per_mw_y": 0.5,
            "target_mw": 20,
            "budget_musd": 1e6,
            "ceiling_usd_per_mwh": 1e4,
            **params,
        },
    )


def covering():
    """Facility location with the covering and predefined families: location set covering
    with a predefined site (optimum: both sites), and a p-median whose predefined site is
    filled (optimum: s1 serves its 1, s2 the other 1)."""
    import pandas as pd

    from siting.facility_location import FacilityProblem, facility_inputs

    cost = pd.DataFrame({"h1": [1.0, 5.0], "h2": [5.0, 1.0]}, index=["s1", "s2"])
    prob = FacilityProblem(
        "registries",
        cost,
        pd.Series(1.0, index=cost.columns),
        pd.Series(0.0, index=cost.index),
        pd.Series(1.0, index=cost.index),
    )
    return (
        facility_inputs(prob.uncapacitated(), objective="min_cover", radius=2, predefined=["s1"]),
        facility_inputs(prob, p=2, predefined=["s1"], fill_predefined=True),
    )


def front(**params):
    """The Pareto objective with an ε bound on gas burnt."""
    return everything(
        objective="pareto",
        pareto_metrics=("cost", "gas"),
        pareto_weights=(1.0, 0.0),
        pareto_bounds=(None, 10.0),
        **params,
    )


def test_every_family_module_declares_its_families():
    for module in (*FAMILIES, pareto):
        assert declared_families(module), f"{module.__name__} declares no FamilySpec"
    names = [spec.name for module in (*FAMILIES, pareto) for spec in declared_families(module)]
    assert len(names) == len(set(names)) == len(SPECS)


def test_a_family_with_a_slack_must_say_what_it_means():
    with pytest.raises(ValueError, match="unit and a fix"):
        FamilySpec("new_family", slack_weight=1.0)


def test_the_elastic_slacks_are_exactly_the_declared_ones():
    """Every slack names a declared family; every family that declares a slack gets it."""
    slacks = set()
    for inputs in (everything(), front(), everything_v2(), *covering()):
        for family, _var, weight in build_model(inputs, elastic=True).elastic_slacks:
            assert SPECS[family.name] is family
            assert weight > 0
            slacks.add(family.name)
    assert slacks == {name for name, spec in SPECS.items() if spec.slack_weight is not None}


def test_the_checker_checks_every_declared_family():
    checked = set()
    for inputs in (everything(), front(), everything_v2(), *covering()):
        solution, _, _ = solve_inputs(inputs, EXACT)
        checked |= set(check_solution(solution).checked)
    missing = {spec.check_name for spec in SPECS.values()} - checked
    assert not missing, f"the checker does not check {sorted(missing)}"


@pytest.mark.parametrize(
    "inputs",
    [
        # demand no pipe reaches; supply below demand; a pipe too small for the demand
        toy({"F": {"supply": 100}, "S": {}, "X": {"demand": 10}}, {"F>S": ("F", "S", 100)}, SITE),
        toy({"F": {"supply": 10}, "S": {"demand": 20}}, {"F>S": ("F", "S", 100)}, SITE),
        toy({"F": {"supply": 100}, "S": {"demand": 80}}, {"F>S": ("F", "S", 50)}, SITE),
        # a target beyond the sites; a minimum campus beyond the gas that can reach it
        toy(
            {"F": {"supply": 100}, "S": {}},
            {"F>S": ("F", "S", 100)},
            SITE,
            target_mw=100,
        ),
        toy(
            {"F": {"supply": 100}, "S": {}},
            {"F>S": ("F", "S", 5)},
            SITE,
            allow_grid=False,
            generator_efficiency=0.5,
        ),
        # hubs beyond the sites, without an energy system
        toy(
            {},
            sites=SITE,
            hubs={"h": {"demand": 100.0}},
            serve=[("s", "h", 1.0)],
            energy_system=False,
            allow_gas=False,
            allow_grid=False,
        ),
    ],
)
def test_graph_check_findings_name_declared_families(inputs):
    diagnosis = graph_checks(inputs)
    assert diagnosis.blocking
    for finding in diagnosis.findings:
        assert finding.family in SPECS, finding


def grid_short(allow_gas: bool):
    """40 MW of IT on a grid node with 30 MW spare; on-site gas cannot help: either the
    case forbids it or no pipeline reaches the site."""
    return toy(
        {"F": {"supply": 1000}, "S": {}},
        {} if allow_gas else {"F>S": ("F", "S", 1000)},
        {"s": {"node": "S", "grid_id": "g"}},
        grid={"g": 30.0},
        generator_efficiency=0.5,
        target_mw=40,
        allow_gas=allow_gas,
    )


@pytest.mark.parametrize("allow_gas", [False, True])
def test_allow_on_site_gas_is_offered_only_when_it_is_not_allowed(allow_gas):
    assert ("allow on-site gas" in GRID.hint(grid_short(allow_gas).params)) is not allow_gas
    with pytest.raises(InfeasibleError) as info:
        solve_inputs(grid_short(allow_gas), EXACT)
    (finding,) = info.value.diagnosis.findings
    assert finding.family == "grid"
    assert finding.amount == pytest.approx(10)
    assert ("allow on-site gas" in finding.message) is not allow_gas


# --- mutable parameters ---------------------------------------------------------------


def mutable_components(model) -> set[str]:
    return {
        p.parent_component().local_name
        for p in model.component_data_objects(pyo.Param)
        if p.parent_component().mutable
    }


def test_the_model_holds_exactly_the_declared_mutable_parameters():
    held = (
        mutable_components(build_model(everything()))
        | mutable_components(build_model(front()))
        | mutable_components(build_model(everything_v2()))
    )
    assert held == {q.component for q in MUTABLE}


@pytest.mark.parametrize("q", SCALARS, ids=lambda q: q.field)
def test_set_params_moves_each_declared_parameter(q):
    case = next(c for c in (everything, everything_v2) if getattr(c().params, q.field) is not None)
    model = build_model(case())
    value = float(getattr(case().params, q.field)) + 3.0
    assert set_params(model, case(**{q.field: value})) is False
    assert pyo.value(model.component(q.component)) == value
    if q.optional:
        with pytest.raises(ValueError, match="set and unset"):
            set_params(model, case(**{q.field: None}))
