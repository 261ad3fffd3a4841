"""The forum (event) this platform serves, and the figures its home page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, has_request_context
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import inspect, or_, select
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.models import Forum, ForumSession
from forum.services.errors import ServiceError


def forum_for_request() -> Forum | None:
    """The current forum; None when the database does not answer, so that even the error page can
    render."""
    try:
        return current_forum()
    except SQLAlchemyError:
        db.session.rollback()
        return None


def current_forum() -> Forum | None:
    """The forum being served: the platform runs one forum at a time.

    Read once per request: services, the base template and the time-zone selector all ask for it, and
    the row was read three times a page. The session's identity map keeps the object current (a commit
    expires it, and the next attribute read refreshes it); one that stopped being persistent (created in
    a transaction that was rolled back, or deleted) is looked up again.
    """
    if has_request_context():
        found = g.get("forum_row")
        if found is not None and inspect(found).persistent:
            return found
    forum = db.session.scalar(select(Forum).order_by(Forum.id).limit(1))
    if forum is not None and has_request_context():
        g.forum_row = forum
    return forum


def save_forum(name: str, city: str, venue: str, starts_on: date, ends_on: date,
               timezone: str = "Asia/Tashkent", description: str = "") -> Forum:
    """Create the forum or update the one that exists. Caller commits."""
    forum = current_forum()
    if forum is None:
        forum = Forum()
        db.session.add(forum)
    forum.name, forum.city, forum.venue = name, city, venue
    forum.starts_on, forum.ends_on = starts_on, ends_on
    forum.timezone, forum.description = timezone, description
    return forum


@dataclass(frozen=True)
class ForumDetails:
    name: str
    city: str
    venue: str
    starts_on: date
    ends_on: date
    timezone: str
    description: str = ""


def valid_zone(name: str) -> bool:
    """An IANA zone this machine knows ("Asia/Tashkent"); paths and typos are not."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def update_details(details: ForumDetails) -> Forum:
    """Save the forum's own details, refusing what would break the agenda; commits.

    The sessions' days are local dates in the forum's zone, so dates that exclude a session, or a new
    zone while sessions exist, would silently move or strand meetings: both are refused.
    """
    if not details.name.strip():
        raise ServiceError(_("Enter the forum's name."), field="name")
    if details.ends_on < details.starts_on:
        raise ServiceError(_("The forum ends (%(end)s) before it starts (%(start)s).",
                             end=details.ends_on.isoformat(), start=details.starts_on.isoformat()), field="ends_on")
    if not valid_zone(details.timezone):
        raise ServiceError(_("“%(zone)s” is not a known time zone; choose one such as Asia/Tashkent.",
                             zone=details.timezone), field="timezone")
    forum = current_forum()
    outside = list(db.session.scalars(
        select(ForumSession.day).where(or_(ForumSession.day < details.starts_on, ForumSession.day > details.ends_on))
        .distinct().order_by(ForumSession.day)))
    if outside:
        raise ServiceError(ngettext(
            "The agenda has a session on %(days)s, outside these dates: change the sessions on the agenda page "
            "first, or keep dates that include it.",
            "The agenda has sessions on %(days)s, outside these dates: change the sessions on the agenda page "
            "first, or keep dates that include them.", len(outside), days=", ".join(d.isoformat() for d in outside)),
            field="starts_on")
    if forum is not None and details.timezone != forum.timezone and db.session.scalar(
            select(ForumSession.id).limit(1)) is not None:
        raise ServiceError(_("The sessions are set in %(zone)s: changing the zone would move every meeting. Clear "
                             "the sessions on the agenda page first, or keep the zone.", zone=forum.timezone),
                           field="timezone")
    forum = save_forum(details.name.strip(), details.city, details.venue, details.starts_on, details.ends_on,
                       details.timezone, details.description)
    db.session.commit()
    return forum
