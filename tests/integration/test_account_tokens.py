"""Integration tests: the account page, where a user makes, sees and revokes personal API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ApiToken, Role, TokenScope, utcnow
from tests import factories
from tests.integration.api_helpers import bearer, problem

SECRET = re.compile(r"fmk_[A-Za-z0-9_-]{43}")


def token_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken))


def only_token(app) -> ApiToken:
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        db.session.expunge(token)
        return token


def test_account_page_shows_the_user_and_company(client, app, login_as):
    with app.app_context():
        company_id = factories.company(name="Qarshi Dairy")
        user_id = factories.user(email="aziz@qarshi.example", company_id=company_id, full_name="Aziz Karimov")
    login_as(user_id)

    response = client.get("/account")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aziz Karimov" in page
    assert "aziz@qarshi.example" in page
    assert "Company delegate" in page
    assert f'href="/companies/{company_id}">Qarshi Dairy</a>' in page
    assert "You have no API tokens yet." in page
    assert 'href="/api/v1/docs"' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_account_page_of_an_organizer_has_no_company(client, app, login_as):
    with app.app_context():
        user_id = factories.user(role=Role.ORGANIZER, email="org@forum.example")
    login_as(user_id)

    page = client.get("/account").get_data(as_text=True)

    assert "Organizer" in page
    assert "Company</dt>" not in page


def test_footer_links_to_the_account_page(client, login_as, make_user):
    login_as(make_user(email="footer@example.com"))

    page = client.get("/").get_data(as_text=True)

    assert '<a href="/account">Logged in as footer@example.com</a>' in page


def test_account_page_when_anonymous_redirects_to_login(client, app):
    response = client.get("/account")
    made = client.post("/account/tokens", data={"name": "Script", "scope": "read", "days": "30"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=%2Faccount")
    assert made.status_code == 302
    assert token_count(app) == 0


def test_make_token_shows_the_secret_once(client, app, login_as, make_user):
    login_as(make_user())

    response = client.post("/account/tokens", data={"name": "Agenda script", "scope": "write", "days": "30"})

    page = response.get_data(as_text=True)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secrets = set(SECRET.findall(page))
    assert len(secrets) == 1
    secret = secrets.pop()
    assert "Copy it now: it is shown only this once." in page
    assert f'value="{secret}"' in page
    assert 'data-copy-target="new-token-secret"' in page
    assert f'curl -H "Authorization: Bearer {secret}" http://localhost/api/v1/me</code>' in page
    # The form is empty again, ready for another token.
    assert 'value="Agenda script"' not in page
    token = only_token(app)
    assert token.name == "Agenda script"
    assert token.scope == TokenScope.WRITE
    assert token.prefix == secret[:10]
    assert token.token_hash != secret and secret not in token.token_hash
    # The next visit lists the token but never shows the secret again.
    again = client.get("/account").get_data(as_text=True)
    assert secret not in again
    assert SECRET.search(again) is None
    assert f"{secret[:10]}…" in again
    # And the secret works.
    assert client.get("/api/v1/me", headers=bearer(secret)).get_json()["token"]["name"] == "Agenda script"


def test_make_token_secret_is_not_kept_in_the_session(client, app, login_as, make_user):
    login_as(make_user())

    response = client.post("/account/tokens", data={"name": "Bot", "scope": "read", "days": "7"})

    secret = SECRET.search(response.get_data(as_text=True)).group(0)
    with client.session_transaction() as session:
        assert secret not in repr(dict(session))


def test_token_list_shows_prefix_scope_and_expiry(client, app, login_as, make_user):
    user_id = make_user()
    with app.app_context():
        read_secret = factories.api_token(user_id, scope="read", days=7, name="Read script")
        write_secret = factories.api_token(user_id, scope="write", days=None, name="Write bot")
        read = db.session.scalar(select(ApiToken).where(ApiToken.name == "Read script"))
        expected_expiry = read.expires_at + timedelta(hours=5)  # Asia/Tashkent, the default zone
    login_as(user_id)

    page = client.get("/account").get_data(as_text=True)

    items = re.findall(r'<li class="token token-(\w+)".*?</li>', page, re.S)
    assert items == ["active", "active"]
    write_item, read_item = re.findall(r'<li class="token .*?</li>', page, re.S)  # newest first
    assert "Write bot" in write_item and "Read and write" in write_item and "Never" in write_item
    assert f"{write_secret[:10]}…" in write_item
    assert "Read script" in read_item and "Read only" in read_item
    assert f"{read_secret[:10]}…" in read_item
    assert expected_expiry.strftime("%-d %b %Y, %H:%M") in read_item
    assert "Not yet" in read_item


def test_token_name_empty_is_a_field_error_and_no_token(client, app, login_as, make_user):
    login_as(make_user())

    response = client.post("/account/tokens", data={"name": "   ", "scope": "read", "days": "30"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the token a name, such as “Agenda script”." in page
    assert 'id="name-errors"' in page
    assert SECRET.search(page) is None
    assert token_count(app) == 0


def test_token_name_too_long_is_a_field_error_and_no_token(client, app, login_as, make_user):
    login_as(make_user())

    response = client.post("/account/tokens", data={"name": "x" * 81, "scope": "read", "days": "30"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Field cannot be longer than 80 characters." in page
    assert token_count(app) == 0


def test_token_with_unknown_scope_or_lifetime_is_refused(client, app, login_as, make_user):
    login_as(make_user())

    bad_scope = client.post("/account/tokens", data={"name": "Script", "scope": "admin", "days": "30"})
    bad_days = client.post("/account/tokens", data={"name": "Script", "scope": "read", "days": "3650"})

    assert bad_scope.status_code == 422
    assert 'id="scope-errors"' in bad_scope.get_data(as_text=True)
    assert bad_days.status_code == 422
    assert 'id="days-errors"' in bad_days.get_data(as_text=True)
    assert token_count(app) == 0


def test_token_that_never_expires_has_no_expiry(client, app, login_as, make_user):
    login_as(make_user())

    client.post("/account/tokens", data={"name": "Forever", "scope": "read", "days": "never"})

    assert only_token(app).expires_at is None


def test_token_limit_is_shown_as_a_page_error(client, app, login_as, make_user):
    user_id = make_user()
    with app.app_context():
        for number in range(20):
            factories.api_token(user_id, name=f"Script {number}")
    login_as(user_id)

    response = client.post("/account/tokens", data={"name": "One more", "scope": "read", "days": "30"})

    assert response.status_code == 422
    assert "You already have 20 tokens. Revoke one you no longer use first." in response.get_data(as_text=True)
    assert token_count(app) == 20


def test_revoke_token_marks_it_revoked_and_the_api_refuses_it(client, app, login_as, make_user):
    user_id = make_user()
    with app.app_context():
        secret = factories.api_token(user_id, name="Old script")
    token_id = only_token(app).id
    login_as(user_id)

    response = client.post(f"/account/tokens/{token_id}/revoke", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The token “Old script” is revoked" in page
    assert re.search(r'<li class="token token-revoked".*?Revoked', page, re.S)
    assert f"/account/tokens/{token_id}/revoke" not in page  # no button for a revoked token
    assert "You have no active API tokens." in page
    assert "1 revoked or expired token</summary>" in page
    assert only_token(app).revoked_at is not None
    problem(client.get("/api/v1/me", headers=bearer(secret)), 401, "token-revoked")


def test_revoke_another_users_token_is_not_found_and_changes_nothing(client, app, login_as, make_user):
    owner = make_user()
    with app.app_context():
        secret = factories.api_token(owner)
    token_id = only_token(app).id
    login_as(make_user())

    response = client.post(f"/account/tokens/{token_id}/revoke")
    missing = client.post("/account/tokens/999999/revoke")

    assert response.status_code == 404
    assert missing.status_code == 404
    assert only_token(app).revoked_at is None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_revoke_when_anonymous_redirects_to_login(client, app, make_user):
    with app.app_context():
        factories.api_token(factories.user())
    token_id = only_token(app).id

    response = client.post(f"/account/tokens/{token_id}/revoke")

    assert response.status_code == 302
    assert only_token(app).revoked_at is None


def test_read_only_token_made_on_the_page_is_refused_on_writes(client, app, login_as, make_user):
    login_as(make_user())
    page = client.post("/account/tokens", data={"name": "Reader", "scope": "read", "days": "30"})
    secret = SECRET.search(page.get_data(as_text=True)).group(0)
    client.post("/logout")

    read = client.get("/api/v1/me", headers=bearer(secret))
    write = client.post("/api/v1/my/notifications/read", headers=bearer(secret))

    assert read.status_code == 200
    assert read.get_json()["token"]["scope"] == "read"
    problem(write, 403, "read-only-token")


def test_expired_token_is_listed_as_expired_and_refused(client, app, login_as, make_user):
    user_id = make_user()
    with app.app_context():
        secret = factories.api_token(user_id, days=7, name="Week script")
        token = db.session.scalars(select(ApiToken)).one()
        token.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    login_as(user_id)

    page = client.get("/account").get_data(as_text=True)

    assert re.search(r'<li class="token token-expired".*?Expired', page, re.S)
    assert "1 revoked or expired token</summary>" in page
    assert "/revoke" not in page
    problem(client.get("/api/v1/me", headers=bearer(secret)), 401, "token-expired")
