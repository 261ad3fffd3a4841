"""End-to-end: the meeting pass on phones, and the organizers' live attendance page refreshing by itself.

Runs on ``agenda_server`` (published demo agenda). The two demo logins share one meeting; whichever test
checks it in first, it stays held, so these tests accept a meeting that is already held (idempotent).
The server's clock is years after the forum, so check-in is open for every meeting.
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
PASS_TARGETS = "#pass .button, #pass input, #pass summary"


def _phone(browser, viewport: dict = PHONE):
    return browser.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True)


def _cards(page) -> dict[str, dict]:
    cards = page.eval_on_selector_all("[data-testid=agenda-meeting]", "cards => cards.map(c => ({...c.dataset}))")
    return {c["requestId"]: c for c in cards}


def _small_pass_targets(page) -> list[str]:
    small = []
    for element in page.locator(PASS_TARGETS).all():
        box = element.bounding_box()
        if box is not None and box["width"] > 0 and (box["height"] < 44 or box["width"] < 44):
            small.append(f"{element.inner_text()[:30]!r} {round(box['width'])}x{round(box['height'])}")
    return small


def _state(page) -> str:
    return " ".join(page.locator("[data-testid=attendance-state]").inner_text().split())


def test_partner_types_the_short_code_and_the_organizer_page_shows_it_held(agenda_server, browser):
    a_context, b_context, org_context = _phone(browser), _phone(browser), browser.new_context(viewport=DESKTOP)
    try:
        a, b, org = a_context.new_page(), b_context.new_page(), org_context.new_page()
        log_in(a, agenda_server, ALMATY)
        a.goto(agenda_server + "/my/agenda")
        log_in(b, agenda_server, KASHKADARYA)
        b.goto(agenda_server + "/my/agenda")
        a_cards, b_cards = _cards(a), _cards(b)
        shared = sorted(set(a_cards) & set(b_cards))
        assert len(shared) == 1
        rid = shared[0]
        day = a_cards[rid]["day"]

        # The organizer watches the live page, its timers under the test's control.
        org.clock.install()
        log_in(org, agenda_server, DEMO_ORGANIZER)
        org.goto(f"{agenda_server}/organizer/attendance?day={day}")
        row = org.locator(f"[data-testid=attendance-row][data-request-id='{rid}']")
        expect(row).to_have_count(1)
        held_before = int(org.locator("[data-testid=count-held]").inner_text())
        was_held = row.get_attribute("data-state") == "held"

        # Delegate A opens the meeting and reads the short code off the pass.
        a.click(f"[data-testid=agenda-meeting][data-request-id='{rid}'] a.agenda-card-link")
        a.wait_for_url(re.compile(rf"/companies/\d+/agenda/{rid}$"))
        if not was_held:
            code = a.locator("[data-testid=pass-code]").inner_text()
            assert re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}", code)
            assert a.locator("#pass svg.pass-qr-code").is_visible()
            assert _overflow(a) == 0
            assert _small_pass_targets(a) == []

        # Delegate B opens the same meeting on another phone and types A's code.
        b.click(f"[data-testid=agenda-meeting][data-request-id='{rid}'] a.agenda-card-link")
        b.wait_for_url(re.compile(rf"/companies/\d+/agenda/{rid}$"))
        if not was_held:
            assert _state(b) == "Attendance: Not recorded yet"
            b.fill("#pass-partner-code", code.lower().replace("-", ""))
            b.click("#pass form.pass-enter button[type=submit]")
            b.wait_for_url(re.compile(rf"/companies/\d+/agenda/{rid}(#pass)?$"))
            expect(b.locator(".flashes")).to_contain_text("Checked in: the meeting is recorded as held.")
        assert _state(b) == "Attendance: Held"
        assert _overflow(b) == 0
        assert _small_text(b) == []

        # The organizer's page refreshes by itself (20 s on its clock) and shows the meeting held.
        org.clock.run_for(21_000)
        expect(row).to_have_attribute("data-state", "held")
        expect(org.locator("[data-testid=count-held]")).to_have_text(str(held_before + (0 if was_held else 1)))
        # A sees it held too.
        a.reload()
        assert _state(a) == "Attendance: Held"
    finally:
        for context in (a_context, b_context, org_context):
            context.close()


def test_meeting_pass_on_a_phone_fits_and_has_no_serious_accessibility_problems(agenda_server, phone_page):
    page = phone_page
    log_in(page, agenda_server, ALMATY)
    page.goto(agenda_server + "/my/agenda")
    page.click("[data-testid=agenda-meeting] a.agenda-card-link >> nth=-1")
    page.wait_for_url(re.compile(r"/companies/\d+/agenda/\d+$"))
    expect(page.locator("#pass")).to_be_visible()
    assert _overflow(page) == 0
    assert _small_pass_targets(page) == []
    assert _small_text(page) == []
    assert _serious(page) == []


def test_live_attendance_page_fits_phone_and_desktop(agenda_server, browser):
    for context in (_phone(browser), _phone(browser, SMALL_PHONE), browser.new_context(viewport=DESKTOP)):
        try:
            page = context.new_page()
            log_in(page, agenda_server, DEMO_ORGANIZER)
            page.goto(agenda_server + "/organizer/attendance?day=2024-10-17")
            expect(page.locator("h1")).to_have_text("Live attendance")
            assert page.locator("[data-testid=attendance-row]").count() > 0
            assert _overflow(page) == 0
            assert _small_targets(page) == []
            assert _small_text(page) == []
            assert _serious(page) == []
        finally:
            context.close()
