"""End-to-end: the language switcher without JavaScript, and the main pages in Russian on phones. Russian labels
run a third longer than English ones; these pages must still fit 360 and 390 px without sideways scrolling,
with every tap target at least 44 px. FORUM_SCREENSHOT_DIR keeps the screenshots (390 x 844) to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.support import Translations

import forum
from forum.services.demo import DEMO_ORGANIZER, DEMO_PARTICIPANTS
from tests.e2e.conftest import PHONE
from tests.e2e.test_matches import log_in
from tests.e2e.test_pages import _overflow, _small_targets, _small_text

PARTICIPANT = next(iter(DEMO_PARTICIPANTS))
_RUSSIAN = Translations.load(str(Path(forum.__file__).parent / "translations"), ["ru"])


def russian(msgid: str) -> str:
    """The Russian catalog's wording, so the test follows the translators rather than repeating them."""
    return _RUSSIAN.gettext(msgid)


# The pages the README shows in Russian; the others are checked the same way but not kept.
README_PAGES = {"home", "directory", "matches", "agenda", "meetings", "organizer-dashboard"}


def _screenshot(page, name: str, tmp_path: Path) -> None:
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    if page.viewport_size == PHONE and (name in README_PAGES or out == tmp_path):
        page.screenshot(path=str(out / f"ru-{name}-phone.png"))


def test_switcher_changes_the_language_without_javascript(agenda_server, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(agenda_server + "/companies/?q=dairy")
    assert page.get_attribute("html", "lang") == "en"
    page.click(".lang-switch summary")  # a <details>: the browser opens it, no script needed
    menu = page.locator(".lang-menu")
    box = menu.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    page.click(".lang-menu button[lang=ru]")
    page.wait_for_url(re.compile(r"/companies/\?q=dairy$"))
    assert page.get_attribute("html", "lang") == "ru"
    assert page.locator(".site-nav").inner_text().count(russian("Companies")) == 1
    page.goto(agenda_server + "/")  # the choice stays for the next pages
    assert page.get_attribute("html", "lang") == "ru"
    context.close()


PUBLIC = [("home", "/"), ("directory", "/companies/"), ("company", "/companies/1"), ("login", "/login"),
          ("signup", "/signup")]


@pytest.fixture
def russian_phone(browser, phone_page):
    """A phone whose browser asks for Russian (Accept-Language: ru-RU)."""
    context = browser.new_context(viewport=phone_page.viewport_size, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="ru-RU")
    page = context.new_page()
    yield page
    context.close()


def _fits(page) -> None:
    assert page.get_attribute("html", "lang") == "ru"
    assert _overflow(page) == 0
    assert _small_targets(page) == []
    assert _small_text(page) == []


@pytest.mark.parametrize("name, path", PUBLIC)
def test_public_pages_in_russian_fit_a_phone_screenshots(agenda_server, russian_phone, tmp_path, name, path):
    russian_phone.goto(agenda_server + path)
    _fits(russian_phone)
    _screenshot(russian_phone, name, tmp_path)


def test_delegate_pages_in_russian_fit_a_phone_screenshots(agenda_server, russian_phone, tmp_path):
    log_in(russian_phone, agenda_server, PARTICIPANT)
    for name, label in [("matches", "My matches"), ("agenda", "My agenda"), ("meetings", "Meetings"),
                        ("my-company", "My company")]:
        russian_phone.click(f".site-nav >> text={russian(label)}")
        russian_phone.wait_for_load_state()
        _fits(russian_phone)
        _screenshot(russian_phone, name, tmp_path)
    russian_phone.goto(agenda_server + "/account")
    _fits(russian_phone)
    _screenshot(russian_phone, "account", tmp_path)


def test_organizer_pages_in_russian_fit_a_phone_screenshots(agenda_server, russian_phone, tmp_path):
    log_in(russian_phone, agenda_server, DEMO_ORGANIZER)
    for name, path in [("organizer-dashboard", "/organizer/"), ("organizer-companies", "/organizer/companies"),
                       ("organizer-matching", "/organizer/matching")]:
        russian_phone.goto(agenda_server + path)
        assert russian_phone.get_attribute("html", "lang") == "ru"
        assert _overflow(russian_phone) == 0, path
        _screenshot(russian_phone, name, tmp_path)


def test_open_language_menu_stays_on_a_russian_phone_screen(agenda_server, russian_phone):
    log_in(russian_phone, agenda_server, PARTICIPANT)
    russian_phone.click(".lang-switch summary")
    box = russian_phone.locator(".lang-menu").bounding_box()
    width = russian_phone.viewport_size["width"]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert _small_targets(russian_phone, ".lang-menu button, .lang-switch summary") == []
