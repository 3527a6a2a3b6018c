"""OR-Library facility location: our time to a proven optimum against HiGHS alone.

For each instance, in one run on one machine:

- ``ours``: the user code path, ``siting.pipeline.solve_inputs`` on the instance's
  ``ModelInputs`` with the default formulation, from the pre-solve checks to HiGHS's proof
  of optimality: pre-solve checks, Lagrangian site fixing when it applies, Pyomo build,
  hand-off and HiGHS's run (loading the solution back and the independent check come after
  the proof and are not counted);
- ``highs``: HiGHS alone on the plain strong formulation built directly as highspy arrays
  (min Σf·y + Σc·x, Σ_i x_ij = 1, Σ_j d_j·x_ij ≤ s_i·y_i, x_ij ≤ y_i, x ∈ [0,1]), from
  the arrays to the proof;
- ``ratio`` = ours / highs (``<x`` when HiGHS alone did not prove optimality within
  ``--plain-limit``), ``build+handoff``: our Pyomo build and hand-off as a share of ours,
  and ``fixed``: sites the Lagrangian bound proved closed before the MIP.

Both run with one thread and ``mip_rel_gap = 0`` (the optima are compared at an absolute
1e-3). Timings on a shared machine swing: ``--repeats N`` runs every instance N times with
HiGHS seeds 0..N-1 and reports geometric means.

    python benchmarks/orlib.py                    # cap41…cap134, then capb-8000, capc-7250, capa-8000
    python benchmarks/orlib.py small --repeats 3
    python benchmarks/orlib.py big --plain-limit 900
    python benchmarks/orlib.py capabc uflp        # all 12 capacitated capa/b/c, 3 UFLP
    python benchmarks/orlib.py capc-7250 capa-u   # named instances (-u: uncapacitated)
    python benchmarks/orlib.py big --ablation     # each formulation switch off in turn
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp
import yaml

from siting.config import FormulationConfig, SolverConfig
from siting.facility_location import FacilityProblem, facility_inputs
from siting.io.orlib import read_orlib_cap, read_orlib_optima
from siting.pipeline import Timings, _quiet, solve_inputs

SHARED = Path(
    os.environ.get("SITING_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
DATA = SHARED / "orlib-cap"
SMALL = [f"cap{g}{k}" for g in (4, 5, 6, 7, 8, 9, 10, 11, 12, 13) for k in (1, 2, 3, 4)]
SMALL = [s for s in SMALL if s not in ("cap52", "cap53", "cap54")]
BIG = ["capb-8000", "capc-7250", "capa-8000"]
CAPACITATED = [
    f"{name}-{cap}"
    for name, caps in (
        ("capa", (8000, 10000, 12000, 14000)),
        ("capb", (5000, 6000, 7000, 8000)),
        ("capc", (5000, 5750, 6500, 7250)),
    )
    for cap in caps
]
UNCAPACITATED = ["capa-u", "capb-u", "capc-u"]
ABLATION = {
    "default": {},
    "no Lagrangian fixing": {"lagrangian_fixing": False},
    "no capacity cover": {"capacity_cover": False},
    "no symmetry breaking": {"symmetry_breaking": False},
    "plain (all off)": {
        "lagrangian_fixing": False,
        "capacity_cover": False,
        "symmetry_breaking": False,
    },
}


def load(name: str) -> tuple[FacilityProblem, float]:
    """An instance by name (``cap41``, ``capb-8000``, ``capa-u``) and its published optimum."""
    base, _, cap = name.partition("-")
    uncapacitated = cap == "u"
    capacity = float(cap) if cap and not uncapacitated else None
    problem = read_orlib_cap(DATA / "instances" / f"{base}.txt", capacity, uncapacitated)
    optima = read_orlib_optima(DATA / "orlib_optima.csv")
    kind = "UFLP" if uncapacitated else "CFLP"
    rows = optima[(optima["instance"] == base) & (optima["problem"] == kind)]
    if capacity is not None:
        rows = rows[rows["capacity_substituted"] == capacity]
    return problem, float(rows["optimal_value"].iloc[0])


def plain_lp(problem: FacilityProblem) -> highspy.HighsLp:
    """The textbook strong formulation as highspy arrays (no capacity rows if uncapacitated)."""
    cost = problem.cost.to_numpy(float)  # per customer: serving all of j from i
    m, n = cost.shape
    demand = problem.demand.to_numpy(float)
    i, j = np.divmod(np.arange(m * n), n)
    x = m + np.arange(m * n)
    rows, cols, vals = (
        [j, n + x - m, n + x - m],
        [x, x, i],
        [
            np.ones(m * n),
            np.ones(m * n),
            -np.ones(m * n),
        ],
    )
    lower = [np.ones(n), np.full(m * n, -highspy.kHighsInf)]
    upper = [np.ones(n), np.zeros(m * n)]
    n_rows = n + m * n
    if problem.capacity is not None:
        capacity = problem.capacity.to_numpy(float)
        rows += [n_rows + i, n_rows + np.arange(m)]
        cols += [x, np.arange(m)]
        vals += [demand[j], -capacity]
        lower.append(np.full(m, -highspy.kHighsInf))
        upper.append(np.zeros(m))
        n_rows += m
    a = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, m + m * n),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m + m * n, n_rows
    lp.col_cost_ = np.concatenate([problem.fixed_cost.to_numpy(float), cost.ravel()])
    lp.col_lower_, lp.col_upper_ = np.zeros(m + m * n), np.ones(m + m * n)
    lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m + m * n, n_rows
    lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * (
        m * n
    )
    return lp


def highs_alone(problem: FacilityProblem, seed: int, limit_s: float) -> tuple[float, float, bool]:
    """Seconds from arrays to proof, objective, and whether it was proven optimal."""
    start = time.perf_counter()
    lp = plain_lp(problem)
    h = highspy.Highs()
    for key, value in {
        "output_flag": False,
        "threads": 1,
        "random_seed": seed,
        "mip_rel_gap": 0.0,
        "time_limit": limit_s,
    }.items():
        h.setOptionValue(key, value)
    h.passModel(lp)
    h.run()
    seconds = time.perf_counter() - start
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return seconds, float(h.getInfo().objective_function_value), optimal


def ours(
    problem: FacilityProblem, seed: int, limit_s: float, formulation: FormulationConfig
) -> tuple[float, float, float, bool, dict[str, float]]:
    """Seconds to proof, build+hand-off seconds, objective, proven, Lagrangian figures."""
    settings = SolverConfig(mip_gap=0.0, threads=1, seed=seed, time_limit_s=limit_s)
    inputs = facility_inputs(problem, formulation=formulation)
    timings = Timings()
    solution, _check, _ = solve_inputs(inputs, settings, step=timings.wrap(_quiet))
    steps, report = timings.steps, solution.report
    before_solve = sum(
        steps.get(name, 0.0)
        for name in ("pre-solve network checks", "Lagrangian bound and site fixing")
    )
    build_handoff = steps["building the model"] + report.handoff_s
    return (
        before_solve + build_handoff + report.solve_s,
        build_handoff,
        float(report.objective or math.nan),
        report.is_optimal,
        dict(report.presolve),
    )


def gmean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(np.maximum(values, 1e-9)))))


def measure(
    name: str, repeats: int, limit_s: float, formulation: FormulationConfig, plain: bool = True
) -> dict[str, object]:
    problem, optimum = load(name)
    mine, share, theirs, proven, objective, fixed = [], [], [], True, math.nan, math.nan
    for seed in range(repeats):
        t, bh, objective, ok, pre = ours(problem, seed, limit_s, formulation)
        mine.append(t)
        share.append(bh / t)
        proven &= ok
        fixed = pre.get("sites_fixed_closed", math.nan)
        if plain:
            ht, _objective, hok = highs_alone(problem, seed, limit_s)
            theirs.append(ht if hok else math.inf)
    return {
        "instance": name,
        "ours_s": gmean(mine),
        "highs_s": (gmean(theirs) if all(map(math.isfinite, theirs)) else math.inf)
        if plain
        else math.nan,
        "share": float(np.mean(share)),
        "proven": proven,
        "error": abs(objective - optimum),
        "fixed": fixed,
    }


def rows(names: list[str], args: argparse.Namespace) -> Iterator[dict[str, object]]:
    form = FormulationConfig(**dict(args.formulation))
    for name in names:
        yield measure(name, args.repeats, args.plain_limit, form, plain=not args.no_plain)


def print_table(names: list[str], args: argparse.Namespace, title: str) -> None:
    print(f"\n{title}  (geometric means over {args.repeats} seed(s); times in s)")
    print(
        f"{'instance':<12} {'ours':>8} {'HiGHS alone':>12} {'ratio':>7} {'build+handoff':>14} "
        f"{'fixed':>6} {'proven':>7} {'|obj-opt|':>10}"
    )
    total_ours = total_highs = 0.0
    for r in rows(names, args):
        ours_s, highs_s = float(r["ours_s"]), float(r["highs_s"])
        total_ours += ours_s
        total_highs += highs_s
        if math.isnan(highs_s):
            highs_txt, ratio = f"{'-':>12}", f"{'-':>7}"
        elif math.isinf(highs_s):  # HiGHS alone did not prove optimality within the limit
            highs_txt = f"{'>' + str(int(args.plain_limit)):>12}"
            ratio = f"{'<' + format(ours_s / args.plain_limit, '.3f'):>7}"
        else:
            highs_txt, ratio = f"{highs_s:>12.3f}", f"{ours_s / highs_s:>7.2f}"
        fixed = "" if math.isnan(float(r["fixed"])) else f"{int(r['fixed'])}"
        print(
            f"{r['instance']:<12} {ours_s:>8.3f} {highs_txt} {ratio} {float(r['share']):>14.1%} "
            f"{fixed:>6} {'yes' if r['proven'] else 'NO':>7} {float(r['error']):>10.1e}",
            flush=True,
        )
    if len(names) > 1 and math.isfinite(total_highs):
        print(
            f"{'total':<12} {total_ours:>8.3f} {total_highs:>12.3f} {total_ours / total_highs:>7.2f}"
        )


def ablation(names: list[str], args: argparse.Namespace) -> None:
    print(f"\nFormulation switches (ours, geometric means over {args.repeats} seed(s), s)")
    print(f"{'variant':<24}" + "".join(f"{n:>14}" for n in names))
    for label, switches in ABLATION.items():
        form = FormulationConfig(**switches)
        cells = [
            measure(n, args.repeats, args.plain_limit, form, plain=False)["ours_s"] for n in names
        ]
        print(f"{label:<24}" + "".join(f"{float(c):>14.2f}" for c in cells), flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", help="small, big, capabc, uflp, or instance names")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--plain-limit", type=float, default=900.0)
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument("--no-plain", action="store_true", help="skip HiGHS alone")
    parser.add_argument(
        "--set",
        dest="formulation",
        action="append",
        default=[],
        type=lambda kv: (kv.split("=")[0], yaml.safe_load(kv.split("=")[1])),
        help="formulation switch for ours, e.g. --set lagrangian_min_pairs=0",
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        sys.exit(f"reference data not found at {DATA}")
    wanted = args.instances or ["small", "big"]
    groups = {"small": SMALL, "big": BIG, "capabc": CAPACITATED, "uflp": UNCAPACITATED}
    if args.ablation:
        ablation([n for w in wanted for n in groups.get(w, [w])], args)
        return
    for item in wanted:
        if item in groups:
            print_table(groups[item], args, f"OR-Library {item}")
        else:
            print_table([item], args, item)


if __name__ == "__main__":
    main(sys.argv[1:])
