"""The agenda builder: the organizers' hand edits on the scheduled agenda.

Every change (move, swap, lock, added meeting, removal, scheduler run, undo, publish) is checked with the
shared constraint checker on the agenda it would produce, written in one transaction, bumps
``Forum.agenda_version`` (the optimistic lock every builder form carries) and is recorded as an
``AgendaChange`` with the state it replaced, so that it can be undone. Once the agenda is published, the
two companies of every meeting whose time or table changed are told, in-app and by e-mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased, selectinload

from forum.extensions import db
from forum.models import (
    AgendaChange,
    Company,
    Forum,
    ForumSession,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    ScheduledMeeting,
    Slot,
    User,
    VenueTable,
    utcnow,
)
from forum.scheduling import Assignment, Lock, Solution, Unplaced, UnplacedReason, check, count_breaks
from forum.services import meetings as meeting_service
from forum.services import scheduling
from forum.services.companies import MAX_ID
from forum.services.errors import NotFound, ServiceError
from forum.services.transaction import atomic, lock_agenda

# (slot_id, table_id, locked); None: not on the agenda.
Placement = tuple[int, int, bool] | None


# --- reading ----------------------------------------------------------------------------------------


@dataclass
class Cell:
    request_id: int
    a: str
    b: str
    locked: bool


@dataclass
class UnplacedRow:
    request: MeetingRequest
    reason: str


@dataclass
class Grid:
    version: int
    published_at: datetime | None
    sessions: list[ForumSession]
    session: ForumSession | None
    slots: list[Slot]
    tables: list[VenueTable]
    cells: dict[tuple[int, int], Cell]
    unplaced: list[UnplacedRow]
    placed_total: int
    moving: MeetingRequest | None = None
    moving_at: tuple[int, int] | None = None
    all_slots: list[Slot] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Slot, list[Cell | None]]]:
        """Each slot with its cells in table order (None: free), ready for the template's loop."""
        return [(s, [self.cells.get((s.id, t.id)) for t in self.tables]) for s in self.slots]


def _forum() -> Forum:
    forum = db.session.scalar(select(Forum).order_by(Forum.id).limit(1))
    if forum is None:
        raise ServiceError(_("Create the forum first."))
    return forum


def _locked_forum() -> Forum:
    """The forum row, locked until the transaction ends, and read afresh: agenda writes take turns.

    Each change checks the version and the rules against the agenda as it is, then bumps the version. Two
    writers that both read version 7 before either wrote would both pass the check and both write 8, one
    overwriting the other unseen. With the row locked, the second waits for the first to commit, then reads
    8 and the agenda the first left.
    """
    lock_agenda()
    forum = db.session.scalar(select(Forum).order_by(Forum.id).limit(1).execution_options(populate_existing=True))
    if forum is None:
        raise ServiceError(_("Create the forum first."))
    return forum


def grid(session_id: int | None = None, moving_request_id: int | None = None) -> Grid:
    """One session of the agenda (the first when none is given), loaded with a fixed number of queries."""
    forum = _forum()
    sessions = list(db.session.scalars(select(ForumSession).order_by(ForumSession.starts_at)))
    session = next((s for s in sessions if s.id == session_id), sessions[0] if sessions else None)
    if session_id is not None and session is not None and session.id != session_id:
        raise NotFound(_("There is no such session; the agenda's sessions may have changed."))
    all_slots = list(db.session.scalars(select(Slot).order_by(Slot.starts_at)))
    slots = [s for s in all_slots if session is not None and s.session_id == session.id]
    tables = list(db.session.scalars(select(VenueTable).options(selectinload(VenueTable.reserved_for))
                                     .order_by(VenueTable.number)))
    slot_ids = [s.id for s in slots]
    cells: dict[tuple[int, int], Cell] = {}
    if slot_ids:
        a, b = aliased(Company), aliased(Company)
        rows = db.session.execute(
            select(ScheduledMeeting.slot_id, ScheduledMeeting.table_id, ScheduledMeeting.request_id,
                   ScheduledMeeting.locked, a.name, b.name)
            .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
            .join(a, a.id == MeetingRequest.requester_id).join(b, b.id == MeetingRequest.recipient_id)
            .where(ScheduledMeeting.slot_id.in_(slot_ids)))
        for slot_id, table_id, request_id, locked, a_name, b_name in rows:
            cells[slot_id, table_id] = Cell(request_id, a_name, b_name, locked)
    placed_total = db.session.scalar(select(func.count()).select_from(ScheduledMeeting)) or 0
    unplaced_requests = list(db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED,
               ~MeetingRequest.id.in_(select(ScheduledMeeting.request_id)))
        .options(selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient))
        .order_by(MeetingRequest.id)))
    reasons = _last_reasons() if unplaced_requests else {}
    unplaced = [UnplacedRow(r, _reason_label(reasons.get(str(r.id)))) for r in unplaced_requests]
    out = Grid(forum.agenda_version, forum.agenda_published_at, sessions, session, slots, tables, cells,
               unplaced, placed_total, all_slots=all_slots)
    if moving_request_id is not None:
        out.moving = _accepted_request(moving_request_id)
        row = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == moving_request_id))
        out.moving_at = (row.slot_id, row.table_id) if row is not None else None
    return out


def _last_reasons() -> dict[str, str]:
    """The unplaced reasons of the latest scheduler run still in force (request id -> reason value)."""
    change = db.session.scalar(select(AgendaChange).where(AgendaChange.kind == "schedule",
                                                          AgendaChange.undone_at.is_(None))
                               .order_by(AgendaChange.id.desc()).limit(1))
    return dict((change.data or {}).get("unplaced", {})) if change is not None else {}


def _reason_label(value: str | None) -> str:
    if value is None:
        return _("not placed yet: run the scheduler or place it by hand")
    try:
        return scheduling.reason_text(UnplacedReason(value))
    except ValueError:
        return value


def history(limit: int = 20) -> list[AgendaChange]:
    return list(db.session.scalars(select(AgendaChange).order_by(AgendaChange.id.desc()).limit(limit)))


def describe_change(change: AgendaChange) -> str:
    """The change in the reader's language."""
    d = change.data or {}
    words = {
        "schedule": lambda: _("Scheduler run: %(placed)d meetings placed, %(unplaced)d not placed",
                              placed=d.get("placed", 0), unplaced=len(d.get("unplaced", {}))),
        "move": lambda: _("Moved %(a)s ↔ %(b)s to %(where)s", a=d.get("a", "?"), b=d.get("b", "?"),
                          where=_cell_text(d)),
        "swap": lambda: _("Swapped %(first)s with %(second)s", first=d.get("first", "?"),
                          second=d.get("second", "?")),
        "lock": lambda: _("Locked %(a)s ↔ %(b)s", a=d.get("a", "?"), b=d.get("b", "?")),
        "unlock": lambda: _("Unlocked %(a)s ↔ %(b)s", a=d.get("a", "?"), b=d.get("b", "?")),
        "add": lambda: (_("Added a meeting %(a)s ↔ %(b)s at %(where)s", a=d.get("a", "?"), b=d.get("b", "?"),
                          where=_cell_text(d)) if d.get("slot_id")
                        else _("Added a meeting %(a)s ↔ %(b)s", a=d.get("a", "?"), b=d.get("b", "?"))),
        "remove": lambda: _("Took %(a)s ↔ %(b)s off the agenda", a=d.get("a", "?"), b=d.get("b", "?")),
        "undo": lambda: _("Undid: %(what)s", what=d.get("what", "?")),
        "publish": lambda: _("Published the agenda"),
        "cancel": lambda: _("%(a)s ↔ %(b)s cancelled their meeting: its slot is free",
                            a=d.get("a", "?"), b=d.get("b", "?")),
    }.get(change.kind)
    return words() if words else change.kind


# --- the state of the agenda, and applying a change ------------------------------------------------------


def _check_version(forum: Forum, expected_version: int | None) -> None:
    if expected_version is None or expected_version == forum.agenda_version:
        return
    raise ServiceError(_("The agenda changed since you loaded it (%(what)s). Nothing was changed: look at the "
                         "agenda again and repeat your change if it still makes sense.",
                         what=_changes_since(expected_version)), field="version")


def _changes_since(version: int) -> str:
    since = list(db.session.scalars(select(AgendaChange).where(AgendaChange.version > version)
                                    .order_by(AgendaChange.id)))
    return "; ".join(describe_change(c) for c in since) or _("another organizer's edit")


def _placements() -> dict[int, Placement]:
    return {rid: (slot_id, table_id, locked) for rid, slot_id, table_id, locked in db.session.execute(
        select(ScheduledMeeting.request_id, ScheduledMeeting.slot_id, ScheduledMeeting.table_id,
               ScheduledMeeting.locked))}


def _state(rid: int, placement: Placement) -> dict:
    if placement is None:
        return {"request_id": rid, "slot_id": None, "table_id": None, "locked": False}
    return {"request_id": rid, "slot_id": placement[0], "table_id": placement[1], "locked": placement[2]}


def _validate(current: dict[int, Placement], changes: dict[int, Placement]) -> None:
    """Refuse, with the reason, a change whose agenda breaks a rule the current one keeps."""
    loaded = scheduling.load_instance()
    slot_index = {s.id: i for i, s in enumerate(loaded.slots)}
    table_index = {t.id: i for i, t in enumerate(loaded.tables)}
    names = {r.id: f"{r.requester.name} ↔ {r.recipient.name}" for r in loaded.requests.values()}
    # The checker only knows the meetings the scheduler may place (a deactivated company's are left out).
    if any(p is not None and rid not in loaded.requests for rid, p in changes.items()):
        raise ServiceError(_("One of the two companies is deactivated, so this meeting cannot be placed."))

    def solution(placements: dict[int, Placement]) -> Solution:
        assignments, unplaced = [], []
        for rid in loaded.requests:
            p = placements.get(rid)
            if p is None or p[0] not in slot_index or p[1] not in table_index:
                unplaced.append(Unplaced(rid, UnplacedReason.CROWDED))
            else:
                assignments.append(Assignment(rid, slot_index[p[0]], table_index[p[1]]))
        breaks = count_breaks(loaded.instance, assignments)
        return Solution(tuple(assignments), tuple(unplaced), sum(breaks.values()), breaks, 0.0)

    def with_locks(placements: dict[int, Placement]):
        # The locks of that agenda: a lock is a property of the placement, changed by lock/unlock.
        return replace(loaded.instance, locks=tuple(
            Lock(rid, slot_index[p[0]], table_index[p[1]]) for rid, p in placements.items()
            if p is not None and p[2] and rid in loaded.requests and p[0] in slot_index and p[1] in table_index))

    after = {**current, **changes}
    # Only what the change breaks counts: an agenda that already broke a rule (a company marked itself
    # unavailable after the run) must not block every unrelated edit.
    before_problems = set(check(with_locks(current), solution(current)))
    new = [v for v in check(with_locks(after), solution(after)) if v not in before_problems]
    if not new:
        return
    rule = new[0].rule
    who = ", ".join(names[rid] for rid in changes if rid in names)
    message = {
        "unavailable": _("%(who)s: one of the two companies is unavailable in that slot.", who=who),
        "double_booked": _("%(who)s: one of the two companies already has another meeting in that slot.", who=who),
        "table_clash": _("%(who)s: that table is already taken in that slot.", who=who),
        "session": _("%(who)s: the companies asked for the other half of the day.", who=who),
        "table_reserved": _("%(who)s: that table is reserved for another delegation.", who=who),
    }.get(rule, _("%(who)s: the change breaks an agenda rule (%(rule)s).", who=who, rule=new[0].detail))
    raise ServiceError(message)


def _write(changes: dict[int, Placement]) -> None:
    """Replace the scheduled rows of the changed requests; deleting first keeps the unique rules happy."""
    if not changes:
        return
    db.session.execute(delete(ScheduledMeeting).where(ScheduledMeeting.request_id.in_(list(changes))))
    db.session.flush()
    requests = {r.id: r for r in db.session.scalars(select(MeetingRequest)
                                                    .where(MeetingRequest.id.in_(list(changes))))}
    for rid, p in changes.items():
        if p is None:
            continue
        request = requests[rid]
        meeting = ScheduledMeeting(request_id=rid, slot_id=p[0], table_id=p[1], locked=p[2])
        meeting.seats = [MeetingSeat(company_id=c, slot_id=p[0]) for c in (request.requester_id, request.recipient_id)]
        db.session.add(meeting)
    db.session.flush()


def _record(forum: Forum, actor: User | None, kind: str, data: dict, before: list[dict]) -> AgendaChange:
    forum.agenda_version += 1
    change = AgendaChange(kind=kind, data=data, before=before, version=forum.agenda_version,
                          user_id=actor.id if actor is not None else None)
    db.session.add(change)
    return change


def _notify_moved(forum: Forum, before: dict[int, Placement], after: dict[int, Placement]) -> int:
    """Once published: tell both companies of each meeting whose time or table changed (placed, moved or
    taken off), and bump its calendar SEQUENCE."""
    if forum.agenda_published_at is None:
        return 0
    changed = [rid for rid in set(before) | set(after)
               if (before.get(rid) or (None, None, False))[:2] != (after.get(rid) or (None, None, False))[:2]]
    if not changed:
        return 0
    # Calendars (forum/services/calendar.py) replace an event only when its SEQUENCE grows. One UPDATE,
    # computed in the database, that leaves the request's optimistic-lock version alone: a move does not
    # make a delegate's open "cancel" form stale.
    db.session.execute(update(MeetingRequest).where(MeetingRequest.id.in_(changed))
                       .values(agenda_sequence=MeetingRequest.agenda_sequence + 1))
    requests = db.session.scalars(select(MeetingRequest).where(MeetingRequest.id.in_(changed))
                                  .options(selectinload(MeetingRequest.requester).selectinload(Company.delegates),
                                           selectinload(MeetingRequest.recipient).selectinload(Company.delegates)))
    for request in requests:
        old, new = before.get(request.id), after.get(request.id)
        kind = "meeting_scheduled" if old is None else "meeting_unscheduled" if new is None else "meeting_moved"
        meeting_service._notify(request.requester, kind, request, other=request.recipient)
        meeting_service._notify(request.recipient, kind, request, other=request.requester)
    return len(changed)


def _agenda_write() -> AbstractContextManager[None]:
    """One agenda change, one transaction. A unique index that refuses the write (another organizer took
    the cell or the seat meanwhile) becomes a message."""
    return atomic(_("The agenda changed at the same moment; nothing was saved. Try again."))


def _commit_change(actor: User | None, kind: str, data: dict, changes: dict[int, Placement],
                   expected_version: int | None, validate: bool = True) -> AgendaChange:
    """Check the version and the rules, write, record and notify: all or nothing."""
    with _agenda_write():
        forum = _locked_forum()
        _check_version(forum, expected_version)
        current = _placements()
        changes = {rid: p for rid, p in changes.items() if current.get(rid) != p}
        # Read again under the lock too: a versionless move or swap looked at the locked flags before it.
        if kind in _REFUSE_LOCKED and any(current.get(rid) is not None and current[rid][2] for rid in changes):
            raise ServiceError(_REFUSE_LOCKED[kind]())
        # Read again under the lock: a meeting cancelled since the caller looked is not there to place.
        placing = [rid for rid, p in changes.items() if p is not None]
        if placing and db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
                MeetingRequest.id.in_(placing), MeetingRequest.status == RequestStatus.ACCEPTED)) != len(placing):
            raise ServiceError(_("This meeting was cancelled a moment ago; nothing was changed."))
        if not changes and kind not in ("publish",):
            raise ServiceError(_("That changes nothing: the meeting is already there."))
        if validate:
            _validate(current, changes)
        _write(changes)
        change = _record(forum, actor, kind, data, [_state(rid, current.get(rid)) for rid in changes])
        _notify_moved(forum, current, {**current, **changes})
    return change


# --- the organizer's actions --------------------------------------------------------------------------


def _accepted_request(request_id: int) -> MeetingRequest:
    request = db.session.get(MeetingRequest, request_id) if 0 < request_id <= MAX_ID else None
    if request is None or request.status != RequestStatus.ACCEPTED:
        raise NotFound(_("There is no such accepted meeting; it may have been cancelled."))
    return request


def _pair(request: MeetingRequest) -> dict:
    return {"a": request.requester.name, "b": request.recipient.name}


def _where(slot_id: int, table_id: int) -> dict:
    """The cell as change data: worded at display time, in the reader's language and the forum's zone."""
    slot, table = db.session.get(Slot, slot_id), db.session.get(VenueTable, table_id)
    if slot is None:
        raise ServiceError(_("There is no such slot; the agenda's time structure may have changed."), field="slot_id")
    if table is None:
        raise ServiceError(_("There is no such table."), field="table_id")
    return {"slot_id": slot.id, "table": table.number}


def _cell_text(data: dict) -> str:
    slot = db.session.get(Slot, data["slot_id"]) if data.get("slot_id") else None
    when = format_datetime(slot.starts_at, "EEE d MMM, HH:mm") if slot is not None else "?"
    return _("%(when)s, table %(table)s", when=when, table=data.get("table", "?"))


def _occupant(slot_id: int, table_id: int) -> int | None:
    return db.session.scalar(select(ScheduledMeeting.request_id).where(ScheduledMeeting.slot_id == slot_id,
                                                                       ScheduledMeeting.table_id == table_id))


# What a move or a swap of a locked meeting says (checked before the lock, and again under it).
_REFUSE_LOCKED = {
    "move": lambda: _("This meeting is locked: unlock it before moving it."),
    "swap": lambda: _("A locked meeting cannot be swapped: unlock it first."),
}


def move(actor: User, request_id: int, slot_id: int, table_id: int, expected_version: int | None,
         swap_if_taken: bool = False) -> AgendaChange:
    """Put a meeting (placed or not) in a cell. An occupied cell is refused, unless a swap was asked."""
    _check_version(_forum(), expected_version)
    request = _accepted_request(request_id)
    where = _where(slot_id, table_id)
    current = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == request_id))
    if current is not None and current.locked:
        raise ServiceError(_REFUSE_LOCKED["move"]())
    occupant = _occupant(slot_id, table_id)
    if occupant is not None and occupant != request_id:
        if swap_if_taken:
            return swap(actor, request_id, occupant, expected_version)
        other = db.session.get(MeetingRequest, occupant)
        raise ServiceError(_("That cell already holds %(a)s ↔ %(b)s. Choose a free cell, or ask for a swap.",
                             a=other.requester.name, b=other.recipient.name), field="table_id")
    return _commit_change(actor, "move", {**_pair(request), **where},
                          {request_id: (slot_id, table_id, False)}, expected_version)


def swap(actor: User, request_a: int, request_b: int, expected_version: int | None) -> AgendaChange:
    """Exchange the cells of two placed meetings."""
    _check_version(_forum(), expected_version)
    if request_a == request_b:
        raise ServiceError(_("Choose two different meetings to swap."))
    first, second = _accepted_request(request_a), _accepted_request(request_b)
    rows = {m.request_id: m for m in db.session.scalars(
        select(ScheduledMeeting).where(ScheduledMeeting.request_id.in_([request_a, request_b])))}
    if len(rows) != 2:
        raise ServiceError(_("Both meetings must be on the agenda to swap them; place the other one with a move."))
    if rows[request_a].locked or rows[request_b].locked:
        raise ServiceError(_REFUSE_LOCKED["swap"]())
    a, b = rows[request_a], rows[request_b]
    data = {"first": f"{first.requester.name} ↔ {first.recipient.name}",
            "second": f"{second.requester.name} ↔ {second.recipient.name}"}
    return _commit_change(actor, "swap", data, {request_a: (b.slot_id, b.table_id, False),
                                               request_b: (a.slot_id, a.table_id, False)}, expected_version)


def set_locked(actor: User, request_id: int, locked: bool, expected_version: int | None) -> AgendaChange:
    """Lock a placed meeting (the scheduler keeps it where it is) or unlock it."""
    _check_version(_forum(), expected_version)
    request = _accepted_request(request_id)
    row = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == request_id))
    if row is None:
        raise ServiceError(_("Only a meeting on the agenda can be locked; place it first."))
    if row.locked == locked:
        raise ServiceError(_("This meeting is already locked.") if locked else _("This meeting is not locked."))
    return _commit_change(actor, "lock" if locked else "unlock", _pair(request),
                          {request_id: (row.slot_id, row.table_id, locked)}, expected_version)


def remove(actor: User, request_id: int, expected_version: int | None) -> AgendaChange:
    """Take a meeting off the agenda (it stays accepted, listed as not placed)."""
    _check_version(_forum(), expected_version)
    request = _accepted_request(request_id)
    row = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == request_id))
    if row is None:
        raise ServiceError(_("This meeting is not on the agenda."))
    if row.locked:
        raise ServiceError(_("This meeting is locked: unlock it before taking it off the agenda."))
    return _commit_change(actor, "remove", _pair(request), {request_id: None}, expected_version)


def add_meeting(actor: User, company_a: int, company_b: int, slot_id: int | None, table_id: int | None,
                expected_version: int | None) -> AgendaChange:
    """An accepted meeting the organizer arranges between two companies, placed when a cell is given."""
    _check_version(_forum(), expected_version)
    if company_a == company_b:
        raise ServiceError(_("Choose two different companies."), field="company_b")
    a, b = db.session.get(Company, company_a), db.session.get(Company, company_b)
    if a is None or b is None:
        raise ServiceError(_("That company no longer exists."), field="company_a" if a is None else "company_b")
    if not (a.active and b.active):
        raise ServiceError(_("%(company)s is deactivated.", company=(b if a.active else a).name), field="company_b")
    if (slot_id is None) != (table_id is None):
        raise ServiceError(_("Choose both a slot and a table, or neither to leave the meeting unplaced."),
                           field="table_id")
    where = _where(slot_id, table_id) if slot_id is not None and table_id is not None else None
    if where is not None:
        occupant = _occupant(slot_id, table_id)
        if occupant is not None:
            other = db.session.get(MeetingRequest, occupant)
            raise ServiceError(_("That cell already holds %(a)s ↔ %(b)s. Choose a free cell.",
                                 a=other.requester.name, b=other.recipient.name), field="table_id")
    if meeting_service._open_between(a.id, b.id) is not None:
        raise ServiceError(_("There is already an open request between %(a)s and %(b)s.", a=a.name, b=b.name),
                           field="company_b")
    low, high = sorted((a.id, b.id))
    now = utcnow()
    with _agenda_write():
        forum = _locked_forum()
        _check_version(forum, expected_version)
        request = MeetingRequest(requester_id=a.id, recipient_id=b.id, pair_low=low, pair_high=high,
                                 status=RequestStatus.ACCEPTED, created_by_id=actor.id, responded_by_id=actor.id,
                                 created_at=now, responded_at=now,
                                 message=_("Arranged by the organizers."))
        db.session.add(request)
        db.session.flush()
        current = _placements()
        changes: dict[int, Placement] = {}
        if slot_id is not None and table_id is not None:
            changes[request.id] = (slot_id, table_id, False)
            _validate(current, changes)
            _write(changes)
        change = _record(forum, actor, "add", {"a": a.name, "b": b.name, "request_id": request.id,
                                                 **(where or {})},
                         [_state(request.id, None)])
        _notify_moved(forum, current, {**current, **changes})
    return change


def run_scheduler(actor: User | None, expected_version: int | None, time_limit: float = 10.0, seed: int = 0
                  ) -> scheduling.ScheduleReport:
    """Re-run the scheduler around the locked meetings, recorded so that it can be undone; once the agenda
    is published, the companies whose meetings moved are told and their calendars updated.

    The solver runs without the agenda lock (it may search for a minute); its result is saved, with the
    history record, under the lock and only if the agenda is still the one it was computed for: a move saved
    during the search is never overwritten unseen."""
    forum = _forum()
    _check_version(forum, expected_version)
    solved_for = forum.agenda_version
    saving: dict = {}

    def before_save() -> None:
        locked = _locked_forum()
        if locked.agenda_version != solved_for:
            raise ServiceError(_("The agenda changed while the scheduler ran (%(what)s); nothing was saved. Run "
                                 "it again.", what=_changes_since(solved_for)), field="version")
        saving["forum"], saving["before"] = locked, _placements()

    def after_save(report: scheduling.ScheduleReport) -> None:
        before, after = saving["before"], _placements()
        touched = set(before) | set(after)
        _record(saving["forum"], actor, "schedule",
                {"placed": report.placed, "unplaced": {str(u.request.id): _unplaced_value(u) for u in report.unplaced}},
                [_state(rid, before.get(rid)) for rid in sorted(touched)])
        _notify_moved(saving["forum"], before, after)

    return scheduling.schedule(time_limit=time_limit, seed=seed, before_save=before_save, after_save=after_save)


def _unplaced_value(u: scheduling.UnplacedMeeting) -> str:
    # The report carries the worded reason; keep the code so the grid words it in the reader's language.
    for reason in UnplacedReason:
        if scheduling.reason_text(reason) == u.reason:
            return reason.value
    return u.reason


def leave_agenda(request: MeetingRequest, actor: User | None) -> None:
    """A cancelled meeting frees its slot, table and seats at once; the history records it, so that an
    organizer with the grid open learns why the agenda changed. Called inside the cancellation's
    transaction (the caller commits). Not undoable: the request itself is cancelled."""
    lock_agenda()
    meeting = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == request.id))
    if meeting is None:
        return
    forum = _locked_forum()
    placement = (meeting.slot_id, meeting.table_id, meeting.locked)
    _record(forum, actor, "cancel", _pair(request), [_state(request.id, placement)])
    if forum.agenda_published_at is not None:
        # a calendar that still holds the event learns that it changed; counted in the database, as a move
        # counts it, so that neither increment is lost
        request.agenda_sequence = MeetingRequest.agenda_sequence + 1
    db.session.delete(meeting)


def undo_last(actor: User, expected_version: int | None) -> AgendaChange:
    """Undo the latest change not undone yet (undos themselves are not undone: undo again goes further back)."""
    with _agenda_write():
        forum = _locked_forum()
        _check_version(forum, expected_version)
        last = db.session.scalar(select(AgendaChange).where(AgendaChange.undone_at.is_(None),
                                                            AgendaChange.kind.notin_(("undo", "cancel")))
                                 .order_by(AgendaChange.id.desc()).limit(1))
        if last is None:
            raise ServiceError(_("There is nothing to undo."))
        current = _placements()
        restore: dict[int, Placement] = {}
        for state in last.before or []:
            rid = int(state["request_id"])
            restore[rid] = None if state["slot_id"] is None else (int(state["slot_id"]), int(state["table_id"]),
                                                                  bool(state["locked"]))
        restore = {rid: p for rid, p in restore.items() if current.get(rid) != p}
        # A meeting cancelled since that change stays off the agenda; the rest of the change is undone.
        accepted = set(db.session.scalars(select(MeetingRequest.id).where(
            MeetingRequest.id.in_(list(restore)), MeetingRequest.status == RequestStatus.ACCEPTED)))
        restore = {rid: p for rid, p in restore.items() if p is None or rid in accepted}
        # Restored cells may be taken by a later change that is still in force (undone one by one, they are
        # not): clear the way by writing the whole restore at once, then check the result.
        _validate(current, restore)
        _write(restore)
        data = last.data or {}
        if last.kind == "add" and data.get("request_id"):
            request = db.session.get(MeetingRequest, int(data["request_id"]))
            if request is not None and request.status == RequestStatus.ACCEPTED:
                meeting_service.transition(request, RequestStatus.CANCELLED, actor)
        if last.kind == "publish":
            previous = data.get("previous")
            forum.agenda_published_at = datetime.fromisoformat(previous) if previous else None
        last.undone_at = utcnow()
        change = _record(forum, actor, "undo", {"what": describe_change(last), "change_id": last.id},
                         [_state(rid, current.get(rid)) for rid in restore])
        _notify_moved(forum, current, {**current, **restore})
    return change


def publish(actor: User, expected_version: int | None) -> AgendaChange:
    """Show the agenda to the participants; from now on every change is announced to the companies."""
    with _agenda_write():
        forum = _locked_forum()
        _check_version(forum, expected_version)
        if not db.session.scalar(select(func.count()).select_from(ScheduledMeeting)):
            raise ServiceError(_("The agenda is empty: run the scheduler or place meetings before publishing."))
        previous = forum.agenda_published_at
        forum.agenda_published_at = utcnow()
        change = _record(forum, actor, "publish", {"previous": previous.isoformat() if previous else None}, [])
        if previous is None:
            # the moment the agenda appears: every company hears of each of its meetings
            _notify_moved(forum, {}, _placements())
    return change


# --- the participants' side ------------------------------------------------------------------------


@dataclass
class AgendaEntry:
    starts_at: datetime
    ends_at: datetime
    table: int
    partner: Company


def published_agenda_for(company_id: int) -> list[AgendaEntry] | None:
    """A company's meetings on the published agenda, in time order; None while it is not published."""
    forum = db.session.scalar(select(Forum).order_by(Forum.id).limit(1))
    if forum is None or forum.agenda_published_at is None:
        return None
    rows = db.session.scalars(
        select(ScheduledMeeting).join(MeetingSeat, MeetingSeat.meeting_id == ScheduledMeeting.id)
        .where(MeetingSeat.company_id == company_id)
        .options(selectinload(ScheduledMeeting.slot), selectinload(ScheduledMeeting.table),
                 selectinload(ScheduledMeeting.request).selectinload(MeetingRequest.requester),
                 selectinload(ScheduledMeeting.request).selectinload(MeetingRequest.recipient)))
    out = []
    for m in rows:
        partner = m.request.recipient if m.request.requester_id == company_id else m.request.requester
        out.append(AgendaEntry(m.slot.starts_at, m.slot.ends_at, m.table.number, partner))
    return sorted(out, key=lambda e: e.starts_at)


def company_choices() -> Iterable[tuple[int, str]]:
    return [(cid, name) for cid, name in db.session.execute(
        select(Company.id, Company.name).where(Company.active.is_(True)).order_by(Company.name_key))]


@dataclass
class PlacedMeeting:
    request: MeetingRequest  # requester and recipient loaded
    slot_id: int
    table_id: int
    locked: bool


def placed_meetings() -> list[PlacedMeeting]:
    """Every meeting on the agenda, by slot then table, with both companies, in three queries (the JSON
    API's whole agenda; the grid reads one session at a time)."""
    rows = db.session.scalars(
        select(ScheduledMeeting).join(Slot, Slot.id == ScheduledMeeting.slot_id)
        .join(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .options(selectinload(ScheduledMeeting.request).selectinload(MeetingRequest.requester),
                 selectinload(ScheduledMeeting.request).selectinload(MeetingRequest.recipient))
        .order_by(Slot.starts_at, VenueTable.number))
    return [PlacedMeeting(m.request, m.slot_id, m.table_id, m.locked) for m in rows]
