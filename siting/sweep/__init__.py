"""Parameter sweeps: many variants of one case, re-solved fast, local or on a Dask cluster.

::

    from siting.sweep import load_sweep, run_sweep
    result = run_sweep(load_sweep("models/sweeps/russia-gas-price.yaml"), out="results/sweep")
    result.runs          # one row per run
    result.sites         # one row per run × chosen site

    read_results("results/sweep")   # the same tables, read back from the folder

See :mod:`siting.sweep.plan` for run ids, chains and reuse, :mod:`siting.io.sweep_store` for
the folder layout and resume, :mod:`siting.sweep.analysis` for stability and trade-offs.
"""

from siting.io.sweep_file import read_sweep as load_sweep
from siting.io.sweep_file import sweep_from_dict
from siting.io.sweep_store import SweepTables
from siting.io.sweep_store import read_tables as read_results
from siting.sweep.parameters import Sweep
from siting.sweep.plan import REUSED, make_plan, reuse_of
from siting.sweep.runner import SweepResult, describe_plan, run_sweep
from siting.sweep.spec import DesignSpec, ParameterSpec, ParetoSpec, SweepSpec

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
