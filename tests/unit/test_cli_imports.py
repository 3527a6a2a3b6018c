"""``siting --help`` answers without loading the solver, the geodata stack or the plotting
libraries: the command line imports typer, and each command imports what it needs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pyomo", "highspy", "geopandas", "pandas", "numpy", "scipy", "matplotlib", "folium")

PROBE = """
import json, sys
from siting.cli import app
try:
    app({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def _loaded_after(argv: list[str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, check=True
    )
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_package():
    loaded = _loaded_after(["--help"])
    assert "typer" in loaded  # the probe ran the command line
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_command_help_imports_no_heavy_package():
    for command in ("run", "sweep", "map", "alternatives"):
        loaded = _loaded_after([command, "--help"])
        assert not loaded & set(HEAVY), (command, sorted(loaded & set(HEAVY)))
