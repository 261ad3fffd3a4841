"""Meeting requests between companies, the forum's time structure (sessions, slots, tables), and the
scheduled agenda, whose uniqueness rules the database itself enforces."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.company import EMAIL_MAX, Company
from forum.models.forum import Delegation
from forum.models.types import UTCDateTime, utcnow

MESSAGE_MAX = 1000


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class RequestStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# The states in which a request still holds (or may hold) a meeting: at most one per pair of companies.
OPEN_STATUSES = (RequestStatus.REQUESTED, RequestStatus.ACCEPTED)


class SessionPreference(enum.StrEnum):
    EITHER = "either"
    MORNING = "morning"
    AFTERNOON = "afternoon"


class MeetingRequest(db.Model):
    """One company asks another for a meeting. Its status only moves through
    ``forum.services.meetings.transition``, which refuses illegal moves."""

    __tablename__ = "meeting_request"
    __table_args__ = (
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
        CheckConstraint("pair_low < pair_high", name="ordered_pair"),
        # One open request per pair of companies, whoever asked: a partial unique index, so that two
        # delegates pressing "Request" at once cannot both succeed.
        Index("uq_meeting_request_open_pair", "pair_low", "pair_high", unique=True,
              sqlite_where=text("status IN ('requested', 'accepted')"),
              postgresql_where=text("status IN ('requested', 'accepted')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    pair_low: Mapped[int] = mapped_column(Integer)
    pair_high: Mapped[int] = mapped_column(Integer)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), default=RequestStatus.REQUESTED,
                                                  index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    session_preference: Mapped[SessionPreference] = mapped_column(_enum(SessionPreference),
                                                                  default=SessionPreference.EITHER)
    # Who pressed the button; an organizer acting for a company is recorded as such.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on every change; an update names the version it read (optimistic locking).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The calendar's SEQUENCE for this meeting: bumped whenever its published time or table changes,
    # so that subscribed phone calendars replace the old event instead of keeping both.
    agenda_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    requester: Mapped[Company] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Company] = relationship(foreign_keys=[recipient_id])

    __mapper_args__ = {"version_id_col": version}


class ForumSession(db.Model):
    """A block of meeting time on one day, e.g. 17 Oct 10:00–13:00 (stored in UTC)."""

    __tablename__ = "forum_session"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # the local date in the forum's time zone
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    slots: Mapped[list[Slot]] = relationship(back_populates="session", order_by="Slot.starts_at",
                                             cascade="all, delete-orphan")


class Slot(db.Model):
    """One meeting slot. Generated from the sessions, the slot length and the breaks."""

    __tablename__ = "slot"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("forum_session.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, unique=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[ForumSession] = relationship(back_populates="slots")


class ForumBreak(db.Model):
    """A pause inside a session (coffee, a plenary): no slot overlaps it."""

    __tablename__ = "forum_break"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    label: Mapped[str] = mapped_column(String(80), default="")


class VenueTable(db.Model):
    """A numbered meeting table, optionally reserved for one delegation's meetings."""

    __tablename__ = "venue_table"
    __table_args__ = (CheckConstraint("number > 0", name="positive_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    reserved_for_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id", ondelete="SET NULL"))

    reserved_for: Mapped[Delegation | None] = relationship()


class CompanyUnavailability(db.Model):
    """A slot a company cannot attend."""

    __tablename__ = "company_unavailability"

    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True)


class ScheduledMeeting(db.Model):
    """An accepted request placed on the agenda: a slot and a table."""

    __tablename__ = "scheduled_meeting"
    # One meeting per table per slot.
    __table_args__ = (UniqueConstraint("slot_id", "table_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("meeting_request.id", ondelete="CASCADE"), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("venue_table.id", ondelete="CASCADE"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[MeetingRequest] = relationship()
    slot: Mapped[Slot] = relationship()
    table: Mapped[VenueTable] = relationship()
    seats: Mapped[list[MeetingSeat]] = relationship(cascade="all, delete-orphan", back_populates="meeting")


class MeetingSeat(db.Model):
    """A company's place in a scheduled meeting, two per meeting. The unique (slot, company) rule is
    what makes a double booking impossible, whoever writes and however concurrently."""

    __tablename__ = "meeting_seat"
    __table_args__ = (UniqueConstraint("slot_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("scheduled_meeting.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))

    meeting: Mapped[ScheduledMeeting] = relationship(back_populates="seats")


class Notification(db.Model):
    """An in-app notice for a company's people: a request arrived, was accepted, a meeting moved."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Data to word the notice in the reader's language at display time.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_request.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


OUTBOX_PENDING_CONDITION = "sent_at IS NULL AND error = ''"


class OutboxEmail(db.Model):
    """Every e-mail the platform sends, kept: the default sender only writes here and to the log."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        # The deliverer looks for pending messages every few seconds among every message ever sent: the
        # index holds only the pending ones. (A query uses it when it repeats the condition literally.)
        Index("ix_outbox_email_pending", "id", sqlite_where=text(OUTBOX_PENDING_CONDITION),
              postgresql_where=text(OUTBOX_PENDING_CONDITION)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(EMAIL_MAX))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(Text, default="")
    # Tries the mail server refused for now (4xx) or lost the connection on; kept in the row, so that a
    # deliverer run from cron, or restarted, counts on and waits as long as the last one asked.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgendaChange(db.Model):
    """One organizer action on the agenda (a scheduler run, a move, a swap, a lock, an added meeting,
    a publish), with what is needed to undo it: the state of every scheduled meeting it touched
    before the change (``before``: a list of {request_id, slot_id, table_id, locked}, slot None when
    the meeting was not scheduled)."""

    __tablename__ = "agenda_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Data to word the change in the reader's language at display time.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    before: Mapped[list] = mapped_column(JSON, default=list)
    # The agenda version this change produced.
    version: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
