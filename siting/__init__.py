"""siting: where to build gas-fired data centres along a pipeline network.

The public API is small; everything here is a plain function over plain data::

    from siting import load_case, solve_case
    result = solve_case(load_case("models/russia.yaml"), out="results/russia")
    result.solution.chosen
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    from siting.io.spopt import read_spopt_network, read_spopt_sf
    from siting.output.run_folder import read_solution
    from siting.pipeline import Prepared, RunResult, prepare, run, solve_inputs
    from siting.solution import Solution
    from siting.solve import HighsSolver, Outcome, SolveReport
    from siting.sweep import load_sweep, run_sweep

__version__ = "0.1.0"

#: public name → the module that defines it (imported on first use)
_LAZY = {
    "Case": "siting.config",
    "CaseError": "siting.errors",
    "check_solution": "siting.check",
    "CheckError": "siting.errors",
    "CheckReport": "siting.check",
    "DataError": "siting.errors",
    "Diagnosis": "siting.diagnose",
    "example_case": "siting.examples",
    "example_geodata": "siting.examples",
    "facility_inputs": "siting.facility_location",
    "FacilityProblem": "siting.facility_location",
    "GeoData": "siting.geodata",
    "HighsSolver": "siting.solve",
    "InfeasibleError": "siting.errors",
    "inputs_hash": "siting.api",
    "load_case": "siting.api",
    "load_sweep": "siting.sweep",
    "ModelInputs": "siting.inputs",
    "Outcome": "siting.solve",
    "Params": "siting.inputs",
    "prepare": "siting.pipeline",
    "Prepared": "siting.pipeline",
    "read_orlib_cap": "siting.io.orlib",
    "read_solution": "siting.output.run_folder",
    "read_spopt_network": "siting.io.spopt",
    "read_spopt_sf": "siting.io.spopt",
    "run": "siting.pipeline",
    "run_sweep": "siting.sweep",
    "RunResult": "siting.pipeline",
    "SitingError": "siting.errors",
    "Solution": "siting.solution",
    "solve_case": "siting.api",
    "solve_inputs": "siting.pipeline",
    "SolveError": "siting.errors",
    "SolveReport": "siting.solve",
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
    "read_spopt_sf",
    "run",
    "run_sweep",
    "solve_case",
    "solve_inputs",
    "write_result",
]


def __getattr__(name: str) -> Any:
    """Import the module behind a public name on first use: ``import siting`` stays cheap,
    and ``siting --help`` or reading a case file does not load the solver."""
    if name not in _LAZY:
        raise AttributeError(f"module 'siting' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
