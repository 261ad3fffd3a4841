"""Integration tests: "My agenda" and the meeting detail (service and pages), and partner contacts.

The factory forum (tests.factories.published_agenda) runs on 17 Oct 2024 in Asia/Tashkent (UTC+5):
C0 meets C1 at 10:00-10:20 table 1 (r0, C0 asked) and C2 at 10:20-10:40 table 1 (r2, C0 asked);
C2 meets C3 at 10:00 table 2 (r1); C1-C3 (r3) is accepted but not placed.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from forum.extensions import db
from forum.models import Company, Forum, MatchSuggestion, Slot, User, VenueTable
from forum.services import companies, delegate_agenda
from forum.services.errors import NotFound, PermissionDenied
from tests import factories

DURING_R0 = datetime(2024, 10, 17, 5, 5, tzinfo=UTC)  # 10:05 in Tashkent


@pytest.fixture
def forum(app: Flask) -> dict:
    with app.app_context():
        return factories.published_agenda()


def _user(app: Flask, user_id: int) -> User:
    return db.session.get(User, user_id)


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Make the pages believe it is ``moment`` (the service reads the clock through its own utcnow)."""
    monkeypatch.setattr(delegate_agenda, "utcnow", lambda: moment)


def _text(response) -> str:
    """The page's main content as text, whitespace collapsed: what a reader sees."""
    body = response.get_data(as_text=True)
    main = re.search(r"<main.*?</main>", body, re.S).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _cards(response) -> list[str]:
    return re.findall(r'data-testid="agenda-meeting" data-request-id="(\d+)"', response.get_data(as_text=True))


# --- the service --------------------------------------------------------------------------------


def test_agenda_for_lists_company_meetings_by_day_with_partner_and_message(app, forum):
    c, r = forum["companies"], forum["requests"]
    with app.app_context():
        view = delegate_agenda.agenda_for(_user(app, forum["delegates"][0]), c[0], now=DURING_R0)
        assert [d for d, _meetings in view.days] == [date(2024, 10, 17)]
        got = [(m.request_id, m.starts_at, m.ends_at, m.table, m.partner.name, m.message, m.requested_by_us)
               for m in view.meetings]
        assert got == [
            (r[0], datetime(2024, 10, 17, 5, 0, tzinfo=UTC), datetime(2024, 10, 17, 5, 20, tzinfo=UTC), 1,
             "Agenda Company 1", "Let us talk about milk supply.", True),
            (r[2], datetime(2024, 10, 17, 5, 20, tzinfo=UTC), datetime(2024, 10, 17, 5, 40, tzinfo=UTC), 1,
             "Agenda Company 2", "", True),
        ]
        assert [u.full_name for u in view.meetings[0].partner_delegates] == ["Delegate 1"]
        assert [s.label for s in view.meetings[0].partner.sectors] == ["Dairy"]
        # C1 sees its one placed meeting from the other side; r3 (not placed) is not on any agenda
        other = delegate_agenda.agenda_for(_user(app, forum["delegates"][1]), c[1], now=DURING_R0)
        assert [(m.request_id, m.partner.name, m.requested_by_us) for m in other.meetings] == \
            [(r[0], "Agenda Company 0", False)]


@pytest.mark.parametrize(("moment", "now_index", "next_index", "over", "other_day"), [
    (datetime(2024, 10, 17, 5, 5, tzinfo=UTC), 0, 2, False, False),     # 10:05: during r0, r2 next
    (datetime(2024, 10, 17, 5, 20, tzinfo=UTC), 2, None, False, False),  # 10:20 sharp: r2 starts, the last
    (datetime(2024, 10, 17, 4, 0, tzinfo=UTC), None, 0, False, False),   # 09:00: before the first
    (datetime(2024, 10, 16, 9, 0, tzinfo=UTC), None, 0, False, True),    # the day before
    (datetime(2024, 10, 17, 5, 40, tzinfo=UTC), None, None, True, False),  # 10:40: all over
])
def test_agenda_now_and_next_at_fixed_times(app, forum, moment, now_index, next_index, over, other_day):
    r = forum["requests"]
    with app.app_context():
        view = delegate_agenda.agenda_for(_user(app, forum["delegates"][0]), forum["companies"][0], now=moment)
        assert (view.now.request_id if view.now else None) == (r[now_index] if now_index is not None else None)
        assert (view.next.request_id if view.next else None) == (r[next_index] if next_index is not None else None)
        assert (view.all_over, view.next_on_another_day, view.generated_at) == (over, other_day, moment)


def test_agenda_for_unpublished_is_none(app):
    with app.app_context():
        ids = factories.published_agenda(publish=False)
        assert delegate_agenda.agenda_for(_user(app, ids["delegates"][0]), ids["companies"][0]) is None
        with pytest.raises(NotFound):
            delegate_agenda.load_meeting(_user(app, ids["delegates"][0]), ids["companies"][0], ids["requests"][0])


def test_agenda_for_other_company_refused(app, forum):
    with app.app_context(), pytest.raises(PermissionDenied):
        delegate_agenda.agenda_for(_user(app, forum["delegates"][3]), forum["companies"][0])


def test_load_meeting_only_finds_the_company_s_own_placed_meetings(app, forum):
    c, r = forum["companies"], forum["requests"]
    with app.app_context():
        delegate = _user(app, forum["delegates"][0])
        found = delegate_agenda.load_meeting(delegate, c[0], r[2])
        assert (found.request_id, found.table, found.partner.name, found.sequence) == (r[2], 1, "Agenda Company 2", 0)
        for request_id in (r[1], r[3], 999_999, 2**40):  # C2-C3's meeting, unplaced, missing, out of range
            with pytest.raises(NotFound):
                delegate_agenda.load_meeting(delegate, c[0], request_id)
        with pytest.raises(PermissionDenied):  # asking in another company's name
            delegate_agenda.load_meeting(delegate, c[2], r[1])


def test_match_reasons_read_either_direction_worded_for_the_reader(app, forum):
    c = forum["companies"]
    with app.app_context():
        # C0's own suggestion of C1; for C2 only C2's suggestion of C0 exists and must be turned around
        db.session.add_all([
            MatchSuggestion(company_id=c[0], partner_id=c[1], rank=1, score=0.82, reasons=[
                {"kind": "you_need", "weight": 0.5, "mine": "Packaging film", "theirs": "Barrier film"}]),
            MatchSuggestion(company_id=c[2], partner_id=c[0], rank=1, score=0.61, reasons=[
                {"kind": "you_need", "weight": 0.5, "mine": "Raw milk", "theirs": "Pasteurised milk"},
                {"kind": "cross_delegation", "weight": 0.2, "delegations": ["Almaty", "Kashkadarya"]}]),
        ])
        db.session.commit()
        view = delegate_agenda.agenda_for(_user(app, forum["delegates"][0]), c[0], now=DURING_R0)
        assert [(m.score, m.reasons) for m in view.meetings] == [
            (0.82, ["You need “Packaging film”; they offer “Barrier film”."]),
            (0.61, ["They need “Raw milk”; you offer “Pasteurised milk”.",
                    "Kashkadarya ↔ Almaty: a partner from another delegation."]),
        ]


# --- the pages ----------------------------------------------------------------------------------


def test_my_agenda_page_shows_meetings_with_now_and_next(client, login_as, forum, monkeypatch):
    c, r = forum["companies"], forum["requests"]
    _at(monkeypatch, DURING_R0)
    login_as(forum["delegates"][0])
    response = client.get("/my/agenda")
    assert response.status_code == 200
    text = _text(response)
    assert "Now: table 1, until 10:20 Agenda Company 1 Next: 10:20 table 1 Agenda Company 2" in text
    assert "Last updated 10:05" in text
    assert "Thursday, October 17, 2024" in text
    assert ("10:00–10:20 Asia/Tashkent (UTC+5) Now Table 1 Agenda Company 1 Dairy "
            "10:20–10:40 Asia/Tashkent (UTC+5) Next Table 1 Agenda Company 2 Dairy") in text
    assert _cards(response) == [str(r[0]), str(r[2])]
    page = response.get_data(as_text=True)
    assert 'data-generated-at="2024-10-17T05:05:00+00:00"' in page
    assert ('data-starts-at="2024-10-17T05:00:00+00:00" data-ends-at="2024-10-17T05:20:00+00:00"') in page
    assert f'href="/companies/{c[0]}/agenda/{r[0]}"' in page
    assert 'src="/static/js/agenda-now.js" defer' in page
    assert 'data-testid="calendar-card"' in page and 'data-offline-status' in page


@pytest.mark.parametrize(("moment", "bar"), [
    (datetime(2024, 10, 17, 4, 0, tzinfo=UTC), "Next: 10:00 table 1 Agenda Company 1"),
    (datetime(2024, 10, 16, 9, 0, tzinfo=UTC), "Next: Thu 17 Oct, 10:00 table 1 Agenda Company 1"),
    (datetime(2024, 10, 17, 5, 40, tzinfo=UTC), "All your meetings are over"),
])
def test_my_agenda_bar_before_and_after(client, login_as, forum, monkeypatch, moment, bar):
    _at(monkeypatch, moment)
    login_as(forum["delegates"][0])
    text = _text(client.get("/my/agenda"))
    assert bar in text
    assert "Now:" not in text


def test_my_agenda_other_delegate_sees_only_own_meetings(client, login_as, forum, monkeypatch):
    _at(monkeypatch, DURING_R0)
    login_as(forum["delegates"][3])
    response = client.get("/my/agenda")
    assert _cards(response) == [str(forum["requests"][1])]
    assert "Now: table 2, until 10:20 Agenda Company 2" in _text(response)


def test_my_agenda_unpublished_explains(app, client, login_as):
    with app.app_context():
        ids = factories.published_agenda(publish=False)
    login_as(ids["delegates"][0])
    response = client.get("/my/agenda")
    assert response.status_code == 200
    text = _text(response)
    assert "The agenda is not published yet" in text
    assert "Last updated" in text and _cards(response) == []


def test_my_agenda_published_without_meetings_links_onwards(app, client, login_as, forum):
    with app.app_context():
        loner = factories.company(name="Lonely Dairy")
        delegate = factories.user(company_id=loner)
    login_as(delegate)
    response = client.get("/my/agenda")
    text = _text(response)
    assert "No meetings on the agenda" in text
    page = response.get_data(as_text=True)
    assert f'href="/companies/{loner}/matches"' in page and f'href="/companies/{loner}/meetings"' in page


def test_my_agenda_needs_login(client, forum):
    response = client.get("/my/agenda")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_organizer_without_company_redirected_with_message(client, login_as, forum):
    login_as(forum["organizer"])
    response = client.get("/my/agenda", follow_redirects=True)
    assert response.request.path == "/companies/"
    assert "Organizer accounts have no agenda of their own." in _text(response)


def test_organizer_sees_a_company_agenda(client, login_as, forum, monkeypatch):
    _at(monkeypatch, DURING_R0)
    login_as(forum["organizer"])
    response = client.get(f"/companies/{forum['companies'][0]}/agenda")
    assert response.status_code == 200
    assert "Agenda of Agenda Company 0" in _text(response)
    assert _cards(response) == [str(forum["requests"][0]), str(forum["requests"][2])]


def test_company_agenda_of_other_company_forbidden_and_unknown_missing(client, login_as, forum):
    login_as(forum["delegates"][1])
    assert client.get(f"/companies/{forum['companies'][0]}/agenda").status_code == 403
    assert client.get("/companies/999999/agenda").status_code == 404


def test_meeting_detail_shows_partner_contact_and_message(client, login_as, forum):
    c, r = forum["companies"], forum["requests"]
    login_as(forum["delegates"][0])
    response = client.get(f"/companies/{c[0]}/agenda/{r[0]}")
    assert response.status_code == 200
    text = _text(response)
    assert "Meeting with Agenda Company 1" in text
    assert "Thursday, October 17, 2024 10:00–10:20 Asia/Tashkent (UTC+5) Table 1 Agenda Company 1" in text
    assert "Last updated" in text
    assert "Delegates Delegate 1 Contact person Aigerim Bekova E-mail c1@company.example Phone +7 701 000 00 00" in text
    assert "Agenda Company 0 wrote Let us talk about milk supply." in text
    page = response.get_data(as_text=True)
    assert 'href="mailto:c1@company.example"' in page and 'href="tel:+77010000000"' in page
    assert f'href="/companies/{c[1]}"' in page and 'href="/my/agenda"' in page


def test_meeting_detail_message_attributed_to_the_asker(client, login_as, forum):
    login_as(forum["delegates"][1])
    text = _text(client.get(f"/companies/{forum['companies'][1]}/agenda/{forum['requests'][0]}"))
    assert "Meeting with Agenda Company 0" in text
    assert "Agenda Company 0 wrote Let us talk about milk supply." in text


def test_organizer_opens_a_company_meeting(client, login_as, forum):
    c, r = forum["companies"], forum["requests"]
    login_as(forum["organizer"])
    response = client.get(f"/companies/{c[0]}/agenda/{r[2]}")
    assert response.status_code == 200
    assert "← Agenda of Agenda Company 0 Meeting with Agenda Company 2" in _text(response)
    assert f'href="/companies/{c[0]}/agenda"' in response.get_data(as_text=True)


def test_meeting_detail_of_other_company_not_found(client, login_as, forum):
    c, r = forum["companies"], forum["requests"]
    login_as(forum["delegates"][0])
    assert client.get(f"/companies/{c[0]}/agenda/{r[1]}").status_code == 404  # C2-C3's meeting
    assert client.get(f"/companies/{c[0]}/agenda/{r[3]}").status_code == 404  # accepted, not placed
    assert client.get(f"/companies/{c[0]}/agenda/{2**40}").status_code == 404
    assert client.get(f"/companies/{c[2]}/agenda/{r[1]}").status_code == 403  # another company's name


# --- query counts -------------------------------------------------------------------------------


def _more_meetings(app: Flask, forum: dict, count: int) -> None:
    """``count`` more placed meetings for C0, each with a new partner with two delegates and sectors."""
    with app.app_context():
        slots = list(db.session.scalars(select(Slot.id).order_by(Slot.starts_at)))
        tables = list(db.session.scalars(select(VenueTable.id).order_by(VenueTable.number)))
        free = [(s, t) for s in slots[2:] for t in tables]
        for n in range(count):
            partner = factories.company(name=f"Partner {n}", sectors=("dairy", "packaging"))
            factories.user(company_id=partner)
            factories.user(company_id=partner)
            request = factories.accepted_request(forum["companies"][0], partner, f"Message {n}")
            slot, table = free[n * len(tables)]  # one per slot: C0 cannot be at two tables at once
            factories.place(request, slot, table)


def test_agenda_page_query_count_does_not_grow_with_meetings(app, client, login_as, forum, count_queries,
                                                             monkeypatch):
    # The queries of building the page, not of serving it from the page cache (test_page_cache.py).
    monkeypatch.setitem(app.extensions, "forum_cache", None)
    login_as(forum["delegates"][0])
    client.get("/my/agenda")  # warm up: the first request loads the forum once more for the session
    with count_queries() as few:
        assert client.get("/my/agenda").status_code == 200
    _more_meetings(app, forum, 4)
    with count_queries() as many:
        response = client.get("/my/agenda")
    assert len(_cards(response)) == 6
    assert len(many) == len(few)
    assert len(few) <= 12


def test_match_reasons_batched_in_constant_queries(app, forum, count_queries):
    _more_meetings(app, forum, 4)
    with app.app_context():
        own = forum["companies"][0]
        for partner in db.session.scalars(select(Company.id).where(Company.id != own).order_by(Company.id)):
            db.session.add(MatchSuggestion(company_id=own, partner_id=partner, rank=partner, score=0.5,
                                           reasons=[{"kind": "same_sector", "weight": 0.3, "sectors": ["dairy"]}]))
        db.session.commit()
        db.session.expunge_all()
    with count_queries() as statements, app.app_context():
        view = delegate_agenda.agenda_for(db.session.get(User, forum["delegates"][0]), forum["companies"][0],
                                          now=DURING_R0)
        assert [m.why for m in view.meetings] == ["Both of you are in Dairy."] * 6
    # user, company, forum, placements, partners, their delegates, their sectors, suggestions, sector labels
    assert len(statements) == 9


# --- partner contacts ---------------------------------------------------------------------------


def test_accepted_meeting_partner_sees_contacts(app, forum, client, login_as):
    c = forum["companies"]
    with app.app_context():
        partner = _user(app, forum["delegates"][0])
        stranger = _user(app, forum["delegates"][3])
        company = db.session.get(Company, c[1])
        assert companies.can_see_contacts(partner, company) is True  # r0: C0-C1 accepted
        assert companies.can_see_contacts(stranger, db.session.get(Company, c[0])) is False  # no request
        # a request still waiting for an answer does not open the contacts
        waiting = factories.company(name="Waiting Co")
        from forum.models import MeetingRequest, RequestStatus
        low, high = sorted((c[0], waiting))
        db.session.add(MeetingRequest(requester_id=waiting, recipient_id=c[0], pair_low=low, pair_high=high,
                                      status=RequestStatus.REQUESTED))
        db.session.commit()
        waiting_user = factories.user(company_id=waiting)
        assert companies.can_see_contacts(_user(app, waiting_user), db.session.get(Company, c[0])) is False
    login_as(forum["delegates"][0])
    assert "c1@company.example" in client.get(f"/companies/{c[1]}").get_data(as_text=True)
    assert "c3@company.example" not in client.get(f"/companies/{c[3]}").get_data(as_text=True)


def test_forum_unpublished_again_hides_meeting(app, client, login_as, forum):
    with app.app_context():
        db.session.scalar(select(Forum)).agenda_published_at = None
        db.session.commit()
    login_as(forum["delegates"][0])
    assert client.get(f"/companies/{forum['companies'][0]}/agenda/{forum['requests'][0]}").status_code == 404
