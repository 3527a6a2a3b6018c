"""One visual language for every artefact: the static map, the web map, the report and the
QGIS styles use these colours and classes, so a site is the same colour everywhere."""

from __future__ import annotations

import math
from typing import Final

import numpy as np

SOURCE_COLOURS: Final = {"gas": "#d95f02", "grid": "#7570b3", "hybrid": "#1b9e77"}
SOURCE_LABELS: Final = {"gas": "on-site gas", "grid": "grid", "hybrid": "hybrid gas + grid"}

#: pipeline utilisation after siting: upper class bounds and colours (cool = free, red = full)
UTILISATION_BOUNDS: Final = (0.0, 0.25, 0.5, 0.75, 0.95, 1.0 + 1e-9)
UTILISATION_COLOURS: Final = ("#4575b4", "#91bfdb", "#fee090", "#fc8d59", "#d73027")
UTILISATION_LABELS: Final = ("< 25 %", "25–50 %", "50–75 %", "75–95 %", "full (≥ 95 %)")

#: free pipeline capacity after siting, bcm/y
FREE_BOUNDS_BCM_Y: Final = (0.0, 1.0, 5.0, 15.0, 30.0, 1e9)
FREE_COLOURS: Final = ("#d73027", "#fc8d59", "#d9ef8b", "#91cf60", "#1a9850")
FREE_LABELS: Final = ("< 1 bcm/y", "1–5 bcm/y", "5–15 bcm/y", "15–30 bcm/y", "≥ 30 bcm/y")

COUNTRY_FILL: Final = "#f2efe9"
COUNTRY_EDGE: Final = "#8c8c8c"
BORDER: Final = "#6e6e6e"
FIBER: Final = "#5f6b73"
GRID: Final = "#7570b3"
FIELD: Final = "#8c510a"
FIELD_TEXT: Final = "#5c3506"
CANDIDATE: Final = "#9e9e9e"
EXCLUDED: Final = "#c51b7d"
EXCLUSION_FILL: Final = "#f4cae4"
GRATICULE: Final = "#c9d3dc"

#: cost terms in a stable order, with short labels and colours for the breakdown chart
COST_TERMS: Final = {
    "cost_open_musd_y": ("site, land and fibre", "#8c6d31"),
    "cost_it_musd_y": ("IT facility", "#3182bd"),
    "cost_gen_musd_y": ("on-site generation", "#e6550d"),
    "cost_gas_musd_y": ("gas", "#fd8d3c"),
    "cost_grid_link_musd_y": ("grid connection", "#756bb1"),
    "cost_grid_energy_musd_y": ("grid energy", "#9e9ac8"),
    "cost_serve_musd_y": ("serving demand hubs", "#31a354"),
    "cost_transport_musd_y": ("gas transport", "#969696"),
}


def utilisation_colour(u: float) -> str:
    for upper, colour in zip(UTILISATION_BOUNDS[1:], UTILISATION_COLOURS, strict=True):
        if u < upper:
            return colour
    return UTILISATION_COLOURS[-1]


def free_capacity_colour(bcm_y: float) -> str:
    for upper, colour in zip(FREE_BOUNDS_BCM_Y[1:], FREE_COLOURS, strict=True):
        if bcm_y < upper:
            return colour
    return FREE_COLOURS[-1]


def site_radius_px(
    it_mw: float, max_it_mw: float, n_sites: int = 1, smallest: float = 4.0, largest: float = 18.0
) -> float:
    """Marker radius with area proportional to MW IT; the largest shrinks on crowded maps
    (more than eight sites) so that neighbours stay apart."""
    largest *= min(1.0, max(8.0 / max(n_sites, 1), 0.2)) ** 0.5
    if max_it_mw <= 0:
        return smallest
    return smallest + (largest - smallest) * (max(it_mw, 0.0) / max_it_mw) ** 0.5


def nice_number(value: float) -> float:
    """The closest of 1, 2, 2.5, 5 × 10ⁿ to ``value`` (on a log scale)."""
    if value <= 0:
        return 0.0
    exp = 10.0 ** math.floor(math.log10(value))
    return min(
        (m * exp for m in (1.0, 2.0, 2.5, 5.0, 10.0)), key=lambda v: abs(math.log(v / value))
    )


def size_steps(sizes_mw: np.ndarray) -> list[float]:
    """Sizes for a size key: the largest site, a round size between, the smallest site."""
    sizes = np.asarray(sizes_mw, float)
    sizes = sizes[sizes > 0]
    if sizes.size == 0:
        return []
    largest, smallest = float(sizes.max()), float(sizes.min())
    middle = nice_number(math.sqrt(largest * smallest) if smallest < largest / 2 else largest / 4)
    steps = [largest]
    if middle < 0.8 * largest:
        steps.append(middle)
    if smallest < 0.8 * steps[-1]:
        steps.append(smallest)
    return steps
