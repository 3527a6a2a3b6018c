"""A 20-point gas-price sweep run twice in one process: rebuilding the model for every
point, and re-solving one built model (pushed parameter changes, previous plan as a MIP
start). Prints both, the ratio, and the per-run time outside HiGHS as a share of the solve
time.

    python benchmarks/sweep.py                       # models/russia.yaml, else synthetic
    python benchmarks/sweep.py models/russia.yaml --points 20
    python benchmarks/sweep.py --synthetic 2000      # synthetic network, ~2000 candidates

Both sweeps run in this process, one run at a time, into temporary folders, through the
same code as ``siting sweep`` (planning, checker, Parquet writes included).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUSSIA = ROOT / "models" / "russia.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", type=Path, help="case file (default: Russia)")
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--synthetic", type=int, default=None, metavar="N")
    parser.add_argument(
        "--parameter",
        choices=["gas-price", "target"],
        default="gas-price",
        help="sweep the gas price (×0.5…×3) or the IT target (2…20 GW)",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from siting.sweep import run_sweep, sweep_from_dict
    from siting.sweep import worker as sweep_worker

    if args.parameter == "target":
        gw = [round(2 + 18 * i / (args.points - 1), 3) for i in range(args.points)]
        parameters = {"objective.target_it": {"values": [f"{g} GW" for g in gw]}}
        label = f"{args.points} IT targets {gw[0]}…{gw[-1]} GW"
    else:
        factors = [round(0.5 + 2.5 * i / (args.points - 1), 4) for i in range(args.points)]
        parameters = {"costs.gas_price": {"factors": factors}}
        label = f"{args.points} gas prices ×{factors[0]}…×{factors[-1]}"
    raw = {"name": f"benchmark-{args.parameter}", "parameters": parameters}
    data = None
    case_path = args.case or (RUSSIA if RUSSIA.exists() and args.synthetic is None else None)
    if case_path is not None:
        sweep = sweep_from_dict(raw, case=case_path.resolve())
        what = str(case_path)
    else:
        from _synthetic import synthetic

        case, data = synthetic(args.synthetic or 1000)
        sweep = sweep_from_dict(raw, case=case)
        what = f"synthetic network ({case.name}; {RUSSIA.name} not found)"
    print(f"case: {what}; {label}")

    results = {}
    for mode, reuse in (("rebuild", False), ("reuse", True)):
        sweep_worker.forget()
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            result = run_sweep(sweep, out, workers=0, data=data, reuse=reuse, progress=False)
            wall = time.perf_counter() - start
        results[mode] = (wall, result.runs)

    print(
        f"{'':8} {'wall s':>8} {'runs':>5} {'HiGHS s':>8} {'prep s':>7} {'build s':>8} "
        f"{'handoff s':>9} {'extract s':>9} {'check s':>8} {'driver s':>8} {'outside HiGHS':>14}"
    )
    for mode, (wall, runs) in results.items():
        solve = runs["solve_s"].sum()
        outside = wall - solve
        print(
            f"{mode:8} {wall:8.2f} {len(runs):5d} {solve:8.2f} {runs['prepare_s'].sum():7.2f} "
            f"{runs['build_s'].sum():8.2f} {runs['handoff_s'].sum():9.2f} "
            f"{runs['extract_s'].sum():9.2f} {runs['check_s'].sum():8.2f} "
            f"{wall - runs['run_s'].sum():8.2f} {outside / solve:13.1%}"
        )
    (t_rebuild, rebuilt), (t_reuse, reused) = results["rebuild"], results["reuse"]
    resolved = reused[reused["reused"]]
    driver = (t_reuse - reused["run_s"].sum()) / len(reused)
    worker = (resolved["run_s"] - resolved["solve_s"]).mean()
    once = reused.loc[~reused["reused"], ["prepare_s", "build_s", "handoff_s"]].sum().sum()
    statuses = ", ".join(f"{n} {s}" for s, n in reused["status"].value_counts().items())
    handoffs = ", ".join(f"{n} {h}" for h, n in reused["handoff"].value_counts().items())
    mean_solve = resolved["solve_s"].mean()
    print(f"status: {statuses}; reuse hand-offs: {handoffs}")
    print(f"reuse/rebuild speed-up end to end: {t_rebuild / t_reuse:.2f}x")
    warm = reused["solve_s"].sum()
    print(
        f"ceiling if reuse spent nothing outside HiGHS: {t_rebuild / warm:.2f}x "
        f"(warm HiGHS time {warm / rebuilt['solve_s'].sum():.2f}x the cold one)"
    )
    updates = reused.loc[reused["handoff"] == "update", "handoff_s"]
    print(
        f"hand-off to HiGHS per run: {rebuilt['handoff_s'].median() * 1000:.1f} ms compiling "
        f"and passing the model, {updates.median() * 1000:.1f} ms pushing changed costs "
        "(median)"
    )
    print(
        f"reuse, per re-solve outside HiGHS: {worker * 1000:.0f} ms in the worker (update, "
        f"extract, check) + {driver * 1000:.0f} ms in the driver (plan, Parquet) = "
        f"{(worker + driver) / mean_solve:.1%} of the mean HiGHS time ({mean_solve * 1000:.0f} ms)"
    )
    print(
        f"reuse, once per sweep: {once:.2f} s to prepare, build and hand off the model; "
        f"whole sweep outside HiGHS: {(t_reuse - reused['solve_s'].sum()) / reused['solve_s'].sum():.1%}"
        " of HiGHS time"
    )
    both = rebuilt.set_index("run_id")["objective"].align(reused.set_index("run_id")["objective"])
    diff = ((both[0] - both[1]).abs() / both[0].abs().clip(lower=1)).max()
    gap = sweep.base.solver.mip_gap if sweep.base else float("nan")
    print(f"largest relative objective difference between the two: {diff:.1e} (MIP gap {gap:g})")


if __name__ == "__main__":
    main()
