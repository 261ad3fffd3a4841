"""End-to-end tests: a delegate makes an API token on the account page, copies it and revokes it, on a phone
and a desktop. FORUM_SCREENSHOT_DIR keeps the screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from forum.services.demo import DEMO_PARTICIPANTS
from tests.e2e.test_accessibility import _serious
from tests.e2e.test_matches import log_in
from tests.e2e.test_pages import _overflow, _small_targets

PARTICIPANT = next(iter(DEMO_PARTICIPANTS))


def open_account(page, base: str) -> None:
    log_in(page, base, PARTICIPANT)
    page.click(".site-footer >> text=Logged in as")
    page.wait_for_url(re.compile(r"/account$"))


def make_token(page, name: str, access: str = "Read and write", lifetime: str = "30 days") -> str:
    page.fill("#name", name)
    page.get_by_label(access, exact=True).check()
    page.select_option("#days", label=lifetime)
    page.get_by_role("button", name="Make the token").click()
    page.wait_for_load_state()
    return page.locator("#new-token-secret").input_value()


def test_make_copy_and_revoke_a_token_on_phone(live_server, phone_page):
    page = phone_page
    name = f"Phone script {page.viewport_size['width']}"
    open_account(page, live_server)
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()

    secret = make_token(page, name)

    assert re.fullmatch(r"fmk_[A-Za-z0-9_-]{43}", secret)
    expect(page.get_by_test_id("new-token")).to_contain_text("it is shown only this once")
    copy = page.get_by_role("button", name="Copy the token")
    expect(copy).to_be_visible()  # copy.js shows it; without JavaScript it stays hidden
    copy.click()
    expect(page.locator("button[data-copy-target=new-token-secret]")).to_have_text("Copied")
    expect(page.locator(".token-example")).to_contain_text(f"Authorization: Bearer {secret}")
    assert _overflow(page) == 0
    assert _small_targets(page) == []

    # A fresh visit lists the token by its prefix only.
    page.goto(live_server + "/account")
    assert secret not in page.content()
    item = page.locator("[data-testid=token]", has_text=name)
    expect(item.get_by_test_id("token-prefix")).to_have_text(f"{secret[:10]}…")
    expect(item.get_by_test_id("token-scope")).to_have_text("Read and write")
    expect(item.get_by_test_id("token-state")).to_have_text("Active")

    item.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state()
    expect(page.locator(".flashes")).to_contain_text(f"The token “{name}” is revoked")
    expect(page.locator("[data-testid=token-list] [data-testid=token]", has_text=name)).to_have_count(0)
    inactive = page.get_by_test_id("inactive-tokens")
    if inactive.get_attribute("open") is None:  # open already when no active token is left
        inactive.locator("summary").click()
    revoked = inactive.locator("[data-testid=token]", has_text=name)
    expect(revoked.get_by_test_id("token-state")).to_be_visible()
    expect(revoked.get_by_test_id("token-state")).to_have_text("Revoked")
    expect(revoked.get_by_role("button", name="Revoke")).to_have_count(0)
    assert _overflow(page) == 0
    assert _small_targets(page) == []


def test_copy_button_is_hidden_without_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    open_account(page, live_server)

    secret = make_token(page, "No-JS script", access="Read only", lifetime="7 days")

    assert secret.startswith("fmk_")
    expect(page.locator("button[data-copy-target=new-token-secret]")).to_be_hidden()
    context.close()


def test_account_page_has_no_serious_accessibility_violations(live_server, phone_page):
    page = phone_page
    open_account(page, live_server)
    assert _serious(page) == []
    # With a field error and with a new token shown, too.
    page.get_by_role("button", name="Make the token").click()
    page.wait_for_load_state()
    expect(page.locator("#name-errors")).to_have_text("Give the token a name, such as “Agenda script”.")
    assert _serious(page) == []
    make_token(page, f"Axe check {page.viewport_size['width']}", access="Read only", lifetime="7 days")
    assert _serious(page) == []


def test_account_page_renders_for_screenshots(live_server, browser, tmp_path):
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        open_account(page, live_server)
        make_token(page, f"Agenda sync ({label})", access="Read only", lifetime="90 days")
        assert _overflow(page) == 0
        page.screenshot(path=str(out / f"account-{label}-full.png"), full_page=True)
        page.screenshot(path=str(out / f"account-{label}-new-token.png"))
        page.goto(live_server + "/account")
        page.screenshot(path=str(out / f"account-{label}.png"))
        page.get_by_test_id("token-list").evaluate("el => el.scrollIntoView()")
        page.screenshot(path=str(out / f"account-{label}-tokens.png"))
        page.locator(".token-form").evaluate("el => el.scrollIntoView()")
        page.screenshot(path=str(out / f"account-{label}-form.png"))
        assert (out / f"account-{label}.png").stat().st_size > 10_000
        context.close()
