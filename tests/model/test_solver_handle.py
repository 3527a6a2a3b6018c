"""The solver handle: built once, moved by its mutable parameters, solved again; every answer
is the one a fresh build gives, gas routes included, and a failed solve says how it ended.

The routing toy: field F, site s at S. Pipes F→S (30 MW, 1 km) and F→M→S (1,000 MW, 1 km
each, so 2 km). A 10 MW module at PUE 1 and η = 0.5 burns 20 MW of gas:

- target 20 MW → 40 MW of gas: 30 MW on the short pipe (full), 10 MW round by M;
- target 10 MW → 20 MW of gas: all of it on the short pipe.

The cost does not depend on the route (no transport cost), so only the routing step puts
the gas on the shortest pipes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from toy import toy

from siting.config import FormulationConfig, SolverConfig
from siting.errors import InfeasibleError
from siting.facility_location import FacilityProblem, facility_inputs
from siting.pipeline import solve_inputs
from siting.solver.handle import SolverHandle

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=30)
TABLES = ("sites", "arcs", "nodes", "grid_nodes", "hubs", "serve")


def detour(**params):
    return toy(
        {"F": {"supply": 1000}, "M": {}, "S": {}},
        {"F>S": ("F", "S", 30), "F>M": ("F", "M", 1000), "M>S": ("M", "S", 1000)},
        {"s": {"node": "S", "open_cost_musd_y": 1.0}},
        **{"generator_efficiency": 0.5, "gas_cost_musd_per_mw_y": 0.01, "target_mw": 20, **params},
    )


def scattered(seed: int, m: int, n: int) -> FacilityProblem:
    """m sites and n customers at random points of a square, cost = distance."""
    rng = np.random.default_rng(seed)
    sites, customers = rng.uniform(0, 10, (m, 2)), rng.uniform(0, 10, (n, 2))
    return FacilityProblem(
        name=f"scattered{seed}",
        cost=pd.DataFrame(
            np.linalg.norm(sites[:, None, :] - customers[None, :, :], axis=2),
            index=[f"s{i}" for i in range(m)],
            columns=[f"c{j}" for j in range(n)],
        ),
        demand=pd.Series(rng.integers(1, 10, n).astype(float), index=[f"c{j}" for j in range(n)]),
        fixed_cost=pd.Series(rng.uniform(5, 40, m), index=[f"s{i}" for i in range(m)]),
    )


def assert_same_plan(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.totals == b.totals


def test_a_solve_routes_the_gas_on_the_shortest_pipes():
    sol = SolverHandle(detour(), EXACT).solve()
    flow = sol.arcs["flow_mw"]
    assert flow["F>S"] == pytest.approx(30)
    assert flow["F>M"] == pytest.approx(10)
    assert flow["M>S"] == pytest.approx(10)


@pytest.mark.parametrize(
    ("field", "values"),
    [("target_mw", [20, 10, 20]), ("gas_cost_musd_per_mw_y", [0.01, 0.5, 0.02])],
)
def test_updates_give_the_plans_of_fresh_builds(field, values):
    """Each re-solve of one handle equals a fresh single run, flows included, and moves
    only parameters (the hand-off is an update after the first solve)."""
    handle = SolverHandle(detour(), EXACT)
    for i, value in enumerate(values):
        inputs = detour(**{field: value})
        handle.update(inputs.params)
        sol = handle.solve(warm=True)
        assert sol.report.handoff == ("full" if i == 0 else "update")
        fresh, check, _ = solve_inputs(inputs, EXACT)
        assert check.ok
        assert_same_plan(sol, fresh)
    assert handle.solve(warm=True).arcs["flow_mw"]["F>M"] == pytest.approx(10)


def test_update_refuses_a_change_that_needs_a_rebuild():
    handle = SolverHandle(detour(), EXACT)
    with pytest.raises(ValueError, match="rebuilt"):
        handle.update(detour(generator_efficiency=0.4).params)
    with pytest.raises(ValueError, match="rebuild"):
        handle.update(detour(target_mw=None).params)


def test_an_infeasible_point_carries_its_report_and_diagnosis():
    """Target 60 MW needs 120 MW of gas; 1,000 MW reach S, but the site holds at most 50 MW
    of IT (5 modules): the elastic re-solve blames the target."""
    handle = SolverHandle(detour(), EXACT)
    handle.update(detour(target_mw=60).params)
    with pytest.raises(InfeasibleError) as caught:
        handle.solve(warm=True)
    assert str(caught.value.report.outcome) == "infeasible"
    assert caught.value.diagnosis.families == ["target"]
    handle.update(detour(target_mw=20).params)
    assert handle.solve(warm=True).report.objective == pytest.approx(1 + 0.01 * 40)


def test_a_lagrangian_model_is_fixed_again_for_new_parameters():
    """Facility location (at most k of 7 sites): the Lagrangian fixings hold for one k only,
    so a new k rebuilds the model from a new bound; each answer is the fresh build's."""
    form = FormulationConfig(lagrangian_min_pairs=0)
    base = facility_inputs(scattered(seed=4, m=7, n=15), p=3, exactly=False, formulation=form)
    handle = SolverHandle(base, EXACT)
    for k in (3, 2, 4):
        inputs = base.with_params(max_sites=k)
        handle.update(inputs.params)
        sol = handle.solve(warm=True)
        assert sol.report.presolve, "the Lagrangian step ran"
        fresh, _, _ = solve_inputs(inputs, EXACT)
        assert sol.report.objective == pytest.approx(fresh.report.objective, rel=1e-9)
        assert set(sol.chosen.index) == set(fresh.chosen.index)
    with pytest.raises(ValueError, match="rebuild"):
        handle.update(replace(base.params, max_sites=None))
