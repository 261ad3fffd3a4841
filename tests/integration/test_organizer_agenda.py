"""Integration tests: the organizer's agenda page — time structure, tables, request rules, running the scheduler."""

from __future__ import annotations

import html
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Forum, Role, ScheduledMeeting, Slot, VenueTable
from forum.services.forums import save_forum
from tests import factories
from tests.integration.test_companies import field_errors
from tests.integration.test_schedule import accepted


@pytest.fixture
def organizer(app: Flask, make_user) -> int:
    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", date(2024, 10, 17), date(2024, 10, 18))
        db.session.commit()
        factories.delegation("Almaty Region (Kazakhstan)")
    return make_user(role=Role.ORGANIZER)


def form(**changes) -> dict:
    data = {"sessions": "2024-10-17 10:00-13:00\n2024-10-17 14:30-18:00", "breaks": "2024-10-17 11:20-11:40 Coffee",
            "slot_minutes": "20", "tables": "12", "request_expiry_hours": "48", "max_meetings_per_company": "",
            "max_pending_per_company": "5", "reserved-0-delegation_id": "1", "reserved-0-tables": "1-3"}
    data.update(changes)
    return data


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_agenda_settings_saved(client, login_as, organizer, app):
    login_as(organizer)
    response = client.post("/organizer/agenda", data=form(), follow_redirects=True)
    assert "The forum has 18 meeting slots." in response.get_data(as_text=True)
    assert count(app, VenueTable) == 12
    with app.app_context():
        reserved = list(db.session.scalars(select(VenueTable.number).where(VenueTable.reserved_for_id.is_not(None))))
        forum = db.session.scalar(select(Forum))
        assert reserved == [1, 2, 3]
        assert (forum.request_expiry_hours, forum.max_meetings_per_company, forum.max_pending_per_company) == (48, None, 5)
    page = html.unescape(client.get("/organizer/agenda").get_data(as_text=True))
    assert "2024-10-17 11:20-11:40 Coffee" in page and 'value="1, 2, 3"' in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"tables": "0"}, "tables", "From 1 to 1000 tables."),
    ({"slot_minutes": "abc"}, "slot_minutes", "Not a valid integer value."),
    ({"sessions": "tomorrow morning"}, "sessions", "Line 1: write it as “2024-10-17 10:00-13:00”."),
    ({"sessions": "2024-10-17 13:00-10:00"}, "sessions", "ends (10:00) before it starts (13:00)"),
    ({"breaks": "2024-10-17 12:50-14:40"}, "sessions", "overlaps the edge of a session"),
    ({"sessions": ""}, "sessions", "Add at least one session."),
    ({"reserved-0-tables": "five"}, "reserved", "Write reserved tables as numbers and ranges"),
    ({"request_expiry_hours": "0"}, "request_expiry_hours", "From 1 hour to 60 days."),
    ({"max_pending_per_company": "-1"}, "max_pending_per_company", "From 1 to 1000, or empty for no limit."),
])
def test_bad_agenda_settings_refused_and_nothing_written(client, login_as, organizer, app, changes, field, message):
    login_as(organizer)
    response = client.post("/organizer/agenda", data=form(**changes))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    shown = " ".join(field_errors(page).get(field, [])) or page
    assert message in shown
    assert count(app, Slot) == 0 and count(app, VenueTable) == 0


def test_run_scheduler_from_the_page(client, login_as, organizer, app):
    login_as(organizer)
    client.post("/organizer/agenda", data=form())
    with app.app_context():
        a, b = factories.company(name="A"), factories.company(name="B")
        accepted(a, b)
    page = client.post("/organizer/agenda/schedule", data={"time_limit": "2", "dry_run": "y"}).get_data(as_text=True)
    assert "Dry run result" in page
    assert count(app, ScheduledMeeting) == 0
    page = client.post("/organizer/agenda/schedule", data={"time_limit": "2"}).get_data(as_text=True)
    assert "The agenda is saved" in page
    assert count(app, ScheduledMeeting) == 1
    # the structure cannot change under a scheduled agenda
    response = client.post("/organizer/agenda", data=form(tables="4"))
    assert response.status_code == 422
    assert "Meetings are already scheduled" in html.unescape(response.get_data(as_text=True))


def test_agenda_pages_only_for_organizers(client, login_as, make_user):
    assert client.get("/organizer/agenda").status_code == 302
    login_as(make_user())
    assert client.get("/organizer/agenda").status_code == 403
    assert client.post("/organizer/agenda/schedule", data={}).status_code == 403
