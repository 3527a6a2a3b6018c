"""The fixed run order: read → network → candidates → inputs → check → (Lagrangian site
fixing, for facility-location models) → build → solve → extract → verify. Every step is a
plain function; this module only strings them together and times them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace

from siting.candidates import Candidates, build_candidates
from siting.check import CheckReport, check_solution
from siting.config import Case, SolverConfig
from siting.diagnose import Diagnosis, graph_checks
from siting.errors import InfeasibleError, SolveError
from siting.geodata import GeoData
from siting.inputs import ModelInputs, build_inputs
from siting.network import Network, build_network
from siting.outcome import Outcome, SolveReport
from siting.solution import Solution
from siting.solver.elastic import elastic_diagnosis
from siting.solver.extract import extract_solution
from siting.solver.highs import HighsSolver
from siting.solver.lagrangian import lagrangian_bound, use_lagrangian
from siting.solver.model import build_model
from siting.solver.routing import route_flows

Step = Callable[[str], AbstractContextManager[None]]


@contextlib.contextmanager
def _quiet(_name: str) -> Iterator[None]:
    yield


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)

    def wrap(self, step: Step) -> Step:
        @contextlib.contextmanager
        def timed(name: str) -> Iterator[None]:
            start = time.perf_counter()
            with step(name):
                yield
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start

        return timed


@dataclass
class Prepared:
    """Everything between the case and the model."""

    case: Case
    data: GeoData
    network: Network
    candidates: Candidates
    inputs: ModelInputs


@dataclass
class RunResult:
    prepared: Prepared
    solution: Solution
    check: CheckReport
    precheck: Diagnosis
    timings: dict[str, float]


def prepare(case: Case, data: GeoData | None = None, step: Step = _quiet) -> Prepared:
    """Read the layers (unless given) and build network, candidates and model inputs."""
    if data is None:
        from siting.io.layers import load_geodata

        with step("reading layers"):
            data = load_geodata(case)
    with step("building the gas network"):
        network = build_network(data.pipelines, data.nodes, case.network)
        network.report.dropped[:0] = data.removed.to_dict("records")
    with step("candidate sites"):
        candidates = build_candidates(network, data, case)
    with step("model inputs"):
        inputs = build_inputs(candidates, data, case)
    return Prepared(case, data, network, candidates, inputs)


def solve_inputs(
    inputs: ModelInputs,
    settings: SolverConfig,
    step: Step = _quiet,
    stream: bool = False,
) -> tuple[Solution, CheckReport, Diagnosis]:
    """Check, build, solve, extract and verify. Raises InfeasibleError with a diagnosis."""
    with step("pre-solve network checks"):
        precheck = graph_checks(inputs)
    if precheck.blocking:
        raise InfeasibleError("the case is infeasible before solving", precheck)
    fixings = None
    if use_lagrangian(inputs):
        with step("Lagrangian bound and site fixing"):
            fixings = lagrangian_bound(inputs)
    with step("building the model"):
        model = build_model(inputs, fixings=fixings)
    with step("solving with HiGHS"):
        report = HighsSolver(settings, stream=stream).solve(
            model, mip_start=fixings is not None and fixings.has_plan
        )
    if fixings is not None:
        report = replace(report, presolve=fixings.to_dict())
    raise_for_outcome(report, inputs, settings, step)
    solution = extract_solution(model, inputs, report)
    if inputs.params.energy_system and not inputs.arcs["cost_musd_per_mw_y"].any():
        with step("routing gas flows"):
            solution = route_flows(solution, inputs, settings)
    with step("checking the solution"):
        check = check_solution(solution, tol=settings.check_tolerance)
    return solution, check, precheck


def raise_for_outcome(
    report: SolveReport, inputs: ModelInputs, settings: SolverConfig, step: Step = _quiet
) -> None:
    """Raise InfeasibleError (with a diagnosis) or SolveError unless the solve has a plan."""
    if report.outcome in (Outcome.INFEASIBLE, Outcome.INFEASIBLE_OR_UNBOUNDED):
        diagnosis = Diagnosis()
        if settings.elastic_diagnosis:
            with step("diagnosing infeasibility (elastic re-solve)"):
                diagnosis = elastic_diagnosis(inputs, settings)
        raise InfeasibleError(f"HiGHS: {report.message}", diagnosis)
    if report.outcome is Outcome.UNBOUNDED:
        raise SolveError("the objective is unbounded: check prices, values and variable limits")
    if report.outcome is Outcome.NO_SOLUTION:
        raise SolveError(
            f"HiGHS stopped at the {report.message} ({report.solve_s:.0f} s) before finding any "
            "feasible plan; raise solver.time_limit_s"
        )
    if report.outcome is Outcome.ERROR:
        raise SolveError(report.message)


def run(
    case: Case, data: GeoData | None = None, step: Step = _quiet, stream: bool = False
) -> RunResult:
    """Prepare and solve a case end to end."""
    timings = Timings()
    timed = timings.wrap(step)
    prepared = prepare(case, data, timed)
    solution, check, precheck = solve_inputs(prepared.inputs, case.solver, timed, stream=stream)
    return RunResult(prepared, solution, check, precheck, timings.steps)
