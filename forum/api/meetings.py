"""Participant operations: my company's meeting requests (ask, list, accept, decline, cancel) and my
published agenda. The same services as the Meetings and My agenda pages; "my" is the caller's company.

Another company's request or meeting answers 404, exactly like a missing one, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from flask import url_for
from pydantic import Field

from forum.api import bp
from forum.api.framework import (
    Body,
    Out,
    Page,
    PageQuery,
    actor,
    forum_zone,
    local_time,
    operation,
    own_company_id,
    page_of,
)
from forum.api.schemas import (
    CompanySummary,
    Contact,
    DelegationOut,
    Id,
    cleaned,
    company_summary,
    delegation_out,
)
from forum.models import (
    OPEN_STATUSES,
    Company,
    MeetingRequest,
    RequestStatus,
    SessionPreference,
    User,
)
from forum.models.meeting import MESSAGE_MAX
from forum.services import delegate_agenda, meetings
from forum.services.companies import MAX_ID
from forum.services.errors import NotFound, ServiceError

TAG_REQUESTS = "Meeting requests"
TAG_AGENDA = "My agenda"
Direction = Literal["incoming", "outgoing"]


# ---------------------------------------------------------------------------------------------------
# Meeting requests


class RequestCompany(Out):
    """One side of a request: enough to name it; the whole profile is at ``/companies/{id}``."""

    id: int
    name: str
    delegation: DelegationOut
    country: str


class MeetingRequestOut(Out):
    id: int
    from_company: RequestCompany = Field(description="The company that asked.")
    to_company: RequestCompany = Field(description="The company that was asked.")
    direction: Direction = Field(description="Seen from the caller's company: ``incoming`` was asked of it, "
                                             "``outgoing`` it asked.")
    status: RequestStatus = Field(description="``requested`` waits for an answer; ``accepted`` holds a meeting; "
                                              "``declined``, ``cancelled`` and ``expired`` are final.")
    status_label: str = Field(description="The status in words, in the caller's language.")
    message: str
    session: SessionPreference = Field(description="When the asking company would like to meet.")
    version: int = Field(description="Changes with every answer. Send it back with accept, decline or cancel "
                                     "to be refused (409) if someone answered in between.")
    created_at: datetime
    expires_at: datetime | None = Field(description="A waiting request expires unanswered at this time.")
    answered_at: datetime | None = Field(description="When it was accepted, declined or cancelled.")
    can_accept: bool = Field(description="The Meetings page offers Accept: an incoming request still waiting.")
    can_decline: bool = Field(description="The Meetings page offers Decline: an incoming request still waiting.")
    can_cancel: bool = Field(description="The Meetings page offers to withdraw (a waiting outgoing request) or "
                                         "to cancel (an accepted meeting).")


def _side(company: Company) -> RequestCompany:
    return RequestCompany(id=company.id, name=company.name, delegation=delegation_out(company.delegation),
                          country=company.country)


def request_out(request: MeetingRequest, company_id: int, zone: str) -> MeetingRequestOut:
    incoming = request.recipient_id == company_id
    waiting = request.status == RequestStatus.REQUESTED
    return MeetingRequestOut(
        id=request.id, from_company=_side(request.requester), to_company=_side(request.recipient),
        direction="incoming" if incoming else "outgoing", status=request.status,
        status_label=meetings.status_label(request.status), message=request.message or "",
        session=request.session_preference or SessionPreference.EITHER, version=request.version,
        created_at=local_time(request.created_at, zone), expires_at=local_time(request.expires_at, zone),
        answered_at=local_time(request.responded_at, zone),
        # The page's buttons: the one asked answers; otherwise an open request can be withdrawn or cancelled.
        can_accept=incoming and waiting, can_decline=incoming and waiting,
        can_cancel=request.status in OPEN_STATUSES and not (incoming and waiting),
    )


def _not_null(schema: dict) -> None:
    """A query parameter is absent or a string, never null: describe only the non-null branch (the model
    keeps ``X | None``, whose errors name the parameter alone)."""
    schema.pop("default", None)
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])


class RequestListQuery(PageQuery):
    direction: Direction | None = Field(
        None, json_schema_extra=_not_null,
        description="Only requests received (``incoming``) or sent (``outgoing``); both when left out.")
    status: RequestStatus | None = Field(None, json_schema_extra=_not_null,
                                         description="Only requests in this status.")


class MeetingRequestPage(Page[MeetingRequestOut]):
    pass


class MeetingRequestIn(Body):
    to_company_id: Id = Field(description="The company to meet (from the directory or my matches).")
    message: Annotated[str, Field(max_length=MESSAGE_MAX), cleaned(MESSAGE_MAX, multiline=True)] = Field(
        "", description="What you would like to discuss: it helps them say yes.")
    session: SessionPreference = Field(SessionPreference.EITHER, description="When you would like to meet.")


class AnswerIn(Body):
    version: int | None = Field(None, ge=1, le=MAX_ID, description="The request's ``version`` as you last read it. When "
                                                        "given and no longer current, nothing changes (409).")


@operation(bp, "GET", "/my/requests", summary="My meeting requests", tag=TAG_REQUESTS, auth="participant",
           query=RequestListQuery, response=MeetingRequestPage)
def list_my_requests(query: RequestListQuery) -> MeetingRequestPage:
    """Requests my company received and sent, newest first, as the Meetings page lists them. Requests
    past their expiry time show as ``expired``."""
    company_id = own_company_id()
    found = meetings.list_requests(actor(), company_id, direction=query.direction, status=query.status,
                                   page=query.page, per_page=query.per_page)
    zone = forum_zone()
    return MeetingRequestPage(**page_of([request_out(r, company_id, zone) for r in found.items],
                                        page=query.page, per_page=query.per_page, total=found.total))


@operation(bp, "POST", "/my/requests", summary="Request a meeting", tag=TAG_REQUESTS, auth="participant",
           body=MeetingRequestIn, response=MeetingRequestOut, status=201,
           links={"GetRequest": {"operationId": "get_my_request",
                                 "parameters": {"request_id": "$response.body#/id"}},
                  "AcceptRequest": {"operationId": "accept_my_request",
                                    "parameters": {"request_id": "$response.body#/id"}},
                  "DeclineRequest": {"operationId": "decline_my_request",
                                     "parameters": {"request_id": "$response.body#/id"}},
                  "CancelRequest": {"operationId": "cancel_my_request",
                                    "parameters": {"request_id": "$response.body#/id"}}},
           headers={"Location": "The new request's URL."})
def create_my_request(body: MeetingRequestIn) -> tuple[MeetingRequestOut, dict[str, str]]:
    """Ask another company for a meeting; its people are notified. The answer's ``Location`` names the new
    request. Refused with 409 when the company is my own, is not taking part in matchmaking, when an open
    request between the two companies exists, or when the organizers' limits are reached; with 422 when
    ``to_company_id`` names no company."""
    company_id = own_company_id()
    try:
        created = meetings.request_meeting(actor(), company_id, body.to_company_id, body.message, body.session)
    except NotFound as error:
        # The missing company is named by the body, not by the URL: a field error, not "no such resource".
        raise ServiceError(error.message, field="to_company_id") from None
    return (request_out(created, company_id, forum_zone()),
            {"Location": url_for("api.get_my_request", request_id=created.id)})


@operation(bp, "GET", "/my/requests/<int:request_id>", summary="One of my meeting requests", tag=TAG_REQUESTS,
           auth="participant", response=MeetingRequestOut)
def get_my_request(request_id: int) -> MeetingRequestOut:
    """A request my company asked or was asked. Other companies' requests are 404."""
    company_id = own_company_id()
    return request_out(meetings.request_of(actor(), company_id, request_id), company_id, forum_zone())


def _answer(request_id: int, body: AnswerIn,
            action: Callable[[User, int, int | None], MeetingRequest]) -> MeetingRequestOut:
    company_id = own_company_id()
    # Not a party: 404 like a missing request, before the service would say 403.
    meetings.request_of(actor(), company_id, request_id)
    answered = action(actor(), request_id, body.version)
    return request_out(answered, company_id, forum_zone())


@operation(bp, "POST", "/my/requests/<int:request_id>/accept", summary="Accept a meeting request",
           tag=TAG_REQUESTS, auth="participant", body=AnswerIn, body_required=False, response=MeetingRequestOut)
def accept_my_request(request_id: int, body: AnswerIn) -> MeetingRequestOut:
    """Accept a request my company was asked; the asking company is notified. 403 for my own outgoing
    request (only the company asked can answer); 409 when it is no longer waiting, when ``version`` is
    stale, or when either company already has the most accepted meetings the organizers allow."""
    return _answer(request_id, body, meetings.accept)


@operation(bp, "POST", "/my/requests/<int:request_id>/decline", summary="Decline a meeting request",
           tag=TAG_REQUESTS, auth="participant", body=AnswerIn, body_required=False, response=MeetingRequestOut)
def decline_my_request(request_id: int, body: AnswerIn) -> MeetingRequestOut:
    """Decline a request my company was asked; the asking company is notified. 403 for my own outgoing
    request; 409 when it is no longer waiting or ``version`` is stale."""
    return _answer(request_id, body, meetings.decline)


@operation(bp, "POST", "/my/requests/<int:request_id>/cancel", summary="Withdraw a request or cancel a meeting",
           tag=TAG_REQUESTS, auth="participant", body=AnswerIn, body_required=False, response=MeetingRequestOut)
def cancel_my_request(request_id: int, body: AnswerIn) -> MeetingRequestOut:
    """Withdraw a waiting request or cancel an accepted meeting, from either side; the other company is
    notified, and a cancelled meeting leaves the agenda. 409 when it is already declined, cancelled or
    expired, or ``version`` is stale."""
    return _answer(request_id, body, meetings.cancel)


# ---------------------------------------------------------------------------------------------------
# My agenda


class MyAgendaMeetingOut(Out):
    request_id: int = Field(description="The accepted request this meeting comes from: stable across "
                                        "scheduler runs.")
    day: date = Field(description="The local date.")
    starts_at: datetime
    ends_at: datetime
    table: int = Field(description="The table number at the venue.")
    partner: CompanySummary
    why: str = Field(description="The strongest reason the two companies matched, in one line; empty when "
                                 "the matchmaking did not suggest them.")
    requested_by_us: bool = Field(description="My company asked for this meeting.")


class MyAgendaOut(Out):
    """My company's meetings on the published agenda. Before the organizers publish it, ``published`` is
    false and ``meetings`` empty: a script may poll until it turns true."""

    published: bool
    timezone: str = Field(description="IANA time zone of every time here.")
    meetings: list[MyAgendaMeetingOut] = Field(description="In time order.")
    # No "generated at" time in the body: it would change the ETag on every call, and phones on venue
    # Wi-Fi should get 304 while nothing changed. The answer's Date header says when it was made.
    now_request_id: int | None = Field(description="The meeting running when the answer was made (its Date "
                                                    "header), if any.")
    next_request_id: int | None = Field(description="The first meeting starting after that moment.")


class MyAgendaMeetingDetailOut(MyAgendaMeetingOut):
    partner_delegates: list[str] = Field(description="Names of the partner's people who can come to the table.")
    contact: Contact = Field(description="The partner's contact person; fields are empty when not given.")
    message: str = Field(description="The message sent with the request (by whichever side asked).")
    reasons: list[str] = Field(description="Why the two companies matched, strongest first.")
    score: float | None = Field(description="The match score; null when neither was suggested to the other.")


def _meeting_fields(meeting: delegate_agenda.AgendaMeeting, zone: str) -> dict:
    return {"request_id": meeting.request_id, "day": meeting.day, "starts_at": local_time(meeting.starts_at, zone),
            "ends_at": local_time(meeting.ends_at, zone), "table": meeting.table,
            "partner": company_summary(meeting.partner), "why": meeting.why,
            "requested_by_us": meeting.requested_by_us}


@operation(bp, "GET", "/my/agenda", summary="My agenda", tag=TAG_AGENDA, auth="participant", response=MyAgendaOut)
def get_my_agenda() -> MyAgendaOut:
    """My company's meetings with time and table, once the organizers publish the agenda."""
    view = delegate_agenda.agenda_for(actor(), own_company_id())
    if view is None:
        return MyAgendaOut(published=False, timezone=forum_zone(), meetings=[], now_request_id=None,
                           next_request_id=None)
    zone = view.timezone
    return MyAgendaOut(
        published=True, timezone=zone,
        meetings=[MyAgendaMeetingOut(**_meeting_fields(m, zone)) for m in view.meetings],
        now_request_id=view.now.request_id if view.now else None,
        next_request_id=view.next.request_id if view.next else None,
    )


@operation(bp, "GET", "/my/agenda/<int:request_id>", summary="One meeting on my agenda", tag=TAG_AGENDA,
           auth="participant", response=MyAgendaMeetingDetailOut)
def get_my_agenda_meeting(request_id: int) -> MyAgendaMeetingDetailOut:
    """One meeting of my published agenda, with the partner's people and contact, the request's message and
    why the two companies matched. 404 when it is not on my published agenda (or nothing is published)."""
    meeting = delegate_agenda.load_meeting(actor(), own_company_id(), request_id)
    partner = meeting.partner
    return MyAgendaMeetingDetailOut(
        **_meeting_fields(meeting, forum_zone()),
        partner_delegates=[u.full_name or u.email for u in meeting.partner_delegates],
        # Shown to accepted partners, and every meeting on an agenda is accepted.
        contact=Contact(name=partner.contact_name, email=partner.contact_email, phone=partner.contact_phone),
        message=meeting.message, reasons=[r for r in meeting.reasons if r], score=meeting.score,
    )
