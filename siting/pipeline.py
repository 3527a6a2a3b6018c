"""The fixed run order: read → network → candidates → inputs → pre-solve checks → build
(with the Lagrangian site fixing, for facility-location models) → solve → extract → route →
verify. Every step is a plain function; this module only strings them together and times
them. The solver steps happen behind :class:`siting.solver.handle.SolverHandle`; the sweep
worker goes through the same :func:`solve_and_check` on a handle it keeps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from siting.candidates import Candidates, build_candidates
from siting.check import CheckReport, check_solution
from siting.check_derived import report_problems
from siting.config import Case, SolverConfig
from siting.diagnose import Diagnosis, graph_checks
from siting.errors import CheckError, InfeasibleError, SolveInterrupted
from siting.geodata import GeoData
from siting.inputs import ModelInputs, build_inputs
from siting.network import Network, build_network
from siting.notes import note, warn
from siting.outcome import INTERRUPTED, UNVERIFIED, Outcome, SolveReport
from siting.plausible import plausibility_warnings
from siting.solution import Solution
from siting.steps import CHECK_STEP, RESOLVE_STEP, Step, Timings
from siting.steps import quiet as _quiet

if TYPE_CHECKING:
    from siting.solver.handle import SolverHandle

logger = logging.getLogger(__name__)

__all__ = [
    "Prepared",
    "RunResult",
    "Step",
    "Timings",
    "prepare",
    "presolve_checks",
    "read_network",
    "run",
    "solve_and_check",
    "solve_inputs",
    "verify_report",
]


@dataclass
class Prepared:
    """Everything between the case and the model, and the warnings about the inputs."""

    case: Case
    data: GeoData
    network: Network
    candidates: Candidates
    inputs: ModelInputs
    warnings: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    prepared: Prepared
    solution: Solution
    check: CheckReport
    precheck: Diagnosis
    timings: dict[str, float]


def prepare(case: Case, data: GeoData | None = None, step: Step = _quiet) -> Prepared:
    """Read the layers (unless given) and build network, candidates and model inputs.

    What the inputs look like and what was done to them is said as it is found
    (:mod:`siting.notes`): the column read for each quantity, every capacity imputed and
    every feature left out, the candidate count; every warning is issued and kept in
    ``Prepared.warnings`` (and in the network report)."""
    from siting.solver.scipy_hook import drop_pyomo_scipy_hook

    drop_pyomo_scipy_hook()  # before the data path loads scipy
    if data is None:
        from siting.io.layers import load_geodata

        with step("reading layers"):
            data = load_geodata(case)
    for line in data.column_lines():
        note(f"columns read: {line}")
    warnings = plausibility_warnings(case, data)
    warn(warnings)
    network = read_network(case, data, step)
    warnings += network.report.warnings
    with step("candidate sites"):
        candidates = build_candidates(network, data, case)
    logger.info(
        "candidates: %d points, %d eligible", len(candidates.sites), len(candidates.eligible)
    )
    with step("model inputs"):
        inputs = build_inputs(candidates, data, case)
    network.report.gas_feeds = gas_feeds(inputs)
    logger.info(
        "model inputs: %d nodes, %d arcs, %d sites, %d grid nodes, %d hubs, %d spacing cliques",
        len(inputs.nodes),
        len(inputs.arcs),
        len(inputs.sites),
        len(inputs.grid_nodes),
        len(inputs.hubs),
        inputs.cliques["clique_id"].nunique(),
    )
    return Prepared(case, data, network, candidates, inputs, warnings)


def read_network(case: Case, data: GeoData, step: Step = _quiet) -> Network:
    """Build the gas network of ``data``, note what the builder did and issue its
    warnings; its report also holds the columns read and the features the readers left
    out."""
    with step("building the gas network"):
        network = build_network(
            data.pipelines,
            data.nodes,
            case.network,
            conversions=case.conversions,
            sources=data.sources,
        )
        network.report.dropped[:0] = records(data.removed)
        network.report.columns = [{k: str(v) for k, v in r.items()} for r in records(data.columns)]
    for line in network.report.lines():
        note(f"network: {line}")
    warn(network.report.warnings)
    return network


def gas_feeds(inputs: ModelInputs) -> list[dict[str, object]]:
    """The network node that feeds each gas-fired grid node, for the network report."""
    g = inputs.grid_nodes
    if "gas_node_source" not in g.columns:
        return []
    fed = g[g["gas_share"] > 0]
    return [
        {
            "grid_id": str(i),
            "gas_node": str(r.gas_node),
            "km": float(r.gas_node_km),
            "source": str(r.gas_node_source),
        }
        for i, r in fed.iterrows()
    ]


def solve_inputs(
    inputs: ModelInputs,
    settings: SolverConfig,
    step: Step = _quiet,
    stream: bool = False,
) -> tuple[Solution, CheckReport, Diagnosis]:
    """Check, build, solve, extract, route and verify. Raises InfeasibleError with a
    diagnosis."""
    from siting.solver.handle import SolverHandle

    precheck = presolve_checks(inputs, step=step)
    handle = SolverHandle(inputs, settings, stream=stream, step=step)
    try:
        solution, check = solve_and_check(handle, step=step)
    except SolveInterrupted as exc:
        solution, check = interrupted_plan(exc, settings.check_tolerance, step)
    return solution, check, precheck


def interrupted_plan(
    exc: SolveInterrupted, tol: float, step: Step = _quiet
) -> tuple[Solution, CheckReport]:
    """The plan HiGHS had when Ctrl-C stopped it, checked like any other: kept, marked
    interrupted (not optimal), when it passes; otherwise ``exc`` is raised again without it.
    A report its plan contradicts is not solved again (the user asked to stop): the cost is
    recomputed and no bound or gap is claimed."""
    solution = exc.solution
    if not isinstance(solution, Solution):
        raise exc
    with step(CHECK_STEP):
        check = check_solution(solution, tol=tol, raise_on_error=False)
        problems = report_problems(solution.report, check.objective_recomputed, tol)
        if problems:
            solution = _unverified(solution, check, [d for _w, _a, d in problems], {})
            check = check_solution(solution, tol=tol, raise_on_error=False)
    if not check.ok:
        logger.info("the plan HiGHS had when interrupted fails the check: %s", check.summary())
        raise SolveInterrupted(exc.report) from None
    return solution, check


def presolve_checks(
    inputs: ModelInputs, network: Diagnosis | None = None, step: Step = _quiet
) -> Diagnosis:
    """The graph checks before a solve (``network``: the findings of the network alone,
    computed once for a model that is re-solved); raises InfeasibleError if one blocks."""
    with step("pre-solve network checks"):
        precheck = graph_checks(inputs, network=network)
    for finding in precheck.findings:
        logger.info("pre-solve check: %s", finding)
    if precheck.blocking:
        raise InfeasibleError("the case is infeasible before solving", precheck)
    return precheck


def solve_and_check(
    handle: SolverHandle, warm: bool = False, step: Step = _quiet
) -> tuple[Solution, CheckReport]:
    """Solve the handle's model (``warm``: from its previous plan) and verify the plan, and
    what HiGHS reported about it (see :func:`verify_report`)."""
    tol = handle.settings.check_tolerance
    solution = handle.solve(warm=warm, step=step)
    with step(CHECK_STEP):
        check = check_solution(solution, tol=tol, raise_on_error=False)
    if report_problems(solution.report, check.objective_recomputed, tol):
        solution, check = verify_report(handle, solution, check, step)
    if not check.ok:
        raise CheckError(
            f"the solution fails the independent check: {check.summary()}", report=solution.report
        )
    return solution, check


def verify_report(
    handle: SolverHandle, solution: Solution, check: CheckReport, step: Step = _quiet
) -> tuple[Solution, CheckReport]:
    """HiGHS reported an objective or bound that its own plan, recomputed, contradicts.

    A solve that started from a given plan (a MIP start) is solved again from scratch, and
    its plan is used if its report holds. A report that still does not hold is not shown:
    the objective becomes the recomputed one and no bound or gap is claimed (status
    :data:`~siting.outcome.UNVERIFIED`, not optimal). What happened is recorded in the
    report's ``verification`` (and so in ``solution.json`` and the manifest).
    """
    tol = handle.settings.check_tolerance
    first = solution.report
    record: dict[str, Any] = {
        "reported": _reported(first, check.objective_recomputed),
        "problems": [d for _w, _a, d in report_problems(first, check.objective_recomputed, tol)],
    }
    if first.mip_start:
        with step(RESOLVE_STEP):
            solution = handle.solve_cold()
            check = check_solution(solution, tol=tol, raise_on_error=False)
        record["action"] = "solved again without the MIP start"
        record["again"] = _reported(solution.report, check.objective_recomputed)
    problems = report_problems(solution.report, check.objective_recomputed, tol)
    logger.info("HiGHS's report contradicted its plan: %s", "; ".join(record["problems"]))
    if not problems:
        record["result"] = "verified"
        return replace(solution, report=replace(solution.report, verification=record)), check
    solution = _unverified(solution, check, [d for _w, _a, d in problems], record)
    with step(CHECK_STEP):
        check = check_solution(solution, tol=tol, raise_on_error=False)
    return solution, check


def _unverified(
    solution: Solution, check: CheckReport, problems: list[str], record: dict[str, Any]
) -> Solution:
    """The plan with its recomputed cost, no bound, no gap, not optimal; ``record`` (what
    was tried) completed with the problems that remain."""
    record = {
        **record,
        "result": "still contradicted: the objective recomputed, no bound or gap claimed",
        ("problems_again" if "problems" in record else "problems"): problems,
    }
    if "reported" not in record:
        record["reported"] = _reported(solution.report, check.objective_recomputed)
    interrupted = solution.report.status == INTERRUPTED
    return replace(
        solution,
        report=replace(
            solution.report,
            outcome=Outcome.LIMIT,
            status=UNVERIFIED,
            message="HiGHS's report contradicts its plan"
            + (" (interrupted)" if interrupted else ""),
            objective=check.objective_recomputed,
            bound=None,
            gap=None,
            verification=record,
        ),
    )


def _reported(report: SolveReport, recomputed: float | None) -> dict[str, Any]:
    return {
        "status": report.status,
        "objective": report.objective,
        "bound": report.bound,
        "gap": report.gap,
        "recomputed_objective": recomputed,
        "mip_start": report.mip_start,
    }


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of a plain table as dictionaries keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def run(
    case: Case, data: GeoData | None = None, step: Step = _quiet, stream: bool = False
) -> RunResult:
    """Prepare and solve a case end to end.

    Ctrl-C (a notebook's interrupt) during the HiGHS solve stops HiGHS: the plan it had is
    checked and returned, its report marked ``interrupted`` and not optimal; without a
    plan that passes, :class:`~siting.errors.SolveInterrupted` (a KeyboardInterrupt) is
    raised. Anywhere else Ctrl-C raises KeyboardInterrupt as usual."""
    timings = Timings()
    timed = timings.wrap(step)
    prepared = prepare(case, data, timed)
    try:
        solution, check, precheck = solve_inputs(prepared.inputs, case.solver, timed, stream=stream)
    except InfeasibleError as exc:
        exc.prepared = prepared
        raise
    return RunResult(prepared, solution, check, precheck, timings.steps)
