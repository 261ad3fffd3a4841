"""End-to-end tests: the public pages, sign-up and login in headless Chromium, on phones and a desktop."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from forum.services.demo import DEMO_PARTICIPANTS, DEMO_PASSWORD

PUBLIC_PATHS = ["/", "/companies/", "/companies/?q=packaging", "/companies/1", "/signup", "/login", "/no-such-page"]

# Elements a thumb has to hit: the nav, buttons, form controls, pagination. Checkboxes and radio
# buttons are hit through their labels, which are measured instead.
TAP_TARGETS = (
    ".site-nav a, .site-nav button, .button, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), "
    "select, textarea, .pagination a, .checkbox-group label, .field-checkbox label, .tap-box"
)


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _small_targets(page, selector: str = TAP_TARGETS) -> list[str]:
    """The visible tap targets matching ``selector`` smaller than 44 x 44 px."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(el => el.offsetParent !== null)
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.height < 44 || r.width < 44)
            .map(([el, r]) => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        selector,
    )


def _small_text(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('main p, main li, main dd, main label, main a, nav a')]
            .filter(el => el.offsetParent !== null && el.textContent.trim())
            .filter(el => parseFloat(getComputedStyle(el).fontSize) < 16)
            .map(el => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ${getComputedStyle(el).fontSize}`)"""
    )


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_page_fits_phone_without_sideways_scroll(live_server, phone_page, path):
    response = phone_page.goto(live_server + path)
    assert response.status in (200, 404)
    assert _overflow(phone_page) == 0
    assert _small_targets(phone_page) == []
    assert _small_text(phone_page) == []


def test_directory_search_works_without_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/companies/")
    page.fill("#q", "packaging")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r"q=packaging"))
    cards = page.locator(".company-card")
    assert cards.count() >= 1
    assert re.match(r"\d+ compan", page.locator(".result-count").inner_text())
    context.close()


def test_signup_on_phone_creates_company_and_logs_in(live_server, phone_page):
    page = phone_page
    suffix = page.viewport_size["width"]
    page.goto(live_server + "/signup")
    page.fill("#full_name", "Dilnoza Karimova")
    page.fill("#email", f"dilnoza{suffix}@shahrisabz-silk.example")
    page.fill("#password", "mulberry leaves in spring")
    page.fill("#confirm", "mulberry leaves in spring")
    page.fill("#name", f"Shahrisabz Silk Workshop {suffix}")
    page.select_option("#delegation", label="Kashkadarya Region (Uzbekistan)")
    page.fill("#country", "Uzbekistan")
    page.fill("#city", "Shahrisabz")
    page.check("label:has-text('Textiles') input")
    page.fill("#offers", "Hand-woven silk scarves and ikat fabric, 2,000 m per month")
    page.fill("#needs", "Buyers in Kazakhstan; natural dyes")
    page.check("label:has-text('Russian') input")
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(re.compile(r"/companies/\d+$"))
    assert "is registered for the forum" in page.locator(".flashes").inner_text()
    assert page.locator("h1").inner_text() == f"Shahrisabz Silk Workshop {suffix}"
    assert page.locator(".site-nav").get_by_text("My company").is_visible()
    assert _overflow(page) == 0


def test_signup_errors_are_shown_next_to_fields(live_server, phone_page):
    page = phone_page
    page.goto(live_server + "/signup")
    page.fill("#email", "not-an-email")
    page.fill("#password", "short")
    page.click("form.form-card button[type=submit]")
    page.locator("#form-problems").wait_for()
    assert page.locator("#name-errors").inner_text() == "Enter the company name."
    assert page.locator("#password-errors").inner_text() == "Use at least 10 characters."
    assert page.locator("#name").get_attribute("aria-invalid") == "true"
    # The summary takes the focus and links to each problem, however far down the form it is.
    # (waits for the deferred script; fails after Playwright's timeout if the focus never moves).
    # expect() polls without eval, which the page's CSP forbids; wait_for_function's polling needs it.
    expect(page.locator("#form-problems")).to_be_focused()
    page.click("#form-problems a[href='#sectors']")
    assert page.url.endswith("#sectors")
    assert page.locator("#sectors").is_visible()
    assert _overflow(page) == 0


def test_demo_participant_logs_in_and_out_on_desktop(live_server, desktop_page):
    page = desktop_page
    email = next(iter(DEMO_PARTICIPANTS))
    page.goto(live_server + "/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(re.compile(r"/companies/\d+$"))  # a delegate lands on their company
    assert page.locator(".flashes").inner_text() == "You are logged in."
    assert page.get_by_role("link", name="Edit profile").is_visible()
    assert page.locator(".site-nav a[aria-current=page]").inner_text() == "My company"
    page.click(".site-nav >> text=Log out")
    page.wait_for_url(live_server + "/")
    assert page.locator(".flashes").inner_text() == "You are logged out."
    assert page.locator(".site-nav").get_by_text("Log in").is_visible()


SCREENS = {
    "home": "/",
    "directory": "/companies/",
    "company": "/companies/1",
    "signup": "/signup",
    "login": "/login",
}


@pytest.mark.parametrize("name", SCREENS)
def test_main_pages_render_for_screenshots(live_server, browser, tmp_path, name):
    """Renders each main page at phone and desktop size; FORUM_SCREENSHOT_DIR keeps the PNGs for the README."""
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        assert page.goto(live_server + SCREENS[name]).status == 200
        target = out / f"{name}-{label}.png"
        page.screenshot(path=str(target), full_page=False)
        assert target.stat().st_size > 10_000  # a blank page compresses to a few hundred bytes
        context.close()
