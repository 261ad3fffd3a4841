"""Organizer operations: the company list, adding and changing companies, the scheduler's dry run, the
agenda (read, move, lock, publish) and the exports. Organizers only; the same services as the pages under
/organizer/, so a script and the agenda builder refuse the same changes with the same words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask import Response, url_for
from flask_babel import gettext as _
from pydantic import Field

from forum.api import bp
from forum.api.framework import (
    Body,
    Out,
    Page,
    PageQuery,
    Query,
    actor,
    forum_zone,
    local_time,
    operation,
    page_of,
)
from forum.api.schemas import (
    CompanyOut,
    CompanyPatch,
    CompanyProfileIn,
    DelegationOut,
    Id,
    company_out,
    delegation_out,
)
from forum.models import AgendaChange, Company, MeetingRequest
from forum.organizer.exports import download
from forum.services import agenda_builder, companies, company_admin, exports, scheduling
from forum.services.errors import NotFound

TAG = "Organizer"
SEED_MAX = 2**31 - 1  # the database's integer range: a larger seed or version is refused
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------------
# Companies

class CompanyCountsOut(Out):
    delegates: int = Field(description="Accounts of the company's people.")
    requests: int = Field(description="Meeting requests it sent or received, in any state.")
    meetings: int = Field(description="Accepted meetings.")


class OrganizerCompanyOut(CompanyOut):
    """A company as the organizers' list shows it: the whole profile with its contact, whether it is
    active, and its counts."""

    active: bool = Field(description="False once deactivated: out of the directory, the matches and the "
                                     "scheduler; its requests and meetings stay for the record.")
    counts: CompanyCountsOut


class OrganizerCompanyPage(Page[OrganizerCompanyOut]):
    """A page of the organizers' company list."""


class OrganizerCompanyQuery(PageQuery):
    q: str = Field("", max_length=200, description="Words that must all appear in the profile.")
    delegation_id: Id | None = Field(None, description="Only this delegation's companies.")
    sector_id: Id | None = Field(None, description="Only companies in this sector.")
    status: Literal["", "active", "deactivated", "opted_out"] = Field(
        "", description="``active``: active and taking part in matchmaking; ``deactivated``; ``opted_out``: "
                        "listed but not in matchmaking. Empty: every company.")
    per_page: int = Field(50, ge=1, le=100, description="Items per page, at most 100 (the page shows 50).")


class OrganizerCompanyPatch(CompanyPatch):
    """Only the fields to change. ``active`` deactivates (``false``) or reactivates (``true``) the company;
    the profile fields are those of the company's own edit form."""

    active: bool | None = None

    def profile_patch(self) -> CompanyPatch | None:
        """The profile part of the patch, or None when only ``active`` is given."""
        fields = self.model_fields_set - {"active"}
        return CompanyPatch.model_validate(self.model_dump(include=fields)) if fields else None


def _organizer_company(company: Company, counts: company_admin.CompanyCounts | None) -> OrganizerCompanyOut:
    counts = counts or company_admin.CompanyCounts()
    return OrganizerCompanyOut(
        **company_out(company, show_contact=True, zone=forum_zone()).model_dump(), active=company.active,
        counts=CompanyCountsOut(delegates=counts.delegates, requests=counts.requests, meetings=counts.meetings))


def _one_company(company: Company) -> OrganizerCompanyOut:
    # The list's own counts, for one company: the same figures as its row in the list.
    return _organizer_company(company, company_admin.company_counts([company.id]).get(company.id))


@operation(bp, "GET", "/organizer/companies", summary="Companies (organizers)", tag=TAG, auth="organizer",
           query=OrganizerCompanyQuery, response=OrganizerCompanyPage)
def organizer_list_companies(query: OrganizerCompanyQuery) -> OrganizerCompanyPage:
    """Every company, deactivated and opted out too, by name, with the filters of the organizers' company
    page and its counts of delegates, requests and accepted meetings."""
    listing = company_admin.list_companies(company_admin.CompanyListQuery(
        text=query.q, delegation_id=query.delegation_id, sector_id=query.sector_id, status=query.status,
        page=query.page), query.per_page)
    items = [_organizer_company(c, listing.counts.get(c.id)) for c in listing.page.items]
    return OrganizerCompanyPage(**page_of(items, page=query.page, per_page=query.per_page,
                                          total=listing.page.total or 0))


@operation(bp, "GET", "/organizer/companies/<int:company_id>", summary="A company (organizers)", tag=TAG,
           auth="organizer", response=OrganizerCompanyOut)
def organizer_get_company(company_id: int) -> OrganizerCompanyOut:
    """One company as the organizers' list shows it, deactivated ones included."""
    return _one_company(companies.get_company(company_id))


_UPDATE_LINK = {"operationId": "organizer_update_company", "parameters": {"company_id": "$response.body#/id"},
                "description": "Change the company just registered."}
_GET_LINK = {"operationId": "organizer_get_company", "parameters": {"company_id": "$response.body#/id"},
             "description": "Read the company just registered."}


@operation(bp, "POST", "/organizer/companies", summary="Register a company", tag=TAG, auth="organizer",
           body=CompanyProfileIn, response=CompanyOut, status=201,
           headers={"Location": "The new company's URL in this API."},
           links={"UpdateCompany": _UPDATE_LINK, "GetCompany": _GET_LINK})
def organizer_create_company(body: CompanyProfileIn) -> tuple[CompanyOut, dict[str, str]]:
    """Register a company on behalf of its delegation, before any of its people has an account, as the
    organizers' "Add a company" form does. A name already registered in the delegation is refused (422 on
    ``name``)."""
    company = company_admin.create_company(actor(), body.to_profile())
    location = url_for("api.organizer_get_company", company_id=company.id, _external=True)
    return company_out(company, show_contact=True, zone=forum_zone()), {"Location": location}


@operation(bp, "PATCH", "/organizer/companies/<int:company_id>", summary="Change a company", tag=TAG,
           auth="organizer", body=OrganizerCompanyPatch, response=OrganizerCompanyOut,
           links={"GetCompany": {"operationId": "organizer_get_company",
                                 "parameters": {"company_id": "$request.path.company_id"}}})
def organizer_update_company(company_id: int, body: OrganizerCompanyPatch) -> OrganizerCompanyOut:
    """Change some fields of a company's profile, and/or deactivate or reactivate it (``active``). The
    patched profile must still be a whole profile. All or nothing: both changes are saved in one
    transaction."""
    company = companies.get_company(company_id)
    patch = body.profile_patch()
    # Validated as a whole profile before any write.
    profile = patch.merged(company).to_profile() if patch is not None else None
    company = company_admin.change_company(actor(), company.id, profile, body.active)
    return _one_company(company)


# ---------------------------------------------------------------------------------------------------
# The scheduler's dry run

class ScheduleDryRunIn(Body):
    time_limit: float = Field(5.0, ge=0.5, le=60, description="Seconds the solver may search, 0.5 to 60.")
    seed: int = Field(0, ge=0, le=SEED_MAX, description="The solver's random seed: the same seed on the same "
                                                         "data gives the same agenda.")


class MeetingCompanyOut(Out):
    id: int
    name: str


class UnplacedMeetingOut(Out):
    request_id: int
    companies: list[MeetingCompanyOut] = Field(description="The requester, then the recipient.")
    reason: str = Field(description="Why it was not placed, in the reader's language.")


class ScheduleReportOut(Out):
    dry_run: bool = Field(description="Always true here: nothing was saved.")
    placed: int = Field(description="Meetings the scheduler placed.")
    unplaced: list[UnplacedMeetingOut]
    breaks_total: int = Field(description="Runs of idle slots between two of a company's meetings, summed "
                                          "over the companies.")
    fairness_spread: int = Field(description="The most breaks any company has minus the fewest.")
    seconds: float = Field(description="How long the solver ran.")


def _refs(request: MeetingRequest) -> list[MeetingCompanyOut]:
    return [MeetingCompanyOut(id=c.id, name=c.name) for c in (request.requester, request.recipient)]


@operation(bp, "POST", "/organizer/schedule/dry-run", summary="Scheduler dry run", tag=TAG, auth="organizer",
           body=ScheduleDryRunIn, body_required=False, response=ScheduleReportOut)
def organizer_schedule_dry_run(body: ScheduleDryRunIn) -> ScheduleReportOut:
    """Run the scheduler on the accepted meetings as they are now and report what it would do: how many it
    places, which it cannot place and why, and the breaks. Nothing is saved: the agenda, its version and
    its history stay as they are. Locked meetings keep their place, as in a real run. Refused (409) when the
    forum has no slots or tables yet."""
    report = scheduling.schedule(dry_run=True, time_limit=body.time_limit, seed=body.seed)
    return ScheduleReportOut(
        dry_run=report.dry_run, placed=report.placed,
        unplaced=[UnplacedMeetingOut(request_id=u.request.id, companies=_refs(u.request), reason=u.reason)
                  for u in report.unplaced],
        breaks_total=report.breaks_total, fairness_spread=report.fairness_spread, seconds=round(report.seconds, 3))


# ---------------------------------------------------------------------------------------------------
# The agenda

class AgendaSlotOut(Out):
    id: int
    session_id: int
    day: date = Field(description="The local date of the slot's session.")
    starts_at: datetime
    ends_at: datetime


class AgendaTableOut(Out):
    id: int
    number: int
    reserved_for: DelegationOut | None = Field(description="The delegation whose meetings only it takes.")


class PlacedMeetingOut(Out):
    request_id: int
    slot_id: int
    table_id: int
    locked: bool = Field(description="A locked meeting keeps its place when the scheduler runs again.")
    companies: list[MeetingCompanyOut] = Field(description="The requester, then the recipient.")


class UnplacedAgendaMeetingOut(Out):
    request_id: int
    companies: list[MeetingCompanyOut]
    reason: str = Field(description="Why the latest scheduler run left it out, in the reader's language.")


class OrganizerAgendaOut(Out):
    version: int = Field(description="Grows with every change; send it back with a change so that it is "
                                     "refused (409) if someone else changed the agenda since you read it.")
    published: bool
    published_at: datetime | None
    slots: list[AgendaSlotOut]
    tables: list[AgendaTableOut]
    meetings: list[PlacedMeetingOut] = Field(description="By slot, then table.")
    unplaced: list[UnplacedAgendaMeetingOut] = Field(description="Accepted meetings not on the agenda.")


@operation(bp, "GET", "/organizer/agenda", summary="The agenda (organizers)", tag=TAG, auth="organizer",
           response=OrganizerAgendaOut, errors=[409])
def organizer_agenda() -> OrganizerAgendaOut:
    """The whole agenda as the agenda builder shows it, published or not: every slot and table, every
    placed meeting with its cell, and the accepted meetings not placed. ``version`` is the optimistic lock
    the changes below take. Refused (409) while no forum has been set up."""
    grid = agenda_builder.grid()  # slots, tables, the unplaced and their reasons: as the builder shows them
    zone = forum_zone()
    session_days = {s.id: s.day for s in grid.sessions}
    return OrganizerAgendaOut(
        version=grid.version, published=grid.published_at is not None,
        published_at=local_time(grid.published_at, zone),
        slots=[AgendaSlotOut(id=s.id, session_id=s.session_id, day=session_days[s.session_id],
                             starts_at=local_time(s.starts_at, zone), ends_at=local_time(s.ends_at, zone))
               for s in grid.all_slots],
        tables=[AgendaTableOut(id=t.id, number=t.number,
                               reserved_for=delegation_out(t.reserved_for) if t.reserved_for else None)
                for t in grid.tables],
        meetings=[PlacedMeetingOut(request_id=m.request.id, slot_id=m.slot_id, table_id=m.table_id,
                                   locked=m.locked, companies=_refs(m.request))
                  for m in agenda_builder.placed_meetings()],
        unplaced=[UnplacedAgendaMeetingOut(request_id=row.request.id, companies=_refs(row.request),
                                           reason=row.reason) for row in grid.unplaced],
    )


Version = Annotated[int | None, Field(ge=0, le=SEED_MAX, description=(
    "The agenda version you read (``version`` of GET /organizer/agenda). When given, the change is refused "
    "(409) if the agenda changed since. Leave it out to apply the change to the agenda as it is now."))]


class MoveMeetingIn(Body):
    slot_id: Id
    table_id: Id
    version: Version = None


class LockMeetingIn(Body):
    locked: bool = Field(description="true: lock the meeting in its cell; false: unlock it.")
    version: Version = None


class PublishAgendaIn(Body):
    version: Version = None


class AgendaChangeOut(Out):
    version: int = Field(description="The agenda's version after this change.")
    description: str = Field(description="The change as the builder's history words it.")


def _change_out(change: AgendaChange) -> AgendaChangeOut:
    return AgendaChangeOut(version=change.version, description=agenda_builder.describe_change(change))


_CHANGE = ("Refused with 409 when the version is stale, the cell is taken, one of the companies already "
           "has a meeting in that slot or is unavailable, or the change breaks another agenda rule; 404 "
           "when the request is not an accepted meeting. Once the agenda is published, both companies of a "
           "moved meeting are told, in the app and by e-mail.")


@operation(bp, "POST", "/organizer/agenda/meetings/<int:request_id>/move", summary="Move a meeting", tag=TAG,
           auth="organizer", body=MoveMeetingIn, response=AgendaChangeOut, conflicts=True,
           description="Put an accepted meeting (placed or not) in a free cell: a slot and a table. "
                       "A locked meeting must be unlocked first. " + _CHANGE)
def organizer_move_meeting(request_id: int, body: MoveMeetingIn) -> AgendaChangeOut:
    return _change_out(agenda_builder.move(actor(), request_id, body.slot_id, body.table_id, body.version))


@operation(bp, "POST", "/organizer/agenda/meetings/<int:request_id>/lock", summary="Lock or unlock a meeting",
           tag=TAG, auth="organizer", body=LockMeetingIn, response=AgendaChangeOut, conflicts=True,
           description="Lock a placed meeting where it is (the scheduler keeps it there), or unlock it. "
                       "Refused with 409 when the meeting is not placed, already in that state, or the "
                       "version is stale; 404 when the request is not an accepted meeting.")
def organizer_lock_meeting(request_id: int, body: LockMeetingIn) -> AgendaChangeOut:
    return _change_out(agenda_builder.set_locked(actor(), request_id, body.locked, body.version))


@operation(bp, "POST", "/organizer/agenda/publish", summary="Publish the agenda", tag=TAG, auth="organizer",
           body=PublishAgendaIn, body_required=False, response=AgendaChangeOut,
           conflicts=True)
def organizer_publish_agenda(body: PublishAgendaIn) -> AgendaChangeOut:
    """Show the agenda to the participants. The first time, every company is told of each of its meetings;
    from then on every change is announced to the companies concerned. Publishing again records the new
    time. The body is optional. Refused (409) when the agenda is empty or the version is stale."""
    return _change_out(agenda_builder.publish(actor(), body.version))


# ---------------------------------------------------------------------------------------------------
# Exports

class ExportQuery(Query):
    format: Literal["json", "csv", "xlsx"] = Field(
        "json", description="``json``: columns and rows; ``csv`` (UTF-8 with BOM) or ``xlsx``: the file the "
                            "organizers' exports page gives.")


class ExportTableOut(Out):
    columns: list[str] = Field(description="The header row, in the reader's language.")
    rows: list[list[str]] = Field(description="The values as they are; the CSV and XLSX files neutralise "
                                              "cells a spreadsheet would take for a formula.")


_EXPORTS = {"agenda": exports.agenda_rows, "companies": exports.company_rows}


@operation(bp, "GET", "/organizer/exports/<name>", summary="Export the agenda or the companies", tag=TAG,
           auth="organizer", query=ExportQuery, response=ExportTableOut,
           files={"text/csv": "The CSV file of the exports page (UTF-8 with a byte-order mark).",
                  _XLSX: "The Excel workbook of the exports page."})
def organizer_export(name: str, query: ExportQuery) -> ExportTableOut | Response:
    """``agenda``: every scheduled meeting (date, time, table, both companies, their delegations and
    delegates); ``companies``: the active companies in the columns ``flask import-companies`` reads back.
    Any other name: 404."""
    rows_of = _EXPORTS.get(name)
    if rows_of is None:
        raise NotFound(_("There is no such export: choose agenda or companies."))
    rows = rows_of()
    if query.format == "json":
        return ExportTableOut(columns=rows[0], rows=rows[1:])
    forum_name, zone = exports.forum_name_and_zone()
    return download(rows, name, query.format, forum_name, zone)
