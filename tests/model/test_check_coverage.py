"""The checker covers every number a run writes.

Three example runs fill every table: the second serves a latency hub, so ``serve`` and
``hubs`` have rows, and buys cheap grid power, so a site is hybrid and a grid node full;
the third is a model v2 plan (two periods, an engine menu under N+1), with its per-period,
technology and unit tables. Every numeric column of every ``tables/*.csv`` and every number in
``summary.json`` and in the report and totals of ``solution.json`` is changed in turn, in
one row, by 0.1 %; :func:`siting.output.verify.check_files` must then fail. The only
numbers exempt are the model's data (the columns of the ``ModelInputs`` tables, the
candidate builder's columns, the network builder's tables, ``params``) and the
measurements in :data:`siting.output.verify.MEASURED`: the manifest's hashes cover those.

A feature that writes a new derived column or total fails here until the checker
recomputes it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from siting.api import solve_case
from siting.examples import example_case, example_geodata
from siting.output.verify import MEASURED, RunFiles, check_files, read_run_files

#: the network builder's record (input side): only these columns are recomputed
NETWORK_CHECKED = {"network_components": ("supply_mw", "demand_mw", "share")}
MODEL_TABLES = ("sites", "arcs", "nodes", "grid_nodes", "hubs", "serve", "cliques")
#: the tables of a model v2 plan whose input columns are those of the ModelInputs table
V2_TABLES = (
    "periods",
    "technologies",
    "site_periods",
    "arc_periods",
    "node_periods",
    "grid_periods",
)
ENGINE = {"unit_size": "1.5 MW", "efficiency": 0.4, "capex": "1.3 MUSD/MW"}


@pytest.fixture(scope="module", params=["example", "example-hubs", "example-v2"])
def run(request, tmp_path_factory) -> tuple[RunFiles, dict[str, set[str]]]:
    """A run folder read back, and the columns of each table that are model data."""
    overrides: dict[str, Any] = {}
    if request.param == "example-hubs":  # grid at 5 USD/MWh: one site hybrid, one on the grid
        overrides = {
            "objective": {"hubs": {"share_of_it": 0.3, "max_rtt_ms": 30}},
            "costs": {"grid_price": "5 USD/MWh"},
        }
    if request.param == "example-v2":  # two periods, an engine menu under N+1, a hub
        overrides = {
            "periods": {
                "winter": {"weight": 0.3, "factors": {"spare": 0.5}},
                "summer": {"weight": 0.7},
            },
            "technology": {"menu": {"gas_engine": ENGINE}, "reliability": {"rule": "n_plus_1"}},
            "costs": {"grid_capacity_charge": "50 kUSD/MW/month", "grid_price": "20 USD/MWh"},
            "objective": {"hubs": {"share_of_it": 0.3, "max_rtt_ms": 30}},
        }
    case = example_case(**overrides)
    out = tmp_path_factory.mktemp(request.param)
    result = solve_case(case, out=out, data=example_geodata(case))
    inputs = result.prepared.inputs
    data: dict[str, set[str]] = {
        name: {*getattr(inputs, name).columns, *getattr(inputs, name).index.names}
        for name in (*MODEL_TABLES, *V2_TABLES)
    }
    data["candidates"] = set(result.prepared.candidates.sites.columns)
    files = read_run_files(out)
    return files, data


def cells(files: RunFiles, data: dict[str, set[str]]) -> Iterator[tuple[str, RunFiles]]:
    """Each written number that must be recomputed, changed in a copy of the files."""
    for name, frame in files.tables.items():
        model_data = data.get(name, set())
        checked = NETWORK_CHECKED.get(name)
        for col in frame.columns:
            if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(
                frame[col]
            ):
                continue
            if col in model_data or (name.startswith("network_") and col not in (checked or ())):
                continue
            if not len(frame):
                pytest.fail(f"tables/{name}.csv has no rows: the fixture must fill it")
            changed = copy.copy(files)
            changed.tables = {**files.tables, name: _bump_column(frame, col)}
            yield f"tables/{name}.csv:{col}", changed
    for doc in ("solution", "summary"):
        content = getattr(files, doc)
        for path in _leaves(content):
            if doc == "solution" and path[0] == "params":
                continue
            if path[-1] in MEASURED:
                continue
            changed = copy.copy(files)
            setattr(changed, doc, _bump_leaf(content, path))
            yield f"{doc}.json:{'.'.join(map(str, path))}", changed


def _bump_column(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    values = frame[col].to_numpy(float)
    finite = np.flatnonzero(np.isfinite(values))
    row = finite[np.argmax(np.abs(values[finite]))] if len(finite) else 0
    out = frame.copy()
    out[col] = out[col].astype(float)
    out.loc[out.index[row], col] = _bumped(values[row])
    return out


def _bumped(value: float) -> float:
    return 1.0 if not math.isfinite(value) else value + 1e-3 * max(1.0, abs(value))


def _leaves(obj: Any, path: tuple = ()) -> Iterator[tuple]:
    """Paths to every number (and null, an undefined number) in a JSON document."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj[:1]):  # the first of a list of like records
            yield from _leaves(value, (*path, i))
    elif obj is None or (isinstance(obj, int | float) and not isinstance(obj, bool)):
        yield path


def _bump_leaf(doc: dict, path: tuple) -> dict:
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node[key]
    value = node[path[-1]]
    node[path[-1]] = _bumped(float("nan") if value is None else float(value))
    return out


def test_the_unchanged_run_passes(run):
    files, _ = run
    report = check_files(files)
    assert report.ok, report.summary()


def test_every_written_number_is_recomputed(run):
    files, data = run
    missed = [where for where, changed in cells(files, data) if check_files(changed).ok]
    assert not missed, "changed without the checker noticing: " + ", ".join(missed)


def test_the_model_data_exempt_here_is_the_model_data(run):
    """The columns exempt above are inputs of the model, not outputs of the plan: none of
    them is a column that the Solution adds to its tables."""
    from siting.solution import SITE_COST_TERMS

    _, data = run
    derived = {"it_mw", "facility_mw", "gas_bcm_y", "capex_musd", "value_musd_y", "source"}
    decisions = {"open", "modules", "gas_mw", "gen_mw", "grid_mw", "grid_link"}
    for name in MODEL_TABLES:
        assert not data[name] & (derived | decisions | set(SITE_COST_TERMS)), name
    assert not data["candidates"] & (decisions | {"it_mw", "cost_total_musd_y"})
