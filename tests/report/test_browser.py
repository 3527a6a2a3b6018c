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
    page = browser.new_page(viewport={"width": 1280, "height": 860})
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
