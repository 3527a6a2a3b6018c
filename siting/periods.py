"""Representative periods: the periods table and the per-period values of the model tables.

A case's ``periods`` name representative periods (for example winter, shoulder, summer) with
their share of the year. Committed demand and field deliverability (nodes), arc capacity,
grid spare capacity and site PUE may differ by period. Each per-period value comes, in this
order, from

1. a layer column ``<column>_<period>`` (e.g. ``demand_2025_winter_bcm_y`` for the demand
   column ``demand_2025``, ``spare_winter_mw``, the climate's ``temp_mean_winter_c`` through
   the PUE curve); a feature that leaves it empty falls through to 2;
2. the period's factor in the case (``periods.<p>.factors``: demand, supply, capacity,
   spare, pue) times the annual value;
3. the annual value.

A pipeline corridor's per-period capacity is its annual capacity times the ratio of its
lines' per-period to annual capacities (summed over the lines drawn along it): exact for a
corridor of one line and for parallel lines with the same ratio.

The results are long tables keyed (id, period); everything here is plain data.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from siting.candidates import idw_temperature, pue_at
from siting.config import Case
from siting.geodata import GeoData


def periods_table(case: Case) -> pd.DataFrame:
    """One row per period: ``weight`` (share of the year, Σ = 1) and ``scenario``."""
    periods = case.periods or {}
    return pd.DataFrame(
        {
            "weight": [p.weight for p in periods.values()],
            "scenario": [p.scenario for p in periods.values()],
        },
        index=pd.Index(list(periods), name="period"),
    )


def _factor(case: Case, period: str, key: str) -> float:
    assert case.periods is not None
    value = getattr(case.periods[period].factors, key)
    return 1.0 if value is None else float(value)


def _long(id_name: str, ids: pd.Index, values: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """A long table keyed (id, period) from {column: {period: values per id}}."""
    periods = list(next(iter(values.values())))
    index = pd.MultiIndex.from_product([ids, periods], names=[id_name, "period"])
    return pd.DataFrame(
        {
            column: np.column_stack([by_period[p] for p in periods]).ravel()
            for column, by_period in values.items()
        },
        index=index,
    )


def _column_or_factor(
    annual: np.ndarray, layer_values: np.ndarray | None, factor: float
) -> np.ndarray:
    fallback = annual * factor
    if layer_values is None:
        return fallback
    return np.where(np.isfinite(layer_values), layer_values, fallback)


def node_periods(nodes: pd.DataFrame, data: GeoData, case: Case) -> pd.DataFrame:
    """``supply_max_mw`` and ``demand_mw`` of every model node in every period."""
    layer = data.nodes.set_index("node_id")
    out: dict[str, dict[str, np.ndarray]] = {"supply_max_mw": {}, "demand_mw": {}}
    for p in case.period_names:
        for column, role, key in (
            ("supply_max_mw", "supply", "supply"),
            ("demand_mw", "demand", "demand"),
        ):
            per_period = f"{role}_{p}_mw"
            values = (
                layer[per_period].reindex(nodes.index).to_numpy(float)
                if per_period in layer.columns
                else None
            )
            out[column][p] = _column_or_factor(
                nodes[column].to_numpy(float), values, _factor(case, p, key)
            )
    return _long("node_id", nodes.index, out)


def arc_periods(arcs: pd.DataFrame, graph: nx.Graph, data: GeoData, case: Case) -> pd.DataFrame:
    """``capacity_mw`` of every arc in every period (the corridor ratio rule above)."""
    lines = data.pipelines.set_index("pipeline_id")
    ratio: dict[str, np.ndarray] = {}
    periods = case.period_names
    given = [p for p in periods if f"capacity_{p}_mw" in lines.columns]
    if given:
        annual = lines["capacity_mw"].fillna(0.0)
        ids_of: dict[str, str] = {}
        for _, _, d in graph.edges(data=True):
            for a, b in ((d["u"], d["v"]), (d["v"], d["u"])):
                ids_of[f"{a}>{b}"] = str(d.get("pipeline_ids", ""))
        keys = [ids_of.get(a, "") for a in arcs.index]
        members = [[x for x in k.split(";") if x in lines.index] for k in keys]
        for p in periods:
            per = lines[f"capacity_{p}_mw"].to_numpy(float)
            per = np.where(
                np.isfinite(per), per, annual.to_numpy(float) * _factor(case, p, "capacity")
            )
            per_line = pd.Series(per, index=lines.index)
            num = np.array([per_line[m].sum() if m else np.nan for m in members])
            den = np.array([annual[m].sum() if m else np.nan for m in members])
            ok = np.isfinite(num) & (den > 0)
            ratio[p] = np.where(ok, num / np.where(ok, den, 1.0), _factor(case, p, "capacity"))
    capacity = arcs["capacity_mw"].to_numpy(float)
    out = {
        p: capacity * (ratio[p] if p in ratio else _factor(case, p, "capacity")) for p in periods
    }
    return _long("arc_id", arcs.index, {"capacity_mw": out})


def grid_periods(grid_nodes: pd.DataFrame, data: GeoData, case: Case) -> pd.DataFrame:
    """``spare_mw`` of every grid node in every period."""
    out: dict[str, np.ndarray] = {}
    layer = data.grid.set_index("grid_id") if data.grid is not None else pd.DataFrame()
    for p in case.period_names:
        column = f"spare_{p}_mw"
        values = (
            layer[column].reindex(grid_nodes.index).to_numpy(float)
            if column in layer.columns
            else None
        )
        out[p] = _column_or_factor(
            grid_nodes["spare_mw"].to_numpy(float), values, _factor(case, p, "spare")
        )
    return _long("grid_id", grid_nodes.index, {"spare_mw": out})


def site_periods(sites: pd.DataFrame, data: GeoData, case: Case) -> pd.DataFrame:
    """``pue`` of every site in every period: from the climate's per-period temperature
    through the PUE curve, else the annual PUE times the period's ``pue`` factor."""
    out: dict[str, np.ndarray] = {}
    climate = data.climate
    for p in case.period_names:
        column = f"temp_mean_{p}_c"
        if climate is not None and column in climate.columns and len(sites):
            temp = idw_temperature(
                sites["lon"].to_numpy(float),
                sites["lat"].to_numpy(float),
                climate.assign(temp_mean_c=climate[column]),
            )
            out[p] = pue_at(temp, case.technology.pue)
        else:
            out[p] = sites["pue"].to_numpy(float) * _factor(case, p, "pue")
    return _long("site_id", sites.index, {"pue": out})
