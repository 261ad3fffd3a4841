"""Integration tests: inviting colleagues to a company and joining it through the link."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Role, User


def _invite(client, company_id: int, email: str) -> str:
    response = client.post(f"/companies/{company_id}/team", data={"email": email})
    assert response.status_code == 200
    link = re.search(r'<textarea id="invite-link" readonly rows="3">([^<]+)</textarea>',
                     response.get_data(as_text=True))
    return link.group(1).replace("http://localhost", "")


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_team_invitation_lets_colleague_join_company(app, client, make_company, make_user, login_as):
    company_id = make_company(name="Esik Dairy Plant")
    login_as(make_user(company_id=company_id, email="owner@esik.example"))
    path = _invite(client, company_id, "Colleague@Esik.example")
    client.post("/logout")

    page = client.get(path)
    assert page.status_code == 200
    assert "colleague@esik.example" in page.get_data(as_text=True)
    response = client.post(path, data={"full_name": "Bolat Serikov", "password": "spring milk yields",
                                       "confirm": "spring milk yields"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company_id}"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "colleague@esik.example"))
        assert (user.company_id, user.role, user.full_name) == (company_id, Role.PARTICIPANT, "Bolat Serikov")
    team_page = client.get(f"/companies/{company_id}/team").get_data(as_text=True)
    assert "Bolat Serikov" in team_page
    assert "owner@esik.example" in team_page


def test_team_invitation_is_single_use(app, client, make_company, make_user, login_as):
    company_id = make_company()
    login_as(make_user(company_id=company_id))
    path = _invite(client, company_id, "once@example.com")
    client.post("/logout")
    data = {"full_name": "First", "password": "a long enough phrase", "confirm": "a long enough phrase"}
    assert client.post(path, data=data).status_code == 302
    client.post("/logout")
    count = _user_count(app)

    again = client.post(path, data=data)
    assert again.status_code == 404
    assert "already been used" in again.get_data(as_text=True)
    assert _user_count(app) == count


def test_team_invitation_forged_or_expired_link_is_refused(app, client, make_company, make_user, login_as,
                                                             monkeypatch):
    company_id = make_company()
    login_as(make_user(company_id=company_id))
    path = _invite(client, company_id, "late@example.com")
    client.post("/logout")
    count = _user_count(app)

    forged = client.get(path[:-3] + "abc")
    assert forged.status_code == 404
    assert "not valid" in forged.get_data(as_text=True)

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 8 * 24 * 3600)
    expired = client.post(path, data={"full_name": "Late", "password": "a long enough phrase",
                                      "confirm": "a long enough phrase"})
    assert expired.status_code == 404
    assert "expired" in expired.get_data(as_text=True)
    assert _user_count(app) == count


def test_team_invitation_for_existing_account_is_refused(client, make_company, make_user, login_as):
    company_id = make_company()
    make_user(email="taken@example.com")
    login_as(make_user(company_id=company_id))
    response = client.post(f"/companies/{company_id}/team", data={"email": "TAKEN@example.com"})
    assert response.status_code == 422
    assert "already has an account" in response.get_data(as_text=True)
    assert "invite-link" not in response.get_data(as_text=True)


def test_team_invitation_bad_email_gets_message(client, make_company, make_user, login_as):
    company_id = make_company()
    login_as(make_user(company_id=company_id))
    for bad in ["", "not-an-email", "x" * 300 + "@example.com", "<script>@x.y"]:
        response = client.post(f"/companies/{company_id}/team", data={"email": bad})
        assert response.status_code == 422
        assert 'class="field-errors"' in response.get_data(as_text=True)
        assert "invite-link" not in response.get_data(as_text=True)


def test_team_join_weak_password_creates_nothing(app, client, make_company, make_user, login_as):
    company_id = make_company()
    login_as(make_user(company_id=company_id))
    path = _invite(client, company_id, "weak@example.com")
    client.post("/logout")
    count = _user_count(app)
    for password, message in [("short", "Use at least 10 characters."),
                              ("1234567890", "too easy to guess"),
                              ("weak@example.com", "e-mail address")]:
        response = client.post(path, data={"full_name": "W", "password": password, "confirm": password})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    mismatch = client.post(path, data={"full_name": "W", "password": "a long enough phrase",
                                       "confirm": "another long phrase"})
    assert "The two passwords differ." in mismatch.get_data(as_text=True)
    assert _user_count(app) == count


def test_team_page_is_only_for_the_company_and_organizers(client, make_company, make_user, login_as):
    company_id = make_company()
    other_id = make_company()
    assert client.get(f"/companies/{company_id}/team").status_code == 302  # to the login page
    login_as(make_user(company_id=other_id))
    assert client.get(f"/companies/{company_id}/team").status_code == 403
    assert client.post(f"/companies/{company_id}/team", data={"email": "x@example.com"}).status_code == 403
    client.post("/logout")
    login_as(make_user(role=Role.ORGANIZER, company_id=None, email="org@example.com"))
    assert client.get(f"/companies/{company_id}/team").status_code == 200


def test_team_join_while_logged_in_redirects(client, make_company, make_user, login_as):
    company_id = make_company()
    login_as(make_user(company_id=company_id))
    path = _invite(client, company_id, "someone@example.com")
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"



def test_team_invitation_form_is_empty_again_after_a_link(client, make_company, make_user, login_as):
    company_id = make_company()
    login_as(make_user(company_id=company_id))
    page = client.post(f"/companies/{company_id}/team", data={"email": "first@example.com"}).get_data(as_text=True)
    assert "Send this link to first@example.com." in page
    assert re.search(r'<input[^>]* id="email"[^>]* value=""', page)
