"""End-to-end tests: axe-core finds no serious or critical accessibility violations on the main pages."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from forum.services.demo import DEMO_PARTICIPANTS, DEMO_PASSWORD

PAGES = ["/", "/companies/", "/companies/?q=zzzz-nothing", "/companies/1", "/signup", "/login", "/no-such-page"]
LOGGED_IN_PAGES = ["/companies/1/edit", "/companies/1/team"]


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", PAGES)
def test_accessibility_public_page_has_no_serious_violations(live_server, phone_page, path):
    phone_page.goto(live_server + path)
    assert _serious(phone_page) == []


def test_accessibility_signup_errors_have_no_serious_violations(live_server, phone_page):
    phone_page.goto(live_server + "/signup")
    phone_page.click("form.form-card button[type=submit]")
    phone_page.locator("#form-problems").wait_for()
    assert _serious(phone_page) == []


@pytest.mark.parametrize("path", LOGGED_IN_PAGES)
def test_accessibility_company_owner_pages_have_no_serious_violations(live_server, desktop_page, path):
    page = desktop_page
    page.goto(live_server + "/login")
    page.fill("#email", next(iter(DEMO_PARTICIPANTS)))
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(re.compile(r"/companies/\d+$"))  # logged in before going on
    page.goto(live_server + path)
    assert page.url == live_server + path  # not bounced to the login page
    assert _serious(page) == []
