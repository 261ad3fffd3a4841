"""Integration tests: the meeting request pages — ask, answer, cancel, notices — through the test client."""

from __future__ import annotations

import html

import pytest
from flask import Flask
from sqlalchemy import select

from forum.extensions import db
from forum.models import MeetingRequest, Notification, RequestStatus, Role
from tests import factories
from tests.integration.test_companies import field_errors


@pytest.fixture
def two(app: Flask) -> dict:
    with app.app_context():
        left = factories.delegation("Almaty Region (Kazakhstan)")
        right = factories.delegation("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
        a = factories.company(delegation_id=left, name="Esik Dairy")
        b = factories.company(delegation_id=right, name="Qarshi Film")
        return {"a": a, "b": b, "a_user": factories.user(company_id=a), "b_user": factories.user(company_id=b)}


def the_request(app: Flask) -> MeetingRequest:
    with app.app_context():
        request = db.session.scalar(select(MeetingRequest))
        db.session.expunge(request)
        return request


def test_request_form_sends_and_lists_it(client, login_as, two, app):
    login_as(two["a_user"])
    assert client.get(f"/companies/{two['b']}/request-meeting").status_code == 200
    response = client.post(f"/companies/{two['b']}/request-meeting",
                           data={"message": "Barrier film for milk", "session": "morning"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/companies/{two['a']}/meetings")
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Qarshi Film" in page and "waiting for an answer" in page
    request = the_request(app)
    assert (request.message, request.session_preference.value) == ("Barrier film for milk", "morning")


def test_request_with_too_long_message_refused(client, login_as, two, app):
    login_as(two["a_user"])
    response = client.post(f"/companies/{two['b']}/request-meeting", data={"message": "x" * 1001})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["message"]
    with app.app_context():
        assert db.session.scalar(select(MeetingRequest)) is None


def test_duplicate_request_shows_reason(client, login_as, two):
    login_as(two["a_user"])
    client.post(f"/companies/{two['b']}/request-meeting", data={})
    response = client.post(f"/companies/{two['b']}/request-meeting", data={})
    assert response.status_code == 422
    assert "There is already an open request between Esik Dairy and Qarshi Film" in \
        html.unescape(response.get_data(as_text=True))


def test_request_to_self_or_missing_company(client, login_as, two):
    login_as(two["a_user"])
    response = client.post(f"/companies/{two['a']}/request-meeting", data={})
    assert response.status_code == 422
    assert "cannot request a meeting with itself" in response.get_data(as_text=True)
    assert client.post("/companies/999999/request-meeting", data={}).status_code == 404
    assert client.get(f"/companies/{2**40}/request-meeting").status_code == 404


def test_recipient_accepts_and_requester_is_told(client, login_as, two, app):
    login_as(two["a_user"])
    client.post(f"/companies/{two['b']}/request-meeting", data={})
    request = the_request(app)
    client.post("/logout")
    login_as(two["b_user"])
    response = client.post(f"/meetings/{request.id}/accept", data={"version": request.version},
                           follow_redirects=True)
    assert "The request with Esik Dairy is now accepted." in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        kinds = list(db.session.scalars(select(Notification.kind).where(Notification.company_id == two["a"])))
    assert kinds == ["request_accepted"]


def test_stale_answer_refused_with_current_state(client, login_as, two, app):
    login_as(two["a_user"])
    client.post(f"/companies/{two['b']}/request-meeting", data={})
    request = the_request(app)
    client.post("/logout")
    login_as(two["b_user"])
    client.post(f"/meetings/{request.id}/decline", data={"version": request.version})
    page = client.post(f"/meetings/{request.id}/accept", data={"version": request.version},
                       follow_redirects=True).get_data(as_text=True)
    assert "changed since you opened it: it is now declined" in page
    assert the_request(app).status == RequestStatus.DECLINED


def test_requester_cannot_accept_and_strangers_cannot_touch(client, login_as, two, app, make_user):
    login_as(two["a_user"])
    client.post(f"/companies/{two['b']}/request-meeting", data={})
    request = the_request(app)
    assert client.post(f"/meetings/{request.id}/accept", data={}).status_code == 403
    client.post("/logout")
    login_as(make_user())
    assert client.post(f"/meetings/{request.id}/cancel", data={}).status_code == 403
    assert client.get(f"/companies/{two['a']}/meetings").status_code == 403
    assert client.post(f"/meetings/{2**40}/accept", data={}).status_code == 404
    assert the_request(app).status == RequestStatus.REQUESTED


def test_meetings_page_needs_login_and_organizer_sees_any(client, login_as, two, make_user):
    assert client.get(f"/companies/{two['a']}/meetings").status_code == 302
    login_as(make_user(role=Role.ORGANIZER))
    assert client.get(f"/companies/{two['a']}/meetings").status_code == 200
    assert client.get("/my/meetings").status_code == 302


def test_notifications_marked_read(client, login_as, two, app):
    login_as(two["a_user"])
    client.post(f"/companies/{two['b']}/request-meeting", data={})
    client.post("/logout")
    login_as(two["b_user"])
    page = client.get(f"/companies/{two['b']}/meetings").get_data(as_text=True)
    assert "Esik Dairy asks for a meeting" in page and 'class="unread"' in page
    client.post(f"/companies/{two['b']}/notifications/read")
    page = client.get(f"/companies/{two['b']}/meetings").get_data(as_text=True)
    assert 'class="unread"' not in page


def unread_badge(page: str) -> str | None:
    import re

    found = re.search(r'data-testid="unread-count">(\d+)<span class="visually-hidden"> ([^<]+)</span>', page)
    return f"{found[1]} {found[2]}" if found else None


def test_header_counts_unread_notices_on_every_page(client, login_as, two):
    login_as(two["a_user"])
    client.post(f"/companies/{two['b']}/request-meeting", data={})
    assert unread_badge(client.get("/companies/").get_data(as_text=True)) is None  # the requester: nothing new
    client.post("/logout")
    login_as(two["b_user"])
    assert unread_badge(client.get("/companies/").get_data(as_text=True)) == "1 unread notice"
    client.post(f"/companies/{two['b']}/notifications/read")
    assert unread_badge(client.get("/").get_data(as_text=True)) is None


@pytest.fixture
def slots(app: Flask, two) -> list[int]:
    from datetime import date, time

    from forum.models import Slot
    from forum.services import agenda
    from forum.services.agenda import SessionSpec, TimeStructure
    from forum.services.forums import save_forum

    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", date(2024, 10, 17), date(2024, 10, 17))
        db.session.commit()
        agenda.save_structure(TimeStructure([SessionSpec(date(2024, 10, 17), time(10), time(11))], 20, 2))
        return list(db.session.scalars(select(Slot.id).order_by(Slot.starts_at)))


def test_availability_saved_and_shown(client, login_as, two, slots, app):
    from forum.models import CompanyUnavailability

    login_as(two["a_user"])
    page = client.get(f"/companies/{two['a']}/availability").get_data(as_text=True)
    assert "10:00" in page and "10:40" in page
    response = client.post(f"/companies/{two['a']}/availability", data={"unavailable": [slots[0], slots[2]]},
                           follow_redirects=True)
    assert "Saved: 2 slots marked as unavailable." in response.get_data(as_text=True)
    with app.app_context():
        saved = set(db.session.scalars(select(CompanyUnavailability.slot_id)))
    assert saved == {slots[0], slots[2]}


@pytest.mark.parametrize("bad", [["abc"], ["999999"], [str(2**40)]])
def test_availability_with_unknown_slots_refused(client, login_as, two, slots, app, bad):
    from forum.models import CompanyUnavailability

    login_as(two["a_user"])
    response = client.post(f"/companies/{two['a']}/availability", data={"unavailable": bad}, follow_redirects=True)
    assert "reload the page" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CompanyUnavailability)) is None


def test_availability_of_other_company_refused(client, login_as, two, slots):
    login_as(two["b_user"])
    assert client.get(f"/companies/{two['a']}/availability").status_code == 403
    assert client.post(f"/companies/{two['a']}/availability", data={"unavailable": [slots[0]]}).status_code == 403
