"""Read PySAL spopt's facility-location fixtures: demand points, candidate sites and a
long-format network distance matrix (one row per site × demand point).

The San Francisco fixture (``SF_*``): 205 census tracts weighted by ``POP2000``, 16
candidate stores, road-network distances in metres. Tracts are matched to distance rows by
their ``NAME`` (kept as text: ``"060750479.01"``), never by row order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.errors import DataError
from siting.facility_location import FacilityProblem

SF_DEMAND = "SF_demand_205_centroid_uniform_weight.csv"
SF_SITES = "SF_store_site_16_longlat.csv"
SF_DISTANCE = "SF_network_distance_candidateStore_16_censusTract_205_new.csv"


def _read(path: Path, columns: list[str], text: tuple[str, ...]) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=dict.fromkeys(text, str))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the table: {exc}") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; columns present: "
            f"{', '.join(map(str, table.columns))}"
        )
    return table


def read_spopt_network(
    demand_csv: str | Path,
    sites_csv: str | Path,
    distance_csv: str | Path,
    weight: str = "POP2000",
    *,
    demand_name: str = "NAME",
    site_name: str = "NAME",
    distance_site: str = "name",
    distance_demand: str = "DestinationName",
    distance: str = "distance",
) -> FacilityProblem:
    """A p-median style instance: cost per unit of demand = network distance."""
    demand_csv, sites_csv, distance_csv = Path(demand_csv), Path(sites_csv), Path(distance_csv)
    points = _read(demand_csv, [demand_name, weight], (demand_name,))
    sites = _read(sites_csv, [site_name, "long", "lat"], (site_name,))
    pairs = _read(
        distance_csv, [distance_site, distance_demand, distance], (distance_site, distance_demand)
    )
    for table, col, path in (
        (points, demand_name, demand_csv),
        (sites, site_name, sites_csv),
    ):
        dup = table[col][table[col].duplicated()]
        if len(dup):
            raise DataError(f"{path}: {col} {dup.iloc[0]!r} appears more than once")
    dup = pairs.duplicated([distance_site, distance_demand])
    if dup.any():
        row = pairs[dup].iloc[0]
        raise DataError(
            f"{distance_csv}: the pair {row[distance_site]!r} → {row[distance_demand]!r} "
            "appears more than once"
        )
    unknown = set(pairs[distance_site]) - set(sites[site_name])
    if unknown:
        raise DataError(f"{distance_csv}: site {sorted(unknown)[0]!r} is not in {sites_csv.name}")
    unknown = set(pairs[distance_demand]) - set(points[demand_name])
    if unknown:
        raise DataError(
            f"{distance_csv}: demand point {sorted(unknown)[0]!r} is not in {demand_csv.name}"
        )
    site_ids = pd.Index(sites[site_name].to_numpy(), name="site_id")
    point_ids = pd.Index(points[demand_name].to_numpy(), name="hub_id")
    cost = (
        pairs.pivot(index=distance_site, columns=distance_demand, values=distance)
        .reindex(index=site_ids, columns=point_ids)
        .astype(float)
    )
    weights = pd.to_numeric(points[weight], errors="coerce").to_numpy(float)
    if not np.isfinite(weights).all():
        bad = points[demand_name][~np.isfinite(weights)].iloc[0]
        raise DataError(f"{demand_csv}: {weight} of {bad!r} is not a number")
    lon = pd.Series(sites["long"].to_numpy(float), index=site_ids)
    lat = pd.Series(sites["lat"].to_numpy(float), index=site_ids)
    return FacilityProblem(
        name=demand_csv.stem,
        cost=cost,
        demand=pd.Series(weights, index=point_ids),
        fixed_cost=pd.Series(0.0, index=site_ids),
        capacity=None,
        cost_per="unit",
        site_lon=lon,
        site_lat=lat,
        source=str(distance_csv),
    )


def read_spopt_sf(folder: str | Path, weight: str = "POP2000") -> FacilityProblem:
    """spopt's San Francisco fixture (205 tracts, 16 stores) from ``folder``."""
    folder = Path(folder)
    return read_spopt_network(
        folder / SF_DEMAND, folder / SF_SITES, folder / SF_DISTANCE, weight=weight
    )
