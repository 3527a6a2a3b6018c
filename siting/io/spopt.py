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


SCHOOLS = "example_subject_schools.csv"
STUDENTS = "example_subject_students.csv"
JOURNEYS = "example_subject_student_school_journeys.csv"


def read_spopt_schools(folder: str | Path) -> tuple[FacilityProblem, pd.Series]:
    """spopt's capacitated p-median school fixture and each school's priority.

    Students (``ST: ID``) each need one placement; a school (``SE2 PP: Code``) takes
    ``Count`` students; the cost of a pair is the journey ``time`` in minutes. A pair with
    no journey cannot serve. Priority 1 marks the schools that spopt keeps open and fills.
    """
    folder = Path(folder)
    schools = _read(folder / SCHOOLS, ["SE2 PP: Code", "Count", "priority"], ("SE2 PP: Code",))
    students = _read(folder / STUDENTS, ["ST: ID"], ("ST: ID",))
    journeys = _read(folder / JOURNEYS, ["student", "school", "time"], ("student", "school"))
    school_ids = pd.Index(schools["SE2 PP: Code"].to_numpy(), name="site_id")
    student_ids = pd.Index(students["ST: ID"].to_numpy(), name="hub_id")
    for ids, path in ((school_ids, SCHOOLS), (student_ids, STUDENTS)):
        if ids.has_duplicates:
            raise DataError(f"{folder / path}: id {ids[ids.duplicated()][0]!r} appears twice")
    for col, ids, path in (("school", school_ids, SCHOOLS), ("student", student_ids, STUDENTS)):
        unknown = set(journeys[col]) - set(ids)
        if unknown:
            raise DataError(f"{folder / JOURNEYS}: {col} {sorted(unknown)[0]!r} is not in {path}")
    if journeys.duplicated(["school", "student"]).any():
        row = journeys[journeys.duplicated(["school", "student"])].iloc[0]
        raise DataError(
            f"{folder / JOURNEYS}: the journey {row['student']!r} → {row['school']!r} appears twice"
        )
    cost = (
        journeys.pivot(index="school", columns="student", values="time")
        .reindex(index=school_ids, columns=student_ids)
        .astype(float)
    )
    capacity = pd.Series(schools["Count"].to_numpy(float), index=school_ids)
    problem = FacilityProblem(
        name="spopt-schools",
        cost=cost,
        demand=pd.Series(1.0, index=student_ids),
        fixed_cost=pd.Series(0.0, index=school_ids),
        capacity=capacity,
        cost_per="unit",
        source=str(folder / JOURNEYS),
    )
    return problem, pd.Series(schools["priority"].to_numpy(float), index=school_ids)
