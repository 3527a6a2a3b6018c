"""The fixed run order: read → network → candidates → inputs → pre-solve checks → build
(with the Lagrangian site fixing, for facility-location models) → solve → extract → route →
verify. Every step is a plain function; this module only strings them together and times
them. The solver steps happen behind :class:`siting.solver.handle.SolverHandle`; the sweep
worker goes through the same :func:`solve_and_check` on a handle it keeps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from siting.candidates import Candidates, build_candidates
from siting.check import CheckReport, check_solution
from siting.config import Case, SolverConfig
from siting.diagnose import Diagnosis, graph_checks
from siting.errors import InfeasibleError
from siting.geodata import GeoData
from siting.inputs import ModelInputs, build_inputs
from siting.network import Network, build_network
from siting.notes import note, warn
from siting.plausible import plausibility_warnings
from siting.solution import Solution
from siting.steps import CHECK_STEP, Step, Timings
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
    solution, check = solve_and_check(handle, step=step)
    return solution, check, precheck


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
    """Solve the handle's model (``warm``: from its previous plan) and verify the plan."""
    solution = handle.solve(warm=warm, step=step)
    with step(CHECK_STEP):
        check = check_solution(solution, tol=handle.settings.check_tolerance)
    return solution, check


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of a plain table as dictionaries keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def run(
    case: Case, data: GeoData | None = None, step: Step = _quiet, stream: bool = False
) -> RunResult:
    """Prepare and solve a case end to end."""
    timings = Timings()
    timed = timings.wrap(step)
    prepared = prepare(case, data, timed)
    solution, check, precheck = solve_inputs(prepared.inputs, case.solver, timed, stream=stream)
    return RunResult(prepared, solution, check, precheck, timings.steps)
