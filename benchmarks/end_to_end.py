"""A whole ``siting run`` as the user waits for it: wall time of the command against HiGHS's
own solve time, measured in the same run, with where the rest goes.

Each repeat runs ``python -m siting run CASE --out TMP`` as a fresh process and reads the
step times it prints and HiGHS's run time from the run folder (``solution.json``). Prints,
per repeat and as the median: wall time, CPU time of all its processes, start-up and
imports before the first step, the data path (layers, network, candidates, model inputs),
the solver side (checks, build, HiGHS, flow routing, checker), writing outputs, and wall /
HiGHS.

    python benchmarks/end_to_end.py                      # the Russia main job, 3 repeats
    python benchmarks/end_to_end.py --gem [--spacing 10] # GEM national case (shared data)
    python benchmarks/end_to_end.py CASE.yaml -- --set objective.target_it='10 GW'
    python benchmarks/end_to_end.py --baseline ../main  # and another checkout, interleaved

With ``--baseline`` the same runs of another checkout of the repository alternate with this
one's, so that other load on the machine hits both alike; both medians are printed, and
this checkout's wall time against the baseline's.

Targets: the Russia main job at most 3× its HiGHS time end to end (maps and report
included); the GEM national case at 10 km at most 1.5×.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEP = re.compile(r"^\s*✓ (?P<name>.+?) \((?P<s>[\d.]+) s\)\s*$")
DATA_PATH = ("reading layers", "building the gas network", "candidate sites", "model inputs")
OUTPUTS = ("writing outputs",)


def shared_data() -> Path:
    return Path(os.environ.get("SITING_SHARED_DATA") or ROOT.parent / "shared" / "data")


def run_once(argv: list[str], root: Path) -> dict[str, float]:
    """One run of ``argv`` with ``root``'s siting (from ``root``: ``python -m`` puts the
    working folder first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    with tempfile.TemporaryDirectory(prefix="siting-e2e-") as tmp:
        out = Path(tmp) / "run"
        start = time.perf_counter()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [*argv, "--out", str(out)],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        if proc.returncode != 0:
            sys.exit(f"siting run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        steps: dict[str, float] = {}
        for line in proc.stdout.splitlines():
            if m := STEP.match(line):
                steps[m["name"]] = steps.get(m["name"], 0.0) + float(m["s"])
        report = json.loads((out / "solution.json").read_text())["report"]
        # the manifest has the steps before the writing at full precision
        steps.update(json.loads((out / "manifest.json").read_text())["timings_s"])
    data = sum(steps.get(k, 0.0) for k in DATA_PATH)
    outputs = sum(steps.get(k, 0.0) for k in OUTPUTS)
    solver = sum(v for k, v in steps.items() if k not in DATA_PATH + OUTPUTS)
    return {
        "wall": wall,
        "CPU (all processes)": cpu,
        "start-up": wall - sum(steps.values()),
        "data path": data,
        "solver side": solver,
        "HiGHS step": steps.get("solving with HiGHS", 0.0),
        "HiGHS": float(report["solve_s"]),
        # the starting plan from the LP relaxation is two HiGHS solves of its own (an LP and
        # a MIP restricted to the sites it keeps), made before the final one
        "HiGHS, all solves": float(report["solve_s"])
        + sum(float(report.get("presolve", {}).get(k) or 0.0) for k in START_SOLVES),
        "outputs": outputs,
        **{f"  {k}": v for k, v in steps.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", type=Path, default=None)
    parser.add_argument("--gem", action="store_true", help="the GEM national case")
    parser.add_argument("--spacing", type=float, default=10.0, help="GEM candidate spacing km")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout to compare")
    parser.add_argument("extra", nargs="*", help="further `siting run` arguments, after --")
    args = parser.parse_args()
    argv = [sys.executable, "-m", "siting", "run"]
    if args.gem:
        gem = shared_data() / "gem-ggit" / "russia_pipelines_fullres.geojson"
        if not gem.exists():
            sys.exit(f"{gem}: not found; set SITING_SHARED_DATA to the folder holding gem-ggit/")
        argv += [
            str(ROOT / "models" / "gem-russia.yaml"),
            "--layer",
            f"pipelines={gem}",
            "--set",
            f"candidates.spacing_km={args.spacing:g}",
        ]
        what = f"GEM national case at {args.spacing:g} km"
    else:
        case = args.case or ROOT / "models" / "russia.yaml"
        argv.append(str(case))
        what = str(case.relative_to(ROOT) if case.is_relative_to(ROOT) else case)
    argv += args.extra
    repeat = args.repeat or (1 if args.gem else 3)
    checkouts = {"this checkout": ROOT}
    if args.baseline is not None:
        checkouts["baseline"] = args.baseline.resolve()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    for _ in range(repeat):
        for name, root in checkouts.items():
            runs[name].append(run_once(argv, root))
    print(f"{what}: {repeat} run(s), {os.cpu_count()} cores")
    for name, root in checkouts.items():
        print(f"\n{name}: {root}")
        table(runs[name])
    if args.baseline is not None:
        mine = statistics.median(r["wall"] for r in runs["this checkout"])
        base = statistics.median(r["wall"] for r in runs["baseline"])
        print(
            f"\nwall, this checkout / baseline: {mine / base:.2f}× ({mine:.2f} s vs {base:.2f} s)"
        )


#: the solve report's records of the HiGHS solves behind the starting plan
START_SOLVES = ("start_lp_s", "start_mip_s")


def table(runs: list[dict[str, float]]) -> None:
    keys = list(dict.fromkeys(k for r in runs for k in r))
    print(f"{'':26s}" + "".join(f"{f'run {i + 1}':>9s}" for i in range(len(runs))) + "   median")
    for k in keys:
        vals = [r.get(k, 0.0) for r in runs]
        cells = "".join(f"{v:9.2f}" for v in vals)
        print(f"{k:26s}{cells} {statistics.median(vals):8.2f} s")
    ratios = [r["wall"] / r["HiGHS"] for r in runs if r["HiGHS"] > 0]
    step_ratios = [r["wall"] / r["HiGHS step"] for r in runs if r["HiGHS step"] > 0]
    outs = [r["outputs"] / r["HiGHS"] for r in runs if r["HiGHS"] > 0]
    every = [r["wall"] / r["HiGHS, all solves"] for r in runs if r["HiGHS, all solves"] > 0]
    print(f"wall / HiGHS run time      {statistics.median(ratios):8.2f}×")
    print(f"wall / HiGHS, all solves   {statistics.median(every):8.2f}×")
    print(f"wall / HiGHS step          {statistics.median(step_ratios):8.2f}×")
    print(f"outputs / HiGHS run time   {statistics.median(outs):8.2f}×")


if __name__ == "__main__":
    main()
