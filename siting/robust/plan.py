"""One plan across scenarios: the run order and the comparison with each scenario's own plan.

::

    check the request (probabilities, objective, known scenarios, first stage the same)
    → prepare every scenario (network, candidates, inputs)
    → each scenario's own optimum (the ordinary run; checked)
    → each own plan operated in every other scenario (first stage fixed; checked)
    → the extensive form (:mod:`siting.solver.robust`); when, within its gap, it stops at a
      plan that a scenario's own plan beats on the same objective, the own plan is the robust
      plan (``robust_source`` says which)
    → the robust plan operated in every scenario (checked): its run folders
    → the comparison: cost of every plan in every scenario, expected cost, regrets, sites
      in common with the robust plan

A plan's cost in a scenario always comes from its operation with the first stage fixed,
re-checked by the independent checker, so the robust plan and the scenarios' own plans are
compared on the same footing. The regrets in the tables are against the best cost known in
each scenario: its own optimum as solved (to the gap of the settings), or another plan
operated there when that one is cheaper, so that no regret is negative; the robust model
itself measures regret against the own optima as solved. The extensive form's objective must agree with the recomputed
one: a recomputed expected cost or worst regret above it means a wrong model or a wrong
read-back, and raises CheckError.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.check import CheckReport, check_solution
from siting.config import SolverConfig
from siting.errors import CaseError, CheckError, InfeasibleError
from siting.inputs import ModelInputs
from siting.outcome import SolveReport
from siting.pipeline import Prepared, prepare
from siting.robust.spec import (
    BASE,
    check_first_stage_config,
    check_first_stage_sites,
    check_known,
    check_objective,
    check_probabilities,
    same_values,
)
from siting.solution import Solution
from siting.steps import Step, quiet

#: Params fields that only operation reads (the rest must match across scenarios); the
#: transport baseline is the least cost of moving a scenario's own committed demand, a
#: constant of its operating cost
SECOND_STAGE_PARAMS = frozenset(
    {"gas_cost_musd_per_mw_y", "grid_energy_cost_musd_per_mw_y", "transport_baseline_musd_y"}
)
ROBUST = "robust"


@dataclass(frozen=True)
class RobustOptions:
    """``scenarios``: name → probability (``base`` is the case without a scenario);
    ``objective``: ``expected`` cost or worst-case ``regret``; ``definitions``: partial
    cases, merged over the case file, for scenarios it does not name; ``mip_gap`` and
    ``time_limit_s`` replace the case's solver settings for every solve."""

    scenarios: Mapping[str, float]
    objective: str = "expected"
    definitions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    mip_gap: float | None = None
    time_limit_s: float | None = None


@dataclass
class RobustResult:
    """The robust plan and its comparison with each scenario's own plan.

    - ``plans``: one row per plan (``robust``, then ``own:<scenario>``): expected cost, worst
      regret, sites open, IT MW, sites in common with the robust plan;
    - ``costs``: plan × scenario: feasible, cost, the scenario's own optimum, the best cost
      known there, regret against it;
    - ``plan_sites``: plan × open site: IT, generation, grid link and contracted capacity,
      and the units of each technology t (``units_<t>``);
    - ``operations``: the robust plan operated in each scenario (checked Solutions);
    - ``own``: each scenario's own optimum.
    """

    options: RobustOptions
    report: SolveReport
    plans: pd.DataFrame
    costs: pd.DataFrame
    plan_sites: pd.DataFrame
    operations: dict[str, Solution]
    checks: dict[str, CheckReport]
    own: dict[str, Solution]
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    prepared: dict[str, Prepared] = field(default_factory=dict)


def solver_settings(settings: SolverConfig, options: RobustOptions) -> SolverConfig:
    changes: dict[str, float] = {}
    if options.mip_gap is not None:
        changes["mip_gap"] = options.mip_gap
    if options.time_limit_s is not None:
        changes["time_limit_s"] = options.time_limit_s
    return settings.model_copy(update=changes) if changes else settings


def check_options(options: RobustOptions) -> None:
    check_probabilities(options.scenarios)
    check_objective(options.objective)
    if options.mip_gap is not None and not 0 <= options.mip_gap < 1:
        raise CaseError(f"--mip-gap {options.mip_gap:g} is not in [0, 1)")


def find_robust_plan(
    case_path: str | Path,
    options: RobustOptions,
    overrides: Mapping[str, Any] | None = None,
    step: Step = quiet,
) -> RobustResult:
    """The robust plan of the case file's scenarios (see the module doc)."""
    from siting.io.case_file import case_from_dict, read_case_source

    check_options(options)
    names = list(options.scenarios)
    raw, lines = read_case_source(case_path)
    if not isinstance(raw, Mapping):
        case_from_dict(raw, source=Path(case_path))  # raises the case file's own error
    known = dict(raw.get("scenarios") or {})
    for name in options.definitions:
        if name in known or name == BASE:
            raise CaseError(
                f"scenario {name!r} is defined in the spec and named in {case_path}: rename one"
            )
    known.update({k: dict(v) for k, v in options.definitions.items()})
    check_known(names, {k: "" for k in known}, str(case_path))
    raw = {**raw, "scenarios": known}
    cases = {
        name: case_from_dict(
            raw,
            source=Path(case_path),
            scenario=None if name == BASE else name,
            overrides=overrides,
            lines=lines,
        )
        for name in names
    }
    first = cases[names[0]]
    if first.objective.sense != "min_cost":
        raise CaseError(
            f"{case_path}: objective.sense is {first.objective.sense}; a robust plan minimises "
            "cost: use min_cost"
        )
    check_first_stage_config(cases)
    prepared: dict[str, Prepared] = {}
    for name, case in cases.items():
        with step(f"preparing scenario {name}"):
            prepared[name] = prepare(case)
    settings = solver_settings(first.solver, options)
    result = robust_from_inputs(
        {name: p.inputs for name, p in prepared.items()}, options, settings, step
    )
    result.prepared = prepared
    result.summary["case"] = first.name
    return result


def check_first_stage_params(inputs: Mapping[str, ModelInputs]) -> None:
    names = list(inputs)
    first = inputs[names[0]].params
    if first.objective != "min_cost":
        raise CaseError(f"a robust plan minimises cost; the objective is {first.objective}")
    base = {k: v for k, v in first.to_dict().items() if k not in SECOND_STAGE_PARAMS}
    for name in names[1:]:
        other = {
            k: v for k, v in inputs[name].params.to_dict().items() if k not in SECOND_STAGE_PARAMS
        }
        changed = sorted(k for k in base if base[k] != other.get(k))
        if changed:
            raise CaseError(
                f"scenario {name!r} changes {changed[0]} ({base[changed[0]]!r} → "
                f"{other.get(changed[0])!r}), a first-stage input: give it the value of "
                f"{names[0]!r}"
            )


def check_first_stage_tables(inputs: Mapping[str, ModelInputs]) -> None:
    """Every scenario has the same periods (names and weights), the same technology menu
    and the same PUE per site and period: they shape the units built, a first-stage
    decision."""
    names = list(inputs)
    first = inputs[names[0]]
    tables = {
        "periods (names or weights)": lambda i: i.periods[["weight"]],
        "technology menu (technology.menu)": lambda i: i.technologies,
        "PUE per site and period": lambda i: i.site_periods[["pue"]],
    }
    for name in names[1:]:
        for what, table in tables.items():
            a, b = table(first), table(inputs[name])
            if not (a.index.equals(b.index) and a.columns.equals(b.columns)) or not all(
                same_values(a[c], b[c]) for c in a.columns
            ):
                raise CaseError(
                    f"scenario {name!r} changes the {what}, a first-stage input (the units "
                    f"built depend on it): give it the value of {names[0]!r}"
                )


def robust_from_inputs(
    inputs: Mapping[str, ModelInputs],
    options: RobustOptions,
    settings: SolverConfig,
    step: Step = quiet,
) -> RobustResult:
    """The robust plan over the scenarios' model inputs (keys in ``options.scenarios``)."""
    from siting.pipeline import solve_and_check
    from siting.solver.handle import SolverHandle
    from siting.solver.robust import operate_plan, solve_extensive

    check_options(options)
    names = list(options.scenarios)
    if set(names) != set(inputs):
        raise CaseError(f"inputs for scenarios {sorted(inputs)}, probabilities for {names}")
    check_first_stage_sites({n: inputs[n].sites for n in names})
    check_first_stage_params({n: inputs[n] for n in names})
    check_first_stage_tables({n: inputs[n] for n in names})
    prob = np.array([options.scenarios[n] for n in names], float)
    timings: dict[str, float] = {}
    tol = settings.check_tolerance

    def timed(name: str, seconds: float) -> None:
        timings[name] = timings.get(name, 0.0) + seconds

    own: dict[str, Solution] = {}
    checks: dict[tuple[str, str], CheckReport] = {}
    for name in names:
        started = time.perf_counter()
        with step(f"own optimum of scenario {name}"):
            try:
                handle = SolverHandle(inputs[name], settings)
                own[name], checks[(f"own:{name}", name)] = solve_and_check(handle)
            except InfeasibleError as exc:
                raise InfeasibleError(
                    f"scenario {name!r}: {exc}", exc.diagnosis, report=exc.report
                ) from None
        timed("own optima", time.perf_counter() - started)
    optima = {n: float(own[n].totals["cost_musd_y"]) for n in names}

    def operate(plan: pd.DataFrame, name: str, scenario: str) -> Solution | None:
        """The plan ``name`` operated in ``scenario`` and checked (None: it cannot)."""
        started = time.perf_counter()
        try:
            solution = operate_plan(inputs[scenario], plan, settings, f"scenario {scenario!r}")
        except InfeasibleError:
            return None
        finally:
            timed("operating plans", time.perf_counter() - started)
        checks[(name, scenario)] = check_solution(solution, tol=tol)
        return solution

    operated: dict[tuple[str, str], Solution | None] = {}
    with step("own plans in the other scenarios"):
        for plan_of in names:
            plan = first_stage(own[plan_of])
            for scenario in names:
                operated[(f"own:{plan_of}", scenario)] = (
                    own[scenario]
                    if scenario == plan_of
                    else operate(plan, f"own:{plan_of}", scenario)
                )
    started = time.perf_counter()
    with step(f"robust plan ({options.objective})"):
        extensive = solve_extensive(
            [inputs[n] for n in names],
            prob.tolist(),
            options.objective,
            settings,
            own_optima=[optima[n] for n in names],
        )
    timed("robust model", time.perf_counter() - started)
    extensive_ops: dict[str, Solution] = {}
    with step("robust plan in every scenario"):
        for scenario in names:
            solution = operate(extensive.plan, ROBUST, scenario)
            if solution is None:
                raise CheckError(
                    f"the robust plan cannot operate in scenario {scenario!r}, although the "
                    "robust model found it feasible there",
                    report=extensive.report,
                )
            operated[(ROBUST, scenario)] = extensive_ops[scenario] = solution
    _check_same_first_stage(extensive_ops, extensive.plan)
    extensive_score = _score(operated, ROBUST, names, prob, optima, options.objective)
    _check_objective(extensive.report, extensive_score, tol)
    # within its gap the extensive form may stop at a plan that a scenario's own plan beats
    own_scores = {
        f"own:{n}": _score(operated, f"own:{n}", names, prob, optima, options.objective)
        for n in names
    }
    source = min(own_scores, key=lambda k: own_scores[k])
    if own_scores[source] < extensive_score - tol * max(1.0, abs(extensive_score)):
        for n in names:
            operated[(ROBUST, n)] = operated[(source, n)]
            checks[(ROBUST, n)] = checks[(source, n)]
        score = own_scores[source]
    else:
        source, score = "robust model", extensive_score
    operations = {n: sol for n in names if (sol := operated[(ROBUST, n)]) is not None}

    plans = [ROBUST, *(f"own:{n}" for n in names)]
    best = {
        n: min(
            [optima[n]]
            + [float(s.totals["cost_musd_y"]) for s in (operated[(p, n)] for p in plans) if s]
        )
        for n in names
    }
    costs = _costs_table(operated, plans, names, options.scenarios, optima, best)
    plan_sites = _plan_sites(operated, plans, names)
    table = _plans_table(costs, plan_sites, plans)
    robust_sites = set(plan_sites.loc[plan_sites["plan"] == ROBUST, "site_id"])
    summary = {
        "objective": options.objective,
        "scenarios": dict(options.scenarios),
        "own_optima_musd_y": optima,
        "best_known_musd_y": best,
        "robust_objective_musd_y": score,
        "robust_source": source,
        "robust_model_objective_musd_y": extensive_score,
        "robust_objective_solver_musd_y": extensive.report.objective,
        "robust_bound_musd_y": extensive.report.bound,
        "robust_gap": extensive.report.gap,
        "robust_status": extensive.report.describe(),
        "robust_solve_s": extensive.report.solve_s,
        "robust_handoff_s": extensive.report.handoff_s,
        "own_solve_s": {n: own[n].report.solve_s for n in names},
        "robust_sites": sorted(map(str, robust_sites)),
        "robust_equals_own": [
            n
            for n in names
            if set(plan_sites.loc[plan_sites["plan"] == f"own:{n}", "site_id"]) == robust_sites
        ],
        "robust_is_own": [n for n in names if _same_plan(plan_sites, ROBUST, f"own:{n}")],
        "mip_gap": settings.mip_gap,
        "checks": {n: checks[(ROBUST, n)].summary() for n in names},
    }
    return RobustResult(
        options=options,
        report=extensive.report,
        plans=table,
        costs=costs,
        plan_sites=plan_sites,
        operations=operations,
        checks={n: checks[(ROBUST, n)] for n in names},
        own=own,
        summary=summary,
        timings=timings,
    )


#: the first-stage columns of a plan, per site (with ``units_<t>`` per technology t)
PLAN_COLUMNS = ("open", "modules", "gen_mw", "grid_link", "grid_cap_mw")
UNITS = "units_"


def first_stage(solution: Solution) -> pd.DataFrame:
    """The plan's first-stage decisions, one row per site: open, modules, generation built,
    grid link and contracted grid capacity, and with a technology menu the units of each
    technology t as ``units_<t>``."""
    sites = solution.sites
    columns = [c for c in PLAN_COLUMNS if c in sites] + unit_columns(sites)
    return sites[columns].copy()


def unit_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if str(c).startswith(UNITS)]


def _score(
    operated: Mapping[tuple[str, str], Solution | None],
    plan: str,
    names: list[str],
    prob: np.ndarray,
    optima: Mapping[str, float],
    objective: str,
) -> float:
    """The plan's expected cost or worst regret (inf when it fails in some scenario)."""
    costs = []
    for n in names:
        solution = operated[(plan, n)]
        if solution is None:
            return math.inf
        costs.append(float(solution.totals["cost_musd_y"]))
    if objective == "expected":
        return float(np.dot(prob, costs))
    return max(c - optima[n] for c, n in zip(costs, names, strict=True))


def _same_plan(plan_sites: pd.DataFrame, a: str, b: str) -> bool:
    """The two plans open the same sites with the same IT, generation, grid links and
    capacity, and the same units of every technology."""
    columns = ["site_id", "it_mw", *(c for c in _COMPARED if c in plan_sites)]
    columns += unit_columns(plan_sites)

    def rows(plan: str) -> pd.DataFrame:
        frame = plan_sites.loc[plan_sites["plan"] == plan, columns].copy()
        for c in ("it_mw", "gen_mw", "grid_cap_mw"):
            if c in frame:
                frame[c] = frame[c].round(3)
        return frame.sort_values("site_id").reset_index(drop=True)

    return rows(a).equals(rows(b))


_COMPARED = ("gen_mw", "grid_link", "grid_cap_mw")


def _differs(a: pd.DataFrame, b: pd.DataFrame) -> str | None:
    """The first column in which two first-stage tables differ (None: the same)."""
    if not a.index.equals(b.index):
        return "sites"
    for column in sorted(set(a.columns) | set(b.columns)):
        x = a[column].to_numpy(float) if column in a else np.zeros(len(a))
        y = b[column].to_numpy(float) if column in b else np.zeros(len(b))
        scale = 1.0 + max(float(np.abs(x).max(initial=0.0)), float(np.abs(y).max(initial=0.0)))
        if x.size and float(np.abs(x - y).max()) > 1e-6 * scale:
            return column
    return None


def _check_same_first_stage(operations: Mapping[str, Solution], plan: pd.DataFrame) -> None:
    """Every scenario's operation holds the plan's first stage: its sites, modules,
    generation, grid links and capacity and the units of every technology (a check that can
    fail)."""
    for name, solution in operations.items():
        held = first_stage(solution)
        columns = [c for c in plan.columns if c in held or c.startswith(UNITS)]
        column = _differs(plan[columns], held.reindex(columns=columns))
        if column is not None:
            raise CheckError(
                f"the robust plan's first stage differs in scenario {name!r} ({column})"
            )


def _check_objective(report: SolveReport, recomputed: float, tol: float) -> None:
    """The recomputed objective may lie below the extensive form's (operation re-optimised)
    but not above it."""
    solver = report.objective
    if solver is None or recomputed <= solver + tol * max(1.0, abs(solver)) * 10:
        return
    raise CheckError(
        f"the robust plan's recomputed objective {recomputed:.6g} exceeds the robust "
        f"model's {solver:.6g}",
        report=report,
    )


def _costs_table(
    operated: Mapping[tuple[str, str], Solution | None],
    plans: list[str],
    names: list[str],
    probabilities: Mapping[str, float],
    optima: Mapping[str, float],
    best: Mapping[str, float],
) -> pd.DataFrame:
    rows = []
    for plan in plans:
        for n in names:
            solution = operated[(plan, n)]
            cost = float(solution.totals["cost_musd_y"]) if solution is not None else math.nan
            rows.append(
                {
                    "plan": plan,
                    "scenario": n,
                    "probability": float(probabilities[n]),
                    "feasible": solution is not None,
                    "cost_musd_y": cost,
                    "own_optimum_musd_y": optima[n],
                    "best_known_musd_y": best[n],
                    "regret_musd_y": cost - best[n],
                    "regret_pct": 100 * (cost - best[n]) / best[n] if best[n] else math.nan,
                    "gas_bcm_y": float(solution.totals["gas_bcm_y"]) if solution else math.nan,
                    "grid_mw": float(solution.totals["grid_mw"]) if solution else math.nan,
                }
            )
    return pd.DataFrame(rows)


def _plan_sites(
    operated: Mapping[tuple[str, str], Solution | None], plans: list[str], names: list[str]
) -> pd.DataFrame:
    frames = []
    for plan in plans:
        solution = next(
            s for s in (operated[(plan, n)] for n in names) if s is not None
        )  # the first stage is the same in every scenario
        sites = solution.sites[solution.sites["open"] > 0]
        frames.append(
            pd.DataFrame(
                {
                    "plan": plan,
                    "site_id": sites.index,
                    "node_id": sites["node_id"].to_numpy(),
                    "it_mw": sites["it_mw"].to_numpy(float),
                    "gen_mw": sites["gen_mw"].to_numpy(float),
                    "grid_link": sites["grid_link"].to_numpy(int),
                    "grid_cap_mw": sites["grid_cap_mw"].to_numpy(float)
                    if "grid_cap_mw" in sites
                    else 0.0,
                    **{c: sites[c].to_numpy(int) for c in unit_columns(sites)},
                    "lon": sites["lon"].to_numpy(float),
                    "lat": sites["lat"].to_numpy(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _plans_table(costs: pd.DataFrame, plan_sites: pd.DataFrame, plans: list[str]) -> pd.DataFrame:
    robust = set(plan_sites.loc[plan_sites["plan"] == ROBUST, "site_id"])
    rows = []
    for plan in plans:
        c = costs[costs["plan"] == plan]
        sites = set(plan_sites.loc[plan_sites["plan"] == plan, "site_id"])
        feasible = bool(c["feasible"].all())
        row: dict[str, Any] = {
            "plan": plan,
            "feasible_everywhere": feasible,
            "expected_cost_musd_y": float((c["probability"] * c["cost_musd_y"]).sum())
            if feasible
            else math.nan,
            "max_regret_musd_y": float(c["regret_musd_y"].max()) if feasible else math.nan,
            "sites_open": len(sites),
            "it_mw": float(plan_sites.loc[plan_sites["plan"] == plan, "it_mw"].sum()),
            "sites_in_common": len(sites & robust),
            "sites_only_here": len(sites - robust),
            "sites_only_robust": len(robust - sites),
        }
        for column in unit_columns(plan_sites):
            row[column] = int(plan_sites.loc[plan_sites["plan"] == plan, column].sum())
        for _, r in c.iterrows():
            row[f"cost_musd_y[{r['scenario']}]"] = r["cost_musd_y"]
        rows.append(row)
    return pd.DataFrame(rows)
