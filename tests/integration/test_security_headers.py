"""Integration tests: every page, error pages included, carries the security headers."""

from __future__ import annotations

import pytest

from forum.security import HEADERS
from tests.factories import PASSWORD


@pytest.mark.parametrize("path", ["/", "/companies/", "/companies/1", "/signup", "/login", "/nope",
                                  "/static/css/forum.css"])
def test_security_headers_on_every_response(client, make_company, path):
    make_company()
    response = client.get(path)
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_security_headers_session_cookie_is_httponly_and_lax(client, make_user):
    make_user(email="cookie@example.com")
    response = client.post("/login", data={"email": "cookie@example.com", "password": PASSWORD, "remember": "y"})
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies["session"]
    assert "SameSite=Lax" in cookies["session"]
    assert "HttpOnly" in cookies["remember_token"]
