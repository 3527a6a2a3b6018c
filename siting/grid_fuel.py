"""The fuel behind grid power and the cost of a grid connection per MW (model v2).

A grid node's layer may give the fuel shares of the power that serves new load there
(``fuel_gas`` … ``fuel_other``), the heat rate of its gas share and the pipeline node that
feeds it (``gas_node``). Power drawn from the gas share burns σ_gas · HR MW of gas per MW at
that node. Without an explicit ``gas_node`` the nearest network node (not a candidate site)
is taken; either way the feed is farther than ``network.grid_gas_snap_km`` from the grid
node is an error. The table keeps the feed node, its distance and whether it was given or
snapped (``gas_node_source``), for the run's grid table.

Charges per MW of contracted grid capacity: the capacity charge (the layer's
``capacity_price`` where given, else ``costs.grid_capacity_charge``) and the connection
charge (``costs.grid_connection_charge``, overnight, annualised with the grid CRF).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from siting import geo
from siting.config import Case
from siting.errors import DataError
from siting.geodata import GRID_FUELS, GeoData


def grid_v2_table(grid_ids: pd.Index, data: GeoData, graph: nx.Graph, case: Case) -> pd.DataFrame:
    """The model v2 columns of the grid nodes (no columns when the case uses none of them)."""
    grid = data.grid
    if grid is None or len(grid) == 0:
        return pd.DataFrame(index=grid_ids)
    conv, costs = case.conversions, case.costs
    layer = grid.set_index("grid_id").reindex(grid_ids)
    out = pd.DataFrame(index=grid_ids)
    if "fuel_gas" in layer.columns:
        out = out.join(_gas_feeds(layer, graph, case, data.sources.get("grid", "<memory>")))
    capacity = (
        costs.grid_capacity_charge.to_internal(conv)
        if costs.grid_capacity_charge is not None
        else 0.0
    )
    connection = (
        costs.grid_connection_charge.to_internal(conv)
        if costs.grid_connection_charge is not None
        else 0.0
    )
    from_layer = (
        layer["capacity_price_musd_per_mw_y"].to_numpy(float)
        if "capacity_price_musd_per_mw_y" in layer.columns
        else np.full(len(layer), np.nan)
    )
    if costs.grid_capacity_charge is not None or np.isfinite(from_layer).any():
        out["capacity_charge_musd_per_mw_y"] = np.where(
            np.isfinite(from_layer), from_layer, capacity
        )
    if costs.grid_connection_charge is not None:
        out["connection_charge_musd_per_mw"] = connection
        out["connection_cost_musd_per_mw_y"] = costs.crf("grid") * connection
    return out


#: graph node kinds that never feed a gas-fired grid node unless named as its gas_node
NOT_FEEDS = ("site", "stranded")


def _gas_feeds(layer: pd.DataFrame, graph: nx.Graph, case: Case, source: str) -> pd.DataFrame:
    where = f"{source}: layer grid"
    limit = case.network.grid_gas_snap_km
    # the nearest feed is a node of the pipelines: neither a site nor off-network supply
    nodes = [(n, d) for n, d in graph.nodes(data=True) if d.get("kind") not in NOT_FEEDS]
    node_ids = np.array([n for n, _ in nodes], dtype=object)
    lon = np.array([d["lon"] for _, d in nodes], float)
    lat = np.array([d["lat"] for _, d in nodes], float)
    position = {n: i for i, n in enumerate(node_ids)}
    share = layer["fuel_gas"].to_numpy(float)
    given = layer["gas_node"].to_numpy(dtype=object)
    glon, glat = layer.geometry.x.to_numpy(float), layer.geometry.y.to_numpy(float)
    feed = np.full(len(layer), None, dtype=object)
    km = np.full(len(layer), np.nan)
    how = np.full(len(layer), "", dtype=object)
    gas = share > 0
    if gas.any() and len(node_ids) == 0:
        raise DataError(f"{where}: grid nodes have a gas share but the network has no nodes")
    nearest, dist = (
        geo.nearest(glon, glat, lon, lat) if len(node_ids) else (np.zeros(0, int), np.zeros(0))
    )
    for i in np.flatnonzero(gas).tolist():
        gid = layer.index[i]
        if given[i] is not None and given[i] == given[i]:
            node = str(given[i])
            if node not in position:
                raise DataError(
                    f"{where}: grid node {gid}: gas_node {node!r} is not a node of the gas "
                    "network (is its pipeline's status selected by network.statuses?); name "
                    "a network node, or leave gas_node empty to take the nearest"
                )
            k = position[node]
            km[i] = float(geo.geodesic_km(glon[i], glat[i], lon[k], lat[k]))
            how[i] = "given"
        else:
            k = int(nearest[i])
            node = str(node_ids[k])
            km[i] = float(dist[i])
            how[i] = "nearest"
        if km[i] > limit:
            raise DataError(
                f"{where}: grid node {gid}: its gas share ({share[i]:g}) is fed from network "
                f"node {node}, {km[i]:,.0f} km away, beyond network.grid_gas_snap_km "
                f"({limit:g} km); give a nearer gas_node, raise grid_gas_snap_km, or set "
                "fuel_gas to 0"
            )
        feed[i] = node
    frame = pd.DataFrame(
        {f"fuel_{f}": layer[f"fuel_{f}"].to_numpy(float) for f in GRID_FUELS},
        index=layer.index,
    )
    frame["gas_share"] = share
    frame["gas_heat_rate"] = layer["gas_heat_rate"].to_numpy(float)
    frame["gas_node"] = feed
    frame["gas_node_km"] = km
    frame["gas_node_source"] = how
    return frame
