"""The run folder: write it, and read a Solution back from one.

Every file is written atomically (:mod:`siting.output.files`). ``manifest.json`` is written
last and removed first: a folder without it is an incomplete run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
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
    finite,
    write_csv,
    write_json,
)
from siting.report.qgis import LayerStyle, layer_styles
from siting.solution import Solution

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


def write_run(
    out_dir: str | Path,
    solution: Solution,
    *,
    label: str,
    case_json: dict[str, Any],
    layers: dict[str, gpd.GeoDataFrame],
    inputs_hash: str,
    timings: dict[str, float],
    extra_files: ExtraFiles | None = None,
) -> Path:
    """Write the run folder: GeoPackage (styled for QGIS), CSV tables, ``extra_files`` (maps,
    report), solution/summary JSON, and the manifest last. ``extra_files`` maps file names to
    writers, or is a function that returns them, called once the tables are written (so the
    maps can be drawn elsewhere meanwhile)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.json"
    if manifest.exists():
        manifest.unlink()
    start = time.perf_counter()
    cand = layers["candidates"]
    write_geopackage(out / "sites.gpkg", layers, layer_styles(layers))
    for name in TABLES:
        write_csv(
            out / "tables" / f"{name}.csv", getattr(solution, name), index=name in INDEX_NAMES
        )
    write_csv(
        out / "tables" / "candidates.csv", pd.DataFrame(cand.drop(columns="geometry")), index=False
    )
    tables_done = time.perf_counter()
    extra = extra_files() if callable(extra_files) else extra_files
    logger.debug(
        "GeoPackage and tables written in %.2f s; waited %.2f s for the other files",
        tables_done - start,
        time.perf_counter() - tables_done,
    )
    for name, writer in (extra or {}).items():
        with atomic_path(out / name) as tmp:
            writer(tmp)
    write_json(
        out / "solution.json",
        finite(
            {
                "params": solution.params.to_dict(),
                "report": solution.report.to_dict(),
                "totals": solution.totals,
            }
        ),
    )
    write_json(out / "summary.json", summary(solution, label))
    write_json(
        manifest,
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
                "versions": package_versions(),
                "timings_s": timings,
                "case_resolved": case_json,
                "files": [
                    *sorted(
                        str(p.relative_to(out))
                        for p in out.rglob("*")
                        if p.is_file() and not p.name.startswith(".")
                    ),
                    "manifest.json",
                ],
            }
        ),
    )
    return out


def read_solution(run_dir: str | Path) -> Solution:
    """Load a Solution from a complete run folder (for re-checking and re-rendering)."""
    run = Path(run_dir)
    manifest = run / "manifest.json"
    if not manifest.exists():
        raise DataError(f"{run}: no manifest.json: not a run folder, or the run did not finish")
    meta = json.loads((run / "solution.json").read_text(encoding="utf-8"))
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        path = run / "tables" / f"{name}.csv"
        index = INDEX_NAMES.get(name)
        frame = pd.read_csv(path, keep_default_na=True)
        if index is not None:
            frame[index] = frame[index].astype(str)
            frame = frame.set_index(index)
        for col in ("site_id", "hub_id", "node_id", "from_node", "to_node"):
            if col in frame.columns:
                frame[col] = frame[col].astype(str)
        if "grid_id" in frame.columns:
            frame["grid_id"] = frame["grid_id"].astype(object).where(frame["grid_id"].notna(), None)
        frames[name] = frame
    rep = dict(meta["report"])
    rep["outcome"] = Outcome(rep["outcome"])
    params = dict(meta["params"])
    return Solution(
        **frames, params=Params.from_dict(params), report=SolveReport(**rep), totals=meta["totals"]
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
