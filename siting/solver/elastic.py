"""The elastic re-solve of an infeasible model: every constraint family gets penalised slacks,
and the slacks the re-solve uses say which family, where and by how much the data must change.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.config import SolverConfig
from siting.diagnose import Diagnosis, Finding
from siting.inputs import ModelInputs
from siting.solver.highs import HighsSolver
from siting.solver.model import build_model

UNITS = {
    "gas_balance": "MW of committed demand that cannot be delivered",
    "arc_capacity": "MW of extra pipeline capacity needed",
    "field_capacity": "MW of extra production needed",
    "grid": "MW of extra grid spare capacity needed",
    "target": "MW of IT the sites cannot host",
    "budget": "MUSD over budget",
    "site_count": "extra sites needed",
    "site_count_min": "sites short of the minimum",
    "spacing": "sites too close together",
    "demand_hubs": "MW of hub demand that no site within reach can serve",
    "pareto": "units of the Pareto metric beyond its bound",
}

FIXES = {
    "gas_balance": "lower the committed demand there, or connect it to a field",
    "arc_capacity": "raise the pipeline capacity or lower the demand downstream",
    "field_capacity": "raise field availability or lower committed demand",
    "grid": "raise the grid node's spare capacity or allow on-site gas",
    "target": "lower objective.target_it, or allow more/larger sites",
    "budget": "raise objective.budget or lower the target",
    "site_count": "raise objective.max_sites or the module limits",
    "site_count_min": "lower objective.min_sites or add candidate sites",
    "spacing": "lower objective.min_spacing_km",
    "demand_hubs": "give the hub more reachable capacity (in a siting case: raise "
    "objective.hubs.max_rtt_ms or lower the hub share)",
    "pareto": "the bound lies beyond the end of the front: widen it",
}


def elastic_diagnosis(inputs: ModelInputs, settings: SolverConfig) -> Diagnosis:
    """Re-solve with penalised slacks on every family and report the slacks that are used."""
    m = build_model(inputs, elastic=True)
    report = HighsSolver(settings).solve(m)
    diag = Diagnosis(elastic_outcome=str(report.outcome))
    if not report.has_solution:
        return diag
    for family, var, _w in m.elastic_slacks:
        items = var.items() if var.is_indexed() else [("system", var)]
        values = [(str(k), pyo.value(v, exception=False) or 0.0) for k, v in items]
        used = sorted((v, k) for k, v in values if v > 1e-6)
        if not used:
            continue
        total = float(sum(v for v, _ in used))
        where = ", ".join(f"{k} ({v:,.1f})" for v, k in reversed(used[-5:]))
        diag.findings.append(
            Finding(
                family,
                where,
                total,
                f"{family}: {total:,.1f} {UNITS.get(family, '')} at {where}"
                f"{' …' if len(used) > 5 else ''}; fix: {FIXES.get(family, 'check the data')}",
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
