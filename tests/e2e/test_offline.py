"""Browser test: a delegate opens "My agenda" once online, loses the connection, and still has the
agenda and its meetings; a page never opened shows the offline page; logging out forgets them."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PHONE

DELEGATE = "almaty@demo.example"
PASSWORD = "silk-road-2024"


@pytest.fixture
def phone(browser):
    # A context of its own: service workers and their caches live per context, and a test that leaves
    # one behind would make every later page load go through it.
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context
    context.close()


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", DELEGATE)
    page.fill("#password", PASSWORD)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(re.compile(r"/companies/\d+$"))


def open_agenda_and_save_it(page, base: str) -> None:
    """The first visit installs the worker; the page asks it to save itself and its meetings, and
    sw-register.js marks <html data-offline-saved> once that is done."""
    page.goto(f"{base}/my/agenda")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_selector("html[data-offline-saved=true]", state="attached")
    # Once more online, now through the worker, as a delegate would on the next visit.
    page.reload()
    page.wait_for_selector("html[data-offline-saved=true]", state="attached")
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)") is True


def test_agenda_and_meeting_open_offline(agenda_server, phone) -> None:
    page = phone.new_page()
    log_in(page, agenda_server)
    open_agenda_and_save_it(page, agenda_server)
    first = page.locator("[data-testid=agenda-meeting]").first
    partner = first.get_attribute("data-partner")
    meeting_href = first.locator("a.agenda-card-link").get_attribute("href")
    last_updated = page.locator("[data-testid=last-updated]").inner_text().strip()
    assert re.fullmatch(r"Last updated \d\d:\d\d", last_updated)
    generated_time = last_updated.removeprefix("Last updated ")
    assert page.locator("[data-testid=offline-banner]").is_hidden()

    phone.set_offline(True)
    page.reload()

    assert page.locator("[data-testid=agenda-meeting]").first.get_attribute("data-partner") == partner
    assert page.locator("[data-testid=last-updated]").inner_text().strip() == last_updated
    banner = page.locator("[data-testid=offline-banner]")
    assert banner.inner_text().strip() == f"You are offline. Showing your agenda as of {generated_time}."
    assert banner.is_visible()

    # A meeting's detail was saved with the agenda: it opens with no connection too.
    page.click(f"a[href='{meeting_href}']")
    page.wait_for_load_state()
    assert page.locator("[data-testid=meeting-detail] h1").inner_text() == f"Meeting with {partner}"
    saved_at = page.locator("[data-testid=last-updated]").inner_text().strip().removeprefix("Last updated ")
    assert page.locator("[data-testid=offline-banner]").inner_text().strip() == (
        f"You are offline. Showing your agenda as of {saved_at}.")

    # A page never opened online: the offline page, with the way back to the agenda.
    page.goto(f"{agenda_server}/companies/")
    assert page.locator("[data-testid=offline-page] h1").inner_text() == "You are offline"
    page.get_by_role("link", name="Open My agenda").click()
    page.wait_for_url(f"{agenda_server}/my/agenda")
    assert page.locator("[data-testid=agenda-meeting]").first.get_attribute("data-partner") == partner

    phone.set_offline(False)


def saved_pages(page) -> int:
    return page.evaluate("caches.open('forum-agenda-pages').then((c) => c.keys()).then((k) => k.length)")


def test_logout_forgets_the_saved_agenda(agenda_server, phone) -> None:
    page = phone.new_page()
    log_in(page, agenda_server)
    open_agenda_and_save_it(page, agenda_server)
    assert saved_pages(page) == 4  # My agenda and its 3 meetings

    # Logging out with no connection: nothing reaches the server, the phone forgets the agenda anyway.
    phone.set_offline(True)
    page.get_by_role("button", name="Log out").click()
    assert page.locator("[data-testid=offline-form]").inner_text() == (
        "Nothing was sent: this needs a connection. Go back and send it again once you are online.")
    assert saved_pages(page) == 0

    # Back online the session is still there; the agenda is saved again, then a real logout.
    phone.set_offline(False)
    open_agenda_and_save_it(page, agenda_server)
    assert saved_pages(page) == 4
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{agenda_server}/")
    assert saved_pages(page) == 0

    phone.set_offline(True)
    page.goto(f"{agenda_server}/my/agenda")
    assert page.locator("[data-testid=offline-page] h1").inner_text() == "You are offline"
    assert page.locator("[data-testid=agenda-meeting]").count() == 0
    phone.set_offline(False)


def test_expired_session_forgets_the_saved_agenda(agenda_server, phone) -> None:
    page = phone.new_page()
    log_in(page, agenda_server)
    open_agenda_and_save_it(page, agenda_server)
    assert saved_pages(page) == 4

    phone.clear_cookies()  # the session ends on the server's side (expired, or logged out elsewhere)
    page.goto(f"{agenda_server}/my/agenda")
    page.wait_for_url(re.compile(r"/login\?next="))
    assert saved_pages(page) == 0


def test_signing_up_on_the_same_phone_forgets_the_saved_agenda(agenda_server, phone) -> None:
    # Someone else takes the phone: a new account (or an invitation) logs in without /login.
    page = phone.new_page()
    log_in(page, agenda_server)
    open_agenda_and_save_it(page, agenda_server)
    assert saved_pages(page) == 4

    phone.clear_cookies()
    page.goto(f"{agenda_server}/signup")
    page.click("form.form-card button[type=submit]")  # even a refused sign-up: the phone changes hands
    page.locator("#form-problems").wait_for()
    assert saved_pages(page) == 0
