""" "How sure is this plan?": the report section, and the candidates' classes on the maps.

Everything here reads the plain tables of :class:`siting.alternatives.AlternativesResult`
(or the same tables read back from its folder): the plans, the candidates' classes (in
every / some / none of the plans), the site regrets, the spread and the ties.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from siting.report.document import Cell, Section, Subheading, Table
from siting.report.run import RunData

#: the three classes, their colours and legend labels (the same on both maps)
CLASS_COLOURS = {"every": "#1b7837", "some": "#e08214", "none": "#bababa"}
CLASS_LABELS = {
    "every": "in every near-optimal plan",
    "some": "in some near-optimal plans",
    "none": "in no near-optimal plan",
}
#: rows of the regret tables in the report
REGRET_ROWS = 25


def _pct(share: float) -> str:
    return f"{share * 100:.4g} %"


def _num(value: Any, fmt: str = ",.1f") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return format(float(value), fmt)


def _table(columns: list[str], rows: list[list[Any]], numeric: set[int]) -> Table:
    cells = [[c if isinstance(c, Cell) else Cell(str(c)) for c in row] for row in rows]
    return Table(columns, cells, numeric)


def howsure_section(
    alternatives: pd.DataFrame,
    candidates: pd.DataFrame,
    regrets: pd.DataFrame,
    spread: pd.DataFrame,
    summary: Mapping[str, Any],
    places: Mapping[Any, str] | None = None,
) -> Section:
    """The report section: what was searched, the ties in a plain sentence, the classes,
    the spread of the metrics, the plans in order of cost and the price of each site."""
    places = places or {}
    s = summary
    f_star, limit = float(s["objective"]), float(s["objective_limit"])
    kinds = alternatives["kind"].value_counts()
    ok = alternatives["status"].isin(("optimal", "limit"))
    blocks: list[str | Table | Subheading] = [
        f"Every plan below keeps the objective within {_pct(float(s['slack']))} of the "
        f"optimum ({_num(f_star)} → at most {_num(limit)} MUSD/y"
        + (", at least" if s.get("objective_sense") == "max" else "")
        + f"). {int(ok.sum())} plans were found: the optimum, "
        f"{int(kinds.get('ranked', 0))} next-best plans in order of cost (each a different "
        f"set of open sites) and {int(kinds.get('metric', 0))} plans that push a metric to "
        f"either end ({', '.join(map(str, s.get('metrics', [])))}). Each plan passed the "
        "independent checker.",
        f"**{s['ties_sentence']}**",
    ]
    counts = candidates["class"].astype(str).value_counts()
    blocks.append(
        f"Of {len(candidates)} candidates, {int(counts.get('every', 0))} are open in every "
        f"plan, {int(counts.get('some', 0))} in some and {int(counts.get('none', 0))} in none "
        "(the maps show the three classes)."
    )
    if s.get("ranked_plans", 0) < s.get("plans_asked", 0):
        blocks.append(
            f"Only {s['ranked_plans']} of the {s['plans_asked']} plans asked for exist "
            "within the slack: no other set of open sites costs less than the limit."
        )
    gap = max(float(s.get("mip_gap") or 0.0), float(s.get("worst_gap") or 0.0))
    if gap > 0:
        limited = (
            f" (the gap setting is {_pct(float(s['mip_gap']))}; some solves stopped at their "
            "time limit)"
            if gap > float(s.get("mip_gap") or 0.0)
            else ""
        )
        blocks.append(
            f"Cost solves are proven within a {_pct(gap)} gap{limited}, about "
            f"{_num(gap * abs(f_star), ',.2f')} MUSD/y: differences smaller than that, "
            "regrets included, cannot be told from ties. Metric solves stop at a "
            f"{_pct(float(s.get('metric_gap') or 0.0))} gap on their metric."
        )

    if len(spread):
        blocks.append(Subheading("Spread of the alternatives"))
        rows = [
            [
                r.label + (f" ({r.unit})" if r.unit else ""),
                _num(r.optimum),
                _num(r.min),
                _num(r.max),
            ]
            for r in _rows(spread)
        ]
        blocks.append(_table(["measure", "optimum", "lowest", "highest"], rows, {1, 2, 3}))

    ranked = alternatives[alternatives["kind"].isin(("optimum", "ranked")) & ok]
    if len(ranked):
        blocks.append(Subheading("Plans in order of cost"))
        blocks.append(
            "Each plan is the cheapest set of open sites that differs from all before it; "
            "plans closer to each other than the gap may come out of order."
        )
        base = set(str(alternatives.iloc[0]["sites"]).split(";"))
        rows = []
        for r in _rows(ranked):
            opened = set(str(r.sites).split(";")) - {""}
            change = (
                "the optimum"
                if r.kind == "optimum"
                else _swap_text(opened - base, base - opened, places)
            )
            rows.append(
                [
                    int(r.rank) if pd.notna(r.rank) else "",
                    _num(r.objective, ",.2f"),
                    f"{r.objective_vs_optimum_pct:+.4f} %",
                    int(r.sites_open),
                    change,
                ]
            )
        blocks.append(
            _table(
                ["rank", "objective (MUSD/y)", "vs optimum", "sites", "sites swapped"],
                rows,
                {0, 1, 2, 3},
            )
        )

    if len(regrets):
        for change, title, what in (
            ("close", "Price of each chosen site", "best plan without it"),
            ("open", "Price of the best unchosen sites", "best plan with it forced open"),
        ):
            part = regrets[regrets["change"] == change]
            if not len(part):
                continue
            part = part.sort_values("regret_musd_y", ascending=False, na_position="first")
            blocks.append(Subheading(title))
            blocks.append(f"The regret is what the {what} costs more than the optimum, per year.")
            rows = []
            for r in _rows(part.head(REGRET_ROWS)):
                swapped = (
                    _swap_text(_ids(r.sites_added), _ids(r.sites_dropped), places)
                    if r.status in ("optimal", "limit")
                    else str(r.status)
                )
                rows.append(
                    [
                        _label(r.site_id, places),
                        _num(r.regret_musd_y, ",.2f"),
                        "–"
                        if r.regret_pct is None or pd.isna(r.regret_pct)
                        else f"{r.regret_pct:.4f} %",
                        _num(r.regret_low_musd_y, ",.2f"),
                        swapped,
                    ]
                )
            blocks.append(
                _table(
                    ["site", "regret (MUSD/y)", "regret", "at least (MUSD/y)", "the plan instead"],
                    rows,
                    {1, 2, 3},
                )
            )
    return Section("How sure is this plan?", blocks)  # type: ignore[arg-type]


def _ids(text: Any) -> set[str]:
    return set(str(text or "").split(";")) - {"", "nan", "None"}


def _label(site: Any, places: Mapping[Any, str]) -> str:
    place = places.get(site) or places.get(str(site))
    return f"{site} ({place})" if place and place != str(site) else str(site)


def _swap_text(added: set[str], dropped: set[str], places: Mapping[Any, str]) -> str:
    if not added and not dropped:
        return "same sites, other sizes"
    parts = []
    if dropped:
        parts.append("without " + ", ".join(_label(s, places) for s in sorted(dropped)))
    if added:
        parts.append("with " + ", ".join(_label(s, places) for s in sorted(added)))
    return "; ".join(parts)


def certainty_overlay(fig: Any, run: RunData, candidates: pd.DataFrame) -> None:
    """Ring the candidates in every and in some plans on the run's static map (a chosen
    site's ring around its marker) and add their legend where it covers least."""
    import geopandas as gpd
    from matplotlib.lines import Line2D

    from siting.report.static import map_crs, site_area_pt2

    ax = fig.axes[0]
    points = gpd.GeoDataFrame(
        candidates,
        geometry=gpd.points_from_xy(candidates["lon"], candidates["lat"]),
        crs="EPSG:4326",
    ).to_crs(map_crs(run))
    size = np.full(len(points), 36.0)
    sites = run.layer("sites")
    if sites is not None:
        it = sites.set_index("site_id")["it_mw"].astype(float)
        area = pd.Series(site_area_pt2(it.to_numpy(), float(it.max()), len(it)), index=it.index)
        chosen = area.reindex(points.index.astype(str)).to_numpy()
        size = np.where(np.isfinite(chosen), np.maximum(1.9 * chosen, 36.0), size)
    limits = ax.get_xlim(), ax.get_ylim()
    klass = points["class"].astype(str).to_numpy()
    for name in ("some", "every"):
        mask = klass == name
        if mask.any():
            ax.scatter(
                points.geometry.x[mask],
                points.geometry.y[mask],
                s=size[mask],
                facecolor="none",
                edgecolor=CLASS_COLOURS[name],
                linewidth=1.4,
                zorder=8,
                gid=f"siting-class-{name}",
            )
    ax.set_xlim(*limits[0])
    ax.set_ylim(*limits[1])
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=7,
            markerfacecolor="none",
            markeredgecolor=CLASS_COLOURS[name],
            markeredgewidth=1.4,
            label=f"candidate {CLASS_LABELS[name]} ({int((klass == name).sum())})",
        )
        for name in ("every", "some")
    ]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="",
            label=f"no ring: {CLASS_LABELS['none']} ({int((klass == 'none').sum())})",
        )
    )
    ax.legend(handles=handles, loc="best", fontsize=7, frameon=True, framealpha=0.85)


def certainty_layer(m: Any, candidates: pd.DataFrame, regrets: pd.DataFrame | None = None) -> None:
    """Add the candidates' classes to a folium map as one toggleable layer (longitudes
    wrapped as the map wraps them when the candidates straddle the antimeridian)."""
    import folium

    from siting.report.projection import longitude_span

    lon = candidates["lon"].to_numpy(float)
    lon_0, width = longitude_span(lon)
    if abs(lon_0) + width / 2.0 > 180.0:
        lon_0 %= 360.0
        lon = np.mod(lon - lon_0 + 180.0, 360.0) + lon_0 - 180.0
    price: dict[str, str] = {}
    if regrets is not None and len(regrets):
        for r in _rows(regrets):
            if r.regret_musd_y is not None and pd.notna(r.regret_musd_y):
                verb = "closing" if r.change == "close" else "opening"
                price[str(r.site_id)] = f"{verb} it costs {r.regret_musd_y:,.2f} MUSD/y"
    group = folium.FeatureGroup(name="how sure: candidates in every / some / no plan")
    order = {"none": 0, "some": 1, "every": 2}
    table = candidates.assign(_lon=lon).sort_values(
        "class", key=lambda c: c.astype(str).map(order), kind="stable"
    )
    for site, row in table.iterrows():
        name = str(row["class"])
        text = f"{site}: {CLASS_LABELS[name]} ({int(row['plans_open'])} plans)"
        if str(site) in price:
            text += f"; {price[str(site)]}"
        folium.CircleMarker(
            location=[float(row["lat"]), float(row["_lon"])],
            radius=3 if name == "none" else 6,
            color=CLASS_COLOURS[name],
            weight=2,
            fill=name == "none",
            fill_opacity=0.6,
            opacity=0.9 if name != "none" else 0.5,
            tooltip=text,
        ).add_to(group)
    group.add_to(m)
    # the layer control lists the layers present when it renders: move it after ours
    controls = [c for c in m._children.values() if type(c).__name__ == "LayerControl"]
    for control in controls:
        del m._children[control.get_name()]
        m.add_child(control)
    if not controls:
        folium.LayerControl(collapsed=False).add_to(m)


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """A table's rows as named tuples, their fields read by column name."""
    return frame.itertuples()
