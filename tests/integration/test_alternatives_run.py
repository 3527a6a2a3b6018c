"""`siting alternatives` end to end on the example: the folder's tables agree with each other
and with the slack, the maps and the report show the classes and the section, the regrets
are the same in this process, in local worker processes and on a Dask cluster, and bad input
is one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from siting.alternatives import AlternativesOptions
from siting.api import find_alternatives, load_case
from siting.examples import write_example
from siting.output.alternatives import read_alternatives

SITING = [sys.executable, "-m", "siting"]
OPTIONS = {"slack": 0.05, "unchosen": 3}
REGRET_KEY = ["change", "site_id", "status", "objective", "regret_musd_y", "sites"]


@pytest.fixture(scope="module")
def case_file(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("example")
    write_example(directory)
    return directory / "example.yaml"


@pytest.fixture(scope="module")
def folder(case_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("alternatives")
    args = ["--slack", "0.05", "--unchosen", "3", "--workers", "0", "--out", str(out)]
    done = subprocess.run(
        [*SITING, "alternatives", str(case_file), *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "candidates" in done.stdout or "No plan found" in done.stdout
    return out


def test_the_folder_holds_consistent_tables(folder):
    t = read_alternatives(folder)
    alt, sites, classes = t.alternatives, t.alternative_sites, t.candidates
    limit = t.summary["objective_limit"]
    assert t.summary["slack"] == 0.05
    assert (alt["status"] == "optimal").all()
    assert (alt["objective"] <= limit * (1 + 1e-9)).all()
    assert alt.loc[0, "kind"] == "optimum" and alt.loc[0, "objective_vs_optimum_pct"] == 0
    assert set(alt["kind"]) == {"optimum", "metric", "ranked"}
    # plan × site × MW: the sites of each plan row, and the classes counted from them
    for row in alt.itertuples():
        opened = set(sites.loc[sites["plan"] == row.plan, "site_id"])
        assert opened == set(row.sites.split(";"))
        assert sites.loc[sites["plan"] == row.plan, "it_mw"].sum() == pytest.approx(row.it_mw)
    counts = sites.groupby("site_id").size().reindex(classes.index).fillna(0)
    n = len(alt)
    by_hand = counts.map(lambda c: "every" if c == n else ("some" if c else "none"))
    assert (classes["class"].astype(str) == by_hand).all()
    assert (classes["plans_open"] == counts).all()
    # the run folder of the optimum is there too, with the classes as a GIS layer
    assert json.loads((folder / "manifest.json").read_text())["complete"]
    layers = {name for name, _ in pyogrio.list_layers(folder / "sites.gpkg")}
    assert {"sites", "candidates", "site_classes"} <= layers
    regrets = t.regrets
    assert set(regrets["change"]) == {"close", "open"}
    assert (regrets["status"] == "optimal").all()
    assert (regrets["regret_musd_y"] >= -1e-6 * abs(t.summary["objective"])).all()


def test_the_report_and_maps_show_how_sure_the_plan_is(folder):
    t = read_alternatives(folder)
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "## How sure is this plan?" in report
    assert t.summary["ties_sentence"] in report
    assert "### Price of each chosen site" in report
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "How sure is this plan?" in html
    web = (folder / "map.html").read_text(encoding="utf-8")
    assert "candidates in every / some / no plan" in web
    assert (folder / "map.png").stat().st_size > 10_000


@pytest.mark.slow
def test_regrets_agree_in_this_process_local_processes_and_dask(case_file):
    """The regret runs give the same plans wherever they run (one model per worker)."""
    distributed = pytest.importorskip("distributed")
    case = load_case(case_file)
    runs = {}
    for name, kwargs in (("inline", {"workers": 0}), ("local", {"workers": 1})):
        result = find_alternatives(case, AlternativesOptions(**OPTIONS, **kwargs))
        runs[name] = result.regrets
        assert result.summary["regret_workers"] == ("this process" if name == "inline" else "local")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = find_alternatives(case, AlternativesOptions(**OPTIONS), client=client)
        runs["dask"] = result.regrets
        assert result.summary["regret_workers"] == "dask"
    base = runs["inline"][REGRET_KEY]
    for name in ("local", "dask"):
        pd.testing.assert_frame_equal(base, runs[name][REGRET_KEY], check_exact=False, rtol=1e-7)
    assert runs["local"]["reused"].iloc[1:].all()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--slack", "0"], "--slack 0.0: the slack must be > 0 and ≤ 1"),
        (["--slack", "1.5"], "--slack 1.5: the slack must be > 0 and ≤ 1"),
        (["--metric", "cheapness"], "unknown metric 'cheapness'; known metrics"),
    ],
)
def test_bad_input_is_one_line(case_file, tmp_path, args, words):
    done = subprocess.run(
        [*SITING, "alternatives", str(case_file), "--out", str(tmp_path), *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr
