"""Integration tests: the API's plumbing on real operations. Who is calling (tokens and their refusals),
read-only tokens, problem details for unknown paths and methods, ETags and caching."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ApiToken, Notification, User, utcnow
from forum.services.forums import save_forum
from tests import factories
from tests.integration.api_helpers import bearer, problem

MARK_READ = "/api/v1/my/notifications/read"
INVALID_TOKEN = 'Bearer realm="forum", error="invalid_token"'


def delegate_with_notice(app, scope: str = "write", days: int | None = None) -> tuple[int, int, str]:
    """A delegate, one unread notice for their company and a token: (user id, company id, secret)."""
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
        db.session.add(Notification(company_id=company_id, kind="request_received",
                                    data={"other": "Kitob Orchards", "other_id": 1}))
        db.session.commit()
        secret = factories.api_token(user_id, scope=scope, days=days)
    return user_id, company_id, secret


def unread(app, company_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.company_id == company_id, Notification.read_at.is_(None)))


def set_token(app, secret: str, **values) -> None:
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == secret[:10]))
        for key, value in values.items():
            setattr(token, key, value)
        db.session.commit()


# --- Who is calling ----------------------------------------------------------------------------------

def test_missing_token_is_401_unauthorized(client, app):
    _user, company_id, _secret = delegate_with_notice(app)

    response = client.post(MARK_READ)

    body = problem(response, 401, "unauthorized")
    assert body["detail"] == "Log in, or send an API token as “Authorization: Bearer <token>”."
    assert body["instance"] == MARK_READ
    assert body["type"] == "http://localhost/api/v1/docs#problem-unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="forum"'
    assert response.headers["Cache-Control"] == "no-store"
    assert unread(app, company_id) == 1


@pytest.mark.parametrize("header", ["Basic x", "Bearer ", "Bearer", "fmk_abc", "Token fmk_abc"])
def test_malformed_authorization_is_401_unauthorized(client, app, header):
    _user, company_id, _secret = delegate_with_notice(app)

    response = client.post(MARK_READ, headers={"Authorization": header})
    public = client.get("/api/v1/sectors", headers={"Authorization": header})

    body = problem(response, 401, "unauthorized")
    assert body["detail"] == "Send the token as “Authorization: Bearer <token>”."
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="forum"'
    # A public operation refuses a broken header too, rather than quietly answering as to anyone.
    problem(public, 401, "unauthorized")
    assert unread(app, company_id) == 1


@pytest.mark.parametrize("secret", ["fmk_" + "x" * 43, "ghp_abcdef", "fmk_" + "x" * 200])
def test_unknown_token_is_401_token_invalid(client, app, secret):
    _user, company_id, _real = delegate_with_notice(app)

    response = client.post(MARK_READ, headers=bearer(secret))
    public = client.get("/api/v1/sectors", headers=bearer(secret))

    body = problem(response, 401, "token-invalid")
    assert body["detail"] == "The API token is not valid."
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN
    problem(public, 401, "token-invalid")
    assert unread(app, company_id) == 1


def test_expired_token_is_401_token_expired(client, app):
    _user, company_id, secret = delegate_with_notice(app, days=7)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    set_token(app, secret, expires_at=utcnow() - timedelta(seconds=1))

    response = client.post(MARK_READ, headers=bearer(secret))
    public = client.get("/api/v1/sectors", headers=bearer(secret))

    body = problem(response, 401, "token-expired")
    assert body["detail"] == "This API token has expired. Make a new one on your account page."
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN
    problem(public, 401, "token-expired")
    assert unread(app, company_id) == 1


def test_revoked_token_is_401_token_revoked(client, app):
    _user, company_id, secret = delegate_with_notice(app)
    set_token(app, secret, revoked_at=utcnow())

    response = client.post(MARK_READ, headers=bearer(secret))

    body = problem(response, 401, "token-revoked")
    assert body["detail"] == "This API token was revoked. Make a new one on your account page."
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN
    assert unread(app, company_id) == 1


def test_disabled_users_token_is_401_token_disabled(client, app):
    user_id, company_id, secret = delegate_with_notice(app)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()

    response = client.post(MARK_READ, headers=bearer(secret))

    body = problem(response, 401, "token-disabled")
    assert body["detail"] == "This account is disabled."
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN
    assert unread(app, company_id) == 1


def test_token_use_is_recorded_as_last_used(client, app):
    _user, _company, secret = delegate_with_notice(app)

    client.get("/api/v1/me", headers=bearer(secret))

    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert utcnow() - token.last_used_at < timedelta(minutes=1)


def test_read_only_token_on_post_is_403_and_nothing_written(client, app):
    _user, company_id, secret = delegate_with_notice(app, scope="read")

    response = client.post(MARK_READ, headers=bearer(secret))

    body = problem(response, 403, "read-only-token")
    assert body["detail"] == "This token is read-only. Make a read and write token to change anything."
    assert unread(app, company_id) == 1


def test_write_token_on_post_works(client, app):
    _user, company_id, secret = delegate_with_notice(app, scope="write")

    response = client.post(MARK_READ, headers=bearer(secret))

    assert response.get_json() == {"marked": 1, "unread": 0}
    assert unread(app, company_id) == 0


# --- Problems for paths and methods ------------------------------------------------------------------

def test_unknown_api_path_is_a_404_problem(client):
    response = client.get("/api/v1/no/such/thing")

    body = problem(response, 404, "not-found")
    assert body["detail"] == "There is no such API resource. The reference lists them all."
    assert body["instance"] == "/api/v1/no/such/thing"


def test_wrong_method_is_a_405_problem_with_allow(client, app):
    _user, company_id, secret = delegate_with_notice(app)

    get_on_post = client.get(MARK_READ, headers=bearer(secret))
    post_on_get = client.post("/api/v1/sectors")

    body = problem(get_on_post, 405, "method-not-allowed")
    assert body["detail"] == "This resource does not accept GET."
    assert "POST" in {m.strip() for m in get_on_post.headers["Allow"].split(",")}
    assert "GET" not in {m.strip() for m in get_on_post.headers["Allow"].split(",")}
    problem(post_on_get, 405, "method-not-allowed")
    assert "GET" in post_on_get.headers["Allow"]
    assert unread(app, company_id) == 1


# --- Caching -----------------------------------------------------------------------------------------

def test_etag_with_if_none_match_is_304_with_empty_body(client, app):
    with app.app_context():
        save_forum("Kashkadarya Invest-2024", "Qarshi", "Congress Hall", date(2024, 10, 17), date(2024, 10, 18))
        db.session.commit()

    first = client.get("/api/v1/forum")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/forum", headers={"If-None-Match": etag})
    stale = client.get("/api/v1/forum", headers={"If-None-Match": '"something-else"'})

    assert first.status_code == 200
    assert first.get_json()["name"] == "Kashkadarya Invest-2024"
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert stale.status_code == 200
    assert stale.get_json() == first.get_json()


def test_etag_changes_when_the_data_changes(client, app):
    with app.app_context():
        save_forum("Kashkadarya Invest-2024", "Qarshi", "Congress Hall", date(2024, 10, 17), date(2024, 10, 18))
        db.session.commit()
    etag = client.get("/api/v1/forum").headers["ETag"]
    with app.app_context():
        save_forum("Kashkadarya Invest-2025", "Qarshi", "Congress Hall", date(2025, 10, 17), date(2025, 10, 18))
        db.session.commit()

    response = client.get("/api/v1/forum", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.get_json()["name"] == "Kashkadarya Invest-2025"
    assert response.headers["ETag"] != etag


def test_cache_control_is_public_for_anonymous_and_private_for_callers(client, app):
    _user, _company, secret = delegate_with_notice(app, scope="read")

    anonymous = client.get("/api/v1/sectors")
    with_token = client.get("/api/v1/sectors", headers=bearer(secret))
    mine = client.get("/api/v1/my/notifications", headers=bearer(secret))

    assert anonymous.headers["Cache-Control"] == "public, no-cache"
    assert with_token.headers["Cache-Control"] == "private, no-cache"
    assert mine.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in mine.headers["Vary"]
