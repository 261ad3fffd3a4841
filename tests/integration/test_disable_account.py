"""Integration tests: an organizer disables and enables a delegate's account from the company page."""

from __future__ import annotations

import html
import re

import pytest

from forum.extensions import db
from forum.models import Role, User
from forum.services import accounts
from forum.services.errors import PermissionDenied
from tests import factories

DISABLED_MESSAGE = "This account is disabled. Ask the forum's organizers to enable it again."


def logged_in_as(client) -> str | None:
    found = re.search(r"Logged in as ([^<]+)</a>", client.get("/").get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def log_in(client, email: str, password: str = factories.PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def state(app, user_id: int) -> tuple[bool, int]:
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.active, user.session_version


@pytest.fixture
def company_id(make_company) -> int:
    return make_company(name="Dala Milk")


@pytest.fixture
def delegate(make_user, company_id) -> int:
    return make_user(email="delegate@example.kz", company_id=company_id, full_name="Aigerim Bekova")


@pytest.fixture
def organizer(make_user) -> int:
    return make_user(email="org@example.kz", role=Role.ORGANIZER, full_name="Forum Team")


@pytest.fixture
def org(app, organizer):
    client = app.test_client()
    assert log_in(client, "org@example.kz").status_code == 302
    return client


def test_company_page_lists_delegates_with_disable_buttons(org, company_id, delegate, make_user):
    gone = make_user(email="gone@example.kz", company_id=company_id, active=False)

    page = org.get(f"/organizer/companies/{company_id}").get_data(as_text=True)

    assert "Aigerim Bekova</strong> · delegate@example.kz" in page
    assert f'action="/organizer/accounts/{delegate}/disable"' in page
    assert f'action="/organizer/accounts/{gone}/enable"' in page
    assert "Can log in" in page and "Disabled" in page


def test_company_page_without_delegates_says_so(org, make_company):
    empty = make_company(name="Nobody Yet")

    page = org.get(f"/organizer/companies/{empty}").get_data(as_text=True)

    assert "No delegate has an account for this company yet." in page


def test_disable_logs_the_delegate_out_and_refuses_login(app, org, company_id, delegate):
    victim = app.test_client()
    assert log_in(victim, "delegate@example.kz").status_code == 302

    response = org.post(f"/organizer/accounts/{delegate}/disable")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/organizer/companies/{company_id}"
    assert ("delegate@example.kz is disabled: logged out everywhere, and neither the password nor API tokens "
            "let them in until an organizer enables the account again.") in \
        html.unescape(org.get(response.headers["Location"]).get_data(as_text=True))
    assert state(app, delegate) == (False, 1)
    assert logged_in_as(victim) is None
    refused = log_in(app.test_client(), "delegate@example.kz")
    assert refused.status_code == 403
    assert DISABLED_MESSAGE in html.unescape(refused.get_data(as_text=True))
    guessed = log_in(app.test_client(), "delegate@example.kz", "wrong-password-1")
    assert guessed.status_code == 422
    assert "The e-mail or the password is not right." in guessed.get_data(as_text=True)


def test_enable_lets_the_delegate_log_in_again(app, org, delegate):
    org.post(f"/organizer/accounts/{delegate}/disable")

    response = org.post(f"/organizer/accounts/{delegate}/enable")

    assert response.status_code == 302
    assert "delegate@example.kz can log in again." in org.get(response.headers["Location"]).get_data(as_text=True)
    assert state(app, delegate) == (True, 1)
    client = app.test_client()
    assert log_in(client, "delegate@example.kz").status_code == 302
    assert logged_in_as(client) == "delegate@example.kz"


def test_disable_twice_changes_nothing_more(app, org, delegate):
    org.post(f"/organizer/accounts/{delegate}/disable")

    assert org.post(f"/organizer/accounts/{delegate}/disable").status_code == 302

    assert state(app, delegate) == (False, 1)


def test_disable_refuses_its_api_tokens(app, org, delegate):
    with app.app_context():
        secret = factories.api_token(delegate, scope="read")

    org.post(f"/organizer/accounts/{delegate}/disable")

    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.get_json()["detail"] == "This account is disabled."


def test_organizer_cannot_disable_themselves(app, org, organizer):
    response = org.post(f"/organizer/accounts/{organizer}/disable")

    assert response.status_code == 302 and response.headers["Location"] == "/organizer/companies"
    assert "You cannot disable or enable your own account." in \
        org.get("/organizer/companies").get_data(as_text=True)
    assert state(app, organizer) == (True, 0)
    assert logged_in_as(org) == "org@example.kz"


def test_organizer_can_disable_another_organizer(app, org, make_user):
    other = make_user(email="org2@example.kz", role=Role.ORGANIZER)

    response = org.post(f"/organizer/accounts/{other}/disable")

    assert response.status_code == 302 and response.headers["Location"] == "/organizer/companies"
    assert state(app, other) == (False, 1)


def test_disable_unknown_account_is_404(app, org, delegate):
    assert org.post("/organizer/accounts/999999/disable").status_code == 404
    assert state(app, delegate) == (True, 0)


def test_participant_cannot_disable_anyone(app, delegate, make_user, company_id):
    colleague = make_user(email="colleague@example.kz", company_id=company_id)
    client = app.test_client()
    log_in(client, "colleague@example.kz")

    assert client.post(f"/organizer/accounts/{delegate}/disable").status_code == 403
    assert client.post(f"/organizer/accounts/{colleague}/enable").status_code == 403

    assert state(app, delegate) == (True, 0)


def test_anonymous_cannot_disable(app, client, delegate):
    response = client.post(f"/organizer/accounts/{delegate}/disable")

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert state(app, delegate) == (True, 0)


def test_set_active_refuses_a_participant_actor(app, delegate, make_user):
    other = make_user(email="other@example.kz")
    with app.app_context():
        actor = db.session.get(User, delegate)
        with pytest.raises(PermissionDenied) as refused:
            accounts.set_active(actor, other, False)
    assert refused.value.message == "Only organizers can disable or enable accounts."
    assert state(app, other) == (True, 0)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_disable_without_csrf_token_is_refused(app, delegate, organizer):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": "org@example.kz", "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302

    response = client.post(f"/organizer/accounts/{delegate}/disable")

    assert response.status_code == 400
    assert state(app, delegate) == (True, 0)
