"""Static maps and charts (matplotlib + geopandas) of a run, sized for an A4 page or a slide.

The map is drawn in an equal-area conic projection fitted to the network
(:mod:`siting.report.projection`) over a light graticule. By default the page is A4 wide
and as tall as the map needs, so a wide, short country such as Russia fills the width
instead of floating between white bands; with an explicit ``figsize`` the map fills the
axes by showing more around the data. The north arrow stands on the central meridian, the
one meridian that is vertical on a conic map. Legend, scale bar and north arrow go where
the data is thinnest, and labels are placed without overlapping (:mod:`siting.report.labels`).
"""

from __future__ import annotations

import functools
import importlib
import math
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS, Transformer

from siting.report import style
from siting.report._deps import require
from siting.report.labels import Label, marker_boxes, place_labels, short_name
from siting.report.projection import layers_crs
from siting.report.run import RunData, run_names
from siting.report.style import nice_number, size_steps
from siting.report.tables import compare_runs, cost_breakdown, headline

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.legend import Legend
    from matplotlib.transforms import Bbox

A4_LANDSCAPE_IN = (11.69, 8.27)
A4_PORTRAIT_IN = (8.27, 11.69)
MIN_MAP_HEIGHT_IN = 3.5
MAX_SITE_AREA_PT2 = 700.0
#: at most this many sites are labelled (largest first, as many as fit)
LABELLED_SITES = 15
#: more candidates than this are drawn as specks (and start hidden on the web map)
CROWDED = 300
FIELD_AREA_PT2 = 70.0
NORTH_ARROW_GID = "siting-north-arrow"
SIZE_LEGEND_GID = "siting-size-legend"
SITES_GID = "siting-sites"


def _figure(figsize: tuple[float, float], purpose: str) -> tuple[Figure, Axes]:
    """A Figure outside pyplot's global state (nothing to close, no GUI backend needed);
    notebooks display it inline all the same."""
    require("matplotlib", purpose)
    from matplotlib.figure import Figure

    if "matplotlib_inline" in os.environ.get("MPLBACKEND", ""):
        # in Jupyter: loading the inline backend registers the hook that displays a Figure
        importlib.import_module("matplotlib_inline.backend_inline")

    fig = Figure(figsize=figsize, layout="constrained")
    _canvas_class()(fig)  # a renderer to measure labels with, before anything is saved
    return fig, fig.subplots()


def canvas_renderer(fig: Figure | SubFigure) -> Any:
    """The renderer of a figure made by :func:`_figure` (an Agg canvas, which has one)."""
    return cast(Any, fig.canvas).get_renderer()


@functools.cache
def _canvas_class() -> type:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class MapCanvas(FigureCanvasAgg):
        """An Agg canvas that draws only when the figure is saved or measured. geopandas
        asks for an idle redraw after every layer it plots; without a GUI that is a full
        draw of the figure so far each time (about half of building the Russia map), and
        nothing ever looks at it."""

        def draw_idle(self, *args: Any, **kwargs: Any) -> None:
            return None

    return MapCanvas


def site_area_pt2(it_mw: ArrayLike, max_it_mw: float, n_sites: int = 1) -> np.ndarray:
    """Marker area (points²) proportional to MW IT. The largest site gets MAX_SITE_AREA_PT2
    when there are up to eight sites, less when there are more, so crowded maps stay
    legible."""
    scale = max_it_mw if max_it_mw > 0 else 1.0
    largest = MAX_SITE_AREA_PT2 * min(1.0, max(8.0 / max(n_sites, 1), 0.2))
    return np.maximum(largest * np.asarray(it_mw, float) / scale, 10.0)


def map_crs(run: RunData) -> CRS:
    names = ("pipelines", "candidates", "sites", "fields")
    return layers_crs([f for n in names if (f := run.layer(n)) is not None])


Extent = tuple[float, float, float, float]


def static_map(
    run: RunData,
    pipelines_by: Literal["utilisation", "free_capacity"] = "utilisation",
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """The run on one map: country, pipelines by utilisation (or free capacity) and capacity,
    fields, grid and fibre with their connections, candidates, and the chosen sites sized by
    MW IT and coloured by power source; legend, scale bar, north arrow and a title with the
    key totals. ``figsize`` (inches) fixes the page; by default it is A4 wide (landscape, or
    portrait for a tall extent) and as tall as the map needs."""
    crs = map_crs(run)

    def layer(name: str) -> gpd.GeoDataFrame | None:
        frame = run.layer(name)
        return None if frame is None else frame.to_crs(crs)

    frames = {n: f for n in run.layers if (f := layer(n)) is not None}
    extent = _extent([frames[n] for n in ("pipelines", "candidates", "sites") if n in frames])
    fig, ax = _figure(figsize or _page(extent), "The static map")
    if (country := frames.get("country")) is not None:
        country.plot(
            ax=ax,
            facecolor=style.COUNTRY_FILL,
            edgecolor=style.COUNTRY_EDGE,
            linewidth=0.6,
            zorder=0,
        )
    if (excl := frames.get("exclusions")) is not None:
        excl.plot(
            ax=ax,
            facecolor=style.EXCLUSION_FILL,
            edgecolor=style.EXCLUDED,
            hatch="///",
            linewidth=0.4,
            alpha=0.6,
            zorder=1,
        )
    if (borders := frames.get("borders")) is not None:
        borders.plot(ax=ax, color=style.BORDER, linewidth=0.8, linestyle="--", zorder=1)
    if (fiber := frames.get("fiber")) is not None:
        fiber.plot(ax=ax, color=style.FIBER, linewidth=0.6, alpha=0.7, zorder=2)
    if (pipes := frames.get("pipelines")) is not None:
        cap = pipes["capacity_mw"].to_numpy(float)
        widths = 0.8 + 3.5 * np.sqrt(cap / cap.max()) if cap.max() > 0 else np.ones(len(cap))
        colours = (
            [style.utilisation_colour(u) for u in pipes["utilisation"]]
            if pipelines_by == "utilisation"
            else [style.free_capacity_colour(f) for f in pipes["free_capacity_bcm_y"]]
        )
        pipes.plot(
            ax=ax,
            color=colours,
            linewidth=widths,  # type: ignore[arg-type]  # geopandas takes one per row; its stub says one
            zorder=3,
            capstyle="round",
        )
    if (links := frames.get("grid_links")) is not None:
        links.plot(ax=ax, color=style.GRID, linewidth=1.2, linestyle=(0, (4, 2)), zorder=4)
    if (links := frames.get("fiber_links")) is not None:
        links.plot(ax=ax, color=style.FIBER, linewidth=1.2, linestyle=(0, (1, 1.5)), zorder=4)
    if (grid := frames.get("grid")) is not None:
        used = (
            pd.to_numeric(grid["used_mw"], errors="coerce").fillna(0.0).to_numpy() > 0
            if "used_mw" in grid.columns
            else np.zeros(len(grid), bool)
        )
        ax.scatter(
            grid.geometry.x[~used],
            grid.geometry.y[~used],
            marker="s",
            s=12,
            facecolor="none",
            edgecolor=style.GRID,
            linewidth=0.6,
            alpha=0.8,
            zorder=5,
        )
        ax.scatter(
            grid.geometry.x[used],
            grid.geometry.y[used],
            marker="s",
            s=30,
            color=style.GRID,
            edgecolor="white",
            linewidth=0.5,
            zorder=5,
        )
    if (cand := frames.get("candidates")) is not None:
        ok = cand["eligible"].astype(bool).to_numpy()
        ax.scatter(
            cand.geometry.x[ok],
            cand.geometry.y[ok],
            s=5 if len(cand) <= CROWDED else 1.5,
            color=style.CANDIDATE,
            alpha=0.8,
            linewidth=0,
            zorder=5,
        )
        ax.scatter(
            cand.geometry.x[~ok],
            cand.geometry.y[~ok],
            s=10,
            marker="x",
            color=style.EXCLUDED,
            linewidth=0.6,
            zorder=5,
        )
    if (fields := frames.get("fields")) is not None:
        ax.scatter(
            fields.geometry.x,
            fields.geometry.y,
            marker="^",
            s=FIELD_AREA_PT2,
            color=style.FIELD,
            edgecolor="white",
            linewidth=0.6,
            zorder=6,
        )
    max_it, n_sites = 0.0, 0
    sites = frames.get("sites")
    if sites is not None:
        sites = sites.sort_values("it_mw", ascending=False, kind="stable")
        max_it, n_sites = float(sites["it_mw"].max()), len(sites)
        ax.scatter(
            sites.geometry.x,
            sites.geometry.y,
            s=site_area_pt2(sites["it_mw"], max_it, n_sites),
            c=[style.SOURCE_COLOURS.get(s, "#444444") for s in sites["source"]],
            edgecolor="#222222",
            linewidth=0.8,
            alpha=0.85,
            zorder=7,
            gid=SITES_GID,
        )
    _frame(ax, extent)
    ax.set_title(_title(run), fontsize=11, loc="left")
    _legend_below(fig, _legend_groups(pipelines_by))
    laid_out = figsize is None and _fit_page(fig, ax, extent)
    _freeze(fig, ax, laid_out)
    _graticule(ax, crs)

    points = _data_points(frames)
    furniture: list[Bbox] = []
    if sites is not None:
        sizes = _size_legend(ax, max_it, n_sites, sites["it_mw"].to_numpy(float))
        furniture.append(_emptiest(ax, sizes, points, furniture))
    furniture.append(_scale_bar(ax, points, furniture))
    furniture.append(_north_arrow(ax, crs, points, furniture))
    _label_map(ax, sites, frames.get("fields"), max_it, n_sites, furniture)
    return fig


def _page(extent: Extent) -> tuple[float, float]:
    """A4 landscape for a wide extent, portrait for a tall one (the height is fitted later)."""
    return A4_LANDSCAPE_IN if extent[2] - extent[0] >= extent[3] - extent[1] else A4_PORTRAIT_IN


def _frame(ax: Axes, extent: Extent) -> None:
    """A plain frame around the extent at equal aspect (:func:`_freeze` later widens the
    extent so that the map fills its axes)."""
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#9e9e9e")
        spine.set_linewidth(0.6)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")


def _fit_page(fig: Figure, ax: Axes, extent: Extent) -> bool:
    """Make the page as tall as the map needs at its width: the title and the legend keep
    their size, the white bands above and below a wide map go. Never taller than the page
    it started as. True when the last layout was run at the final size (it need not run
    again)."""
    aspect = (extent[3] - extent[1]) / max(extent[2] - extent[0], 1e-9)
    max_height = float(fig.get_size_inches()[1])
    for _ in range(4):
        fig.draw_without_rendering()
        width_in, height_in = (float(v) for v in fig.get_size_inches())
        box = ax.get_position(original=True)
        spare_in = box.height * height_in - box.width * width_in * aspect
        height = min(max(height_in - spare_in, MIN_MAP_HEIGHT_IN), max_height)
        if abs(height - height_in) < 0.01:
            return True
        fig.set_size_inches(width_in, height)
    return False


def _freeze(fig: Figure, ax: Axes, laid_out: bool = False) -> None:
    """Run the layout once (unless ``laid_out``: it has just run on the figure as it is)
    and keep it, then widen the extent in its short direction until the map fills the whole
    axes. The legend, scale bar, north arrow and labels that follow are placed in display
    coordinates and must not move afterwards."""
    if not laid_out:
        fig.draw_without_rendering()
    fig.set_layout_engine("none")
    box = ax.get_position(original=True)
    width_in, height_in = (float(v) for v in fig.get_size_inches())
    box_aspect = (box.height * height_in) / (box.width * width_in)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    if (y1 - y0) / (x1 - x0) < box_aspect:
        grow = ((x1 - x0) * box_aspect - (y1 - y0)) / 2.0
        y0, y1 = y0 - grow, y1 + grow
    else:
        grow = ((y1 - y0) / box_aspect - (x1 - x0)) / 2.0
        x0, x1 = x0 - grow, x1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.apply_aspect()


def _graticule(ax: Axes, crs: CRS) -> None:
    """Faint meridians and parallels under the map: on a conic map they show where north
    is everywhere."""
    from matplotlib.collections import LineCollection

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    gx, gy = np.meshgrid(np.linspace(x0, x1, 30), np.linspace(y0, y1, 30))
    to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_geo.transform(gx.ravel(), gy.ravel())
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return
    lon_0 = central_longitude(crs)
    rel = np.mod(np.asarray(lon)[ok] - lon_0 + 180.0, 360.0) - 180.0
    lat_ok = np.asarray(lat)[ok]
    lon_lo, lon_hi = lon_0 + rel.min(), lon_0 + rel.max()
    lat_lo, lat_hi = max(lat_ok.min() - 2.0, -89.0), min(lat_ok.max() + 2.0, 89.0)
    lon_step = 10.0 if lon_hi - lon_lo <= 60 else 20.0 if lon_hi - lon_lo <= 150 else 30.0
    lat_step = 5.0 if lat_hi - lat_lo <= 30 else 10.0
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lines = []
    for m in np.arange(math.ceil(lon_lo / lon_step) * lon_step, lon_hi + 1e-9, lon_step):
        lats = np.linspace(lat_lo, lat_hi, 120)
        lines.append(np.column_stack(to_map.transform(np.full_like(lats, m), lats)))
    for p in np.arange(math.ceil(lat_lo / lat_step) * lat_step, lat_hi + 1e-9, lat_step):
        lons = np.linspace(lon_lo - 2.0, lon_hi + 2.0, 240)
        lines.append(np.column_stack(to_map.transform(lons, np.full_like(lons, p))))
    lines = [seg[np.isfinite(seg).all(axis=1)] for seg in lines]
    ax.add_collection(
        LineCollection(
            [seg for seg in lines if len(seg) > 1],
            colors=style.GRATICULE,
            linewidths=0.4,
            zorder=0.5,
            gid="siting-graticule",
        ),
        autolim=False,
    )


def central_longitude(crs: CRS) -> float:
    """The projection's central meridian (``lon_0``), the one meridian drawn vertically."""
    conversion = crs.to_json_dict().get("conversion", {})
    for p in conversion.get("parameters", []):
        if str(p.get("name", "")).startswith("Longitude of"):
            return float(p["value"])
    return 0.0


def _data_points(frames: dict[str, gpd.GeoDataFrame]) -> np.ndarray:
    """Every vertex the eye reads as data (pipelines, candidates, sites, fields, grid)."""
    names = ("pipelines", "candidates", "sites", "fields", "grid")
    coords = [shapely.get_coordinates(frames[n].geometry.to_numpy()) for n in names if n in frames]
    return np.concatenate(coords) if coords else np.zeros((0, 2))


def _crowding(ax: Axes, box: Bbox, points: np.ndarray, taken: Sequence[Bbox]) -> float:
    """How much a box would hide: data vertices under it, and anything already placed."""
    px = ax.transData.transform(points) if len(points) else np.zeros((0, 2))
    inside = (
        (px[:, 0] >= box.x0) & (px[:, 0] <= box.x1) & (px[:, 1] >= box.y0) & (px[:, 1] <= box.y1)
    )
    return float(inside.sum()) + 1e6 * sum(box.overlaps(t) for t in taken)


def _emptiest(
    ax: Axes,
    options: Sequence[Callable[[], Sequence[Artist]]],
    points: np.ndarray,
    taken: Sequence[Bbox],
) -> Bbox:
    """Draw each option (a function that adds artists), keep the one that hides least data,
    the first among equals; returns its display box."""
    from matplotlib.transforms import Bbox

    fig = ax.get_figure()
    assert fig is not None
    renderer = canvas_renderer(fig)
    best: tuple[float, Bbox, Sequence[Artist]] | None = None
    for make in options:
        artists = make()
        box = Bbox.union([_window_extent(a, renderer) for a in artists])
        score = _crowding(ax, box, points, taken)
        if best is None or score < best[0]:
            if best is not None:
                for a in best[2]:
                    a.remove()
            best = (score, box, artists)
        else:
            for a in artists:
                a.remove()
    assert best is not None
    return best[1]


def _window_extent(artist: Artist, renderer: Any) -> Bbox:
    """An artist's display box; a scale bar knows its own only once drawn."""
    if type(artist).__name__ == "ScaleBar":
        artist.draw(renderer)
        return artist.info.window_extent  # type: ignore[attr-defined]
    return artist.get_window_extent(renderer)


CORNERS = ("upper left", "lower right", "upper right", "lower left")


def _size_legend(
    ax: Axes, max_it: float, n_sites: int, sizes_mw: np.ndarray
) -> list[Callable[[], Sequence[Artist]]]:
    """The size key, one option per corner: circles of the map's own scale for the largest
    site, a round middle size and the smallest site."""
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D

    steps = size_steps(sizes_mw)
    diameters = [float(np.sqrt(site_area_pt2(np.array([mw]), max_it, n_sites)[0])) for mw in steps]
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="none",
            markeredgecolor="#222222",
            markersize=d,
        )
        for d in diameters
    ]
    labels = [f"{mw:,.0f} MW" for mw in steps]
    fontsize = 8.0

    def at(loc: Any) -> Callable[[], Sequence[Artist]]:
        def make() -> Sequence[Artist]:
            legend = Legend(
                ax,
                handles,
                labels,
                loc=loc,
                title="MW IT",
                fontsize=fontsize,
                title_fontsize=fontsize,
                handleheight=(max(diameters) + 3.0) / fontsize,
                handlelength=max(2.0, max(diameters) / fontsize),
                labelspacing=0.3,
                borderpad=0.6,
                handletextpad=0.8,
                framealpha=0.85,
            )
            legend.set_gid(SIZE_LEGEND_GID)
            legend.set_zorder(12)
            ax.add_artist(legend)
            return [legend]

        return make

    return [at(loc) for loc in CORNERS]


def _legend_groups(pipelines_by: str) -> list[tuple[str, list[Any]]]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    def dot(colour: str, label: str, **kw: Any) -> Line2D:
        kw = {"marker": "o", "markersize": 8, "markeredgecolor": "#222222", **kw}
        return Line2D([], [], linestyle="", markerfacecolor=colour, label=label, **kw)

    sites = [dot(c, style.SOURCE_LABELS[s]) for s, c in style.SOURCE_COLOURS.items()]
    if pipelines_by == "utilisation":
        items = zip(style.UTILISATION_COLOURS, style.UTILISATION_LABELS, strict=True)
        pipe_title = "Pipeline utilisation after siting"
    else:
        items = zip(style.FREE_COLOURS, style.FREE_LABELS, strict=True)
        pipe_title = "Free pipeline capacity after siting"
    pipes = [Line2D([], [], color=c, linewidth=3, label=lab) for c, lab in items]
    network = [
        dot(style.FIELD, "gas field", marker="^", markeredgecolor="white"),
        dot(style.GRID, "grid node supplying a site", marker="s", markersize=6),
        dot("none", "other grid node", marker="s", markersize=5, markeredgecolor=style.GRID),
        Line2D([], [], color=style.GRID, linestyle=(0, (4, 2)), label="grid connection"),
        Line2D([], [], color=style.FIBER, label="fibre backbone"),
        Line2D([], [], color=style.FIBER, linestyle=(0, (1, 1.5)), label="fibre connection"),
    ]
    candidates = [
        dot(style.CANDIDATE, "candidate site", markersize=3, markeredgecolor=style.CANDIDATE),
        Line2D(
            [], [], marker="x", linestyle="", markersize=4, color=style.EXCLUDED, label="excluded"
        ),
        Patch(
            facecolor=style.EXCLUSION_FILL,
            edgecolor=style.EXCLUDED,
            hatch="///",
            linewidth=0.4,
            label="exclusion zone",
        ),
    ]
    return [
        ("Chosen sites, by power", sites),
        (pipe_title, pipes),
        ("Gas, grid and fibre", network),
        ("Candidates", candidates),
    ]


def _legend_below(fig: Figure, groups: list[tuple[str, list[Any]]], rows: int = 4) -> Legend:
    """One legend under the map, a bold heading over each group of columns (``rows`` − 1
    items per column)."""
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    labels: list[str] = []
    headings: set[int] = set()
    per_column = rows - 1
    for title, items in groups:
        for start in range(0, len(items), per_column):
            column = items[start : start + per_column]
            headings.add(len(handles))
            handles.append(Line2D([], [], linestyle="", marker=""))
            labels.append(title if start == 0 else "")
            for item in column:
                handles.append(item)
                labels.append(str(item.get_label()))
            for _ in range(per_column - len(column)):
                handles.append(Line2D([], [], linestyle="", marker=""))
                labels.append("")
    legend = fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=len(handles) // rows,
        fontsize=7.5,
        frameon=False,
        handlelength=2.2,
        handletextpad=0.6,
        columnspacing=1.6,
        borderaxespad=0.3,
    )
    for i, text in enumerate(legend.get_texts()):
        if i in headings:
            text.set_fontweight("bold")
    return legend


def _label_map(
    ax: Axes,
    sites: gpd.GeoDataFrame | None,
    fields: gpd.GeoDataFrame | None,
    max_it: float,
    n_sites: int,
    furniture: list[Bbox],
) -> None:
    """Name the largest sites (nearest town and MW IT) that fit, then the fields."""
    fig = ax.get_figure()
    assert fig is not None
    renderer = canvas_renderer(fig)
    obstacles = list(furniture)
    site_labels: list[Label] = []
    if sites is not None:
        radii = np.sqrt(site_area_pt2(sites["it_mw"], max_it, n_sites)) / 2.0
        xy = list(zip(sites.geometry.x, sites.geometry.y, strict=True))
        obstacles += marker_boxes(ax, xy, 0.75 * radii)
        names = map_names(sites)
        site_labels = [
            Label(x, y, f"{name}\n{mw:,.0f} MW", gap_pt=float(r) + 2.0)
            for (x, y), r, name, mw in zip(xy, radii, names, sites["it_mw"], strict=True)
        ]
    field_labels: list[Label] = []
    if fields is not None:
        radius = math.sqrt(FIELD_AREA_PT2) / 2.0
        xy = list(zip(fields.geometry.x, fields.geometry.y, strict=True))
        obstacles += marker_boxes(ax, xy, [0.75 * radius] * len(xy))
        supply = (
            pd.to_numeric(fields["supply_max_bcm_y"], errors="coerce").fillna(0.0).to_numpy()
            if "supply_max_bcm_y" in fields.columns
            else np.zeros(len(fields))
        )
        order = np.argsort(-supply, kind="stable")
        field_labels = [
            Label(
                xy[i][0],
                xy[i][1],
                short_name(str(fields["name"].iloc[i])),
                gap_pt=radius + 1.5,
                fontsize=7.0,
                color=style.FIELD_TEXT,
                style="italic",
            )
            for i in order
        ]
    placed = place_labels(ax, site_labels, obstacles, limit=LABELLED_SITES)
    obstacles += [t.get_window_extent(renderer) for t in placed]
    place_labels(ax, field_labels, obstacles)


def map_names(sites: pd.DataFrame) -> list[str]:
    """A short name for each site on the map: its nearest town, or its id without one."""
    towns = sites["town"] if "town" in sites.columns else pd.Series(None, index=sites.index)
    return [
        str(t) if isinstance(t, str) and t else str(sid)
        for t, sid in zip(towns, sites["site_id"], strict=True)
    ]


def _extent(frames: list[gpd.GeoDataFrame], margin: float = 0.05) -> Extent:
    bounds = np.array([f.total_bounds for f in frames if len(f)])
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
    pad = margin * max(x1 - x0, y1 - y0, 1e4)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def share_text(share: float) -> str:
    """A share with the precision it needs: 14 %, 2.5 %, 0.09 %, < 0.01 %."""
    if share != share:
        return "—"
    pct = 100.0 * share
    if pct == 0:
        return "0 %"
    if pct < 0.01:
        return "< 0.01 %"
    if pct < 1:
        return f"{pct:.2f} %"
    if pct < 10:
        return f"{pct:.1f} %"
    return f"{pct:.0f} %"


def _title(run: RunData) -> str:
    h = headline(run)
    share = h["gas_share_of_surplus"]
    share_txt = (
        f" ({share_text(share)} of the {h['surplus_bcm_y']:.1f} bcm/y surplus)"
        if share == share
        else ""
    )
    status = "" if h["optimal"] else f" — {h['status_text']}"  # it starts NOT OPTIMAL
    return (
        f"{run.label}: {h['it_mw']:,.0f} MW IT at {h['sites_open']} sites{status}\n"
        f"gas {h['gas_bcm_y']:.2f} bcm/y{share_txt} · grid {h['grid_mw']:,.0f} MW · "
        f"cost {h['cost_musd_y']:,.0f} MUSD/y ({h['cost_per_mw_it_musd_y']:.2f} MUSD per MW IT)"
    )


def _scale_bar(ax: Axes, points: np.ndarray, taken: Sequence[Bbox]) -> Bbox:
    """A scale bar of a round length in km, in the emptiest bottom or top corner."""
    require("matplotlib_scalebar", "The static map's scale bar")
    from matplotlib_scalebar.scalebar import ScaleBar

    x0, x1 = ax.get_xlim()
    length_km = nice_number(0.15 * (x1 - x0) / 1000.0)

    def at(loc: str) -> Callable[[], Sequence[Artist]]:
        def make() -> Sequence[Artist]:
            bar = ScaleBar(
                1.0,
                units="m",
                location=loc,
                fixed_value=length_km,
                fixed_units="km",
                scale_formatter=lambda value, unit: f"{value:,g} {unit}",
                box_alpha=0.8,
                font_properties={"size": 8},
            )
            bar.set_zorder(12)
            ax.add_artist(bar)
            return [bar]

        return make

    return _emptiest(
        ax, [at(loc) for loc in ("lower right", "lower left", *CORNERS[:1])], points, taken
    )


def _north_arrow(ax: Axes, crs: CRS, points: np.ndarray, taken: Sequence[Bbox]) -> Bbox:
    """A north arrow on the central meridian, where north is straight up, near the top or
    the bottom of the map, whichever hides less. Where that meridian is off the map, the
    arrow goes in a corner and points to true north there."""
    to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lon_0 = central_longitude(crs)
    (y0, y1) = ax.get_ylim()
    _lon, lat_mid = to_geo.transform(np.mean(ax.get_xlim()), (y0 + y1) / 2.0)
    x_data, _y = to_map.transform(lon_0, lat_mid)
    x_frac = float(ax.transAxes.inverted().transform(ax.transData.transform((x_data, y0)))[0])
    if not 0.04 <= x_frac <= 0.96:
        x_frac = 0.95
    spots = [(x_frac, 0.93), (x_frac, 0.19)]
    options = [functools.partial(_draw_north_arrow, ax, at, to_geo, to_map) for at in spots]
    return _emptiest(ax, options, points, taken)


def _draw_north_arrow(
    ax: Axes, at: tuple[float, float], to_geo: Transformer, to_map: Transformer
) -> list[Artist]:
    """An arrow towards true north with its tip at axes position ``at``; the aspect is
    equal, so the direction in data units is the direction on the page."""
    x, y = ax.transData.inverted().transform(ax.transAxes.transform(at))
    lon, lat = to_geo.transform(x, y)
    nx, ny = to_map.transform(lon, min(lat + 0.5, 89.9))
    angle = float(np.arctan2(ny - y, nx - x))
    ux, uy = np.cos(angle), np.sin(angle)
    if abs(ux) < 1e-9:
        ux, uy = 0.0, float(np.sign(uy))
    length_pt = 30.0
    arrow = ax.annotate(
        "",
        xy=at,
        xycoords="axes fraction",
        xytext=(-ux * length_pt, -uy * length_pt),
        textcoords="offset points",
        arrowprops={
            "arrowstyle": "-|>,head_width=0.35,head_length=0.7",
            "color": "black",
            "linewidth": 1.5,
        },
        zorder=11,
        gid=NORTH_ARROW_GID,
    )
    letter = ax.annotate(
        "N",
        xy=at,
        xycoords="axes fraction",
        xytext=(ux * 9, uy * 9),
        textcoords="offset points",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        zorder=11,
    )
    return [arrow, letter]


def cost_chart(run: RunData, figsize: tuple[float, float] = (7.5, 3.2)) -> Figure:
    """The annualised cost by term as a horizontal bar chart, with values and shares."""
    fig, ax = _figure(figsize, "The cost chart")
    df = cost_breakdown(run.solution)
    df = df[df["cost_musd_y"] > 0].sort_values("cost_musd_y")
    colours = [style.COST_TERMS[t][1] for t in df.index]
    bars = ax.barh(df["label"], df["cost_musd_y"], color=colours)
    total = run.solution.totals["cost_musd_y"]
    for bar, (_, row) in zip(bars, df.iterrows(), strict=True):
        ax.annotate(
            f" {row['cost_musd_y']:,.1f} ({row['share']:.0%})",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            va="center",
            fontsize=8,
        )
    ax.set_xlabel("MUSD per year (annualised)")
    ax.set_title(f"Cost breakdown: {total:,.1f} MUSD/y in total", fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    largest = float(df["cost_musd_y"].max()) if len(df) else 0.0
    ax.set_xlim(0, largest * 1.3 if largest > 0 else 1.0)
    return fig


CHANGE_COLOURS = {
    "added": "#1a9850",
    "removed": "#d73027",
    "resized": "#fdae61",
    "unchanged": "#bdbdbd",
}


def diff_map(a: RunData, b: RunData, figsize: tuple[float, float] | None = None) -> Figure:
    """Sites added, removed and resized from run ``a`` to run ``b`` on one map, over run b's
    pipelines; marker area ∝ MW IT in b (in a for removed sites)."""
    from matplotlib.lines import Line2D

    diff = compare_runs(a, b)
    frames = [
        f
        for r in (a, b)
        for n in ("pipelines", "candidates", "sites")
        if (f := r.layer(n)) is not None
    ]
    crs = layers_crs(frames)
    projected = [f.to_crs(crs) for f in frames]
    extent = _extent(projected)
    fig, ax = _figure(figsize or _page(extent), "The comparison map")
    if (country := b.layer("country")) is not None:
        country.to_crs(crs).plot(
            ax=ax,
            facecolor=style.COUNTRY_FILL,
            edgecolor=style.COUNTRY_EDGE,
            linewidth=0.6,
            zorder=0,
        )
    if (pipes := b.layer("pipelines")) is not None:
        pipes.to_crs(crs).plot(ax=ax, color="#9e9e9e", linewidth=1.2, zorder=1)
    pts = None
    if len(diff):
        pts = gpd.GeoDataFrame(
            diff, geometry=gpd.points_from_xy(diff["lon"], diff["lat"]), crs="EPSG:4326"
        ).to_crs(crs)
        pts["size_mw"] = np.maximum(pts["it_mw_a"], pts["it_mw_b"])
        pts = pts.sort_values("size_mw", ascending=False)
        max_it = float(pts["size_mw"].max()) or 1.0
        ax.scatter(
            pts.geometry.x,
            pts.geometry.y,
            s=site_area_pt2(pts["size_mw"], max_it, len(pts)),
            c=[CHANGE_COLOURS[c] for c in pts["change"]],
            edgecolor="#222222",
            linewidth=0.8,
            alpha=0.9,
            zorder=3,
            gid="siting-diff",
        )
    _frame(ax, extent)
    counts = diff["change"].value_counts() if len(diff) else pd.Series(dtype=int)
    ta, tb = a.solution.totals, b.solution.totals
    name_a, name_b = run_names(a, b)
    ax.set_title(
        f"{name_a} → {name_b}: {counts.get('added', 0)} added, "
        f"{counts.get('removed', 0)} removed, {counts.get('resized', 0)} resized\n"
        f"IT {ta['it_mw']:,.0f} → {tb['it_mw']:,.0f} MW · cost {ta['cost_musd_y']:,.0f} → "
        f"{tb['cost_musd_y']:,.0f} MUSD/y",
        fontsize=11,
        loc="left",
    )
    fig.legend(
        handles=[
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=9,
                markerfacecolor=c,
                markeredgecolor="#222222",
                label=k,
            )
            for k, c in CHANGE_COLOURS.items()
        ],
        loc="outside lower center",
        ncols=4,
        fontsize=8,
        frameon=False,
    )
    laid_out = figsize is None and _fit_page(fig, ax, extent)
    _freeze(fig, ax, laid_out)
    _graticule(ax, crs)
    points = _data_points({"sites": pts} if pts is not None else {})
    furniture = [_scale_bar(ax, points, [])]
    furniture.append(_north_arrow(ax, crs, points, furniture))
    if pts is not None:
        radii = np.sqrt(site_area_pt2(pts["size_mw"], float(pts["size_mw"].max()), len(pts))) / 2
        xy = list(zip(pts.geometry.x, pts.geometry.y, strict=True))
        obstacles = furniture + marker_boxes(ax, xy, 0.75 * radii)
        towns = pd.concat([r.chosen["town"] for r in (a, b) if "town" in r.chosen.columns])
        towns = towns[~towns.index.duplicated()]
        names = map_names(
            pd.DataFrame({"site_id": pts.index, "town": towns.reindex(pts.index).to_numpy()})
        )
        labels = [
            Label(x, y, f"{name}\n{r['it_mw_a']:,.0f} → {r['it_mw_b']:,.0f} MW", gap_pt=rad + 2.0)
            for (x, y), rad, name, (_sid, r) in zip(xy, radii, names, pts.iterrows(), strict=True)
            if r["change"] != "unchanged"
        ]
        place_labels(ax, labels, obstacles)
    return fig
