"""QGIS layer styles (QML) for the layers of ``sites.gpkg``.

QGIS reads styles stored in a GeoPackage's ``layer_styles`` table and applies the default one
when a layer is opened, so the file opens readably with no set-up: sites coloured by power
source and sized by MW IT, pipelines coloured by utilisation and widened by capacity,
candidates grey or crossed out when excluded. The QML is built with ElementTree from the
same colours as the other maps (:mod:`siting.report.style`).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from siting.report import style

QGIS_VERSION = "3.22.0"


@dataclass(frozen=True)
class LayerStyle:
    layer: str
    name: str
    qml: str
    default: bool = True
    description: str = ""


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _props(layer: ET.Element, props: dict[str, str]) -> None:
    for k, v in props.items():
        ET.SubElement(layer, "prop", k=k, v=v)


def _data_defined(layer: ET.Element, prop: str, expression: str) -> None:
    ddp = ET.SubElement(layer, "data_defined_properties")
    root = ET.SubElement(ddp, "Option", type="Map")
    ET.SubElement(root, "Option", name="name", value="", type="QString")
    props = ET.SubElement(root, "Option", name="properties", type="Map")
    entry = ET.SubElement(props, "Option", name=prop, type="Map")
    ET.SubElement(entry, "Option", name="active", value="true", type="bool")
    ET.SubElement(entry, "Option", name="expression", value=expression, type="QString")
    ET.SubElement(entry, "Option", name="type", value="3", type="int")
    ET.SubElement(root, "Option", name="type", value="collection", type="QString")


def _symbol(parent: ET.Element, name: str, kind: str) -> ET.Element:
    return ET.SubElement(
        parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0"
    )


def marker(
    parent: ET.Element,
    name: str,
    colour: str,
    size_mm: float,
    shape: str = "circle",
    size_expression: str | None = None,
    outline: str = "#ffffff",
) -> ET.Element:
    sym = _symbol(parent, name, "marker")
    layer = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "pass": "0", "enabled": "1"})
    _props(
        layer,
        {
            "name": shape,
            "color": _rgba(colour),
            "outline_color": _rgba(outline),
            "outline_width": "0.3",
            "outline_width_unit": "MM",
            "size": f"{size_mm:g}",
            "size_unit": "MM",
            "scale_method": "diameter",
        },
    )
    if size_expression:
        _data_defined(layer, "size", size_expression)
    return sym


def line(
    parent: ET.Element,
    name: str,
    colour: str,
    width_mm: float,
    dash: str = "solid",
    width_expression: str | None = None,
) -> ET.Element:
    sym = _symbol(parent, name, "line")
    layer = ET.SubElement(sym, "layer", {"class": "SimpleLine", "pass": "0", "enabled": "1"})
    _props(
        layer,
        {
            "line_color": _rgba(colour),
            "line_width": f"{width_mm:g}",
            "line_width_unit": "MM",
            "line_style": dash,
            "capstyle": "round",
            "joinstyle": "round",
        },
    )
    if width_expression:
        _data_defined(layer, "strokeWidth", width_expression)
    return sym


def fill(
    parent: ET.Element, name: str, colour: str, outline: str, alpha: int = 255, brush: str = "solid"
) -> ET.Element:
    sym = _symbol(parent, name, "fill")
    layer = ET.SubElement(sym, "layer", {"class": "SimpleFill", "pass": "0", "enabled": "1"})
    _props(
        layer,
        {
            "color": _rgba(colour, alpha),
            "style": brush,
            "outline_color": _rgba(outline),
            "outline_style": "solid",
            "outline_width": "0.3",
            "outline_width_unit": "MM",
        },
    )
    return sym


def _qml(renderer: ET.Element, label: str | None = None) -> str:
    root = ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="Symbology|Labeling",
        labelsEnabled="1" if label else "0",
    )
    root.append(renderer)
    if label:
        root.append(_labeling(label))
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"


def _labeling(expression: str) -> ET.Element:
    lab = ET.Element("labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    text = ET.SubElement(
        settings,
        "text-style",
        fieldName=expression,
        isExpression="1",
        fontSize="8",
        fontSizeUnit="Point",
        textColor="20,20,20,255",
        fontWeight="50",
        namedStyle="Regular",
    )
    ET.SubElement(
        text,
        "text-buffer",
        bufferDraw="1",
        bufferSize="0.8",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="0.8",
    )
    ET.SubElement(settings, "placement", placement="6", dist="1.5", distUnits="MM")
    ET.SubElement(settings, "rendering", obstacle="1", scaleVisibility="0", drawLabels="1")
    return lab


def single(symbol: tuple) -> ET.Element:
    renderer = ET.Element(
        "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0", enableorderby="0"
    )
    symbols = ET.SubElement(renderer, "symbols")
    kind, args = symbol[0], symbol[1:]
    kind(symbols, "0", *args)
    return renderer


def categorized(
    attribute: str, categories: Sequence[tuple[str, str, tuple]], default: tuple | None = None
) -> ET.Element:
    """``categories``: (value, label, (symbol function, *arguments))."""
    renderer = ET.Element(
        "renderer-v2",
        type="categorizedSymbol",
        attr=attribute,
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
    )
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (value, label, (kind, *args)) in enumerate(categories):
        ET.SubElement(cats, "category", value=value, label=label, symbol=str(i), render="true")
        kind(symbols, str(i), *args)
    if default is not None:
        source = ET.SubElement(renderer, "source-symbol")
        default[0](source, "0", *default[1:])
    return renderer


def graduated(
    attribute: str,
    bounds: Sequence[float],
    labels: Sequence[str],
    symbols_args: Sequence[tuple],
) -> ET.Element:
    renderer = ET.Element(
        "renderer-v2",
        type="graduatedSymbol",
        attr=attribute,
        graduatedMethod="GraduatedColor",
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
    )
    ranges = ET.SubElement(renderer, "ranges")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (lo, hi, label, (kind, *args)) in enumerate(
        zip(bounds[:-1], bounds[1:], labels, symbols_args, strict=True)
    ):
        ET.SubElement(
            ranges,
            "range",
            lower=f"{lo:.6g}",
            upper=f"{hi:.6g}",
            label=label,
            symbol=str(i),
            render="true",
        )
        kind(symbols, str(i), *args)
    ET.SubElement(renderer, "mode", name="manual")
    return renderer


def _max(frame: pd.DataFrame | None, column: str) -> float:
    if frame is None or column not in frame.columns or not len(frame):
        return 1.0
    value = float(pd.to_numeric(frame[column], errors="coerce").max())
    return value if math.isfinite(value) and value > 0 else 1.0


def layer_styles(layers: Mapping[str, pd.DataFrame]) -> list[LayerStyle]:
    """Default QML styles for each layer present (and a second pipeline style by free
    capacity); sizes are scaled to this run's largest site and pipeline."""
    out: list[LayerStyle] = []
    max_it = _max(layers.get("sites"), "it_mw")
    max_cap = _max(layers.get("pipelines"), "capacity_mw")
    max_supply = _max(layers.get("fields"), "supply_max_mw")
    site_size = f'2.5 + 7 * sqrt(coalesce("it_mw", 0) / {max_it:.6g})'
    pipe_width = f'0.3 + 2.2 * sqrt(coalesce("capacity_mw", 0) / {max_cap:.6g})'

    def add(layer: str, renderer: ET.Element, label: str | None = None, **kw: object) -> None:
        if layer in layers:
            out.append(LayerStyle(layer, kw.pop("name", "siting"), _qml(renderer, label), **kw))  # type: ignore[arg-type]

    add(
        "sites",
        categorized(
            "source",
            [
                (src, style.SOURCE_LABELS[src], (marker, colour, 4.0, "circle", site_size))
                for src, colour in style.SOURCE_COLOURS.items()
            ],
        ),
        label="\"site_id\" || ' · ' || format_number(\"it_mw\", 0) || ' MW'",
    )
    add(
        "candidates",
        categorized(
            "CASE WHEN \"eligible\" THEN 'eligible' ELSE 'excluded' END",
            [
                ("eligible", "eligible", (marker, style.CANDIDATE, 1.6)),
                (
                    "excluded",
                    "excluded (see exclusion_reason)",
                    (marker, style.EXCLUDED, 1.8, "cross2", None, style.EXCLUDED),
                ),
            ],
        ),
    )
    add(
        "pipelines",
        graduated(
            "utilisation",
            style.UTILISATION_BOUNDS,
            style.UTILISATION_LABELS,
            [(line, c, 0.8, "solid", pipe_width) for c in style.UTILISATION_COLOURS],
        ),
        description="utilisation after siting; width by capacity",
    )
    add(
        "pipelines",
        graduated(
            "free_capacity_bcm_y",
            style.FREE_BOUNDS_BCM_Y,
            style.FREE_LABELS,
            [(line, c, 0.8, "solid", pipe_width) for c in style.FREE_COLOURS],
        ),
        name="free capacity",
        default=False,
        description="free capacity after siting; width by capacity",
    )
    add("grid_links", single((line, style.GRID, 0.6, "dash")))
    add("fiber_links", single((line, style.FIBER, 0.6, "dot")))
    add("fiber", single((line, style.FIBER, 0.5)))
    add("borders", single((line, style.BORDER, 0.5, "dash")))
    add("grid", single((marker, style.GRID, 2.4, "square")))
    add(
        "fields",
        single(
            (
                marker,
                style.FIELD,
                3.0,
                "triangle",
                f'2 + 4 * sqrt(coalesce("supply_max_mw", 0) / {max_supply:.6g})',
            )
        ),
        label='"name"',
    )
    add("nodes", single((marker, "#505050", 1.2)))
    add("hubs", single((marker, "#000000", 3.0, "star")), label='"name"')
    add("country", single((fill, style.COUNTRY_FILL, style.COUNTRY_EDGE)))
    add("exclusions", single((fill, style.EXCLUSION_FILL, style.EXCLUDED, 140, "b_diagonal")))
    return out
