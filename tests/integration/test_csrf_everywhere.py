"""With CSRF protection on, as in production: every state-changing route, taken from ``app.url_map`` so that new
ones are covered, refuses a request without its token and writes nothing. Pages answer 400 "The form expired";
the JSON API answers 403 problem "csrf" to a browser session, and needs no token with a bearer token.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.integration import authz_world
from tests.integration.api_helpers import bearer, problem
from tests.integration.test_authorization_matrix import MATRIX, ROLES

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def token_from(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)


def log_in(app: Flask, client: FlaskClient, user_id: int) -> None:
    with app.app_context():
        email = factories.email_of(user_id)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD,
                                           "csrf_token": token_from(client, "/login")})
    assert response.status_code == 302, response.get_data(as_text=True)


def role_that_may_use(endpoint: str, method: str) -> str:
    """The first of anonymous, A's delegate, the organizer that the matrix lets through this door."""
    expected = dict(zip(ROLES, MATRIX[(endpoint, method)], strict=True))
    for role in ("anon", "a", "org", "b"):
        if expected[role] in ("ok", "input"):
            return role
    raise AssertionError(f"nobody may use {endpoint} {method}")


def write_routes(app: Flask) -> list[tuple[str, str, str]]:
    return [route for route in authz_world.rules(app) if route[1] in WRITE_METHODS]


def test_csrf_every_write_route_refuses_a_request_without_token(app: Flask):
    world = authz_world.build(app)
    routes = write_routes(app)
    assert len(routes) > 60
    by_role: dict[str, list[tuple[str, str, str]]] = {}
    for endpoint, method, rule in routes:
        by_role.setdefault(role_that_may_use(endpoint, method), []).append((endpoint, method, rule))
    for role, role_routes in by_role.items():
        client = app.test_client()
        if role != "anon":
            log_in(app, client, world.users[role])
        for endpoint, method, rule in role_routes:
            url = authz_world.url_for_rule(rule, world, endpoint)
            before = authz_world.row_counts(app)
            if url.startswith("/api/"):
                response = client.open(url, method=method, json={})
                problem(response, 403, "csrf")
            else:
                response = client.open(url, method=method, data={})
                assert response.status_code == 400, (endpoint, method, role, response.status_code)
                assert "The form expired" in response.get_data(as_text=True), (endpoint, method)
            assert authz_world.row_counts(app) == before, f"{endpoint} {method} wrote without a CSRF token"


def test_csrf_api_session_with_a_forged_header_is_refused(app: Flask, client: FlaskClient):
    world = authz_world.build(app)
    log_in(app, client, world.users["a"])
    before = authz_world.row_counts(app)
    response = client.post(f"/api/v1/my/matches/{world.c}/dismiss", headers={"X-CSRFToken": "forged"})
    problem(response, 403, "csrf")
    assert authz_world.row_counts(app) == before


def test_csrf_api_session_with_the_page_token_in_the_header_is_let_through(app: Flask, client: FlaskClient):
    world = authz_world.build(app)
    log_in(app, client, world.users["a"])
    before = authz_world.row_counts(app)
    response = client.post(f"/api/v1/my/matches/{world.c}/dismiss",
                           headers={"X-CSRFToken": token_from(client, "/account")})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert authz_world.row_counts(app)["match_dismissal"] == before["match_dismissal"] + 1


def test_csrf_api_bearer_token_needs_no_csrf_token(app: Flask, client: FlaskClient):
    world = authz_world.build(app)
    before = authz_world.row_counts(app)
    response = client.post(f"/api/v1/my/matches/{world.c}/dismiss", headers=bearer(world.tokens["a"]))
    assert response.status_code == 204, response.get_data(as_text=True)
    assert authz_world.row_counts(app)["match_dismissal"] == before["match_dismissal"] + 1
