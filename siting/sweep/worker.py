"""Execute one planned run in a worker process, re-solving the process's built model when the
run belongs to the same chain as the previous one.

A run with edits (:attr:`PlannedRun.edits`) writes them into the chain's model before its
solve and checks the plan against them; the next run of the chain states its own.
:func:`execute_on` runs edits on a handle the caller built in this process, the same way.

Each worker process (a local process or a Dask worker) keeps the solver handles it built,
keyed by chain. A run of a known chain moves the handle's mutable parameters, pushes the
changes to the same HiGHS object and starts from the previous plan; any other run prepares
the data and builds a new handle. Either way the run goes through the run order of a single
run (``siting.pipeline``): pre-solve checks, solve, extract, route the gas, check. Whatever
goes wrong is recorded in the run's row, never raised: a sweep goes on.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from siting.config import Case
from siting.diagnose import Diagnosis, network_checks
from siting.edits import NO_EDITS, ModelEdits, check_edits
from siting.errors import CheckError, InfeasibleError, SitingError, SolveError
from siting.geodata import GeoData
from siting.inputs import ModelInputs, Params, params_from_case
from siting.outcome import SolveReport
from siting.pipeline import prepare, presolve_checks, solve_and_check
from siting.solution import Solution
from siting.steps import BUILD_STEPS, CHECK_STEP, READ_STEPS, Step, Timings, quiet
from siting.sweep.plan import PlannedRun

if TYPE_CHECKING:
    from siting.solver.handle import SolverHandle

logger = logging.getLogger(__name__)

#: models kept per process (a slot works on one chain at a time; one spare for fronts)
KEEP_MODELS = 2
SITE_FIELDS = (
    "node_id",
    "lon",
    "lat",
    "it_mw",
    "modules",
    "gas_mw",
    "gas_bcm_y",
    "grid_mw",
    "gen_mw",
    "source",
    "pue",
    "cost_total_musd_y",
    "capex_musd",
)
CANDIDATE_FIELDS = ("node_id", "lon", "lat", "pue", "capex_multiplier", "town_km")


@dataclass
class _Built:
    """A chain's prepared tables, its network findings and (once a run got past the
    pre-solve checks) its solver handle."""

    inputs: ModelInputs
    network: Diagnosis
    handle: SolverHandle | None = None


class _Process:
    """What one worker process remembers between runs."""

    def __init__(self) -> None:
        self.models: OrderedDict[str, _Built] = OrderedDict()
        self.geodata: OrderedDict[str, GeoData] = OrderedDict()
        self.lock = threading.Lock()


_STATE = _Process()


def run_params(run: PlannedRun) -> Params:
    params = params_from_case(run.case)
    if run.pareto is None:
        return params
    return replace(
        params,
        objective="pareto",
        pareto_metrics=run.pareto.metrics,
        pareto_weights=run.pareto.weights,
        pareto_bounds=run.pareto.bounds,
    )


def execute(run: PlannedRun, data: GeoData | None = None, reuse: bool = True) -> dict[str, Any]:
    """Run one planned run and return its result row (plus ``_sites`` and, after a build,
    ``_candidates``). Never raises for a failed run."""
    with _STATE.lock:
        return _execute(run, data, reuse)


def solve_planned(run: PlannedRun, data: GeoData | None = None, reuse: bool = True) -> Solution:
    """The checked plan of one planned run, as :func:`execute` computes it (raises on a
    failed run)."""
    with _STATE.lock:
        return _solve(run, data, reuse, {}, {})


def execute_on(handle: SolverHandle, run_id: str, edits: ModelEdits) -> dict[str, Any]:
    """A run on ``handle`` (a model the caller built in this process and keeps): write
    ``edits``, re-solve from the previous plan, check, and return the row :func:`execute`
    would. Never raises for a failed run."""

    def solve(times: dict[str, float], record: dict[str, Any]) -> Solution:
        record["reused"] = record["warm_start"] = True
        return _solve_edited(handle, edits, True, times)

    with _STATE.lock:
        return _recorded(run_id, solve)


def _execute(run: PlannedRun, data: GeoData | None, reuse: bool) -> dict[str, Any]:
    return _recorded(run.run_id, lambda times, record: _solve(run, data, reuse, times, record))


def _recorded(
    run_id: str, solve: Callable[[dict[str, float], dict[str, Any]], Solution]
) -> dict[str, Any]:
    started = time.perf_counter()
    times = {"prepare_s": 0.0, "build_s": 0.0, "extract_s": 0.0, "check_s": 0.0}
    record: dict[str, Any] = {"reused": False, "warm_start": False}
    try:
        solution = solve(times, record)
        record.update(_report_fields(solution.report))
        record.update(_solution_fields(solution))
    except Exception as exc:  # a sweep records every failure and goes on
        logger.info(
            "run %s failed: %s",
            run_id,
            exc,
            exc_info=logger.isEnabledFor(logging.DEBUG),
        )
        report = getattr(exc, "report", None)
        if isinstance(report, SolveReport):
            record.update(_report_fields(report))
        record.update(_failure_fields(exc, record))
    record.update(times)
    record["run_s"] = time.perf_counter() - started
    record["run_id"] = run_id
    record["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    record["finished_at"] = datetime.now(UTC).isoformat(timespec="milliseconds")
    record.setdefault("message", "")
    return record


def _solve(
    run: PlannedRun,
    data: GeoData | None,
    reuse: bool,
    times: dict[str, float],
    record: dict[str, Any],
) -> Solution:
    params = run_params(run)
    timings = Timings()
    step = timings.wrap(quiet)
    built = _reused(run, params, step) if reuse else None
    reused = built is not None
    record["reused"] = record["warm_start"] = reused
    if built is None:
        built = _build(run, params, data, times, record)
        if reuse:
            _remember(run.chain, built)
        else:
            _STATE.models.clear()
    presolve_checks(built.inputs, network=built.network)
    if built.handle is None:
        from siting.solver.handle import SolverHandle

        built.handle = SolverHandle(built.inputs, run.case.solver, step=step)
        if reuse:
            _keep()
    times["build_s"] = timings.total(BUILD_STEPS)
    edits = run.edits if run.edits is not None else NO_EDITS
    return _solve_edited(built.handle, edits, reused, times)


def _solve_edited(
    handle: SolverHandle, edits: ModelEdits, warm: bool, times: dict[str, float]
) -> Solution:
    """Write ``edits``, solve, check the plan and, when there are edits, check them too."""
    timings = Timings()
    step = timings.wrap(quiet)
    try:
        handle.edit(edits)
        solution, check = solve_and_check(handle, warm=warm, step=step)
        if not edits.empty:
            with step(CHECK_STEP):
                assert check.objective_recomputed is not None
                check_edits(
                    solution, edits, check.objective_recomputed, handle.settings.check_tolerance
                )
    finally:
        times["extract_s"] = timings.total(READ_STEPS)
        times["check_s"] = timings.total((CHECK_STEP,))
    return solution


def _failure_fields(exc: Exception, record: dict[str, Any]) -> dict[str, Any]:
    """The status and message of a failed run (a solve that ended without a plan keeps the
    outcome its report gave)."""
    if isinstance(exc, InfeasibleError):
        diagnosis = exc.diagnosis
        lines = diagnosis.lines() if isinstance(diagnosis, Diagnosis) else []
        return {"status": "infeasible", "message": "; ".join([str(exc), *lines])[:2000]}
    if isinstance(exc, CheckError):
        return {"status": "check_failed", "message": str(exc)[:2000]}
    if isinstance(exc, SolveError):
        return {"status": record.get("status", "error"), "message": str(exc)[:2000]}
    if isinstance(exc, SitingError):
        return {"status": "error", "message": str(exc)[:2000]}
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return {
        "status": "error",
        "message": f"{type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})"[:2000],
    }


def _reused(run: PlannedRun, params: Params, step: Step) -> _Built | None:
    built = _STATE.models.get(run.chain)
    if built is None:
        return None
    # a re-solve changes no key the transport baseline depends on (tariff, demand, network)
    baseline = built.inputs.params.transport_baseline_musd_y
    params = replace(params, transport_baseline_musd_y=baseline)
    try:
        if built.handle is not None:
            built.handle.update(params, run.case.solver, step=step)
    except ValueError:
        # the plan's chain said reusable but the model disagrees: rebuild, never guess
        del _STATE.models[run.chain]
        _release()
        return None
    built.inputs = replace(built.inputs, params=params)
    _STATE.models.move_to_end(run.chain)
    return built


def _build(
    run: PlannedRun,
    params: Params,
    data: GeoData | None,
    times: dict[str, float],
    record: dict[str, Any],
) -> _Built:
    t0 = time.perf_counter()
    prepared = prepare(run.case, data if data is not None else _geodata(run.case))
    # the transport baseline is computed from the prepared tables, not read from the case
    baseline = prepared.inputs.params.transport_baseline_musd_y
    inputs = replace(prepared.inputs, params=replace(params, transport_baseline_musd_y=baseline))
    network = network_checks(inputs) if inputs.params.energy_system else Diagnosis()
    times["prepare_s"] = time.perf_counter() - t0
    sites = inputs.sites
    record["_candidates"] = (
        sites[[c for c in CANDIDATE_FIELDS if c in sites.columns]]
        .assign(max_it_mw=inputs.max_it_mw)
        .reset_index()
    )
    return _Built(inputs, network)


def _remember(chain: str, built: _Built) -> None:
    _STATE.models[chain] = built
    while len(_STATE.models) > KEEP_MODELS:
        _STATE.models.popitem(last=False)
        _release()


def forget() -> None:
    """Drop every model and geodata this process keeps."""
    with _STATE.lock:
        _STATE.models.clear()
        _STATE.geodata.clear()
        _release()


def _keep() -> None:
    """Take everything alive now out of the cyclic collector's reach: a full collection
    over a built Russia model took about 90 ms, once every few re-solves."""
    gc.collect()
    gc.freeze()


def _release() -> None:
    """Hand what was kept back to the collector and reclaim what was just dropped."""
    gc.unfreeze()
    gc.collect()


def _geodata(case: Case) -> GeoData:
    from siting.io.layers import geodata_key, load_geodata

    key = geodata_key(case)
    data = _STATE.geodata.get(key)
    if data is None:
        data = load_geodata(case)
        _STATE.geodata[key] = data
        while len(_STATE.geodata) > 2:
            _STATE.geodata.popitem(last=False)
            _release()
        _keep()
    return data


def _report_fields(report: SolveReport) -> dict[str, Any]:
    return {
        "status": str(report.outcome),
        "message": "" if report.is_optimal else report.message,
        "objective": report.objective,
        "bound": report.bound,
        "gap": report.gap,
        "nodes": report.nodes,
        "solve_s": report.solve_s,
        "handoff_s": report.handoff_s,
        "handoff": report.handoff,
    }


def _solution_fields(solution: Solution) -> dict[str, Any]:
    t = solution.totals
    chosen = solution.chosen.sort_values("it_mw", ascending=False)
    return {
        "it_mw": t["it_mw"],
        "sites_open": int(t["sites_open"]),
        "sites": ";".join(map(str, chosen.index)),
        "gas_mw": t["gas_mw"],
        "gas_bcm_y": t["gas_bcm_y"],
        # model v2: direct plus indirect gas (the direct gas without grid fuel), and the
        # average cost per MWh of IT energy
        "gas_total_bcm_y": t.get("gas_total_bcm_y", t["gas_bcm_y"]),
        "cost_usd_per_mwh_it": t.get("cost_usd_per_mwh_it"),
        "grid_mw": t["grid_mw"],
        "cost_musd_y": t["cost_musd_y"],
        "capex_musd": t["capex_musd"],
        "value_musd_y": t["value_musd_y"],
        "cost_per_mw_it_musd_y": t["cost_per_mw_it_musd_y"],
        "remoteness_mw_km": t.get("remoteness_mw_km"),
        "remoteness_km": t.get("remoteness_km"),
        "_sites": pd.DataFrame(chosen[[c for c in SITE_FIELDS if c in chosen.columns]])
        .rename_axis("site_id")
        .reset_index(),
    }
