"""End-to-end tests: the organizer dashboard, forum details and report on the demo forum, phone and desktop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from forum.services.demo import DEMO_ORGANIZER
from tests.e2e.test_matches import log_in
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

PAGES = ["/organizer/", "/organizer/forum", "/organizer/report"]


@pytest.mark.parametrize("path", PAGES)
def test_organizer_pages_fit_phone_and_pass_axe(live_server, phone_page, path):
    log_in(phone_page, live_server, DEMO_ORGANIZER)
    phone_page.goto(live_server + path)
    phone_page.wait_for_load_state()
    assert _overflow(phone_page) == 0
    assert _small_targets(phone_page) == []
    assert _small_text(phone_page) == []
    violations = Axe().run(phone_page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []


def test_dashboard_charts_draw_bars(live_server, desktop_page):
    log_in(desktop_page, live_server, DEMO_ORGANIZER)
    desktop_page.goto(live_server + "/organizer/")
    bars = desktop_page.locator("[data-testid=chart-delegations] svg rect")
    assert bars.count() >= 2
    # percentage widths resolve to real pixels in a browser
    assert all(box["width"] > 5 for box in (bars.nth(i).bounding_box() for i in range(bars.count())))


def test_dashboard_renders_for_screenshots(live_server, browser, tmp_path):
    """FORUM_SCREENSHOT_DIR keeps the PNGs for the README."""
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        log_in(page, live_server, DEMO_ORGANIZER)
        page.goto(live_server + "/organizer/")
        # delegations, sectors, requests, meetings, and the agreements by type of the Outcomes card
        assert page.locator("svg.chart-svg").count() == 5
        page.screenshot(path=str(out / f"organizer-dashboard-{label}.png"))
        page.goto(live_server + "/organizer/report")
        page.screenshot(path=str(out / f"organizer-report-{label}.png"))
        page.goto(live_server + "/organizer/forum")
        page.screenshot(path=str(out / f"organizer-forum-{label}.png"))
        context.close()


def test_report_prints_without_the_site_chrome(live_server, desktop_page):
    log_in(desktop_page, live_server, DEMO_ORGANIZER)
    desktop_page.goto(live_server + "/organizer/report")
    desktop_page.emulate_media(media="print")
    assert not desktop_page.locator(".site-header").is_visible()
    assert not desktop_page.locator(".site-footer").is_visible()
    assert not desktop_page.locator(".report-actions").is_visible()
    assert desktop_page.locator("[data-testid=report-outcomes]").is_visible()
    assert desktop_page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
