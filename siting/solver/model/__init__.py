"""The siting MILP in Pyomo: one module per constraint family, math in each docstring.

Run order: sets and variables → constraint families → strengthening families → objective →
bounds on the objective's metrics (Pareto fronts only) → site fixings.
``build_model(inputs, elastic=True)`` builds the diagnosis variant with penalised slacks
instead of the objective. Without an energy system (``Params.energy_system=False``) the
gas and power families are left out, which leaves plain facility location. The
strengthening families (``linking``, ``capacity_cover``, ``symmetry``) only add inequalities
that keep an optimal plan; ``Params.formulation`` switches each of them.

Scalars that sweeps change are mutable parameters (declared in
:mod:`siting.solver.parameters`); :func:`set_params` moves a built model to new values so
that it can be re-solved without a rebuild.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from siting.inputs import ModelInputs
from siting.solver.lagrangian import LagrangianResult
from siting.solver.model import (
    arc_capacity,
    capacity_cover,
    ceiling,
    coverage,
    demand_hubs,
    field_capacity,
    fixing,
    gas_balance,
    generation,
    grid,
    linking,
    objective,
    pareto,
    power_balance,
    predefined,
    reliability,
    site_count,
    size,
    spacing,
    symmetry,
    targets,
    technology,
    variables,
)
from siting.solver.model._data import Data
from siting.solver.model._family import FamilySpec
from siting.solver.parameters import SCALARS, rebuild_reason

FAMILIES = (
    gas_balance,
    arc_capacity,
    field_capacity,
    power_balance,
    generation,
    technology,
    reliability,
    size,
    grid,
    targets,
    ceiling,
    site_count,
    spacing,
    demand_hubs,
    coverage,
    predefined,
    linking,
    capacity_cover,
    symmetry,
)

ENERGY_FAMILIES = (
    gas_balance,
    arc_capacity,
    field_capacity,
    power_balance,
    generation,
    technology,
    reliability,
    grid,
    ceiling,
)


def declared_families(module: object) -> tuple[FamilySpec, ...]:
    """The families a constraint module declares (its ``FAMILY…`` attributes)."""
    return tuple(
        v for k, v in vars(module).items() if k.startswith("FAMILY") and isinstance(v, FamilySpec)
    )


#: every constraint family by name, as its module declares it
SPECS: dict[str, FamilySpec] = {
    spec.name: spec for module in (*FAMILIES, pareto) for spec in declared_families(module)
}

__all__ = [
    "ENERGY_FAMILIES",
    "FAMILIES",
    "MUTABLE_PARAMS",
    "SPECS",
    "FamilySpec",
    "build_model",
    "declared_families",
    "families",
    "set_params",
]

#: Params field → the model's mutable parameter (scalars; see ``siting.solver.parameters``)
MUTABLE_PARAMS = {q.field: q.component for q in SCALARS}


def families(inputs: ModelInputs) -> tuple:
    """The constraint family modules that apply to ``inputs``, in build order."""
    if inputs.params.energy_system:
        return FAMILIES
    return tuple(f for f in FAMILIES if f not in ENERGY_FAMILIES)


def build_model(
    inputs: ModelInputs, elastic: bool = False, fixings: LagrangianResult | None = None
) -> pyo.ConcreteModel:
    """The Pyomo model of ``inputs`` (with slacks and a phase-one objective if ``elastic``).

    ``fixings`` fixes the sites a Lagrangian bound proved closed or open, and sets its plan
    as the variables' starting values (see ``fixing``).
    """
    d = Data(
        inputs, frozenset(fixings.closed) if fixings is not None and not elastic else frozenset()
    )
    with PauseGC():
        m = pyo.ConcreteModel(name="siting-elastic" if elastic else "siting")
        m.elastic_slacks = []
        m.siting_params = inputs.params
        variables.add(m, d, elastic)
        for family in families(inputs):
            family.add(m, d, elastic)
        objective.add(m, d, elastic)
        pareto.add(m, d, elastic)
        if not elastic:
            fixing.add(m, d, fixings)
    return m


def set_params(m: pyo.ConcreteModel, inputs: ModelInputs) -> bool:
    """Give a model built from the same tables the mutable values of ``inputs.params``.

    Returns True when the model's structure changed (a Pareto bound switched on or off, or
    new objective weights) so that the solver must compile it again rather than update it.
    Raises ValueError if a change needs a rebuild (see :func:`rebuild_reason`).
    """
    new, old = inputs.params, m.siting_params
    reason = rebuild_reason(old, new)
    if reason is not None:
        raise ValueError(reason)
    for q in SCALARS:
        value = getattr(new, q.field)
        if value is not None:
            getattr(m, q.component).set_value(float(value))
    structural = False
    if new.objective == "pareto":
        if new.pareto_weights != old.pareto_weights:
            structural = True
            for k, w in enumerate(new.pareto_weights, start=1):
                m.pareto_weight[k].set_value(float(w))
        for k, (b, was) in enumerate(
            zip(new.pareto_bounds, old.pareto_bounds, strict=True), start=1
        ):
            if b is not None:
                m.pareto_bound[k].set_value(float(b))
            if (b is None) != (was is None):
                structural = True
                (m.pareto_limit[k].activate if b is not None else m.pareto_limit[k].deactivate)()
    m.siting_params = new
    return structural
