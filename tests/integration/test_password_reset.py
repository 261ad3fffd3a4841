"""Integration tests: password reset by an e-mailed, signed, single-use, expiring link, and no account
enumeration on the reset request, sign-up or login."""

from __future__ import annotations

import html
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, OutboxEmail, User
from forum.services import accounts
from tests import factories

NEW_PASSWORD = "a brand new phrase 42"
SENT = "If an account exists for that address, we sent a link."


def field_errors(page: str) -> dict[str, list[str]]:
    found = {}
    for field_id, items in re.findall(r'<ul class="field-errors" id="([^"]+)-errors">(.*?)</ul>', page, re.S):
        found[field_id] = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", items, re.S)]
    return found


def mails(app, to: str | None = None) -> list[OutboxEmail]:
    with app.app_context():
        query = select(OutboxEmail).order_by(OutboxEmail.id)
        if to is not None:
            query = query.where(OutboxEmail.to == to)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


_CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+"')


def page_text(response) -> str:
    """The page with its CSRF tokens blanked, for comparing two answers: a token carries the second it was
    signed in (the header's language switcher has one on every page), not who asked."""
    return _CSRF_VALUE.sub(r'\1…"', response.get_data(as_text=True))


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (User, Company, OutboxEmail))


def account(app, user_id: int) -> tuple[str, int, bool]:
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.password_hash, user.session_version, user.active


def reset_path_from_mail(body: str) -> str:
    link = re.search(r"http://localhost(/password/reset/\S+)", body)
    assert link, body
    return link.group(1)


def ask_for_link(client, app, email: str) -> str:
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 200
    return reset_path_from_mail(mails(app, email)[-1].body)


def logged_in_as(client) -> str | None:
    found = re.search(r"Logged in as ([^<]+)</a>", client.get("/").get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def delegate(make_user) -> int:
    return make_user(email="delegate@example.kz")


# --- asking for a link ------------------------------------------------------------------------------


def test_login_page_links_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)

    assert '<a href="/password/forgot">Forgot your password?</a>' in page


def test_forgot_page_shows_the_form(client):
    response = client.get("/password/forgot")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Forgot your password?" in page and 'name="email"' in page and "Send me a link" in page


def test_forgot_known_address_mails_a_link(app, client, delegate):
    response = client.post("/password/forgot", data={"email": "  Delegate@Example.KZ "})

    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)
    [mail] = mails(app)
    assert mail.to == "delegate@example.kz"
    assert mail.subject == "Set a new password for the forum"
    assert "it works once, for 60 minutes" in mail.body
    assert reset_path_from_mail(mail.body).startswith("/password/reset/")


def test_forgot_unknown_address_answers_the_same_and_sends_nothing(app, client, delegate):
    known = client.post("/password/forgot", data={"email": "delegate@example.kz"})
    before = counts(app)

    unknown = client.post("/password/forgot", data={"email": "nobody@example.kz"})

    assert unknown.status_code == known.status_code == 200
    assert page_text(unknown) == page_text(known)
    assert counts(app) == before


def test_forgot_empty_address_is_422(app, client):
    before = counts(app)

    response = client.post("/password/forgot", data={"email": ""})

    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"email": ["Enter your e-mail address."]}
    assert counts(app) == before


def test_forgot_disabled_account_gets_no_link(app, client, make_user):
    make_user(email="gone@example.kz", active=False)

    response = client.post("/password/forgot", data={"email": "gone@example.kz"})

    assert response.status_code == 200 and SENT in response.get_data(as_text=True)
    [mail] = mails(app)
    assert mail.subject == "Your forum account is disabled"
    assert "/password/reset/" not in mail.body
    assert "Ask them to enable it again." in mail.body


# --- using the link ---------------------------------------------------------------------------------


def test_reset_link_shows_the_form_without_referrer_or_cache(app, client, delegate):
    path = ask_for_link(client, app, "delegate@example.kz")

    response = client.get(path)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose a new password" in page and 'value="delegate@example.kz" readonly' in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_reset_sets_password_ends_sessions_and_logs_in(app, client, delegate, login_as):
    other_device = app.test_client()
    other_device.post("/login", data={"email": "delegate@example.kz", "password": factories.PASSWORD})
    assert logged_in_as(other_device) == "delegate@example.kz"
    path = ask_for_link(client, app, "delegate@example.kz")
    old_hash, old_version, _ = account(app, delegate)

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302
    with app.app_context():
        company_id = db.session.get(User, delegate).company_id
    assert response.headers["Location"] == f"/companies/{company_id}"
    new_hash, new_version, _ = account(app, delegate)
    assert new_hash != old_hash and new_version == old_version + 1
    assert "Your new password is set, and you are logged in. Every other device was logged out." in \
        client.get(response.headers["Location"]).get_data(as_text=True)
    assert logged_in_as(client) == "delegate@example.kz"
    assert logged_in_as(other_device) is None
    with app.app_context():
        assert db.session.get(User, delegate).check_password(NEW_PASSWORD)
    # The new password logs in; the old one no longer does.
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "delegate@example.kz", "password": factories.PASSWORD}).status_code == 422
    assert fresh.post("/login", data={"email": "delegate@example.kz", "password": NEW_PASSWORD}).status_code == 302


def test_reset_link_works_only_once(app, client, delegate):
    path = ask_for_link(client, app, "delegate@example.kz")
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    after_first = account(app, delegate)

    again = app.test_client().post(path, data={"password": "yet another phrase 7", "confirm": "yet another phrase 7"})

    assert again.status_code == 404
    page = again.get_data(as_text=True)
    assert "This link cannot be used" in page
    assert ("This link has already been used, or the password has changed since it was sent. Ask for a new one."
            in page)
    assert 'href="/password/forgot">Ask for a new link</a>' in page
    assert account(app, delegate) == after_first


def test_reset_older_link_stops_when_a_newer_one_is_used(app, client, delegate):
    first = ask_for_link(client, app, "delegate@example.kz")
    second = ask_for_link(client, app, "delegate@example.kz")
    assert client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302

    assert app.test_client().get(first).status_code == 404


def test_reset_expired_link_is_refused(app, client, delegate, monkeypatch):
    # A link signed an hour and a second ago.
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3601)
    path = ask_for_link(client, app, "delegate@example.kz")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    before = account(app, delegate)

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 404
    assert "This link has expired. Ask for a new one." in response.get_data(as_text=True)
    assert account(app, delegate) == before
    assert logged_in_as(client) is None


@pytest.mark.parametrize("token", [
    "not-a-token",
    "eyJ1c2VyIjoxLCJmcCI6IjAwMDAifQ.ZZZZZZ.forgedsignature",
])
def test_reset_forged_link_is_refused(app, client, delegate, token):
    before = account(app, delegate)

    response = client.post(f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 404
    assert ("This link is not valid. Check that it was copied whole, or ask for a new one."
            in response.get_data(as_text=True))
    assert account(app, delegate) == before


def test_reset_token_of_another_salt_is_refused(app, client, delegate):
    with app.app_context():
        # Same key, same payload shape, but signed for invitations: not a reset link.
        user = db.session.get(User, delegate)
        token = URLSafeTimedSerializer("test-secret", salt="company-invitation").dumps(
            {"user": user.id, "fp": accounts._fingerprint(user)})

    response = client.get(f"/password/reset/{token}")

    assert response.status_code == 404
    assert "This link is not valid." in response.get_data(as_text=True)


def test_reset_weak_password_is_refused_like_at_signup(app, client, delegate):
    path = ask_for_link(client, app, "delegate@example.kz")
    before = account(app, delegate)

    short = client.post(path, data={"password": "short", "confirm": "short"})
    common = client.post(path, data={"password": "password123", "confirm": "password123"})
    own_email = client.post(path, data={"password": "delegate-secret-99", "confirm": "delegate-secret-99"})
    differ = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})

    assert [r.status_code for r in (short, common, own_email, differ)] == [422] * 4
    assert field_errors(short.get_data(as_text=True)) == {"password": ["Use at least 10 characters."]}
    assert field_errors(common.get_data(as_text=True)) == {
        "password": ["This password is too easy to guess. Try a short phrase of several words."]}
    assert field_errors(own_email.get_data(as_text=True)) == {
        "password": ["Do not use your e-mail address in your password."]}
    assert field_errors(differ.get_data(as_text=True)) == {"confirm": ["The two passwords differ."]}
    assert account(app, delegate) == before
    assert logged_in_as(client) is None
    # The link still works after a refused attempt.
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_reset_link_of_an_account_disabled_since_is_refused(app, client, delegate):
    path = ask_for_link(client, app, "delegate@example.kz")
    with app.app_context():
        db.session.get(User, delegate).active = False
        db.session.commit()
    before = account(app, delegate)

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 404
    assert "This account is disabled. Ask the forum&#39;s organizers to enable it again." in \
        response.get_data(as_text=True)
    assert account(app, delegate) == before


def test_reset_max_age_follows_the_setting(app, client, delegate, monkeypatch):
    app.config["PASSWORD_RESET_MAX_AGE"] = 600
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 601)
    path = ask_for_link(client, app, "delegate@example.kz")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)

    assert "it works once, for 10 minutes" in mails(app)[-1].body
    assert client.get(path).status_code == 404


# --- no enumeration at sign-up ----------------------------------------------------------------------


@pytest.fixture
def signup_data(app, make_delegation):
    delegation_id = make_delegation(name="Almaty Region")
    with app.app_context():
        dairy = str(factories.sector_ids("dairy")[0])

    def build(**overrides) -> dict:
        data = {
            "email": "newcomer@example.kz", "password": "correct horse battery", "confirm": "correct horse battery",
            "full_name": "Aigerim Bekova", "name": "Talgar Dairy", "delegation": str(delegation_id),
            "country": "Kazakhstan", "city": "Talgar", "offers": "Raw milk", "needs": "Glass bottles",
            "sectors": [dairy], "languages": ["ru"], "size": "small", "contact_name": "Aigerim Bekova",
            "contact_email": "sales@talgar.example", "contact_phone": "",
        }
        data.update(overrides)
        return data

    return build


@pytest.mark.parametrize("email", ["delegate@example.kz", "  DELEGATE@example.KZ "])
def test_signup_taken_address_answers_check_your_email_and_mails_the_owner(app, client, delegate, signup_data,
                                                                           email):
    users_before, companies_before, _mails = counts(app)

    response = client.post("/signup", data=signup_data(email=email))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Check your e-mail" in page
    assert "We sent a message to delegate@example.kz about this registration. Follow it to go on." in page
    assert "already" not in page
    assert counts(app)[:2] == (users_before, companies_before)
    [mail] = mails(app, "delegate@example.kz")
    assert mail.subject == "Someone tried to register with your e-mail address"
    assert "http://localhost/login" in mail.body and "http://localhost/password/forgot" in mail.body
    assert logged_in_as(client) is None


def test_signup_taken_address_with_weak_password_gets_the_password_error(app, client, delegate, signup_data):
    before = counts(app)

    response = client.post("/signup", data=signup_data(email="delegate@example.kz", password="short",
                                                       confirm="short"))

    assert response.status_code == 422
    # The same error a free address gets: the password is checked before anything about the address.
    assert field_errors(response.get_data(as_text=True)) == {"password": ["Use at least 10 characters."]}
    assert counts(app) == before


def test_signup_free_address_still_logs_in_at_once(app, client, signup_data):
    response = client.post("/signup", data=signup_data())

    assert response.status_code == 302
    assert logged_in_as(client) == "newcomer@example.kz"
    assert mails(app) == []


# --- no enumeration at login ------------------------------------------------------------------------


def test_login_unknown_address_and_wrong_password_answer_the_same(client, delegate):
    unknown = client.post("/login", data={"email": "nobody@example.kz", "password": factories.PASSWORD})
    wrong = client.post("/login", data={"email": "delegate@example.kz", "password": "wrong-password-1"})

    assert unknown.status_code == wrong.status_code == 422
    assert field_errors(unknown.get_data(as_text=True)) == field_errors(wrong.get_data(as_text=True)) == {
        "password": ["The e-mail or the password is not right."]}
    assert page_text(unknown).replace("nobody@example.kz", "X") == page_text(wrong).replace("delegate@example.kz", "X")


def test_login_unknown_address_spends_a_password_check(app, client, monkeypatch):
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))

    client.post("/login", data={"email": "nobody@example.kz", "password": factories.PASSWORD})

    # The dummy hash has the default (scrypt) cost, like every real account's.
    assert checked == [accounts._TIMING_HASH] and checked[0].startswith("scrypt:")


def test_login_disabled_account_is_told_only_after_the_right_password(app, client, make_user):
    make_user(email="gone@example.kz", active=False)

    wrong = client.post("/login", data={"email": "gone@example.kz", "password": "wrong-password-1"})
    right = client.post("/login", data={"email": "gone@example.kz", "password": factories.PASSWORD})

    assert wrong.status_code == 422
    assert field_errors(wrong.get_data(as_text=True)) == {"password": ["The e-mail or the password is not right."]}
    assert right.status_code == 403
    assert field_errors(right.get_data(as_text=True)) == {
        "password": ["This account is disabled. Ask the forum's organizers to enable it again."]}
    assert logged_in_as(client) is None
