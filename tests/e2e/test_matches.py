"""End-to-end tests: "My matches" on a phone, dismissing and restoring, and the organizer's matching settings."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from forum.services.demo import DEMO_ORGANIZER, DEMO_PARTICIPANTS, DEMO_PASSWORD
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

PARTICIPANT = next(iter(DEMO_PARTICIPANTS))


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(re.compile(r"/(companies/\d+)?$"))


def open_my_matches(page, base: str) -> None:
    log_in(page, base, PARTICIPANT)
    page.click(".site-nav >> text=My matches")
    page.wait_for_url(re.compile(r"/companies/\d+/matches$"))


def test_my_matches_on_phone_lists_partners_with_reasons(live_server, phone_page):
    page = phone_page
    open_my_matches(page, live_server)
    cards = page.locator(".match-card")
    assert cards.count() >= 10
    first = cards.first
    assert first.locator(".reasons li").count() >= 1
    assert re.fullmatch(r"\d{1,3}%", first.locator(".score-number").inner_text())
    assert first.get_by_role("link", name="Request a meeting").is_visible()
    assert first.get_by_role("button", name="Not interested").is_visible()
    # Every partner shown belongs to the other delegation's region or is a cross-border match.
    assert _overflow(page) == 0
    assert _small_targets(page) == []
    assert _small_text(page) == []


def test_dismiss_and_restore_on_phone(live_server, phone_page):
    page = phone_page
    open_my_matches(page, live_server)
    first = page.locator(".match-card").first
    name = first.locator(".card-title").inner_text()
    first.get_by_role("button", name="Not interested").click()
    page.wait_for_load_state()
    assert f"{name} is hidden from your matches" in page.locator(".flashes").inner_text()
    assert name not in page.locator(".match-card .card-title").all_inner_texts()
    hidden = page.locator(".dismissed-list li", has_text=name)
    hidden.get_by_role("button", name="Show again").click()
    page.wait_for_load_state()
    assert page.locator(".match-card .card-title").first.inner_text() == name
    assert page.locator(".dismissed-list").count() == 0


def test_matches_filter_works_without_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    open_my_matches(page, live_server)
    # A sector of the last partner listed, so that the filter keeps at least that one.
    sector = page.locator(".match-card").last.locator(".chips li").first.inner_text()
    page.select_option("#sector", label=sector)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"sector=\d+"))
    cards = page.locator(".match-card")
    assert cards.count() >= 1
    assert all(sector in chips for chips in cards.locator(".chips").all_inner_texts())
    context.close()


def test_request_meeting_from_match_card(live_server, desktop_page):
    page = desktop_page
    open_my_matches(page, live_server)
    first = page.locator(".match-card").first
    name = first.locator(".card-title").inner_text()
    first.get_by_role("link", name="Request a meeting").click()
    page.wait_for_url(re.compile(r"/companies/\d+/request-meeting$"))
    assert name in page.locator("h1").inner_text()
    page.fill("#message", "Let us talk about supply for next season.")
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(re.compile(r"/companies/\d+/meetings$"))
    assert f"Your request was sent to {name}." in page.locator(".flashes").inner_text()
    # the open one: earlier tests on this server may have left cancelled requests to the same partner
    sent = page.locator("section[aria-labelledby=outgoing-title] .request-card.status-requested", has_text=name)
    assert "waiting for an answer" in sent.inner_text()
    # Withdraw it again, for the other tests on this server.
    sent.get_by_role("button", name="Withdraw the request").click()
    page.wait_for_load_state()
    assert "is now cancelled" in page.locator(".flashes").inner_text()


def test_organizer_changes_cross_delegation_rule(live_server, phone_page):
    page = phone_page
    log_in(page, live_server, DEMO_ORGANIZER)
    page.click(".site-nav >> text=Organizer")
    page.wait_for_url(live_server + "/organizer/")  # the dashboard
    page.click(".org-nav >> text=Settings")
    page.wait_for_url(live_server + "/organizer/forum")
    page.click("text=Partner matching settings")
    page.wait_for_url(live_server + "/organizer/matching")
    assert _overflow(page) == 0
    assert _small_targets(page) == []
    page.check("input[name=cross_delegation][value=only]")
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(live_server + "/organizer/matching")
    assert "The matching settings are saved." in page.locator(".flashes").inner_text()
    assert page.is_checked("input[name=cross_delegation][value=only]")
    # Back to the demo's setting, for the other tests on this server.
    page.check("input[name=cross_delegation][value=prefer]")
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(live_server + "/organizer/matching")
    assert page.is_checked("input[name=cross_delegation][value=prefer]")


def test_organizer_bad_weight_shows_error_next_to_field(live_server, desktop_page):
    page = desktop_page
    log_in(page, live_server, DEMO_ORGANIZER)
    page.goto(live_server + "/organizer/matching")
    page.fill("#weight_sector", "-2")
    page.click("form.form-card button[type=submit]")
    page.locator("#form-problems").wait_for()
    assert "Enter a number from 0 to 10." in page.locator("#weight_sector-errors").inner_text()


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("email", "path"), [(PARTICIPANT, None), (DEMO_ORGANIZER, "/organizer/matching")])
def test_accessibility_matching_pages(live_server, desktop_page, email, path):
    page = desktop_page
    if path is None:
        open_my_matches(page, live_server)
    else:
        log_in(page, live_server, email)
        page.goto(live_server + path)
    assert _serious(page) == []


def test_matching_pages_render_for_screenshots(live_server, browser, tmp_path):
    """FORUM_SCREENSHOT_DIR keeps the PNGs for the README."""
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        open_my_matches(page, live_server)
        page.screenshot(path=str(out / f"matches-{label}.png"))
        assert (out / f"matches-{label}.png").stat().st_size > 10_000
        context.close()
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        log_in(page, live_server, DEMO_ORGANIZER)
        page.goto(live_server + "/organizer/matching")
        page.screenshot(path=str(out / f"organizer-matching-{label}.png"))
        context.close()
