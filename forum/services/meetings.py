"""Meeting requests: ask, accept, decline, cancel, expire; with notifications and e-mail.

Every status change goes through ``transition``, the one place that knows which moves are legal.
The database backs the rules up: one open request per pair of companies (a partial unique index) and
optimistic locking on the request row, so two answers at the same moment cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from forum.extensions import db
from forum.i18n import writing_to
from forum.models import (
    OPEN_STATUSES,
    Company,
    MeetingRequest,
    Notification,
    RequestStatus,
    SessionPreference,
    User,
    utcnow,
)
from forum.models.meeting import MESSAGE_MAX
from forum.services import mail
from forum.services.companies import MAX_ID, can_edit, get_company
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from forum.services.forums import current_forum
from forum.services.transaction import lock_rows

# The legal moves. Declined, cancelled and expired are final: a new request starts afresh.
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.REQUESTED: frozenset({RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.CANCELLED,
                                        RequestStatus.EXPIRED}),
    RequestStatus.ACCEPTED: frozenset({RequestStatus.CANCELLED}),
    RequestStatus.DECLINED: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
    RequestStatus.EXPIRED: frozenset(),
}


def status_label(status: RequestStatus) -> str:
    return {
        RequestStatus.REQUESTED: _("waiting for an answer"),
        RequestStatus.ACCEPTED: _("accepted"),
        RequestStatus.DECLINED: _("declined"),
        RequestStatus.CANCELLED: _("cancelled"),
        RequestStatus.EXPIRED: _("expired"),
    }[status]


def transition(request: MeetingRequest, to: RequestStatus, actor: User | None = None,
               now: datetime | None = None) -> None:
    """Move a request to ``to``, or refuse with the reason. Caller commits."""
    if to not in TRANSITIONS[request.status]:
        raise ServiceError(_("This request is already %(status)s, so it cannot be %(action)s.",
                             status=status_label(request.status), action=status_label(to)))
    request.status = to
    if to != RequestStatus.EXPIRED:
        request.responded_at = now or utcnow()
        request.responded_by_id = actor.id if actor is not None else None


def _acting_for(actor: User, company_id: int) -> Company:
    company = get_company(company_id)
    if not can_edit(actor, company):
        raise PermissionDenied(_("You can only act for your own company."))
    return company


def _open_between(a: int, b: int) -> MeetingRequest | None:
    low, high = sorted((a, b))
    return db.session.scalar(select(MeetingRequest).where(
        MeetingRequest.pair_low == low, MeetingRequest.pair_high == high,
        MeetingRequest.status.in_(OPEN_STATUSES)))


def _accepted_count(company_id: int, excluding: int | None = None) -> int:
    where = [MeetingRequest.status == RequestStatus.ACCEPTED,
             or_(MeetingRequest.requester_id == company_id, MeetingRequest.recipient_id == company_id)]
    if excluding is not None:
        where.append(MeetingRequest.id != excluding)
    return db.session.scalar(select(func.count()).select_from(MeetingRequest).where(*where))


def _lock_companies(*companies: Company) -> None:
    """Hold the companies' rows until the transaction ends, so that a count of their requests stays true
    until this transaction's own write is committed.

    Counting and then writing is a race: two accepts at once both count 4 meetings under a cap of 5, and
    both succeed. With the rows locked (in id order, so that two transactions never wait for each other in
    a circle), the second waits for the first to commit and then counts 5.
    """
    lock_rows(select(Company.id).where(Company.id.in_([c.id for c in companies])).order_by(Company.id))


def _pending_count(company_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.REQUESTED, MeetingRequest.requester_id == company_id))


def request_meeting(actor: User, from_company_id: int, to_company_id: int, message: str = "",
                    session: SessionPreference = SessionPreference.EITHER) -> MeetingRequest:
    """Ask another company for a meeting. Everything is checked before anything is written."""
    requester = _acting_for(actor, from_company_id)
    try:
        recipient = get_company(to_company_id)
    except NotFound:
        raise NotFound(_("That company no longer exists.")) from None
    if recipient.id == requester.id:
        raise ServiceError(_("A company cannot request a meeting with itself."))
    if not (recipient.active and requester.active):
        raise ServiceError(_("%(company)s no longer takes part in the forum.",
                             company=(requester if not requester.active else recipient).name))
    if recipient.opted_out or requester.opted_out:
        raise ServiceError(_("%(company)s is not taking part in matchmaking at the moment.",
                             company=(recipient if recipient.opted_out else requester).name))
    if len(message) > MESSAGE_MAX:
        raise ServiceError(_("Keep the message under %(max)d characters.", max=MESSAGE_MAX), field="message")
    expire_due()
    existing = _open_between(requester.id, recipient.id)
    if existing is not None:
        raise ServiceError(_("There is already an open request between %(a)s and %(b)s (%(status)s).",
                             a=requester.name, b=recipient.name, status=status_label(existing.status)))
    forum = current_forum()
    try:
        if forum is not None and forum.max_pending_per_company is not None:
            _lock_companies(requester)
            if _pending_count(requester.id) >= forum.max_pending_per_company:
                raise ServiceError(_("%(company)s already has %(count)d requests waiting for an answer, the most "
                                     "the organizers allow. Wait for answers or cancel one.",
                                     company=requester.name, count=forum.max_pending_per_company))
        _check_meeting_cap(forum, requester, recipient)
    except Exception:
        db.session.rollback()  # a refusal must not keep the company's lock while the page is rendered
        raise

    now = utcnow()
    low, high = sorted((requester.id, recipient.id))
    hours = forum.request_expiry_hours if forum is not None else 72
    request = MeetingRequest(requester_id=requester.id, recipient_id=recipient.id, pair_low=low, pair_high=high,
                             message=message, session_preference=session, created_by_id=actor.id,
                             created_at=now, expires_at=now + timedelta(hours=hours))
    try:
        db.session.add(request)
        db.session.flush()
        _notify(recipient, "request_received", request, other=requester)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("A request between these two companies was made a moment ago.")) from None
    except Exception:
        db.session.rollback()
        raise
    return request


def _check_meeting_cap(forum, *companies: Company, accepting: MeetingRequest | None = None) -> None:
    """Refuse when one of the companies has as many accepted meetings as the organizers allow. When
    ``accepting`` a request, the companies stay locked until the acceptance is committed, and the request
    itself is not counted: if someone accepted it a moment ago, the answer is that, not the cap."""
    if forum is None or forum.max_meetings_per_company is None:
        return
    if accepting is not None:
        _lock_companies(*companies)
    for company in companies:
        if _accepted_count(company.id, accepting.id if accepting is not None else None) \
                >= forum.max_meetings_per_company:
            raise ServiceError(_("%(company)s already has %(count)d accepted meetings, the most the organizers "
                                 "allow per company.", company=company.name, count=forum.max_meetings_per_company))


def get_request(request_id: int) -> MeetingRequest:
    request = db.session.get(MeetingRequest, request_id) if 0 < request_id <= MAX_ID else None
    if request is None:
        raise NotFound(_("There is no such meeting request."))
    return request


def _answer(actor: User, request_id: int, to: RequestStatus, version: int | None) -> MeetingRequest:
    expire_due()
    request = get_request(request_id)
    if to in (RequestStatus.ACCEPTED, RequestStatus.DECLINED):
        if not can_edit(actor, request.recipient):
            raise PermissionDenied(_("Only the company that was asked can answer this request."))
    elif not (can_edit(actor, request.recipient) or can_edit(actor, request.requester)):
        raise PermissionDenied(_("Only the two companies can cancel this request."))
    if version is not None and version != request.version:
        raise ServiceError(_("This request changed since you opened it: it is now %(status)s.",
                             status=status_label(request.status)))
    if to == RequestStatus.CANCELLED and request.status == RequestStatus.ACCEPTED:
        # Before this request's row is written: cancelling a meeting frees its cell, so it is an agenda
        # write and takes the agenda's lock first, as every agenda write does. An organizer moving the
        # same meeting at that moment holds that lock and writes this row; in the other order the two would
        # wait for each other.
        _lock_agenda()
    if to == RequestStatus.ACCEPTED and request.status == RequestStatus.REQUESTED:
        # Before the transition: once flushed, this request would count against its own cap.
        _check_meeting_cap(current_forum(), request.requester, request.recipient, accepting=request)
    was_accepted = request.status == RequestStatus.ACCEPTED
    transition(request, to, actor)
    if was_accepted and to == RequestStatus.CANCELLED:
        _leave_agenda(request, actor)
    kind = {RequestStatus.ACCEPTED: "request_accepted", RequestStatus.DECLINED: "request_declined",
            RequestStatus.CANCELLED: "request_cancelled"}[to]
    # Tell the side that did not act; an organizer acting for one side is that side (the recipient when
    # answering, and for a cancellation both sides hear of it).
    if to != RequestStatus.CANCELLED:
        _notify(request.requester, kind, request, other=request.recipient)
    elif can_edit(actor, request.requester) and can_edit(actor, request.recipient):
        _notify(request.requester, kind, request, other=request.recipient)
        _notify(request.recipient, kind, request, other=request.requester)
    elif can_edit(actor, request.requester):
        _notify(request.recipient, kind, request, other=request.requester)
    else:
        _notify(request.requester, kind, request, other=request.recipient)
    db.session.commit()
    return request


def _lock_agenda() -> None:
    from forum.services import agenda_builder  # it imports this module

    agenda_builder.lock_agenda()


def _leave_agenda(request: MeetingRequest, actor: User) -> None:
    """A cancelled meeting leaves the agenda in the same transaction: its slot, table and both seats are
    free again for the organizers to re-offer, and delegates' calendars drop it."""
    from forum.services import agenda_builder  # it imports this module

    agenda_builder.leave_agenda(request, actor)


def _answer_once(actor: User, request_id: int, to: RequestStatus, version: int | None) -> MeetingRequest:
    """Answer, or refuse with the reason; nothing is half-written either way."""
    try:
        return _answer(actor, request_id, to, version)
    except StaleDataError:
        # Someone answered the same request between our read and our write (the row's version moved):
        # the database refused our update, flushed at the commit or at any query before it.
        db.session.rollback()
        fresh = get_request(request_id)
        raise ServiceError(_("This request was answered a moment ago: it is now %(status)s.",
                             status=status_label(fresh.status))) from None
    except Exception:
        db.session.rollback()
        raise


def accept(actor: User, request_id: int, version: int | None = None) -> MeetingRequest:
    return _answer_once(actor, request_id, RequestStatus.ACCEPTED, version)


def decline(actor: User, request_id: int, version: int | None = None) -> MeetingRequest:
    return _answer_once(actor, request_id, RequestStatus.DECLINED, version)


def cancel(actor: User, request_id: int, version: int | None = None) -> MeetingRequest:
    return _answer_once(actor, request_id, RequestStatus.CANCELLED, version)


def expire_due(now: datetime | None = None) -> int:
    """Expire every pending request past its time, in one statement; returns how many. Commits."""
    now = now or utcnow()
    due = list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.REQUESTED, MeetingRequest.expires_at <= now)))
    if not due:
        return 0
    for request in due:
        _notify(request.requester, "request_expired", request, other=request.recipient)
    db.session.execute(update(MeetingRequest).where(MeetingRequest.id.in_([r.id for r in due]),
                                                    MeetingRequest.status == RequestStatus.REQUESTED)
                       .values(status=RequestStatus.EXPIRED, version=MeetingRequest.version + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return len(due)


# --- notifications ----------------------------------------------------------------------------------

_SUBJECTS = {
    "request_received": lambda d: _("%(company)s asks for a meeting", company=d["other"]),
    "request_accepted": lambda d: _("%(company)s accepted your meeting request", company=d["other"]),
    "request_declined": lambda d: _("%(company)s declined your meeting request", company=d["other"]),
    "request_cancelled": lambda d: _("%(company)s cancelled a meeting", company=d["other"]),
    "request_expired": lambda d: _("Your request to %(company)s expired without an answer", company=d["other"]),
    # Changes to the published agenda (forum/services/agenda_builder.py).
    "meeting_scheduled": lambda d: _("Your meeting with %(company)s is now on the agenda: see its time and table",
                                     company=d["other"]),
    "meeting_moved": lambda d: _("Your meeting with %(company)s moved: see its new time and table",
                                 company=d["other"]),
    "meeting_unscheduled": lambda d: _("Your meeting with %(company)s was taken off the agenda", company=d["other"]),
    # Attendance (forum/services/attendance.py): the partner or the table host recorded a no-show.
    "meeting_no_show": lambda d: _("Your meeting with %(company)s was recorded as missed by your side. If you "
                                   "were there, ask them to scan your meeting pass or enter its code",
                                   company=d["other"]),
}


def describe_notification(kind: str, data: dict) -> str:
    words = _SUBJECTS.get(kind)
    return words(data) if words else kind


def _notify(company: Company, kind: str, request: MeetingRequest, other: Company) -> None:
    """An in-app notice for the company and an e-mail to each of its delegates. Caller commits."""
    data = {"other": other.name, "other_id": other.id}
    db.session.add(Notification(company_id=company.id, kind=kind, data=data, request_id=request.id))
    sender = mail.sender()
    for delegate in company.delegates:
        if delegate.active:
            with writing_to(delegate):  # each in their own language, not the one of who caused it
                subject = describe_notification(kind, data)
            sender.send(delegate.email, subject, subject + "\n\n" + (request.message or ""))


@dataclass
class RequestLists:
    incoming: list[MeetingRequest]
    outgoing: list[MeetingRequest]


def requests_for(actor: User, company_id: int) -> RequestLists:
    company = _acting_for(actor, company_id)
    expire_due()
    rows = list(db.session.scalars(
        select(MeetingRequest).where(or_(MeetingRequest.requester_id == company.id,
                                         MeetingRequest.recipient_id == company.id))
        .options(selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient))
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())))
    return RequestLists(incoming=[r for r in rows if r.recipient_id == company.id],
                        outgoing=[r for r in rows if r.requester_id == company.id])


def notifications_for(actor: User, company_id: int, limit: int = 50) -> list[Notification]:
    company = _acting_for(actor, company_id)
    return list(db.session.scalars(select(Notification).where(Notification.company_id == company.id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(company_id: int) -> int:
    """Unread notices of a company, for the badge in the header (the caller is one of its people)."""
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.company_id == company_id, Notification.read_at.is_(None))) or 0


def mark_notifications_read(actor: User, company_id: int) -> int:
    company = _acting_for(actor, company_id)
    result = db.session.execute(update(Notification).where(Notification.company_id == company.id,
                                                           Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount


# API: meeting requests -------------------------------------------------------------------------------


@dataclass
class RequestPage:
    """One page of a company's requests, newest first, and how many there are in all."""

    items: list[MeetingRequest]
    total: int


def list_requests(actor: User, company_id: int, *, direction: str | None = None,
                  status: RequestStatus | None = None, page: int = 1, per_page: int = 24) -> RequestPage:
    """The company's requests (``direction`` "incoming": asked of it, "outgoing": it asked), counted and
    paged in the database, in the overview page's order. Due requests expire first, as on the page."""
    company = _acting_for(actor, company_id)
    expire_due()
    if direction == "incoming":
        where = [MeetingRequest.recipient_id == company.id]
    elif direction == "outgoing":
        where = [MeetingRequest.requester_id == company.id]
    else:
        where = [or_(MeetingRequest.requester_id == company.id, MeetingRequest.recipient_id == company.id)]
    if status is not None:
        where.append(MeetingRequest.status == status)
    total = db.session.scalar(select(func.count()).select_from(MeetingRequest).where(*where)) or 0
    items = list(db.session.scalars(
        select(MeetingRequest).where(*where)
        .options(selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient))
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        .offset((page - 1) * per_page).limit(per_page)))
    return RequestPage(items=items, total=total)


def request_of(actor: User, company_id: int, request_id: int) -> MeetingRequest:
    """One request the company asked or was asked. Another pair's request is NotFound, not
    PermissionDenied, so that request ids cannot be probed."""
    company = _acting_for(actor, company_id)
    expire_due()
    request = get_request(request_id)
    if company.id not in (request.requester_id, request.recipient_id):
        raise NotFound(_("There is no such meeting request."))
    return request


# API: notifications -------------------------------------------------------------------------------

def notifications_page(actor: User, company_id: int, *, unread_only: bool = False, page: int = 1,
                       per_page: int = 24) -> tuple[list[Notification], int]:
    """One page of the company's notices, newest first, and how many there are in all."""
    company = _acting_for(actor, company_id)
    where = [Notification.company_id == company.id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    rows = list(db.session.scalars(select(Notification).where(*where)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc())
                                   .offset((page - 1) * per_page).limit(per_page)))
    return rows, total
