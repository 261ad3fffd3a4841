"""Every page (every GET route in ``app.url_map``, opened by a role that may open it), every API answer and the
error pages carry the security headers of forum.security exactly; the session and remember-me cookies carry
their flags."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.security import HEADERS
from tests import factories
from tests.integration import authz_world
from tests.integration.test_authorization_matrix import MATRIX, ROLES, call, log_in


@pytest.fixture
def app_config(request) -> dict:
    return getattr(request, "param", {})


# Pages with a secret in the URL send no Referer at all, stricter than the site-wide "same-origin".
NO_REFERRER = {"agenda.calendar_feed", "auth.reset_password"}


def assert_security_headers(response, where: str, endpoint: str = "") -> None:
    expected = {**HEADERS, "Referrer-Policy": "no-referrer"} if endpoint in NO_REFERRER else HEADERS
    for name, value in expected.items():
        assert response.headers.get(name) == value, f"{where}: {name} is {response.headers.get(name)!r}"
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert "frame-ancestors 'none'" in policy, where


def test_headers_policy_is_strict():
    assert HEADERS["X-Content-Type-Options"] == "nosniff"
    assert HEADERS["Referrer-Policy"] == "same-origin"
    assert "camera=()" in HEADERS["Permissions-Policy"]
    assert "'unsafe-inline'" not in HEADERS["Content-Security-Policy"]


def test_headers_on_every_get_route(app: Flask):
    world = authz_world.build(app)
    clients: dict[str, FlaskClient] = {}
    checked = 0
    for endpoint, method, rule in authz_world.rules(app):
        if method != "GET":
            continue
        expected = dict(zip(ROLES, MATRIX[(endpoint, method)], strict=True))
        role = next((r for r in ("anon", "a", "org", "b") if expected[r] == "ok"), "anon")
        if role not in clients:
            clients[role] = app.test_client()
            if role != "anon":
                log_in(app, clients[role], world.users[role])
        response = call(clients[role], world, role, endpoint, method, rule)
        assert response.status_code < 400, (endpoint, role, response.status_code)
        assert_security_headers(response, f"{endpoint} as {role}", endpoint)
        checked += 1
    assert checked > 60


@pytest.mark.parametrize("path", ["/no-such-page", "/api/v1/no-such-thing", "/api/v1/me", "/organizer/"])
def test_headers_on_errors_and_refusals(client: FlaskClient, path: str):
    response = client.get(path)
    assert response.status_code in (302, 401, 404)
    assert_security_headers(response, path)


def test_headers_on_a_refused_form_and_the_api_refusal(app: Flask, client: FlaskClient):
    response = client.post("/login", data={"email": "nobody@example.com", "password": "wrong-password-1"})
    assert response.status_code == 422
    assert_security_headers(response, "refused login")
    response = client.post("/api/v1/my/requests", json={})
    assert response.status_code == 401
    assert_security_headers(response, "API refusal")


def cookie_header(response, name: str) -> str:
    found = [value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return found[0]


def log_in_remembered(app: Flask, client: FlaskClient):
    with app.app_context():
        user_id = factories.user()
        email = factories.email_of(user_id)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return response


def test_cookies_http_only_and_lax_without_secure_by_default(app: Flask, client: FlaskClient):
    response = log_in_remembered(app, client)
    for name in ("session", "remember_token"):
        value = cookie_header(response, name)
        assert "HttpOnly" in value, value
        assert "SameSite=Lax" in value, value
        assert "Secure" not in value, value


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}], indirect=True)
def test_cookies_secure_when_configured_for_https(app: Flask, client: FlaskClient):
    response = log_in_remembered(app, client)
    for name in ("session", "remember_token"):
        value = cookie_header(response, name)
        assert "Secure" in value, value
        assert "HttpOnly" in value, value
        assert "SameSite=Lax" in value, value
