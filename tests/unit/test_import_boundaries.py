"""The solver edge holds: only ``siting/solver`` imports Pyomo or HiGHS, and the modules that
read cases, check plans and write reports load neither."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "siting"
SOLVER_IMPORT = re.compile(r"^\s*(import|from)\s+(pyomo|highspy)\b", re.M)
#: modules that must load without the solver
LIGHT = (
    "siting",
    "siting.config",
    "siting.check",
    "siting.report",
    "siting.io.case_file",
    "siting.outcome",
    "siting.solution",
    "siting.diagnose",
    "siting.pipeline",
    "siting.solver",
    "siting.solver.parameters",
    "siting.edits",
    "siting.alternatives.search",
    "siting.alternatives.regrets",
    "siting.report.howsure",
    "siting.robust.spec",
    "siting.robust.plan",
    "siting.output.robust",
    "siting.report.robust",
)


def test_only_the_solver_package_imports_pyomo_or_highspy():
    outside = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if PACKAGE / "solver" not in path.parents and SOLVER_IMPORT.search(path.read_text())
    ]
    assert not outside, f"Pyomo or highspy imported outside siting/solver: {outside}"


@pytest.mark.parametrize("module", LIGHT)
def test_light_modules_load_neither_pyomo_nor_highspy(module):
    code = (
        f"import sys, {module}\n"
        "print(','.join(m for m in ('pyomo', 'highspy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"importing {module} loads {out}"


def test_the_root_package_loads_names_on_first_use():
    code = (
        "import sys, siting\n"
        "assert 'siting.api' not in sys.modules and 'geopandas' not in sys.modules\n"
        "assert set(siting.__all__) == set(siting._EXPORTS)\n"
        "for name in siting.__all__:\n"
        "    getattr(siting, name)\n"
        "print('pyomo' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "True"
