"""End-to-end tests: the API reference (/api/v1/docs) reads on a phone, without sideways scrolling, and
has no serious accessibility violations. FORUM_SCREENSHOT_DIR keeps phone and desktop screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.test_accessibility import _serious
from tests.e2e.test_pages import _overflow, _small_targets

DOCS = "/api/v1/docs"


def test_api_reference_fits_phone_without_sideways_scroll(live_server, phone_page):
    page = phone_page
    assert page.goto(live_server + DOCS).status == 200
    assert _overflow(page) == 0
    # The wide field tables scroll inside their own box instead of the page.
    boxes = page.evaluate("""() => [...document.querySelectorAll('.api-table-scroll')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1).length""")
    assert boxes == 0
    assert _small_targets(page, ".api-toc a, .api-ref .button") == []


def test_api_reference_problem_anchor_scrolls_into_view(live_server, phone_page):
    page = phone_page
    page.goto(live_server + DOCS + "#problem-validation")
    visible = page.evaluate("""() => { const r = document.getElementById('problem-validation').getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight; }""")
    assert visible is True


def test_api_reference_has_no_serious_accessibility_violations(live_server, phone_page):
    phone_page.goto(live_server + DOCS)
    assert _serious(phone_page) == []


def test_api_reference_renders_for_screenshots(live_server, browser, tmp_path):
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        assert page.goto(live_server + DOCS).status == 200
        page.screenshot(path=str(out / f"api-docs-{label}.png"))
        # An operation further down, where the field tables are.
        page.locator(".api-op").nth(3).scroll_into_view_if_needed()
        page.screenshot(path=str(out / f"api-docs-{label}-operation.png"))
        assert (out / f"api-docs-{label}.png").stat().st_size > 10_000
        context.close()
