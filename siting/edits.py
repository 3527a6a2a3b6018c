"""Edits of a built model beyond its parameters, and the check that a plan obeys them.

Near-optimal alternatives and site regrets re-solve one built model with a few changes that
no case key expresses. Over the open-site vector y, the case objective f (annualised cost
for ``min_cost``) and a goal g:

    y[s] = 1                      for s ∈ open_sites          (a site forced open)
    y[s] = 0                      for s ∈ closed_sites        (a site forced closed)
    f(x) ≤ objective_limit        (f(x) ≥ objective_limit when the case maximises f)
    Σ_{s∉P} y[s] − Σ_{s∈P} y[s] ≥ 1 − |P|      for each excluded plan P (a no-good cut:
                                               any other set of open sites satisfies it)
    minimise σ·g(x)               instead of the case objective, when a goal is set

with σ = +1 to minimise g and −1 to maximise it. A goal is linear in per-site decisions:

    g(x) = Σ_(d, s, a) a · d[s]      for d ∈ {open, it_mw, gas_mw}

This module is plain data; the solver edge applies the edits to HiGHS
(:meth:`siting.solver.handle.SolverHandle.edit`), and :func:`check_edits` recomputes each of
them from a Solution's tables.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from siting.errors import CheckError
from siting.solution import Solution

#: the per-site decisions a goal may weigh, as columns of ``Solution.sites``
DECISIONS = ("open", "it_mw", "gas_mw")


@dataclass(frozen=True)
class Goal:
    """An objective that replaces the case's: g, minimised or maximised (``sense``).

    ``terms`` holds (decision, site id, coefficient) for the nonzero coefficients.
    """

    name: str
    sense: Literal["min", "max"]
    terms: tuple[tuple[str, Hashable, float], ...]

    def __post_init__(self) -> None:
        bad = sorted({d for d, _s, _a in self.terms} - set(DECISIONS))
        if bad:
            raise ValueError(f"goal {self.name}: unknown decision(s) {bad}; known: {DECISIONS}")

    @property
    def sign(self) -> float:
        return 1.0 if self.sense == "min" else -1.0

    def value(self, sites: pd.DataFrame) -> float:
        """g at a plan, from its site table (``Solution.sites``)."""
        return linear_value(self.terms, sites)


def linear_value(terms: Iterable[tuple[str, Hashable, float]], sites: pd.DataFrame) -> float:
    """Σ coefficient · decision over (decision, site, coefficient) terms, from a site table."""
    grouped: dict[str, tuple[list[Hashable], list[float]]] = {}
    for decision, site, coef in terms:
        ids, coefs = grouped.setdefault(decision, ([], []))
        ids.append(site)
        coefs.append(coef)
    total = 0.0
    for decision, (ids, coefs) in grouped.items():
        pos = sites.index.get_indexer(pd.Index(ids))
        if (pos < 0).any():
            raise KeyError(f"site {ids[int(np.argmax(pos < 0))]} is not in the site table")
        total += float(np.dot(np.asarray(coefs), sites[decision].to_numpy(float)[pos]))
    return total


@dataclass(frozen=True)
class ModelEdits:
    """The edits of one solve (empty: the case's own model)."""

    open_sites: frozenset[Hashable] = frozenset()
    closed_sites: frozenset[Hashable] = frozenset()
    objective_limit: float | None = None
    excluded: tuple[frozenset[Hashable], ...] = ()
    goal: Goal | None = None

    def __post_init__(self) -> None:
        both = self.open_sites & self.closed_sites
        if both:
            raise ValueError(f"site(s) {sorted(map(str, both))} forced both open and closed")

    @property
    def empty(self) -> bool:
        return self == NO_EDITS

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for run ids and tables)."""
        return {
            "open_sites": sorted(map(str, self.open_sites)),
            "closed_sites": sorted(map(str, self.closed_sites)),
            "objective_limit": self.objective_limit,
            "excluded": [sorted(map(str, p)) for p in self.excluded],
            "goal": None
            if self.goal is None
            else {
                "name": self.goal.name,
                "sense": self.goal.sense,
                "terms": [[d, str(s), a] for d, s, a in self.goal.terms],
            },
        }


NO_EDITS = ModelEdits()


def open_set(sites: pd.DataFrame) -> frozenset[Hashable]:
    """The ids of the open sites of a plan's site table."""
    return frozenset(sites.index[sites["open"].to_numpy() == 1])


@dataclass
class EditCheck:
    """What :func:`check_edits` recomputed and what it found."""

    violations: list[str] = field(default_factory=list)
    goal_recomputed: float | None = None

    @property
    def ok(self) -> bool:
        return not self.violations


def check_edits(
    solution: Solution,
    edits: ModelEdits,
    objective: float,
    tol: float = 1e-6,
    raise_on_error: bool = True,
) -> EditCheck:
    """Recompute every edit from the plan's tables and raise CheckError on a violation.

    ``objective`` is the case objective of the plan as the independent checker recomputed
    it (:attr:`siting.check.CheckReport.objective_recomputed`). With a goal, the goal is
    recomputed and compared with the objective HiGHS reported for the edited model
    (``report.goal``).
    """
    out = EditCheck()
    sites = solution.sites
    opened = open_set(sites)
    for s in sorted(edits.open_sites - opened, key=str):
        out.violations.append(f"site {s} was forced open but is closed")
    for s in sorted(edits.closed_sites & opened, key=str):
        out.violations.append(f"site {s} was forced closed but is open")
    unknown = (edits.open_sites | edits.closed_sites) - set(sites.index)
    if unknown:
        out.violations.append(f"forced site(s) {sorted(map(str, unknown))} are not candidates")
    if edits.objective_limit is not None:
        limit = edits.objective_limit
        excess = _case_sign(solution) * (objective - limit)
        if excess > tol * max(1.0, abs(limit)):
            out.violations.append(
                f"the case objective {objective:.8g} is beyond its limit {limit:.8g}"
            )
    for plan in edits.excluded:
        if opened == plan:
            out.violations.append(f"the plan opens exactly the excluded set of {len(plan)} site(s)")
    if edits.goal is not None:
        goal = edits.goal
        value = goal.value(sites)
        out.goal_recomputed = value
        reported = solution.report.goal.get("objective")
        if reported is None:
            out.violations.append(f"goal {goal.name}: the solve reported no goal objective")
        else:
            expected = goal.sign * value
            if abs(expected - reported) > tol * max(1.0, abs(expected), abs(reported)):
                out.violations.append(
                    f"goal {goal.name}: recomputed {expected:.10g} ≠ HiGHS objective "
                    f"{reported:.10g}"
                )
    if raise_on_error and out.violations:
        shown = "; ".join(out.violations[:5])
        raise CheckError(
            f"the plan breaks the edits it was solved with: {shown}", report=solution.report
        )
    return out


def _case_sign(solution: Solution) -> float:
    """σ_f: +1 when the case minimises its objective, −1 when it maximises it."""
    return -1.0 if solution.params.objective in ("max_profit", "max_gas_use") else 1.0
