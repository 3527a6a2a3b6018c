"""Pyomo's scipy import hook would load scipy.stats and scipy.integrate (most of a second)
in every run; the run order drops it, and nothing in a run needs them."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from siting.examples import example_case, example_geodata
from siting.pipeline import run
{before}
case = example_case()
result = run(case, example_geodata(case))
import scipy.spatial  # what the data path uses on real layers
print(json.dumps([str(result.solution.report.outcome), "pyomo" in sys.modules,
                  "scipy.stats" in sys.modules, "scipy.integrate" in sys.modules]))
"""


def _probe(before: str = "") -> list[object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(before=before)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_run_loads_neither_scipy_stats_nor_integrate():
    assert _probe() == ["optimal", True, False, False]


def test_pyomo_loaded_first_by_a_case_check_still_drops_the_hook():
    # case validation of HiGHS options imports Pyomo before the run order starts
    assert _probe("import siting.solver.options") == ["optimal", True, False, False]
