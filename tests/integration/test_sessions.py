"""Integration tests: sessions carry the account's session version, login rotates the session, and
"Log out everywhere" (or any bump of the version) ends every session and remember-me cookie."""

from __future__ import annotations

import html
import re

import pytest

from forum.extensions import db
from forum.models import User
from tests import factories

CSRF_ON = [{"WTF_CSRF_ENABLED": True}]


def logged_in_as(client) -> str | None:
    found = re.search(r"Logged in as ([^<]+)</a>", client.get("/").get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def log_in(client, email: str, remember: bool = False):
    data = {"email": email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def version_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).session_version


@pytest.fixture
def delegate(make_user) -> int:
    return make_user(email="delegate@example.kz")


def test_session_holds_id_and_version(app, client, delegate):
    log_in(client, "delegate@example.kz")

    with client.session_transaction() as session:
        assert session["_user_id"] == f"{delegate}:0"
    with app.app_context():
        assert db.session.get(User, delegate).get_id() == f"{delegate}:0"


def test_login_changes_the_session_cookie(client, delegate):
    with client.session_transaction() as session:
        session["planted"] = "before login"
    before = cookie(client, "session")
    assert before

    log_in(client, "delegate@example.kz")

    after = cookie(client, "session")
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session


def test_session_of_the_old_plain_id_form_is_refused(client, delegate):
    with client.session_transaction() as session:
        session["_user_id"] = str(delegate)
        session["_fresh"] = True

    assert logged_in_as(client) is None


@pytest.mark.parametrize("value", ["{id}:1", "{id}:x", "{id}:", ":0", "abc", "99999999999999999999999:0"])
def test_session_with_a_wrong_version_or_mangled_id_is_refused(client, delegate, value):
    with client.session_transaction() as session:
        session["_user_id"] = value.format(id=delegate)
        session["_fresh"] = True

    assert logged_in_as(client) is None


def test_session_of_a_disabled_account_is_refused(app, client, delegate):
    log_in(client, "delegate@example.kz")
    with app.app_context():
        db.session.get(User, delegate).active = False
        db.session.commit()

    assert logged_in_as(client) is None


def test_account_page_has_the_logout_everywhere_button(client, delegate):
    log_in(client, "delegate@example.kz")

    page = client.get("/account").get_data(as_text=True)

    assert 'action="/account/logout-everywhere"' in page
    assert ">Log out everywhere</button>" in page


def test_logout_everywhere_ends_every_session(app, client, delegate):
    log_in(client, "delegate@example.kz")
    captured = cookie(client, "session")
    laptop = app.test_client()
    log_in(laptop, "delegate@example.kz")

    response = client.post("/account/logout-everywhere")

    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You are logged out on every device, this one included. Log in again to go on." in \
        client.get("/login").get_data(as_text=True)
    assert version_of(app, delegate) == 1
    assert logged_in_as(client) is None
    assert logged_in_as(laptop) is None
    # The cookie captured before, replayed, is no longer a login.
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert logged_in_as(thief) is None
    # Logging in again works, with the new version.
    log_in(client, "delegate@example.kz")
    assert logged_in_as(client) == "delegate@example.kz"
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{delegate}:1"


def test_cookie_captured_before_logout_is_dead_after_logout_everywhere(app, client, delegate):
    log_in(client, "delegate@example.kz")
    captured = cookie(client, "session")
    assert client.post("/logout").status_code == 302
    # Session cookies are signed, not stored on the server, so a plain logout cannot recall a copy
    # taken before it: "Log out everywhere" (from any device) is what ends it.
    log_in(client, "delegate@example.kz")

    assert client.post("/account/logout-everywhere").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert logged_in_as(thief) is None


def test_logout_everywhere_ends_remember_me_cookies(app, client, delegate):
    log_in(client, "delegate@example.kz", remember=True)
    remembered = cookie(client, "remember_token")
    assert remembered
    phone = app.test_client()
    phone.set_cookie("remember_token", remembered)
    assert logged_in_as(phone) == "delegate@example.kz"

    client.post("/account/logout-everywhere")

    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert logged_in_as(later) is None


def test_logout_everywhere_anonymous_goes_to_login(app, client, delegate):
    response = client.post("/account/logout-everywhere")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert version_of(app, delegate) == 0


def test_logout_everywhere_leaves_other_accounts_alone(app, client, delegate, make_user):
    make_user(email="colleague@example.kz")
    colleague = app.test_client()
    log_in(colleague, "colleague@example.kz")
    log_in(client, "delegate@example.kz")

    client.post("/account/logout-everywhere")

    assert logged_in_as(colleague) == "colleague@example.kz"


def test_logout_everywhere_keeps_api_tokens(app, client, delegate):
    with app.app_context():
        secret = factories.api_token(delegate, scope="read")
    log_in(client, "delegate@example.kz")

    client.post("/account/logout-everywhere")

    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


@pytest.mark.parametrize("app_config", CSRF_ON)
def test_logout_everywhere_without_csrf_token_is_refused(app, client, delegate):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "delegate@example.kz", "password": factories.PASSWORD,
                                "csrf_token": token})

    response = client.post("/account/logout-everywhere")

    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert version_of(app, delegate) == 0
    assert logged_in_as(client) == "delegate@example.kz"


@pytest.mark.parametrize("app_config", CSRF_ON)
def test_logout_everywhere_with_the_pages_csrf_token_works(app, client, delegate):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "delegate@example.kz", "password": factories.PASSWORD,
                                "csrf_token": token})
    account = client.get("/account").get_data(as_text=True)
    form = re.search(r'action="/account/logout-everywhere">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                     account)

    response = client.post("/account/logout-everywhere", data={"csrf_token": form.group(1)})

    assert response.status_code == 302
    assert version_of(app, delegate) == 1
