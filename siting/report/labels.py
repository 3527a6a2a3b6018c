"""Map labels that never overlap: each label, in priority order, takes the first of eight
positions around its point where it stays inside the map and clear of every label already
placed and of the map's furniture (legend, scale bar, north arrow, other markers); a label
with no free position is left out. Labels are laid out in points, so the result holds at any dpi.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

#: gid of every label drawn by :func:`place_labels`
LABEL_GID = "siting-label"

#: (dx, dy, ha, va): right, upper right, lower right, left, upper left, lower left, above, below
_POSITIONS = (
    (1.0, 0.0, "left", "center"),
    (0.75, 0.75, "left", "bottom"),
    (0.75, -0.75, "left", "top"),
    (-1.0, 0.0, "right", "center"),
    (-0.75, 0.75, "right", "bottom"),
    (-0.75, -0.75, "right", "top"),
    (0.0, 1.0, "center", "bottom"),
    (0.0, -1.0, "center", "top"),
)

_QUALIFIER = re.compile(r"\s*(?:\(|/|,|\bfields?\b|\band\b).*$", re.IGNORECASE)


@dataclass(frozen=True)
class Label:
    """A label for the point (x, y) in data coordinates, ``gap_pt`` points from it (the
    marker's radius plus a little)."""

    x: float
    y: float
    text: str
    gap_pt: float = 5.0
    fontsize: float = 7.5
    color: str = "#111111"
    weight: str = "normal"
    style: str = "normal"
    box: bool = True


def short_name(name: str) -> str:
    """A field's name without its qualifiers: "Medvezhye field group (Pangody)" → "Medvezhye",
    "Urengoy field / Novy Urengoy" → "Urengoy"; the full name when nothing would be left."""
    short = _QUALIFIER.sub("", name).strip()
    return short or name.strip()


def place_labels(
    ax: Axes,
    labels: Sequence[Label],
    obstacles: Iterable[Bbox] = (),
    limit: int | None = None,
    pad_pt: float = 1.5,
) -> list[Annotation]:
    """Draw as many ``labels`` as fit (at most ``limit``), in the given order (most important
    first), none overlapping another or an obstacle (display-coordinate boxes). Call it after
    the figure's layout is final. Returns the labels drawn; each has gid :data:`LABEL_GID`."""
    fig = ax.get_figure()
    assert fig is not None
    renderer = cast(Any, fig.canvas).get_renderer()  # Agg and the other raster canvases
    pad = 0.5 * pad_pt * fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    taken = [b.expanded(1.0, 1.0) for b in obstacles]
    drawn: list[Annotation] = []
    for label in labels:
        if limit is not None and len(drawn) >= limit:
            break
        text = _place_one(ax, label, renderer, frame, taken, pad)
        if text is not None:
            drawn.append(text)
            taken.append(_margin(text.get_window_extent(renderer), pad))
    return drawn


def _place_one(
    ax: Axes, label: Label, renderer: RendererBase, frame: Bbox, taken: list[Bbox], pad: float
) -> Annotation | None:
    # the label's own marker (any box under its point) is no obstacle to it
    px, py = ax.transData.transform((label.x, label.y))
    taken = [t for t in taken if not t.contains(px, py)]
    bbox = (
        {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}
        if label.box
        else None
    )
    for dx, dy, ha, va in _POSITIONS:
        text = ax.annotate(
            label.text,
            (label.x, label.y),
            xytext=(dx * label.gap_pt, dy * label.gap_pt),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=label.fontsize,
            color=label.color,
            fontweight=label.weight,
            fontstyle=label.style,
            zorder=10,
            bbox=bbox,
            annotation_clip=False,
            gid=LABEL_GID,
        )
        box = _margin(text.get_window_extent(renderer), pad)
        if (
            frame.x0 <= box.x0
            and box.x1 <= frame.x1
            and frame.y0 <= box.y0
            and box.y1 <= frame.y1
            and not any(box.overlaps(t) for t in taken)
        ):
            return text
        text.remove()
    return None


def _margin(box: Bbox, pad: float) -> Bbox:
    """A label's box with room around it. Hinted glyphs are up to ~8 % wider or narrower at
    other resolutions than the one measured, so the width gets a relative margin too."""
    from matplotlib.transforms import Bbox

    dx = pad + 0.05 * box.width
    return Bbox.from_extents(box.x0 - dx, box.y0 - pad, box.x1 + dx, box.y1 + pad)


def marker_boxes(ax: Axes, xy: Iterable[tuple[float, float]], radius_pt: Iterable[float]) -> list:
    """Display-coordinate boxes of round markers at data points ``xy`` with the given radii."""
    from matplotlib.transforms import Bbox

    fig = ax.get_figure()
    assert fig is not None
    scale = fig.dpi / 72.0
    boxes = []
    for (x, y), r in zip(xy, radius_pt, strict=True):
        px, py = ax.transData.transform((x, y))
        rr = r * scale
        boxes.append(Bbox.from_extents(px - rr, py - rr, px + rr, py + rr))
    return boxes
