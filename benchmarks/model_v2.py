"""Model v2 at the size of its cases: where the time goes, measured in one run.

1. The Russia v2 case (``models/russia-v2.yaml``: three periods, four on-site technologies
   under N+1, grid power with its fuel), solved to its 0.1 % gap. Target: HiGHS (the LP
   relaxation and restricted MIP of the starting plan, and the MIP) under 10 s.
2. GEM's Russian pipelines with a candidate every 10 km and at every junction (the
   ``dense`` scenario of ``models/gem-russia.yaml``) in three periods given by factors,
   solved to 0.5 %. Target: under 120 s.

For each it prints the data path, the Pyomo build, the hand-offs (compiling the model and
passing it to HiGHS, for the starting plan and for the MIP), the HiGHS time, and their
ratio; HiGHS's time also as CPU seconds of this process, which a busy machine does not
inflate. Then the plan: sites, technologies, direct and indirect gas.

    python benchmarks/model_v2.py [--gem PATH/russia_pipelines_fullres.geojson] [--no-gem]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's siting, not another installed copy

#: representative periods of the GEM case: winter demand up 15 % with fields up 5 %,
#: summer demand down 15 % with fields down 5 % (maintenance)
GEM_PERIODS = {
    "winter": {"weight": 0.247, "factors": {"demand": 1.15, "supply": 1.05}},
    "shoulder": {"weight": 0.334},
    "summer": {"weight": 0.419, "factors": {"demand": 0.85, "supply": 0.95}},
}


def default_gem() -> Path:
    shared = Path(os.environ.get("SITING_SHARED_DATA") or ROOT.parent / "shared" / "data")
    return shared / "gem-ggit" / "russia_pipelines_fullres.geojson"


class CpuTimings:
    """Wall and CPU seconds of each named step."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        w, c = time.perf_counter(), time.process_time()
        yield
        self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c


def measure(label: str, case: object, target_s: float) -> None:
    from siting.pipeline import prepare
    from siting.solver.handle import SolverHandle
    from siting.steps import BUILD_STEPS, SOLVE_STEP

    steps = CpuTimings()
    with steps("data path"):
        inputs = prepare(case).inputs  # type: ignore[arg-type]
    handle = SolverHandle(inputs, case.solver, step=steps)  # type: ignore[attr-defined]
    solution = handle.solve(step=steps)
    r, presolve = solution.report, solution.report.presolve
    build = steps.wall[BUILD_STEPS[1]]
    start_compile = presolve.get("start_compile_s", 0.0)
    start_highs = presolve.get("start_lp_s", 0.0) + presolve.get("start_mip_s", 0.0)
    handoff = r.handoff_s + start_compile
    highs = r.solve_s + start_highs
    # the solve step's CPU time less its hand-off, plus the start's (HiGHS runs in-process)
    start_cpu = steps.cpu.get(BUILD_STEPS[2], 0.0)
    highs_cpu = steps.cpu[SOLVE_STEP] - r.handoff_s + start_cpu - start_compile
    print(f"\n{label}")
    print(
        f"  model: {len(inputs.sites):,} sites, {len(inputs.arcs):,} arcs, "
        f"{len(inputs.periods)} periods, {len(inputs.technologies)} technologies"
    )
    print(f"  data path                {steps.wall['data path']:7.2f} s")
    print(f"  Pyomo build              {build:7.2f} s")
    print(f"  hand-off (compile+pass)  {handoff:7.2f} s   (starting plan {start_compile:.2f} s)")
    if presolve:
        print(
            f"  HiGHS starting plan      {start_highs:7.2f} s   (LP {presolve['start_lp_s']:.2f} s, "
            f"restricted MIP on {int(presolve['start_sites_kept'])} sites "
            f"{presolve['start_mip_s']:.2f} s)"
        )
    print(f"  HiGHS MIP                {r.solve_s:7.2f} s   ({r.nodes} nodes)")
    print(
        f"  HiGHS total              {highs:7.2f} s   target < {target_s:g} s; "
        f"CPU {highs_cpu:.2f} s of this process"
    )
    print(f"  gap                      {r.gap:.4%} (setting {r.mip_gap_setting:.2%})")
    print(f"  (build + hand-off) / HiGHS   {(build + handoff) / highs:.3f}")
    t = solution.totals
    chosen = solution.chosen
    print(
        f"  plan: {t['sites_open']} sites, {t['it_mw']:,.0f} MW IT, cost {t['cost_musd_y']:,.1f} "
        f"MUSD/y"
    )
    if solution.is_v2:
        print(
            f"  gas: {t['gas_direct_bcm_y']:.2f} bcm/y on site + {t['gas_indirect_bcm_y']:.2f} "
            f"behind the grid = {t['gas_total_bcm_y']:.2f} bcm/y"
        )
        for t_id in solution.technologies.index:
            units = int(chosen[f"units_{t_id}"].sum())
            if units:
                print(
                    f"    {t_id:18s} {units:5d} units, {t[f'power_{t_id}_mw']:7,.0f} MW mean output"
                )
        print(f"    {'grid':18s}        {t['power_grid_mw']:13,.0f} MW mean draw")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gem", type=Path, default=None, help="GEM GGIT Russia GeoJSON")
    parser.add_argument("--no-gem", action="store_true", help="only the Russia v2 case")
    args = parser.parse_args()

    from siting.api import load_case

    measure("Russia v2 (models/russia-v2.yaml)", load_case(ROOT / "models" / "russia-v2.yaml"), 10)
    if args.no_gem:
        return
    path = args.gem or default_gem()
    if not path.exists():
        print(f"\nGEM file not found at {path}: give it with --gem PATH (or --no-gem)")
        return
    case = load_case(
        ROOT / "models" / "gem-russia.yaml",
        scenario="dense",
        overrides={"layers.pipelines.path": str(path), "periods": GEM_PERIODS},
    )
    measure("GEM Russia, 10 km, three periods (gem-russia.yaml, dense)", case, 120)


if __name__ == "__main__":
    main()
