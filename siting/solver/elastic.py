"""The elastic re-solve of an infeasible model: every constraint family gets penalised slacks,
and the slacks the re-solve uses say which family, where and by how much the data must change.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.config import SolverConfig
from siting.diagnose import Diagnosis, Finding
from siting.inputs import ModelInputs
from siting.outcome import Outcome, SolveReport
from siting.solver.highs import HighsSolver
from siting.solver.model import build_model


def _where(key: object, periods: list) -> str:
    """A slack's index as text: ``g`` for (g, period) with one period, ``g in winter`` with
    several."""
    if isinstance(key, tuple) and len(key) >= 2 and key[-1] in periods:
        rest = key[0] if len(key) == 2 else key[:-1]
        return str(rest) if len(periods) == 1 else f"{rest} in {key[-1]}"
    return str(key)


def _limit_note(report: SolveReport) -> str | None:
    """What the user must know when the elastic re-solve did not finish."""
    stopped = f"the elastic re-solve stopped at the {report.message} ({report.solve_s:,.0f} s)"
    if report.outcome is Outcome.LIMIT:
        return (
            f"{stopped}: the amounts below come from its best plan, not the least change; "
            "raise solver.time_limit_s for a proven one"
        )
    if report.outcome is Outcome.NO_SOLUTION:
        return f"{stopped} before any plan: no cause found; raise solver.time_limit_s"
    return None


def elastic_diagnosis(inputs: ModelInputs, settings: SolverConfig) -> Diagnosis:
    """Re-solve with penalised slacks on every family and report the slacks that are used."""
    m = build_model(inputs, elastic=True)
    report = HighsSolver(settings).solve(m)
    diag = Diagnosis(elastic_outcome=str(report.outcome), elastic_note=_limit_note(report))
    if not report.has_solution:
        return diag
    periods = inputs.period_names
    for family, var, _w in m.elastic_slacks:
        items = var.items() if var.is_indexed() else [("system", var)]
        values = [(_where(k, periods), pyo.value(v, exception=False) or 0.0) for k, v in items]
        used = sorted((v, k) for k, v in values if v > 1e-6)
        if not used:
            continue
        total = float(sum(v for v, _ in used))
        where = ", ".join(f"{k} ({v:,.1f})" for v, k in reversed(used[-5:]))
        diag.findings.append(
            Finding(
                family.name,
                where,
                total,
                f"{family.name}: {total:,.1f} {family.unit} at {where}"
                f"{' …' if len(used) > 5 else ''}; fix: {family.hint(inputs.params)}",
            )
        )
    if not diag.findings:
        diag.findings.append(
            Finding(
                "objective",
                "system",
                float(np.inf),
                "every constraint can be met: the model is unbounded, not infeasible "
                "(check the objective's prices and values)",
            )
        )
    return diag
