"""Meeting passes and check-in (held / no-show), and the organizers' live attendance page.

Each side of a published meeting holds a pass: a QR code that encodes a signed link (GET /pass/<token>)
and a short code for when there is no camera. The OTHER side (or an organizer, the table host) scans or
types it to record the meeting as held. Nothing about a pass is stored: the token is signed with the
app's secret and carries the meeting's slot and table, and the short code is an HMAC of the same facts,
so moving a meeting invalidates its old passes by itself.

Every check is made before anything is written, and each recording is one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import segno
from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from forum.extensions import db
from forum.models import (
    Company,
    CompanyUnavailability,
    Forum,
    ForumSession,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    ScheduledMeeting,
    SessionPreference,
    Slot,
    User,
    VenueTable,
    utcnow,
)
from forum.models.outcome import AttendanceStatus, CheckInMethod, MeetingAttendance
from forum.services import agenda_builder
from forum.services import meetings as meeting_service
from forum.services.calendar import link_scheme
from forum.services.companies import MAX_ID, get_company
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from forum.services.transaction import atomic

PASS_SALT = "meeting-pass"
# A pass shown on a phone is re-issued whenever its page is opened online; a day covers a cached copy.
PASS_MAX_AGE = timedelta(hours=24)
# Delegates arrive a little early: the check-in opens this long before the meeting starts.
CHECK_IN_GRACE = timedelta(minutes=10)
# No 0/O, 1/I/L or U/V look-alikes: the code is read off a phone across a table and typed in.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 6
# The re-offer list stays short: a few places for each of the first waiting meetings.
OFFER_MEETINGS_MAX = 20
OFFER_PLACES_PER_MEETING = 3


# --- passes: token and short code ---------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """A timestamp signer whose clock can be fixed, so that tests issue passes at the forum's dates."""

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return int(self._now.timestamp()) if self._now is not None else super().get_timestamp()


def _serializer(now: datetime | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PASS_SALT, signer=_ClockSigner,
                                  signer_kwargs={"now": now})


def pass_token(request_id: int, slot_id: int, table_id: int, holder_id: int, now: datetime | None = None) -> str:
    """The signed token a pass's QR code links to."""
    return _serializer(now).dumps({"r": request_id, "s": slot_id, "t": table_id, "h": holder_id})


def short_code(request_id: int, slot_id: int, table_id: int, holder_id: int) -> str:
    """The holder's short code for the meeting where it is now (6 characters, no dash)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"pass:{request_id}:{slot_id}:{table_id}:{holder_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _i in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def format_code(code: str) -> str:
    """"K7Q4MZ" -> "K7Q-4MZ": two groups of three are easier to read out and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(text: str | None) -> str:
    """What a person typed, as a code: any case, with or without the dash or spaces."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def _same_code(typed: str, expected: str) -> bool:
    return hmac.compare_digest(typed.encode(), expected.encode())


def qr_svg(url: str) -> Markup:
    """The QR code as inline SVG markup: no style attributes (the CSP forbids inline styles)."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=4, dark="#000", light="#fff", omitsize=True, svgclass="pass-qr-code",
                        title=_("QR code of the meeting pass"))
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


# --- loading one meeting -------------------------------------------------------------------------------


@dataclass
class _Meeting:
    """A request with where it sits on the agenda now (None: not on it) and what was recorded."""

    forum: Forum | None
    request: MeetingRequest
    scheduled: ScheduledMeeting | None
    attendance: MeetingAttendance | None

    @property
    def published(self) -> bool:
        return self.forum is not None and self.forum.agenda_published_at is not None

    @property
    def on_agenda(self) -> bool:
        """Accepted, placed and published: the only meetings a pass can be used for."""
        return self.published and self.request.status == RequestStatus.ACCEPTED and self.scheduled is not None

    def parties(self) -> tuple[int, int]:
        return self.request.requester_id, self.request.recipient_id

    def other(self, company_id: int) -> Company:
        return self.request.recipient if self.request.requester_id == company_id else self.request.requester


def _forum() -> Forum | None:
    return db.session.scalar(select(Forum).order_by(Forum.id).limit(1))


def _load(request_id: int) -> _Meeting | None:
    if not 0 < request_id <= MAX_ID:
        return None
    request = db.session.scalar(select(MeetingRequest).where(MeetingRequest.id == request_id)
                                .options(selectinload(MeetingRequest.requester),
                                         selectinload(MeetingRequest.recipient)))
    if request is None:
        return None
    scheduled = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == request_id)
                                  .options(selectinload(ScheduledMeeting.slot), selectinload(ScheduledMeeting.table)))
    return _Meeting(_forum(), request, scheduled, db.session.get(MeetingAttendance, request_id))


def _clock(when: datetime) -> str:
    return format_datetime(when, "HH:mm")


def _not_valid() -> ServiceError:
    return ServiceError(_("This pass is not valid."))


def _check_in_opens(meeting: _Meeting) -> datetime:
    return meeting.scheduled.slot.starts_at - CHECK_IN_GRACE


# --- the meeting page's pass --------------------------------------------------------------------------


@dataclass
class AttendanceState:
    """What was recorded, worded for the page: held, a no-show, or nothing yet."""

    status: AttendanceStatus | None
    label: str
    detail: str = ""


@dataclass
class MeetingPass:
    request_id: int
    company_id: int  # the holder: the company whose page this is
    partner: Company
    url: str
    qr: Markup
    code: str  # formatted, "K7Q-4MZ"
    state: AttendanceState
    starts_at: datetime
    check_in_opens_at: datetime
    can_check_in: bool  # the viewer may enter the partner's code now
    can_report_no_show: bool


def _state(meeting: _Meeting, viewer_company_id: int | None) -> AttendanceState:
    record = meeting.attendance
    if record is None:
        return AttendanceState(None, _("Not recorded yet"))
    when = format_datetime(record.recorded_at, "EEE d MMM, HH:mm")
    who = db.session.get(User, record.recorded_by_id) if record.recorded_by_id else None
    if record.status == AttendanceStatus.HELD:
        how = {CheckInMethod.QR: _("pass scanned"), CheckInMethod.CODE: _("code entered"),
               CheckInMethod.ORGANIZER: _("recorded by the organizers")}.get(record.method, "")
        if who is not None:
            detail = _("Checked in on %(when)s by %(name)s (%(how)s).", when=when, name=who.full_name or who.email,
                       how=how)
        else:
            detail = _("Checked in on %(when)s (%(how)s).", when=when, how=how)
        return AttendanceState(AttendanceStatus.HELD, _("Held"), detail)
    absent = meeting.request.requester if record.absent_company_id == meeting.request.requester_id \
        else meeting.request.recipient
    if viewer_company_id is not None and record.absent_company_id == viewer_company_id:
        detail = _("Recorded on %(when)s that your side did not come. If you were there, show your pass to "
                   "your partner.", when=when)
    else:
        detail = _("Recorded on %(when)s that %(company)s did not come.", when=when, company=absent.name)
    return AttendanceState(AttendanceStatus.NO_SHOW, _("No-show"), detail)


def detail_context(actor: User, company_id: int, request_id: int, now: datetime | None = None) -> dict[str, Any]:
    """What templates/agenda/_pass.html needs on a meeting's detail page: ``meeting_pass`` (None when
    the meeting is not on the published agenda, where no pass can be used)."""
    company = meeting_service._acting_for(actor, company_id)
    meeting = _load(request_id)
    if meeting is None or company.id not in meeting.parties():
        raise NotFound(_("There is no such meeting on your agenda."))
    if not meeting.on_agenda:
        return {"meeting_pass": None}
    now = now or utcnow()
    placed = meeting.scheduled
    # Re-issued on every online visit: the 24-hour age limit only bites a copy cached offline.
    token = pass_token(request_id, placed.slot_id, placed.table_id, company.id, now)
    url = url_for("agenda.pass_scan", token=token, _external=True, _scheme=link_scheme())
    opens = _check_in_opens(meeting)
    held = meeting.attendance is not None and meeting.attendance.status == AttendanceStatus.HELD
    return {"meeting_pass": MeetingPass(
        request_id=request_id, company_id=company.id, partner=meeting.other(company.id), url=url, qr=qr_svg(url),
        code=format_code(short_code(request_id, placed.slot_id, placed.table_id, company.id)),
        state=_state(meeting, company.id), starts_at=placed.slot.starts_at, check_in_opens_at=opens,
        can_check_in=not held and now >= opens,
        can_report_no_show=not held and now >= placed.slot.starts_at
        and not (meeting.attendance is not None and meeting.attendance.absent_company_id == company.id),
    )}


# --- check-in ----------------------------------------------------------------------------------------


@dataclass
class CheckInResult:
    attendance: MeetingAttendance
    already: bool  # it was held before: nothing changed
    message: str


def _record_held(actor: User, meeting: _Meeting, method: CheckInMethod, now: datetime) -> CheckInResult:
    """The common end of every check-in: the time rule, "already", then one write."""
    opens = _check_in_opens(meeting)
    if now < opens:
        raise ServiceError(_("You can check in from %(time)s.", time=_clock(opens)))
    record = meeting.attendance
    if record is not None and record.status == AttendanceStatus.HELD:
        return CheckInResult(record, True, _("Already checked in at %(time)s.", time=_clock(record.recorded_at)))
    late = record is not None
    try:
        if record is None:
            record = MeetingAttendance(request_id=meeting.request.id)
            db.session.add(record)
        # A check-in after a reported no-show wins: the partner came late.
        record.status, record.absent_company_id = AttendanceStatus.HELD, None
        record.method, record.recorded_by_id, record.recorded_at = method, actor.id, now
        db.session.commit()
    except IntegrityError:
        # The other side checked in at the same moment: theirs stands, and it is the same answer.
        db.session.rollback()
        record = db.session.get(MeetingAttendance, meeting.request.id)
        if record is None or record.status != AttendanceStatus.HELD:
            raise ServiceError(_("The meeting was recorded at the same moment; nothing was saved. Try again.")) \
                from None
        return CheckInResult(record, True, _("Already checked in at %(time)s.", time=_clock(record.recorded_at)))
    except Exception:
        db.session.rollback()
        raise
    message = _("Checked in: the meeting is recorded as held, after the reported no-show.") if late \
        else _("Checked in: the meeting is recorded as held.")
    return CheckInResult(record, False, message)


@dataclass
class ScannedPass:
    """A valid pass as the scanner sees it, before confirming."""

    token: str
    request_id: int
    holder: Company
    partner: Company  # the holder's partner (the scanner's side, or the other company for an organizer)
    starts_at: datetime
    ends_at: datetime
    table: int
    already: str = ""  # "Already checked in at HH:MM" when it was held before


def _read_token(token: str) -> tuple[dict, datetime]:
    try:
        payload, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadData:  # a bad signature, or a payload that is not ours
        raise _not_valid() from None
    keys = ("r", "s", "t", "h")
    if not isinstance(payload, dict) or any(type(payload.get(k)) is not int for k in keys):
        raise _not_valid()
    return payload, signed_at


def _resolve_token(actor: User, token: str, now: datetime) -> tuple[_Meeting, dict]:
    """Every rule a scanned pass must meet, in the order that leaks nothing: the signature, then whether
    the scanner is part of the meeting, and only then anything about the meeting itself."""
    payload, signed_at = _read_token(token or "")
    meeting = _load(payload["r"])
    if meeting is None or payload["h"] not in meeting.parties():
        raise _not_valid()
    if not actor.is_organizer and actor.company_id not in meeting.parties():
        raise PermissionDenied(_("This pass belongs to a meeting you are not part of."))
    if not actor.is_organizer and actor.company_id == payload["h"]:
        raise ServiceError(_("This is your own pass: your partner scans it, and you scan theirs."))
    if now - signed_at > PASS_MAX_AGE:
        raise ServiceError(_("This pass has expired: ask your partner to open it again."))
    if not meeting.on_agenda:
        raise _not_valid()
    if (meeting.scheduled.slot_id, meeting.scheduled.table_id) != (payload["s"], payload["t"]):
        raise ServiceError(_("This pass is out of date: the meeting was moved."))
    return meeting, payload


def scan(actor: User, token: str, now: datetime | None = None) -> ScannedPass:
    """What a scanned pass is, for the confirmation page (GET: changes nothing)."""
    now = now or utcnow()
    meeting, payload = _resolve_token(actor, token, now)
    opens = _check_in_opens(meeting)
    if now < opens:
        raise ServiceError(_("You can check in from %(time)s.", time=_clock(opens)))
    holder = meeting.request.requester if meeting.request.requester_id == payload["h"] else meeting.request.recipient
    record = meeting.attendance
    already = _("Already checked in at %(time)s.", time=_clock(record.recorded_at)) \
        if record is not None and record.status == AttendanceStatus.HELD else ""
    return ScannedPass(token, meeting.request.id, holder, meeting.other(holder.id), meeting.scheduled.slot.starts_at,
                       meeting.scheduled.slot.ends_at, meeting.scheduled.table.number, already)


def check_in_with_token(actor: User, token: str, now: datetime | None = None) -> CheckInResult:
    """The scanner confirmed: record the meeting as held."""
    now = now or utcnow()
    meeting, _payload = _resolve_token(actor, token, now)
    return _record_held(actor, meeting, CheckInMethod.QR, now)


def _party_meeting(actor: User, company_id: int, request_id: int) -> tuple[Company, _Meeting]:
    company = meeting_service._acting_for(actor, company_id)
    meeting = _load(request_id)
    if meeting is None or company.id not in meeting.parties():
        raise NotFound(_("There is no such meeting on your agenda."))
    if not meeting.on_agenda:
        raise ServiceError(_("This meeting is not on the published agenda."))
    return company, meeting


def check_in_with_code(actor: User, company_id: int, request_id: int, code: str | None,
                       now: datetime | None = None) -> CheckInResult:
    """The company's side typed its partner's short code."""
    now = now or utcnow()
    company, meeting = _party_meeting(actor, company_id, request_id)
    typed = normalize_code(code)
    if len(typed) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in typed):
        raise ServiceError(_("Enter the 6-character code shown on your partner's pass, for example K7Q-4MZ."),
                           field="code")
    partner = meeting.other(company.id)
    placed = meeting.scheduled
    if _same_code(typed, short_code(request_id, placed.slot_id, placed.table_id, company.id)):
        raise ServiceError(_("This is your own code: enter the code shown on your partner's pass."), field="code")
    if not _same_code(typed, short_code(request_id, placed.slot_id, placed.table_id, partner.id)):
        raise ServiceError(_("This code does not match your partner's pass for this meeting. Check it and try "
                             "again."), field="code")
    return _record_held(actor, meeting, CheckInMethod.CODE, now)


# --- no-shows ----------------------------------------------------------------------------------------


def _record_no_show(actor: User, meeting: _Meeting, absent: Company, method: CheckInMethod,
                    now: datetime) -> MeetingAttendance:
    record = meeting.attendance
    with atomic(_("The meeting was recorded at the same moment; nothing was saved. Look again.")):
        if record is None:
            record = MeetingAttendance(request_id=meeting.request.id)
            db.session.add(record)
        record.status, record.absent_company_id = AttendanceStatus.NO_SHOW, absent.id
        record.method, record.recorded_by_id, record.recorded_at = method, actor.id, now
        present = meeting.other(absent.id)
        meeting_service._notify(absent, "meeting_no_show", meeting.request, other=present)
    return record


def report_no_show(actor: User, company_id: int, request_id: int, now: datetime | None = None) -> MeetingAttendance:
    """One side reports that its partner did not come. Only once the meeting started, never once held."""
    now = now or utcnow()
    company, meeting = _party_meeting(actor, company_id, request_id)
    starts = meeting.scheduled.slot.starts_at
    if now < starts:
        raise ServiceError(_("You can report a no-show once the meeting has started, from %(time)s.",
                             time=_clock(starts)))
    record = meeting.attendance
    if record is not None and record.status == AttendanceStatus.HELD:
        raise ServiceError(_("This meeting is already checked in as held (at %(time)s).",
                             time=_clock(record.recorded_at)))
    partner = meeting.other(company.id)
    if record is not None and record.absent_company_id == partner.id:
        raise ServiceError(_("Already reported at %(time)s.", time=_clock(record.recorded_at)))
    if record is not None and record.absent_company_id == company.id:
        raise ServiceError(_("%(company)s reported that your side did not come. If you are both there, enter "
                             "each other's code to check in.", company=partner.name))
    return _record_no_show(actor, meeting, partner, CheckInMethod.REPORT, now)


# --- the organizers' live attendance page ----------------------------------------------------------------


@dataclass
class LiveMeeting:
    request_id: int
    table: int
    a: Company
    b: Company
    status: AttendanceStatus | None
    absent_id: int | None
    recorded_at: datetime | None

    @property
    def state(self) -> str:
        return self.status.value if self.status is not None else "waiting"


@dataclass
class LiveSlot:
    slot: Slot
    meetings: list[LiveMeeting]


@dataclass
class FreePlace:
    slot: Slot
    table: VenueTable


@dataclass
class WaitingMeeting:
    request: MeetingRequest
    places: list[FreePlace]
    stood_up: bool  # one of the two companies was left alone by a no-show today: offered first


@dataclass
class LiveAttendance:
    day: date | None
    days: list[date]
    slots: list[LiveSlot]
    held: int
    no_shows: int
    waiting: int
    offers: list[WaitingMeeting]
    agenda_version: int
    published: bool
    now: datetime
    tables: list[VenueTable] = field(default_factory=list)


def _forum_days() -> list[date]:
    return sorted(set(db.session.scalars(select(ForumSession.day))))


def _default_day(forum: Forum | None, days: list[date], now: datetime) -> date | None:
    if not days:
        return None
    zone = ZoneInfo(forum.timezone) if forum is not None else ZoneInfo("UTC")
    today = now.astimezone(zone).date()
    return today if today in days else days[0]


def live_attendance(day: date | None = None, now: datetime | None = None) -> LiveAttendance:
    """One forum day: its slots with their meetings and what was recorded, the counts, and the free
    places to re-offer. A fixed number of queries whatever the size of the day."""
    now = now or utcnow()
    forum = _forum()
    days = _forum_days()
    if day is not None and day not in days:
        raise NotFound(_("The forum has no meetings on that day."))
    day = day or _default_day(forum, days, now)
    sessions = list(db.session.scalars(select(ForumSession).where(ForumSession.day == day)
                                       .order_by(ForumSession.starts_at))) if day else []
    slots = list(db.session.scalars(select(Slot).where(Slot.session_id.in_([s.id for s in sessions]))
                                    .order_by(Slot.starts_at))) if sessions else []
    tables = list(db.session.scalars(select(VenueTable).order_by(VenueTable.number)))
    slot_ids = [s.id for s in slots]
    a, b = aliased(Company), aliased(Company)
    rows = db.session.execute(
        select(ScheduledMeeting.slot_id, ScheduledMeeting.request_id, VenueTable.number, a, b,
               MeetingAttendance.status, MeetingAttendance.absent_company_id, MeetingAttendance.recorded_at)
        .join(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
        .join(a, a.id == MeetingRequest.requester_id).join(b, b.id == MeetingRequest.recipient_id)
        .outerjoin(MeetingAttendance, MeetingAttendance.request_id == ScheduledMeeting.request_id)
        .where(ScheduledMeeting.slot_id.in_(slot_ids), MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(VenueTable.number)).all() if slot_ids else []
    by_slot: dict[int, list[LiveMeeting]] = defaultdict(list)
    for slot_id, request_id, number, first, second, status, absent_id, recorded_at in rows:
        by_slot[slot_id].append(LiveMeeting(request_id, number, first, second, status, absent_id, recorded_at))
    live = [LiveSlot(s, by_slot.get(s.id, [])) for s in slots]
    every = [m for s in live for m in s.meetings]
    held = sum(1 for m in every if m.status == AttendanceStatus.HELD)
    no_shows = sum(1 for m in every if m.status == AttendanceStatus.NO_SHOW)
    stood_up = {(m.b.id if m.absent_id == m.a.id else m.a.id) for m in every if m.status == AttendanceStatus.NO_SHOW}
    published = forum is not None and forum.agenda_published_at is not None
    offers = _offers(sessions, slots, tables, rows, stood_up, now) if published else []
    return LiveAttendance(day, days, live, held, no_shows, len(every) - held - no_shows, offers,
                          forum.agenda_version if forum is not None else 0, published, now, tables)


def _offers(sessions: list[ForumSession], slots: list[Slot], tables: list[VenueTable], rows: list,
            stood_up: set[int], now: datetime) -> list[WaitingMeeting]:
    """Free places (a slot still to come, a free table) where both companies of a waiting meeting are
    free, available and active, checked with the same rules as the agenda builder's checker."""
    upcoming = [s for s in slots if s.starts_at >= now]
    if not upcoming:
        return []
    waiting = list(db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED,
               ~MeetingRequest.id.in_(select(ScheduledMeeting.request_id)))
        .options(selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient))
        .order_by(MeetingRequest.id)))
    waiting = [r for r in waiting if r.requester.active and r.recipient.active]
    if not waiting:
        return []
    # Companies left alone by a no-show come first: they have the most reason to meet someone else.
    waiting.sort(key=lambda r: (not ({r.requester_id, r.recipient_id} & stood_up), r.id))
    waiting = waiting[:OFFER_MEETINGS_MAX]
    upcoming_ids = [s.id for s in upcoming]
    taken_tables: set[tuple[int, int]] = set(db.session.execute(
        select(ScheduledMeeting.slot_id, ScheduledMeeting.table_id)
        .where(ScheduledMeeting.slot_id.in_(upcoming_ids))).all())
    company_ids = {c for r in waiting for c in (r.requester_id, r.recipient_id)}
    busy: set[tuple[int, int]] = set(db.session.execute(
        select(MeetingSeat.slot_id, MeetingSeat.company_id)
        .where(MeetingSeat.slot_id.in_(upcoming_ids), MeetingSeat.company_id.in_(company_ids))).all())
    busy |= set(db.session.execute(
        select(CompanyUnavailability.slot_id, CompanyUnavailability.company_id)
        .where(CompanyUnavailability.slot_id.in_(upcoming_ids),
               CompanyUnavailability.company_id.in_(company_ids))).all())
    # The first session of a day is its morning, any later one its afternoon (as the scheduler sees it).
    morning = sessions[0].id if sessions else None
    out = []
    for request in waiting:
        pair = (request.requester_id, request.recipient_id)
        groups = {request.requester.delegation_id, request.recipient.delegation_id}
        places: list[FreePlace] = []
        for slot in upcoming:
            if any((slot.id, c) in busy for c in pair):
                continue
            half = SessionPreference.MORNING if slot.session_id == morning else SessionPreference.AFTERNOON
            if request.session_preference not in (SessionPreference.EITHER, half):
                continue
            table = next((t for t in tables if (slot.id, t.id) not in taken_tables
                          and (t.reserved_for_id is None or t.reserved_for_id in groups)), None)
            if table is not None:
                places.append(FreePlace(slot, table))
            if len(places) >= OFFER_PLACES_PER_MEETING:
                break
        out.append(WaitingMeeting(request, places, bool(set(pair) & stood_up)))
    return out


def _organizer_meeting(actor: User, request_id: int) -> _Meeting:
    if not actor.is_organizer:
        raise PermissionDenied(_("Only organizers can record attendance for any meeting."))
    meeting = _load(request_id)
    if meeting is None or not meeting.on_agenda:
        raise NotFound(_("There is no such meeting on the published agenda."))
    return meeting


def mark_held(actor: User, request_id: int, now: datetime | None = None) -> CheckInResult:
    """The table host (an organizer) records a meeting as held."""
    now = now or utcnow()
    meeting = _organizer_meeting(actor, request_id)
    return _record_held(actor, meeting, CheckInMethod.ORGANIZER, now)


def mark_no_show(actor: User, request_id: int, absent_company_id: int, now: datetime | None = None
                 ) -> MeetingAttendance:
    """The table host records that one company did not come."""
    now = now or utcnow()
    meeting = _organizer_meeting(actor, request_id)
    if absent_company_id not in meeting.parties():
        raise ServiceError(_("Choose one of the two companies of this meeting."))
    starts = meeting.scheduled.slot.starts_at
    if now < starts:
        raise ServiceError(_("A no-show can be recorded once the meeting has started, from %(time)s.",
                           time=_clock(starts)))
    record = meeting.attendance
    if record is not None and record.status == AttendanceStatus.HELD:
        raise ServiceError(_("This meeting is already checked in as held (at %(time)s).",
                             time=_clock(record.recorded_at)))
    if record is not None and record.absent_company_id == absent_company_id:
        raise ServiceError(_("Already reported at %(time)s.", time=_clock(record.recorded_at)))
    absent = get_company(absent_company_id)
    return _record_no_show(actor, meeting, absent, CheckInMethod.ORGANIZER, now)


def check_in_at_table(actor: User, day: date | None, table_number: int | None, code: str | None,
                      now: datetime | None = None) -> CheckInResult:
    """The table host types the code from either delegate's phone and the table number: the meeting at
    that table on that day whose pass it is gets recorded as held."""
    now = now or utcnow()
    if not actor.is_organizer:
        raise PermissionDenied(_("Only organizers can record attendance for any meeting."))
    typed = normalize_code(code)
    if len(typed) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in typed):
        raise ServiceError(_("Enter the 6-character code shown on the delegate's pass, for example K7Q-4MZ."),
                           field="code")
    if table_number is None or not 0 < table_number <= MAX_ID:
        raise ServiceError(_("Enter the table number."), field="table")
    forum = _forum()
    days = _forum_days()
    day = day or _default_day(forum, days, now)
    candidates = list(db.session.execute(
        select(ScheduledMeeting.request_id, ScheduledMeeting.slot_id, ScheduledMeeting.table_id,
               MeetingRequest.requester_id, MeetingRequest.recipient_id)
        .join(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .join(Slot, Slot.id == ScheduledMeeting.slot_id).join(ForumSession, ForumSession.id == Slot.session_id)
        .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
        .where(VenueTable.number == table_number, ForumSession.day == day)))
    for request_id, slot_id, table_id, first, second in candidates:
        if any(_same_code(typed, short_code(request_id, slot_id, table_id, holder)) for holder in (first, second)):
            return mark_held(actor, request_id, now)
    raise ServiceError(_("No meeting at table %(table)d on this day has this code. Check the table number and "
                         "the code.", table=table_number), field="code")


def offer_slot(actor: User, request_id: int, slot_id: int, table_id: int, expected_version: int | None,
               now: datetime | None = None) -> MeetingRequest:
    """Place a waiting meeting in a freed place, through the agenda builder (its checker, its history
    and, the agenda being published, its notices to both companies)."""
    now = now or utcnow()
    if not actor.is_organizer:
        raise PermissionDenied(_("Only organizers can place meetings."))
    slot = db.session.get(Slot, slot_id) if 0 < slot_id <= MAX_ID else None
    if slot is None:
        raise ServiceError(_("There is no such slot; the agenda's time structure may have changed."))
    if slot.starts_at < now:
        raise ServiceError(_("That slot has already started: choose a later one."))
    request = db.session.get(MeetingRequest, request_id) if 0 < request_id <= MAX_ID else None
    if request is None or request.status != RequestStatus.ACCEPTED:
        raise NotFound(_("There is no such accepted meeting; it may have been cancelled."))
    if db.session.scalar(select(ScheduledMeeting.id).where(ScheduledMeeting.request_id == request_id)) is not None:
        raise ServiceError(_("This meeting is already on the agenda."))
    agenda_builder.move(actor, request_id, slot_id, table_id, expected_version)
    return request


def attendance_of(request_ids: list[int]) -> dict[int, MeetingAttendance]:
    """What was recorded for these meetings, in one query (for lists such as the agenda)."""
    if not request_ids:
        return {}
    return {r.request_id: r for r in db.session.scalars(
        select(MeetingAttendance).where(MeetingAttendance.request_id.in_(request_ids)))}

