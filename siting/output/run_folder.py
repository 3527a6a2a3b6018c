"""The run folder: write it, and read a Solution back from one.

Every file is written atomically (:mod:`siting.output.files`). ``manifest.json`` is written
last and removed first: a folder without it is an incomplete run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import platform
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from siting.errors import DataError
from siting.gis import GEOMETRY_TYPES
from siting.inputs import Params
from siting.network import NetworkReport
from siting.outcome import Outcome, SolveReport
from siting.output.files import (
    Writer,
    atomic_path,
    digest_json,
    file_sha256,
    finite,
    json_default,
    write_json,
)
from siting.output.folder import MANIFEST, RunFolder, claim
from siting.report.qgis import LayerStyle, layer_styles
from siting.solution import BINDING_TOL, Solution

logger = logging.getLogger(__name__)

#: files written beside the tables, by name: a writer each, or a function that gives them
ExtraFiles = dict[str, Writer] | Callable[[], dict[str, Writer]]

TABLES = ("sites", "arcs", "nodes", "grid_nodes", "hubs", "serve", "cliques")
INDEX_NAMES = {
    "sites": "site_id",
    "arcs": "arc_id",
    "nodes": "node_id",
    "grid_nodes": "grid_id",
    "hubs": "hub_id",
}
PACKAGES = (
    "siting",
    "pyomo",
    "highspy",
    "numpy",
    "pandas",
    "geopandas",
    "shapely",
    "pyproj",
    "networkx",
    "pydantic",
    "pyogrio",
)


def write_geopackage(
    target: Path, layers: dict[str, gpd.GeoDataFrame], styles: Sequence[LayerStyle] = ()
) -> None:
    """Write every layer, and the QGIS styles into the ``layer_styles`` table."""
    with atomic_path(target) as tmp, _unsynced_sqlite():
        for name, frame in layers.items():
            kind = {} if len(frame) else {"geometry_type": GEOMETRY_TYPES.get(name, "Point")}
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio", **kind)
        if styles:
            _embed_styles(tmp, styles)


@contextlib.contextmanager
def _unsynced_sqlite() -> Iterator[None]:
    """SQLite without a disk sync at every commit while GDAL writes the GeoPackage. The file
    is a temporary one that :func:`atomic_path` syncs once and renames into place, so the
    per-layer syncs only cost time (about 0.1 s per layer)."""
    key = "OGR_SQLITE_SYNCHRONOUS"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})


def _embed_styles(gpkg: Path, styles: Sequence[LayerStyle]) -> None:
    """Store QML styles the way QGIS does: a ``layer_styles`` attribute table, registered in
    ``gpkg_contents``, one row per style with the default one flagged."""
    con = sqlite3.connect(gpkg)
    try:
        geometry_column = dict(
            con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
        con.execute(
            """CREATE TABLE IF NOT EXISTS layer_styles (
                id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
                f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
                styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN,
                description TEXT, owner TEXT(30), ui TEXT(30),
                update_time DATETIME DEFAULT CURRENT_TIMESTAMP)"""
        )
        con.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS layer styles', strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        )
        con.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner) "
            "VALUES ('', '', ?, ?, ?, ?, '', ?, ?, 'siting')",
            [
                (
                    st.layer,
                    geometry_column.get(st.layer, "geom"),
                    st.name,
                    st.qml,
                    int(st.default),
                    st.description,
                )
                for st in styles
                if st.layer in geometry_column
            ],
        )
        con.commit()
    finally:
        con.close()


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def tables_digest(frames: dict[str, pd.DataFrame], params: Params) -> str:
    h = hashlib.sha256()
    for name in sorted(frames):
        frame = frames[name]
        h.update(name.encode())
        h.update(",".join(map(str, frame.columns)).encode())
        h.update(pd.util.hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes())
    h.update(digest_json(params.to_dict()).encode())
    return h.hexdigest()


def summary(solution: Solution, label: str) -> dict[str, Any]:
    r, t = solution.report, solution.totals
    chosen = solution.chosen
    return finite(
        {
            "case": label,
            "status": str(r.outcome),
            "status_text": r.describe(),
            "objective_sense": solution.params.objective,
            "objective": r.objective,
            "best_bound": r.bound,
            "mip_gap": r.gap,
            "solve_s": r.solve_s,
            "nodes": r.nodes,
            "totals": t,
            "definitions": definitions(solution.params),
            "sites": [
                {
                    "site_id": str(sid),
                    "it_mw": float(row["it_mw"]),
                    "modules": float(row["modules"]),
                    "source": row["source"],
                    "gas_bcm_y": float(row["gas_bcm_y"]),
                    "grid_mw": float(row["grid_mw"]),
                    "pue": float(row["pue"]),
                    "cost_musd_y": float(row["cost_total_musd_y"]),
                    "lon": float(row["lon"]),
                    "lat": float(row["lat"]),
                }
                for sid, row in chosen.iterrows()
            ],
        }
    )


#: the files every run writes (the maps and the report, when drawn, come beside them)
FIXED_FILES = (
    "sites.gpkg",
    *(f"tables/{name}.csv" for name in (*TABLES, "candidates")),
    "solution.json",
    "summary.json",
    MANIFEST,
)
#: every file a run may write: what a folder must not hold unless a previous run wrote it
RUN_FILES = (
    *FIXED_FILES,
    "network_report.json",
    "tables/network_components.csv",
    "tables/network_removed.csv",
    "map.png",
    "map.html",
    "cost_breakdown.svg",
    "report.md",
    "report.html",
)


def open_run_folder(
    out_dir: str | Path, overwrite: bool = False, option: str = "--out"
) -> RunFolder:
    """Claim ``out_dir`` for a run (see :func:`siting.output.folder.claim`): writable,
    locked, and holding no file a run writes unless a previous run's manifest lists it (or
    ``overwrite``)."""
    return claim(out_dir, RUN_FILES, overwrite=overwrite, option=option)


def definitions(p: Params) -> dict[str, str]:
    """What the totals that are not plain sums of a decision mean, with this run's numbers."""
    return {
        "gen_mw": (
            "on-site generation capacity built, reserve included: the power it produces "
            f"({p.generator_efficiency:g} × gas_mw) plus an N+1 reserve of "
            f"{p.reserve_margin:.1%} of it"
        ),
        "facility_mw": "IT load × PUE: what the campuses draw, cooling included",
        "gas_mw": "fuel heat burnt on site (LHV)",
        "gas_bcm_y": f"gas_mw / {p.mw_per_bcm_y:,.1f} MW per bcm/y",
        "grid_mw": "power imported from the grid",
        "surplus_bcm_y": "production capacity of the fields minus committed demand",
        "binding": (
            "arcs_full, fields_at_capacity and grid_nodes_exhausted count limits used to "
            f"within {BINDING_TOL:g} of their value"
        ),
    }


def write_run(
    out_dir: str | Path | RunFolder,
    solution: Solution,
    *,
    label: str,
    case_json: dict[str, Any],
    layers: dict[str, gpd.GeoDataFrame],
    inputs_hash: str,
    timings: dict[str, float],
    extra_files: ExtraFiles | None = None,
    overwrite: bool = False,
    notes: dict[str, Any] | None = None,
) -> Path:
    """Write the run folder: GeoPackage (styled for QGIS), CSV tables, ``extra_files`` (maps,
    report), solution/summary JSON, and the manifest last. ``extra_files`` maps file names to
    writers, or is a function that returns them, called once the tables are written (so the
    maps can be drawn elsewhere meanwhile).

    ``out_dir`` is a folder claimed with :func:`open_run_folder`, or a path claimed here
    (``overwrite`` as there). The files a previous run wrote there are removed first; the
    manifest lists this run's files only, each with the SHA-256 of its content. ``notes``
    go into the manifest as they are."""
    with contextlib.ExitStack() as stack:
        if isinstance(out_dir, RunFolder):
            folder = out_dir
        else:
            folder = stack.enter_context(open_run_folder(out_dir, overwrite, option="out"))
        return _write_run(
            folder,
            solution,
            label=label,
            case_json=case_json,
            layers=layers,
            inputs_hash=inputs_hash,
            timings=timings,
            extra_files=extra_files,
            notes=notes or {},
        )


def _write_run(
    folder: RunFolder,
    solution: Solution,
    *,
    label: str,
    case_json: dict[str, Any],
    layers: dict[str, gpd.GeoDataFrame],
    inputs_hash: str,
    timings: dict[str, float],
    extra_files: ExtraFiles | None,
    notes: dict[str, Any],
) -> Path:
    out = folder.path
    removed = folder.clear_previous()
    if removed:
        logger.info("removed %d file(s) of the previous run in %s", len(removed), out)
    written: dict[str, str] = {}

    def put(name: str, writer: Writer) -> None:
        with atomic_path(out / name) as tmp:
            writer(tmp)
        written[name] = file_sha256(out / name)

    folder.writing(FIXED_FILES)
    start = time.perf_counter()
    cand = layers["candidates"]
    write_geopackage(out / "sites.gpkg", layers, layer_styles(layers))  # atomic itself
    written["sites.gpkg"] = file_sha256(out / "sites.gpkg")
    for name in TABLES:
        table = getattr(solution, name)
        put(
            f"tables/{name}.csv",
            functools.partial(_to_csv, table, index=name in INDEX_NAMES),
        )
    put(
        "tables/candidates.csv",
        functools.partial(_to_csv, pd.DataFrame(cand.drop(columns="geometry")), index=False),
    )
    tables_done = time.perf_counter()
    extra = (extra_files() if callable(extra_files) else extra_files) or {}
    logger.debug(
        "GeoPackage and tables written in %.2f s; waited %.2f s for the other files",
        tables_done - start,
        time.perf_counter() - tables_done,
    )
    folder.writing([*FIXED_FILES, *extra])
    for name, writer in extra.items():
        put(name, writer)
    put(
        "solution.json",
        functools.partial(
            _to_json,
            finite(
                {
                    "params": solution.params.to_dict(),
                    "report": solution.report.to_dict(),
                    "totals": solution.totals,
                }
            ),
        ),
    )
    put("summary.json", functools.partial(_to_json, summary(solution, label)))
    write_json(
        out / MANIFEST,
        finite(
            {
                "complete": True,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "case": label,
                "inputs_hash": inputs_hash,
                "status": str(solution.report.outcome),
                "solver": {
                    k: case_json.get("solver", {}).get(k)
                    for k in ("time_limit_s", "mip_gap", "threads", "seed")
                },
                **notes,
                "versions": package_versions(),
                "timings_s": timings,
                "case_resolved": case_json,
                "files": dict(sorted(written.items())),
            }
        ),
    )
    folder.done_writing()
    return out


def _to_csv(frame: pd.DataFrame, path: Path, index: bool) -> None:
    frame.to_csv(path, index=index)


def _to_json(obj: Any, path: Path) -> None:
    path.write_text(
        json.dumps(obj, indent=2, default=json_default, allow_nan=False) + "\n", encoding="utf-8"
    )


def read_solution(run_dir: str | Path) -> Solution:
    """Load a Solution from a complete run folder (for re-checking and re-rendering)."""
    run = Path(run_dir)
    if not (run / MANIFEST).exists():
        raise DataError(f"{run}: no manifest.json: not a run folder, or the run did not finish")
    meta = json.loads((run / "solution.json").read_text(encoding="utf-8"))
    frames = {name: pd.read_csv(run / "tables" / f"{name}.csv") for name in TABLES}
    return solution_from_files(frames, meta)


def solution_from_files(frames: dict[str, pd.DataFrame], meta: dict[str, Any]) -> Solution:
    """A Solution from its tables as read from CSV (``frames``, by name) and the content of
    ``solution.json`` (``meta``)."""
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        frame = frames[name].copy()
        index = INDEX_NAMES.get(name)
        if index is not None:
            frame[index] = frame[index].astype(str)
            frame = frame.set_index(index)
        for col in ("site_id", "hub_id", "node_id", "from_node", "to_node"):
            if col in frame.columns:
                frame[col] = frame[col].astype(str)
        if "grid_id" in frame.columns:
            frame["grid_id"] = frame["grid_id"].astype(object).where(frame["grid_id"].notna(), None)
        tables[name] = frame
    rep = dict(meta["report"])
    rep["outcome"] = Outcome(rep["outcome"])
    params = dict(meta["params"])
    return Solution(
        **tables, params=Params.from_dict(params), report=SolveReport(**rep), totals=meta["totals"]
    )


def network_report_files(report: NetworkReport) -> dict[str, Writer]:
    """The topology report as run-folder files: a JSON summary, the components and every
    feature or piece the builder left out, with its reason."""
    return {
        "network_report.json": lambda p: p.write_text(
            json.dumps(finite(report.to_dict()), indent=2, default=str) + "\n", encoding="utf-8"
        ),
        "tables/network_components.csv": lambda p: report.components_frame().to_csv(p, index=False),
        "tables/network_removed.csv": lambda p: report.removed.to_csv(p, index=False),
    }
