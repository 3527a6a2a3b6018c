"""Start-up time of the command line: ``siting --help`` against a bare ``python -c pass``,
each run as a fresh process, interleaved, in one run of this script.

Prints the median wall time of both, their difference (target: within 0.5 s) and ratio,
and the siting modules and heavy libraries that ``--help`` imported.

    python benchmarks/cli_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pyomo", "highspy", "geopandas", "pandas", "numpy", "scipy", "matplotlib", "folium")


def wall_s(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def imported_by_help(env: dict[str, str]) -> list[str]:
    """The siting modules and heavy packages in ``sys.modules`` after ``--help`` has run."""
    probe = (
        "import sys, json\n"
        "from siting.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "mods = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{('siting', *HEAVY)!r})\n"
        "print(json.dumps(mods))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bare = [sys.executable, "-c", "pass"]
    cli = [sys.executable, "-m", "siting", "--help"]
    wall_s(cli, env)  # warm the file cache and the bytecode
    times: dict[str, list[float]] = {"bare": [], "help": []}
    for _ in range(args.repeat):
        times["bare"].append(wall_s(bare, env))
        times["help"].append(wall_s(cli, env))
    bare_s = statistics.median(times["bare"])
    help_s = statistics.median(times["help"])
    print(f"python -c pass          {bare_s:6.3f} s  (median of {args.repeat})")
    print(f"python -m siting --help {help_s:6.3f} s")
    print(f"difference              {help_s - bare_s:6.3f} s   target ≤ 0.5 s")
    print(f"ratio                   {help_s / bare_s:6.1f}×")
    mods = imported_by_help(env)
    heavy = sorted({m.split(".")[0] for m in mods if m.split(".")[0] in HEAVY})
    ours = [m for m in mods if m.split(".")[0] == "siting"]
    print(f"siting modules imported: {', '.join(ours) or 'none'}")
    print(f"heavy packages imported: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
