"""The interactive map: a folium (Leaflet) map of a run that works fully offline.

Leaflet's script and style are inlined (:mod:`siting.report.assets`) and folium's other
default assets (jQuery, Bootstrap, icon fonts), which these layers do not use, are dropped,
so the page fetches nothing. An OpenStreetMap basemap is offered as an alternative base
layer and loads tiles only when picked. Every layer can be toggled; clicking a chosen site
shows its table row.
"""

from __future__ import annotations

import contextlib
import functools
import html
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.errors import SitingError
from siting.report import style
from siting.report._deps import require
from siting.report.assets import LEAFLET_NOTICE, external_references, leaflet
from siting.report.projection import longitude_span
from siting.report.run import RunData
from siting.report.tables import headline, site_places

if TYPE_CHECKING:
    import folium

SITE_CLASS = "siting-site"
#: above this many candidates their layer starts hidden (toggle it on in the layer control)
CROWDED_CANDIDATES = 300
CANDIDATE_CLASS = "siting-candidate"

#: (column, label, format) rows of a chosen site's popup
SITE_POPUP = (
    ("it_mw", "IT load", "{:,.0f} MW"),
    ("modules", "modules", "{:g}"),
    ("source", "power", "{}"),
    ("facility_mw", "facility load", "{:,.0f} MW"),
    ("gas_mw", "gas burnt", "{:,.0f} MW fuel"),
    ("gas_bcm_y", "gas burnt", "{:.3f} bcm/y"),
    ("gen_mw", "generation built (reserve included)", "{:,.0f} MW"),
    ("grid_mw", "grid import", "{:,.0f} MW"),
    ("pue", "PUE", "{:.3f}"),
    ("temp_mean_c", "mean temperature", "{:.1f} °C"),
    ("town", "nearest town", "{}"),
    ("town_km", "distance to town", "{:,.0f} km"),
    ("fiber_km", "distance to fibre", "{:,.0f} km"),
    ("grid_id", "grid node", "{}"),
    ("grid_km", "distance to grid node", "{:,.0f} km"),
    ("border_km", "distance to border", "{:,.0f} km"),
    ("capex_multiplier", "capex multiplier", "×{:.2f}"),
    *((term, f"cost: {label}", "{:,.2f} MUSD/y") for term, (label, _c) in style.COST_TERMS.items()),
    ("cost_total_musd_y", "cost: total", "{:,.2f} MUSD/y"),
    ("capex_musd", "capex", "{:,.0f} MUSD"),
    ("lat", "latitude", "{:.3f}"),
    ("lon", "longitude", "{:.3f}"),
)


def _fmt(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


#: popup rows that open a new group, and the group's heading
_POPUP_GROUPS = {"it_mw": "size and power", "pue": "site", "cost_open_musd_y": "annual cost"}


def site_popup_html(site_id: str, row: pd.Series, place: str | None = None) -> str:
    """The table row of one chosen site as an HTML table (every cost term included), under
    the site's place name and id."""
    cells = []
    for col, label, fmt in SITE_POPUP:
        if col not in row.index:
            continue
        if col in _POPUP_GROUPS:
            cells.append(f'<tr class="group"><td colspan="2">{_POPUP_GROUPS[col]}</td></tr>')
        cells.append(
            f"<tr><th>{html.escape(label)}</th><td>{html.escape(_fmt(row[col], fmt))}</td></tr>"
        )
    heading = f"<b>{html.escape(place or site_id)}</b>"
    if place and place != site_id:
        heading += f'<br><span class="siting-id">{html.escape(site_id)}</span>'
    return (
        f'<div class="siting-popup">{heading}'
        f'<table class="siting-row">{"".join(cells)}</table></div>'
    )


def _wrap_longitudes(gdf: gpd.GeoDataFrame, lon_0: float) -> gpd.GeoDataFrame:
    """Longitudes moved into [lon_0 − 180, lon_0 + 180) so data across the antimeridian stays
    in one piece on Leaflet's plane."""

    def wrap(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([np.mod(xy[:, 0] - lon_0 + 180.0, 360.0) + lon_0 - 180.0, xy[:, 1]])

    out = gdf.copy()
    out.geometry = shapely.transform(gdf.geometry.to_numpy(), wrap)
    return out


#: decimals of a degree kept in the page's GeoJSON: 1e-4° is about 11 m
COORD_DECIMALS = 4


def _geojson(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
    """A layer as a plain GeoJSON mapping: the given properties only, coordinates rounded to
    COORD_DECIMALS, no per-feature bounding boxes (a third of the page's size otherwise)."""
    out = _clean(gdf, columns)
    out.geometry = shapely.transform(
        out.geometry.to_numpy(), lambda xy: np.round(xy, COORD_DECIMALS)
    )
    return out.to_geo_dict(drop_id=True, na="null")


def _clean(gdf: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    keep = [c for c in columns if c in gdf.columns]
    out = gdf[[*keep, "geometry"]].copy()
    for c in keep:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].replace([np.inf, -np.inf], np.nan).round(4)
        elif pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].map({True: "yes", False: "no"})
    return out


def _legend_html(run: RunData) -> str:
    """The legend, collapsible (an HTML ``details`` element: no script)."""

    def swatch(colour: str, label: str, shape: str = "circle") -> str:
        if shape in ("glyph", "hollow"):
            glyph = "▲" if shape == "glyph" else "□"
            mark = f'<span style="color:{colour};display:inline-block;width:14px">{glyph}</span>'
        else:
            radius = "50%" if shape == "circle" else "0"
            height = "4px" if shape == "line" else "12px"
            mark = (
                f'<span style="display:inline-block;width:14px;height:{height};'
                f'background:{colour};border-radius:{radius};vertical-align:middle"></span>'
            )
        return f'<div>{mark}<span style="margin-left:6px">{html.escape(label)}</span></div>'

    parts = [
        '<details class="siting-legend" open><summary>Legend</summary><b>Chosen sites</b>',
        *(swatch(c, style.SOURCE_LABELS[s]) for s, c in style.SOURCE_COLOURS.items()),
    ]
    sites = run.layer("sites")
    if sites is not None:
        sizes = sites["it_mw"].to_numpy(float)
        max_it = float(sizes.max())
        for mw in style.size_steps(sizes):
            d = 2.0 * style.site_radius_px(mw, max_it, len(sites))
            parts.append(
                f'<div class="siting-size"><span style="width:{d:.0f}px;height:{d:.0f}px">'
                f"</span>{mw:,.0f} MW IT</div>"
            )
    parts.append("<b>Pipeline utilisation</b>")
    parts += [
        swatch(c, lab, "line")
        for c, lab in zip(style.UTILISATION_COLOURS, style.UTILISATION_LABELS, strict=True)
    ]
    parts += [
        "<b>Other</b>",
        swatch(style.FIELD, "gas field", "glyph"),
        swatch(style.GRID, "grid node supplying a site / connection", "square"),
        swatch(style.GRID, "other grid node", "hollow"),
        swatch(style.FIBER, "fibre backbone / connection", "line"),
        swatch(style.CANDIDATE, "candidate"),
        swatch(style.EXCLUDED, "excluded candidate"),
        "</details>",
    ]
    return "".join(parts)


_PAGE_CSS = """
.siting-legend, .siting-title { background: rgba(255,255,255,0.92); padding: 6px 10px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.4 sans-serif; }
.siting-legend { position: absolute; bottom: 28px; right: 10px; z-index: 1000; }
.siting-legend b { display: block; margin-top: 4px; }
.siting-legend summary { cursor: pointer; font-weight: bold; }
.siting-size { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.siting-size span { display: inline-block; border: 1px solid #222; border-radius: 50%;
  box-sizing: border-box; }
.siting-id { color: #777; font-size: 11px; }
.siting-row tr.group td { text-align: left; font-weight: bold; color: #333;
  padding-top: 6px; border-bottom: 1px solid #ddd; }
.siting-title { position: absolute; top: 10px; left: 54px; z-index: 1000; max-width: 60%; }
.siting-row th { text-align: left; font-weight: normal; color: #555; padding-right: 8px; }
.siting-row td { text-align: right; }
.siting-row { font: 12px sans-serif; border-collapse: collapse; }
"""


def interactive_map(run: RunData) -> folium.Map:
    """A folium map of the run with toggleable layers; ``offline_html`` renders it."""
    folium = require("folium", "The interactive map")
    layers = {name: frame for name, frame in run.layers.items() if frame is not None}
    extent_layers = [
        f for n in ("pipelines", "candidates", "sites", "fields") if (f := run.layer(n)) is not None
    ]
    if not extent_layers:
        raise SitingError(f"run {run.label}: no pipelines or sites to map")
    xy = np.concatenate([shapely.get_coordinates(f.geometry.to_numpy()) for f in extent_layers])
    lon_0, width = longitude_span(xy[:, 0])
    crosses = abs(lon_0) + width / 2.0 > 180.0
    if crosses:
        lon_0 = lon_0 % 360.0  # keep east longitudes positive: 179 °E, then 181 °E

        layers = {n: _wrap_longitudes(f, lon_0) for n, f in layers.items()}
        xy[:, 0] = np.mod(xy[:, 0] - lon_0 + 180.0, 360.0) + lon_0 - 180.0

    m = folium.Map(
        location=[round(float(xy[:, 1].mean()), 2), round(float(xy[:, 0].mean()), 2)],
        tiles=None,
        zoom_start=4,
        control_scale=True,
        prefer_canvas=False,
    )
    _inline_assets(m, folium)
    folium.FeatureGroup(name="no basemap (offline)", overlay=False, control=True).add_to(m)
    folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap (online)", overlay=False, show=False, control=True
    ).add_to(m)

    def group(name: str, show: bool = True) -> Any:
        return folium.FeatureGroup(name=name, show=show).add_to(m)

    if (country := layers.get("country")) is not None and len(country):
        folium.GeoJson(
            _geojson(country, ["name"]),
            name="country",
            style_function=lambda _f: {
                "color": style.COUNTRY_EDGE,
                "weight": 1,
                "fillColor": style.COUNTRY_FILL,
                "fillOpacity": 0.6,
            },
        ).add_to(group("country outline"))
    if (excl := layers.get("exclusions")) is not None and len(excl):
        folium.GeoJson(
            _geojson(excl, ["reason"]),
            style_function=lambda _f: {
                "color": style.EXCLUDED,
                "weight": 1,
                "fillColor": style.EXCLUSION_FILL,
                "fillOpacity": 0.5,
            },
            tooltip=folium.GeoJsonTooltip(["reason"], aliases=["excluded area"]),
        ).add_to(group("exclusions"))
    if (borders := layers.get("borders")) is not None and len(borders):
        folium.GeoJson(
            _geojson(borders, ["name"]),
            style_function=lambda _f: {"color": style.BORDER, "weight": 1.5, "dashArray": "6 4"},
        ).add_to(group("international borders"))
    if (fiber := layers.get("fiber")) is not None and len(fiber):
        folium.GeoJson(
            _geojson(fiber, ["name"]),
            style_function=lambda _f: {"color": style.FIBER, "weight": 1.5, "opacity": 0.8},
            tooltip=folium.GeoJsonTooltip(["name"], aliases=["fibre"]),
        ).add_to(group("fibre backbone"))
    if (pipes := layers.get("pipelines")) is not None and len(pipes):
        _pipelines(folium, pipes, group("pipelines: utilisation"), "utilisation")
        _pipelines(folium, pipes, group("pipelines: free capacity", show=False), "free")
    if (grid := layers.get("grid")) is not None and len(grid):
        g = group("grid nodes")
        for _, r in _clean(grid, ["grid_id", "name", "spare_mw", "used_mw"]).iterrows():
            used = r.get("used_mw", 0.0)
            used = 0.0 if pd.isna(used) else float(used)
            _glyph(
                folium,
                g,
                r.geometry,
                "■" if used > 0 else "□",
                style.GRID,
                14 if used > 0 else 12,
                f"{r['name']}: {used:,.0f} of {r['spare_mw']:,.0f} MW spare used",
            )
    for name, colour, dash, label in (
        ("grid_links", style.GRID, "8 4", "grid connections"),
        ("fiber_links", style.FIBER, "2 4", "fibre connections"),
    ):
        if (links := layers.get(name)) is not None and len(links):
            folium.GeoJson(
                _geojson(links, ["site_id", "length_km"]),
                style_function=lambda _f, c=colour, d=dash: {
                    "color": c,
                    "weight": 2,
                    "dashArray": d,
                },
                tooltip=folium.GeoJsonTooltip(
                    ["site_id", "length_km"], aliases=["site", "length km"]
                ),
            ).add_to(group(label))
    if (fields := layers.get("fields")) is not None and len(fields):
        g = group("gas fields")
        for _, r in fields.iterrows():
            _glyph(
                folium,
                g,
                r.geometry,
                "▲",
                style.FIELD,
                16,
                f"{r['name']}: {r.get('supply_bcm_y', 0):.2f} of "
                f"{r.get('supply_max_bcm_y', 0):.2f} bcm/y produced",
            )
    if (cand := layers.get("candidates")) is not None and len(cand):
        _candidates(folium, cand, group("candidates", show=len(cand) <= CROWDED_CANDIDATES))
    sites = layers.get("sites")
    g = group("chosen sites")
    if sites is not None and len(sites):
        max_it = float(sites["it_mw"].max())
        sites = sites.sort_values("it_mw", ascending=False, kind="stable")
        places = site_places(sites.set_index("site_id"))
        grid_names = _grid_names(layers.get("grid"))
        for (_, r), place in zip(sites.iterrows(), places, strict=True):
            if "grid_id" in r.index and r["grid_id"] in grid_names:
                r = r.copy()
                r["grid_id"] = grid_names[r["grid_id"]]
            folium.CircleMarker(
                [round(r.geometry.y, COORD_DECIMALS), round(r.geometry.x, COORD_DECIMALS)],
                radius=style.site_radius_px(float(r["it_mw"]), max_it, len(sites)),
                color="#222222",
                weight=1,
                fill=True,
                fill_color=style.SOURCE_COLOURS.get(r["source"], "#444444"),
                fill_opacity=0.85,
                class_name=SITE_CLASS,
                tooltip=html.escape(
                    f"{place}: {r['it_mw']:,.0f} MW, "
                    f"{style.SOURCE_LABELS.get(r['source'], r['source'])}"
                ),
            ).add_to(g).add_child(_html_popup()(site_popup_html(str(r["site_id"]), r, place)))
    folium.LayerControl(collapsed=False).add_to(m)
    lat_min, lat_max = float(xy[:, 1].min()), float(xy[:, 1].max())
    lon_min, lon_max = float(xy[:, 0].min()), float(xy[:, 0].max())
    m.fit_bounds([[lat_min, lon_min], [lat_max, lon_max]], padding=(20, 20))
    h = headline(run)
    status = "" if h["optimal"] else f" — <b>{html.escape(h['status_text'])}</b>"
    title = (
        f'<div class="siting-title"><b>{html.escape(run.label)}</b>: '
        f"{h['it_mw']:,.0f} MW IT at {h['sites_open']} sites · "
        f"{h['gas_bcm_y']:.2f} bcm/y gas · {h['cost_musd_y']:,.0f} MUSD/y{status}</div>"
    )
    root = m.get_root()
    root.html.add_child(folium.Element(title + _legend_html(run)))
    root.header.add_child(folium.Element(f"<style>{_PAGE_CSS}</style>"), name="siting_css")
    return m


def _grid_names(grid: gpd.GeoDataFrame | None) -> dict[str, str]:
    if grid is None or "name" not in grid.columns:
        return {}
    return {str(k): str(v) for k, v in zip(grid["grid_id"], grid["name"], strict=True) if v}


@functools.cache
def _html_popup() -> type:
    """A popup bound with Leaflet's own ``bindPopup`` (folium's Popup needs jQuery)."""
    from branca.element import MacroElement
    from folium.template import Template

    class HtmlPopup(MacroElement):
        _template = Template(
            "{% macro script(this, kwargs) %}"
            "{{ this._parent.get_name() }}.bindPopup({{ this.content|tojson }}, "
            "{maxWidth: 440, maxHeight: 600, autoPanPaddingTopLeft: [12, 64]});"
            "{% endmacro %}"
        )

        def __init__(self, content: str) -> None:
            super().__init__()
            self._name = "HtmlPopup"
            self.content = content

    return HtmlPopup


def _glyph(
    folium: Any, parent: Any, point: Any, glyph: str, colour: str, size_px: int, tip: str
) -> None:
    """A text glyph as a marker (Leaflet's own DivIcon: no icon images, no plug-ins)."""
    folium.Marker(
        [round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)],
        icon=folium.DivIcon(
            html=f'<div style="color:{colour};font-size:{size_px}px;line-height:1;'
            f'text-shadow:0 0 2px #fff">{glyph}</div>',
            icon_size=(size_px, size_px),
            icon_anchor=(size_px // 2, size_px // 2),
            class_name="siting-glyph",
        ),
        tooltip=html.escape(tip),
    ).add_to(parent)


def _inline_assets(m: folium.Map, folium: Any) -> None:
    lf = leaflet()
    m.default_js = []
    m.default_css = []
    root: Any = m.get_root()  # a branca Figure, which has a header
    root.header.add_child(
        folium.Element(
            f"<!-- {LEAFLET_NOTICE.format(version=lf.version)} -->\n<script>{lf.js}</script>"
        ),
        name="leaflet_js",
        index=0,
    )
    root.header.add_child(folium.Element(f"<style>{lf.css}</style>"), name="leaflet_css", index=1)


def _pipelines(folium: Any, pipes: gpd.GeoDataFrame, parent: Any, by: str) -> None:
    cap_max = float(pipes["capacity_mw"].max()) if "capacity_mw" in pipes.columns else 1.0
    cap_max = cap_max if cap_max > 0 else 1.0

    def style_fn(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        colour = (
            style.utilisation_colour((p.get("utilisation_pct") or 0.0) / 100.0)
            if by == "utilisation"
            else style.free_capacity_colour(p.get("free_capacity_bcm_y") or 0.0)
        )
        weight = 1.5 + 5.0 * math.sqrt(max(p.get("capacity_mw") or 0.0, 0.0) / cap_max)
        return {"color": colour, "weight": weight, "opacity": 0.9}

    shown = {
        "names": "pipeline",
        "net_flow_bcm_y": "net flow bcm/y",
        "free_capacity_bcm_y": "free bcm/y",
        "utilisation_pct": "utilisation %",
    }
    pipes = pipes.assign(utilisation_pct=(100.0 * pipes["utilisation"]).round(1))
    for column in ("net_flow_bcm_y", "free_capacity_bcm_y"):
        if column in pipes.columns:
            pipes[column] = pipes[column].round(2)
    present = [c for c in shown if c in pipes.columns]
    folium.GeoJson(
        _geojson(merge_lines(pipes, [*present, "capacity_mw"]), [*present, "capacity_mw"]),
        style_function=style_fn,
        tooltip=folium.GeoJsonTooltip(present, aliases=[shown[c] for c in present]),
    ).add_to(parent)


def merge_lines(lines: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    """Lines with equal values in ``columns`` joined end to end: a trunk line split at every
    candidate site becomes one feature per stretch of equal flow, which is what a reader
    hovers over anyway, and the page is several times smaller. Stretches come in the order
    of their first line, each stretch's lines in their own order."""
    keep = [c for c in columns if c in lines.columns]
    if not keep or lines.empty:
        return lines
    group = lines.groupby(keep, dropna=False, sort=False).ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    first = np.unique(group, return_index=True)[1]  # each stretch's first line, by stretch
    parts = shapely.multilinestrings(lines.geometry.to_numpy()[order], indices=group[order])
    merged = pd.DataFrame(lines[keep].to_numpy(dtype=object)[first], columns=keep)
    merged = merged.infer_objects()
    return gpd.GeoDataFrame(merged, geometry=shapely.line_merge(parts), crs=lines.crs)


#: decimals kept for candidate attributes in the page (km to the kilometre)
_CANDIDATE_DECIMALS = {
    "pue": 3,
    "town_km": 0,
    "fiber_km": 0,
    "grid_km": 0,
    "border_km": 0,
    "capex_multiplier": 3,
}


def _candidates(folium: Any, cand: gpd.GeoDataFrame, parent: Any) -> None:
    fields = [
        "site_id",
        "eligible",
        "exclusion_reason",
        "pue",
        "town_km",
        "fiber_km",
        "grid_km",
        "border_km",
        "capex_multiplier",
    ]
    present = [f for f in fields if f in cand.columns]
    cand = cand.copy()
    for column, decimals in _CANDIDATE_DECIMALS.items():
        if column in cand.columns:
            cand[column] = pd.to_numeric(cand[column], errors="coerce").round(decimals)
    data = _geojson(cand, present)

    def style_fn(feature: dict[str, Any]) -> dict[str, Any]:
        ok = feature["properties"].get("eligible") == "yes"
        colour = style.CANDIDATE if ok else style.EXCLUDED
        return {"color": colour, "fillColor": colour, "fillOpacity": 0.7, "weight": 1}

    folium.GeoJson(
        data,
        marker=folium.CircleMarker(radius=3, class_name=CANDIDATE_CLASS),
        style_function=style_fn,
        popup=folium.GeoJsonPopup(present),
    ).add_to(parent)


def offline_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page; raises if anything would be fetched."""
    with _rendered_pieces_as_text():
        page = m.get_root().render()
    urls = external_references(page)
    if urls:
        raise SitingError(
            f"the interactive map would fetch {len(urls)} resource(s) from the network "
            f"(first: {urls[0]}); every asset must be inlined"
        )
    return page


@contextlib.contextmanager
def _rendered_pieces_as_text() -> Iterator[None]:
    """While a map renders, keep each rendered piece as the text it is.

    branca's ``MacroElement.render`` wraps every piece it has just rendered (a marker's
    script, a layer's script with all its GeoJSON) in a new ``Element``, which compiles that
    text as a Jinja template, only for the page to render it back unchanged: most of the
    time of writing a page, and on a national network most of a second, spent tokenising
    data. Here those wrappers hold the text instead. The page is the same (Jinja drops one
    trailing newline of a template, so these do too), and a ``{{``, ``{%`` or ``{#`` in the
    data is no longer taken for template syntax.
    """
    import branca.element

    original = branca.element.Element

    class RenderedText(original):  # type: ignore[misc, valid-type]
        def __init__(self, template: str | None = None, template_name: str | None = None):
            super().__init__(template_name=template_name)
            text = template or ""
            self._text = text[:-1] if text.endswith("\n") else text

        def render(self, **kwargs: Any) -> str:
            return self._text

    branca.element.Element = RenderedText  # type: ignore[misc]
    try:
        yield
    finally:
        branca.element.Element = original  # type: ignore[misc]
