"""Broken folders, interrupted solves and unverifiable solver reports: each class gets a clear
message and nothing wrong is written.

One test per class of failure (the numbers are those of the trust issue):

- 5: a reused ``--out`` is cleared of the previous run's files, and only those;
- 6: a second run into a folder that a run holds fails at once; a dead holder's lock is not
  in the way;
- 7: a different sweep into a sweep folder is refused; the same sweep resumes;
- 8: an unwritable ``--out`` fails before any layer is read;
- 10: Ctrl-C stops HiGHS and the plan it had is written, marked interrupted;
- 15: an edited output file is named by ``siting check`` (the numbers themselves are
  covered in ``tests/model/test_check_coverage.py``);
- 16: a solver report that the recomputed plan contradicts is never shown as proven;
- 18: one binding tolerance, one status text, a banner that says what is optimised, no
  stray files, no NaN warnings, the reserve named.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from siting.api import solve_case
from siting.config import SolverConfig
from siting.examples import example_case, example_geodata

SITING = [sys.executable, "-m", "siting"]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SITING, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip()]


def example_run(out: Path, **overrides: object) -> None:
    case = example_case(**overrides)
    solve_case(case, out=out, data=example_geodata(case))


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def test_a_reused_out_keeps_nothing_of_the_previous_run(tmp_path):
    """A run, then a re-render with SVG and GeoJSON, then a new run into the same folder:
    the SVG and the GeoJSON of the first run are gone, the new manifest lists only files
    that exist and that this run wrote, and a file of the user's is left alone. A file of
    a run's name that no manifest lists is not replaced without --overwrite."""
    from siting.output.artefacts import render_run

    out = tmp_path / "run"
    example_run(out)
    render_run(out, formats=["png", "svg"], geojson=True)
    assert (out / "map.svg").exists() and (out / "geojson" / "sites.geojson").exists()
    (out / "notes.txt").write_text("mine")
    example_run(out, objective={"target_it": "400 MW"})
    assert not (out / "map.svg").exists() and not (out / "geojson").exists()
    assert (out / "notes.txt").read_text() == "mine"
    listed = manifest(out)["files"]
    assert "map.svg" not in listed and not any(n.startswith("geojson/") for n in listed)
    assert all((out / name).is_file() for name in listed)
    assert "notes.txt" not in listed

    other = tmp_path / "other"
    other.mkdir()
    (other / "map.png").write_bytes(b"someone else's map")
    proc = cli("run", "--example", "--out", str(other))
    assert proc.returncode == 2
    assert error_lines(proc) == [
        f"error: --out {other}: holds map.png that no siting manifest lists; add --overwrite "
        "to replace them, or choose another folder"
    ]
    assert (other / "map.png").read_bytes() == b"someone else's map"
    assert not (other / "manifest.json").exists()
    proc = cli("run", "--example", "--out", str(other), "--overwrite", "-q")
    assert proc.returncode == 0, proc.stderr
    assert manifest(other)["files"]["map.png"]


def test_two_runs_into_one_folder(tmp_path):
    """While a run holds the folder a second one fails at once, naming the holder; the
    lock of a process that was killed is taken over without a word."""
    from siting.output.lock import LOCK_NAME
    from siting.output.run_folder import open_run_folder

    out = tmp_path / "run"
    with open_run_folder(out):
        proc = cli("run", "--example", "--out", str(out))
    assert proc.returncode == 2
    lines = error_lines(proc)
    assert len(lines) == 1 and lines[0].startswith(f"error: {out}: another run (pid ")
    assert lines[0].endswith(
        "is writing to this folder; wait for it to finish or choose another --out"
    )
    assert not (out / "manifest.json").exists() and "reading layers" not in proc.stdout

    out.mkdir(exist_ok=True)  # the refused run left no folder behind
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from siting.output.lock import acquire; acquire(Path(sys.argv[1])); "
            "print('locked', flush=True); time.sleep(600)",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert f"pid {holder.pid}" in (out / LOCK_NAME).read_text()  # left behind by the dead
    proc = cli("run", "--example", "--out", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert manifest(out)["complete"] and not (out / LOCK_NAME).exists()


def test_an_unwritable_out_fails_before_reading_anything(tmp_path):
    """--out below a file: one line naming the folder, before any layer is read."""
    blocker = tmp_path / "results.txt"
    blocker.write_text("a file, not a folder")
    out = blocker / "run"
    proc = cli("run", "--example", "--out", str(out))
    assert proc.returncode == 2
    assert error_lines(proc) == [
        f"error: --out {out}: cannot write there (a parent is a file); choose another folder"
    ]
    assert "reading layers" not in proc.stdout and "solving" not in proc.stdout
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "readonly"
        locked.mkdir(mode=0o500)
        proc = cli("run", "--example", "--out", str(locked / "run"))
        assert proc.returncode == 2
        assert error_lines(proc) == [
            f"error: --out {locked / 'run'}: cannot write there (Permission denied); "
            "choose another folder"
        ]


def test_consistency_where_a_careful_reader_looks(tmp_path):
    """One binding tolerance; "NOT OPTIMAL" never doubled; a banner that says what this run
    optimises; `siting compare` without --out writes nothing; GeoJSON without NaN warnings;
    summary.json says that gen_mw includes the reserve."""
    from dataclasses import replace

    from siting.api import load_case
    from siting.outcome import Outcome
    from siting.report import from_result
    from siting.report.document import report_markdown
    from siting.report.static import _title
    from siting.report.tables import binding_constraints
    from siting.report.web import interactive_map
    from siting.solution import binding_counts

    case = example_case()
    result = solve_case(case, data=example_geodata(case))
    sol = result.solution

    # a grid node with 0.05 % of its spare capacity left is not exhausted, anywhere
    grid = sol.grid_nodes.copy()
    node = grid.index[0]
    grid.loc[node, ["spare_mw", "used_mw"]] = [1000.0, 999.5]
    nearly = replace(sol, grid_nodes=grid)
    reported = (binding_constraints(nearly)["family"] == "grid node exhausted").sum()
    assert binding_counts(nearly)["grid_nodes_exhausted"] == reported
    grid.loc[node, "used_mw"] = 1000.0
    full = replace(sol, grid_nodes=grid)
    reported = (binding_constraints(full)["family"] == "grid node exhausted").sum()
    assert binding_counts(full)["grid_nodes_exhausted"] == reported >= 1

    # a time-limited plan is called NOT OPTIMAL once in each title and in the report
    limited = replace(
        result,
        solution=replace(
            sol, report=replace(sol.report, outcome=Outcome.LIMIT, message="time limit", gap=0.02)
        ),
    )
    run = from_result(limited)
    web = interactive_map(run).get_root().render()
    for text in (_title(run), web, report_markdown(run)):
        assert "NOT OPTIMAL" in text and not re.search(r"not optimal\W+not optimal", text, re.I)
    assert _title(run).count("NOT OPTIMAL") == 1

    # the banner states the objective as resolved, after the scenario and --set
    from siting.cli import goal

    russia = Path(__file__).resolve().parents[2] / "models" / "russia.yaml"
    text = goal(load_case(russia, scenario="absorb"))
    assert text.startswith("most gas burnt, average cost at most 280 USD/MWh of IT energy")
    assert "least" not in text
    assert goal(load_case(russia, overrides={"objective.target_it": "7 GW"})).startswith(
        "least annualised cost, at least 7 GW IT"
    )
    proc = cli(
        "run", "--example", "--out", str(tmp_path / "a"), "--set", "objective.target_it=400 MW"
    )
    assert proc.returncode == 0, proc.stderr
    banner = proc.stdout.splitlines()[0]
    assert "at least 400 MW IT" in banner and "500 MW" not in banner

    # compare without --out: tables on the console, no file anywhere
    example_run(tmp_path / "b")
    work = tmp_path / "cwd"
    work.mkdir()
    proc = cli("compare", str(tmp_path / "a"), str(tmp_path / "b"), cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert list(work.iterdir()) == [] and "no files written" in proc.stdout

    # GeoJSON layers: non-finite numbers written as null, without a warning
    proc = cli("map", str(tmp_path / "b"), "--geojson")
    assert proc.returncode == 0, proc.stderr
    assert "NaN" not in proc.stderr and "Warning" not in proc.stderr
    candidates = json.loads((tmp_path / "b" / "geojson" / "candidates.geojson").read_text())
    assert any(v is None for f in candidates["features"] for v in f["properties"].values())

    # gen_mw: the reserve is included, and summary.json says by how much
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    p = sol.params
    assert "reserve" in summary["definitions"]["gen_mw"]
    reserve = f"{p.reserve_margin:.1%}" if p.reserve_margin > 0 else "no reserve"
    assert reserve in summary["definitions"]["gen_mw"]
    totals = summary["totals"]
    assert totals["gen_mw"] == pytest.approx(
        (1 + p.reserve_margin) * p.generator_efficiency * totals["gas_mw"]
    )


def test_an_edited_output_is_named_by_check(tmp_path):
    """The manifest holds each file's SHA-256: `siting check` names a file changed after
    the run even when every number stays consistent (a word in report.md), and a table
    whose number was changed by both its hash and the recomputation; exit code 5. (That
    every written number is recomputed is tests/model/test_check_coverage.py.)"""
    import pandas as pd

    out = tmp_path / "run"
    example_run(out)
    proc = cli("check", str(out))
    assert proc.returncode == 0, proc.stderr
    assert re.search(
        r"\d+ files match their hashes in manifest.json", " ".join(proc.stdout.split())
    )
    report = out / "report.md"
    report.write_text(report.read_text().replace("MW", "GW", 1))
    sites = pd.read_csv(out / "tables" / "sites.csv")
    sites.loc[sites["open"] == 1, "facility_mw"] *= 1.01
    sites.to_csv(out / "tables" / "sites.csv", index=False)
    proc = cli("check", str(out))
    assert proc.returncode == 5
    lines = error_lines(proc)
    changed = "changed after the run (its content no longer matches the SHA-256 in manifest.json)"
    assert f"changed: report.md: {changed}" in lines
    assert f"changed: tables/sites.csv: {changed}" in lines
    assert any(ln.startswith("failed: ") and "facility_mw = PUE·IT" in ln for ln in lines)


def test_a_second_sweep_into_a_sweep_folder(tmp_path):
    """A sweep folder takes one sweep: a different sweep is refused in one line and the
    rows stay as they were; the same sweep resumes; a run is refused there too."""
    import pandas as pd
    import yaml

    from siting.examples import write_example

    write_example(tmp_path)

    def sweep(name: str, parameters: dict) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"case": "example.yaml", "parameters": parameters}))
        return path

    price = sweep("price", {"costs.gas_price": {"factors": [0.5, 1]}})
    target = sweep("target", {"objective.target_it": {"values": ["300 MW", "400 MW"]}})
    out = tmp_path / "out"
    proc = cli("sweep", str(price), "--out", str(out), "--workers", "0", "-q", "--no-plots")
    assert proc.returncode == 0, proc.stderr
    before = pd.read_parquet(out / "runs.parquet")
    assert len(before) == 2 and len(json.loads((out / "sweep.json").read_text())["spec_hash"]) == 64

    proc = cli("sweep", str(target), "--out", str(out), "--workers", "0", "-q", "--no-plots")
    assert proc.returncode == 2
    lines = error_lines(proc)
    assert len(lines) == 1
    assert lines[0].startswith(f"error: --out {out}: holds 2 run(s) of the sweep 'price' (spec ")
    assert f"that {target} (spec " in lines[0]
    assert lines[0].endswith(
        "a sweep folder takes one sweep (resumed or extended): choose another --out"
    )
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), before)

    proc = cli("sweep", str(price), "--out", str(out), "--workers", "0", "-q", "--no-plots")
    assert proc.returncode == 0, proc.stderr
    assert "this call computed 0 run(s); 2 were already done" in proc.stdout

    proc = cli("run", "--example", "--out", str(out))
    assert proc.returncode == 2
    assert error_lines(proc) == [
        f"error: --out {out}: a sweep folder (sweep.json); write the run into another folder"
    ]


def test_a_solver_report_contradicted_by_its_own_plan(shared_data, tmp_path, monkeypatch, capsys):
    """HiGHS 1.16 once reported, after a feasible MIP start with presolve on, an objective
    and a best bound both below the true cost of its own plan (a facility-location model;
    reproduced with plain highspy from an MPS file; right without the start). Searching
    the OR-Library and spopt instances here with the Lagrangian start did not bring it
    back, so such a report is injected at the HiGHS boundary (``HighsSolver.solve``):

    - objective and bound 5 % low, only after a MIP start: the model is solved again from
      scratch, that report holds and is used, and the first one is recorded;
    - a best bound above the plan's cost, always: the plan is kept (it passes every check)
      with its recomputed cost, no bound and no gap; it is not called optimal, and the
      manifest and the console say why.
    """
    from siting.api import solver_notes
    from siting.cli import print_summary
    from siting.facility_location import facility_inputs
    from siting.io.orlib import read_orlib_cap
    from siting.outcome import UNVERIFIED, Outcome
    from siting.pipeline import solve_inputs
    from siting.solver.highs import HighsSolver

    solve = HighsSolver.solve

    def lowered(self, *args, **kwargs):
        """After a MIP start: objective and bound both 5 % below the plan's cost."""
        report = solve(self, *args, **kwargs)
        if not report.mip_start:
            return report
        return replace(report, objective=report.objective * 0.95, bound=report.bound * 0.95)

    def bound_above(self, *args, **kwargs):
        """Always: a best bound 5 % above the plan's cost (a lower bound that cannot be)."""
        report = solve(self, *args, **kwargs)
        return replace(report, bound=report.objective * 1.05)

    problem = read_orlib_cap(shared_data / "orlib-cap" / "instances" / "cap41.txt")
    inputs = facility_inputs(problem)
    truth, _, _ = solve_inputs(inputs, SolverConfig(mip_gap=0.0))
    assert truth.report.mip_start and not truth.report.verification

    monkeypatch.setattr(HighsSolver, "solve", lowered)
    solution, check, _ = solve_inputs(inputs, SolverConfig(mip_gap=0.0))
    r = solution.report
    assert check.ok and r.is_optimal and not r.mip_start
    assert r.objective == pytest.approx(truth.report.objective, rel=1e-9)
    v = r.verification
    assert v["action"] == "solved again without the MIP start" and v["result"] == "verified"
    assert v["reported"]["objective"] == pytest.approx(0.95 * truth.report.objective)
    assert any("HiGHS's objective" in p for p in v["problems"])
    assert any("called optimal" in p for p in v["problems"])

    monkeypatch.setattr(HighsSolver, "solve", bound_above)
    solution, check, _ = solve_inputs(inputs, SolverConfig(mip_gap=0.0))
    r = solution.report
    assert check.ok, check.summary()
    assert r.outcome is Outcome.LIMIT and r.status == UNVERIFIED and not r.is_optimal
    assert r.bound is None and r.gap is None
    assert r.objective == pytest.approx(truth.report.objective, rel=1e-9)  # recomputed
    assert "gap" not in r.describe().replace("no bound or gap", "")
    assert solver_notes(r)["verified"] is False
    assert solver_notes(r)["verification"]["result"].startswith("still contradicted")
    assert any("best bound" in p for p in r.verification["problems_again"])

    # a run folder: manifest, summary.json and the console say the same, and it re-checks
    case = example_case()
    out = tmp_path / "run"
    result = solve_case(case, out=out, data=example_geodata(case))
    assert result.solution.report.status == UNVERIFIED
    assert manifest(out)["solver_report"]["verified"] is False
    summary = json.loads((out / "summary.json").read_text())
    assert summary["best_bound"] is None and summary["mip_gap"] is None
    assert summary["status"] == "limit" and summary["status_text"].startswith("NOT OPTIMAL")
    print_summary(result.solution)
    printed = " ".join(capsys.readouterr().out.split())
    assert "MIP gap" not in printed and "no bound or gap" in printed
    assert "HiGHS's report contradicted its plan" in printed
    monkeypatch.undo()
    proc = cli("check", str(out))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_ctrl_c_stops_highs_and_keeps_its_plan(tmp_path, root):
    """A real solve of about 40 s (the Russia case at 12 km candidate spacing, proven to a
    zero gap) gets SIGINT once HiGHS is branching. HiGHS stops (or, if it is in a phase
    that checks for interrupts only rarely, is left to stop while its last plan is taken):
    the plan is checked and written, marked NOT OPTIMAL: interrupted, with the gap it had;
    the exit code is 130 and `siting check` passes the folder."""
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [
            *SITING,
            "run",
            str(root / "models" / "russia.yaml"),
            "--out",
            str(out),
            "--verbose",
            "--set",
            "candidates.spacing_km=12",
            "--set",
            "objective.min_spacing_km=15",
            "--set",
            "solver.mip_gap=0",
            "--set",
            "solver.time_limit_s=600",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # the HiGHS log, streamed
        if "B&B Tree" in line:
            break
    else:
        pytest.fail(f"HiGHS never branched: {proc.wait()} {proc.stderr.read()}")
    time.sleep(2.0)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=300)
    print(f"SIGINT to exit: {time.monotonic() - sent:.1f} s (stopping HiGHS, writing the folder)")
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: HiGHS was stopped after" in " ".join(err.split())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "limit"
    assert summary["status_text"].startswith("NOT OPTIMAL: interrupted after")
    report = json.loads((out / "solution.json").read_text())["report"]
    assert report["status"] == "kInterrupt" and report["solve_s"] < report["time_limit_s"]
    assert manifest(out)["complete"]
    check = cli("check", str(out))
    assert check.returncode == 0, check.stderr
