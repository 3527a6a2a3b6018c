"""How a solve ended, as plain data: the outcome, objective, bound, gap and times.

Every HiGHS status maps to one :class:`Outcome` (see ``siting.solver.highs``); a result
that is not optimal is never reported as if it were.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

#: ``SolveReport.status`` of a plan whose objective and bound, as HiGHS reported them,
#: contradict the plan recomputed (see ``siting.pipeline.solve_and_check``)
UNVERIFIED = "unverified"
#: ``SolveReport.status`` of a solve stopped by the user (Ctrl-C)
INTERRUPTED = "kInterrupt"


class Outcome(StrEnum):
    OPTIMAL = "optimal"
    LIMIT = "limit"
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    ERROR = "error"


@dataclass(frozen=True)
class SolveReport:
    """How a solve ended. ``objective`` and ``bound`` are in the model's own sense.

    A solve whose objective was replaced by a goal (:mod:`siting.edits`) reports in
    ``objective`` the case objective of the plan HiGHS returned (computed from its column
    values), no ``bound``, the gap of the goal, and in ``goal`` the objective and bound HiGHS
    reported for the goal.
    """

    outcome: Outcome
    status: str
    message: str
    sense: str
    objective: float | None
    bound: float | None
    gap: float | None
    solve_s: float
    handoff_s: float
    wall_s: float
    nodes: int
    mip_gap_setting: float
    time_limit_s: float
    handoff: str = "full"
    presolve: dict[str, float] = field(default_factory=dict)
    #: whether HiGHS started from a given plan (a MIP start)
    mip_start: bool = False
    #: what was done when HiGHS's report contradicted the recomputed plan (empty if not)
    verification: dict[str, Any] = field(default_factory=dict)
    goal: dict[str, float] = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        return self.outcome in (Outcome.OPTIMAL, Outcome.LIMIT)

    @property
    def is_optimal(self) -> bool:
        return self.outcome is Outcome.OPTIMAL

    @property
    def interrupted(self) -> bool:
        """Ctrl-C stopped the solve (the status HiGHS gave, even if verification replaced it)."""
        first = self.verification.get("reported", {}).get("status")
        return INTERRUPTED in (self.status, first)

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["outcome"] = str(self.outcome)
        return d

    def describe(self) -> str:
        gap = f"{self.gap:.3%}" if self.gap is not None else "n/a"
        if self.outcome is Outcome.OPTIMAL:
            return f"optimal within the {self.mip_gap_setting:.2%} gap setting (gap {gap})"
        if self.outcome is Outcome.LIMIT and self.status == UNVERIFIED:
            return (
                "NOT OPTIMAL: HiGHS's objective and bound contradict its own plan; the cost "
                "is recomputed, no bound or gap is claimed"
            )
        if self.outcome is Outcome.LIMIT and self.status == INTERRUPTED:
            return (
                f"NOT OPTIMAL: interrupted after {self.solve_s:.1f} s with a feasible plan, "
                f"gap {gap}"
            )
        if self.outcome is Outcome.LIMIT:
            return f"NOT OPTIMAL: stopped at the {self.message} with a feasible plan, gap {gap}"
        return f"{self.outcome.value}: {self.message}"
