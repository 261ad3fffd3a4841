"""Integration tests: the database itself refuses a double booking, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import (
    ForumSession,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    ScheduledMeeting,
    Slot,
    VenueTable,
)
from tests import factories

START = datetime(2024, 10, 17, 5, 0, tzinfo=UTC)  # 10:00 in Qarshi


@pytest.fixture
def agenda(app: Flask) -> dict:
    with app.app_context():
        companies = [factories.company(name=f"Company {i}") for i in range(4)]
        session = ForumSession(day=START.date(), starts_at=START, ends_at=START + timedelta(hours=3))
        slots = [Slot(session=session, starts_at=START + timedelta(minutes=20 * i),
                      ends_at=START + timedelta(minutes=20 * (i + 1))) for i in range(2)]
        tables = [VenueTable(number=n) for n in (1, 2)]
        requests = []
        for a, b in ((0, 1), (2, 3), (0, 2)):
            low, high = sorted((companies[a], companies[b]))
            requests.append(MeetingRequest(requester_id=companies[a], recipient_id=companies[b], pair_low=low,
                                           pair_high=high, status=RequestStatus.ACCEPTED))
        db.session.add_all([session, *slots, *tables, *requests])
        db.session.commit()
        return {"companies": companies, "slots": [s.id for s in slots], "tables": [t.id for t in tables],
                "requests": [r.id for r in requests]}


def place(request_id: int, slot_id: int, table_id: int, companies: tuple[int, int]) -> None:
    meeting = ScheduledMeeting(request_id=request_id, slot_id=slot_id, table_id=table_id)
    meeting.seats = [MeetingSeat(company_id=c, slot_id=slot_id) for c in companies]
    db.session.add(meeting)
    db.session.commit()


def test_two_meetings_at_one_table_in_one_slot_refused(app, agenda):
    c, s, t, r = agenda["companies"], agenda["slots"], agenda["tables"], agenda["requests"]
    with app.app_context():
        place(r[0], s[0], t[0], (c[0], c[1]))
        with pytest.raises(IntegrityError):
            place(r[1], s[0], t[0], (c[2], c[3]))
        db.session.rollback()
        place(r[1], s[0], t[1], (c[2], c[3]))  # another table is fine
        assert db.session.query(ScheduledMeeting).count() == 2


def test_company_in_two_meetings_in_one_slot_refused(app, agenda):
    c, s, t, r = agenda["companies"], agenda["slots"], agenda["tables"], agenda["requests"]
    with app.app_context():
        place(r[0], s[0], t[0], (c[0], c[1]))
        with pytest.raises(IntegrityError):
            place(r[2], s[0], t[1], (c[0], c[2]))  # company 0 again, other table, same slot
        db.session.rollback()
        place(r[2], s[1], t[1], (c[0], c[2]))  # the next slot is fine
        assert db.session.query(MeetingSeat).count() == 4


def test_open_request_pair_unique_in_database(app, agenda):
    c = agenda["companies"]
    with app.app_context():
        low, high = sorted((c[1], c[3]))
        db.session.add(MeetingRequest(requester_id=c[1], recipient_id=c[3], pair_low=low, pair_high=high))
        db.session.commit()
        db.session.add(MeetingRequest(requester_id=c[3], recipient_id=c[1], pair_low=low, pair_high=high))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # a closed request does not block a new one
        db.session.add(MeetingRequest(requester_id=c[3], recipient_id=c[1], pair_low=low, pair_high=high,
                                      status=RequestStatus.DECLINED))
        db.session.commit()
