"""Integration tests: GET /me, the company's notifications, and browser sessions calling the API with CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Notification, Role, User
from tests import factories
from tests.integration.api_helpers import bearer, problem


@pytest.fixture
def app_config() -> dict:
    # As in production: a browser session's writes need the CSRF token.
    return {"WTF_CSRF_ENABLED": True}


def log_in(client, app, user_id: int) -> None:
    """The login form with its CSRF token, as a browser sends it."""
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
    with app.app_context():
        email = factories.email_of(user_id)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302


def notices(app, company_id: int, count: int, read: int = 0) -> list[int]:
    """``count`` notices for the company, one minute apart (the last is newest); the first ``read`` are read."""
    start = datetime(2024, 10, 17, 4, 0, tzinfo=UTC)
    ids = []
    with app.app_context():
        other = factories.company(name="Shahrisabz Packaging")
        request_id = factories.accepted_request(other, company_id)
        for number in range(count):
            row = Notification(company_id=company_id, kind="request_accepted",
                               data={"other": "Shahrisabz Packaging", "other_id": other},
                               request_id=request_id if number % 2 else None,
                               created_at=start + timedelta(minutes=number),
                               read_at=start + timedelta(hours=1) if number < read else None)
            db.session.add(row)
            db.session.commit()
            ids.append(row.id)
    return ids


def unread(app, company_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.company_id == company_id, Notification.read_at.is_(None)))


# --- GET /me -----------------------------------------------------------------------------------------

def test_me_when_anonymous_is_401(client):
    response = client.get("/api/v1/me")

    problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="forum"'


def test_me_with_a_participant_token(client, app):
    with app.app_context():
        company_id = factories.company(name="Qarshi Dairy")
        user_id = factories.user(email="aziz@qarshi.example", company_id=company_id, full_name="Aziz Karimov")
        secret = factories.api_token(user_id, scope="read", days=30, name="Agenda script")

    response = client.get("/api/v1/me", headers=bearer(secret))

    body = response.get_json()
    assert response.status_code == 200
    assert body["user"] == {"id": user_id, "email": "aziz@qarshi.example", "full_name": "Aziz Karimov",
                            "role": "participant"}
    assert body["company_id"] == company_id
    assert body["token"]["name"] == "Agenda script"
    assert body["token"]["scope"] == "read"
    expires = datetime.fromisoformat(body["token"]["expires_at"])
    assert expires.utcoffset() == timedelta(hours=5)
    assert timedelta(days=29, hours=23) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert body["csrf_token"] is None
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_me_with_an_organizer_token_that_never_expires(client, app):
    with app.app_context():
        user_id = factories.user(role=Role.ORGANIZER, email="org@forum.example", full_name="Dilnoza")
        secret = factories.api_token(user_id, scope="write")

    body = client.get("/api/v1/me", headers=bearer(secret)).get_json()

    assert body["user"]["role"] == "organizer"
    assert body["company_id"] is None
    assert body["token"] == {"name": "Test script", "scope": "write", "expires_at": None}


def test_me_with_a_session_has_a_csrf_token_and_no_token(client, app):
    with app.app_context():
        user_id = factories.user(email="session@example.com")
    log_in(client, app, user_id)

    body = client.get("/api/v1/me").get_json()

    assert body["user"]["email"] == "session@example.com"
    assert body["token"] is None
    assert isinstance(body["csrf_token"], str) and len(body["csrf_token"]) > 20


# --- Notifications -----------------------------------------------------------------------------------

def test_notifications_newest_first_in_local_time(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
        secret = factories.api_token(user_id, scope="read")
    ids = notices(app, company_id, 3, read=1)

    response = client.get("/api/v1/my/notifications", headers=bearer(secret))

    body = response.get_json()
    assert response.status_code == 200
    assert [item["id"] for item in body["items"]] == ids[::-1]
    newest = body["items"][0]
    assert newest == {"id": ids[2], "kind": "request_accepted",
                      "text": "Shahrisabz Packaging accepted your meeting request",
                      "created_at": "2024-10-17T09:02:00+05:00", "read": False, "request_id": None}
    assert body["items"][1]["request_id"] is not None
    assert [item["read"] for item in body["items"]] == [False, False, True]
    assert (body["total"], body["page"], body["pages"]) == (3, 1, 1)
    # Reading the list marks nothing read.
    assert unread(app, company_id) == 2


def test_notifications_unread_only_and_paging(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
        secret = factories.api_token(user_id, scope="read")
    ids = notices(app, company_id, 5, read=2)

    first = client.get("/api/v1/my/notifications?unread_only=true&per_page=2", headers=bearer(secret)).get_json()
    second = client.get(first["links"]["next"], headers=bearer(secret)).get_json()

    assert [item["id"] for item in first["items"]] == [ids[4], ids[3]]
    assert [item["id"] for item in second["items"]] == [ids[2]]
    assert (first["total"], first["pages"], second["page"]) == (3, 2, 2)
    assert second["links"]["next"] is None
    assert "unread_only=true" in second["links"]["prev"]


def test_notifications_of_another_company_are_not_shown(client, app):
    with app.app_context():
        user_id = factories.user()
        secret = factories.api_token(user_id, scope="read")
        other_company = factories.company()
    notices(app, other_company, 2)

    body = client.get("/api/v1/my/notifications", headers=bearer(secret)).get_json()

    assert body["items"] == []
    assert body["total"] == 0


def test_notifications_for_an_organizer_are_403(client, app):
    with app.app_context():
        secret = factories.api_token(factories.user(role=Role.ORGANIZER))

    listed = client.get("/api/v1/my/notifications", headers=bearer(secret))
    marked = client.post("/api/v1/my/notifications/read", headers=bearer(secret))

    problem(listed, 403, "forbidden")
    problem(marked, 403, "forbidden")


def test_notifications_when_anonymous_are_401(client, app):
    with app.app_context():
        company_id = factories.company()
    notices(app, company_id, 1)

    problem(client.get("/api/v1/my/notifications"), 401, "unauthorized")
    problem(client.post("/api/v1/my/notifications/read"), 401, "unauthorized")
    assert unread(app, company_id) == 1


def test_notifications_bad_query_is_422(client, app):
    with app.app_context():
        secret = factories.api_token(factories.user(), scope="read")

    response = client.get("/api/v1/my/notifications?unread_only=maybe&colour=red", headers=bearer(secret))

    body = problem(response, 422, "validation")
    assert {error["field"]: error["code"] for error in body["errors"]} == {"unread_only": "bool_type",
                                                                         "colour": "unknown_field"}


def test_mark_notifications_read_with_a_write_token(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
        secret = factories.api_token(user_id, scope="write")
        colleague_secret = factories.api_token(factories.user(company_id=company_id), scope="read")
    notices(app, company_id, 3, read=1)

    response = client.post("/api/v1/my/notifications/read", headers=bearer(secret))
    again = client.post("/api/v1/my/notifications/read", headers=bearer(secret))

    assert response.status_code == 200
    assert response.get_json() == {"marked": 2, "unread": 0}
    assert response.headers["Cache-Control"] == "no-store"
    assert again.get_json() == {"marked": 0, "unread": 0}
    # Read for the whole company: a colleague sees them read too.
    colleague = client.get("/api/v1/my/notifications", headers=bearer(colleague_secret)).get_json()
    assert all(item["read"] for item in colleague["items"])


def test_mark_notifications_read_with_a_read_only_token_is_403_and_nothing_changes(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
        secret = factories.api_token(user_id, scope="read")
    notices(app, company_id, 2)

    response = client.post("/api/v1/my/notifications/read", headers=bearer(secret))

    problem(response, 403, "read-only-token")
    assert unread(app, company_id) == 2


# --- Browser sessions and CSRF -----------------------------------------------------------------------

def test_session_write_without_csrf_header_is_403_and_nothing_changes(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
    notices(app, company_id, 2)
    log_in(client, app, user_id)

    response = client.post("/api/v1/my/notifications/read")
    wrong = client.post("/api/v1/my/notifications/read", headers={"X-CSRFToken": "not-the-token"})

    problem(response, 403, "csrf")
    problem(wrong, 403, "csrf")
    assert unread(app, company_id) == 2


def test_session_write_with_the_csrf_token_from_me_works(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
    notices(app, company_id, 2)
    log_in(client, app, user_id)
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]

    response = client.post("/api/v1/my/notifications/read", headers={"X-CSRFToken": csrf})

    assert response.status_code == 200
    assert response.get_json() == {"marked": 2, "unread": 0}
    assert unread(app, company_id) == 0


def test_token_write_needs_no_csrf_token(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
        secret = factories.api_token(user_id)
    notices(app, company_id, 1)

    response = client.post("/api/v1/my/notifications/read", headers=bearer(secret))

    assert response.get_json() == {"marked": 1, "unread": 0}


def test_session_of_an_account_disabled_since_login_is_refused(client, app):
    with app.app_context():
        user_id = factories.user()
    log_in(client, app, user_id)
    assert client.get("/api/v1/me").status_code == 200
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()

    # The browser still holds its session cookie; the API no longer takes it as the account.
    problem(client.get("/api/v1/me"), 401, "unauthorized")
