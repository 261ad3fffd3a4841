"""The delegate's agenda in a calendar app: a one-off ``.ics`` download, and a private subscription URL
that the phone's calendar fetches again by itself, so that a moved meeting moves on the phone too.

The file is built with the icalendar package. Times are written in the forum's zone (``TZID``) with a
``VTIMEZONE`` generated from the IANA database, so a phone set to another zone still shows the right
instant. Each meeting's UID is keyed on its request id (scheduled rows are re-created by scheduler runs)
and its ``SEQUENCE`` is ``MeetingRequest.agenda_sequence``, bumped by the agenda builder on every
published change, so that calendars replace the old event instead of keeping both.

A subscription token is ``"<feed id>.<HMAC-SHA256 of the id and the row's nonce under SECRET_KEY>"``:
the database alone cannot rebuild it, yet its owner can be shown it again at any time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration
from sqlalchemy import select, update

from forum.extensions import db
from forum.i18n import writing_to
from forum.models import Company, Forum, User, utcnow
from forum.models.outcome import CalendarFeed
from forum.services import delegate_agenda
from forum.services.companies import MAX_ID
from forum.services.delegate_agenda import AgendaMeeting
from forum.services.errors import NotFound, ServiceError
from forum.services.forums import current_forum

PRODID = "-//Forum B2B matchmaking//Delegate agenda//EN"
# How often a subscribed calendar should look again (RFC 7986, and Apple's and Outlook's older names).
REFRESH_INTERVAL = timedelta(hours=1)
# The subscription answer may be reused for this long: a phone that polls often costs one query a while.
FEED_MAX_AGE = 300


class FeedRevoked(ServiceError):
    """A genuine calendar link whose owner turned it off: answered with 410 and no owner details."""


# --- the meetings in a calendar ------------------------------------------------------------------------


def published_meetings(actor: User, company_id: int) -> list[AgendaMeeting] | None:
    """The company's meetings on the published agenda, in time order, as the actor may see them (the
    agenda pages' own loader: a fixed number of queries); None while the agenda is unpublished."""
    view = delegate_agenda.agenda_for(actor, company_id)
    return view.meetings if view is not None else None


# Where the calendar takes its meetings from: (actor, company id) -> meetings, so that tests or another
# caller can hand in a different source without touching the file's layout.
MeetingSource = Callable[[User, int], list[AgendaMeeting] | None]


def _forum() -> Forum:
    forum = db.session.scalar(select(Forum).order_by(Forum.id).limit(1))
    if forum is None:
        raise NotFound(_("The forum has not been set up yet."))
    return forum


def _uid_domain() -> str:
    """The right-hand side of every UID: the configured server name, else a constant. Never the Host
    header: a download through one name and a subscription through another must give the same UIDs,
    or the phone shows every meeting twice."""
    name = current_app.config.get("SERVER_NAME")
    try:
        host = urlsplit(f"//{name}").hostname if name else None
    except ValueError:
        host = None
    return host or "forum.local"


def meeting_uid(request_id: int) -> str:
    return f"meeting-{request_id}@{_uid_domain()}"


def link_scheme() -> str:
    """The scheme of the links we hand out (calendar links, meeting passes). Behind a proxy that ends TLS
    the request itself looks like plain http: PREFERRED_URL_SCHEME = "https" wins then, so a phone never
    gets an http link."""
    secure = has_request_context() and request.is_secure
    return "https" if secure or current_app.config["PREFERRED_URL_SCHEME"] == "https" else "http"


def _meeting_url(company_id: int, request_id: int) -> str:
    return url_for("agenda.meeting", company_id=company_id, request_id=request_id, _external=True,
                   _scheme=link_scheme())


def _description(meeting: AgendaMeeting, link: str) -> str:
    partner = meeting.partner
    lines = [_("Partner: %(company)s", company=partner.name)]
    delegates = [u.full_name or u.email for u in meeting.partner_delegates]
    if delegates:
        lines.append(_("Delegates: %(names)s", names=", ".join(delegates)))
    contact = ", ".join(v for v in (partner.contact_name, partner.contact_email, partner.contact_phone) if v)
    if contact:
        lines.append(_("Contact: %(contact)s", contact=contact))
    if meeting.message.strip():
        lines.append(_("Message: %(message)s", message=meeting.message.strip()))
    lines.append(_("Details: %(url)s", url=link))
    return "\n".join(lines)


def _timezone_component(zone: str, forum: Forum) -> Timezone:
    # Only the years around the forum: a zone's whole history would bloat every fetch for nothing.
    first, last = date(forum.starts_on.year - 1, 1, 1), date(forum.ends_on.year + 2, 1, 1)
    return Timezone.from_tzid(zone, first_date=first, last_date=last)


def agenda_ics(company_id: int, *, actor: User, now: datetime | None = None,
               source: MeetingSource = published_meetings) -> bytes:
    """The company's published agenda as an iCalendar file, read as ``actor`` (PermissionDenied unless
    one of its people or an organizer). Before publishing, a valid calendar with no events: a
    subscription made early keeps working and fills in when the agenda appears."""
    forum = _forum()
    company = delegate_agenda.company_for(actor, company_id)
    zone_name = forum.timezone or current_app.config["TIMEZONE"]
    zone = ZoneInfo(zone_name)
    stamp = now or utcnow()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    title = f"{forum.name} — {company.name}"
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", zone_name)
    cal.refresh_interval = REFRESH_INTERVAL
    cal.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    cal.add_component(_timezone_component(zone_name, forum))
    for meeting in source(actor, company.id) or []:
        link = _meeting_url(company_id, meeting.request_id)
        event = Event()
        event.add("uid", meeting_uid(meeting.request_id))
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(zone))
        event.add("dtend", meeting.ends_at.astimezone(zone))
        event.add("summary", _("Meeting: %(company)s", company=meeting.partner.name))
        event.add("location", _("Table %(number)d", number=meeting.table))
        event.add("description", _description(meeting, link))
        event.add("url", link)
        event.add("sequence", meeting.sequence)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def download_filename(company: Company) -> str:
    """"agenda-<company>.ics"; a name with no Latin letters (Cyrillic) falls back to the company id."""
    return f"agenda-{_slug(company.name) or f'company-{company.id}'}.ics"


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    content: bytes


def download(actor: User, company_id: int, now: datetime | None = None) -> CalendarFile:
    """The .ics file for a company's own people and organizers (PermissionDenied otherwise)."""
    company = delegate_agenda.company_for(actor, company_id)
    return CalendarFile(download_filename(company), agenda_ics(company.id, actor=actor, now=now))


# --- subscriptions ----------------------------------------------------------------------------------------


def _signature(feed: CalendarFeed) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"calendar-feed:{feed.id}:{feed.nonce}".encode(), hashlib.sha256).digest()
    # 43 URL-safe characters: short enough to paste, the whole 256 bits kept.
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_token(feed: CalendarFeed) -> str:
    return f"{feed.id}.{_signature(feed)}"


def _feed_for_token(token: str) -> CalendarFeed:
    """The feed a token names, or NotFound for anything forged, mangled or unknown (all alike)."""
    feed_id, _dot, signature = token.partition(".")
    if not (feed_id.isascii() and feed_id.isdigit() and 0 < int(feed_id) <= MAX_ID and signature):
        raise NotFound(_("There is no such calendar."))
    feed = db.session.get(CalendarFeed, int(feed_id))
    # Bytes on both sides: compare_digest refuses non-ASCII text, and a URL may carry any.
    if feed is None or not hmac.compare_digest(_signature(feed).encode(), signature.encode("utf-8", "replace")):
        raise NotFound(_("There is no such calendar."))
    return feed


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                        CalendarFeed.revoked_at.is_(None))
                             .order_by(CalendarFeed.id.desc()).limit(1))


def _require_company(actor: User) -> None:
    # The link serves its owner's company: an account without one (an organizer) has nothing to serve.
    if actor.company_id is None:
        raise ServiceError(_("Organizer accounts have no agenda of their own, so they have no calendar link."))


def subscribe(actor: User, now: datetime | None = None) -> tuple[CalendarFeed, bool]:
    """A new private calendar link for the actor; an existing one is turned off in the same transaction
    (a link that leaked is replaced, not added to). Returns the feed and whether an old one was revoked."""
    _require_company(actor)
    now = now or utcnow()
    try:
        result = db.session.execute(update(CalendarFeed)
                                    .where(CalendarFeed.user_id == actor.id, CalendarFeed.revoked_at.is_(None))
                                    .values(revoked_at=now).execution_options(synchronize_session=False))
        feed = CalendarFeed(user_id=actor.id, nonce=secrets.token_urlsafe(32), created_at=now)
        db.session.add(feed)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return feed, bool(result.rowcount)


def revoke(actor: User, now: datetime | None = None) -> int:
    """Turn off the actor's calendar links; how many were on (0: nothing to do, nothing changed)."""
    try:
        result = db.session.execute(update(CalendarFeed)
                                    .where(CalendarFeed.user_id == actor.id, CalendarFeed.revoked_at.is_(None))
                                    .values(revoked_at=now or utcnow()).execution_options(synchronize_session=False))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result.rowcount or 0


def feed_calendar(token: str, now: datetime | None = None) -> bytes:
    """What a phone's calendar gets for a subscription URL. A revoked link raises FeedRevoked; a forged
    one, or one whose owner was disabled or no longer belongs to a company, raises NotFound."""
    feed = _feed_for_token(token)
    if feed.revoked_at is not None:
        raise FeedRevoked(_("This calendar link was turned off. Open My agenda to get a new one."))
    owner = db.session.get(User, feed.user_id)
    if owner is None or not owner.active or owner.company_id is None:
        raise NotFound(_("There is no such calendar."))
    company = db.session.get(Company, owner.company_id)
    if company is None or not company.active:
        raise NotFound(_("There is no such calendar."))
    now = now or utcnow()
    # The calendar app sends no session: the words are in the owner's saved language, else in the one
    # the app asks for.
    with writing_to(owner, fallback=str(get_locale())):
        content = agenda_ics(company.id, actor=owner, now=now)
    feed.last_fetched_at = now
    db.session.commit()
    return content


# --- the card on My agenda --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    https_url: str
    webcal_url: str
    created_at: datetime
    last_fetched_at: datetime | None


@dataclass(frozen=True)
class CalendarCard:
    download_url: str
    # Only the company's own delegate has a link; an organizer looking at a company downloads only.
    can_subscribe: bool
    subscription: Subscription | None
    subscribe_url: str
    revoke_url: str
    published: bool
    timezone: str  # the forum's zone, which the file's times are written in


def subscription_urls(feed: CalendarFeed) -> tuple[str, str]:
    """The https link (honouring PREFERRED_URL_SCHEME) and its webcal:// twin, which phones open in
    their calendar app."""
    https_url = url_for("agenda.calendar_feed", token=feed_token(feed), _external=True, _scheme=link_scheme())
    webcal_url = "webcal://" + https_url.split("://", 1)[1]
    return https_url, webcal_url


def page_context(actor: User, company_id: int) -> dict:
    """The context of templates/agenda/_calendar.html for "My agenda" (PermissionDenied / NotFound)."""
    company = delegate_agenda.company_for(actor, company_id)
    can_subscribe = actor.company_id == company.id
    subscription = None
    feed = active_feed(actor) if can_subscribe else None
    if feed is not None:
        https_url, webcal_url = subscription_urls(feed)
        subscription = Subscription(https_url, webcal_url, feed.created_at, feed.last_fetched_at)
    forum = current_forum()
    card = CalendarCard(
        download_url=url_for("agenda.company_ics", company_id=company.id),
        can_subscribe=can_subscribe,
        subscription=subscription,
        subscribe_url=url_for("agenda.calendar_subscribe"),
        revoke_url=url_for("agenda.calendar_revoke"),
        published=forum is not None and forum.agenda_published_at is not None,
        timezone=forum.timezone if forum is not None else current_app.config["TIMEZONE"],
    )
    return {"calendar_card": card}
