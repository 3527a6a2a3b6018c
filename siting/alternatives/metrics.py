"""The metrics that near-optimal alternatives push in both directions.

Each metric is linear in per-site decisions (open y[s], IT load IT[s], on-site gas burn
gas_mw[s]), so it becomes a goal of the built model (:class:`siting.edits.Goal`) and its
value at a plan is a sum over the plan's site table:

    sites          Σ_s y[s]                          open sites
    gas            Σ_s gas_mw[s]                     MW of gas burnt on site
    remoteness     Σ_s town_km[s]·IT[s]              MW·km, IT weighted by distance to a town
    north[:LAT]    Σ_{s: lat[s] ≥ LAT} IT[s]         MW of IT at or north of LAT (default:
                                                     the case's Arctic latitude)
    grid:ID        Σ_{s: grid_id[s] = ID} IT[s]      MW of IT at sites that use grid node ID
    region:NAME    Σ_{s: zone(grid_id[s]) = NAME} IT[s]   MW of IT in a power-system zone
                                                     (the grid layer's ``zone`` column)
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from siting.edits import Goal, linear_value
from siting.errors import SitingError

#: the metrics pushed when none are named
DEFAULT_METRICS = ("sites", "gas", "remoteness", "north")
KNOWN = "sites, gas, remoteness, north[:LAT], grid:ID, region:NAME"


@dataclass(frozen=True)
class Metric:
    """One metric: its spec, a label with unit, its result column and its linear terms."""

    spec: str
    label: str
    unit: str
    column: str
    terms: tuple[tuple[str, Hashable, float], ...]

    def goal(self, sense: str) -> Goal:
        return Goal(f"{sense} {self.spec}", "min" if sense == "min" else "max", self.terms)

    def value(self, sites: pd.DataFrame) -> float:
        """The metric at a plan, from its site table."""
        return linear_value(self.terms, sites)


#: metric names, and whether each takes an argument after a colon (None: optional)
NAMES = {
    "sites": False,
    "gas": False,
    "remoteness": False,
    "north": None,
    "grid": True,
    "region": True,
}


def check_metric_names(specs: Sequence[str]) -> None:
    """Raise SitingError for a spec no metric has (before any data is read)."""
    for spec in specs:
        name, colon, arg = str(spec).strip().partition(":")
        takes = NAMES.get(name.strip().lower(), "unknown")
        if takes == "unknown" or (takes is False and colon) or (takes is True and not arg):
            raise SitingError(f"unknown metric {spec!r}; known metrics: {KNOWN}")


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


def parse_metric(
    spec: str,
    sites: pd.DataFrame,
    arctic_latitude_deg: float,
    zones: Mapping[Hashable, str] | None = None,
    energy_system: bool = True,
) -> Metric:
    """The metric ``spec`` over the candidate table ``sites`` (``ModelInputs.sites``).

    ``zones`` maps grid node ids to their zone (for ``region:NAME``). Raises SitingError
    with the known metrics for anything else.
    """
    name, _, arg = spec.strip().partition(":")
    name = name.strip().lower()
    ids = sites.index
    it_terms = lambda mask: tuple(("it_mw", s, 1.0) for s in ids[mask])  # noqa: E731
    if name == "sites" and not arg:
        return Metric(
            spec, "open sites", "sites", "sites_open", tuple(("open", s, 1.0) for s in ids)
        )
    if name == "gas" and not arg:
        if not energy_system:
            raise SitingError("metric gas: the case has no energy system, so no gas is burnt")
        return Metric(
            spec, "gas burnt on site", "MW", "gas_mw", tuple(("gas_mw", s, 1.0) for s in ids)
        )
    if name == "remoteness" and not arg:
        if "town_km" not in sites.columns:
            raise SitingError("metric remoteness: the candidates have no distance to a town")
        km = sites["town_km"].to_numpy(float)
        terms = tuple(("it_mw", s, float(k)) for s, k in zip(ids, km, strict=True) if k)
        return Metric(spec, "IT-weighted distance to a town", "MW·km", "remoteness_mw_km", terms)
    if name == "north":
        try:
            lat = float(arg) if arg else arctic_latitude_deg
        except ValueError:
            raise SitingError(
                f"metric {spec}: write the latitude in degrees, e.g. north:60"
            ) from None
        if not -90 <= lat <= 90:
            raise SitingError(f"metric {spec}: the latitude must lie in [-90, 90]")
        mask = sites["lat"].to_numpy(float) >= lat
        return Metric(
            f"north:{lat:g}",
            f"IT at or north of {lat:g}°N",
            "MW",
            f"it_north_of_{_slug(f'{lat:g}')}_mw",
            it_terms(mask),
        )
    if name == "grid" and arg:
        grid = sites["grid_id"].astype(object)
        if not (grid == arg).any():
            known = ", ".join(sorted(map(str, grid.dropna().unique()))[:12])
            raise SitingError(f"metric {spec}: no candidate uses grid node {arg!r}; known: {known}")
        return Metric(
            spec,
            f"IT on grid node {arg}",
            "MW",
            f"it_grid_{_slug(arg)}_mw",
            it_terms((grid == arg).to_numpy()),
        )
    if name == "region" and arg:
        if not zones:
            raise SitingError(
                f"metric {spec}: regions are the grid layer's zone column, and this case's grid "
                "layer has none"
            )
        zone = sites["grid_id"].map(dict(zones))
        if not (zone == arg).any():
            known = ", ".join(sorted(map(str, zone.dropna().unique())))
            raise SitingError(f"metric {spec}: no candidate lies in region {arg!r}; known: {known}")
        return Metric(
            spec,
            f"IT in region {arg}",
            "MW",
            f"it_region_{_slug(arg)}_mw",
            it_terms((zone == arg).to_numpy()),
        )
    raise SitingError(f"unknown metric {spec!r}; known metrics: {KNOWN}")


def parse_metrics(
    specs: Sequence[str],
    sites: pd.DataFrame,
    arctic_latitude_deg: float,
    zones: Mapping[Hashable, str] | None = None,
    energy_system: bool = True,
) -> tuple[Metric, ...]:
    """Each spec once, in order (a spec named twice is pushed once)."""
    out: dict[str, Metric] = {}
    for spec in specs:
        metric = parse_metric(spec, sites, arctic_latitude_deg, zones, energy_system)
        out.setdefault(metric.column, metric)
    return tuple(out.values())


def metric_values(metrics: Sequence[Metric], sites: pd.DataFrame) -> dict[str, float]:
    """Every metric at one plan, by result column."""
    return {m.column: m.value(sites) for m in metrics}
