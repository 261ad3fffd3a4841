"""Browser fixtures: a live server with the demo forum, and Debian's Chromium driven by Playwright.

Chromium comes from `apt-get install -y chromium` (.ci/run installs it); Playwright never downloads
a browser here. Without /usr/bin/chromium these tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from forum import create_app
from forum.extensions import db

CHROMIUM = os.environ.get("FORUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def _serve_demo(folder: Path, published_agenda: bool) -> Iterator[str]:
    """The app with the demo forum on a migrated SQLite database, served on 127.0.0.1."""
    from flask_migrate import upgrade

    from forum.services.demo import load_demo_forum

    app = create_app({
        "SECRET_KEY": "e2e-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.sqlite'}",
        # The browser tests log in as the same few demo accounts dozens of times a minute, which the login
        # limits rightly refuse; the limits have their own tests (tests/integration/test_login_throttle.py).
        # (Raised, not switched off: Flask-Limiter's "enabled" flag is global and would leak to other apps.)
        **dict.fromkeys(("LOGIN_RATE_LIMIT_PER_ADDRESS", "LOGIN_RATE_LIMIT_PER_ACCOUNT",
                         "LOGIN_ATTEMPT_LIMIT_PER_ACCOUNT", "SIGNUP_RATE_LIMIT", "PASSWORD_RESET_RATE_LIMIT"),
                        "100000 per minute"),
    })
    with app.app_context():
        upgrade()
        load_demo_forum(published_agenda=published_agenda)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo forum with its agenda not yet published: the organizer's starting point."""
    yield from _serve_demo(tmp_path_factory.mktemp("e2e"), published_agenda=False)


@pytest.fixture(scope="session")
def agenda_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo forum as `flask demo` loads it: the agenda scheduled and published, so the demo logins'
    companies have meetings (17-18 Oct 2024) on "My agenda"."""
    yield from _serve_demo(tmp_path_factory.mktemp("e2e-agenda"), published_agenda=True)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(params=[PHONE, SMALL_PHONE], ids=["390x844", "360x740"])
def phone_page(browser, request):
    context = browser.new_context(viewport=request.param, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()
