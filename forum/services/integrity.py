"""Is the agenda in the database sound? The rules every scheduled meeting must keep, checked on the live data.

The services and the database's unique indexes keep these rules on every write; this module checks them
afterwards, whoever wrote (a bug, a hand-edited row, a restore from an old backup, a concurrency test), and
words each problem for an organizer: company names, the day and time in the forum's time zone, table numbers.

The whole agenda is read in one snapshot with a fixed number of set-based queries (no query per meeting), so
the check is quick on a forum of thousands of meetings and sees no half-made change of a writer running at the
same time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time
from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Connection, or_, select

from forum.extensions import db
from forum.models import (
    Company,
    CompanyUnavailability,
    Delegation,
    Forum,
    ForumBreak,
    ForumSession,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    ScheduledMeeting,
    SessionPreference,
    Slot,
    VenueTable,
)

# The kinds of problem, stable for scripts reading ``flask check --json``.
TABLE_DOUBLE_BOOKED = "table_double_booked"
COMPANY_DOUBLE_BOOKED = "company_double_booked"
SEATS_MISMATCH = "seats_mismatch"
REQUEST_NOT_ACCEPTED = "request_not_accepted"
COMPANY_DEACTIVATED = "company_deactivated"
MISSING_SLOT_OR_TABLE = "missing_slot_or_table"
SLOT_OUTSIDE_SESSION = "slot_outside_session"
SLOT_IN_BREAK = "slot_in_break"
SLOT_OUTSIDE_FORUM_DATES = "slot_outside_forum_dates"
COMPANY_UNAVAILABLE = "company_unavailable"
TABLE_RESERVED = "table_reserved"
SESSION_PREFERENCE = "session_preference"

# How bad a problem is. An error breaks a rule the services and the database never let a write break, whoever
# clicked what: only a bug, a hand edit or a bad restore gets there, and the agenda is wrong until it is fixed.
# A warning is a state normal use creates, which an organizer should look at but the app allows, so monitoring
# must not page anybody for it (``flask check`` exits 0 on warnings unless --strict).
ERROR = "error"
WARNING = "warning"
SEVERITY: dict[str, str] = {
    TABLE_DOUBLE_BOOKED: ERROR,
    COMPANY_DOUBLE_BOOKED: ERROR,
    SEATS_MISMATCH: ERROR,
    MISSING_SLOT_OR_TABLE: ERROR,
    # Cancelling, declining or withdrawing a placed request takes it off the agenda in the same transaction.
    REQUEST_NOT_ACCEPTED: ERROR,
    # Slots are built from the sessions and breaks, and the time structure cannot change while meetings exist.
    SLOT_OUTSIDE_SESSION: ERROR,
    SLOT_IN_BREAK: ERROR,
    # Sessions must lie within the forum's dates, the dates cannot be moved off a session, nor the zone changed.
    SLOT_OUTSIDE_FORUM_DATES: ERROR,
    # A request's half of the day is fixed when it is made; the scheduler and the builder both refuse to break it.
    SESSION_PREFERENCE: ERROR,
    # company_admin.set_active: a withdrawn company's meetings "stay for the record".
    COMPANY_DEACTIVATED: WARNING,
    # A company may mark itself unavailable at any time; its placed meetings are not moved.
    COMPANY_UNAVAILABLE: WARNING,
    # An organizer may move a company to another delegation after the agenda was built.
    TABLE_RESERVED: WARNING,
}


@dataclass(frozen=True)
class AgendaProblem:
    """One broken rule, in words an organizer understands, with the ids a script or a developer needs."""

    kind: str
    message: str
    # What to do about it, when there is one obvious thing.
    hint: str = ""
    meeting_ids: tuple[int, ...] = ()  # scheduled_meeting ids
    request_ids: tuple[int, ...] = ()  # meeting_request ids (what the builder and the API name)
    company_ids: tuple[int, ...] = ()
    slot_ids: tuple[int, ...] = ()
    table_numbers: tuple[int, ...] = ()

    @property
    def severity(self) -> str:
        """"error" or "warning" (see SEVERITY); decided by the kind, so a script can rely on it."""
        return SEVERITY[self.kind]

    def as_dict(self) -> dict[str, Any]:
        fields = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        return {"kind": fields.pop("kind"), "severity": self.severity, **fields}


@dataclass
class AgendaReport:
    meetings: int
    problems: list[AgendaProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[AgendaProblem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[AgendaProblem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        """No problem at all, not even a warning."""
        return not self.problems


# --- reading the agenda -------------------------------------------------------------------------------


@dataclass
class _Meeting:
    id: int
    request_id: int
    slot_id: int | None
    table_id: int | None
    status: RequestStatus | None  # None: the request row is gone
    a: int | None
    b: int | None
    preference: SessionPreference | None
    starts_at: datetime | None
    ends_at: datetime | None
    session_id: int | None
    table_number: int | None
    reserved_for_id: int | None

    @property
    def companies(self) -> tuple[int, ...]:
        return tuple(c for c in (self.a, self.b) if c is not None)


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """One read transaction for every query of the check, so a writer committing meanwhile is seen whole
    or not at all (never a meeting moved but its seats not yet)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
                return
        if conn.dialect.name == "sqlite":
            # pysqlite opens no transaction for SELECTs; in WAL mode an explicit one is a snapshot.
            conn.exec_driver_sql("BEGIN")
        yield conn
        conn.rollback()


def _load_meetings(conn: Connection) -> list[_Meeting]:
    # Outer joins: a meeting whose slot, table or request vanished (foreign keys switched off while someone
    # edited the file by hand) is reported, not silently skipped.
    rows = conn.execute(
        select(ScheduledMeeting.id, ScheduledMeeting.request_id, ScheduledMeeting.slot_id, ScheduledMeeting.table_id,
               MeetingRequest.status, MeetingRequest.requester_id, MeetingRequest.recipient_id,
               MeetingRequest.session_preference, Slot.starts_at, Slot.ends_at, Slot.session_id,
               VenueTable.number, VenueTable.reserved_for_id)
        .outerjoin(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
        .outerjoin(Slot, Slot.id == ScheduledMeeting.slot_id)
        .outerjoin(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .order_by(Slot.starts_at, VenueTable.number, ScheduledMeeting.id))
    meetings = []
    for row in rows:
        m = _Meeting(*row)
        if m.slot_id is not None and m.starts_at is None:
            m.slot_id = None
        if m.table_id is not None and m.table_number is None:
            m.table_id = None
        meetings.append(m)
    return meetings


class _Words:
    """Names, times and tables as an organizer reads them."""

    def __init__(self, conn: Connection, forum: Any) -> None:
        zone_name = forum.timezone if forum is not None and forum.timezone else current_app.config["TIMEZONE"]
        self.zone = ZoneInfo(zone_name)
        self.locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
        self.companies: dict[int, tuple[str, bool, int]] = {
            cid: (name, active, delegation_id) for cid, name, active, delegation_id in conn.execute(
                select(Company.id, Company.name, Company.active, Company.delegation_id))}
        self.delegations: dict[int, str] = dict(conn.execute(select(Delegation.id, Delegation.name)).all())

    def company(self, company_id: int | None) -> str:
        if company_id is None or company_id not in self.companies:
            return _("a company that no longer exists (id %(id)s)", id=company_id)
        return self.companies[company_id][0]

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def when(self, starts_at: datetime | None, ends_at: datetime | None) -> str:
        """"Thu 17 Oct 2024, 10:00–10:20" in the forum's time zone."""
        if starts_at is None:
            return _("an unknown time")
        text = format_datetime(self.local(starts_at), "EEE d MMM y, HH:mm", locale=self.locale)
        if ends_at is not None:
            text += "–" + format_time(self.local(ends_at), "HH:mm", locale=self.locale)
        return text

    def span(self, starts_at: datetime, ends_at: datetime) -> str:
        return (format_time(self.local(starts_at), "HH:mm", locale=self.locale) + "–"
                + format_time(self.local(ends_at), "HH:mm", locale=self.locale))

    def meeting(self, m: _Meeting) -> str:
        """"A ↔ B (Thu 17 Oct 2024, 10:00–10:20, table 3)"."""
        table = (_("table %(number)d", number=m.table_number) if m.table_number is not None
                 else _("a table that no longer exists"))
        return _("%(a)s ↔ %(b)s (%(when)s, %(table)s)", a=self.company(m.a), b=self.company(m.b),
                 when=self.when(m.starts_at, m.ends_at), table=table)


# --- the rules ------------------------------------------------------------------------------------------


def check_agenda() -> list[AgendaProblem]:
    """Every broken agenda rule on the live database; [] when the agenda is sound."""
    return agenda_report().problems


def agenda_report() -> AgendaReport:
    """The number of scheduled meetings and every broken agenda rule, read in one snapshot."""
    with _snapshot() as conn:
        forum = conn.execute(select(Forum.timezone, Forum.starts_on, Forum.ends_on)
                             .order_by(Forum.id).limit(1)).first()
        words = _Words(conn, forum)
        meetings = _load_meetings(conn)
        seats = conn.execute(select(MeetingSeat.meeting_id, MeetingSeat.company_id, MeetingSeat.slot_id)).all()
        sessions = {sid: (day, starts, ends) for sid, day, starts, ends in conn.execute(
            select(ForumSession.id, ForumSession.day, ForumSession.starts_at, ForumSession.ends_at))}
        slots = conn.execute(select(Slot.id, Slot.session_id, Slot.starts_at, Slot.ends_at)
                             .order_by(Slot.starts_at)).all()
        breaks = conn.execute(select(ForumBreak.starts_at, ForumBreak.ends_at, ForumBreak.label)
                              .order_by(ForumBreak.starts_at)).all()
        # Only the unavailabilities that hit a scheduled meeting, found by the database in one join.
        unavailable = conn.execute(
            select(CompanyUnavailability.company_id, ScheduledMeeting.id)
            .join(ScheduledMeeting, ScheduledMeeting.slot_id == CompanyUnavailability.slot_id)
            .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
            .where(or_(CompanyUnavailability.company_id == MeetingRequest.requester_id,
                       CompanyUnavailability.company_id == MeetingRequest.recipient_id))
            .order_by(ScheduledMeeting.id, CompanyUnavailability.company_id)).all()

    by_id = {m.id: m for m in meetings}
    problems: list[AgendaProblem] = []
    problems += _missing_references(meetings, words)
    problems += _request_states(meetings, words)
    problems += _deactivated(meetings, words)
    problems += _double_bookings(meetings, words)
    problems += _seats(meetings, seats, words)
    problems += _time_structure(meetings, sessions, slots, breaks, forum, words)
    problems += _unavailable(unavailable, by_id, words)
    problems += _reserved_tables(meetings, words)
    problems += _session_preferences(meetings, sessions, words)
    return AgendaReport(meetings=len(meetings), problems=problems)


def _missing_references(meetings: list[_Meeting], words: _Words) -> list[AgendaProblem]:
    out = []
    for m in meetings:
        if m.status is None:
            out.append(AgendaProblem(
                MISSING_SLOT_OR_TABLE,
                _("A scheduled meeting (id %(id)d) belongs to a meeting request that no longer exists.", id=m.id),
                hint=_("Restore the database from a backup, or ask a developer to delete the row."),
                meeting_ids=(m.id,), request_ids=(m.request_id,)))
        elif m.slot_id is None or m.table_id is None:
            out.append(AgendaProblem(
                MISSING_SLOT_OR_TABLE,
                _("The meeting %(meeting)s is on a slot or a table that no longer exists.", meeting=words.meeting(m)),
                hint=_("Move the meeting to an existing slot and table in the agenda builder."),
                meeting_ids=(m.id,), request_ids=(m.request_id,), company_ids=m.companies))
    return out


def _request_states(meetings: list[_Meeting], words: _Words) -> list[AgendaProblem]:
    labels = {RequestStatus.REQUESTED: _("still waiting for an answer"), RequestStatus.DECLINED: _("declined"),
              RequestStatus.CANCELLED: _("cancelled"), RequestStatus.EXPIRED: _("expired")}
    return [AgendaProblem(
        REQUEST_NOT_ACCEPTED,
        _("The meeting %(meeting)s is on the agenda, but its request is %(state)s: the two companies do not "
          "expect to meet.", meeting=words.meeting(m), state=labels.get(m.status, str(m.status))),
        hint=_("Take it off the agenda, or accept the request again."),
        meeting_ids=(m.id,), request_ids=(m.request_id,), company_ids=m.companies,
        slot_ids=(m.slot_id,) if m.slot_id else (), table_numbers=(m.table_number,) if m.table_number else ())
        for m in meetings if m.status is not None and m.status != RequestStatus.ACCEPTED]


def _deactivated(meetings: list[_Meeting], words: _Words) -> list[AgendaProblem]:
    out = []
    for m in meetings:
        gone = [c for c in m.companies if c in words.companies and not words.companies[c][1]]
        if gone and m.status == RequestStatus.ACCEPTED:
            out.append(AgendaProblem(
                COMPANY_DEACTIVATED,
                _("The meeting %(meeting)s is on the agenda, but %(company)s is deactivated: its partner would "
                  "wait at the table for nobody.", meeting=words.meeting(m),
                  company=", ".join(words.company(c) for c in gone)),
                hint=_("Take the meeting off the agenda, or reactivate the company."),
                meeting_ids=(m.id,), request_ids=(m.request_id,), company_ids=tuple(gone),
                slot_ids=(m.slot_id,) if m.slot_id else (),
                table_numbers=(m.table_number,) if m.table_number else ()))
    return out


def _clashes(items: list[_Meeting]) -> tuple[list[list[_Meeting]], list[tuple[_Meeting, _Meeting]]]:
    """(groups of meetings in one slot, pairs of meetings in two different slots whose times overlap)."""
    by_slot: dict[int, list[_Meeting]] = defaultdict(list)
    for m in items:
        if m.slot_id is not None and m.starts_at is not None:
            by_slot[m.slot_id].append(m)
    same_slot = [group for group in by_slot.values() if len(group) > 1]
    # Slots built by the time structure never overlap; a hand-made one may, and then two meetings in "different"
    # slots still happen at once.
    firsts = sorted((group[0] for group in by_slot.values()), key=lambda m: (m.starts_at, m.slot_id))
    overlapping = []
    for i, first in enumerate(firsts):
        for later in firsts[i + 1:]:
            if later.starts_at >= first.ends_at:
                break
            overlapping += [(x, y) for x in by_slot[first.slot_id] for y in by_slot[later.slot_id]]
    return same_slot, overlapping


def _double_bookings(meetings: list[_Meeting], words: _Words) -> list[AgendaProblem]:
    """From the meetings themselves (their request's two companies, their slot's times), not from the seat rows:
    the seats are what the unique index guards, so a bad seat would hide exactly this."""
    out = []
    by_table: dict[int, list[_Meeting]] = defaultdict(list)
    by_company: dict[int, list[_Meeting]] = defaultdict(list)
    for m in meetings:
        if m.table_id is not None:
            by_table[m.table_id].append(m)
        for c in set(m.companies):
            by_company[c].append(m)

    def pair(m: _Meeting) -> str:
        return f"{words.company(m.a)} ↔ {words.company(m.b)}"

    def ids(group: list[_Meeting] | tuple[_Meeting, ...]) -> dict[str, tuple[int, ...]]:
        return {"meeting_ids": tuple(m.id for m in group), "request_ids": tuple(m.request_id for m in group),
                "slot_ids": tuple(dict.fromkeys(m.slot_id for m in group if m.slot_id))}

    table_hint = _("Move all but one of them to another table or slot in the agenda builder.")
    for items in by_table.values():
        same_slot, overlapping = _clashes(items)
        for group in same_slot:
            first = group[0]
            out.append(AgendaProblem(
                TABLE_DOUBLE_BOOKED,
                _("Table %(table)d holds %(count)d meetings at the same time (%(when)s): %(meetings)s.",
                  table=first.table_number, count=len(group), when=words.when(first.starts_at, first.ends_at),
                  meetings="; ".join(pair(m) for m in group)),
                hint=table_hint, company_ids=tuple(dict.fromkeys(c for m in group for c in m.companies)),
                table_numbers=(first.table_number,), **ids(group)))
        for x, y in overlapping:
            out.append(AgendaProblem(
                TABLE_DOUBLE_BOOKED,
                _("Table %(table)d holds two meetings at overlapping times: %(first)s (%(first_when)s) and "
                  "%(second)s (%(second_when)s).", table=x.table_number, first=pair(x),
                  first_when=words.when(x.starts_at, x.ends_at), second=pair(y),
                  second_when=words.when(y.starts_at, y.ends_at)),
                hint=table_hint, company_ids=tuple(dict.fromkeys([*x.companies, *y.companies])),
                table_numbers=(x.table_number,), **ids((x, y))))

    company_hint = _("Move all but one of them to another slot in the agenda builder.")
    for company_id, items in sorted(by_company.items(), key=lambda kv: (words.company(kv[0]), kv[0])):

        def partner(m: _Meeting, company_id: int = company_id) -> str:
            return words.company(m.b if m.a == company_id else m.a)

        def table(m: _Meeting) -> str:
            return str(m.table_number) if m.table_number is not None else "?"

        same_slot, overlapping = _clashes(items)
        for group in same_slot:
            first = group[0]
            out.append(AgendaProblem(
                COMPANY_DOUBLE_BOOKED,
                _("%(company)s has %(count)d meetings at the same time (%(when)s): %(partners)s.",
                  company=words.company(company_id), count=len(group),
                  when=words.when(first.starts_at, first.ends_at),
                  partners="; ".join(_("with %(partner)s at table %(table)s", partner=partner(m), table=table(m))
                                     for m in group)),
                hint=company_hint, company_ids=(company_id,),
                table_numbers=tuple(m.table_number for m in group if m.table_number is not None), **ids(group)))
        for x, y in overlapping:
            out.append(AgendaProblem(
                COMPANY_DOUBLE_BOOKED,
                _("%(company)s has two meetings at overlapping times: with %(first)s (%(first_when)s, table "
                  "%(first_table)s) and with %(second)s (%(second_when)s, table %(second_table)s).",
                  company=words.company(company_id), first=partner(x), first_when=words.when(x.starts_at, x.ends_at),
                  first_table=table(x), second=partner(y), second_when=words.when(y.starts_at, y.ends_at),
                  second_table=table(y)),
                hint=company_hint, company_ids=(company_id,),
                table_numbers=tuple(m.table_number for m in (x, y) if m.table_number is not None), **ids((x, y))))
    return out


def _seats(meetings: list[_Meeting], seats: list[Any], words: _Words) -> list[AgendaProblem]:
    """Each meeting has exactly one seat row per company, in the meeting's own slot. The seats are what stops a
    double booking at the database; a wrong one blocks a company's free slot or lets a second meeting in."""
    seats_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for meeting_id, company_id, slot_id in seats:
        seats_of[meeting_id].append((company_id, slot_id))
    out = []
    for m in meetings:
        if m.status is None:
            continue
        found = seats_of.get(m.id, [])
        wrong = []
        for c in m.companies:
            mine = [slot for company, slot in found if company == c]
            if not mine:
                wrong.append(_("%(company)s has no seat", company=words.company(c)))
            elif len(mine) > 1:
                wrong.append(_("%(company)s has %(count)d seats", company=words.company(c), count=len(mine)))
            elif mine[0] != m.slot_id:
                wrong.append(_("the seat of %(company)s is in another slot", company=words.company(c)))
        strangers = sorted({c for c, _slot in found if c not in m.companies})
        for c in strangers:
            wrong.append(_("%(company)s has a seat but is not in this meeting", company=words.company(c)))
        if wrong:
            out.append(AgendaProblem(
                SEATS_MISMATCH,
                _("The meeting %(meeting)s is stored inconsistently: %(details)s. The agenda may block or "
                  "double-book these companies.", meeting=words.meeting(m), details="; ".join(wrong)),
                hint=_("Move the meeting (or take it off the agenda and place it again) in the agenda builder: "
                       "that rewrites it."),
                meeting_ids=(m.id,), request_ids=(m.request_id,),
                company_ids=tuple(dict.fromkeys([*m.companies, *strangers])),
                slot_ids=(m.slot_id,) if m.slot_id else (),
                table_numbers=(m.table_number,) if m.table_number else ()))
    return out


def _time_structure(meetings: list[_Meeting], sessions: dict[int, tuple[date, datetime, datetime]],
                    slots: list[Any], breaks: list[Any], forum: Any, words: _Words) -> list[AgendaProblem]:
    """Every slot lies inside its session, clear of the breaks, on one of the forum's days; checked for empty
    slots too, since the next scheduler run would fill them."""
    count: dict[int, int] = defaultdict(int)
    for m in meetings:
        if m.slot_id is not None:
            count[m.slot_id] += 1
    # The slots are rebuilt only from an empty agenda (agenda.save_structure refuses while meetings exist).
    rebuild_hint = _("Move its meetings to other slots in the agenda builder. To rebuild the slots: take every "
                     "meeting off the agenda in the agenda builder (unlock the locked ones first), save the time "
                     "structure again (Organizer → Agenda settings), then run the scheduler again.")
    out = []
    for slot_id, session_id, starts_at, ends_at in slots:
        when = words.when(starts_at, ends_at)
        held = count.get(slot_id, 0)
        held_text = ngettext("%(num)d meeting is in it", "%(num)d meetings are in it", held)
        session = sessions.get(session_id)
        if session is None or not (session[1] <= starts_at and ends_at <= session[2]):
            out.append(AgendaProblem(
                SLOT_OUTSIDE_SESSION,
                _("The slot %(when)s lies outside its session (%(session)s); %(held)s.", when=when, held=held_text,
                  session=words.span(session[1], session[2]) if session else _("the session no longer exists")),
                hint=rebuild_hint,
                slot_ids=(slot_id,)))
        clash = next((b for b in breaks if starts_at < b.ends_at and b.starts_at < ends_at), None)
        if clash is not None:
            what = (_("the break “%(label)s” (%(span)s)", label=clash.label,
                      span=words.span(clash.starts_at, clash.ends_at)) if clash.label
                    else _("a break (%(span)s)", span=words.span(clash.starts_at, clash.ends_at)))
            out.append(AgendaProblem(
                SLOT_IN_BREAK,
                _("The slot %(when)s overlaps %(break)s; %(held)s.", when=when, held=held_text, **{"break": what}),
                hint=rebuild_hint,
                slot_ids=(slot_id,)))
        if forum is not None and held:
            day = words.local(starts_at).date()
            if not forum.starts_on <= day <= forum.ends_on:
                out.append(AgendaProblem(
                    SLOT_OUTSIDE_FORUM_DATES,
                    ngettext("%(num)d meeting is on %(when)s, outside the forum's dates (%(first)s to %(last)s).",
                             "%(num)d meetings are on %(when)s, outside the forum's dates (%(first)s to %(last)s).",
                             held, when=when, first=forum.starts_on.isoformat(), last=forum.ends_on.isoformat()),
                    hint=_("Correct the forum's dates, or move the meetings."),
                    slot_ids=(slot_id,)))
    return out


def _unavailable(hits: list[Any], by_id: dict[int, _Meeting], words: _Words) -> list[AgendaProblem]:
    out = []
    for company_id, meeting_id in hits:
        m = by_id.get(meeting_id)
        if m is None:
            continue
        out.append(AgendaProblem(
            COMPANY_UNAVAILABLE,
            _("%(company)s said it cannot attend %(when)s, but has its meeting with %(partner)s (table %(table)s) "
              "then.", company=words.company(company_id), when=words.when(m.starts_at, m.ends_at),
              partner=words.company(m.b if m.a == company_id else m.a),
              table=m.table_number if m.table_number is not None else "?"),
            hint=_("Move the meeting to a slot both companies can attend."),
            meeting_ids=(m.id,), request_ids=(m.request_id,), company_ids=(company_id,),
            slot_ids=(m.slot_id,) if m.slot_id else (), table_numbers=(m.table_number,) if m.table_number else ()))
    return out


def _reserved_tables(meetings: list[_Meeting], words: _Words) -> list[AgendaProblem]:
    out = []
    for m in meetings:
        if m.reserved_for_id is None:
            continue
        groups = {words.companies[c][2] for c in m.companies if c in words.companies}
        if m.reserved_for_id not in groups:
            out.append(AgendaProblem(
                TABLE_RESERVED,
                _("Table %(table)d is reserved for the delegation %(delegation)s, but holds %(meeting)s, where "
                  "neither company belongs to it.", table=m.table_number,
                  delegation=words.delegations.get(m.reserved_for_id, "?"), meeting=words.meeting(m)),
                hint=_("Move the meeting to another table."),
                meeting_ids=(m.id,), request_ids=(m.request_id,), company_ids=m.companies,
                slot_ids=(m.slot_id,) if m.slot_id else (), table_numbers=(m.table_number,)))
    return out


def _session_preferences(meetings: list[_Meeting], sessions: dict[int, tuple[date, datetime, datetime]],
                         words: _Words) -> list[AgendaProblem]:
    """A request that asked for the morning or the afternoon is placed there. As the scheduler reads it: the
    first session of a day is its morning, any later one its afternoon."""
    first_of_day: dict[date, tuple[datetime, int]] = {}
    for sid, (day, starts, _ends) in sessions.items():
        if day not in first_of_day or starts < first_of_day[day][0]:
            first_of_day[day] = (starts, sid)
    morning = {sid for _starts, sid in first_of_day.values()}
    out = []
    for m in meetings:
        if m.preference in (None, SessionPreference.EITHER) or m.session_id not in sessions:
            continue
        in_morning = m.session_id in morning
        if (m.preference == SessionPreference.MORNING) != in_morning:
            asked = _("the morning") if m.preference == SessionPreference.MORNING else _("the afternoon")
            out.append(AgendaProblem(
                SESSION_PREFERENCE,
                _("The meeting %(meeting)s was asked for %(asked)s but is placed in the other half of the day.",
                  meeting=words.meeting(m), asked=asked),
                hint=_("Move the meeting to a slot in %(asked)s.", asked=asked),
                meeting_ids=(m.id,), request_ids=(m.request_id,), company_ids=m.companies,
                slot_ids=(m.slot_id,) if m.slot_id else (),
                table_numbers=(m.table_number,) if m.table_number else ()))
    return out

