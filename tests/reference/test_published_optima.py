"""Published answers reproduced through the code path users run.

- Beasley's OR-Library: all 37 capacitated instances cap41…cap134 and the 15 uncapacitated
  ones, objective within 1e-3 of ``orlib_optima.csv``; capb at capacity 8000 and capc at
  7250 proven optimal (slow);
- spopt's San Francisco p-median, p = 4 weighted by POP2000: mean distance
  2982.1268579890657 m with stores 2, 11, 12 and 15;
- spopt's San Francisco maximal covering, radius 5,000 m, p = 4 weighted by POP2000: 21 of
  the 205 tracts uncovered, 89.7560975609756 % covered;
- spopt's capacitated p-median school fixture, p = 10 with the priority-1 schools kept open
  and filled: mean journey 87.2 minutes.

Every solve goes through ``solve_inputs``, so the independent checker verifies each plan.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from siting.config import SolverConfig
from siting.facility_location import facility_inputs
from siting.io.orlib import read_orlib_cap, read_orlib_optima
from siting.io.spopt import read_spopt_schools, read_spopt_sf
from siting.pipeline import solve_inputs

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=600)
SMALL = [f"cap{g}{k}" for g in (4, 5, 6, 7, 8, 9, 10, 11, 12, 13) for k in (1, 2, 3, 4)]
SMALL = [name for name in SMALL if name not in ("cap52", "cap53", "cap54")]
UNCAPACITATED = [f"cap{g}{k}" for g in (7, 10, 13) for k in (1, 2, 3, 4)]


@pytest.fixture(scope="module")
def orlib(shared_data: Path) -> Path:
    return shared_data / "orlib-cap"


@pytest.fixture(scope="module")
def optima(orlib: Path) -> dict[tuple[str, str, int | None], float]:
    """(instance, CFLP/UFLP, substituted capacity or None) → published optimum."""
    table = read_orlib_optima(orlib / "orlib_optima.csv")
    capacity = table["capacity_substituted"].astype("Int64")
    return {
        (name, problem, None if pd.isna(cap) else int(cap)): float(value)
        for name, problem, cap, value in zip(
            table["instance"], table["problem"], capacity, table["optimal_value"], strict=True
        )
    }


def solve_orlib(orlib: Path, name: str, capacity: float | None = None, uncapacitated=False):
    problem = read_orlib_cap(orlib / "instances" / f"{name}.txt", capacity, uncapacitated)
    solution, check, _ = solve_inputs(facility_inputs(problem), EXACT)
    assert check.ok, check.summary()
    assert solution.report.is_optimal, solution.report.describe()
    return solution


def test_every_instance_has_a_published_optimum(optima):
    assert {k[0] for k in optima if k[1] == "CFLP" and k[2] is None} == set(SMALL)
    assert len([k for k in optima if k[1] == "UFLP"]) == 15


@pytest.mark.parametrize("name", SMALL)
def test_capacitated_optimum(orlib, optima, name):
    solution = solve_orlib(orlib, name)
    assert solution.report.objective == pytest.approx(optima[name, "CFLP", None], abs=1e-3)


@pytest.mark.parametrize("name", UNCAPACITATED)
def test_uncapacitated_optimum(orlib, optima, name):
    solution = solve_orlib(orlib, name, uncapacitated=True)
    assert solution.report.objective == pytest.approx(optima[name, "UFLP", None], abs=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["capa", "capb", "capc"])
def test_large_uncapacitated_optimum(orlib, optima, name):
    solution = solve_orlib(orlib, name, uncapacitated=True)
    assert solution.report.objective == pytest.approx(optima[name, "UFLP", None], abs=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "capacity"), [("capb", 8000), ("capc", 7250)])
def test_large_capacitated_proven_optimal(orlib, optima, name, capacity):
    solution = solve_orlib(orlib, name, capacity)
    assert solution.report.gap == pytest.approx(0, abs=1e-9)
    assert solution.report.objective == pytest.approx(optima[name, "CFLP", capacity], abs=1e-3)
    # the Lagrangian bound fixed most sites before the MIP, and bounds the optimum
    pre = solution.report.presolve
    assert pre["sites_fixed_closed"] > 50
    assert pre["lagrangian_lower_bound"] <= solution.report.objective + 1e-6


def test_spopt_san_francisco_p_median(shared_data):
    """p = 4 stores for 205 tracts weighted by POP2000 (spopt's published result)."""
    problem = read_spopt_sf(shared_data / "spopt")
    solution, check, _ = solve_inputs(facility_inputs(problem, p=4), EXACT)
    assert check.ok
    mean_distance = solution.report.objective / problem.demand.sum()
    assert mean_distance == pytest.approx(2982.1268579890657, rel=1e-9)
    assert set(solution.chosen.index) == {"Store_2", "Store_11", "Store_12", "Store_15"}


def test_spopt_san_francisco_maximal_covering(shared_data):
    """p = 4 stores, radius 5,000 m, weights POP2000: 21 tracts uncovered (spopt). The
    covered population is also the best of all 1,820 sets of 4 stores, enumerated here."""
    import itertools

    import numpy as np

    problem = read_spopt_sf(shared_data / "spopt")
    inputs = facility_inputs(problem, objective="max_cover", radius=5000, p=4)
    solution, check, _ = solve_inputs(inputs, EXACT)
    assert check.ok, check.summary()
    assert solution.totals["hubs_uncovered"] == 21
    assert solution.totals["covered_share"] == pytest.approx(0.897560975609756, rel=1e-12)
    within = (problem.cost.to_numpy(float) <= 5000).astype(float)
    weight = problem.demand.to_numpy(float)
    best = max(
        float(weight @ within[list(four)].max(axis=0))
        for four in itertools.combinations(range(len(problem.sites)), 4)
    )
    assert solution.report.objective == pytest.approx(best, rel=1e-12)
    assert np.isclose(solution.totals["covered_weight"], best)


def test_spopt_capacitated_p_median_schools(shared_data):
    """10 students, 74 schools with capacities, p = 10; the 7 priority-1 schools stay open
    and take as many students as they hold (spopt's fulfill_predefined_fac): mean 87.2."""
    problem, priority = read_spopt_schools(shared_data / "spopt")
    first = tuple(priority.index[priority == 1])
    inputs = facility_inputs(problem, p=10, predefined=first, fill_predefined=True)
    solution, check, _ = solve_inputs(inputs, EXACT)
    assert check.ok, check.summary()
    assert solution.report.objective / problem.demand.sum() == pytest.approx(87.2, rel=1e-12)
    assert set(first) <= set(solution.chosen.index)
    assert len(solution.chosen) == 10
