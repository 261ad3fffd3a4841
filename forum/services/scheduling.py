"""Scheduling the forum: accepted requests in, a checked agenda out.

Loads the accepted requests, the slots, tables, unavailability and locked meetings; hands them to the
pure solver; validates its answer with the shared checker; and, unless it is a dry run, replaces the
unlocked part of the agenda in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.models import (
    Company,
    CompanyUnavailability,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    ScheduledMeeting,
    SessionPreference,
    Slot,
    VenueTable,
)
from forum.scheduling import (
    Instance,
    Lock,
    Meeting,
    Participant,
    Session,
    SessionRule,
    Table,
    UnplacedReason,
    check,
    solve,
)
from forum.scheduling import Slot as CoreSlot
from forum.services.errors import ServiceError
from forum.services.meetings import expire_due
from forum.services.transaction import atomic

_RULES = {SessionPreference.EITHER: SessionRule.EITHER, SessionPreference.MORNING: SessionRule.MORNING,
          SessionPreference.AFTERNOON: SessionRule.AFTERNOON}


@dataclass
class Loaded:
    instance: Instance
    requests: dict[int, MeetingRequest]
    slots: list[Slot]
    tables: list[VenueTable]
    # Accepted requests left out because a side was deactivated: reported unplaced, never scheduled.
    withdrawn: list[MeetingRequest] = field(default_factory=list)


def load_instance() -> Loaded:
    """The scheduling problem as the database holds it now."""
    requests = {r.id: r for r in db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.status == RequestStatus.ACCEPTED)
        .options(selectinload(MeetingRequest.requester).selectinload(Company.delegation),
                 selectinload(MeetingRequest.recipient).selectinload(Company.delegation))
        .order_by(MeetingRequest.id))}
    withdrawn = [r for r in requests.values() if not (r.requester.active and r.recipient.active)]
    for r in withdrawn:
        del requests[r.id]
    slots = list(db.session.scalars(select(Slot).options(selectinload(Slot.session)).order_by(Slot.starts_at)))
    tables = list(db.session.scalars(select(VenueTable).options(selectinload(VenueTable.reserved_for))
                                     .order_by(VenueTable.number)))
    if not slots:
        raise ServiceError(_("The forum has no meeting slots yet: set its sessions and slot length first."))
    if not tables:
        raise ServiceError(_("The forum has no tables yet: set how many tables the venue has first."))

    # The first session of a day is its morning; any later one its afternoon.
    first_session_of_day = {}
    for slot in slots:
        first_session_of_day.setdefault(slot.session.day, slot.session_id)
    days = {day: i for i, day in enumerate(sorted(first_session_of_day))}
    core_slots = tuple(
        CoreSlot(day=days[s.session.day],
                 session=Session.MORNING if s.session_id == first_session_of_day[s.session.day] else Session.AFTERNOON,
                 label=s.starts_at.isoformat())
        for s in slots)
    slot_index = {s.id: i for i, s in enumerate(slots)}
    table_index = {t.id: i for i, t in enumerate(tables)}

    companies = {}
    for r in requests.values():
        companies[r.requester.id] = r.requester
        companies[r.recipient.id] = r.recipient
    participants = tuple(Participant(id=c.id, group=c.delegation.name, name=c.name)
                         for c in sorted(companies.values(), key=lambda c: c.id))
    unavailable: dict[int, set[int]] = defaultdict(set)
    for company_id, slot_id in db.session.execute(select(CompanyUnavailability.company_id,
                                                         CompanyUnavailability.slot_id)):
        if company_id in companies and slot_id in slot_index:
            unavailable[company_id].add(slot_index[slot_id])
    locks = tuple(Lock(meeting_id=m.request_id, slot=slot_index[m.slot_id], table=table_index[m.table_id])
                  for m in db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.locked.is_(True)))
                  if m.request_id in requests)
    instance = Instance(
        participants=participants,
        meetings=tuple(Meeting(id=r.id, a=r.requester_id, b=r.recipient_id,
                               session=_RULES[r.session_preference]) for r in requests.values()),
        slots=core_slots,
        tables=tuple(Table(number=t.number, reserved_for=t.reserved_for.name if t.reserved_for else None)
                     for t in tables),
        unavailable={c: frozenset(s) for c, s in unavailable.items()},
        locks=locks,
    )
    return Loaded(instance, requests, slots, tables, withdrawn)


@dataclass
class UnplacedMeeting:
    request: MeetingRequest
    reason: str


@dataclass
class ScheduleReport:
    placed: int
    unplaced: list[UnplacedMeeting]
    breaks_total: int
    fairness_spread: int
    seconds: float
    dry_run: bool


def reason_text(reason: UnplacedReason) -> str:
    return {
        UnplacedReason.NO_COMMON_FREE_SLOT: _("the two companies' free slots never coincide"),
        UnplacedReason.PARTICIPANT_FULL: _("one of the companies has more meetings than slots it can attend"),
        UnplacedReason.NO_TABLE: _("no table was free in the slots both companies could take"),
        UnplacedReason.CAPACITY: _("the forum has more meetings than slots times tables"),
        UnplacedReason.LOCK_CONFLICT: _("a locked meeting breaks a rule or clashes with another locked one"),
        UnplacedReason.CROWDED: _("the agenda is too full around these two companies"),
    }.get(reason, str(reason))


def schedule(*, dry_run: bool = False, time_limit: float = 10.0, seed: int = 0,
             before_save: Callable[[], None] | None = None,
             after_save: Callable[[ScheduleReport], None] | None = None
             ) -> ScheduleReport:
    """Schedule every accepted request; locked meetings keep their place.

    ``before_save`` and ``after_save`` run inside the transaction that replaces the agenda, around the
    writes: the agenda builder locks the agenda and checks that nobody changed it during the solve in the
    first, and records the run in the second, so the new agenda and its history commit together."""
    expire_due()
    loaded = load_instance()
    solution = solve(loaded.instance, time_limit=time_limit, seed=seed)
    violations = check(loaded.instance, solution)
    if violations:  # a solver bug must never reach the agenda
        raise ServiceError(_("The scheduler produced an invalid agenda (%(problem)s); nothing was saved.",
                             problem=violations[0].detail))
    report = ScheduleReport(
        placed=solution.placed,
        unplaced=[UnplacedMeeting(loaded.requests[u.meeting_id], reason_text(u.reason)) for u in solution.unplaced]
        + [UnplacedMeeting(r, _("the company was deactivated")) for r in loaded.withdrawn],
        breaks_total=solution.breaks_total, fairness_spread=solution.fairness_spread,
        seconds=solution.seconds, dry_run=dry_run)
    if dry_run:
        return report
    with atomic(_("The agenda changed while the scheduler ran; nothing was saved. Run it again.")):
        if before_save is not None:
            before_save()
        db.session.execute(delete(ScheduledMeeting).where(ScheduledMeeting.locked.is_(False)))
        locked = set(db.session.scalars(select(ScheduledMeeting.request_id).where(ScheduledMeeting.locked.is_(True))))
        # A request cancelled while the solver ran must not come back as a meeting nobody sees.
        still_accepted = set(db.session.scalars(select(MeetingRequest.id).where(
            MeetingRequest.id.in_(list(loaded.requests)), MeetingRequest.status == RequestStatus.ACCEPTED)))
        for a in solution.assignments:
            if a.meeting_id in locked or a.meeting_id not in still_accepted:
                continue
            request = loaded.requests[a.meeting_id]
            slot, table = loaded.slots[a.slot], loaded.tables[a.table]
            meeting = ScheduledMeeting(request_id=request.id, slot_id=slot.id, table_id=table.id)
            meeting.seats = [MeetingSeat(company_id=c, slot_id=slot.id)
                             for c in (request.requester_id, request.recipient_id)]
            db.session.add(meeting)
        if after_save is not None:
            db.session.flush()
            after_save(report)
    return report
