"""siting: where to build gas-fired data centres along a pipeline network.

The public API is small; everything here is a plain function over plain data::

    from siting import load_case, solve_case
    result = solve_case(load_case("models/russia.yaml"), out="results/russia")
    result.solution.chosen
"""

from siting.api import inputs_hash, load_case, solve_case, write_result
from siting.check import CheckReport, check_solution
from siting.config import Case
from siting.diagnose import Diagnosis
from siting.errors import CaseError, CheckError, DataError, InfeasibleError, SitingError, SolveError
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
