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
from siting.solution import PlanV2, Solution, assemble_solution, assemble_solution_v2


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

    if inputs.is_v2:
        return assemble_solution_v2(inputs, report, _plan_v2(m, inputs, _values))
    (year,) = inputs.period_names
    s_year = [(s, year) for s in s_idx]

    decisions = pd.DataFrame(
        {
            "open": np.rint(_values(m.open, s_idx)).astype(int),
            "modules": _values(m.modules, s_idx),
            "gas_mw": np.maximum(_values(var("gas_mw"), s_year), 0.0),
            "gen_mw": np.maximum(_values(var("gen_mw"), s_idx), 0.0),
            "grid_mw": np.maximum(_values(var("grid_mw"), s_year), 0.0),
            "grid_link": np.rint(_values(var("grid_link"), s_idx)).astype(int),
        },
        index=inputs.sites.index,
    )
    if p.integer_modules:
        decisions["modules"] = np.rint(decisions["modules"]).astype(int)
    a_idx = [(a, year) for a in inputs.arcs.index]
    flows = pd.Series(np.maximum(_values(var("flow_mw"), a_idx), 0.0), index=inputs.arcs.index)
    fields = list(m.FIELDS)
    supply = pd.Series(0.0, index=inputs.nodes.index)
    supply[fields] = np.maximum(_values(var("supply_mw"), [(f, year) for f in fields]), 0.0)
    pairs = list(m.SERVE)
    served = np.maximum(_values(m.serve_mw, pairs), 0.0) if pairs else np.zeros(0)
    return assemble_solution(inputs, report, decisions, flows, supply, served)


def _plan_v2(
    m: pyo.ConcreteModel, inputs: ModelInputs, values: Callable[[pyo.Var | None, list], np.ndarray]
) -> PlanV2:
    """The decisions of a model v2 solve as tables (see :class:`siting.solution.PlanV2`)."""

    def var(name: str) -> pyo.Var | None:
        return m.find_component(name)

    sites, periods = inputs.sites.index, inputs.period_names
    techs = list(m.TECHS)
    s_idx = sites.tolist()
    site_open = np.rint(values(m.open, s_idx)).astype(int)
    modules = values(m.modules, s_idx)
    if inputs.params.integer_modules:
        modules = np.rint(modules).astype(int)
    decisions = pd.DataFrame(
        {
            "open": site_open,
            "modules": modules,
            "gen_mw": np.maximum(values(var("gen_mw"), s_idx), 0.0),
            "grid_link": np.rint(values(var("grid_link"), s_idx)).astype(int),
            "grid_cap_mw": np.maximum(values(var("grid_cap_mw"), s_idx), 0.0),
        },
        index=sites,
    )
    sp = pd.MultiIndex.from_product([sites, periods], names=["site_id", "period"])
    pairs = sp.tolist()
    site_periods = pd.DataFrame(
        {"grid_mw": np.maximum(values(var("grid_mw"), pairs), 0.0)}, index=sp
    )
    if techs:
        for t in techs:
            keys = [(s, t, q) for s, q in pairs]
            site_periods[f"power_{t}_mw"] = np.maximum(values(m.power_mw, keys), 0.0)
        block = m.unit_block_size
        units = pd.DataFrame(index=sites)
        for t in techs:
            unit_keys = [(s, t) for s in s_idx]
            count = values(m.unit_count, unit_keys)
            split = [k for k in unit_keys if k in block]
            if split:
                blocks = dict(zip(split, values(m.unit_blocks, split).tolist(), strict=True))
                count = count + np.array([block.get(k, 0) * blocks.get(k, 0.0) for k in unit_keys])
            units[t] = np.rint(count).astype(int)
    else:
        site_periods["gas_mw"] = np.maximum(values(var("gas_mw"), pairs), 0.0)
        units = pd.DataFrame(index=sites)
    ap = pd.MultiIndex.from_product([inputs.arcs.index, periods], names=["arc_id", "period"])
    flows = pd.Series(np.maximum(values(var("flow_mw"), ap.tolist()), 0.0), index=ap)
    fields = list(m.FIELDS)
    fp = [(f, q) for f in fields for q in periods]
    np_index = pd.MultiIndex.from_product(
        [inputs.nodes.index, periods], names=["node_id", "period"]
    )
    supply = pd.Series(0.0, index=np_index)
    if fp:
        supply[pd.MultiIndex.from_tuples(fp)] = np.maximum(values(var("supply_mw"), fp), 0.0)
    serve_pairs = list(m.SERVE)
    served = np.maximum(values(m.serve_mw, serve_pairs), 0.0) if serve_pairs else np.zeros(0)
    return PlanV2(decisions, site_periods, units, flows, supply, served)
