"""Near-optimal alternatives and site regrets of one case, from one built model.

The run order, every step on the same :class:`~siting.solver.handle.SolverHandle`:

1. prepare the case and build the model once, written for every feasible plan (symmetry
   breaking and the Lagrangian site fixing keep only optimal plans, so both are off);
2. solve it: the optimum f* (plan 0);
3. the near-optimal region: every further plan keeps the case objective within the slack,
   f ≤ f* + slack·|f*| (f ≥ f* − slack·|f*| for a maximised objective);
4. for each metric and each direction, the plan that pushes the metric furthest in the
   region (its goal replaces the objective). These solves look for extreme plans, not
   cheap ones: they run to ``metric_gap`` with HiGHS's primal heuristics at their
   defaults (a case may switch them off for its cost solves; on Russia the sub-MIP
   heuristics found in 2–4 s the extreme plans that 30 s of branching without them
   did not);
5. the k best plans in order of f: each solve adds a no-good cut on the open-site vector
   of the plan before, until k plans or the region holds no other set of open sites;
6. site regrets (:mod:`siting.alternatives.regrets`): each chosen site forced closed, then
   each of the best unchosen sites forced open, as sweep runs on the sweep backends
   (started after step 2, so worker processes solve them while this process does 4–5).

Every plan goes through the independent checker (:func:`siting.check.check_solution`),
and its edits (objective limit, cuts, goal, forced sites) are recomputed from its tables
(:func:`siting.edits.check_edits`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from siting.alternatives.metrics import (
    DEFAULT_METRICS,
    Metric,
    check_metric_names,
    parse_metrics,
)
from siting.alternatives.regrets import CLOSE, OPEN, RegretRuns
from siting.alternatives.tables import (
    alternative_sites_rows,
    classify,
    plan_row,
    regret_table,
    spread_table,
    tie_summary,
    unchosen_ranking,
)
from siting.check import check_solution
from siting.config import Case, FormulationConfig, SolverConfig
from siting.edits import NO_EDITS, ModelEdits, check_edits, open_set
from siting.errors import InfeasibleError, SitingError, SolveError
from siting.geodata import GeoData
from siting.inputs import ModelInputs
from siting.outcome import SolveReport
from siting.pipeline import Prepared, prepare, presolve_checks
from siting.solution import Solution
from siting.steps import CHECK_STEP, SOLVE_STEP, Step, Timings, quiet

if TYPE_CHECKING:
    from siting.solver.handle import SolverHandle


@dataclass(frozen=True)
class AlternativesOptions:
    """What to look for.

    - ``slack``: the near-optimal region, as a fraction of |f*| (0.02 = 2 %), in (0, 1];
    - ``metrics``: metric specs pushed in both directions (:mod:`~siting.alternatives.metrics`);
    - ``plans``: the k best plans in order of cost, the optimum included;
    - ``regrets``: price the chosen sites and the ``unchosen`` best unchosen ones;
    - ``tie_tolerance``: plans whose objectives differ by less than this share of |f*|
      cost the same (0.0001 = 0.01 %);
    - ``mip_gap``: the gap of the cost solves (default: the case's, at most
      ``tie_tolerance``, so that a tie is not lost in the gap);
    - ``metric_gap``: the gap of the metric solves;
    - ``workers``: processes for the regrets (0: this process, re-solving its own model;
      default: one per CPU beside this process).
    """

    slack: float = 0.02
    metrics: tuple[str, ...] = DEFAULT_METRICS
    plans: int = 20
    regrets: bool = True
    unchosen: int = 10
    tie_tolerance: float = 1e-4
    mip_gap: float | None = None
    metric_gap: float = 0.01
    workers: int | None = None


def check_options(options: AlternativesOptions) -> None:
    """Raise SitingError (one line, naming the option and the fix) for a bad option."""
    slack = options.slack
    if not isinstance(slack, int | float) or not 0 < slack <= 1:
        raise SitingError(
            f"--slack {slack}: the slack must be > 0 and ≤ 1, a share of the optimum's cost "
            "(0.02 = within 2 %)"
        )
    if options.plans < 1:
        raise SitingError(f"--plans {options.plans}: give at least 1 (the optimum itself)")
    if options.unchosen < 0:
        raise SitingError(f"--unchosen {options.unchosen}: give 0 or more unchosen sites")
    if not 0 < options.tie_tolerance < 1:
        raise SitingError(f"--tie-tolerance {options.tie_tolerance}: give a share in (0, 1)")
    if options.mip_gap is not None and not 0 <= options.mip_gap < 1:
        raise SitingError(f"--mip-gap {options.mip_gap}: give a share in [0, 1)")
    if not 0 <= options.metric_gap < 1:
        raise SitingError(f"--metric-gap {options.metric_gap}: give a share in [0, 1)")
    if options.workers is not None and options.workers < 0:
        raise SitingError(f"--workers {options.workers}: give 0 (this process) or more")
    if not options.metrics:
        raise SitingError("--metric: name at least one metric, e.g. --metric sites")
    check_metric_names(options.metrics)


def alternatives_case(case: Case, options: AlternativesOptions) -> Case:
    """The case as the alternatives solve it: a model that keeps every feasible plan, and a
    gap no wider than the tie tolerance (unless ``mip_gap`` says otherwise)."""
    if case.solver.interface != "standard_form":
        raise SitingError(
            "siting alternatives edits the model inside HiGHS: set solver.interface: "
            "standard_form (the case sets appsi)"
        )
    gap = options.mip_gap
    if gap is None:
        gap = min(case.solver.mip_gap, options.tie_tolerance)
    solver = case.solver.model_copy(update={"mip_gap": gap})
    return case.model_copy(update={"formulation": every_plan(case.formulation), "solver": solver})


def every_plan(formulation: FormulationConfig) -> FormulationConfig:
    """The formulation without what keeps only optimal plans (symmetry breaking orders
    identical sites, the Lagrangian fixing closes sites no optimal plan opens)."""
    return formulation.model_copy(update={"symmetry_breaking": False, "lagrangian_fixing": False})


def metric_settings(settings: SolverConfig, options: AlternativesOptions) -> SolverConfig:
    """The solver settings of the metric solves: ``metric_gap``, and HiGHS's primal
    heuristics at their defaults (the case's ``mip_heuristic_*`` options left out)."""
    highs = {k: v for k, v in settings.highs_options.items() if not k.startswith("mip_heuristic")}
    return settings.model_copy(update={"mip_gap": options.metric_gap, "highs_options": highs})


@dataclass
class AlternativesResult:
    """The plans, their sites, the candidates' classes and the regrets, as plain tables.

    - ``alternatives``: one row per plan (kind optimum / metric / ranked, its objective,
      cost, every metric, status and the gap of its own solve: on the metric for a metric
      plan, on the objective otherwise);
    - ``alternative_sites``: plan × open site × MW;
    - ``candidates``: every candidate, in every / some / none of the plans;
    - ``regrets``: one row per site forced closed (chosen) or open (unchosen);
    - ``spread``: each metric's range over the plans;
    - ``summary``: optimum, limit, tie count and sentence, times.
    """

    options: AlternativesOptions
    optimum: Solution
    metrics: tuple[Metric, ...]
    alternatives: pd.DataFrame
    alternative_sites: pd.DataFrame
    candidates: pd.DataFrame
    regrets: pd.DataFrame
    spread: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    case: Case | None = None
    prepared: Prepared | None = None


def _zones(data: GeoData) -> dict[Hashable, str] | None:
    grid = data.grid
    if grid is None or "zone" not in grid.columns:
        return None
    return {g: str(z) for g, z in zip(grid["grid_id"], grid["zone"], strict=True) if pd.notna(z)}


def default_regret_workers() -> int:
    """Processes beside this one (which solves the alternatives meanwhile): CPUs − 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(cpus - 1, 0)


class _Search:
    """Solves on one handle; each plan checked, kept as a table row and its sites."""

    def __init__(self, handle: SolverHandle, metrics: tuple[Metric, ...], step: Step) -> None:
        self.handle = handle
        self.metrics = metrics
        self.step = step
        self.rows: list[dict[str, Any]] = []
        self.site_rows: list[pd.DataFrame] = []
        self.open_sets: dict[int, frozenset[Hashable]] = {}
        self.highs_s = 0.0
        self.optimum: Solution | None = None

    def solve(
        self,
        kind: str,
        edits: ModelEdits,
        settings: SolverConfig,
        rank: int | None = None,
        metric: str = "",
        sense: str = "",
    ) -> Solution | None:
        """Solve with ``edits``; None when the edits leave no plan (or HiGHS found none)."""
        h = self.handle
        if settings != h.settings:
            h.update(h.inputs.params, settings)
        h.edit(edits)
        plan = len(self.rows)
        base = {"plan": plan, "kind": kind, "rank": rank, "metric": metric, "sense": sense}
        try:
            solution = h.solve(warm=True, step=self.step)
        except (InfeasibleError, SolveError) as exc:
            report = exc.report
            if isinstance(report, SolveReport):
                self.highs_s += report.solve_s
            if kind == "optimum":
                raise
            if isinstance(exc, InfeasibleError) and kind == "ranked":
                return None
            self.rows.append({**base, "status": _status(exc), "message": str(exc)[:500]})
            return None
        self.highs_s += solution.report.solve_s
        with self.step(CHECK_STEP):
            check = check_solution(solution, tol=h.settings.check_tolerance)
            assert check.objective_recomputed is not None
            check_edits(solution, edits, check.objective_recomputed, h.settings.check_tolerance)
        opened = open_set(solution.sites)
        same = next((i for i, s in self.open_sets.items() if s == opened), None)
        self.open_sets[plan] = opened
        optimum = self.optimum if self.optimum is not None else solution
        self.rows.append(
            {
                **base,
                **plan_row(solution, self.metrics, optimum),
                "same_sites_as": same,
            }
        )
        self.site_rows.append(alternative_sites_rows(plan, solution))
        return solution


def _where(runs: RegretRuns | None) -> str:
    """Where the regrets ran: this process, or the sweep backend's name."""
    if runs is None or runs.backend is None:
        return "this process"
    return runs.backend.name


def _status(exc: Exception) -> str:
    report = getattr(exc, "report", None)
    outcome = getattr(report, "outcome", None)
    if isinstance(exc, InfeasibleError):
        return "infeasible"
    return str(outcome) if outcome is not None else "error"


def objective_limit(optimum: float, slack: float, maximise: bool) -> float:
    """f* + slack·|f*| for a minimised objective, f* − slack·|f*| for a maximised one."""
    return optimum - slack * abs(optimum) if maximise else optimum + slack * abs(optimum)


def find_alternatives(
    case: Case,
    options: AlternativesOptions | None = None,
    data: GeoData | None = None,
    step: Step = quiet,
    client: Any = None,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> AlternativesResult:
    """Near-optimal alternatives and site regrets of ``case`` (see the module docstring).

    ``client``/``scheduler`` run the regrets on a Dask cluster instead of local processes.
    """
    options = options or AlternativesOptions()
    check_options(options)
    started = time.perf_counter()
    timings = Timings()
    timed = timings.wrap(step)
    solver_case = alternatives_case(case, options)
    prepared = prepare(solver_case, data, timed)
    metrics = parse_metrics(
        options.metrics,
        prepared.inputs.sites,
        solver_case.candidates.arctic_latitude_deg,
        _zones(prepared.data),
        prepared.inputs.params.energy_system,
    )
    result = search_alternatives(
        prepared.inputs,
        solver_case.solver,
        options,
        metrics,
        case=solver_case,
        data=prepared.data,
        step=timed,
        client=client,
        scheduler=scheduler,
        progress=progress,
    )
    result.case, result.prepared = case, prepared
    result.summary.update(case=case.name, scenario=case.scenario)
    result.summary["search_wall_s"] = time.perf_counter() - started
    result.timings = timings.steps
    return result


def search_alternatives(
    inputs: ModelInputs,
    settings: SolverConfig,
    options: AlternativesOptions,
    metrics: tuple[Metric, ...],
    case: Case | None = None,
    data: GeoData | None = None,
    step: Step = quiet,
    client: Any = None,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> AlternativesResult:
    """The search on model tables (``inputs`` written for every feasible plan: see
    :func:`alternatives_case`). Regrets in worker processes need the ``case`` (and its
    ``data``) to build their models; with ``workers=0`` they re-solve this model."""
    check_options(options)
    started = time.perf_counter()
    inputs = inputs.with_params(formulation=every_plan(inputs.params.formulation))
    presolve_checks(inputs, step=step)
    from siting.solver.handle import SolverHandle

    handle = SolverHandle(inputs, settings, step=step)
    search = _Search(handle, metrics, step)
    say = progress or (lambda _text: None)
    say("the optimum")
    optimum = search.solve("optimum", NO_EDITS, settings, rank=1)
    assert optimum is not None
    search.optimum = optimum
    f_star = float(optimum.totals["objective"])
    maximise = optimum.report.sense == "max"
    limit = objective_limit(f_star, options.slack, maximise)

    runs: RegretRuns | None = None
    chosen = list(optimum.chosen.index)
    if options.regrets:
        workers = options.workers if options.workers is not None else default_regret_workers()
        runs = RegretRuns(handle, workers, case=case, data=data, client=client, scheduler=scheduler)
    records: list[dict[str, Any]] = []
    try:
        if runs is not None:
            runs.changes((CLOSE, s) for s in chosen)
        goal_settings = metric_settings(settings, options)
        for metric in metrics:
            for sense in ("min", "max"):
                say(f"{sense} {metric.label}")
                search.solve(
                    "metric",
                    ModelEdits(objective_limit=limit, goal=metric.goal(sense)),
                    goal_settings,
                    metric=metric.spec,
                    sense=sense,
                )
                if runs is not None:
                    runs.pump()
        excluded = [open_set(optimum.sites)]
        for rank in range(2, options.plans + 1):
            say(f"plan {rank} of {options.plans} in order of cost")
            found = search.solve(
                "ranked",
                ModelEdits(objective_limit=limit, excluded=tuple(excluded)),
                settings,
                rank=rank,
            )
            if found is None:
                break
            excluded.append(open_set(found.sites))
            if runs is not None:
                runs.pump()
        if runs is not None:
            unchosen = unchosen_ranking(inputs, search.site_rows, set(chosen), options.unchosen)
            runs.changes((OPEN, s) for s in unchosen)
            say(f"site regrets: {runs.count} re-solves")
            handle.update(inputs.params, settings)
            with step(f"{SOLVE_STEP} (site regrets)"):
                records = runs.wait()
    except BaseException:
        if runs is not None:
            runs.close(kill=True)
            runs = None
        raise
    finally:
        if runs is not None:
            runs.close()

    alternatives = pd.DataFrame(search.rows)
    alternatives["rank"] = alternatives["rank"].astype("Int64")
    alternatives["same_sites_as"] = alternatives["same_sites_as"].astype("Int64")
    sites = (
        pd.concat(search.site_rows, ignore_index=True)
        if search.site_rows
        else pd.DataFrame(columns=["plan", "site_id"])
    )
    ok = alternatives.index[alternatives["status"].isin(("optimal", "limit"))]
    candidates = classify(inputs.sites, sites, alternatives.loc[ok, "plan"].tolist(), chosen)
    regrets = regret_table(records, optimum, maximise)
    highs_regrets = float(sum(r.get("solve_s") or 0.0 for r in records))
    spread = spread_table(alternatives.loc[ok], metrics)
    ties = tie_summary(alternatives.loc[ok], regrets, optimum, options.tie_tolerance)
    cost_solves = alternatives.loc[ok]
    gaps = [
        *cost_solves.loc[cost_solves["kind"] != "metric", "gap"].dropna(),
        *regrets["gap"].dropna(),
    ]
    summary = {
        "case": None,
        "scenario": None,
        "slack": options.slack,
        "objective": f_star,
        "objective_sense": "max" if maximise else "min",
        "objective_limit": limit,
        "bound": optimum.report.bound,
        "mip_gap": settings.mip_gap,
        "worst_gap": float(max(gaps)) if gaps else None,
        "metric_gap": options.metric_gap,
        "plans": len(ok),
        "distinct_plans": len(set(search.open_sets.values())),
        "ranked_plans": int(alternatives.loc[ok, "kind"].isin(("optimum", "ranked")).sum()),
        "plans_asked": options.plans,
        "metrics": [m.spec for m in metrics],
        "regret_runs": len(records),
        "regret_failures": sum(r.get("status") not in ("optimal", "limit") for r in records),
        "regret_workers": _where(runs) if options.regrets else None,
        **ties,
        "highs_s": search.highs_s + highs_regrets,
        "highs_alternatives_s": search.highs_s,
        "highs_regrets_s": highs_regrets,
        "search_wall_s": time.perf_counter() - started,
    }
    return AlternativesResult(
        options=options,
        optimum=optimum,
        metrics=metrics,
        alternatives=alternatives,
        alternative_sites=sites,
        candidates=candidates,
        regrets=regrets,
        spread=spread,
        summary=summary,
    )
