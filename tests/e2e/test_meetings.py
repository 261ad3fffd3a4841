"""End-to-end tests: a meeting request from one demo delegate to the other, answered on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from forum.services.demo import DEMO_ORGANIZER, DEMO_PARTICIPANTS
from tests.e2e.test_matches import log_in
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

ALMATY, KASHKADARYA = list(DEMO_PARTICIPANTS)


def _company_of(page, base: str, email: str) -> str:
    """Log in and return the path of the delegate's company page."""
    log_in(page, base, email)
    page.goto(base + "/my/company")
    page.wait_for_load_state()
    return re.search(r"/companies/\d+", page.url).group(0)


def test_request_answered_by_the_other_delegation(live_server, browser):
    asking = browser.new_context(viewport={"width": 390, "height": 844})
    page = asking.new_page()
    log_in(page, live_server, ALMATY)
    answering = browser.new_context(viewport={"width": 390, "height": 844})
    other = answering.new_page()
    target = _company_of(other, live_server, KASHKADARYA)

    page.goto(live_server + target)
    page.get_by_role("link", name="Request a meeting").click()
    page.fill("#message", "Joint dairy plant: can we meet on day one?")
    page.check("input[name=session][value=morning]")
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(re.compile(r"/meetings$"))

    other.goto(live_server + "/")
    # the header tells the other side on any page that something changed
    assert int(other.locator("[data-testid=unread-count]").inner_text().split()[0]) >= 1
    other.goto(live_server + "/my/meetings")
    other.wait_for_url(re.compile(r"/meetings$"))
    card = other.locator("section[aria-labelledby=incoming-title] .request-card").first
    assert "Joint dairy plant" in card.inner_text()
    assert _overflow(other) == 0 and _small_targets(other) == [] and _small_text(other) == []
    card.get_by_role("button", name="Accept").click()
    other.wait_for_load_state()
    assert "is now accepted" in other.locator(".flashes").inner_text()

    page.reload()
    sent = page.locator("section[aria-labelledby=outgoing-title] .request-card").first
    assert "accepted" in sent.inner_text()
    assert "accepted your meeting request" in page.locator(".notice-list").inner_text()
    # Cancel again, for the other tests on this server.
    sent.get_by_role("button", name="Cancel the meeting").click()
    page.wait_for_load_state()
    assert "is now cancelled" in page.locator(".flashes").inner_text()
    asking.close()
    answering.close()


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("email", "path"), [(ALMATY, "/my/meetings"), (DEMO_ORGANIZER, "/organizer/agenda")])
def test_meeting_pages_fit_phone_and_pass_axe(live_server, phone_page, email, path):
    log_in(phone_page, live_server, email)
    phone_page.goto(live_server + path)
    phone_page.wait_for_load_state()
    assert _overflow(phone_page) == 0
    assert _small_targets(phone_page) == []
    assert _small_text(phone_page) == []
    assert _serious(phone_page) == []


def test_meeting_pages_render_for_screenshots(live_server, browser, tmp_path):
    """A delegate's Meetings page with a request waiting, and the organizer's agenda and a dry run of the
    scheduler on the demo forum; FORUM_SCREENSHOT_DIR keeps the PNGs for the README."""
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    asking = browser.new_context(viewport={"width": 390, "height": 844})
    sender = asking.new_page()
    log_in(sender, live_server, KASHKADARYA)
    answering = browser.new_context()
    target = _company_of(answering.new_page(), live_server, ALMATY)
    answering.close()
    sender.goto(live_server + target)
    sender.get_by_role("link", name="Request a meeting").click()
    sender.fill("#message", "Barrier film for your UHT line: 40 t/month from March. Day one, morning?")
    sender.click("form.form-card button[type=submit]")
    sender.wait_for_url(re.compile(r"/meetings$"))
    for label, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        log_in(page, live_server, ALMATY)
        page.goto(live_server + "/my/meetings")
        assert page.locator("section[aria-labelledby=incoming-title] .request-card").count() >= 1
        page.screenshot(path=str(out / f"meetings-{label}.png"))
        context.close()
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        log_in(page, live_server, DEMO_ORGANIZER)
        page.goto(live_server + "/organizer/agenda")
        page.screenshot(path=str(out / f"organizer-agenda-{label}.png"))
        page.check("input[name=dry_run]")
        page.get_by_role("button", name="Schedule accepted meetings").click()
        page.wait_for_load_state()
        assert "placed" in page.locator("main").inner_text()
        page.screenshot(path=str(out / f"organizer-schedule-{label}.png"))
        context.close()
    # withdraw again, for the other tests on this server
    sender.reload()
    sender.locator("section[aria-labelledby=outgoing-title] .request-card").first.get_by_role(
        "button", name="Withdraw the request").click()
    sender.wait_for_load_state()
    asking.close()
