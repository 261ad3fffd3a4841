"""The forum's time structure: sessions per day, the slot length, breaks, and the numbered tables.

Organizers give local times in the forum's time zone; everything is stored in UTC. A structure is
validated whole before anything is written, and replacing it is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.models import (
    Company,
    CompanyUnavailability,
    Delegation,
    ForumBreak,
    ForumSession,
    ScheduledMeeting,
    Slot,
    VenueTable,
)
from forum.services.companies import can_edit, get_company
from forum.services.errors import PermissionDenied, ServiceError
from forum.services.forums import current_forum
from forum.services.transaction import lock_agenda

SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240
TABLES_MAX = 1000


@dataclass(frozen=True)
class SessionSpec:
    day: date
    starts: time
    ends: time


@dataclass(frozen=True)
class BreakSpec:
    day: date
    starts: time
    ends: time
    label: str = ""


@dataclass
class TimeStructure:
    sessions: list[SessionSpec]
    slot_minutes: int
    tables: int
    breaks: list[BreakSpec] = field(default_factory=list)
    # table number -> delegation id
    reserved: dict[int, int] = field(default_factory=dict)


class StructureError(ServiceError):
    """Every problem of a structure at once, so the organizer fixes them in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def check_structure(structure: TimeStructure, zone: str, first_day: date | None = None,
                    last_day: date | None = None) -> list[str]:
    """The structure's problems in words; [] when it can be saved."""
    problems = []
    if not SLOT_MINUTES_MIN <= structure.slot_minutes <= SLOT_MINUTES_MAX:
        problems.append(_("A slot lasts from %(min)d to %(max)d minutes.", min=SLOT_MINUTES_MIN,
                          max=SLOT_MINUTES_MAX))
    if structure.tables < 1:
        problems.append(_("The forum needs at least one table."))
    elif structure.tables > TABLES_MAX:
        problems.append(_("At most %(max)d tables.", max=TABLES_MAX))
    if not structure.sessions:
        problems.append(_("Add at least one session."))
    for s in structure.sessions:
        if s.ends <= s.starts:
            problems.append(_("The session on %(day)s ends (%(end)s) before it starts (%(start)s).",
                              day=s.day.isoformat(), end=_hm(s.ends), start=_hm(s.starts)))
        if first_day and last_day and not first_day <= s.day <= last_day:
            problems.append(_("The session on %(day)s is outside the forum's dates.", day=s.day.isoformat()))
    ordered = sorted(structure.sessions, key=lambda s: (s.day, s.starts))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.day == later.day and later.starts < earlier.ends:
            problems.append(_("The sessions on %(day)s overlap (%(a)s and %(b)s).", day=later.day.isoformat(),
                              a=f"{_hm(earlier.starts)}–{_hm(earlier.ends)}", b=f"{_hm(later.starts)}–{_hm(later.ends)}"))
    for b in structure.breaks:
        span = f"{_hm(b.starts)}–{_hm(b.ends)}"
        if b.ends <= b.starts:
            problems.append(_("The break on %(day)s ends before it starts (%(span)s).", day=b.day.isoformat(),
                              span=span))
            continue
        inside = [s for s in structure.sessions if s.day == b.day and s.starts <= b.starts and b.ends <= s.ends]
        crossing = [s for s in structure.sessions if s.day == b.day and b.starts < s.ends and s.starts < b.ends]
        if not inside and crossing:
            problems.append(_("The break on %(day)s (%(span)s) overlaps the edge of a session: a break lies "
                              "inside one session, or between sessions needs no entry.", day=b.day.isoformat(),
                              span=span))
        elif not inside:
            problems.append(_("The break on %(day)s (%(span)s) is outside every session.", day=b.day.isoformat(),
                              span=span))
    breaks = sorted(structure.breaks, key=lambda b: (b.day, b.starts))
    for earlier, later in zip(breaks, breaks[1:], strict=False):
        if earlier.day == later.day and later.starts < earlier.ends:
            problems.append(_("Two breaks on %(day)s overlap.", day=later.day.isoformat()))
    for number in structure.reserved:
        if not 1 <= number <= max(structure.tables, 0):
            problems.append(_("Table %(number)d is reserved but the forum has %(count)d tables.", number=number,
                              count=structure.tables))
    if not problems and not slot_times(structure, zone):
        problems.append(_("No slot of %(minutes)d minutes fits in these sessions.", minutes=structure.slot_minutes))
    elif not problems:
        for s in structure.sessions:
            if not slot_times(TimeStructure([s], structure.slot_minutes, structure.tables, structure.breaks), zone):
                problems.append(_("No slot of %(minutes)d minutes fits in the session on %(day)s.",
                                  minutes=structure.slot_minutes, day=s.day.isoformat()))
    return problems


def _utc(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def slot_times(structure: TimeStructure, zone: str) -> list[tuple[SessionSpec, datetime, datetime]]:
    """Every slot: back to back from each session's start, skipping breaks; a slot never crosses one."""
    tz = ZoneInfo(zone)
    length = timedelta(minutes=structure.slot_minutes)
    out = []
    for s in sorted(structure.sessions, key=lambda s: (s.day, s.starts)):
        start, end = _utc(s.day, s.starts, tz), _utc(s.day, s.ends, tz)
        pauses = sorted((_utc(b.day, b.starts, tz), _utc(b.day, b.ends, tz)) for b in structure.breaks
                        if b.day == s.day)
        moment = start
        while moment + length <= end:
            clash = next(((p0, p1) for p0, p1 in pauses if moment < p1 and p0 < moment + length), None)
            if clash is not None:
                moment = clash[1]  # start again right after the break
                continue
            out.append((s, moment, moment + length))
            moment += length
    return out


def save_structure(structure: TimeStructure) -> int:
    """Replace the forum's sessions, slots, breaks and tables; returns the number of slots. Refuses while
    meetings are scheduled (the agenda would lose its places)."""
    forum = current_forum()
    zone = forum.timezone if forum else "Asia/Tashkent"
    problems = check_structure(structure, zone, forum.starts_on if forum else None, forum.ends_on if forum else None)
    delegations = set(db.session.scalars(select(Delegation.id)))
    if any(d not in delegations for d in structure.reserved.values()):
        problems.append(_("A table is reserved for a delegation that does not exist."))
    if problems:
        raise StructureError(problems)
    # Locked before the check: a scheduler run or a move saved between the check and the delete would
    # leave meetings in slots that no longer exist.
    lock_agenda()
    if db.session.scalar(select(func.count()).select_from(ScheduledMeeting)):
        raise ServiceError(_("Meetings are already scheduled. Clear the agenda before changing its time structure."))
    try:
        db.session.execute(delete(Slot))
        db.session.execute(delete(ForumSession))
        db.session.execute(delete(ForumBreak))
        db.session.execute(delete(VenueTable))
        tz = ZoneInfo(zone)
        sessions = {}
        for spec in structure.sessions:
            sessions[spec] = ForumSession(day=spec.day, starts_at=_utc(spec.day, spec.starts, tz),
                                          ends_at=_utc(spec.day, spec.ends, tz))
            db.session.add(sessions[spec])
        times = slot_times(structure, zone)
        for spec, start, end in times:
            db.session.add(Slot(session=sessions[spec], starts_at=start, ends_at=end))
        for b in structure.breaks:
            db.session.add(ForumBreak(starts_at=_utc(b.day, b.starts, tz), ends_at=_utc(b.day, b.ends, tz),
                                      label=b.label))
        for number in range(1, structure.tables + 1):
            db.session.add(VenueTable(number=number, reserved_for_id=structure.reserved.get(number)))
        if forum is not None:
            forum.slot_minutes = structure.slot_minutes
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(times)


def current_structure() -> TimeStructure:
    """The saved structure, in the forum's local times, to fill the organizer's form."""
    forum = current_forum()
    tz = ZoneInfo(forum.timezone if forum else "Asia/Tashkent")
    sessions = [SessionSpec(s.day, s.starts_at.astimezone(tz).time(), s.ends_at.astimezone(tz).time())
                for s in db.session.scalars(select(ForumSession).order_by(ForumSession.starts_at))]
    breaks = []
    for b in db.session.scalars(select(ForumBreak).order_by(ForumBreak.starts_at)):
        start = b.starts_at.astimezone(tz)
        breaks.append(BreakSpec(start.date(), start.time(), b.ends_at.astimezone(tz).time(), b.label))
    tables = list(db.session.scalars(select(VenueTable).order_by(VenueTable.number)))
    return TimeStructure(sessions=sessions, breaks=breaks, slot_minutes=forum.slot_minutes if forum else 20,
                         tables=len(tables),
                         reserved={t.number: t.reserved_for_id for t in tables if t.reserved_for_id})


def save_agenda(structure: TimeStructure, request_expiry_hours: int, max_meetings: int | None,
                max_pending: int | None) -> int | None:
    """Save the request rules, and the time structure when it changed; returns the new slot count, or
    None when the structure was unchanged."""
    forum = current_forum()
    if forum is None:
        raise ServiceError(_("Create the forum first (its name and dates)."))
    if not 1 <= request_expiry_hours <= 24 * 60:
        raise ServiceError(_("A request expires after 1 hour to 60 days."), field="request_expiry_hours")
    for value, name in ((max_meetings, "max_meetings_per_company"), (max_pending, "max_pending_per_company")):
        if value is not None and not 1 <= value <= 1000:
            raise ServiceError(_("From 1 to 1000, or empty for no limit."), field=name)
    slots = None
    if structure != current_structure():
        slots = save_structure(structure)  # validates and commits, or raises with every problem
    forum.request_expiry_hours = request_expiry_hours
    forum.max_meetings_per_company = max_meetings
    forum.max_pending_per_company = max_pending
    db.session.commit()
    return slots


def slot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Slot))


@dataclass
class DaySlots:
    day: date
    slots: list[Slot]


def slots_by_day() -> list[DaySlots]:
    days: dict[date, list[Slot]] = {}
    for slot in db.session.scalars(select(Slot).options(selectinload(Slot.session)).order_by(Slot.starts_at)):
        days.setdefault(slot.session.day, []).append(slot)
    return [DaySlots(day, slots) for day, slots in days.items()]


def unavailable_slots(actor, company_id: int) -> tuple[Company, set[int]]:
    company = _company_for(actor, company_id)
    ids = set(db.session.scalars(select(CompanyUnavailability.slot_id)
                                 .where(CompanyUnavailability.company_id == company.id)))
    return company, ids


def set_unavailable_slots(actor, company_id: int, slot_ids: set[int]) -> int:
    """Replace the slots a company cannot attend; returns how many. All or nothing."""
    company = _company_for(actor, company_id)
    known = set(db.session.scalars(select(Slot.id)))
    if not slot_ids <= known:
        raise ServiceError(_("The list of slots changed while you were choosing; reload the page."))
    try:
        db.session.execute(delete(CompanyUnavailability).where(CompanyUnavailability.company_id == company.id))
        db.session.add_all(CompanyUnavailability(company_id=company.id, slot_id=s) for s in sorted(slot_ids))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(slot_ids)


def _company_for(actor, company_id: int) -> Company:
    company = get_company(company_id)
    if not can_edit(actor, company):
        raise PermissionDenied(_("You can only change your own company's availability."))
    return company
