"""The static map's layout, checked on the artists rather than the pixels: the map uses the
page, the north arrow is vertical on the central meridian, labels never overlap each other
or the map's furniture, and the label and legend texts are readable."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pyproj import Transformer

from siting.report import static_map
from siting.report.labels import LABEL_GID, short_name
from siting.report.static import (
    A4_LANDSCAPE_IN,
    NORTH_ARROW_GID,
    SIZE_LEGEND_GID,
    central_longitude,
    map_crs,
    share_text,
)
from siting.report.style import nice_number, size_steps
from siting.report.tables import site_places

SAVE_DPI = 200


def _axes_share(fig) -> float:
    box = fig.axes[0].get_position()
    return box.width * box.height


def _label_boxes(fig):
    fig.set_dpi(SAVE_DPI)  # measured where the PNG is drawn
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    return [
        (t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_gid() == LABEL_GID
    ]


def _furniture_boxes(fig):
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [a.get_window_extent(renderer) for a in ax.artists if a.get_gid() == SIZE_LEGEND_GID]
    boxes += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == NORTH_ARROW_GID]
    return boxes


def _north_arrow(fig):
    (arrow,) = [t for t in fig.axes[0].texts if t.get_gid() == NORTH_ARROW_GID]
    return arrow


def test_north_arrow_is_vertical_on_the_central_meridian(example_rundata):
    """The arrow's tail is straight below its tip (offset dx = 0), and the tip lies on the
    projection's central meridian, where north is straight up on a conic map."""
    fig = static_map(example_rundata)
    arrow = _north_arrow(fig)
    dx, dy = arrow.xyann
    assert dx == pytest.approx(0.0, abs=1e-9) and dy < 0
    ax = fig.axes[0]
    x, y = ax.transData.inverted().transform(ax.transAxes.transform(arrow.xy))
    crs = map_crs(example_rundata)
    lon, _lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    assert lon == pytest.approx(central_longitude(crs), abs=1e-6)


def test_example_labels_name_towns_and_do_not_overlap(example_rundata):
    fig = static_map(example_rundata)
    labels = _label_boxes(fig)
    texts = [t for t, _b in labels]
    assert "Hubtown\n300 MW" in texts and "Junction City\n200 MW" in texts
    for (_a, box_a), (_b, box_b) in itertools.combinations(labels, 2):
        assert not box_a.overlaps(box_b)


@pytest.mark.slow
def test_russia_map_uses_the_page(russia_rundata):
    """Russia is about 2.5 times as wide as tall: the default page is A4 wide and only as tall
    as the map needs, and the map fills at least 70 % of it (it filled 40 % of a full A4
    page before). On a fixed A4 page the map still fills its axes (the extent widens)."""
    fig = static_map(russia_rundata)
    width_in, height_in = fig.get_size_inches()
    assert width_in == pytest.approx(A4_LANDSCAPE_IN[0])
    assert height_in < 0.75 * A4_LANDSCAPE_IN[1]
    assert _axes_share(fig) >= 0.70
    ax = fig.axes[0]
    assert ax.get_position(original=False).bounds == pytest.approx(
        ax.get_position(original=True).bounds, abs=1e-6
    )

    a4 = static_map(russia_rundata, figsize=A4_LANDSCAPE_IN)
    assert tuple(a4.get_size_inches()) == pytest.approx(A4_LANDSCAPE_IN)
    assert _axes_share(a4) >= 0.75
    ax = a4.axes[0]
    assert ax.get_position(original=False).bounds == pytest.approx(
        ax.get_position(original=True).bounds, abs=1e-6
    )


@pytest.mark.slow
def test_russia_north_arrow_is_vertical(russia_rundata):
    dx, dy = _north_arrow(static_map(russia_rundata)).xyann
    assert dx == pytest.approx(0.0, abs=1e-9) and dy < 0


@pytest.mark.slow
def test_russia_labels_are_readable_and_never_overlap(russia_rundata):
    """Every drawn label is clear of every other label and of the size key and north arrow
    at the resolution the PNG is written; the largest site and the largest field are named,
    sites by their nearest town (no site ids such as ``a~b@138km``)."""
    fig = static_map(russia_rundata)
    labels = _label_boxes(fig)
    furniture = _furniture_boxes(fig)
    assert len(furniture) == 2
    for (a, box_a), (b, box_b) in itertools.combinations(labels, 2):
        assert not box_a.overlaps(box_b), (a, b)
    for text, box in labels:
        assert not any(box.overlaps(f) for f in furniture), text
    texts = [t for t, _b in labels]
    assert not any("~" in t or "@" in t for t in texts)
    sites = russia_rundata.layers["sites"].sort_values("it_mw", ascending=False)
    biggest = sites.iloc[0]
    assert f"{biggest['town']}\n{biggest['it_mw']:,.0f} MW" in texts
    fields = russia_rundata.layers["fields"]
    largest_field = fields.loc[fields["supply_max_bcm_y"].idxmax(), "name"]
    assert short_name(largest_field) in texts
    site_labels = [t for t in texts if t.endswith(" MW")]
    assert len(site_labels) >= 8  # every site of the default plan


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Medvezhye field group (Pangody)", "Medvezhye"),
        ("Urengoy field / Novy Urengoy", "Urengoy"),
        ("Orenburg field and gas processing plant", "Orenburg"),
        ("Nadym-Pur-Taz independents (aggregated, Tarko-Sale)", "Nadym-Pur-Taz independents"),
        ("field_north", "field_north"),
        ("(unnamed)", "(unnamed)"),
    ],
)
def test_short_field_names(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize(
    ("sizes", "steps"),
    [
        # 750 and 100: √(750·100) = 274 → nearest of 1, 2, 2.5, 5 × 10ⁿ is 250
        ([750, 450, 100], [750, 250, 100]),
        # all equal: the largest and a quarter of it, rounded (250)
        ([1000, 1000], [1000, 250]),
        # 250 and 100: √25000 = 158 → 200, not below 0.8 · 250, so only largest and smallest
        ([250, 200, 100], [250, 100]),
        ([], []),
    ],
)
def test_size_key_steps(sizes, steps):
    assert size_steps(np.array(sizes, float)) == pytest.approx(steps)


def test_nice_numbers_and_shares():
    assert [nice_number(v) for v in (1050.0, 170.0, 3.3, 0.07)] == pytest.approx(
        [1000.0, 200.0, 2.5, 0.05]
    )
    assert [share_text(s) for s in (0.14, 0.025, 0.0009, 0.0, 1e-6)] == [
        "14 %",
        "2.5 %",
        "0.09 %",
        "0 %",
        "< 0.01 %",
    ]


def test_site_places_in_words():
    import pandas as pd

    sites = pd.DataFrame(
        {"town": ["Ukhta", "Surgut", None], "town_km": [0.1, 34.6, np.nan]},
        index=["ukhta", "nizhnevartovsk~surgut@138km", "far~away@5km"],
    )
    assert site_places(sites).tolist() == ["Ukhta", "35 km from Surgut", "far~away@5km"]
