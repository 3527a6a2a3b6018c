"""The transport baseline: the least transport cost of the committed demand alone.

With a transport tariff every MW carried along every arc costs ``cost_musd_per_mw_y[a]``,
the committed demand's gas included. The plan should pay only for the gas it moves, so the
objective subtracts, in every period p, the least cost of meeting the committed demand with
no site burning anything:

    B[p] = min  Σ_a cost_musd_per_mw_y[a] · flow_mw[a]
           s.t. the gas balance of ``routing`` with burn 0 in period p

Any flow that also feeds the sites can be split into paths to the committed demand and paths
to the sites (and cycles, which only add cost), so the plan's transport is at least B[p]:
transport − B[p] ≥ 0 is what moving the plan's gas costs the system at least-cost routing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting.config import SolverConfig
from siting.inputs import ModelInputs
from siting.solver.highs import HighsSolver
from siting.solver.routing import build_routing_model


def transport_baseline(inputs: ModelInputs) -> pd.Series:
    """B[p] in MUSD/y for every period (0 in every period without a tariff; NaN in a period
    whose committed demand the network cannot meet)."""
    periods = inputs.period_names
    if not inputs.arcs["cost_musd_per_mw_y"].to_numpy(float).any():
        return pd.Series(0.0, index=pd.Index(periods, name="period"))
    out = []
    for q in periods:
        view = inputs.period_view(q) if inputs.has_periods else inputs
        model = build_routing_model(view, {}, weight="cost_musd_per_mw_y")
        report = HighsSolver(SolverConfig(threads=1)).solve(model)
        out.append(float(pyo.value(model.objective)) if report.is_optimal else np.nan)
    return pd.Series(out, index=pd.Index(periods, name="period"))
