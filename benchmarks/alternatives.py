"""The whole ``siting alternatives`` run on Russia against the sum of its HiGHS times.

    python benchmarks/alternatives.py                     # models/russia.yaml, slack 0.02
    python benchmarks/alternatives.py --workers 0         # regrets in the same process
    python benchmarks/alternatives.py --plans 20 --unchosen 10

Runs the command as a user does (``python -m siting alternatives CASE --slack 0.02 --out
TMP``, maps and report included) and times it from outside, interpreter start-up included.
The command writes every solve's HiGHS time to ``alternatives.json``; the benchmark prints
the wall time, the HiGHS sum (the alternatives in this process and the regrets in the
workers), the ratio of the two, and what the search solved. Regrets solved in worker
processes overlap the alternatives, so the ratio can fall below 1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUSSIA = ROOT / "models" / "russia.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", type=Path, default=RUSSIA)
    parser.add_argument("--slack", type=float, default=0.02)
    parser.add_argument("--plans", type=int, default=20)
    parser.add_argument("--unchosen", type=int, default=10)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "alternatives"
        command = [
            sys.executable,
            "-m",
            "siting",
            "alternatives",
            str(args.case),
            "--slack",
            str(args.slack),
            "--plans",
            str(args.plans),
            "--unchosen",
            str(args.unchosen),
            "--out",
            str(out),
            "--quiet",
        ]
        if args.workers is not None:
            command += ["--workers", str(args.workers)]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"siting alternatives failed:\n{done.stderr}")
        s = json.loads((out / "alternatives.json").read_text())["summary"]

    print(f"siting alternatives {args.case.name} --slack {args.slack:g}")
    print(
        f"  plans: {s['plans']} ({s['ranked_plans']} in order of cost of {s['plans_asked']} "
        f"asked, {s['plans'] - s['ranked_plans']} metric plans); regrets: {s['regret_runs']} "
        f"re-solves on {s['regret_workers']}"
    )
    print(f"  {s['ties_sentence']}")
    print(f"  HiGHS, alternatives (this process)  {s['highs_alternatives_s']:8.1f} s")
    print(f"  HiGHS, site regrets                 {s['highs_regrets_s']:8.1f} s")
    print(f"  HiGHS, sum                          {s['highs_s']:8.1f} s")
    print(f"  whole run (wall, from outside)      {wall:8.1f} s")
    print(f"  wall / HiGHS sum                    {wall / s['highs_s']:8.2f}x  (target < 1.5x)")


if __name__ == "__main__":
    main()
