"""The organizer dashboard's figures and the forum report for the regional administrations.

Every figure comes from a GROUP BY query, so a page costs the same number of queries with ten
companies or a thousand. Nothing here writes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, union_all
from sqlalchemy.orm import aliased, selectinload

from forum.extensions import db
from forum.models import (
    Company,
    Delegation,
    Forum,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    ScheduledMeeting,
    Sector,
    Slot,
    VenueTable,
    company_sector,
    utcnow,
)
from forum.models.forum import sector_name
from forum.scheduling import Lock, solve
from forum.services import outcomes as outcome_service
from forum.services import scheduling
from forum.services.errors import ServiceError
from forum.services.forums import forum_for_request
from forum.services.meetings import expire_due

# How many companies the busiest / least-served lists show.
TOP = 5
# The reasons are recomputed on each dashboard view: a short search is enough to tell "no room" from
# "room, but the scheduler has not run since".
REASON_TIME_LIMIT = 0.5


@dataclass(frozen=True)
class Count:
    label: str
    value: int


@dataclass(frozen=True)
class CompanyLoad:
    id: int
    name: str
    delegation: str
    accepted: int  # accepted requests, scheduled or not
    scheduled: int
    opted_out: bool


@dataclass(frozen=True)
class UnscheduledMeeting:
    request_id: int
    requester: str
    recipient: str
    reason: str


@dataclass
class Dashboard:
    companies_total: int
    per_delegation: list[Count]
    per_sector: list[Count]
    # requested (pending), accepted, declined, expired, cancelled; always all five, in that order
    requests: list[tuple[RequestStatus, int]]
    scheduled: int
    unscheduled: list[UnscheduledMeeting]
    busiest: list[CompanyLoad]
    least_served: list[CompanyLoad]
    published: bool
    # What came of the meetings: held, no-shows, feedback, agreements (see outcomes.OutcomeTotals).
    outcomes: outcome_service.OutcomeTotals

    @property
    def requests_total(self) -> int:
        return sum(n for _status, n in self.requests)

    @property
    def unscheduled_by_reason(self) -> list[Count]:
        """How many unscheduled meetings each reason holds back, most first: the organizer's to-do list."""
        counts: dict[str, int] = {}
        for m in self.unscheduled:
            counts[m.reason] = counts.get(m.reason, 0) + 1
        return [Count(reason, n) for reason, n in sorted(counts.items(), key=lambda item: -item[1])]


def status_label(status: RequestStatus) -> str:
    return {
        RequestStatus.REQUESTED: _("Pending"),
        RequestStatus.ACCEPTED: _("Accepted"),
        RequestStatus.DECLINED: _("Declined"),
        RequestStatus.EXPIRED: _("Expired"),
        RequestStatus.CANCELLED: _("Cancelled"),
    }[status]


_STATUS_ORDER = (RequestStatus.REQUESTED, RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.EXPIRED,
                 RequestStatus.CANCELLED)


def companies_per_delegation() -> list[Count]:
    """Active companies per delegation; delegations without any still appear, with 0."""
    rows = db.session.execute(
        select(Delegation.name, func.count(Company.id))
        .outerjoin(Company, and_(Company.delegation_id == Delegation.id, Company.active.is_(True)))
        .group_by(Delegation.id, Delegation.name).order_by(Delegation.name))
    return [Count(name, n) for name, n in rows]


def companies_per_sector() -> list[Count]:
    """Active companies per sector, in the taxonomy's order; a company counts once in each of its sectors."""
    rows = db.session.execute(
        select(Sector.key, Sector.label, func.count(Company.id))
        .outerjoin(company_sector, company_sector.c.sector_id == Sector.id)
        .outerjoin(Company, and_(Company.id == company_sector.c.company_id, Company.active.is_(True)))
        .group_by(Sector.id, Sector.key, Sector.label, Sector.position).order_by(Sector.position, Sector.label))
    return [Count(sector_name(key, label), n) for key, label, n in rows]


def requests_by_status() -> list[tuple[RequestStatus, int]]:
    counts = dict(db.session.execute(
        select(MeetingRequest.status, func.count()).group_by(MeetingRequest.status)).all())
    return [(status, counts.get(status, 0)) for status in _STATUS_ORDER]


def _scheduled_accepted():
    return (select(ScheduledMeeting.request_id)
            .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
            .where(MeetingRequest.status == RequestStatus.ACCEPTED))


def company_loads() -> list[CompanyLoad]:
    """Every active company with its accepted and scheduled meetings, in one query."""
    accepted = MeetingRequest.status == RequestStatus.ACCEPTED
    sides = union_all(select(MeetingRequest.requester_id.label("company_id")).where(accepted),
                      select(MeetingRequest.recipient_id.label("company_id")).where(accepted)).subquery()
    accepted_n = (select(sides.c.company_id, func.count().label("n")).group_by(sides.c.company_id)).subquery()
    scheduled_n = (select(MeetingSeat.company_id, func.count().label("n"))
                   .join(ScheduledMeeting, ScheduledMeeting.id == MeetingSeat.meeting_id)
                   .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id).where(accepted)
                   .group_by(MeetingSeat.company_id)).subquery()
    rows = db.session.execute(
        select(Company.id, Company.name, Delegation.name, func.coalesce(accepted_n.c.n, 0),
               func.coalesce(scheduled_n.c.n, 0), Company.opted_out)
        .join(Delegation, Delegation.id == Company.delegation_id)
        .outerjoin(accepted_n, accepted_n.c.company_id == Company.id)
        .outerjoin(scheduled_n, scheduled_n.c.company_id == Company.id)
        .where(Company.active.is_(True)).order_by(Company.name))
    return [CompanyLoad(*row) for row in rows]


def unscheduled_meetings() -> list[UnscheduledMeeting]:
    """Accepted requests without a place on the agenda, each with the scheduler's reason.

    The reasons are the solver's own explanations: the current agenda is handed to it with every
    scheduled meeting locked in place, so it explains exactly what stops each remaining one. A meeting
    it could still place is waiting for the next scheduler run, and says so.
    """
    try:
        loaded = scheduling.load_instance()
    except ServiceError as exc:  # no slots or no tables yet: that is the reason for every one
        return [UnscheduledMeeting(r.id, r.requester.name, r.recipient.name, exc.message)
                for r in _accepted_without_meeting()]
    slot_index = {s.id: i for i, s in enumerate(loaded.slots)}
    table_index = {t.id: i for i, t in enumerate(loaded.tables)}
    on_agenda = {request_id: (slot_id, table_id) for request_id, slot_id, table_id in db.session.execute(
        select(ScheduledMeeting.request_id, ScheduledMeeting.slot_id, ScheduledMeeting.table_id))}
    placed = {rid: place for rid, place in on_agenda.items() if rid in loaded.requests}
    # Requests the scheduler leaves out (a side was deactivated), when the loader reports them.
    withdrawn = [UnscheduledMeeting(r.id, r.requester.name, r.recipient.name, _("the company was deactivated"))
                 for r in getattr(loaded, "withdrawn", []) if r.id not in on_agenda]
    waiting = [rid for rid in loaded.requests if rid not in placed]
    if not waiting:
        return withdrawn
    instance = dataclasses.replace(loaded.instance, locks=tuple(
        Lock(meeting_id=rid, slot=slot_index[s], table=table_index[t]) for rid, (s, t) in placed.items()))
    solution = solve(instance, time_limit=REASON_TIME_LIMIT)
    reasons = {u.meeting_id: scheduling.reason_text(u.reason) for u in solution.unplaced}
    room = _("there is room for it: run the scheduler to place it")
    return [UnscheduledMeeting(rid, loaded.requests[rid].requester.name, loaded.requests[rid].recipient.name,
                               reasons.get(rid, room)) for rid in waiting] + withdrawn


def _accepted_without_meeting() -> list[MeetingRequest]:
    return list(db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.status == RequestStatus.ACCEPTED,
                                     MeetingRequest.id.not_in(select(ScheduledMeeting.request_id)))
        .options(selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient))
        .order_by(MeetingRequest.id)))


def dashboard() -> Dashboard:
    # Pending requests past their time expire lazily, as on the delegates' pages, so the counts are current.
    expire_due()
    per_delegation = companies_per_delegation()
    requests = requests_by_status()
    accepted = dict(requests)[RequestStatus.ACCEPTED]
    scheduled = db.session.scalar(select(func.count()).select_from(_scheduled_accepted().subquery())) or 0
    loads = company_loads()
    busiest = sorted((c for c in loads if c.accepted), key=lambda c: (-c.accepted, -c.scheduled, c.name))[:TOP]
    # Least served: who the organizers should help find partners. Opted-out companies asked for none.
    least = sorted((c for c in loads if not c.opted_out), key=lambda c: (c.accepted, c.scheduled, c.name))[:TOP]
    forum = forum_for_request()
    return Dashboard(
        companies_total=sum(c.value for c in per_delegation),
        per_delegation=per_delegation,
        per_sector=companies_per_sector(),
        requests=requests,
        scheduled=scheduled,
        unscheduled=unscheduled_meetings() if accepted > scheduled else [],
        busiest=busiest,
        least_served=least,
        published=forum is not None and forum.agenda_published_at is not None,
        outcomes=outcome_service.outcome_totals(),
    )


# --- the forum report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportCompany:
    name: str
    city: str
    sectors: list[str]


@dataclass(frozen=True)
class DelegationSection:
    name: str
    country: str
    companies: list[ReportCompany]


@dataclass(frozen=True)
class HeldMeeting:
    starts_at: datetime
    table: int
    company_a: str
    delegation_a: str
    company_b: str
    delegation_b: str


@dataclass
class ForumReport:
    forum: Forum | None
    generated_at: datetime
    delegations: list[DelegationSection]
    per_sector: list[Count]
    # True once the agenda is published; before that the meetings below are a draft.
    published: bool
    meetings: list[HeldMeeting]
    # The outcome figures, and each meeting that led to an agreement (counted per meeting, see
    # outcomes.OutcomeTotals); until anything is recorded the template says "No outcomes recorded yet".
    outcome_totals: outcome_service.OutcomeTotals | None = None
    agreements: list[outcome_service.MeetingAgreement] = field(default_factory=list)
    # Sector × delegation: (sector label, one count per entry of ``delegations``), sectors with companies only.
    sector_matrix: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def companies_total(self) -> int:
        return sum(len(d.companies) for d in self.delegations)

    @property
    def cross_delegation_meetings(self) -> int:
        return sum(1 for m in self.meetings if m.delegation_a != m.delegation_b)


def forum_report() -> ForumReport:
    """Participating companies per delegation and sector, the meetings held, the outcomes recorded."""
    forum = forum_for_request()
    delegations = list(db.session.scalars(select(Delegation).order_by(Delegation.name)))
    companies = db.session.scalars(select(Company).where(Company.active.is_(True))
                                   .options(selectinload(Company.sectors)).order_by(Company.name))
    by_delegation: dict[int, list[ReportCompany]] = {d.id: [] for d in delegations}
    for c in companies:
        by_delegation.setdefault(c.delegation_id, []).append(
            ReportCompany(c.name, c.city, [s.name for s in c.sectors]))
    a, b = aliased(Company), aliased(Company)
    da, dbb = aliased(Delegation), aliased(Delegation)
    rows = db.session.execute(
        select(Slot.starts_at, VenueTable.number, a.name, da.name, b.name, dbb.name)
        .select_from(ScheduledMeeting)
        .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
        .join(Slot, Slot.id == ScheduledMeeting.slot_id)
        .join(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .join(a, a.id == MeetingRequest.requester_id).join(da, da.id == a.delegation_id)
        .join(b, b.id == MeetingRequest.recipient_id).join(dbb, dbb.id == b.delegation_id)
        .where(MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(Slot.starts_at, VenueTable.number))
    meetings = [HeldMeeting(*row) for row in rows]
    sections = [DelegationSection(d.name, d.country, by_delegation[d.id]) for d in delegations if by_delegation[d.id]]
    column = {d.id: i for i, d in enumerate(d for d in delegations if by_delegation[d.id])}
    matrix: dict[str, list[int]] = {}
    for key, label, delegation_id, n in db.session.execute(
            select(Sector.key, Sector.label, Company.delegation_id, func.count(Company.id))
            .join(company_sector, company_sector.c.sector_id == Sector.id)
            .join(Company, and_(Company.id == company_sector.c.company_id, Company.active.is_(True)))
            .group_by(Sector.id, Sector.key, Sector.label, Sector.position, Company.delegation_id)
            .order_by(Sector.position, Sector.label)):
        matrix.setdefault(sector_name(key, label), [0] * len(column))[column[delegation_id]] = n
    return ForumReport(
        forum=forum,
        generated_at=utcnow(),
        delegations=sections,
        per_sector=[c for c in companies_per_sector() if c.value],
        published=forum is not None and forum.agenda_published_at is not None,
        meetings=meetings,
        outcome_totals=outcome_service.outcome_totals(),
        agreements=outcome_service.agreements_by_meeting(),
        sector_matrix=list(matrix.items()),
    )
