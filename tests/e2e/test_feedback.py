"""End-to-end: a delegate gives feedback on a held meeting from a phone, with taps only.

Runs on ``agenda_server`` (published demo agenda). It uses one of the Almaty demo login's meetings that
is NOT shared with the Kashkadarya login (the pass tests check that one in), has the organizer record it
as held, then answers. Feedback is given once per company, so the layout checks at 360 px run before
the answer is sent at 390 px, in one test.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from forum.services.demo import DEMO_ORGANIZER, DEMO_PARTICIPANTS
from tests.e2e.conftest import DESKTOP, PHONE, SMALL_PHONE
from tests.e2e.test_accessibility import _serious
from tests.e2e.test_matches import log_in
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

ALMATY, KASHKADARYA = list(DEMO_PARTICIPANTS)
CHIPS = "#feedback label.chip, #feedback button, #feedback input[type=text]"


def _small_chips(page) -> list[str]:
    return _small_targets(page, CHIPS)


def _meeting_ids(page) -> list[str]:
    return page.eval_on_selector_all("[data-testid=agenda-meeting]", "cards => cards.map(c => c.dataset.requestId)")


def _kashkadarya_meetings(browser, base: str) -> set[str]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        log_in(page, base, KASHKADARYA)
        page.goto(base + "/my/agenda")
        return set(_meeting_ids(page))
    finally:
        context.close()


def test_delegate_answers_a_held_meeting_with_taps_on_a_phone(agenda_server, browser):
    shared = _kashkadarya_meetings(browser, agenda_server)
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    small = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    organizer = browser.new_context(viewport=DESKTOP)
    try:
        page = phone.new_page()
        log_in(page, agenda_server, ALMATY)
        page.goto(agenda_server + "/my/agenda")
        # the last of Almaty's meetings that the Kashkadarya login does not share
        request_id = [rid for rid in _meeting_ids(page) if rid not in shared][-1]
        link = page.locator(f"[data-request-id='{request_id}'] a").first.get_attribute("href")
        detail = agenda_server + re.search(r"/companies/\d+/agenda/\d+", link).group(0)

        # not held yet: the card says when feedback opens
        page.goto(detail)
        expect(page.locator("[data-testid=feedback-closed]")).to_have_text(
            "Feedback opens once the meeting is checked in as held.")

        # the organizer records it as held on the live attendance page
        desk = organizer.new_page()
        log_in(desk, agenda_server, DEMO_ORGANIZER)
        held = desk.locator(f"form[action$='/attendance/{request_id}/held'] button")
        for day in ("2024-10-17", "2024-10-18"):  # the page lists one day at a time
            desk.goto(f"{agenda_server}/organizer/attendance?day={day}")
            if held.count():
                break
        held.first.click()
        desk.wait_for_load_state()

        # on a 360 px phone: the form fits, every chip is a thumb-sized target, text is readable
        narrow = small.new_page()
        log_in(narrow, agenda_server, ALMATY)
        narrow.goto(detail)
        expect(narrow.locator("#feedback form")).to_be_visible()
        assert _overflow(narrow) == 0
        assert _small_chips(narrow) == []
        assert _small_text(narrow) == []
        assert _serious(narrow) == []

        # on a 390 px phone: three taps, a value with spaces, Send
        page.goto(detail)
        assert _overflow(page) == 0
        assert _small_chips(page) == []
        page.locator("label[for=useful-0]").tap()
        page.locator("label[for=follow_up-0]").tap()
        page.locator("label[for=outcome-0]").tap()
        expect(page.locator("#outcome-0")).to_be_checked()
        page.fill("#value_usd", "letters")
        page.locator("#feedback button[type=submit]").tap()
        # refused with the reason; the taps are kept
        expect(page.locator("#value_usd-errors")).to_have_text(
            "Enter the value in US dollars using digits only: for example 250 000.")
        expect(page.locator("#outcome-0")).to_be_checked()
        page.fill("#value_usd", "250 000")
        page.locator("#feedback button[type=submit]").tap()
        page.wait_for_url(re.compile(rf"/agenda/{request_id}(#feedback)?$"))
        expect(page.locator("[data-testid=feedback-said]")).to_have_text(
            "You said: useful, follow-up planned, supply contract, ~$250,000.")
        assert _overflow(page) == 0
    finally:
        phone.close()
        small.close()
        organizer.close()
