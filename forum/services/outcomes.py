"""Feedback after a held meeting (useful, follow-up, what came of it, value) and its totals.

Each company of a meeting answers once, and only once the meeting is recorded as held. The totals
count agreements per MEETING, not per answer: both sides usually report the same deal, and a forum
report that doubled every contract would mislead the regional administrations. See ``outcome_totals``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.numbers import format_currency
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.models import (
    VALUE_USD_MAX,
    AttendanceStatus,
    Company,
    DealOutcome,
    Delegation,
    MeetingAttendance,
    MeetingFeedback,
    MeetingRequest,
    RequestStatus,
    ScheduledMeeting,
    Slot,
    User,
    VenueTable,
    utcnow,
)
from forum.services.companies import MAX_ID, can_edit, get_company
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from forum.services.forums import forum_for_request
from forum.services.transaction import atomic

# The agreement types, in the order forms, charts and tables list them. "Nothing" is an answer, not an
# agreement, so it is left out of the agreement counts.
AGREEMENTS = (DealOutcome.SUPPLY_CONTRACT, DealOutcome.JOINT_PRODUCTION, DealOutcome.INVESTMENT,
              DealOutcome.MEMORANDUM)


def outcome_label(outcome: DealOutcome) -> str:
    """The outcome as a chip, a chart bar or a table cell shows it."""
    return {
        DealOutcome.SUPPLY_CONTRACT: _("Supply contract"),
        DealOutcome.JOINT_PRODUCTION: _("Joint production"),
        DealOutcome.INVESTMENT: _("Investment"),
        DealOutcome.MEMORANDUM: _("Memorandum"),
        DealOutcome.NOTHING: _("Nothing"),
    }[outcome]


def format_usd(value: int) -> str:
    """Whole US dollars as the reader's locale writes them: "$250,000" (no cents: these are estimates)."""
    return format_currency(value, "USD", "¤#,##0", currency_digits=False, locale=get_locale())


# --- the estimated value -----------------------------------------------------------------------------

# Spaces people type between thousands: ordinary, no-break and narrow no-break (what a phone keyboard
# or a copy from a spreadsheet in ru/uz gives), plus the comma and the apostrophe.
_GROUPING = re.compile(r"[\s\u00a0\u202f,'’]")


def parse_value_usd(text: str | None) -> int | None:
    """The estimated value typed by a delegate, in whole dollars; None when left empty.

    Accepts "250000", "250 000", "250,000" and a leading "$". Refuses negatives, cents, letters and
    anything above ``VALUE_USD_MAX`` with a message that says what to type instead.
    """
    raw = (text or "").strip()
    if raw.startswith("$"):
        raw = raw[1:].strip()
    if not raw:
        return None
    if raw.startswith(("-", "−")):
        raise ServiceError(_("The value cannot be negative. Leave it empty if there is no estimate."),
                           field="value_usd")
    digits = _GROUPING.sub("", raw)
    if "." in digits:
        raise ServiceError(_("Enter whole dollars, without cents or dots: for example 250 000."), field="value_usd")
    # isdecimal() alone would take other scripts' digits; the value is read as ASCII digits only.
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ServiceError(_("Enter the value in US dollars using digits only: for example 250 000."),
                           field="value_usd")
    # Length first: int() of thousands of digits is slow, and refused outright past 4300 digits.
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(VALUE_USD_MAX)) or int(significant) > VALUE_USD_MAX:
        raise ServiceError(_("That is more than %(max)s: check the number.", max=format_usd(VALUE_USD_MAX)),
                           field="value_usd")
    return int(significant)


# --- giving feedback ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackAnswers:
    """What the form collected, already parsed."""

    useful: bool
    follow_up: bool
    outcome: DealOutcome
    value_usd: int | None = None


NOT_HELD = "not_held"
NO_SHOW = "no_show"
OPEN = "open"
SENT = "sent"


@dataclass(frozen=True)
class SentFeedback:
    """One company's answer, as its people see it back."""

    useful: bool
    follow_up: bool
    outcome: DealOutcome
    value_usd: int | None
    by: str | None  # who sent it (a delegate or an organizer acting for the company)
    sent_at: datetime

    @property
    def summary(self) -> str:
        """ "useful, follow-up planned, supply contract, ~$250,000" """
        # Phrases of their own rather than lower-cased labels: not every language lower-cases nouns.
        said = {
            DealOutcome.SUPPLY_CONTRACT: _("supply contract"),
            DealOutcome.JOINT_PRODUCTION: _("joint production"),
            DealOutcome.INVESTMENT: _("an investment"),
            DealOutcome.MEMORANDUM: _("a memorandum"),
            DealOutcome.NOTHING: _("nothing agreed yet"),
        }
        parts = [_("useful") if self.useful else _("not useful"),
                 _("follow-up planned") if self.follow_up else _("no follow-up planned"),
                 said[self.outcome]]
        if self.value_usd is not None:
            parts.append(_("~%(value)s", value=format_usd(self.value_usd)))
        return ", ".join(parts)


@dataclass(frozen=True)
class FeedbackState:
    """Where a company stands with its feedback on one meeting: what the partial shows."""

    company_id: int
    request_id: int
    state: str  # NOT_HELD, NO_SHOW, OPEN or SENT
    sent: SentFeedback | None = None

    @property
    def can_give(self) -> bool:
        return self.state == OPEN


def _acting_for(actor: User, company_id: int) -> Company:
    company = get_company(company_id)
    if not can_edit(actor, company):
        raise PermissionDenied(_("You can only act for your own company."))
    return company


def _party_request(company: Company, request_id: int) -> MeetingRequest:
    """The company's own meeting on the published agenda. Anything else, including another company's
    meeting, is "no such meeting": whether it exists is none of this company's business."""
    missing = NotFound(_("There is no such meeting on your agenda."))
    if not 0 < request_id <= MAX_ID:
        raise missing
    request = db.session.get(MeetingRequest, request_id)
    if request is None or company.id not in (request.requester_id, request.recipient_id):
        raise missing
    forum = forum_for_request()
    published = forum.agenda_published_at if forum is not None else None
    attendance = db.session.get(MeetingAttendance, request_id)
    # A recorded attendance means the meeting took place on the agenda, even if it was cancelled since.
    if attendance is None and (published is None or request.status != RequestStatus.ACCEPTED):
        raise missing
    return request


def _sent(feedback: MeetingFeedback) -> SentFeedback:
    by = db.session.get(User, feedback.user_id) if feedback.user_id is not None else None
    return SentFeedback(feedback.useful, feedback.follow_up, feedback.outcome, feedback.value_usd,
                        by.full_name if by is not None else None, feedback.created_at)


def feedback_state(actor: User, company_id: int, request_id: int) -> FeedbackState:
    """Whether the company may answer now, has answered (and what), or must wait for the check-in.

    Raises PermissionDenied when the actor does not act for the company, NotFound when the meeting is
    not one of the company's published meetings.
    """
    company = _acting_for(actor, company_id)
    _party_request(company, request_id)
    existing = db.session.scalar(select(MeetingFeedback).where(MeetingFeedback.request_id == request_id,
                                                               MeetingFeedback.company_id == company.id))
    if existing is not None:
        return FeedbackState(company.id, request_id, SENT, _sent(existing))
    attendance = db.session.get(MeetingAttendance, request_id)
    if attendance is None:
        return FeedbackState(company.id, request_id, NOT_HELD)
    if attendance.status != AttendanceStatus.HELD:
        return FeedbackState(company.id, request_id, NO_SHOW)
    return FeedbackState(company.id, request_id, OPEN)


@dataclass(frozen=True)
class FeedbackPage:
    """The feedback page of one meeting: which meeting (so the delegate knows what they answer about)
    and where the company stands."""

    feedback: FeedbackState
    partner: str
    starts_at: datetime | None  # None if the meeting has since left the agenda
    ends_at: datetime | None
    table: int | None


def feedback_page(actor: User, company_id: int, request_id: int) -> FeedbackPage:
    """Everything the stand-alone feedback page shows; same checks as ``feedback_state``."""
    state = feedback_state(actor, company_id, request_id)
    request = db.session.get(MeetingRequest, request_id)
    partner_id = request.recipient_id if request.requester_id == state.company_id else request.requester_id
    partner = db.session.get(Company, partner_id)
    row = db.session.execute(
        select(Slot.starts_at, Slot.ends_at, VenueTable.number).select_from(ScheduledMeeting)
        .join(Slot, Slot.id == ScheduledMeeting.slot_id).join(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .where(ScheduledMeeting.request_id == request_id)).first()
    starts_at, ends_at, table = row if row is not None else (None, None, None)
    return FeedbackPage(state, partner.name, starts_at, ends_at, table)


def detail_context(actor: User, company_id: int, request_id: int) -> dict[str, Any]:
    """What templates/agenda/_feedback.html needs on a meeting's detail page."""
    return {"feedback": feedback_state(actor, company_id, request_id)}


def submit_feedback(actor: User, company_id: int, request_id: int, answers: FeedbackAnswers) -> MeetingFeedback:
    """Record the company's one answer on a held meeting, with who gave it. Everything is checked before
    anything is written; a second answer, even one racing the first, is refused and changes nothing."""
    company = _acting_for(actor, company_id)
    _party_request(company, request_id)
    attendance = db.session.get(MeetingAttendance, request_id)
    if attendance is None or attendance.status != AttendanceStatus.HELD:
        raise ServiceError(_("You can give feedback once the meeting is marked as held."))
    already = _("Your company already sent feedback on this meeting.")
    if db.session.scalar(select(MeetingFeedback.id).where(MeetingFeedback.request_id == request_id,
                                                          MeetingFeedback.company_id == company.id)) is not None:
        raise ServiceError(already)
    if not isinstance(answers.outcome, DealOutcome):
        raise ServiceError(_("Choose what came of the meeting."), field="outcome")
    value = answers.value_usd
    if value is not None and value < 0:
        raise ServiceError(_("The value cannot be negative. Leave it empty if there is no estimate."),
                           field="value_usd")
    if value is not None and value > VALUE_USD_MAX:
        raise ServiceError(_("That is more than %(max)s: check the number.", max=format_usd(VALUE_USD_MAX)),
                           field="value_usd")
    if value is not None and answers.outcome == DealOutcome.NOTHING:
        # A value with "nothing" would be counted nowhere and confuse whoever reads the answer back.
        raise ServiceError(_("An estimated value goes with an agreement: choose what was agreed, or leave the "
                             "value empty."), field="value_usd")
    feedback = MeetingFeedback(request_id=request_id, company_id=company.id, useful=bool(answers.useful),
                               follow_up=bool(answers.follow_up), outcome=answers.outcome, value_usd=value,
                               user_id=actor.id, created_at=utcnow())
    # The other delegate of the same company may send theirs at the same moment: the unique constraint
    # holds, and they get the same answer as a second send.
    with atomic(already):
        db.session.add(feedback)
    return feedback


# --- totals for the dashboard and the forum report ------------------------------------------------------


@dataclass(frozen=True)
class OutcomeTotals:
    """What came of the forum's meetings.

    Counting rules (documented in the README and on the dashboard):
    - held / no-shows: meetings whose attendance is recorded as such;
    - awaiting a record: meetings on the published agenda whose time has passed with nothing recorded;
    - answers: feedback rows on meetings that are (still) recorded as held; each company answers once,
      so a meeting has 0, 1 or 2 answers;
    - useful share: the share of answers that found the meeting useful (each side's view counts);
    - follow-ups: meetings where at least one side plans a follow-up;
    - agreements: counted per meeting and type. If both sides report a supply contract, that is one
      contract; if they report different types, each type counts once for that meeting. "Nothing"
      is not an agreement;
    - value: per meeting the larger of the two sides' estimates (never the sum: both usually estimate
      the same deal), added up over the meetings.
    """

    held: int
    no_shows: int
    awaiting_record: int
    answers: int
    useful_answers: int
    follow_ups: int
    # every agreement type, in AGREEMENTS order, with its meeting count (zeros included)
    agreements: list[tuple[DealOutcome, int]]
    meetings_with_agreement: int
    value_usd: int
    valued_meetings: int  # meetings whose total includes an estimate

    @property
    def agreements_total(self) -> int:
        return sum(n for _outcome, n in self.agreements)

    @property
    def useful_percent(self) -> int | None:
        """Rounded share of useful answers; None before any answer (no "0 %" that reads as a verdict)."""
        return round(100 * self.useful_answers / self.answers) if self.answers else None

    @property
    def recorded(self) -> bool:
        return bool(self.held or self.no_shows or self.answers)


def _held_feedback():
    """Feedback on meetings recorded as held (a later correction to "no-show" takes its answers out)."""
    return (select(MeetingFeedback)
            .join(MeetingAttendance, and_(MeetingAttendance.request_id == MeetingFeedback.request_id,
                                          MeetingAttendance.status == AttendanceStatus.HELD)))


def _awaiting_record(now: datetime) -> int:
    forum = forum_for_request()
    if forum is None or forum.agenda_published_at is None:
        return 0  # a draft agenda's meetings were never announced: nobody could check in
    return db.session.scalar(
        select(func.count()).select_from(ScheduledMeeting)
        .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
        .join(Slot, Slot.id == ScheduledMeeting.slot_id)
        .outerjoin(MeetingAttendance, MeetingAttendance.request_id == ScheduledMeeting.request_id)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED, Slot.ends_at <= now,
               MeetingAttendance.request_id.is_(None))) or 0


def outcome_totals(now: datetime | None = None) -> OutcomeTotals:
    """The forum's outcome figures in a fixed number of queries (six), whatever the number of meetings."""
    now = now or utcnow()
    attendance = dict(db.session.execute(
        select(MeetingAttendance.status, func.count()).group_by(MeetingAttendance.status)).all())
    held = _held_feedback().subquery()
    answers, useful, follow_ups = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((held.c.useful, 1), else_=0)), 0),
               func.count(func.distinct(case((held.c.follow_up, held.c.request_id))))).select_from(held)
    ).one()
    agreed = held.c.outcome != DealOutcome.NOTHING
    per_type = dict(db.session.execute(
        select(held.c.outcome, func.count(func.distinct(held.c.request_id))).where(agreed)
        .group_by(held.c.outcome)).all())
    # One row per meeting with an agreement: its larger estimate (NULL when neither side gave one).
    per_meeting = (select(held.c.request_id, func.max(held.c.value_usd).label("value")).where(agreed)
                   .group_by(held.c.request_id)).subquery()
    meetings, value, valued = db.session.execute(
        select(func.count(), func.coalesce(func.sum(per_meeting.c.value), 0), func.count(per_meeting.c.value))
        .select_from(per_meeting)).one()
    return OutcomeTotals(
        held=attendance.get(AttendanceStatus.HELD, 0),
        no_shows=attendance.get(AttendanceStatus.NO_SHOW, 0),
        awaiting_record=_awaiting_record(now),
        answers=answers,
        useful_answers=int(useful),
        follow_ups=follow_ups,
        agreements=[(outcome, per_type.get(outcome, 0)) for outcome in AGREEMENTS],
        meetings_with_agreement=meetings,
        value_usd=int(value),
        valued_meetings=valued,
    )


@dataclass(frozen=True)
class MeetingAgreement:
    """One meeting that led to at least one agreement, for the forum report."""

    request_id: int
    starts_at: datetime | None  # None if the meeting has since left the agenda
    table: int | None
    company_a: str
    delegation_a: str
    company_b: str
    delegation_b: str
    outcomes: list[DealOutcome]  # distinct types, in AGREEMENTS order
    value_usd: int | None  # the larger estimate; None when neither side gave one
    follow_up: bool

    @property
    def outcome_labels(self) -> list[str]:
        return [outcome_label(o) for o in self.outcomes]


def agreements_by_meeting() -> list[MeetingAgreement]:
    """Every held meeting with an agreement, in time order, under the same rules as ``outcome_totals``.
    One query: the answers come with their meeting's companies, delegations, slot and table."""
    a, b = aliased(Company), aliased(Company)
    da, dbb = aliased(Delegation), aliased(Delegation)
    held = _held_feedback().where(MeetingFeedback.outcome != DealOutcome.NOTHING).subquery()
    rows = db.session.execute(
        select(held.c.request_id, held.c.outcome, held.c.value_usd, held.c.follow_up, Slot.starts_at,
               VenueTable.number, a.name, da.name, b.name, dbb.name)
        .select_from(held)
        .join(MeetingRequest, MeetingRequest.id == held.c.request_id)
        .join(a, a.id == MeetingRequest.requester_id).join(da, da.id == a.delegation_id)
        .join(b, b.id == MeetingRequest.recipient_id).join(dbb, dbb.id == b.delegation_id)
        .outerjoin(ScheduledMeeting, ScheduledMeeting.request_id == held.c.request_id)
        .outerjoin(Slot, Slot.id == ScheduledMeeting.slot_id)
        .outerjoin(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .order_by(held.c.request_id))
    merged: dict[int, dict[str, Any]] = {}
    for rid, outcome, value, follow_up, starts_at, table, name_a, del_a, name_b, del_b in rows:
        entry = merged.setdefault(rid, {"starts_at": starts_at, "table": table, "names": (name_a, del_a, name_b, del_b),
                                        "outcomes": set(), "values": [], "follow_up": False})
        entry["outcomes"].add(DealOutcome(outcome))
        if value is not None:
            entry["values"].append(value)
        entry["follow_up"] = entry["follow_up"] or bool(follow_up)
    result = [MeetingAgreement(rid, e["starts_at"], e["table"], *e["names"],
                               outcomes=[o for o in AGREEMENTS if o in e["outcomes"]],
                               value_usd=max(e["values"]) if e["values"] else None, follow_up=e["follow_up"])
              for rid, e in merged.items()]
    # Unplaced meetings (left the agenda after being held) go last, still listed.
    return sorted(result, key=lambda m: (m.starts_at is None, m.starts_at or datetime.min, m.table or 0,
                                         m.request_id))
