"""Who is calling, and the company's notifications: the first calls of any script or app."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask_wtf.csrf import generate_csrf
from pydantic import Field

from forum.api import bp
from forum.api.framework import (
    Out,
    Page,
    PageQuery,
    actor,
    caller,
    forum_zone,
    local_time,
    operation,
    page_of,
)
from forum.models import Notification
from forum.services import meetings


class AccountUser(Out):
    id: int
    email: str
    full_name: str
    role: Literal["participant", "organizer"]


class CallerToken(Out):
    name: str
    scope: Literal["read", "write"] = Field(description="``read``: GET only. ``write``: also changes things.")
    expires_at: datetime | None = Field(description="``null``: never expires (it can still be revoked).")


class MeOut(Out):
    user: AccountUser
    company_id: int | None = Field(description="The company the user acts for; ``null`` for organizers.")
    token: CallerToken | None = Field(description="The token of this call; ``null`` when called from a browser "
                                                "session.")
    csrf_token: str | None = Field(description="For browser sessions: send it as ``X-CSRFToken`` on writes. "
                                               "``null`` for token callers, who need none.")


class NotificationQuery(PageQuery):
    unread_only: bool = Field(False, description="Only the notices nobody of the company has marked read.")


class NotificationOut(Out):
    id: int
    kind: str = Field(description="What happened, e.g. ``request_received``, ``meeting_moved``.")
    text: str = Field(description="The notice in words, in the reader's language.")
    created_at: datetime
    read: bool
    request_id: int | None = Field(description="The meeting request it is about, if any.")


class NotificationPage(Page[NotificationOut]):
    """One page of notices, newest first."""


class MarkedRead(Out):
    marked: int = Field(description="How many notices this call marked read.")
    unread: int = Field(description="Unread notices left (new ones may arrive meanwhile).")


@operation(bp, "GET", "/me", summary="Who am I", tag="Account", auth="user", response=MeOut)
def get_me() -> MeOut:
    """The calling user, the company they act for and the token used. Scripts call it to check their token;
    browser scripts get the CSRF token their writes need."""
    who = caller()
    user = actor()
    token = who.token
    return MeOut(
        user=AccountUser(id=user.id, email=user.email, full_name=user.full_name, role=user.role.value),
        company_id=user.company_id,
        token=(CallerToken(name=token.name, scope=token.scope.value,
                         expires_at=local_time(token.expires_at, forum_zone())) if token else None),
        csrf_token=generate_csrf() if who.via_session else None,
    )


def _notification_out(notice: Notification, zone: str) -> NotificationOut:
    return NotificationOut(id=notice.id, kind=notice.kind, text=meetings.describe_notification(notice.kind, notice.data),
                           created_at=local_time(notice.created_at, zone), read=notice.read_at is not None,
                           request_id=notice.request_id)


@operation(bp, "GET", "/my/notifications", summary="My notifications", tag="Notifications", auth="participant",
           query=NotificationQuery, response=NotificationPage)
def list_my_notifications(query: NotificationQuery) -> NotificationPage:
    """The company's notices, newest first: requests received and answered, meetings placed, moved or missed.
    The same list as on the Meetings page; reading it does not mark anything read."""
    user = actor()
    rows, total = meetings.notifications_page(user, user.company_id, unread_only=query.unread_only,
                                              page=query.page, per_page=query.per_page)
    zone = forum_zone()
    return NotificationPage(**page_of([_notification_out(n, zone) for n in rows], page=query.page,
                                      per_page=query.per_page, total=total))


@operation(bp, "POST", "/my/notifications/read", summary="Mark my notifications read", tag="Notifications",
           auth="participant", response=MarkedRead)
def mark_my_notifications_read() -> MarkedRead:
    """Marks all of the company's notices read, for all of its people, as “Mark all as read” on the Meetings page
    does."""
    user = actor()
    marked = meetings.mark_notifications_read(user, user.company_id)
    return MarkedRead(marked=marked, unread=meetings.unread_count(user.company_id))
