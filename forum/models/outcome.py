"""What happened at a scheduled meeting: whether it was held (checked in with the meeting pass) or a
side did not show, the feedback each side gives afterwards, and delegates' calendar subscriptions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.meeting import MeetingRequest
from forum.models.types import UTCDateTime, utcnow

# A deal value above this is a typing slip, not an estimate (a trillion dollars).
VALUE_USD_MAX = 10**12


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class AttendanceStatus(enum.StrEnum):
    HELD = "held"
    NO_SHOW = "no_show"


class CheckInMethod(enum.StrEnum):
    QR = "qr"  # the partner or the table host scanned the meeting pass
    CODE = "code"  # the pass's short code, typed in
    ORGANIZER = "organizer"  # set by an organizer on the live attendance page
    REPORT = "report"  # a participant reported that the partner did not show


class MeetingAttendance(db.Model):
    """One row per scheduled meeting once someone records what happened: held, or a no-show (with
    the company that did not come). A later check-in corrects a no-show: the partner came late."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        CheckConstraint("status <> 'no_show' OR absent_company_id IS NOT NULL", name="no_show_names_absent"),
    )

    request_id: Mapped[int] = mapped_column(ForeignKey("meeting_request.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus), index=True)
    absent_company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="SET NULL"))
    method: Mapped[CheckInMethod] = mapped_column(_enum(CheckInMethod))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[MeetingRequest] = relationship()


class DealOutcome(enum.StrEnum):
    SUPPLY_CONTRACT = "supply_contract"
    JOINT_PRODUCTION = "joint_production"
    INVESTMENT = "investment"
    MEMORANDUM = "memorandum"
    NOTHING = "nothing"


class MeetingFeedback(db.Model):
    """One side's answer after a held meeting. Each company answers once per meeting."""

    __tablename__ = "meeting_feedback"
    __table_args__ = (
        UniqueConstraint("request_id", "company_id"),
        CheckConstraint("value_usd IS NULL OR (value_usd >= 0 AND value_usd <= 1000000000000)",
                        name="value_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("meeting_request.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    useful: Mapped[bool] = mapped_column(Boolean)
    follow_up: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[DealOutcome] = mapped_column(_enum(DealOutcome), index=True)
    # Whole US dollars; None when the delegate gave no estimate.
    value_usd: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[MeetingRequest] = relationship()


class CalendarFeed(db.Model):
    """A delegate's private calendar subscription. The URL's token is an HMAC of this row's id and
    nonce under the app's secret key: the database alone cannot rebuild it, yet its owner can see it
    again at any time. Revoking keeps the row, so an old link gets a clear "turned off" answer."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
