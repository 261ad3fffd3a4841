"""Integration tests: meeting requests through the service — states, refusals, caps, expiry, notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import MeetingRequest, Notification, OutboxEmail, RequestStatus, Role, User, utcnow
from forum.services import meetings
from forum.services.errors import PermissionDenied, ServiceError
from tests import factories


@pytest.fixture
def pair(app: Flask) -> dict:
    with app.app_context():
        left = factories.delegation("Almaty Region (Kazakhstan)")
        right = factories.delegation("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
        dairy = factories.company(delegation_id=left, name="Esik Dairy")
        film = factories.company(delegation_id=right, name="Qarshi Film", sectors=("packaging",))
        return {"dairy": dairy, "film": film, "dairy_user": factories.user(company_id=dairy),
                "film_user": factories.user(company_id=film)}


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_request_then_accept_notifies_both_ways(app, pair):
    with app.app_context():
        request = meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"], "About film")
        assert request.status == RequestStatus.REQUESTED
        assert request.expires_at - request.created_at == timedelta(hours=72)
        notices = list(db.session.scalars(select(Notification.kind, ).where(Notification.company_id == pair["film"])))
        assert notices == ["request_received"]
        assert db.session.scalar(select(OutboxEmail.subject)) == "Esik Dairy asks for a meeting"

        meetings.accept(user(pair["film_user"]), request.id)
        assert db.session.get(MeetingRequest, request.id).status == RequestStatus.ACCEPTED
        kinds = list(db.session.scalars(select(Notification.kind).where(Notification.company_id == pair["dairy"])))
        assert kinds == ["request_accepted"]


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_recipient_answers(app, pair, action):
    with app.app_context():
        request = meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        with pytest.raises(PermissionDenied):
            getattr(meetings, action)(user(pair["dairy_user"]), request.id)
        assert db.session.get(MeetingRequest, request.id).status == RequestStatus.REQUESTED


def test_self_and_duplicate_requests_refused(app, pair):
    with app.app_context():
        with pytest.raises(ServiceError, match="cannot request a meeting with itself"):
            meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["dairy"])
        meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        # the other direction is the same pair
        with pytest.raises(ServiceError, match="already an open request"):
            meetings.request_meeting(user(pair["film_user"]), pair["film"], pair["dairy"])
        assert count(MeetingRequest) == 1


def test_no_requests_to_or_from_a_deactivated_company(app, pair):
    from forum.models import Company

    with app.app_context():
        db.session.get(Company, pair["film"]).active = False
        db.session.commit()
        with pytest.raises(ServiceError, match="Qarshi Film no longer takes part in the forum"):
            meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        with pytest.raises(ServiceError, match="Qarshi Film no longer takes part in the forum"):
            meetings.request_meeting(user(pair["film_user"]), pair["film"], pair["dairy"])
        assert count(MeetingRequest) == 0


def test_answer_on_request_no_longer_pending_refused(app, pair):
    with app.app_context():
        request = meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        meetings.decline(user(pair["film_user"]), request.id)
        with pytest.raises(ServiceError, match="already declined, so it cannot be accepted"):
            meetings.accept(user(pair["film_user"]), request.id)
        assert db.session.get(MeetingRequest, request.id).status == RequestStatus.DECLINED


def test_stale_version_refused(app, pair):
    """Two answers at once: the second names the version it read and is refused with the current state."""
    with app.app_context():
        request = meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        seen = request.version
        meetings.accept(user(pair["film_user"]), request.id, version=seen)
        with pytest.raises(ServiceError, match="changed since you opened it: it is now accepted"):
            meetings.decline(user(pair["film_user"]), request.id, version=seen)


def test_either_side_cancels_and_new_request_allowed_after(app, pair):
    with app.app_context():
        request = meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        meetings.accept(user(pair["film_user"]), request.id)
        meetings.cancel(user(pair["dairy_user"]), request.id)
        assert db.session.get(MeetingRequest, request.id).status == RequestStatus.CANCELLED
        again = meetings.request_meeting(user(pair["film_user"]), pair["film"], pair["dairy"])
        assert again.status == RequestStatus.REQUESTED


def test_expired_requests_free_the_pair(app, pair):
    with app.app_context():
        request = meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        assert meetings.expire_due(utcnow() + timedelta(hours=73)) == 1
        assert db.session.get(MeetingRequest, request.id).status == RequestStatus.EXPIRED
        with pytest.raises(ServiceError, match="already expired"):
            meetings.accept(user(pair["film_user"]), request.id)


def test_caps_on_pending_and_meetings(app, pair):
    with app.app_context():
        from datetime import date

        from forum.services.forums import save_forum

        forum = save_forum("Forum", "Qarshi", "Hall", date(2024, 10, 17), date(2024, 10, 18))
        forum.max_pending_per_company = 1
        forum.max_meetings_per_company = 1
        db.session.commit()
        other = factories.company(name="Third")
        meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"])
        with pytest.raises(ServiceError, match="requests waiting for an answer"):
            meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], other)
        first = db.session.scalar(select(MeetingRequest))
        meetings.accept(user(pair["film_user"]), first.id)
        third_user = factories.user(company_id=other)
        with pytest.raises(ServiceError, match="accepted meetings, the most"):
            meetings.request_meeting(user(third_user), other, pair["film"])


def test_organizer_acts_for_a_company_and_is_recorded(app, pair):
    with app.app_context():
        organizer = factories.user(role=Role.ORGANIZER)
        request = meetings.request_meeting(user(organizer), pair["dairy"], pair["film"])
        assert request.created_by_id == organizer


def test_participant_cannot_act_for_another_company(app, pair):
    with app.app_context():
        with pytest.raises(PermissionDenied):
            meetings.request_meeting(user(pair["film_user"]), pair["dairy"], pair["film"])
        assert count(MeetingRequest) == 0


def test_two_answers_at_the_same_moment_one_wins(app, pair):
    """Two delegates of the recipient press Accept and Decline at once: exactly one answer stands."""
    import threading

    with app.app_context():
        request_id = meetings.request_meeting(user(pair["dairy_user"]), pair["dairy"], pair["film"]).id
        second = factories.user(company_id=pair["film"])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def answer(name: str, user_id: int, action) -> None:
        with app.app_context():
            actor = user(user_id)
            request = db.session.get(MeetingRequest, request_id)
            version = request.version  # both read the same version before either writes
            barrier.wait()
            try:
                action(actor, request_id, version)
                outcomes[name] = "ok"
            except ServiceError as exc:
                outcomes[name] = exc.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer, args=("accept", pair["film_user"], meetings.accept)),
               threading.Thread(target=answer, args=("decline", second, meetings.decline))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True]
    loser = next(v for v in outcomes.values() if v != "ok")
    assert "moment ago" in loser or "changed since you opened it" in loser
    with app.app_context():
        final = db.session.get(MeetingRequest, request_id).status
    winner = next(k for k, v in outcomes.items() if v == "ok")
    assert final == {"accept": RequestStatus.ACCEPTED, "decline": RequestStatus.DECLINED}[winner]
