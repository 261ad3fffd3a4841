"""End-to-end tests: "My agenda" and the meeting detail on phones (published demo agenda), the Now/Next
bar following the device clock, and the phone checks for the matches page that were still missing.

The demo logins have 3 meetings each on 17-18 Oct 2024; the server's own clock is years later, so the
server renders "All your meetings are over" and everything else seen here comes from
static/js/agenda-now.js reading the (fixed) browser clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from forum.services.demo import DEMO_PARTICIPANTS
from tests.e2e.test_accessibility import _serious
from tests.e2e.test_matches import log_in, open_my_matches
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

ALMATY = next(iter(DEMO_PARTICIPANTS))
# The agenda's own tap targets, beyond the site-wide ones _small_targets measures.
AGENDA_TARGETS = ".agenda-card-link, .agenda-now-item a, .agenda-back a, .agenda-contact"


def _cards(page) -> list[dict]:
    return page.eval_on_selector_all(
        "[data-testid=agenda-meeting]", "cards => cards.map(c => ({...c.dataset}))")


def _small_agenda_targets(page) -> list[str]:
    return _small_targets(page, AGENDA_TARGETS)


def _bar(page) -> str:
    return " ".join(page.locator("[data-testid=now-next] [data-role=now-list]").inner_text().split())


def _open_agenda(page, base: str, at: datetime | None = None) -> None:
    if at is not None:
        page.clock.set_fixed_time(at)
    log_in(page, base, ALMATY)
    page.goto(base + "/my/agenda")


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_my_agenda_fits_phone_and_lists_meetings_by_day(agenda_server, phone_page):
    page = phone_page
    _open_agenda(page, agenda_server)
    assert page.locator("h1").inner_text() == "My agenda"
    cards = _cards(page)
    assert len(cards) == 3
    assert [c["startsAt"] for c in cards] == sorted(c["startsAt"] for c in cards)
    days = page.locator(".agenda-day-title").all_inner_texts()
    assert days == ["Thursday, October 17, 2024", "Friday, October 18, 2024"]
    first = page.locator("[data-testid=agenda-meeting]").first
    assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", first.locator(".agenda-time").inner_text())
    assert first.locator(".agenda-zone").inner_text() == "Asia/Tashkent (UTC+5)"
    assert first.locator(".agenda-table").inner_text() == f"Table {cards[0]['table']}"
    assert first.locator(".agenda-partner").inner_text() == cards[0]["partner"]
    assert re.fullmatch(r"Last updated \d\d:\d\d", page.get_by_test_id("last-updated").inner_text())
    assert _overflow(page) == 0
    assert _small_targets(page) == []
    assert _small_agenda_targets(page) == []
    assert _small_text(page) == []


def test_my_agenda_has_no_serious_accessibility_violations(agenda_server, phone_page):
    _open_agenda(phone_page, agenda_server)
    assert _serious(phone_page) == []


def test_tapping_a_meeting_opens_its_detail(agenda_server, phone_page):
    page = phone_page
    _open_agenda(page, agenda_server)
    second = _cards(page)[1]
    page.locator("[data-testid=agenda-meeting]").nth(1).tap()
    page.wait_for_url(re.compile(rf"/companies/\d+/agenda/{second['requestId']}$"))
    assert page.locator("h1").inner_text() == f"Meeting with {second['partner']}"
    assert page.locator(".agenda-meeting-table").inner_text() == f"Table {second['table']}"
    assert page.locator(".agenda-meeting-time .agenda-time").inner_text() == f"{second['start']}–{second['end']}"
    assert page.locator("#partner-title").inner_text() == second["partner"]
    page.get_by_role("link", name="← My agenda").tap()
    page.wait_for_url(re.compile(r"/my/agenda$"))


def test_meeting_detail_fits_phone(agenda_server, phone_page):
    page = phone_page
    _open_agenda(page, agenda_server)
    page.locator("[data-testid=agenda-meeting] a").first.tap()
    page.get_by_test_id("meeting-detail").wait_for()
    email = page.locator("a[href^='mailto:']")
    assert email.count() == 1 and email.get_attribute("href") == "mailto:" + email.inner_text()
    assert _overflow(page) == 0
    assert _small_targets(page) == []
    assert _small_agenda_targets(page) == []
    assert _small_text(page) == []
    assert _serious(page) == []


def test_now_next_bar_follows_the_device_clock(agenda_server, phone_page):
    page = phone_page
    # read the meetings first, then come back with the clock set five minutes into the second one
    _open_agenda(page, agenda_server)
    cards = _cards(page)
    assert _bar(page) == "All your meetings are over"  # the server's clock is long past the forum
    second, third = cards[1], cards[2]
    page.clock.set_fixed_time(_iso(second["startsAt"]) + timedelta(minutes=5))
    page.reload()
    now_text = f"Now: table {second['table']}, until {second['end']} {second['partner']}"
    if third["day"] == second["day"]:
        next_text = f"Next: {third['start']} table {third['table']} {third['partner']}"
    else:
        next_text = f"Next: {third['dayLabel']}, {third['start']} table {third['table']} {third['partner']}"
    assert _bar(page) == f"{now_text} {next_text}"
    items = page.locator("[data-testid=agenda-meeting]")
    assert items.nth(1).get_attribute("class") == "agenda-card is-now"
    assert items.nth(1).locator("[data-role=badge]").inner_text() == "Now"
    assert items.nth(2).get_attribute("class") == "agenda-card is-next"
    assert items.nth(0).get_attribute("class") == "agenda-card is-past"
    # the bar's links open the meetings
    page.locator(".agenda-now-item.is-now a").tap()
    page.wait_for_url(re.compile(rf"/agenda/{second['requestId']}$"))


def test_now_next_bar_names_the_day_before_the_forum(agenda_server, phone_page):
    page = phone_page
    _open_agenda(page, agenda_server)
    first = _cards(page)[0]
    page.clock.set_fixed_time(_iso(first["startsAt"]) - timedelta(days=1))
    page.reload()
    assert _bar(page) == f"Next: {first['dayLabel']}, {first['start']} table {first['table']} {first['partner']}"
    assert page.locator("[data-testid=agenda-meeting]").first.locator("[data-role=badge]").inner_text() == "Next"


def test_agenda_works_without_javascript(agenda_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, agenda_server, ALMATY)
    page.goto(agenda_server + "/my/agenda")
    assert len(_cards(page)) == 3
    assert _bar(page) == "All your meetings are over"  # the server's verdict for its own clock
    page.locator("[data-testid=agenda-meeting] a").first.click()
    page.get_by_test_id("meeting-detail").wait_for()
    context.close()


# --- phone checks not covered elsewhere: axe on "My matches" at phone sizes (test_matches.py runs it on
# the desktop; overflow, targets and text size on phones are in test_matches.py, and the sign-up and
# login pages are covered at both phone sizes by test_pages.py and test_accessibility.py)


def test_matches_page_on_phone_has_no_serious_accessibility_violations(agenda_server, phone_page):
    open_my_matches(phone_page, agenda_server)
    assert _serious(phone_page) == []

