"""Integration tests: `flask schedule` and the scheduling service on a real database."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    AgendaChange,
    MeetingRequest,
    MeetingSeat,
    Notification,
    RequestStatus,
    ScheduledMeeting,
)
from forum.services import agenda, scheduling
from forum.services.agenda import SessionSpec, TimeStructure
from forum.services.errors import ServiceError
from forum.services.forums import save_forum
from tests import factories

DAY = date(2024, 10, 17)


accepted = factories.accepted_request


@pytest.fixture
def forum(app: Flask) -> dict:
    """One session of an hour (three 20-minute slots), two tables, four companies, four accepted requests."""
    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", DAY, DAY)
        db.session.commit()
        agenda.save_structure(TimeStructure(sessions=[SessionSpec(DAY, time(10), time(11))], slot_minutes=20,
                                            tables=2))
        c = [factories.company(name=f"Company {i}") for i in range(4)]
        requests = [accepted(c[0], c[1]), accepted(c[2], c[3]), accepted(c[0], c[2]), accepted(c[1], c[3])]
        return {"companies": c, "requests": requests}


def seats_per_slot_and_company(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(func.count()).select_from(MeetingSeat)
                                       .group_by(MeetingSeat.slot_id, MeetingSeat.company_id)))


def test_schedule_places_every_meeting_without_double_booking(app, forum):
    with app.app_context():
        report = scheduling.schedule(time_limit=2)
        assert (report.placed, report.unplaced) == (4, [])
        assert db.session.scalar(select(func.count()).select_from(ScheduledMeeting)) == 4
    assert set(seats_per_slot_and_company(app)) == {1}


def test_dry_run_writes_nothing(app, forum):
    with app.app_context():
        report = scheduling.schedule(dry_run=True, time_limit=2)
        assert report.placed == 4
        assert db.session.scalar(select(func.count()).select_from(ScheduledMeeting)) == 0


def test_more_meetings_than_capacity_places_what_fits_and_explains_the_rest(app, forum):
    with app.app_context():
        c = forum["companies"]
        accepted(c[0], c[3])
        accepted(c[1], c[2])
        extra = [factories.company(name=f"Extra {i}") for i in range(4)]
        accepted(extra[0], extra[1])
        accepted(extra[2], extra[3])
        report = scheduling.schedule(time_limit=2)
        # 3 slots x 2 tables = 6 places for 8 meetings
        assert report.placed == 6
        assert len(report.unplaced) == 2
        assert all(item.reason for item in report.unplaced)


def test_schedule_without_slots_refused(app):
    with app.app_context(), pytest.raises(ServiceError, match="no meeting slots yet"):
        scheduling.schedule()


def test_schedule_cli_prints_summary_and_saves(runner, forum, app):
    result = runner.invoke(args=["schedule", "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    assert "Placed 4 meetings, 0 unplaced" in result.output
    assert "The agenda is saved." in result.output
    dry = runner.invoke(args=["schedule", "--dry-run", "--time-limit", "1"])
    assert "Dry run: nothing was saved." in dry.output


@pytest.mark.parametrize("args", [["--time-limit", "0"], ["--time-limit", "abc"], ["--seed", "-1"]])
def test_schedule_cli_bad_arguments_exit_2(runner, forum, args):
    assert runner.invoke(args=["schedule", *args]).exit_code == 2


def test_schedule_keeps_locked_meetings(app, forum):
    with app.app_context():
        scheduling.schedule(time_limit=2)
        first = db.session.scalar(select(ScheduledMeeting).order_by(ScheduledMeeting.id))
        first.locked = True
        db.session.commit()
        where = (first.request_id, first.slot_id, first.table_id)
        scheduling.schedule(time_limit=2, seed=7)
        kept = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == where[0]))
        assert (kept.request_id, kept.slot_id, kept.table_id) == where
        assert kept.locked


def test_a_request_cancelled_while_the_solver_runs_is_not_put_on_the_agenda(app, forum, monkeypatch):
    real_solve = scheduling.solve

    def solve_while_a_delegate_cancels(instance, **kwargs):
        # another request commits a cancellation after the scheduler loaded the accepted meetings
        request = db.session.scalar(select(MeetingRequest).order_by(MeetingRequest.id).limit(1))
        request.status = RequestStatus.CANCELLED
        db.session.commit()
        return real_solve(instance, **kwargs)

    monkeypatch.setattr(scheduling, "solve", solve_while_a_delegate_cancels)
    with app.app_context():
        first = db.session.scalar(select(MeetingRequest.id).order_by(MeetingRequest.id).limit(1))
        scheduling.schedule(time_limit=2)
        placed = set(db.session.scalars(select(ScheduledMeeting.request_id)))
        assert first not in placed
        assert len(placed) == 3


def test_schedule_cli_on_a_published_agenda_records_history_and_tells_the_companies(app, runner):
    with app.app_context():
        ids = factories.published_agenda()  # r3 (C1-C3) is accepted but not placed yet
    result = runner.invoke(args=["schedule", "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        r3 = ids["requests"][3]
        assert db.session.scalar(select(ScheduledMeeting.id).where(ScheduledMeeting.request_id == r3)) is not None
        assert db.session.scalars(select(AgendaChange.kind)).all() == ["schedule"]  # undoable in the builder
        told = set(db.session.scalars(select(Notification.company_id).where(Notification.request_id == r3,
                                                                            Notification.kind == "meeting_scheduled")))
        assert told == {ids["companies"][1], ids["companies"][3]}
        assert db.session.get(MeetingRequest, r3).agenda_sequence == 1
