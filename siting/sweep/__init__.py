"""Parameter sweeps: many variants of one case, re-solved fast, local or on a Dask cluster.

::

    from siting.sweep import load_sweep, run_sweep
    result = run_sweep(load_sweep("models/sweeps/russia-gas-price.yaml"), out="results/sweep")
    result.runs          # one row per run
    result.sites         # one row per run × chosen site

    read_results("results/sweep")   # the same tables, read back from the folder

See :mod:`siting.sweep.plan` for run ids, chains and reuse, :mod:`siting.output.sweep_store`
for the folder layout and resume, :mod:`siting.sweep.analysis` for stability and trade-offs.

The names below are imported on first use: importing one module of this package (the sweep
file's schema, say) does not import the runner, the solver or the result store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from siting.io.sweep_file import read_sweep as load_sweep
    from siting.io.sweep_file import sweep_from_dict
    from siting.output.sweep_store import SweepTables
    from siting.output.sweep_store import read_tables as read_results
    from siting.sweep.parameters import Sweep
    from siting.sweep.plan import REUSED, make_plan, reuse_of
    from siting.sweep.runner import SweepResult, describe_plan, run_sweep
    from siting.sweep.spec import DesignSpec, ParameterSpec, ParetoSpec, SweepSpec

#: public name → (module, name in that module)
_LAZY = {
    "load_sweep": ("siting.io.sweep_file", "read_sweep"),
    "sweep_from_dict": ("siting.io.sweep_file", "sweep_from_dict"),
    "SweepTables": ("siting.output.sweep_store", "SweepTables"),
    "read_results": ("siting.output.sweep_store", "read_tables"),
    "Sweep": ("siting.sweep.parameters", "Sweep"),
    "REUSED": ("siting.sweep.plan", "REUSED"),
    "make_plan": ("siting.sweep.plan", "make_plan"),
    "reuse_of": ("siting.sweep.plan", "reuse_of"),
    "SweepResult": ("siting.sweep.runner", "SweepResult"),
    "describe_plan": ("siting.sweep.runner", "describe_plan"),
    "run_sweep": ("siting.sweep.runner", "run_sweep"),
    "DesignSpec": ("siting.sweep.spec", "DesignSpec"),
    "ParameterSpec": ("siting.sweep.spec", "ParameterSpec"),
    "ParetoSpec": ("siting.sweep.spec", "ParetoSpec"),
    "SweepSpec": ("siting.sweep.spec", "SweepSpec"),
}

__all__ = [
    "REUSED",
    "DesignSpec",
    "ParameterSpec",
    "ParetoSpec",
    "Sweep",
    "SweepResult",
    "SweepSpec",
    "SweepTables",
    "describe_plan",
    "load_sweep",
    "make_plan",
    "read_results",
    "reuse_of",
    "run_sweep",
    "sweep_from_dict",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'siting.sweep' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
