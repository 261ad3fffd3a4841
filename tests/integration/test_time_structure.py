"""Integration tests: the forum's time structure — slots from sessions, slot length and breaks; bad structures."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ForumSession, Slot, VenueTable
from forum.services import agenda
from forum.services.agenda import BreakSpec, SessionSpec, StructureError, TimeStructure
from forum.services.forums import save_forum

DAY1, DAY2 = date(2024, 10, 17), date(2024, 10, 18)


@pytest.fixture
def forum(app: Flask) -> None:
    with app.app_context():
        save_forum("Kashkadarya Invest-2024", "Qarshi", "Hall", DAY1, DAY2)
        db.session.commit()


def structure(**changes) -> TimeStructure:
    base = {"sessions": [SessionSpec(DAY1, time(10), time(13)), SessionSpec(DAY1, time(14, 30), time(18))],
            "slot_minutes": 20, "tables": 10, "breaks": []}
    base.update(changes)
    return TimeStructure(**base)


def test_sessions_become_slots_in_utc(app, forum):
    with app.app_context():
        assert agenda.save_structure(structure()) == 9 + 10
        slots = list(db.session.scalars(select(Slot).order_by(Slot.starts_at)))
        # 10:00 in Qarshi (UTC+5) is 05:00 UTC
        assert (slots[0].starts_at.hour, slots[0].starts_at.minute) == (5, 0)
        # 14:30-18:00 holds ten 20-minute slots: the last ends at 17:50 local, 12:50 UTC
        assert (slots[-1].ends_at.hour, slots[-1].ends_at.minute) == (12, 50)
        assert db.session.scalar(select(func.count()).select_from(VenueTable)) == 10


def test_break_inside_session_removes_its_slots(app, forum):
    with app.app_context():
        count = agenda.save_structure(structure(breaks=[BreakSpec(DAY1, time(11), time(11, 30), "Coffee")]))
        # 10:00-11:00: 3 slots, 11:30-13:00: 4 slots (11:30, 11:50, 12:10, 12:30), afternoon 10
        assert count == 3 + 4 + 10
        starts = [s.starts_at.strftime("%H:%M") for s in db.session.scalars(select(Slot).order_by(Slot.starts_at))]
        assert "06:00" not in starts and "06:30" in starts


@pytest.mark.parametrize(("changes", "message"), [
    ({"tables": 0}, "The forum needs at least one table."),
    ({"slot_minutes": 0}, "A slot lasts from 5 to 240 minutes."),
    ({"sessions": [SessionSpec(DAY1, time(13), time(10))]}, "ends (10:00) before it starts (13:00)"),
    ({"sessions": [SessionSpec(DAY1, time(10), time(13)), SessionSpec(DAY1, time(12), time(15))]}, "overlap"),
    ({"breaks": [BreakSpec(DAY1, time(12, 30), time(15))]}, "overlaps the edge of a session"),
    ({"breaks": [BreakSpec(DAY1, time(19), time(20))]}, "is outside every session"),
    ({"breaks": [BreakSpec(DAY1, time(11), time(11, 30)), BreakSpec(DAY1, time(11, 15), time(11, 45))]},
     "Two breaks on 2024-10-17 overlap."),
    ({"sessions": [SessionSpec(date(2024, 11, 1), time(10), time(13))]}, "outside the forum's dates"),
    ({"slot_minutes": 240, "sessions": [SessionSpec(DAY1, time(10), time(11))]}, "No slot of 240 minutes fits"),
    ({"reserved": {11: 1}}, "Table 11 is reserved but the forum has 10 tables."),
    ({"sessions": []}, "Add at least one session."),
])
def test_bad_structure_refused_and_nothing_written(app, forum, changes, message):
    with app.app_context():
        agenda.save_structure(structure())
        before = db.session.scalar(select(func.count()).select_from(Slot))
        with pytest.raises(StructureError) as refused:
            agenda.save_structure(structure(**changes))
        assert any(message in problem for problem in refused.value.problems), refused.value.problems
        assert db.session.scalar(select(func.count()).select_from(Slot)) == before
        assert db.session.scalar(select(func.count()).select_from(ForumSession)) == 2
