"""Integration tests: the agenda as an .ics download and as a private calendar subscription.

The file is parsed back with icalendar, as a phone's calendar would read it: the times are the stored
instants, written in the forum's zone with its VTIMEZONE; UIDs stay put when a meeting moves and its
SEQUENCE grows. The subscription link works without a login, answers 410 once turned off and 404 when
forged, and making a new link turns the old one off.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.extensions import db
from forum.models import Company, Forum, MeetingRequest, Slot, User
from forum.models.outcome import CalendarFeed
from forum.services import agenda_builder, calendar, meetings
from forum.services.errors import NotFound
from tests import factories

FORUM = "Kashkadarya Invest-2024"
REVOKED = "This calendar link was turned off. Open My agenda to get a new one.\n"
NOT_FOUND = "There is no such calendar.\n"


@pytest.fixture
def agenda(app: Flask) -> dict:
    with app.app_context():
        return factories.published_agenda()


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def events_by_uid(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.events}


def slot_times(app: Flask, slot_id: int) -> tuple[datetime, datetime]:
    with app.app_context():
        slot = db.session.get(Slot, slot_id)
        return slot.starts_at, slot.ends_at


def landing(client: FlaskClient, response) -> str:
    """The My agenda page a subscription form leads back to, with the message it flashed."""
    assert response.status_code == 302
    assert response.headers["Location"] == "/my/agenda#calendar"
    return client.get("/my/agenda").get_data(as_text=True)


def flash_text(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<p class="alert alert-\w+">(.*?)</p>', page, re.S)]


def subscribe(client: FlaskClient) -> str:
    """Make a calendar link as the logged-in delegate and return its path (what a phone fetches)."""
    response = client.post("/my/calendar/subscription")
    assert response.status_code == 302
    assert response.headers["Location"] == "/my/agenda#calendar"
    return active_path(client)


def active_path(client: FlaskClient) -> str:
    page = client.get("/my/agenda").get_data(as_text=True)
    url = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', page).group(1)
    assert url.startswith("http://localhost/calendar/")
    return url.removeprefix("http://localhost")


# --- the file ---------------------------------------------------------------------------------------------


def test_download_round_trips_times_zone_uid_and_location(app, client, login_as, agenda):
    login_as(agenda["delegates"][0])
    r0, r2 = agenda["requests"][0], agenda["requests"][2]
    c0 = agenda["companies"][0]

    response = client.get("/my/agenda.ics")
    cal = parse(response)

    assert response.headers["Content-Disposition"] == "attachment; filename=agenda-agenda-company-0.ics"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == calendar.PRODID
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == f"{FORUM} — Agenda Company 0"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Tashkent"
    assert [str(tz["TZID"]) for tz in cal.timezones] == ["Asia/Tashkent"]

    events = events_by_uid(cal)
    assert list(events) == [f"meeting-{r0}@forum.local", f"meeting-{r2}@forum.local"]
    first = events[f"meeting-{r0}@forum.local"]
    start, end = slot_times(app, agenda["slots"][0])
    assert first["DTSTART"].params["TZID"] == "Asia/Tashkent"
    assert first["DTEND"].params["TZID"] == "Asia/Tashkent"
    assert first.start == start and first.end == end  # the same instants as stored (UTC)
    assert first.start.isoformat() == "2024-10-17T10:00:00+05:00"
    assert first.end.isoformat() == "2024-10-17T10:20:00+05:00"
    assert str(first["LOCATION"]) == "Table 1"
    assert str(first["SUMMARY"]) == "Meeting: Agenda Company 1"
    assert first["SEQUENCE"] == 0
    assert str(first["STATUS"]) == "CONFIRMED"
    link = f"http://localhost/companies/{c0}/agenda/{r0}"
    assert str(first["URL"]) == link
    assert str(first["DESCRIPTION"]).split("\n") == [
        "Partner: Agenda Company 1",
        "Delegates: Delegate 1",
        "Contact: Aigerim Bekova, c1@company.example, +7 701 000 00 00",
        "Message: Let us talk about milk supply.",
        f"Details: {link}",
    ]
    second = events[f"meeting-{r2}@forum.local"]
    assert second.start.isoformat() == "2024-10-17T10:20:00+05:00"
    assert str(second["SUMMARY"]) == "Meeting: Agenda Company 2"
    assert "Message:" not in str(second["DESCRIPTION"])  # r2 was accepted without a message


def test_download_of_the_company_page_for_its_people_and_organizers(client, login_as, agenda):
    c1 = agenda["companies"][1]
    login_as(agenda["organizer"])

    cal = parse(client.get(f"/companies/{c1}/agenda.ics"))

    assert str(cal["X-WR-CALNAME"]) == f"{FORUM} — Agenda Company 1"
    assert [str(e["SUMMARY"]) for e in cal.events] == ["Meeting: Agenda Company 0"]


def test_download_of_another_company_is_refused(client, login_as, agenda):
    login_as(agenda["delegates"][0])

    assert client.get(f"/companies/{agenda['companies'][3]}/agenda.ics").status_code == 403
    assert client.get("/companies/999999/agenda.ics").status_code == 404


def test_download_asks_anonymous_visitors_to_log_in(client, agenda):
    response = client.get("/my/agenda.ics")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get(f"/companies/{agenda['companies'][0]}/agenda.ics").status_code == 302


def test_download_for_an_organizer_without_company_points_to_the_directory(client, login_as, agenda):
    login_as(agenda["organizer"])

    response = client.get("/my/agenda.ics")

    assert response.status_code == 302
    assert response.headers["Location"] == "/companies/"


def test_unpublished_agenda_is_a_valid_calendar_without_events(app, client, login_as):
    with app.app_context():
        ids = factories.published_agenda(publish=False)
    login_as(ids["delegates"][0])

    cal = parse(client.get("/my/agenda.ics"))

    assert cal.events == []
    assert [str(tz["TZID"]) for tz in cal.timezones] == ["Asia/Tashkent"]
    assert str(cal["X-WR-CALNAME"]) == f"{FORUM} — Agenda Company 0"


def test_moving_a_published_meeting_bumps_its_sequence_and_keeps_its_uid(app, client, login_as, agenda):
    r0, r2 = agenda["requests"][0], agenda["requests"][2]
    login_as(agenda["delegates"][0])
    before = events_by_uid(parse(client.get("/my/agenda.ics")))

    with app.app_context():
        organizer = db.session.get(User, agenda["organizer"])
        agenda_builder.move(organizer, r0, agenda["slots"][2], agenda["tables"][1], None)

    after = events_by_uid(parse(client.get("/my/agenda.ics")))
    uid = f"meeting-{r0}@forum.local"
    assert list(after) == [f"meeting-{r2}@forum.local", uid]  # still one event per meeting, same UID
    assert before[uid]["SEQUENCE"] == 0 and after[uid]["SEQUENCE"] == 1
    start, _end = slot_times(app, agenda["slots"][2])
    assert after[uid].start == start
    assert after[uid].start.isoformat() == "2024-10-17T10:40:00+05:00"
    assert str(after[uid]["LOCATION"]) == "Table 2"
    assert after[f"meeting-{r2}@forum.local"]["SEQUENCE"] == 0  # untouched meetings keep theirs


def test_changes_before_publishing_leave_the_sequence_alone(app, agenda):
    r0 = agenda["requests"][0]
    with app.app_context():
        db.session.scalar(select(Forum)).agenda_published_at = None
        db.session.commit()
        agenda_builder.move(db.session.get(User, agenda["organizer"]), r0, agenda["slots"][2], agenda["tables"][1],
                            None)

        assert db.session.get(MeetingRequest, r0).agenda_sequence == 0


def test_taking_a_meeting_off_or_cancelling_it_removes_the_event_and_bumps_the_sequence(app, client, login_as,
                                                                                          agenda):
    r0, r2 = agenda["requests"][0], agenda["requests"][2]
    with app.app_context():
        agenda_builder.remove(db.session.get(User, agenda["organizer"]), r0, None)
        meetings.cancel(db.session.get(User, agenda["delegates"][0]), r2)
        sequences = [db.session.get(MeetingRequest, r).agenda_sequence for r in (r0, r2)]
    login_as(agenda["delegates"][0])

    cal = parse(client.get("/my/agenda.ics"))

    assert sequences == [1, 1]
    assert cal.events == []


def test_download_loads_with_a_fixed_number_of_queries(app, client, login_as, agenda, count_queries):
    login_as(agenda["delegates"][0])
    with count_queries() as two_meetings:
        parse(client.get("/my/agenda.ics"))
    with app.app_context():
        c0 = agenda["companies"][0]
        extra = factories.company(name="Agenda Company 4")
        factories.user(company_id=extra, email="agenda-delegate4@example.com")
        request_id = factories.accepted_request(c0, extra)
        factories.place(request_id, agenda["slots"][3], agenda["tables"][2])

    with count_queries() as three_meetings:
        cal = parse(client.get("/my/agenda.ics"))

    assert len(cal.events) == 3
    assert len(three_meetings) == len(two_meetings)


# --- the subscription ---------------------------------------------------------------------------------------


def test_subscription_feed_serves_the_owners_agenda_without_login(app, client, login_as, agenda):
    login_as(agenda["delegates"][0])
    path = subscribe(client)
    anonymous = app.test_client()

    response = anonymous.get(path)
    cal = parse(response)

    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert str(cal["X-WR-CALNAME"]) == f"{FORUM} — Agenda Company 0"
    assert [str(e["LOCATION"]) for e in cal.events] == ["Table 1", "Table 1"]
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed))
        assert feed.last_fetched_at is not None
        assert path == f"/calendar/{calendar.feed_token(feed)}.ics"
        feed_id, signature = calendar.feed_token(feed).split(".")
        assert feed_id == str(feed.id) and len(signature) == 43


def test_agenda_page_shows_the_link_with_webcal_and_last_fetch(app, client, login_as, agenda):
    login_as(agenda["delegates"][0])
    page = client.get("/my/agenda").get_data(as_text=True)
    assert 'data-testid="calendar-create"' in page
    assert 'id="calendar-url"' not in page

    page = landing(client, client.post("/my/calendar/subscription"))
    path = active_path(client)

    assert flash_text(page) == ["Your calendar link is ready. Subscribe to it on your phone, and your calendar "
                                "follows every change to your agenda."]
    assert f'href="webcal://localhost{path}"' in page
    assert "No calendar has fetched it yet." in page
    assert 'data-copy-target="calendar-url"' in page
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed))
        feed.last_fetched_at = datetime(2024, 10, 17, 5, 42, tzinfo=UTC)
        db.session.commit()
    page = client.get("/my/agenda").get_data(as_text=True)
    assert "A calendar last fetched it on 17 Oct, 10:42." in page


def test_page_context_for_an_organizer_offers_only_the_download(app, agenda):
    c1 = agenda["companies"][1]
    with app.test_request_context("/"):
        organizer = db.session.get(User, agenda["organizer"])
        card = calendar.page_context(organizer, c1)["calendar_card"]

    assert card.download_url == f"/companies/{c1}/agenda.ics"
    assert card.can_subscribe is False
    assert card.subscription is None
    assert card.published is True
    assert card.timezone == "Asia/Tashkent"


def test_subscription_link_honours_preferred_url_scheme(app, client, login_as, agenda):
    app.config["PREFERRED_URL_SCHEME"] = "https"
    login_as(agenda["delegates"][0])
    client.post("/my/calendar/subscription")

    page = client.get("/my/agenda").get_data(as_text=True)

    url = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', page).group(1)
    assert url.startswith("https://localhost/calendar/")
    assert f'href="webcal://{url.removeprefix("https://")}"' in page


def test_a_new_link_turns_the_old_one_off(app, client, login_as, agenda):
    login_as(agenda["delegates"][0])
    old = subscribe(client)

    response = client.post("/my/calendar/subscription")
    new = active_path(client)

    assert response.status_code == 302
    assert new != old
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 410
    assert anonymous.get(new).status_code == 200
    with app.app_context():
        feeds = list(db.session.scalars(select(CalendarFeed).order_by(CalendarFeed.id)))
        assert [f.revoked_at is None for f in feeds] == [False, True]


def test_replacing_a_link_says_the_old_one_stopped(client, login_as, agenda):
    login_as(agenda["delegates"][0])
    subscribe(client)

    page = landing(client, client.post("/my/calendar/subscription"))

    assert flash_text(page) == ["Your new calendar link is ready. The old link no longer works: subscribe again "
                                "with the new one on your phone."]


def test_revoked_link_answers_410_with_a_message_and_nothing_about_its_owner(app, client, login_as, agenda):
    login_as(agenda["delegates"][0])
    path = subscribe(client)

    page = landing(client, client.post("/my/calendar/subscription/revoke"))
    fetched = app.test_client().get(path)

    assert fetched.status_code == 410
    assert fetched.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert fetched.get_data(as_text=True) == REVOKED
    assert flash_text(page) == ["Your calendar link is turned off. Calendars subscribed to it stop updating; the "
                                "meetings already on them stay until you remove the subscription."]
    assert 'id="calendar-url"' not in page
    assert 'data-testid="calendar-create"' in page


def test_turning_off_without_a_link_changes_nothing(app, client, login_as, agenda):
    login_as(agenda["delegates"][0])
    client.get("/my/agenda")  # where the button is (and where the login message is shown)

    page = landing(client, client.post("/my/calendar/subscription/revoke"))

    assert flash_text(page) == ["You have no calendar link to turn off."]
    with app.app_context():
        assert db.session.scalar(select(CalendarFeed)) is None


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character of the signature
    lambda token: token.split(".")[0],  # no signature at all
    lambda token: "9999." + token.split(".")[1],  # another feed's id
    lambda token: "0." + token.split(".")[1],
    lambda token: "abc.def",
    lambda token: token + "é",
])
def test_forged_links_answer_404(app, client, login_as, agenda, mangle):
    login_as(agenda["delegates"][0])
    token = subscribe(client).removeprefix("/calendar/").removesuffix(".ics")

    response = app.test_client().get(f"/calendar/{mangle(token)}.ics")

    assert response.status_code == 404
    assert response.get_data(as_text=True) == NOT_FOUND


def test_link_of_a_disabled_owner_or_a_deactivated_company_answers_404(app, client, login_as, agenda):
    login_as(agenda["delegates"][0])
    path = subscribe(client)
    anonymous = app.test_client()
    with app.app_context():
        db.session.get(Company, agenda["companies"][0]).active = False
        db.session.commit()
    assert anonymous.get(path).status_code == 404
    with app.app_context():
        db.session.get(Company, agenda["companies"][0]).active = True
        db.session.get(User, agenda["delegates"][0]).active = False
        db.session.commit()

    response = anonymous.get(path)

    assert response.status_code == 404
    assert response.get_data(as_text=True) == NOT_FOUND


def test_link_made_before_publishing_fills_in_once_published(app, client, login_as):
    with app.app_context():
        ids = factories.published_agenda(publish=False)
    login_as(ids["delegates"][1])
    path = subscribe(client)
    anonymous = app.test_client()
    assert parse(anonymous.get(path)).events == []
    with app.app_context():
        agenda_builder.publish(db.session.get(User, ids["organizer"]), None)

    cal = parse(anonymous.get(path))

    assert [str(e["SUMMARY"]) for e in cal.events] == ["Meeting: Agenda Company 0"]


def test_organizer_cannot_make_a_calendar_link(app, client, login_as, agenda):
    login_as(agenda["organizer"])

    response = client.post("/my/calendar/subscription")

    assert response.status_code == 302
    assert response.headers["Location"] == "/companies/"
    with app.app_context():
        assert db.session.scalar(select(CalendarFeed)) is None


def test_subscription_forms_need_a_login(app, client, agenda):
    assert client.post("/my/calendar/subscription").status_code == 302
    assert client.post("/my/calendar/subscription/revoke").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CalendarFeed)) is None


@pytest.mark.parametrize("token", ["99999999999999999999.x", "-1.x", "1", "", "１.x"])
def test_malformed_tokens_are_not_found(app, agenda, token):
    with app.test_request_context("/"), pytest.raises(NotFound):
        calendar.feed_calendar(token)


def test_uids_do_not_depend_on_the_host_name_used(app, client, login_as, agenda):
    # the same feed fetched through the IP address and through the domain: the same events, not copies
    login_as(agenda["delegates"][0])
    path = subscribe(client)
    phone = app.test_client()
    by_ip = events_by_uid(parse(phone.get(path, headers={"Host": "10.0.0.5"})))
    by_name = events_by_uid(parse(phone.get(path, headers={"Host": "forum.example.org"})))
    assert list(by_ip) == list(by_name) == [f"meeting-{agenda['requests'][0]}@forum.local",
                                            f"meeting-{agenda['requests'][2]}@forum.local"]


def test_subscription_feed_is_in_the_owners_language_whatever_the_calendar_app_asks(app, client, login_as,
                                                                                     agenda):
    from flask_babel import force_locale, gettext

    with app.app_context():
        db.session.get(User, agenda["delegates"][0]).locale = "kk"
        db.session.commit()
    login_as(agenda["delegates"][0])
    path = subscribe(client)

    cal = parse(app.test_client().get(path, headers={"Accept-Language": "ru-RU,ru"}))

    with app.test_request_context(), force_locale("kk"):
        table = gettext("Table %(number)d", number=1)
    assert table != "Table 1"
    assert [str(e["LOCATION"]) for e in cal.events] == [table, table]


def test_subscription_feed_without_a_saved_language_follows_the_calendar_app(app, client, login_as, agenda):
    from flask_babel import force_locale, gettext

    login_as(agenda["delegates"][0])
    path = subscribe(client)

    cal = parse(app.test_client().get(path, headers={"Accept-Language": "uz-UZ,uz"}))

    with app.test_request_context(), force_locale("uz"):
        assert [str(e["LOCATION"]) for e in cal.events] == [gettext("Table %(number)d", number=1)] * 2
