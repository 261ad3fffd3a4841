"""End-to-end tests: a meeting request from one demo delegate to the other, answered on a phone."""

from __future__ import annotations

import re

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
