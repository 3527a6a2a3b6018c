"""The mutable parameters: the Params fields a built model holds as mutable parameters, so
that a new value re-solves the same model instead of building a new one.

Declared once, here. The model creates its parameters from this table
(:mod:`siting.solver.model.variables`), :func:`siting.solver.model.set_params` and the
HiGHS hand-off move them, and a sweep chains the runs whose cases differ only in the case
keys named here (``siting.sweep.plan.REUSED``). Pyomo-free, so that planning a sweep does
not load the solver.
"""

from __future__ import annotations

from dataclasses import dataclass

from siting.inputs import Params


@dataclass(frozen=True)
class MutableParam:
    """One mutable parameter.

    - ``field``: the Params field;
    - ``component``: the model's mutable parameter that holds it;
    - ``case_path``: the case key that sets it (None for the Pareto runs' own settings);
    - ``role``: where it enters the model, as a sweep plan describes a change of it;
    - ``optional``: None means "no such constraint", so setting or unsetting it changes
      the model's structure;
    - ``indexed``: one value per Pareto metric.
    """

    field: str
    component: str
    case_path: str | None
    role: str
    optional: bool = False
    indexed: bool = False


_COEFFICIENT = "objective coefficients of the built model"
_RHS = "a right-hand side of the built model"

MUTABLE: tuple[MutableParam, ...] = (
    MutableParam("gas_cost_musd_per_mw_y", "gas_cost", "costs.gas_price", _COEFFICIENT),
    MutableParam(
        "grid_energy_cost_musd_per_mw_y", "grid_energy_cost", "costs.grid_price", _COEFFICIENT
    ),
    MutableParam(
        "compute_value_musd_per_mw_y", "compute_value", "costs.compute_value", _COEFFICIENT
    ),
    MutableParam("target_mw", "target_mw", "objective.target_it", _RHS, optional=True),
    MutableParam("budget_musd", "budget_musd", "objective.budget", _RHS, optional=True),
    MutableParam("max_sites", "max_sites", "objective.max_sites", _RHS, optional=True),
    MutableParam(
        "ceiling_usd_per_mwh",
        "cost_ceiling",
        "objective.ceiling_usd_per_mwh",
        "the cost ceiling's coefficient in the built model",
        optional=True,
    ),
    MutableParam(
        "pareto_weights", "pareto_weight", None, "the Pareto objective's weights", indexed=True
    ),
    MutableParam(
        "pareto_bounds", "pareto_bound", None, "the Pareto bounds' right-hand sides", indexed=True
    ),
)
#: the scalar ones, each one model parameter
SCALARS: tuple[MutableParam, ...] = tuple(q for q in MUTABLE if not q.indexed)


def rebuild_reason(old: Params, new: Params) -> str | None:
    """Why a model built with ``old`` cannot be moved to ``new`` (None if it can): a change
    of a Params field that is not mutable, or an optional one that appears or disappears."""
    mutable = {q.field for q in MUTABLE}
    fixed = {k: v for k, v in new.to_dict().items() if k not in mutable}
    before = {k: v for k, v in old.to_dict().items() if k not in mutable}
    if fixed != before:
        changed = sorted(k for k in fixed if fixed[k] != before.get(k))
        return f"a change of {', '.join(changed)} needs a rebuilt model"
    for q in MUTABLE:
        if q.optional and (getattr(new, q.field) is None) != (getattr(old, q.field) is None):
            return f"{q.field} switched between set and unset: rebuild the model"
    return None
