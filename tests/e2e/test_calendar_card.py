"""End-to-end tests: "Add to your calendar" on My agenda, on phones (published demo agenda).

A delegate makes a calendar link, copies it, the link serves the agenda to a client without the login
cookie, and turning it off makes it answer 410. The test turns its link off again at the end, so the
shared demo server is left as it found it (no active link).
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_accessibility import _serious
from tests.e2e.test_matches import log_in
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

# The other demo login than the agenda pages' tests use: this test changes what its card shows.
KASHKADARYA = "kashkadarya@demo.example"
CARD_TARGETS = "#calendar a, #calendar button, #calendar input, #calendar summary"


def _small_card_targets(page) -> list[str]:
    return _small_targets(page, CARD_TARGETS)


def test_calendar_card_makes_copies_and_turns_off_a_link_on_a_phone(agenda_server, phone_page, browser):
    page = phone_page
    log_in(page, agenda_server, KASHKADARYA)
    page.goto(agenda_server + "/my/agenda")
    card = page.locator("[data-testid=calendar-card]")
    assert card.locator("h2").inner_text() == "Add to your calendar"
    assert page.locator("[data-testid=calendar-download]").get_attribute("href").endswith("/agenda.ics")

    page.click("[data-testid=calendar-create]")
    page.wait_for_url("**/my/agenda#calendar")
    url = page.input_value("[data-testid=calendar-url]")
    try:
        assert url.startswith(agenda_server + "/calendar/") and url.endswith(".ics")
        assert page.get_attribute("[data-testid=calendar-subscribe]", "href") == "webcal://" + url.split("://")[1]
        page.locator("#calendar summary").click()  # the how-to, open: everything measured below is visible
        assert _overflow(page) == 0
        assert _small_card_targets(page) == []
        assert _small_text(page) == []
        assert _serious(page) == []

        copy = page.locator("[data-copy-target=calendar-url]")
        assert copy.is_visible()  # copy.js shows the button; without JavaScript it stays hidden
        copy.click()
        expect(copy).to_have_text("Copied")  # the clipboard write is asynchronous

        # What a phone's calendar does: fetch the link with no login cookie.
        outsider = browser.new_context()
        try:
            fetched = outsider.request.get(url)
            assert fetched.status == 200
            assert fetched.headers["content-type"] == "text/calendar; charset=utf-8"
            assert fetched.text().count("BEGIN:VEVENT") == 3
        finally:
            outsider.close()
    finally:
        page.goto(agenda_server + "/my/agenda")
        page.click("[data-testid=calendar-revoke]")
        page.wait_for_url("**/my/agenda#calendar")

    assert page.locator("[data-testid=calendar-url]").count() == 0
    assert page.locator("[data-testid=calendar-create]").is_visible()
    gone = page.request.get(url)
    assert gone.status == 410
    assert gone.text() == "This calendar link was turned off. Open My agenda to get a new one.\n"
