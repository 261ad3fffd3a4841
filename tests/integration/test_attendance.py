"""The meeting pass (QR token and short code), check-in, no-shows and the organizers' live attendance page.

The factory forum (tests.factories.published_agenda) is on 17 Oct 2024 in Tashkent (UTC+5): slot 0 is
10:00-10:20 local (05:00 UTC), slot 1 10:20-10:40. r0 C0-C1 slot 0 table 1, r1 C2-C3 slot 0 table 2,
r2 C0-C2 slot 1 table 1, r3 C1-C3 accepted and waiting for a place. Where a rule depends on the clock,
the service takes ``now`` and the views' clock (``attendance.utcnow``) is fixed with monkeypatch.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.extensions import db
from forum.models import MeetingRequest, Notification, RequestStatus, ScheduledMeeting, User
from forum.models.outcome import AttendanceStatus, CheckInMethod, MeetingAttendance
from forum.services import agenda_builder
from forum.services import attendance as svc
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from forum.services.meetings import describe_notification
from tests import factories

SLOT0 = datetime(2024, 10, 17, 5, 0, tzinfo=UTC)  # 10:00 in Tashkent
SLOT1 = SLOT0 + timedelta(minutes=20)
DURING = SLOT0 + timedelta(minutes=5)


@pytest.fixture
def forum(app: Flask) -> dict:
    with app.app_context():
        return factories.published_agenda()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Fix the clock the views' service calls read (they pass no ``now``)."""

    def set_now(when: datetime) -> None:
        monkeypatch.setattr(svc, "utcnow", lambda: when)

    set_now(DURING)
    return set_now


def _login(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        email = factories.email_of(user_id)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def _pass(app: Flask, forum: dict, request_index: int, holder_index: int, now: datetime = DURING) -> tuple[str, str]:
    """(token, code) of a company's pass for one of the factory meetings, where it sits now."""
    rid, holder = forum["requests"][request_index], forum["companies"][holder_index]
    with app.test_request_context():
        placed = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == rid))
        return (svc.pass_token(rid, placed.slot_id, placed.table_id, holder, now),
                svc.short_code(rid, placed.slot_id, placed.table_id, holder))


def _attendance(app: Flask, request_id: int) -> MeetingAttendance | None:
    with app.app_context():
        record = db.session.get(MeetingAttendance, request_id)
        if record is not None:
            db.session.expunge(record)
        return record


def _flashes(html: str) -> list[str]:
    found = re.findall(r'<p class="alert[^"]*">(.*?)</p>', html, re.S)
    return [html_lib.unescape(re.sub(r"\s+", " ", m).strip()) for m in found]


def _page(client: FlaskClient, forum: dict, company_index: int, request_index: int) -> str:
    response = client.get(f"/companies/{forum['companies'][company_index]}/agenda/{forum['requests'][request_index]}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the pass on the meeting page -----------------------------------------------------------------------


def test_pass_shows_qr_and_short_code_of_the_viewers_company(app: Flask, forum: dict, clock) -> None:
    client = _login(app, forum["delegates"][0])
    html = _page(client, forum, 0, 0)
    _token, code = _pass(app, forum, 0, 0)
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTWXYZ]{6}", code)
    assert f'<strong class="pass-code" data-testid="pass-code">{code[:3]}-{code[3:]}</strong>' in html
    section = html[html.index('id="pass"'):]
    assert '<svg role="img"' in section and "style=" not in section
    assert "Show this to Agenda Company 1" in section
    assert "Not recorded yet" in section
    assert "Check-in opens" not in section
    clock(SLOT0 - timedelta(minutes=30))
    assert "Check-in opens at 09:50." in _page(client, forum, 0, 0)


def test_pass_qr_links_to_the_signed_pass_url(app: Flask, forum: dict) -> None:
    with app.test_request_context():
        ctx = svc.detail_context(db.session.get(User, forum["delegates"][0]), forum["companies"][0],
                                 forum["requests"][0], now=DURING)
        meeting_pass = ctx["meeting_pass"]
        payload = svc._serializer().loads(meeting_pass.url.rsplit("/", 1)[1])
    assert meeting_pass.url.startswith("http://localhost/pass/")
    assert payload == {"r": forum["requests"][0], "s": forum["slots"][0], "t": forum["tables"][0],
                       "h": forum["companies"][0]}
    assert (meeting_pass.can_check_in, meeting_pass.can_report_no_show) == (True, True)


def test_pass_qr_is_https_behind_a_proxy_that_ends_tls(app: Flask, forum: dict) -> None:
    # the request reaches the app as plain http; the phone that scans the QR must not
    app.config["PREFERRED_URL_SCHEME"] = "https"
    with app.test_request_context():
        ctx = svc.detail_context(db.session.get(User, forum["delegates"][0]), forum["companies"][0],
                                 forum["requests"][0], now=DURING)
    assert ctx["meeting_pass"].url.startswith("https://localhost/pass/")


def test_pass_context_before_the_meeting_offers_neither_check_in_nor_no_show(app: Flask, forum: dict) -> None:
    with app.test_request_context():
        meeting_pass = svc.detail_context(db.session.get(User, forum["delegates"][0]), forum["companies"][0],
                                          forum["requests"][0], now=SLOT0 - timedelta(hours=1))["meeting_pass"]
    assert (meeting_pass.can_check_in, meeting_pass.can_report_no_show) == (False, False)


def test_pass_context_unpublished_agenda_has_no_pass(app: Flask) -> None:
    with app.test_request_context():
        ids = factories.published_agenda(publish=False)
        ctx = svc.detail_context(db.session.get(User, ids["delegates"][0]), ids["companies"][0], ids["requests"][0])
    assert ctx == {"meeting_pass": None}


def test_pass_context_of_someone_elses_meeting_is_refused(app: Flask, forum: dict) -> None:
    with app.test_request_context():
        c2 = db.session.get(User, forum["delegates"][2])
        with pytest.raises(PermissionDenied):
            svc.detail_context(c2, forum["companies"][0], forum["requests"][0])
        with pytest.raises(NotFound):
            svc.detail_context(c2, forum["companies"][2], forum["requests"][0])


def test_short_code_changes_when_the_meeting_moves(app: Flask, forum: dict) -> None:
    with app.test_request_context():
        before = svc.short_code(forum["requests"][0], forum["slots"][0], forum["tables"][0], forum["companies"][0])
        moved = svc.short_code(forum["requests"][0], forum["slots"][0], forum["tables"][2], forum["companies"][0])
        partner = svc.short_code(forum["requests"][0], forum["slots"][0], forum["tables"][0], forum["companies"][1])
    assert len({before, moved, partner}) == 3


# --- check-in with the short code ---------------------------------------------------------------------


def test_partner_types_the_code_lowercase_without_dash_and_the_meeting_is_held(app: Flask, forum: dict,
                                                                              clock) -> None:
    _token, code = _pass(app, forum, 0, 0)
    client = _login(app, forum["delegates"][1])
    response = client.post(f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in",
                           data={"code": f"  {code.lower()} "}, follow_redirects=True)
    assert "Checked in: the meeting is recorded as held." in _flashes(response.get_data(as_text=True))
    record = _attendance(app, forum["requests"][0])
    assert (record.status, record.method, record.recorded_by_id, record.recorded_at) == (
        AttendanceStatus.HELD, CheckInMethod.CODE, forum["delegates"][1], DURING)
    # Both sides see it held.
    html = _page(_login(app, forum["delegates"][0]), forum, 0, 0)
    assert 'data-testid="attendance-state">\n      <span class="visually-hidden">Attendance: </span>Held' in html
    assert "Checked in on Thu 17 Oct, 10:05 by Delegate 1 (code entered)." in html


def test_code_with_dash_in_mixed_case_is_accepted(app: Flask, forum: dict) -> None:
    _token, code = _pass(app, forum, 0, 1)
    with app.test_request_context():
        result = svc.check_in_with_code(db.session.get(User, forum["delegates"][0]), forum["companies"][0],
                                        forum["requests"][0], f"{code[:3].lower()}-{code[3:]}", now=DURING)
        assert (result.already, result.attendance.status) == (False, AttendanceStatus.HELD)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the 6-character code shown on your partner's pass, for example K7Q-4MZ."),
    ("ABC", "Enter the 6-character code shown on your partner's pass, for example K7Q-4MZ."),
    ("OOOOOO", "Enter the 6-character code shown on your partner's pass, for example K7Q-4MZ."),
    ("222-222", "This code does not match your partner's pass for this meeting. Check it and try again."),
])
def test_bad_code_is_refused_and_nothing_recorded(app: Flask, forum: dict, clock, typed: str, message: str) -> None:
    client = _login(app, forum["delegates"][1])
    response = client.post(f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in",
                           data={"code": typed}, follow_redirects=True)
    assert message in _flashes(response.get_data(as_text=True))
    assert _attendance(app, forum["requests"][0]) is None


def test_own_code_cannot_check_in(app: Flask, forum: dict, clock) -> None:
    _token, own = _pass(app, forum, 0, 1)
    client = _login(app, forum["delegates"][1])
    response = client.post(f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in",
                           data={"code": own}, follow_redirects=True)
    assert "This is your own code: enter the code shown on your partner's pass." in _flashes(
        response.get_data(as_text=True))
    assert _attendance(app, forum["requests"][0]) is None


def test_code_check_in_before_the_grace_period_is_refused(app: Flask, forum: dict, clock) -> None:
    clock(SLOT0 - timedelta(minutes=11))
    _token, code = _pass(app, forum, 0, 0)
    client = _login(app, forum["delegates"][1])
    response = client.post(f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in",
                           data={"code": code}, follow_redirects=True)
    assert "You can check in from 09:50." in _flashes(response.get_data(as_text=True))
    assert _attendance(app, forum["requests"][0]) is None


def test_code_check_in_opens_ten_minutes_before_the_start(app: Flask, forum: dict) -> None:
    _token, code = _pass(app, forum, 0, 0)
    with app.test_request_context():
        result = svc.check_in_with_code(db.session.get(User, forum["delegates"][1]), forum["companies"][1],
                                        forum["requests"][0], code, now=SLOT0 - timedelta(minutes=10))
        assert result.attendance.status == AttendanceStatus.HELD


def test_second_check_in_says_already_and_changes_nothing(app: Flask, forum: dict, clock) -> None:
    _token, code_a = _pass(app, forum, 0, 0)
    _token, code_b = _pass(app, forum, 0, 1)
    _login(app, forum["delegates"][1]).post(
        f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in", data={"code": code_a})
    clock(DURING + timedelta(minutes=3))
    response = _login(app, forum["delegates"][0]).post(
        f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}/check-in", data={"code": code_b},
        follow_redirects=True)
    assert "Already checked in at 10:05." in _flashes(response.get_data(as_text=True))
    record = _attendance(app, forum["requests"][0])
    assert (record.recorded_by_id, record.recorded_at) == (forum["delegates"][1], DURING)


def test_code_check_in_for_a_meeting_of_other_companies_is_not_found(app: Flask, forum: dict, clock) -> None:
    _token, code = _pass(app, forum, 0, 0)
    client = _login(app, forum["delegates"][2])
    assert client.post(f"/companies/{forum['companies'][2]}/agenda/{forum['requests'][0]}/check-in",
                       data={"code": code}).status_code == 404
    assert client.post(f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in",
                       data={"code": code}).status_code == 403
    assert _attendance(app, forum["requests"][0]) is None


# --- the QR pass: GET confirms, POST records --------------------------------------------------------------


def test_scanned_pass_shows_a_confirmation_and_records_nothing(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 0)
    client = _login(app, forum["delegates"][1])
    response = client.get(f"/pass/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your meeting with Agenda Company 0" in html
    assert "Confirm: the meeting is taking place" in html
    assert f'action="/pass/{token}"' in html
    assert _attendance(app, forum["requests"][0]) is None


def test_confirming_a_scanned_pass_records_the_meeting_as_held(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 0)
    client = _login(app, forum["delegates"][1])
    response = client.post(f"/pass/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}"
    record = _attendance(app, forum["requests"][0])
    assert (record.status, record.method, record.recorded_by_id) == (
        AttendanceStatus.HELD, CheckInMethod.QR, forum["delegates"][1])
    again = client.get(f"/pass/{token}").get_data(as_text=True)
    assert "Already checked in at 10:05." in again and "Confirm: the meeting is taking place" not in again


def test_anonymous_scan_goes_to_login_and_back_to_the_pass(app: Flask, forum: dict) -> None:
    token, _code = _pass(app, forum, 0, 0)
    response = app.test_client().get(f"/pass/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fpass%2F{token}"
    client = app.test_client()
    with app.app_context():
        email = factories.email_of(forum["delegates"][1])
    logged_in = client.post(f"/login?next=%2Fpass%2F{token}", data={"email": email, "password": factories.PASSWORD})
    assert logged_in.headers["Location"] == f"/pass/{token}"


def test_pass_of_a_meeting_the_user_is_not_part_of_leaks_nothing(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 0)
    client = _login(app, forum["delegates"][3])
    for response in (client.get(f"/pass/{token}"), client.post(f"/pass/{token}")):
        html = response.get_data(as_text=True)
        assert response.status_code == 403
        assert "This pass belongs to a meeting you are not part of." in html
        assert "Agenda Company 0" not in html and "Agenda Company 1" not in html and "10:00" not in html
    assert _attendance(app, forum["requests"][0]) is None


def test_forged_pass_is_not_valid(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 0)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    client = _login(app, forum["delegates"][1])
    with app.test_request_context():
        not_a_pass = svc._serializer().dumps([forum["requests"][0], "x"])
    for url in (f"/pass/{forged}", "/pass/not-a-pass", "/pass/a.b.c", f"/pass/{not_a_pass}"):
        response = client.post(url)
        assert response.status_code == 400
        assert "This pass is not valid." in response.get_data(as_text=True)
    with app.test_request_context():
        other_key = svc.URLSafeTimedSerializer("another-secret", salt="meeting-pass").dumps(
            {"r": forum["requests"][0], "s": forum["slots"][0], "t": forum["tables"][0], "h": forum["companies"][0]})
    assert "This pass is not valid." in client.get(f"/pass/{other_key}").get_data(as_text=True)
    assert _attendance(app, forum["requests"][0]) is None


def test_expired_pass_is_refused(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 0, now=DURING - timedelta(hours=24, minutes=1))
    client = _login(app, forum["delegates"][1])
    response = client.post(f"/pass/{token}")
    assert response.status_code == 400
    assert "This pass has expired: ask your partner to open it again." in response.get_data(as_text=True)
    fresh, _code = _pass(app, forum, 0, 0, now=DURING - timedelta(hours=23))
    assert client.post(f"/pass/{fresh}").status_code == 302
    assert _attendance(app, forum["requests"][0]).status == AttendanceStatus.HELD


def test_pass_of_a_moved_meeting_is_out_of_date(app: Flask, forum: dict, clock) -> None:
    token, code = _pass(app, forum, 0, 0)
    with app.app_context():
        organizer = db.session.get(User, forum["organizer"])
        agenda_builder.move(organizer, forum["requests"][0], forum["slots"][0], forum["tables"][2], None)
    client = _login(app, forum["delegates"][1])
    response = client.post(f"/pass/{token}")
    assert response.status_code == 400
    assert "This pass is out of date: the meeting was moved." in response.get_data(as_text=True)
    response = client.post(f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in",
                           data={"code": code}, follow_redirects=True)
    assert "This code does not match your partner's pass for this meeting. Check it and try again." in _flashes(
        response.get_data(as_text=True))
    assert _attendance(app, forum["requests"][0]) is None


def test_pass_of_a_cancelled_meeting_or_unpublished_agenda_is_not_valid(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 0)
    token2, _code = _pass(app, forum, 2, 2)
    with app.app_context():
        db.session.get(MeetingRequest, forum["requests"][0]).status = RequestStatus.CANCELLED
        db.session.commit()
    client = _login(app, forum["delegates"][1])
    assert "This pass is not valid." in client.post(f"/pass/{token}").get_data(as_text=True)
    with app.app_context():
        agenda_builder._forum().agenda_published_at = None
        db.session.commit()
    assert "This pass is not valid." in _login(app, forum["delegates"][0]).post(f"/pass/{token2}").get_data(
        as_text=True)
    assert _attendance(app, forum["requests"][0]) is None and _attendance(app, forum["requests"][2]) is None


def test_holder_cannot_check_in_with_its_own_pass(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 0)
    response = _login(app, forum["delegates"][0]).post(f"/pass/{token}")
    assert response.status_code == 400
    assert "This is your own pass: your partner scans it, and you scan theirs." in response.get_data(as_text=True)
    assert _attendance(app, forum["requests"][0]) is None


def test_scan_before_the_meeting_tells_when_check_in_opens(app: Flask, forum: dict, clock) -> None:
    clock(SLOT0 - timedelta(minutes=30))
    token, _code = _pass(app, forum, 0, 0, now=SLOT0 - timedelta(minutes=30))
    client = _login(app, forum["delegates"][1])
    for response in (client.get(f"/pass/{token}"), client.post(f"/pass/{token}")):
        assert "You can check in from 09:50." in response.get_data(as_text=True)
    assert _attendance(app, forum["requests"][0]) is None


def test_organizer_table_host_can_check_in_with_a_scanned_pass(app: Flask, forum: dict, clock) -> None:
    token, _code = _pass(app, forum, 0, 1)
    client = _login(app, forum["organizer"])
    html = client.get(f"/pass/{token}").get_data(as_text=True)
    assert "Agenda Company 1 ↔ Agenda Company 0" in html
    response = client.post(f"/pass/{token}")
    assert response.headers["Location"] == "/organizer/attendance"
    record = _attendance(app, forum["requests"][0])
    assert (record.status, record.method, record.recorded_by_id) == (
        AttendanceStatus.HELD, CheckInMethod.QR, forum["organizer"])


# --- no-shows -------------------------------------------------------------------------------------------


def test_partner_did_not_show_is_recorded_and_the_partner_told(app: Flask, forum: dict, clock) -> None:
    client = _login(app, forum["delegates"][0])
    response = client.post(f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}/no-show",
                           follow_redirects=True)
    assert ("Recorded: your partner did not show. They have been told; if they arrive, enter their code and the "
            "meeting counts as held.") in _flashes(response.get_data(as_text=True))
    record = _attendance(app, forum["requests"][0])
    assert (record.status, record.absent_company_id, record.method, record.recorded_by_id) == (
        AttendanceStatus.NO_SHOW, forum["companies"][1], CheckInMethod.REPORT, forum["delegates"][0])
    with app.test_request_context():
        notices = list(db.session.scalars(select(Notification).where(Notification.kind == "meeting_no_show")))
        text = describe_notification(notices[0].kind, notices[0].data)
    assert [(n.company_id, n.request_id) for n in notices] == [(forum["companies"][1], forum["requests"][0])]
    assert text == ("Your meeting with Agenda Company 0 was recorded as missed by your side. If you were there, "
                    "ask them to scan your meeting pass or enter its code")
    html = _page(client, forum, 0, 0)
    assert "Recorded on Thu 17 Oct, 10:05 that Agenda Company 1 did not come." in html


def test_no_show_before_the_meeting_starts_is_refused(app: Flask, forum: dict, clock) -> None:
    clock(SLOT0 - timedelta(minutes=1))
    response = _login(app, forum["delegates"][0]).post(
        f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}/no-show", follow_redirects=True)
    assert "You can report a no-show once the meeting has started, from 10:00." in _flashes(
        response.get_data(as_text=True))
    assert _attendance(app, forum["requests"][0]) is None


def test_no_show_once_held_is_refused(app: Flask, forum: dict, clock) -> None:
    _token, code = _pass(app, forum, 0, 0)
    _login(app, forum["delegates"][1]).post(
        f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}/check-in", data={"code": code})
    response = _login(app, forum["delegates"][0]).post(
        f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}/no-show", follow_redirects=True)
    assert "This meeting is already checked in as held (at 10:05)." in _flashes(response.get_data(as_text=True))
    assert _attendance(app, forum["requests"][0]).status == AttendanceStatus.HELD


def test_no_show_twice_and_counter_claims_are_refused(app: Flask, forum: dict) -> None:
    with app.test_request_context():
        a, b = db.session.get(User, forum["delegates"][0]), db.session.get(User, forum["delegates"][1])
        svc.report_no_show(a, forum["companies"][0], forum["requests"][0], now=DURING)
        with pytest.raises(ServiceError) as twice:
            svc.report_no_show(a, forum["companies"][0], forum["requests"][0], now=DURING)
        with pytest.raises(ServiceError) as counter:
            svc.report_no_show(b, forum["companies"][1], forum["requests"][0], now=DURING)
    assert twice.value.message == "Already reported at 10:05."
    assert counter.value.message == ("Agenda Company 0 reported that your side did not come. If you are both "
                                     "there, enter each other's code to check in.")
    record = _attendance(app, forum["requests"][0])
    assert (record.status, record.absent_company_id) == (AttendanceStatus.NO_SHOW, forum["companies"][1])


def test_no_show_by_someone_outside_the_meeting_is_refused(app: Flask, forum: dict, clock) -> None:
    client = _login(app, forum["delegates"][2])
    assert client.post(f"/companies/{forum['companies'][2]}/agenda/{forum['requests'][0]}/no-show").status_code == 404
    assert client.post(f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}/no-show").status_code == 403
    assert _attendance(app, forum["requests"][0]) is None


def test_check_in_after_a_no_show_turns_it_into_held(app: Flask, forum: dict, clock) -> None:
    _login(app, forum["delegates"][0]).post(
        f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}/no-show")
    clock(DURING + timedelta(minutes=4))
    token, _code = _pass(app, forum, 0, 1)
    response = _login(app, forum["delegates"][0]).post(f"/pass/{token}", follow_redirects=True)
    assert "Checked in: the meeting is recorded as held, after the reported no-show." in _flashes(
        response.get_data(as_text=True))
    record = _attendance(app, forum["requests"][0])
    assert (record.status, record.absent_company_id, record.method) == (AttendanceStatus.HELD, None, CheckInMethod.QR)


# --- the organizers' live attendance page ----------------------------------------------------------------


def _counts(html: str) -> tuple[int, int, int]:
    return tuple(int(re.search(rf'data-testid="count-{k}">(\d+)<', html).group(1))
                 for k in ("held", "no-show", "waiting"))


def _states(html: str) -> dict[int, str]:
    return {int(rid): state for rid, state in re.findall(r'data-request-id="(\d+)" data-state="(\w+)"', html)}


def test_live_page_counts_and_states(app: Flask, forum: dict, clock) -> None:
    client = _login(app, forum["organizer"])
    html = client.get("/organizer/attendance?day=2024-10-17").get_data(as_text=True)
    assert _counts(html) == (0, 0, 3)
    r0, r1, r2 = forum["requests"][:3]
    assert client.post(f"/organizer/attendance/{r0}/held", data={"day": "2024-10-17"}).status_code == 302
    response = client.post(f"/organizer/attendance/{r1}/no-show",
                           data={"day": "2024-10-17", "absent": forum["companies"][3]}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Recorded as a no-show; the absent company has been told." in _flashes(html)
    assert _counts(html) == (1, 1, 1)
    assert _states(html) == {r0: "held", r1: "no_show", r2: "waiting"}
    assert "No-show: Agenda Company 3" in html
    assert 'data-live="counts" data-live-interval="20"' in html and "/static/js/live-refresh.js" in html
    assert '<a class="att-refresh" href="/organizer/attendance?day=2024-10-17">Refresh</a>' in html
    assert "<meta http-equiv" not in html
    record = _attendance(app, r0)
    assert (record.method, record.recorded_by_id) == (CheckInMethod.ORGANIZER, forum["organizer"])
    with app.app_context():
        assert db.session.scalar(select(Notification.company_id).where(Notification.kind == "meeting_no_show")) \
            == forum["companies"][3]


def test_live_page_defaults_to_the_first_day_and_refuses_bad_days(app: Flask, forum: dict) -> None:
    client = _login(app, forum["organizer"])
    html = client.get("/organizer/attendance").get_data(as_text=True)
    assert _counts(html) == (0, 0, 3) and 'name="day" type="hidden" value="2024-10-17"' in html
    bad = client.get("/organizer/attendance?day=17-10-2024")
    assert bad.status_code == 400
    assert "That is not a date: showing the forum&#39;s current day." in bad.get_data(as_text=True)
    other = client.get("/organizer/attendance?day=2024-10-19")
    assert other.status_code == 404
    assert "The forum has no meetings on that day." in other.get_data(as_text=True)


def test_live_page_default_day_is_today_when_the_forum_runs(app: Flask, forum: dict) -> None:
    with app.test_request_context():
        live = svc.live_attendance(now=datetime(2024, 10, 16, 20, 0, tzinfo=UTC))  # 17 Oct 01:00 in Tashkent
    assert str(live.day) == "2024-10-17"
    assert [len(s.meetings) for s in live.slots] == [2, 1, 0, 0, 0, 0]


def test_live_page_is_for_organizers_only(app: Flask, forum: dict) -> None:
    client = _login(app, forum["delegates"][0])
    assert client.get("/organizer/attendance").status_code == 403
    assert client.post(f"/organizer/attendance/{forum['requests'][0]}/held").status_code == 403
    assert app.test_client().get("/organizer/attendance").status_code == 302


def test_organizer_marks_before_the_meeting_are_refused(app: Flask, forum: dict, clock) -> None:
    clock(SLOT0 - timedelta(minutes=20))
    client = _login(app, forum["organizer"])
    r0 = forum["requests"][0]
    html = client.post(f"/organizer/attendance/{r0}/held", data={"day": "2024-10-17"},
                       follow_redirects=True).get_data(as_text=True)
    assert "You can check in from 09:50." in _flashes(html)
    html = client.post(f"/organizer/attendance/{r0}/no-show", data={"day": "2024-10-17",
                                                                    "absent": forum["companies"][0]},
                       follow_redirects=True).get_data(as_text=True)
    assert "A no-show can be recorded once the meeting has started, from 10:00." in _flashes(html)
    html = client.post(f"/organizer/attendance/{r0}/no-show", data={"day": "2024-10-17",
                                                                    "absent": forum["companies"][2]},
                       follow_redirects=True).get_data(as_text=True)
    assert "Choose one of the two companies of this meeting." in _flashes(html)
    assert _attendance(app, r0) is None


def test_table_host_checks_in_by_code_and_table(app: Flask, forum: dict, clock) -> None:
    _token, code = _pass(app, forum, 1, 3)
    client = _login(app, forum["organizer"])
    wrong_table = client.post("/organizer/attendance/code", data={"code": code, "table": 1, "day": "2024-10-17"})
    assert wrong_table.status_code == 422
    assert ("No meeting at table 1 on this day has this code. Check the table number and the code."
            in wrong_table.get_data(as_text=True))
    assert _attendance(app, forum["requests"][1]) is None
    response = client.post("/organizer/attendance/code", data={"code": code.lower(), "table": 2, "day": "2024-10-17"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Checked in: the meeting is recorded as held." in _flashes(html)
    assert _states(html)[forum["requests"][1]] == "held"
    assert _attendance(app, forum["requests"][1]).method == CheckInMethod.ORGANIZER


# --- re-offering freed places -----------------------------------------------------------------------------


def _offer_places(live) -> dict[int, list[tuple[int, int]]]:
    return {w.request.id: [(p.slot.id, p.table.id) for p in w.places] for w in live.offers}


def test_free_places_for_a_waiting_meeting(app: Flask, forum: dict) -> None:
    s, t = forum["slots"], forum["tables"]
    with app.test_request_context():
        live = svc.live_attendance(now=SLOT0 - timedelta(hours=1))
        later = svc.live_attendance(now=SLOT1 + timedelta(minutes=1))
    # r3 (C1-C3): slot 0 is taken for both; slot 1 has table 1 taken by r2 (C0-C2), so table 2.
    assert _offer_places(live) == {forum["requests"][3]: [(s[1], t[1]), (s[2], t[0]), (s[3], t[0])]}
    # Only slots still to come.
    assert _offer_places(later) == {forum["requests"][3]: [(s[2], t[0]), (s[3], t[0]), (s[4], t[0])]}


def test_waiting_meetings_of_a_company_left_alone_by_a_no_show_come_first(app: Flask, forum: dict) -> None:
    c = forum["companies"]
    with app.test_request_context():
        r4 = factories.accepted_request(c[0], c[3])
        assert [w.request.id for w in svc.live_attendance(now=SLOT0 - timedelta(hours=1)).offers] == [
            forum["requests"][3], r4]
        # C1 did not come to r0: C0 was left alone, so its waiting meeting (r4) is offered first.
        svc.report_no_show(db.session.get(User, forum["delegates"][0]), c[0], forum["requests"][0], now=DURING)
        live = svc.live_attendance(now=DURING)
    assert [(w.request.id, w.stood_up) for w in live.offers] == [(r4, True), (forum["requests"][3], False)]


def test_offer_this_slot_places_the_meeting_and_tells_both_companies(app: Flask, forum: dict, clock) -> None:
    clock(SLOT0 - timedelta(hours=1))
    client = _login(app, forum["organizer"])
    html = client.get("/organizer/attendance?day=2024-10-17").get_data(as_text=True)
    assert "Offer this slot: 10:20, table 2" in html
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    r3 = forum["requests"][3]
    response = client.post("/organizer/attendance/offer", data={
        "request_id": r3, "slot_id": forum["slots"][1], "table_id": forum["tables"][1], "version": version,
        "day": "2024-10-17"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Agenda Company 1 and Agenda Company 3 now meet there; both companies have been told." in _flashes(html)
    assert _states(html)[r3] == "waiting"
    with app.app_context():
        placed = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == r3))
        assert (placed.slot_id, placed.table_id) == (forum["slots"][1], forum["tables"][1])
        notices = sorted(db.session.execute(select(Notification.company_id, Notification.kind)
                                            .where(Notification.request_id == r3)).all())
    assert notices == sorted([(forum["companies"][1], "meeting_scheduled"), (forum["companies"][3], "meeting_scheduled")])
    # The same offer again changes nothing.
    again = client.post("/organizer/attendance/offer", data={
        "request_id": r3, "slot_id": forum["slots"][2], "table_id": forum["tables"][1], "version": version + 1,
        "day": "2024-10-17"}, follow_redirects=True)
    assert "This meeting is already on the agenda." in _flashes(again.get_data(as_text=True))


def test_offer_of_a_slot_already_started_is_refused(app: Flask, forum: dict, clock) -> None:
    client = _login(app, forum["organizer"])
    response = client.post("/organizer/attendance/offer", data={
        "request_id": forum["requests"][3], "slot_id": forum["slots"][0], "table_id": forum["tables"][2],
        "version": 0, "day": "2024-10-17"}, follow_redirects=True)
    assert "That slot has already started: choose a later one." in _flashes(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(ScheduledMeeting).where(
            ScheduledMeeting.request_id == forum["requests"][3])) is None


# --- query counts ------------------------------------------------------------------------------------------


def test_live_page_queries_do_not_grow_with_the_meetings(app: Flask, forum: dict, clock, count_queries) -> None:
    clock(SLOT0 - timedelta(hours=1))
    client = _login(app, forum["organizer"])
    client.get("/organizer/attendance?day=2024-10-17")
    with count_queries() as few:
        client.get("/organizer/attendance?day=2024-10-17")
    with app.app_context():
        extra = [factories.company(name=f"Extra {i}") for i in range(6)]
        for i in range(0, 6, 2):
            rid = factories.accepted_request(extra[i], extra[i + 1])
            factories.place(rid, forum["slots"][2 + i // 2], forum["tables"][2])
            db.session.add(MeetingAttendance(request_id=rid, status=AttendanceStatus.HELD,
                                             method=CheckInMethod.ORGANIZER))
        for i in range(0, 6, 3):
            factories.accepted_request(extra[i], extra[(i + 2) % 6])
        db.session.commit()
    with count_queries() as many:
        html = client.get("/organizer/attendance?day=2024-10-17").get_data(as_text=True)
    assert _counts(html) == (3, 0, 3)
    assert len(many) == len(few)


# --- CSRF, as in production -----------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_check_in_and_no_show_need_the_forms_csrf_token(app: Flask, forum: dict, clock) -> None:
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "agenda-delegate1@example.com", "password": factories.PASSWORD,
                                "csrf_token": re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', login_page)[1]})
    _token, code = _pass(app, forum, 0, 0)
    url = f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}"
    for action in ("check-in", "no-show"):
        response = client.post(f"{url}/{action}", data={"code": code})
        assert response.status_code == 400
        assert "The form expired" in response.get_data(as_text=True)
    assert _attendance(app, forum["requests"][0]) is None
    page = client.get(url).get_data(as_text=True)
    pass_section = page[page.index('id="pass"'):]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', pass_section)[1]
    response = client.post(f"{url}/check-in", data={"code": code, "csrf_token": csrf}, follow_redirects=True)
    assert "Checked in: the meeting is recorded as held." in _flashes(response.get_data(as_text=True))
    assert _attendance(app, forum["requests"][0]).method == CheckInMethod.CODE
