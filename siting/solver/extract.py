"""Read a solved model's decisions into plain tables and assemble the ``Solution``.

The decisions are read straight from the solver (``values``) or from the model's variables;
everything derived from them (cost terms, totals) is computed by :mod:`siting.solution`
without Pyomo.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting.inputs import ModelInputs
from siting.outcome import SolveReport
from siting.solution import Solution, assemble_solution


def _model_values(var: pyo.Var, index: list) -> np.ndarray:
    return np.array([pyo.value(var[i], exception=False) or 0.0 for i in index], dtype=float)


Values = Callable[[pyo.Var, list], np.ndarray]


def extract_solution(
    m: pyo.ConcreteModel, inputs: ModelInputs, report: SolveReport, values: Values | None = None
) -> Solution:
    """Read the decisions from a solved model and compute every cost term. ``values`` reads
    a variable's values (default: from the model, where the solver loaded them)."""
    read = values or _model_values

    def _values(var: pyo.Var | None, index: list) -> np.ndarray:
        """Values in ``index`` order; zeros for a variable the model leaves out."""
        return np.zeros(len(index)) if var is None else read(var, index)

    p = inputs.params
    s_idx = inputs.sites.index.tolist()

    def var(name: str) -> pyo.Var | None:
        return m.find_component(name)

    decisions = pd.DataFrame(
        {
            "open": np.rint(_values(m.open, s_idx)).astype(int),
            "modules": _values(m.modules, s_idx),
            "gas_mw": np.maximum(_values(var("gas_mw"), s_idx), 0.0),
            "gen_mw": np.maximum(_values(var("gen_mw"), s_idx), 0.0),
            "grid_mw": np.maximum(_values(var("grid_mw"), s_idx), 0.0),
            "grid_link": np.rint(_values(var("grid_link"), s_idx)).astype(int),
        },
        index=inputs.sites.index,
    )
    if p.integer_modules:
        decisions["modules"] = np.rint(decisions["modules"]).astype(int)
    a_idx = inputs.arcs.index.tolist()
    flows = pd.Series(np.maximum(_values(var("flow_mw"), a_idx), 0.0), index=inputs.arcs.index)
    fields = list(m.FIELDS)
    supply = pd.Series(0.0, index=inputs.nodes.index)
    supply[fields] = np.maximum(_values(var("supply_mw"), fields), 0.0)
    pairs = list(m.SERVE)
    served = np.maximum(_values(m.serve_mw, pairs), 0.0) if pairs else np.zeros(0)
    return assemble_solution(inputs, report, decisions, flows, supply, served)
