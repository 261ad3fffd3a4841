"""Integration tests: with CSRF protection on, as in production, a form posted without its token is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, User
from tests import factories


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def token_from(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)


def log_in(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD,
                                           "csrf_token": token_from(client, "/login")})
    assert response.status_code == 302


def row_counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(User)),
                db.session.scalar(select(func.count()).select_from(Company)))


def assert_form_expired(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form expired" in page
    assert "For your security, forms expire. Go back, reload the page and send it again." in page


def test_login_with_the_token_from_the_form_works(client, make_user):
    make_user(email="delegate@example.kz")

    log_in(client, "delegate@example.kz")

    assert "Logged in as delegate@example.kz" in client.get("/").get_data(as_text=True)


def test_login_without_token_is_refused(client, make_user):
    make_user(email="delegate@example.kz")

    response = client.post("/login", data={"email": "delegate@example.kz", "password": factories.PASSWORD})

    assert_form_expired(response)
    assert "Logged in as" not in client.get("/").get_data(as_text=True)


def test_login_with_a_forged_token_is_refused(client, make_user):
    make_user(email="delegate@example.kz")
    client.get("/login")

    response = client.post("/login", data={"email": "delegate@example.kz", "password": factories.PASSWORD,
                                           "csrf_token": "forged"})

    assert_form_expired(response)
    assert "Logged in as" not in client.get("/").get_data(as_text=True)


def test_signup_without_token_writes_nothing(app, client, make_delegation):
    delegation_id = make_delegation(name="Almaty Region")
    with app.app_context():
        dairy = factories.sector_ids("dairy")[0]
    client.get("/signup")

    response = client.post("/signup", data={
        "full_name": "Aigerim Bekova", "email": "aigerim@dala-milk.kz",
        "password": "green apricot valley", "confirm": "green apricot valley",
        "name": "Dala Milk", "delegation": str(delegation_id), "country": "Kazakhstan",
        "sectors": [str(dairy)], "offers": "Milk",
    })

    assert_form_expired(response)
    assert row_counts(app) == (0, 0)


def test_logout_without_token_keeps_the_session(client, make_user):
    make_user(email="delegate@example.kz")
    log_in(client, "delegate@example.kz")

    response = client.post("/logout")

    assert_form_expired(response)
    assert "Logged in as delegate@example.kz" in client.get("/").get_data(as_text=True)


def test_logout_with_the_token_from_the_page_works(client, make_user):
    make_user(email="delegate@example.kz")
    log_in(client, "delegate@example.kz")

    response = client.post("/logout", data={"csrf_token": token_from(client, "/")})

    assert response.status_code == 302
    assert "Logged in as" not in client.get("/").get_data(as_text=True)


def test_edit_without_token_changes_nothing(app, client, make_company, make_user):
    company_id = make_company(name="Dala Milk")
    make_user(email="delegate@example.kz", company_id=company_id)
    log_in(client, "delegate@example.kz")
    with app.app_context():
        before = db.session.get(Company, company_id)
        delegation_id, sectors, version = before.delegation_id, [s.id for s in before.sectors], before.profile_version

    response = client.post(f"/companies/{company_id}/edit", data={
        "name": "Taken Over", "delegation": str(delegation_id), "country": "Kazakhstan",
        "sectors": [str(s) for s in sectors], "offers": "Nothing",
    })

    assert_form_expired(response)
    with app.app_context():
        after = db.session.get(Company, company_id)
        assert (after.name, after.offers, after.profile_version) == (
            "Dala Milk", "Pasteurised milk and kefir", version)
