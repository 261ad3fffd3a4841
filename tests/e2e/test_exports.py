"""End-to-end tests: the organizer's exports page and the printable sheets, on a phone, a desktop and paper."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from forum.services.demo import DEMO_ORGANIZER
from tests.e2e.test_matches import log_in
from tests.e2e.test_meetings import _serious
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

PAGES = ["/organizer/exports", "/organizer/print/tables", "/organizer/print/companies",
         "/organizer/print/table-plan"]


@pytest.mark.parametrize("path", PAGES)
def test_export_pages_fit_phone_and_pass_axe(live_server, phone_page, path):
    log_in(phone_page, live_server, DEMO_ORGANIZER)
    phone_page.goto(live_server + path)
    phone_page.wait_for_load_state()
    assert _overflow(phone_page) == 0
    assert _small_targets(phone_page) == []
    assert _small_text(phone_page) == []
    assert _serious(phone_page) == []


def test_printed_sheet_leaves_out_the_site_and_says_draft(live_server, desktop_page, tmp_path):
    """Print media hides the header, navigation and footer; the demo agenda is unpublished, so "Draft"
    shows. FORUM_SCREENSHOT_DIR keeps the screen and print PNGs."""
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    page = desktop_page
    log_in(page, live_server, DEMO_ORGANIZER)
    page.goto(live_server + "/organizer/exports")
    assert page.get_by_role("link", name="Agenda (Excel, XLSX)").is_visible()
    page.screenshot(path=str(out / "organizer-exports-desktop.png"))
    page.get_by_role("link", name="Table plan for the entrance").click()
    page.wait_for_load_state()
    assert page.locator(".site-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert page.locator("[data-testid=draft]").is_visible()
    page.screenshot(path=str(out / "organizer-table-plan-print.png"))
    assert page.pdf(format="A4").startswith(b"%PDF")
