"""siting: where to build gas-fired data centres along a pipeline network.

The public API is small; everything here is a plain function over plain data::

    from siting import load_case, solve_case
    result = solve_case(load_case("models/russia.yaml"), out="results/russia")
    result.solution.chosen

Names load on first use, so ``import siting`` (or any of its light modules) does not pull in
the solver, the geodata stack or the reports until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name → the module that defines it
_EXPORTS = {
    "Case": "siting.config",
    "CaseError": "siting.errors",
    "CheckError": "siting.errors",
    "CheckReport": "siting.check",
    "DataError": "siting.errors",
    "Diagnosis": "siting.diagnose",
    "FacilityProblem": "siting.facility_location",
    "GeoData": "siting.geodata",
    "HighsSolver": "siting.solver.highs",
    "InfeasibleError": "siting.errors",
    "ModelInputs": "siting.inputs",
    "Outcome": "siting.outcome",
    "Params": "siting.inputs",
    "Prepared": "siting.pipeline",
    "RunResult": "siting.pipeline",
    "SitingError": "siting.errors",
    "Solution": "siting.solution",
    "SolveError": "siting.errors",
    "SolveReport": "siting.outcome",
    "SolverHandle": "siting.solver.handle",
    "check_solution": "siting.check",
    "example_case": "siting.examples",
    "example_geodata": "siting.examples",
    "facility_inputs": "siting.facility_location",
    "inputs_hash": "siting.api",
    "load_case": "siting.api",
    "load_sweep": "siting.sweep",
    "prepare": "siting.pipeline",
    "read_orlib_cap": "siting.io.orlib",
    "read_solution": "siting.output.run_folder",
    "read_spopt_network": "siting.io.spopt",
    "read_spopt_schools": "siting.io.spopt",
    "read_spopt_sf": "siting.io.spopt",
    "run": "siting.pipeline",
    "run_sweep": "siting.sweep",
    "solve_case": "siting.api",
    "solve_inputs": "siting.pipeline",
    "write_result": "siting.api",
}

__all__ = [
    "Case",
    "CaseError",
    "CheckError",
    "CheckReport",
    "DataError",
    "Diagnosis",
    "FacilityProblem",
    "GeoData",
    "HighsSolver",
    "InfeasibleError",
    "ModelInputs",
    "Outcome",
    "Params",
    "Prepared",
    "RunResult",
    "SitingError",
    "Solution",
    "SolveError",
    "SolveReport",
    "SolverHandle",
    "check_solution",
    "example_case",
    "example_geodata",
    "facility_inputs",
    "inputs_hash",
    "load_case",
    "load_sweep",
    "prepare",
    "read_orlib_cap",
    "read_solution",
    "read_spopt_network",
    "read_spopt_schools",
    "read_spopt_sf",
    "run",
    "run_sweep",
    "solve_case",
    "solve_inputs",
    "write_result",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'siting' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from siting.api import inputs_hash, load_case, solve_case, write_result
    from siting.check import CheckReport, check_solution
    from siting.config import Case
    from siting.diagnose import Diagnosis
    from siting.errors import (
        CaseError,
        CheckError,
        DataError,
        InfeasibleError,
        SitingError,
        SolveError,
    )
    from siting.examples import example_case, example_geodata
    from siting.facility_location import FacilityProblem, facility_inputs
    from siting.geodata import GeoData
    from siting.inputs import ModelInputs, Params
    from siting.io.orlib import read_orlib_cap
    from siting.io.spopt import read_spopt_network, read_spopt_schools, read_spopt_sf
    from siting.outcome import Outcome, SolveReport
    from siting.output.run_folder import read_solution
    from siting.pipeline import Prepared, RunResult, prepare, run, solve_inputs
    from siting.solution import Solution
    from siting.solver.handle import SolverHandle
    from siting.solver.highs import HighsSolver
    from siting.sweep import load_sweep, run_sweep
