"""Execute one planned run in a worker process, re-solving the process's built model when the
run belongs to the same chain as the previous one.

Each worker process (a local process or a Dask worker) keeps the models it built, keyed by
chain. A run of a known chain moves the model's mutable parameters (:func:`set_params`),
pushes the changes to the same HiGHS object and starts from the previous plan; any other
run prepares the data, builds the model and solves it cold. Every solution goes through the
independent checker. Whatever goes wrong is recorded in the run's row, never raised: a
sweep goes on.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from siting.check import check_solution
from siting.config import Case
from siting.diagnose import Diagnosis, network_checks, parameter_checks
from siting.errors import CheckError, InfeasibleError, SitingError, SolveError
from siting.geodata import GeoData
from siting.inputs import ModelInputs, Params, params_from_case
from siting.outcome import SolveReport
from siting.pipeline import prepare, raise_for_outcome
from siting.solution import Solution
from siting.solver.extract import extract_solution
from siting.solver.highs import HighsSolver
from siting.solver.model import build_model, set_params
from siting.sweep.plan import PlannedRun

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
    model: Any
    solver: HighsSolver
    inputs: ModelInputs
    network: Diagnosis


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


def _execute(run: PlannedRun, data: GeoData | None, reuse: bool) -> dict[str, Any]:
    started = time.perf_counter()
    times = {"prepare_s": 0.0, "build_s": 0.0, "extract_s": 0.0, "check_s": 0.0}
    record: dict[str, Any] = {"reused": False, "warm_start": False}
    try:
        params = run_params(run)
        built, recompile = _reused(run, params) if reuse else (None, False)
        if built is None:
            built = _build(run, params, data, times, record)
            if reuse:
                _remember(run.chain, built)
            else:
                _STATE.models.clear()
        else:
            record["reused"] = True
        inputs = built.inputs
        precheck = Diagnosis([*built.network.findings, *parameter_checks(inputs)])
        if precheck.blocking:
            raise InfeasibleError("the case is infeasible before solving", precheck)
        record["warm_start"] = record["reused"]
        report = built.solver.solve(
            built.model, warmstart=record["reused"], recompile=recompile, load=False
        )
        record.update(_report_fields(report))
        raise_for_outcome(report, inputs, run.case.solver)
        t0 = time.perf_counter()
        solution = extract_solution(built.model, inputs, report, values=built.solver.values)
        t1 = time.perf_counter()
        check_solution(solution, tol=run.case.solver.check_tolerance)
        times["check_s"] = time.perf_counter() - t1
        times["extract_s"] = t1 - t0
        record.update(_solution_fields(solution))
    except InfeasibleError as exc:
        diagnosis = exc.diagnosis
        lines = diagnosis.lines() if isinstance(diagnosis, Diagnosis) else []
        record.update(status="infeasible", message="; ".join([str(exc), *lines])[:2000])
    except CheckError as exc:
        record.update(status="check_failed", message=str(exc)[:2000])
    except SolveError as exc:
        record.setdefault("status", "error")
        record["message"] = str(exc)[:2000]
    except SitingError as exc:
        record.update(status="error", message=str(exc)[:2000])
    except Exception as exc:  # a sweep records every failure and goes on
        where = traceback.extract_tb(exc.__traceback__)[-1]
        record.update(
            status="error",
            message=f"{type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})"[:2000],
        )
    record.update(times)
    record["run_s"] = time.perf_counter() - started
    record["run_id"] = run.run_id
    record["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    record["finished_at"] = datetime.now(UTC).isoformat(timespec="milliseconds")
    record.setdefault("message", "")
    return record


def _reused(run: PlannedRun, params: Params) -> tuple[_Built | None, bool]:
    built = _STATE.models.get(run.chain)
    if built is None:
        return None, False
    inputs = replace(built.inputs, params=params)
    try:
        recompile = set_params(built.model, inputs)
    except ValueError:
        # the plan's chain said reusable but the model disagrees: rebuild, never guess
        del _STATE.models[run.chain]
        _release()
        return None, False
    built.solver.configure(run.case.solver)
    built.inputs = inputs
    _STATE.models.move_to_end(run.chain)
    return built, recompile


def _build(
    run: PlannedRun,
    params: Params,
    data: GeoData | None,
    times: dict[str, float],
    record: dict[str, Any],
) -> _Built:
    t0 = time.perf_counter()
    prepared = prepare(run.case, data if data is not None else _geodata(run.case))
    inputs = replace(prepared.inputs, params=params)
    network = network_checks(inputs)
    t1 = time.perf_counter()
    model = build_model(inputs)
    times["prepare_s"] = t1 - t0
    times["build_s"] = time.perf_counter() - t1
    sites = inputs.sites
    record["_candidates"] = (
        sites[[c for c in CANDIDATE_FIELDS if c in sites.columns]]
        .assign(max_it_mw=inputs.max_it_mw)
        .reset_index()
    )
    return _Built(model, HighsSolver(run.case.solver), inputs, network)


def _remember(chain: str, built: _Built) -> None:
    _STATE.models[chain] = built
    while len(_STATE.models) > KEEP_MODELS:
        _STATE.models.popitem(last=False)
        _release()
    _keep()


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
