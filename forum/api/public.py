"""Public operations: the forum, its sectors and delegations. No token needed."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from pydantic import Field

from forum.api import bp
from forum.api.framework import Out, local_time, operation
from forum.api.schemas import DelegationOut, SectorOut, delegation_out, sector_out
from forum.services import taxonomy
from forum.services.errors import NotFound
from forum.services.forums import current_forum


class ForumOut(Out):
    name: str
    city: str
    venue: str
    starts_on: date
    ends_on: date
    timezone: str = Field(description="IANA time zone; every time in the API carries this zone's offset.")
    description: str
    slot_minutes: int = Field(description="Length of one meeting slot.")
    agenda_published: bool
    agenda_published_at: datetime | None


class SectorList(Out):
    items: list[SectorOut]


class DelegationList(Out):
    items: list[DelegationOut]


@operation(bp, "GET", "/forum", summary="The forum", tag="Forum", response=ForumOut, errors=[404])
def get_forum() -> ForumOut:
    """The event this platform serves: its name, dates, venue, time zone and whether the agenda is out."""
    forum = current_forum()
    if forum is None:
        raise NotFound(_("No forum has been set up yet."))
    return ForumOut(
        name=forum.name, city=forum.city, venue=forum.venue, starts_on=forum.starts_on, ends_on=forum.ends_on,
        timezone=forum.timezone, description=forum.description, slot_minutes=forum.slot_minutes,
        agenda_published=forum.agenda_published_at is not None,
        agenda_published_at=local_time(forum.agenda_published_at, forum.timezone),
    )


@operation(bp, "GET", "/sectors", summary="Sectors", tag="Forum", response=SectorList)
def list_sectors() -> SectorList:
    """The sector taxonomy, in the order the pages show it."""
    return SectorList(items=[sector_out(s) for s in taxonomy.all_sectors()])


@operation(bp, "GET", "/delegations", summary="Delegations", tag="Forum", response=DelegationList)
def list_delegations() -> DelegationList:
    """The regional delegations that come to the forum."""
    return DelegationList(items=[delegation_out(d) for d in taxonomy.all_delegations()])
