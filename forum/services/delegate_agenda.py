"""A delegate's published agenda ("My agenda") and one meeting's detail, as one company sees them.

Everything keys on the meeting request's id: scheduler runs delete and re-create the scheduled rows, so
their ids are never shown or linked. Nothing is shown before the organizers publish the agenda. The page
loads with a fixed handful of queries however many meetings a company has: the placements in one query,
the partners (with their delegates and sectors) in a few more, and the match reasons for all partners in
one. "My agenda" itself asks for the ``brief`` view: it shows neither the partners' people nor more than
the strongest reason, and it is the page every delegate reloads all day (see tests/benchmarks/load/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from forum.extensions import db
from forum.matching import ReasonKind
from forum.models import (
    Company,
    Forum,
    MatchSuggestion,
    MeetingRequest,
    RequestStatus,
    ScheduledMeeting,
    Slot,
    User,
    VenueTable,
    utcnow,
)
from forum.services.companies import MAX_ID, can_edit, get_company
from forum.services.errors import NotFound, PermissionDenied
from forum.services.forums import current_forum
from forum.services.matching import describer, sector_labels


@dataclass
class AgendaMeeting:
    """One published meeting as seen by one company (``partner`` is the other one)."""

    request_id: int
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    table: int
    partner: Company  # delegates and sectors loaded
    message: str
    sequence: int
    requested_by_us: bool  # who wrote the message: we asked, or they did
    day: date  # the local date in the forum's time zone
    reasons: list[str] = field(default_factory=list)  # why the two matched, in the reader's language
    score: float | None = None  # the stored match score, None when neither was suggested to the other
    # "09:20", "09:40": the local times in the forum's zone, as the cards write them. Formatted here once
    # per slot: Babel's timeformat filter, twice per card, was a sizeable part of the page's time.
    start_hm: str = ""
    end_hm: str = ""

    @property
    def partner_delegates(self) -> list[User]:
        """The partner's people who can come to the table (deactivated accounts left out)."""
        return [u for u in self.partner.delegates if u.active]

    @property
    def why(self) -> str:
        """The strongest reason in one line, for the agenda card ('' when there is none)."""
        return next((r for r in self.reasons if r), "")

    @property
    def match(self) -> AgendaMatch | None:
        """The shape templates/companies/_match_why.html reads, or None without stored reasons."""
        if self.score is None or not any(self.reasons):
            return None
        return AgendaMatch(self.score, self.reasons)

    def is_running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True)
class AgendaMatch:
    score: float
    reasons: list[str]


@dataclass
class AgendaView:
    """A company's published agenda, grouped by local day, with what runs now and what comes next."""

    company: Company
    timezone: str
    days: list[tuple[date, list[AgendaMeeting]]]
    now: AgendaMeeting | None  # the meeting running at ``generated_at``
    next: AgendaMeeting | None  # the first one starting after that moment
    generated_at: datetime  # UTC: the moment this view describes ("last updated")

    @property
    def meetings(self) -> list[AgendaMeeting]:
        return [m for _day, day_meetings in self.days for m in day_meetings]

    @property
    def all_over(self) -> bool:
        """Every meeting has ended (False when there are none: nothing to be over)."""
        meetings = self.meetings
        return bool(meetings) and meetings[-1].ends_at <= self.generated_at

    @property
    def next_on_another_day(self) -> bool:
        """The next meeting is not on today's date in the forum's zone: the bar then names its day."""
        if self.next is None:
            return False
        return self.next.day != self.generated_at.astimezone(ZoneInfo(self.timezone)).date()


# --- reading -----------------------------------------------------------------------------------------


def company_for(actor: User, company_id: int) -> Company:
    """The company, if the actor is one of its people or an organizer; PermissionDenied otherwise."""
    company = get_company(company_id)
    if not can_edit(actor, company):
        raise PermissionDenied(_("Only the company's own people and the organizers see its agenda."))
    return company


def _published(forum: Forum | None) -> bool:
    return forum is not None and forum.agenda_published_at is not None


def _zone(forum: Forum | None) -> str:
    return forum.timezone if forum is not None else current_app.config["TIMEZONE"]


def agenda_for(actor: User, company_id: int, now: datetime | None = None, *,
               brief: bool = False) -> AgendaView | None:
    """The company's published meetings by day; None while the agenda is not published.

    ``brief``: what the "My agenda" cards show, for less work: the partners' delegates are not loaded
    (``partner_delegates`` would load them one partner at a time) and ``reasons`` holds only the strongest
    reason (``why``), not every sentence. Raises PermissionDenied unless the actor is one of the company's
    people or an organizer.
    """
    company = company_for(actor, company_id)
    forum = current_forum()
    if not _published(forum):
        return None
    now = now or utcnow()
    zone = _zone(forum)
    meetings = _load(company, zone, brief=brief)
    days: list[tuple[date, list[AgendaMeeting]]] = []
    for meeting in meetings:
        if not days or days[-1][0] != meeting.day:
            days.append((meeting.day, []))
        days[-1][1].append(meeting)
    current = next((m for m in meetings if m.is_running(now)), None)
    upcoming = next((m for m in meetings if m.starts_at > now), None)
    return AgendaView(company=company, timezone=zone, days=days, now=current, next=upcoming, generated_at=now)


def agenda_moment(now: datetime) -> tuple:
    """What "My agenda" shows at ``now`` beyond its meetings: which are over, running and next change only
    when a slot starts or ends, so the page is the same until then. The key of its cached block, with the
    local date (the Now/Next bar names another day's meeting by its day) and the zone's offset."""
    started = select(func.count(distinct(Slot.starts_at))).where(Slot.starts_at <= now).scalar_subquery()
    ended = select(func.count(distinct(Slot.ends_at))).where(Slot.ends_at <= now).scalar_subquery()
    passed = db.session.execute(select(started, ended)).one()
    local = now.astimezone(ZoneInfo(_zone(current_forum())))
    return tuple(passed) + (local.date().isoformat(), local.utcoffset())


def load_meeting(actor: User, company_id: int, request_id: int) -> AgendaMeeting:
    """One published meeting of the company, by its request id.

    PermissionDenied if the actor does not act for the company; NotFound if the request is not a meeting
    of that company on the published agenda (another company's meeting looks exactly like a missing one).
    """
    company = company_for(actor, company_id)
    forum = current_forum()
    if not _published(forum) or not 0 < request_id <= MAX_ID:
        raise NotFound(_("There is no such meeting on your agenda."))
    found = _load(company, _zone(forum), request_id=request_id)
    if not found:
        raise NotFound(_("There is no such meeting on your agenda."))
    return found[0]


def _load(company: Company, zone: str, request_id: int | None = None, brief: bool = False) -> list[AgendaMeeting]:
    """The company's placed meetings in time order: four queries (placements, partners, their delegates,
    their sectors), plus two for the match reasons; ``brief`` leaves the delegates out."""
    # Plain columns, not MeetingRequest objects: building 20 ORM objects costs more than the query.
    query = (
        select(MeetingRequest.id, MeetingRequest.requester_id, MeetingRequest.recipient_id,
               MeetingRequest.message, MeetingRequest.agenda_sequence, Slot.starts_at, Slot.ends_at,
               VenueTable.number)
        .join(ScheduledMeeting, ScheduledMeeting.request_id == MeetingRequest.id)
        .join(Slot, Slot.id == ScheduledMeeting.slot_id)
        .join(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED,
               or_(MeetingRequest.requester_id == company.id, MeetingRequest.recipient_id == company.id))
        .order_by(Slot.starts_at, VenueTable.number)
    )
    if request_id is not None:
        query = query.where(MeetingRequest.id == request_id)
    rows = db.session.execute(query).all()
    if not rows:
        return []
    partner_ids = {r.recipient_id if r.requester_id == company.id else r.requester_id for r in rows}
    options = [selectinload(Company.sectors)]
    if brief:
        # The cards show neither the partner's delegation nor its people: skip the join and the query
        # (lazyload, not noload: a template that does read them still gets them, one query each).
        options.append(lazyload(Company.delegation))
    else:
        options.append(selectinload(Company.delegates))
    partners = {c.id: c for c in db.session.scalars(
        select(Company).where(Company.id.in_(sorted(partner_ids))).options(*options))}
    reasons = match_reasons(company.id, partner_ids, first_only=brief)
    tz = ZoneInfo(zone)
    out = []
    local: dict[datetime, datetime] = {}  # each moment converted once, for the meetings sharing it
    for row in rows:
        ours = row.requester_id == company.id
        partner = partners[row.recipient_id if ours else row.requester_id]
        score, why = reasons.get(partner.id, (None, []))
        for moment in (row.starts_at, row.ends_at):
            if moment not in local:
                local[moment] = moment.astimezone(tz)
        start, end = local[row.starts_at], local[row.ends_at]
        out.append(AgendaMeeting(
            request_id=row.id, starts_at=row.starts_at, ends_at=row.ends_at, table=row.number, partner=partner,
            message=row.message or "", sequence=row.agenda_sequence, requested_by_us=ours,
            day=start.date(), reasons=why, score=score,
            start_hm=f"{start.hour:02d}:{start.minute:02d}", end_hm=f"{end.hour:02d}:{end.minute:02d}"))
    return out


# --- why they matched ---------------------------------------------------------------------------------


def match_reasons(company_id: int, partner_ids: set[int] | list[int],
                  first_only: bool = False) -> dict[int, tuple[float, list[str]]]:
    """Why ``company_id`` and each partner matched, from the stored suggestions in either direction,
    worded for ``company_id``'s reader: partner id -> (score, sentences). Two queries for any number.

    The company's own suggestion wins; otherwise the partner's suggestion of this company is turned
    around (their "you need" is our "they need"), so a meeting that only one side was suggested still
    says why. ``first_only``: only the strongest reason that has words, for a one-line "why" (wording
    every reason is most of the work).
    """
    if not partner_ids:
        return {}
    ids = list(partner_ids)
    rows = db.session.scalars(select(MatchSuggestion).where(or_(
        and_(MatchSuggestion.company_id == company_id, MatchSuggestion.partner_id.in_(ids)),
        and_(MatchSuggestion.partner_id == company_id, MatchSuggestion.company_id.in_(ids)))))
    own: dict[int, MatchSuggestion] = {}
    theirs: dict[int, MatchSuggestion] = {}
    for row in rows:
        if row.company_id == company_id:
            own[row.partner_id] = row
        else:
            theirs[row.company_id] = row
    if not own and not theirs:
        return {}
    words = describer(sector_labels())
    out: dict[int, tuple[float, list[str]]] = {}
    for partner_id in ids:
        if partner_id in own:
            row = own[partner_id]
            stored = row.reasons
        elif partner_id in theirs:
            row = theirs[partner_id]
            stored = [_turned(r) for r in row.reasons]
        else:
            continue
        if first_only:
            first = next((text for text in (words(r) for r in stored) if text), None)
            out[partner_id] = (row.score, [first] if first else [])
        else:
            out[partner_id] = (row.score, [words(r) for r in stored])
    return out


_OPPOSITE = {ReasonKind.YOU_NEED.value: ReasonKind.THEY_NEED.value,
             ReasonKind.THEY_NEED.value: ReasonKind.YOU_NEED.value}


def _turned(reason: dict) -> dict:
    """A stored reason as the other company of the pair would read it."""
    turned = dict(reason)
    turned["kind"] = _OPPOSITE.get(reason.get("kind"), reason.get("kind"))
    turned["mine"], turned["theirs"] = reason.get("theirs", ""), reason.get("mine", "")
    for name in ("sectors", "delegations"):
        # (mine, theirs) pairs; a single shared sector reads the same both ways
        if name in reason:
            turned[name] = list(reversed(reason[name]))
    return turned
