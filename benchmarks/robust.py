"""The robust three-scenario Russia plan: the whole ``siting robust`` run, the extensive
form's HiGHS time, and its ratio to the sum of the scenarios' own HiGHS times.

    python benchmarks/robust.py                          # expected cost, 0.5 % gap
    python benchmarks/robust.py --objective regret
    python benchmarks/robust.py models/russia-v2.yaml --spec models/robust/russia-v2-exports.yaml
    python benchmarks/robust.py --set costs.generation_capex="100 mlnRUB/MW" \\
        --set objective.target_it="10 GW"                # plans that burn ~18 bcm/y

Runs the command as a user does (``python -m siting robust CASE --scenarios … --out TMP
--no-maps``) and times it from outside, interpreter start-up included; the command writes
its HiGHS times to ``robust.json``.
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
SCENARIOS = "flows-2025=0.5,exports-2019=0.25,exports-partial=0.25"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", type=Path, default=RUSSIA)
    parser.add_argument("--scenarios", default=SCENARIOS)
    parser.add_argument("--spec", type=Path, help="a robust spec (replaces --scenarios)")
    parser.add_argument("--objective", default=None, help="default: the spec's, else expected")
    parser.add_argument("--mip-gap", type=float, default=0.005)
    parser.add_argument("--set", action="append", default=[], dest="sets")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "robust"
        command = [
            sys.executable,
            "-m",
            "siting",
            "robust",
            str(args.case.resolve()),
            *(
                ["--spec", str(args.spec.resolve())]
                if args.spec
                else ["--scenarios", args.scenarios]
            ),
            *(["--objective", args.objective] if args.objective else []),
            "--mip-gap",
            str(args.mip_gap),
            "--out",
            str(out),
            "--no-maps",
            "--quiet",
            *(f"--set={s}" for s in args.sets),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(done.stderr)
        summary = json.loads((out / "robust.json").read_text())
    own = sum(summary["own_solve_s"].values())
    robust = summary["robust_solve_s"]
    print(
        f"case {args.case.name}, scenarios {args.spec or args.scenarios}, "
        f"{summary['objective']}, "
        f"gap {args.mip_gap:g} {' '.join(args.sets)}"
    )
    print(f"robust model: {summary['robust_status']}; robust plan from: {summary['robust_source']}")
    print(
        f"robust objective {summary['robust_objective_musd_y']:,.1f} MUSD/y, "
        f"{len(summary['robust_sites'])} sites; same sites as the own plan of: "
        f"{', '.join(summary['robust_equals_own']) or 'none'}"
    )
    print(
        f"whole command {wall:.1f} s; robust model HiGHS {robust:.2f} s, hand-off "
        f"{summary['robust_handoff_s']:.2f} s; own optima HiGHS {own:.2f} s in all"
    )
    print(f"ratio robust HiGHS / sum of own HiGHS: {robust / own:.2f}")
    for step, seconds in summary["timings_s"].items():
        print(f"  {step}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
