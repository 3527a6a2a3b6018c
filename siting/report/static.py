"""Static maps and charts (matplotlib + geopandas) of a run, sized for an A4 page or a slide.

The map is drawn in an equal-area conic projection fitted to the network
(:mod:`siting.report.projection`), with a scale bar (matplotlib-scalebar) and a north arrow
that points to true north at its own position, since on a conic map north turns with
longitude.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from siting.report import style
from siting.report._deps import require
from siting.report.projection import layers_crs
from siting.report.run import RunData, run_names
from siting.report.tables import compare_runs, cost_breakdown, headline

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

A4_LANDSCAPE_IN = (11.69, 8.27)
MAX_SITE_AREA_PT2 = 900.0
LABELLED_SITES = 10
#: more candidates than this are drawn as specks (and start hidden on the web map)
CROWDED = 300


def _figure(figsize: tuple[float, float], purpose: str) -> tuple[Figure, Axes]:
    """A Figure outside pyplot's global state (nothing to close, no GUI backend needed);
    notebooks display it inline all the same."""
    require("matplotlib", purpose)
    from matplotlib.figure import Figure

    if "matplotlib_inline" in os.environ.get("MPLBACKEND", ""):
        # in Jupyter: loading the inline backend registers the hook that displays a Figure
        importlib.import_module("matplotlib_inline.backend_inline")

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()


def site_area_pt2(it_mw: np.ndarray, max_it_mw: float, n_sites: int = 1) -> np.ndarray:
    """Marker area (points²) proportional to MW IT. The largest site gets MAX_SITE_AREA_PT2
    when there are up to ten sites, less when there are more, so crowded maps stay legible."""
    scale = max_it_mw if max_it_mw > 0 else 1.0
    largest = MAX_SITE_AREA_PT2 * min(1.0, max(10.0 / max(n_sites, 1), 0.2))
    return np.maximum(largest * np.asarray(it_mw, float) / scale, 10.0)


def map_crs(run: RunData) -> CRS:
    names = ("pipelines", "candidates", "sites", "fields")
    return layers_crs([f for n in names if (f := run.layer(n)) is not None])


def static_map(
    run: RunData,
    pipelines_by: Literal["utilisation", "free_capacity"] = "utilisation",
    figsize: tuple[float, float] = A4_LANDSCAPE_IN,
) -> Figure:
    """The run on one map: country, pipelines by utilisation (or free capacity) and capacity,
    fields, grid and fibre with their connections, candidates, and the chosen sites sized by
    MW IT and coloured by power source; legend, scale bar, north arrow and a title with the
    key totals."""
    fig, ax = _figure(figsize, "The static map")
    from matplotlib.lines import Line2D

    crs = map_crs(run)
    ax.set_axis_off()
    ax.set_facecolor("#dfe8ef")

    def layer(name: str) -> gpd.GeoDataFrame | None:
        frame = run.layer(name)
        return None if frame is None else frame.to_crs(crs)

    extent = _extent(
        [f for n in ("pipelines", "candidates", "sites") if (f := layer(n)) is not None]
    )
    if (country := layer("country")) is not None:
        country.plot(
            ax=ax,
            facecolor=style.COUNTRY_FILL,
            edgecolor=style.COUNTRY_EDGE,
            linewidth=0.6,
            zorder=0,
        )
    if (excl := layer("exclusions")) is not None:
        excl.plot(
            ax=ax,
            facecolor=style.EXCLUSION_FILL,
            edgecolor=style.EXCLUDED,
            hatch="///",
            linewidth=0.4,
            alpha=0.6,
            zorder=1,
        )
    if (borders := layer("borders")) is not None:
        borders.plot(ax=ax, color=style.BORDER, linewidth=0.8, linestyle="--", zorder=1)
    if (fiber := layer("fiber")) is not None:
        fiber.plot(ax=ax, color=style.FIBER, linewidth=0.7, alpha=0.8, zorder=2)
    if (pipes := layer("pipelines")) is not None:
        cap = pipes["capacity_mw"].to_numpy(float)
        widths = 0.8 + 3.5 * np.sqrt(cap / cap.max()) if cap.max() > 0 else np.ones(len(cap))
        colours = (
            [style.utilisation_colour(u) for u in pipes["utilisation"]]
            if pipelines_by == "utilisation"
            else [style.free_capacity_colour(f) for f in pipes["free_capacity_bcm_y"]]
        )
        pipes.plot(ax=ax, color=colours, linewidth=widths, zorder=3, capstyle="round")
    if (links := layer("grid_links")) is not None:
        links.plot(ax=ax, color=style.GRID, linewidth=1.2, linestyle=(0, (4, 2)), zorder=4)
    if (links := layer("fiber_links")) is not None:
        links.plot(ax=ax, color=style.FIBER, linewidth=1.2, linestyle=(0, (1, 1.5)), zorder=4)
    if (grid := layer("grid")) is not None:
        ax.scatter(
            grid.geometry.x,
            grid.geometry.y,
            marker="s",
            s=28,
            color=style.GRID,
            edgecolor="white",
            linewidth=0.5,
            zorder=5,
        )
    if (cand := layer("candidates")) is not None:
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
    if (fields := layer("fields")) is not None:
        ax.scatter(
            fields.geometry.x,
            fields.geometry.y,
            marker="^",
            s=90,
            color=style.FIELD,
            edgecolor="#1b5e20",
            linewidth=0.6,
            zorder=6,
        )
        for _, f in fields.iterrows():
            ax.annotate(
                str(f["name"]),
                (f.geometry.x, f.geometry.y),
                xytext=(6, -10),
                textcoords="offset points",
                fontsize=7,
                color="#1b5e20",
                zorder=9,
            )
    max_it, n_sites = 0.0, 0
    if (sites := layer("sites")) is not None:
        sites = sites.sort_values("it_mw", ascending=False)
        max_it, n_sites = float(sites["it_mw"].max()), len(sites)
        ax.scatter(
            sites.geometry.x,
            sites.geometry.y,
            s=site_area_pt2(sites["it_mw"], max_it, n_sites),
            c=[style.SOURCE_COLOURS.get(s, "#444444") for s in sites["source"]],
            edgecolor="#222222",
            linewidth=0.8,
            alpha=0.9,
            zorder=7,
            gid="siting-sites",
        )
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    if sites is not None:
        _label_sites(ax, sites)
    _scale_bar(ax)
    _north_arrow(ax, crs)
    ax.set_title(_title(run), fontsize=11, loc="left")

    handles: list[Any] = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=9,
            markerfacecolor=c,
            markeredgecolor="#222222",
            label=style.SOURCE_LABELS[s],
        )
        for s, c in style.SOURCE_COLOURS.items()
    ]
    if max_it > 0:
        sizes = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor="#222222",
                markersize=float(np.sqrt(site_area_pt2(np.array([mw]), max_it, n_sites)[0])),
                label=f"{mw:,.0f} MW",
            )
            for mw in _size_steps(max_it)
        ]
        ax.add_artist(
            ax.legend(
                handles=sizes,
                loc="upper left",
                title="MW IT",
                fontsize=8,
                title_fontsize=8,
                labelspacing=1.6,
                borderpad=1.0,
                handletextpad=1.4,
                framealpha=0.85,
            )
        )
    if pipelines_by == "utilisation":
        pipe_items = zip(style.UTILISATION_COLOURS, style.UTILISATION_LABELS, strict=True)
        pipe_title = "pipeline utilisation"
    else:
        pipe_items = zip(style.FREE_COLOURS, style.FREE_LABELS, strict=True)
        pipe_title = "free pipeline capacity"
    handles += [
        Line2D([], [], color=c, linewidth=3, label=f"{pipe_title}: {lab}") for c, lab in pipe_items
    ]
    handles += [
        Line2D(
            [], [], marker="^", linestyle="", markersize=8, color=style.FIELD, label="gas field"
        ),
        Line2D([], [], marker="s", linestyle="", markersize=6, color=style.GRID, label="grid node"),
        Line2D([], [], color=style.GRID, linestyle=(0, (4, 2)), label="grid connection"),
        Line2D([], [], color=style.FIBER, label="fibre backbone"),
        Line2D([], [], color=style.FIBER, linestyle=(0, (1, 1.5)), label="fibre connection"),
        Line2D(
            [], [], marker="o", linestyle="", markersize=3, color=style.CANDIDATE, label="candidate"
        ),
        Line2D(
            [],
            [],
            marker="x",
            linestyle="",
            markersize=4,
            color=style.EXCLUDED,
            label="excluded candidate",
        ),
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=5,
        fontsize=7.5,
        frameon=False,
        handlelength=2.2,
        borderaxespad=0.2,
    )
    return fig


def _label_sites(ax: Axes, sites: gpd.GeoDataFrame, min_gap_pt: float = 36.0) -> None:
    """Label the largest sites, skipping any too close on the page to one already labelled."""
    fig = ax.get_figure()
    assert fig is not None
    ax.apply_aspect()
    pt_per_px = 72.0 / fig.dpi
    placed: list[np.ndarray] = []
    for _, s in sites.iterrows():
        if len(placed) == LABELLED_SITES:
            break
        xy = ax.transData.transform((s.geometry.x, s.geometry.y)) * pt_per_px
        if any(np.hypot(*(xy - p)) < min_gap_pt for p in placed):
            continue
        placed.append(xy)
        ax.annotate(
            f"{s['site_id']}\n{s['it_mw']:,.0f} MW",
            (s.geometry.x, s.geometry.y),
            xytext=(7, 5),
            textcoords="offset points",
            fontsize=7,
            zorder=10,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
        )


def _extent(
    frames: list[gpd.GeoDataFrame], margin: float = 0.06
) -> tuple[float, float, float, float]:
    bounds = np.array([f.total_bounds for f in frames if len(f)])
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
    pad = margin * max(x1 - x0, y1 - y0, 1e4)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _size_steps(max_it: float) -> list[float]:
    """Two or three round sizes for the size legend, the largest site's size first."""
    steps = [max_it, max_it / 4.0, max_it / 16.0]
    return [s for s in steps if s >= max_it / 16.0 and s > 0][:3]


def _title(run: RunData) -> str:
    h = headline(run)
    share = h["gas_share_of_surplus"]
    share_txt = (
        f" ({share:.0%} of the {h['surplus_bcm_y']:.1f} bcm/y surplus)" if share == share else ""
    )
    status = "" if h["optimal"] else f" — NOT OPTIMAL: {h['status_text']}"
    return (
        f"{run.label}: {h['it_mw']:,.0f} MW IT at {h['sites_open']} sites{status}\n"
        f"gas {h['gas_bcm_y']:.2f} bcm/y{share_txt} · grid {h['grid_mw']:,.0f} MW · "
        f"cost {h['cost_musd_y']:,.0f} MUSD/y ({h['cost_per_mw_it_musd_y']:.2f} MUSD per MW IT)"
    )


def _scale_bar(ax: Axes) -> None:
    require("matplotlib_scalebar", "The static map's scale bar")
    from matplotlib_scalebar.scalebar import ScaleBar

    ax.add_artist(
        ScaleBar(
            1.0,
            units="m",
            location="lower right",
            length_fraction=0.2,
            box_alpha=0.8,
            font_properties={"size": 8},
        )
    )


def _north_arrow(ax: Axes, crs: CRS, at: tuple[float, float] = (0.95, 0.88)) -> None:
    """An arrow towards true north with its tip at axes position ``at``. The map's aspect is
    equal, so the direction in data units is the direction on the page."""
    to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = ax.transData.inverted().transform(ax.transAxes.transform(at))
    lon, lat = to_geo.transform(x, y)
    nx, ny = to_map.transform(lon, min(lat + 0.5, 89.9))
    angle = float(np.arctan2(ny - y, nx - x))
    ux, uy = np.cos(angle), np.sin(angle)
    length_pt = 32.0
    ax.annotate(
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
    )
    ax.annotate(
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


def diff_map(a: RunData, b: RunData, figsize: tuple[float, float] = A4_LANDSCAPE_IN) -> Figure:
    """Sites added, removed and resized from run ``a`` to run ``b`` on one map, over run b's
    pipelines; marker area ∝ MW IT in b (in a for removed sites)."""
    fig, ax = _figure(figsize, "The comparison map")
    from matplotlib.lines import Line2D

    diff = compare_runs(a, b)
    frames = [
        f
        for r in (a, b)
        for n in ("pipelines", "candidates", "sites")
        if (f := r.layer(n)) is not None
    ]
    crs = layers_crs(frames)
    ax.set_axis_off()
    extent = _extent([f.to_crs(crs) for f in frames])
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
    if len(diff):
        pts = gpd.GeoDataFrame(
            diff, geometry=gpd.points_from_xy(diff["lon"], diff["lat"]), crs="EPSG:4326"
        ).to_crs(crs)
        size_mw = np.maximum(pts["it_mw_a"], pts["it_mw_b"]).to_numpy(float)
        max_it = float(size_mw.max()) if len(size_mw) else 1.0
        ax.scatter(
            pts.geometry.x,
            pts.geometry.y,
            s=site_area_pt2(size_mw, max_it, len(pts)),
            c=[CHANGE_COLOURS[c] for c in pts["change"]],
            edgecolor="#222222",
            linewidth=0.8,
            alpha=0.9,
            zorder=3,
            gid="siting-diff",
        )
        for sid, r in pts[pts["change"] != "unchanged"].iterrows():
            ax.annotate(
                f"{sid}\n{r['it_mw_a']:,.0f} → {r['it_mw_b']:,.0f} MW",
                (r.geometry.x, r.geometry.y),
                xytext=(9, 6),
                textcoords="offset points",
                fontsize=7.5,
                zorder=4,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
            )
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    _scale_bar(ax)
    _north_arrow(ax, crs)
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
    return fig
