"""People who log in: company delegates (participants) and organizers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from forum.extensions import db
from forum.models.company import CONTACT_NAME_MAX, EMAIL_MAX
from forum.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from forum.models.company import Company


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    ORGANIZER = "organizer"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        # A participant always acts for exactly one company.
        CheckConstraint("role <> 'participant' OR company_id IS NOT NULL", name="participant_has_company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(CONTACT_NAME_MAX), default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Role.PARTICIPANT,
    )
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session and remember-me cookie (see get_id): raising it ends all of them at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The interface language the person chose in the switcher (a code of forum.i18n.LANGUAGES), or None to
    # follow the browser. E-mails to them are written in it too.
    locale: Mapped[str | None] = mapped_column(String(8))
    # The language they last logged in with (their browser's, if they never chose): e-mails to someone who
    # never chose are written in it rather than the forum's default.
    last_locale: Mapped[str | None] = mapped_column(String(8))

    company: Mapped[Company | None] = relationship(back_populates="delegates")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and the remember-me cookie; the user_loader accepts it
        # only while the version still matches, so end_all_sessions() logs out every device.
        return f"{self.id}:{self.session_version}"

    def end_all_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this user. Caller commits."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_organizer(self) -> bool:
        return self.role == Role.ORGANIZER

    def set_password(self, password: str) -> None:
        # Werkzeug 3 defaults to scrypt.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"
