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

from siting.breakeven import breakeven_headline, breakeven_line
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
    write_csv,
    write_json,
)
from siting.output.folder import MANIFEST, RunFolder, claim
from siting.report.qgis import LayerStyle, layer_styles
from siting.solution import BINDING_TOL, Solution, at_limit

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
#: the tables of a model v2 plan (written only for one), keyed by these columns
V2_TABLES: dict[str, list[str]] = {
    "periods": ["period"],
    "technologies": ["tech_id"],
    "site_units": ["site_id", "tech_id"],
    "site_periods": ["site_id", "period"],
    "arc_periods": ["arc_id", "period"],
    "node_periods": ["node_id", "period"],
    "grid_periods": ["grid_id", "period"],
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
    target: Path,
    layers: dict[str, gpd.GeoDataFrame],
    styles: Sequence[LayerStyle] = (),
    tables: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Write every layer, the attribute ``tables`` (no geometry) and the QGIS styles into
    the ``layer_styles`` table."""
    with atomic_path(target) as tmp, _unsynced_sqlite():
        for name, frame in layers.items():
            # an empty layer has no geometry to infer its type from
            kind = None if len(frame) else GEOMETRY_TYPES.get(name, "Point")
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio", geometry_type=kind)
        for name, table in (tables or {}).items():
            pyogrio.write_dataframe(table, tmp, layer=name, driver="GPKG")
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


def v2_tables(solution: Solution) -> dict[str, pd.DataFrame]:
    """The long tables of a model v2 plan with their keys as columns (none for a v1 plan)."""
    if not solution.is_v2:
        return {}
    out = {}
    for name in V2_TABLES:
        frame = getattr(solution, name)
        if len(frame.columns):
            out[name] = frame.reset_index()
    return out


def energy_summary(solution: Solution) -> dict[str, Any]:
    """Gas used on site (direct) and for grid power (indirect), bcm/y, and the average
    power by source, MW (grid and each on-site technology)."""
    s, t = solution.sites, solution.totals
    if solution.is_v2:
        gas = {
            "direct": t["gas_direct_bcm_y"],
            "indirect": t["gas_indirect_bcm_y"],
            "total": t["gas_total_bcm_y"],
        }
        power = {"grid": t["power_grid_mw"]}
        techs = [x for x in solution.technologies.index if f"power_{x}_mw" in s.columns]
        if techs:
            power.update({x: t[f"power_{x}_mw"] for x in techs})
        else:
            power["generation"] = float((s["facility_mw"] - s["grid_mw"]).sum())
    else:
        gas = {"direct": t["gas_bcm_y"], "indirect": 0.0, "total": t["gas_bcm_y"]}
        power = {
            "grid": t["grid_mw"],
            "generation": float((s["facility_mw"] - s["grid_mw"]).sum()),
        }
    return {"gas_bcm_y": gas, "power_mw": power}


def summary(solution: Solution, label: str) -> dict[str, Any]:
    r, t = solution.report, solution.totals
    chosen = solution.chosen
    v2 = solution.is_v2
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
            **energy_summary(solution),
            "totals": t,
            "definitions": definitions(solution),
            **({"binding_periods": binding_periods(solution)} if v2 else {}),
            **breakeven_summary(solution),
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
                    **(
                        {
                            "technology": row["technology"],
                            "installed_mw": float(row["installed_mw"]),
                            "gas_indirect_bcm_y": float(row["gas_indirect_mw"])
                            / solution.params.mw_per_bcm_y,
                        }
                        if v2
                        else {}
                    ),
                    **_site_breakeven(solution, sid),
                }
                for sid, row in chosen.iterrows()
            ],
        }
    )


def breakeven_summary(solution: Solution) -> dict[str, Any]:
    """The break-even statement (see :func:`siting.breakeven.breakeven_headline`), with its
    sentence; nothing for a plan without a break-even table."""
    if not len(solution.breakeven.columns):
        return {}
    head = breakeven_headline(solution.breakeven, solution.params)
    return {"breakeven": {**(head or {}), "line": breakeven_line(head)}}


def _site_breakeven(solution: Solution, sid: object) -> dict[str, Any]:
    """A chosen site's break-even capex (millions of the capex currency per MW) and grid
    price (the price currency per MWh)."""
    table = solution.breakeven
    if not len(table.columns) or sid not in table.index:
        return {}
    row: dict[Any, Any] = table.loc[str(sid)].to_dict()
    return {
        "breakeven_gen_capex_mln_per_mw": float(row["breakeven_gen_capex_mln_local_per_mw"]),
        "breakeven_grid_price_per_mwh": float(row["breakeven_grid_price_local_per_mwh"]),
    }


def binding_periods(solution: Solution) -> dict[str, dict[str, int]]:
    """Per period: how many pipeline arcs, fields and grid nodes are used to their limit,
    to :data:`~siting.solution.BINDING_TOL`."""
    ap, np_, gp = solution.arc_periods, solution.node_periods, solution.grid_periods
    out = {}
    for q in solution.periods.index:
        arcs = ap.xs(q, level="period")
        nodes = np_.xs(q, level="period")
        grid = gp.xs(q, level="period") if len(gp) else gp
        out[str(q)] = {
            "arcs_full": int(at_limit(arcs["flow_mw"], arcs["capacity_mw"]).sum()),
            "fields_at_capacity": int(at_limit(nodes["supply_mw"], nodes["supply_max_mw"]).sum()),
            "grid_nodes_exhausted": int(at_limit(grid["used_mw"], grid["spare_mw"]).sum())
            if len(grid)
            else 0,
        }
    return out


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
    *(f"tables/{name}.csv" for name in V2_TABLES),
    "tables/breakeven.csv",
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


def definitions(solution: Solution) -> dict[str, str]:
    """What the totals that are not plain sums of a decision mean, with this run's numbers."""
    p = solution.params
    periods = " (weighted over the periods)" if solution.is_v2 else ""
    if p.reliability == "n_plus_1":
        reserve = "the N+1 rule's spare: the largest unit at each site stands by"
        if p.grid_firm_share > 0:
            reserve += f", less {p.grid_firm_share:.0%} of the grid connection credited as firm"
    elif p.reserve_margin > 0:
        reserve = f"an N+1 reserve of {p.reserve_margin:.1%} of the power it produces"
    else:
        reserve = "no reserve (none configured)"
    return {
        "gen_mw": (
            "on-site generation capacity built, reserve included: the power the sites draw "
            f"from it ({p.generator_efficiency:g} × gas_mw without a technology menu) plus "
            f"{reserve}"
        ),
        "facility_mw": f"IT load × PUE: what the campuses draw, cooling included{periods}",
        "gas_mw": f"fuel heat burnt on site (LHV){periods}",
        "gas_bcm_y": f"gas_mw / {p.mw_per_bcm_y:,.1f} MW per bcm/y",
        "grid_mw": f"power imported from the grid{periods}",
        "surplus_bcm_y": f"production capacity of the fields minus committed demand{periods}",
        "binding": (
            "arcs_full, fields_at_capacity and grid_nodes_exhausted count limits used to "
            f"within {BINDING_TOL:g} of their value" + (" in some period" if periods else "")
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
    inputs: dict[str, Any] | None = None,
    overwrite: bool = False,
    notes: dict[str, Any] | None = None,
) -> Path:
    """Write the run folder: GeoPackage (styled for QGIS), CSV tables, ``extra_files`` (maps,
    report), solution/summary JSON, and the manifest last. ``extra_files`` maps file names to
    writers, or is a function that returns them, called once the tables are written (so the
    maps can be drawn elsewhere meanwhile).

    ``out_dir`` is a folder claimed with :func:`open_run_folder`, or a path claimed here
    (``overwrite`` as there). The files a previous run wrote there are removed first; the
    manifest lists this run's files only, each with the SHA-256 of its content. ``inputs``
    (the column read for each quantity, the warnings about the inputs) and ``notes`` go into
    the manifest as they are."""
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
            inputs=inputs or {},
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
    inputs: dict[str, Any],
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

    tables = v2_tables(solution)
    fixed = [*FIXED_FILES, *(f"tables/{name}.csv" for name in tables)]
    if len(solution.breakeven.columns):
        fixed.append("tables/breakeven.csv")
    folder.writing(fixed)
    start = time.perf_counter()
    cand = layers["candidates"]
    write_geopackage(out / "sites.gpkg", layers, layer_styles(layers), tables)  # atomic itself
    written["sites.gpkg"] = file_sha256(out / "sites.gpkg")
    for name in TABLES:
        table = getattr(solution, name)
        put(
            f"tables/{name}.csv",
            functools.partial(_to_csv, table, index=name in INDEX_NAMES),
        )
    for name, frame in tables.items():
        put(f"tables/{name}.csv", functools.partial(_to_csv, frame, index=False))
    if len(solution.breakeven.columns):
        put("tables/breakeven.csv", functools.partial(_to_csv, solution.breakeven, index=True))
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
    folder.writing([*fixed, *extra])
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
                "inputs": inputs,
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
    frames = {
        name: pd.read_csv(path)
        for name in (*TABLES, *V2_TABLES, "breakeven")
        if (path := run / "tables" / f"{name}.csv").exists()
    }
    return solution_from_files(frames, meta)


def solution_from_files(frames: dict[str, pd.DataFrame], meta: dict[str, Any]) -> Solution:
    """A Solution from its tables as read from CSV (``frames``, by name; the model v2
    tables when the run has them) and the content of ``solution.json`` (``meta``)."""
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
    tables.update(_v2_tables(frames))
    if "breakeven" in frames:
        tables["breakeven"] = read_breakeven(frames["breakeven"])
    rep = dict(meta["report"])
    rep["outcome"] = Outcome(rep["outcome"])
    params = dict(meta["params"])
    return Solution(
        **tables, params=Params.from_dict(params), report=SolveReport(**rep), totals=meta["totals"]
    )


def _v2_tables(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The model v2 tables among ``frames`` as read (none for a v1 run), keyed."""
    out: dict[str, pd.DataFrame] = {}
    for name, keys in V2_TABLES.items():
        if name not in frames:
            continue
        frame = frames[name].copy()
        for key in keys:
            frame[key] = frame[key].astype(str)
        if "available" in frame.columns:
            frame["available"] = frame["available"].astype(bool)
        if "reason" in frame.columns:
            frame["reason"] = frame["reason"].astype(object).fillna("").astype(str)
        out[name] = frame.set_index(keys if len(keys) > 1 else keys[0])
    return out


def read_breakeven(read: pd.DataFrame) -> pd.DataFrame:
    """``tables/breakeven.csv`` (as read from CSV) as the Solution holds it."""
    frame = read.copy()
    frame["site_id"] = frame["site_id"].astype(str)
    frame["chosen"] = frame["chosen"].astype(bool)
    for col in ("technology", "cheaper"):
        frame[col] = frame[col].astype(object).fillna("").astype(str)
    return frame.set_index("site_id")


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


def write_failed_run(
    out_dir: str | Path,
    report: NetworkReport,
    nodes: pd.DataFrame,
    arcs: pd.DataFrame,
    components: pd.DataFrame | None,
) -> list[Path]:
    """The network of an infeasible run, for finding what to fix: the topology report
    (``network_report.json``, ``tables/network_components.csv``, ``tables/network_removed.csv``),
    the model's nodes and arcs, and each piece's supply against its committed demand
    (``tables/network_balance.csv``). No manifest: the run has no plan."""
    out = Path(out_dir)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    written = []
    for name, writer in network_report_files(report).items():
        writer(out / name)
        written.append(out / name)
    label = pd.Series(dtype="Int64")
    if components is not None:
        write_csv(out / "tables" / "network_balance.csv", components, index=False)
        written.append(out / "tables" / "network_balance.csv")
        if "period" not in components.columns:
            label = pd.Series(
                {
                    n: int(c)
                    for c, ids in zip(components["component"], components["nodes"], strict=True)
                    for n in ids.split(";")
                }
            )
    for name, frame in (("nodes", nodes), ("arcs", arcs)):
        if name == "nodes" and len(label):
            frame = frame.assign(component=label.reindex(frame.index.astype(str)).to_numpy())
        write_csv(out / "tables" / f"{name}.csv", frame)
        written.append(out / "tables" / f"{name}.csv")
    return written
