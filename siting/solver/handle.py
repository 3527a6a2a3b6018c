"""A built model behind a Pyomo-free handle: build once, update parameters, solve, read a plan.

:class:`SolverHandle` is what the run order (``siting.pipeline``) and the sweep worker
call. Its life:

    SolverHandle(inputs, settings)   Lagrangian site fixing (when it applies) → build
                                     → a starting plan from the LP relaxation (when it applies)
    handle.update(params)            move the mutable parameters (or refuse: rebuild)
    handle.solve(warm=True)          HiGHS → outcome (elastic diagnosis if infeasible)
                                     → decisions → shortest gas routes → Solution

    handle.edit(edits)               sites forced open or closed, a limit on the case
                                     objective, plans cut off, a goal instead of the
                                     objective (:mod:`siting.edits`), written into the
                                     HiGHS model itself, until the next ``edit``

Callers pass and receive plain data only (``ModelInputs``, ``Params``, ``ModelEdits``,
``Solution``, ``SolveReport``). An operation that changes the built model beyond parameter
values and these edits belongs here as a method that edits the model and sets
``self._recompile``, so that the next solve hands the whole model to HiGHS again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from siting.config import SolverConfig
from siting.diagnose import Diagnosis
from siting.edits import NO_EDITS, ModelEdits
from siting.errors import InfeasibleError, SolveError, SolveInterrupted
from siting.inputs import ModelInputs, Params
from siting.outcome import Outcome, SolveReport
from siting.solution import Solution
from siting.solver.elastic import elastic_diagnosis
from siting.solver.extract import extract_solution
from siting.solver.highs import HighsSolver
from siting.solver.highs_edits import ColumnEdits
from siting.solver.lagrangian import LagrangianResult, lagrangian_bound, use_lagrangian
from siting.solver.model import build_model, set_params
from siting.solver.parameters import rebuild_reason
from siting.solver.routing import route_flows
from siting.solver.start import RestrictedStart, restricted_start, use_restricted_start
from siting.steps import BUILD_STEPS, DIAGNOSE_STEP, READ_STEPS, SOLVE_STEP, Step, quiet

logger = logging.getLogger(__name__)


class SolverHandle:
    """One model of ``inputs``, built once and solved as often as its parameters move."""

    def __init__(
        self,
        inputs: ModelInputs,
        settings: SolverConfig,
        *,
        stream: bool = False,
        step: Step = quiet,
    ) -> None:
        self.inputs = inputs
        self.settings = settings
        self._solver = HighsSolver(settings, stream=stream)
        self._recompile = False
        self._edits = NO_EDITS
        self._edits_of = NO_EDITS
        self._column_edits: tuple[int, ColumnEdits] | None = None
        self._build(step)

    def _build(self, step: Step) -> None:
        self._fixings: LagrangianResult | None = None
        if use_lagrangian(self.inputs):
            with step(BUILD_STEPS[0]):
                self._fixings = lagrangian_bound(self.inputs)
            logger.info("Lagrangian step: %s", self._fixings.to_dict())
        with step(BUILD_STEPS[1]):
            self._model = build_model(self.inputs, fixings=self._fixings)
        # the first solve starts from the Lagrangian plan, set on the model's variables
        self._start_from_plan = self._fixings is not None and self._fixings.has_plan
        self._start: RestrictedStart | None = None
        if not self._start_from_plan and use_restricted_start(self.inputs, self.settings):
            with step(BUILD_STEPS[2]):
                self._start = restricted_start(self._model, self.settings)
            self._start_from_plan = self._start.objective is not None

    def update(
        self, params: Params, settings: SolverConfig | None = None, step: Step = quiet
    ) -> None:
        """Give the model new values of its mutable parameters (and new solver settings).

        Raises ValueError when ``params`` differ in anything else: build a new handle.
        A model whose sites the Lagrangian bound fixed is rebuilt here, because the
        fixings hold only for the parameters they were proven with.
        """
        old, inputs = self.inputs.params, replace(self.inputs, params=params)
        reason = rebuild_reason(old, params)
        if reason is not None:
            raise ValueError(reason)
        if settings is not None:
            self._solver.configure(settings)
            self.settings = settings
        if self._fixings is not None:
            self.inputs = inputs
            if params != old:
                self._build(step)
            return
        self._recompile |= set_params(self._model, inputs)
        self.inputs = inputs

    @property
    def edits(self) -> ModelEdits:
        return self._edits

    def edit(self, edits: ModelEdits) -> None:
        """Solve with ``edits`` from now on (they replace the previous ones; ``NO_EDITS``
        gives back the case's own model).

        Raises ValueError when the model was written for optimal plans only: sites fixed
        by the Lagrangian bound, or identical sites ordered by symmetry breaking, rule out
        plans that the edits ask about. Build it with ``formulation.lagrangian_fixing`` and
        ``formulation.symmetry_breaking`` off.
        """
        if not edits.empty:
            f = self.inputs.params.formulation
            if f.symmetry_breaking or self._fixings is not None:
                raise ValueError(
                    "edits of a model need formulation.symmetry_breaking and "
                    "formulation.lagrangian_fixing off: both keep only optimal plans"
                )
            unknown = (edits.open_sites | edits.closed_sites).union(*edits.excluded) - set(
                self.inputs.sites.index
            )
            if edits.goal is not None:
                unknown |= {s for _d, s, _a in edits.goal.terms} - set(self.inputs.sites.index)
            if unknown:
                raise ValueError(f"unknown site(s) in the edits: {sorted(map(str, unknown))}")
        self._edits = edits

    def _resolved_edits(self) -> ColumnEdits:
        """The edits over the built model's variables (resolved once per model)."""
        cached = self._column_edits
        if cached is not None and cached[0] == id(self._model) and self._edits_of == self._edits:
            return cached[1]
        m, e = self._model, self._edits
        fixed = tuple((m.open[s], 1.0) for s in e.open_sites) + tuple(
            (m.open[s], 0.0) for s in e.closed_sites
        )
        rows = tuple(
            (
                tuple((m.open[s], -1.0 if s in plan else 1.0) for s in m.SITES),
                1.0 - len(plan),
                float("inf"),
            )
            for plan in e.excluded
        )
        goal = None
        if e.goal is not None:
            module_mw = self.inputs.sites["module_mw"].to_dict()
            sign = e.goal.sign
            terms = []
            for decision, s, a in e.goal.terms:
                if decision == "open":
                    terms.append((m.open[s], sign * a))
                elif decision == "it_mw":
                    terms.append((m.modules[s], sign * a * float(module_mw[s])))
                else:
                    terms.extend((var, sign * a * k) for var, k in self._annual_fuel_terms(s))
            goal = tuple(terms)
        resolved = ColumnEdits(fixed, rows, e.objective_limit, goal)
        self._column_edits, self._edits_of = (id(m), resolved), e
        return resolved

    def _annual_fuel_terms(self, site: object) -> list[tuple[Any, float]]:
        """The gas burnt on site at ``site`` over the year, in MW: Σ_p w[p]·gas_mw[s,p], or
        Σ_p Σ_t w[p]·power_mw[s,t,p]/η_t with a technology menu."""
        m, inputs = self._model, self.inputs
        weight = inputs.periods["weight"].to_dict()
        if hasattr(m, "power_mw"):
            eta = inputs.technologies["efficiency"].to_dict()
            return [
                (m.power_mw[site, t, q], float(weight[q]) / float(eta[t]))
                for t in m.TECHS
                for q in m.PERIODS
            ]
        if not hasattr(m, "gas_mw"):
            return []
        return [(m.gas_mw[site, q], float(weight[q])) for q in m.PERIODS]

    def solve(self, warm: bool = False, step: Step = quiet) -> Solution:
        """Solve (``warm``: from the previous plan) and return the plan, routed, for the checker.

        Raises InfeasibleError (with the elastic diagnosis when the settings ask for it)
        or SolveError when HiGHS ends without a plan; both carry the ``SolveReport``.
        Ctrl-C during the solve raises SolveInterrupted with the plan HiGHS had (if any),
        read like any other.
        """
        interrupted = False
        with step(SOLVE_STEP):
            try:
                report = self._solver.solve(
                    self._model,
                    warmstart=warm,
                    recompile=self._recompile,
                    load=False,
                    mip_start=self._start_from_plan,
                    edits=self._resolved_edits(),
                )
            except SolveInterrupted as exc:
                interrupted, report = True, exc.report  # type: ignore[assignment]
        self._recompile = self._start_from_plan = False
        logger.info(
            "HiGHS: %s; objective %s, bound %s, %s nodes, %.2f s (hand-off %.2f s)",
            report.describe(),
            report.objective,
            report.bound,
            report.nodes,
            report.solve_s,
            report.handoff_s,
        )
        if self._fixings is not None:
            report = replace(report, presolve=self._fixings.to_dict())
        if self._start is not None:
            # the starting plan served the first solve only
            report = replace(report, presolve={**report.presolve, **self._start.to_dict()})
            self._start = None
        if interrupted:
            plan = self._read(report, step) if report.has_solution else None
            raise SolveInterrupted(report, plan)
        self._raise_for_outcome(report, step)
        return self._read(report, step)

    def _read(self, report: SolveReport, step: Step) -> Solution:
        """The plan HiGHS returned, as a Solution (gas routed along shortest paths when the
        model prices no transport)."""
        with step(READ_STEPS[0]):
            solution = extract_solution(
                self._model, self.inputs, report, values=self._solver.values
            )
        inputs = self.inputs
        if inputs.params.energy_system and not inputs.arcs["cost_musd_per_mw_y"].any():
            with step(READ_STEPS[1]):
                solution = route_flows(solution, inputs, self.settings)
        return solution

    def solve_cold(self, step: Step = quiet) -> Solution:
        """Solve again from scratch: the whole model handed to HiGHS anew, no MIP start (to
        verify a report that contradicted its plan)."""
        self._recompile = True
        self._start_from_plan = False
        return self.solve(warm=False, step=step)

    def _raise_for_outcome(self, report: SolveReport, step: Step) -> None:
        """Raise InfeasibleError (with a diagnosis) or SolveError unless the solve has a plan."""
        if report.outcome in (Outcome.INFEASIBLE, Outcome.INFEASIBLE_OR_UNBOUNDED):
            diagnosis = Diagnosis()
            if not self._edits.empty:
                # the case itself is feasible; the edits (a forced site, a cost limit) are not
                raise InfeasibleError(f"HiGHS: {report.message} under the edits", report=report)
            if self.settings.elastic_diagnosis:
                with step(DIAGNOSE_STEP):
                    diagnosis = elastic_diagnosis(self.inputs, self.settings)
            raise InfeasibleError(f"HiGHS: {report.message}", diagnosis, report=report)
        if report.outcome is Outcome.UNBOUNDED:
            raise SolveError(
                "the objective is unbounded: check prices, values and variable limits",
                report=report,
            )
        if report.outcome is Outcome.NO_SOLUTION:
            raise SolveError(
                f"HiGHS stopped at the {report.message} ({report.solve_s:.0f} s) before finding "
                "any feasible plan; raise solver.time_limit_s",
                report=report,
            )
        if report.outcome is Outcome.ERROR:
            raise SolveError(report.message, report=report)
