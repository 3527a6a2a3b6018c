"""Where the time goes on a synthetic network of N candidate sites.

For each N, in a fresh process, prints: data path (network, candidates, inputs, and the
three together), Pyomo build, hand-off to HiGHS, HiGHS solve, peak memory, and the ratios
(build + hand-off) / solve and data path / solve, all measured in the same run.

    python benchmarks/core_scale.py            # N = 1000, 5000, 20000
    python benchmarks/core_scale.py 5000
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(n: int) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    from _synthetic import synthetic

    from siting.check import check_solution
    from siting.pipeline import prepare
    from siting.solver.extract import extract_solution
    from siting.solver.highs import HighsSolver
    from siting.solver.model import build_model

    case, data = synthetic(n)
    steps: dict[str, float] = {}

    @contextlib.contextmanager
    def timed(name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        steps[name] = time.perf_counter() - start

    t0 = time.perf_counter()
    prepared = prepare(case, data, timed)
    t1 = time.perf_counter()
    model = build_model(prepared.inputs)
    t2 = time.perf_counter()
    report = HighsSolver(case.solver).solve(model)
    t3 = time.perf_counter()
    check_solution(extract_solution(model, prepared.inputs, report))
    t4 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "candidates": len(prepared.inputs.sites),
        "data_s": t1 - t0,
        "network_s": steps["building the gas network"],
        "candidates_s": steps["candidate sites"],
        "inputs_s": steps["model inputs"],
        "build_s": t2 - t1,
        "handoff_s": report.handoff_s,
        "solve_s": report.solve_s,
        "check_s": t4 - t3,
        "peak_mb": peak_mb,
        "gap": report.gap if report.gap is not None else float("nan"),
        "status": str(report.outcome),
        "ratio": (t2 - t1 + report.handoff_s) / report.solve_s,
        "data_ratio": (t1 - t0) / report.solve_s,
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000, 20000]
    header = (
        f"{'N':>7} {'network':>8} {'cands':>6} {'inputs':>6} {'data s':>7} {'build s':>8} "
        f"{'handoff s':>9} {'solve s':>8} {'check s':>7} {'peak MB':>8} {'gap':>7} {'status':>8} "
        f"{'(build+handoff)/solve':>22} {'data/solve':>11}"
    )
    print(header)
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['candidates']:>7} {r['network_s']:>8.2f} {r['candidates_s']:>6.2f} "
            f"{r['inputs_s']:>6.2f} {r['data_s']:>7.2f} {r['build_s']:>8.2f} "
            f"{r['handoff_s']:>9.2f} {r['solve_s']:>8.2f} {r['check_s']:>7.2f} "
            f"{r['peak_mb']:>8.0f} {r['gap']:>7.2%} {r['status']:>8} {r['ratio']:>22.2f} "
            f"{r['data_ratio']:>11.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
