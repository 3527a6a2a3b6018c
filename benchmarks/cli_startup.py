"""Start-up time of the command line: ``siting --help`` against a bare ``python -c pass``,
each run as a fresh process, interleaved, in one run of this script.

Prints the median wall time of both, their difference (target: within 0.5 s) and ratio,
and the siting modules and heavy libraries that ``--help`` imported. With ``--baseline``
another checkout's ``--help`` runs interleaved with these, and is printed beside them.

    python benchmarks/cli_startup.py [--repeat 7] [--baseline ../main]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pyomo", "highspy", "geopandas", "pandas", "numpy", "scipy", "matplotlib", "folium")


def wall_s(argv: list[str], root: Path) -> float:
    """Wall time of ``argv`` run from ``root`` with ``root``'s siting (``python -m`` puts
    the working folder first on the path)."""
    start = time.perf_counter()
    subprocess.run(
        argv,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        cwd=root,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def imported_by_help(root: Path) -> list[str]:
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
        [sys.executable, "-c", probe],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout")
    args = parser.parse_args()
    bare = [sys.executable, "-c", "pass"]
    cli = [sys.executable, "-m", "siting", "--help"]
    roots = {"this checkout": ROOT}
    if args.baseline is not None:
        roots["baseline"] = args.baseline.resolve()
    for root in roots.values():
        wall_s(cli, root)  # warm the file cache and the bytecode
    times: dict[str, list[float]] = {"bare": [], **{name: [] for name in roots}}
    for _ in range(args.repeat):
        times["bare"].append(wall_s(bare, ROOT))
        for name, root in roots.items():
            times[name].append(wall_s(cli, root))
    bare_s = statistics.median(times["bare"])
    print(f"python -c pass                  {bare_s:6.3f} s  (median of {args.repeat})")
    for name, root in roots.items():
        help_s = statistics.median(times[name])
        print(f"\n{name}: {root}")
        print(f"python -m siting --help         {help_s:6.3f} s")
        print(f"difference                      {help_s - bare_s:6.3f} s   target ≤ 0.5 s")
        print(f"ratio                           {help_s / bare_s:6.1f}×")
        mods = imported_by_help(root)
        heavy = sorted({m.split(".")[0] for m in mods if m.split(".")[0] in HEAVY})
        ours = [m for m in mods if m.split(".")[0] == "siting"]
        print(
            f"siting modules imported: {len(ours)} ({', '.join(ours[:8])}{', …' * (len(ours) > 8)})"
        )
        print(f"heavy packages imported: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
