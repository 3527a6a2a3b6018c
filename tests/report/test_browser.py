"""The interactive map in a real headless browser with the network cut off.

Chromium comes from the system package manager (``.ci/run`` installs it when absent) and is
driven by playwright. Every request that is not for the local file is aborted and recorded:
the page must make none, log no console error, draw one marker per chosen site, and open a
site's table row on click. Screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from siting.report.web import CANDIDATE_CLASS, SITE_CLASS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: apt-get install chromium"
        if os.environ.get("CI") or os.environ.get("SITING_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_map_works_offline_in_a_browser(browser, example_folder, example_result):
    page, blocked, errors = _offline_page(browser, viewport=(1280, 860))
    page.goto((example_folder / "map.html").as_uri())
    page.wait_for_selector(f"path.{SITE_CLASS}")
    page.wait_for_timeout(300)

    assert blocked == []
    assert errors == []
    chosen = example_result.solution.chosen
    assert page.locator(f"path.{SITE_CLASS}").count() == len(chosen) == 2
    assert page.locator(f"path.{CANDIDATE_CLASS}").count() == 5
    assert page.locator(".leaflet-control-layers-overlays label").count() >= 8
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "map_example.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    page.locator(f"path.{SITE_CLASS}").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    biggest = chosen.sort_values("it_mw", ascending=False).iloc[0]
    assert chosen.index[chosen["it_mw"] == biggest["it_mw"]][0] in text
    assert f"{biggest['it_mw']:,.0f} MW" in text
    for label in ("PUE", "distance to fibre", "cost: IT facility", "cost: gas", "cost: total"):
        assert label in text

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map_example_popup.png"))
    assert blocked == [] and errors == []
    page.close()


def _offline_page(browser, viewport=(1400, 900)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, blocked, errors


def test_russia_map_is_usable_offline(browser, russia_rundata, tmp_path):
    """The national map: one marker per chosen site, the 600+ candidates hidden until their
    layer is ticked (then all drawn), and a click on a site (a real click: overlapping
    markers decide which) opens a popup that names the place, keeps the site id, names the
    grid node and opens fully below the title box."""
    from siting.report.tables import site_places
    from siting.report.web import interactive_map, offline_html

    html_path = tmp_path / "map.html"
    html_path.write_text(offline_html(interactive_map(russia_rundata)), encoding="utf-8")
    page, blocked, errors = _offline_page(browser)
    page.goto(html_path.as_uri())
    page.wait_for_selector(f"path.{SITE_CLASS}")
    page.wait_for_timeout(300)

    sites = russia_rundata.layers["sites"]
    candidates = russia_rundata.layers["candidates"]
    assert len(candidates) > 300  # crowded: the layer starts hidden
    assert page.locator(f"path.{SITE_CLASS}").count() == len(sites) >= 8  # the default plan's sites
    assert page.locator(f"path.{CANDIDATE_CLASS}").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map_russia.png"))

    page.locator(".leaflet-control-layers-overlays label", has_text="candidates").click()
    page.wait_for_timeout(300)
    assert page.locator(f"path.{CANDIDATE_CLASS}").count() == len(candidates)
    page.locator(".leaflet-control-layers-overlays label", has_text="candidates").click()
    page.wait_for_timeout(200)
    assert page.locator(f"path.{CANDIDATE_CLASS}").count() == 0

    popup = page.locator(".leaflet-popup-content-wrapper")
    page.locator(f"path.{SITE_CLASS}").first.click(force=True)
    page.wait_for_timeout(300)
    if not popup.count():
        # a layer drawn above the marker took the click: the site's own click handler
        page.locator(f"path.{SITE_CLASS}").first.dispatch_event("click")
    popup.wait_for()
    page.wait_for_timeout(400)  # the map pans the popup into view
    text = popup.inner_text()
    places = site_places(sites.set_index("site_id"))
    shown = [sid for sid in places.index if f"{places[sid]}\n{sid}\n" in text]
    assert len(shown) == 1  # place name, then the site id, on top of the popup
    site = sites.set_index("site_id").loc[shown[0]]
    assert f"{site['it_mw']:,.0f} MW" in text and "cost: total" in text
    grid = russia_rundata.layers["grid"].set_index("grid_id")
    assert grid.loc[site["grid_id"], "name"] in text  # the grid node by name
    box = popup.bounding_box()
    title = page.locator(".siting-title").bounding_box()
    assert box is not None and title is not None
    assert box["y"] >= title["y"] + title["height"]  # not hidden under the title
    assert box["y"] + box["height"] <= 900
    page.screenshot(path=str(ARTIFACTS / "map_russia_popup.png"))
    assert blocked == [] and errors == []
    page.close()
