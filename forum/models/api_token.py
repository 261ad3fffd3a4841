"""Personal API tokens: a delegate's or organizer's key for scripts, bots and apps using the JSON API."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow
from forum.models.user import User

TOKEN_NAME_MAX = 80


class TokenScope(enum.StrEnum):
    READ = "read"  # GET only: a coordinator's script that pulls agendas
    WRITE = "write"  # also creates, answers and changes, as the owner could on the site


class ApiToken(db.Model):
    """Only a SHA-256 of the token is kept: the token itself is shown once, when it is made. A plain hash
    (not scrypt) is enough because the token is 256 random bits, and it keeps the lookup one indexed read."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    scope: Mapped[TokenScope] = mapped_column(
        Enum(TokenScope, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e]))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so that the owner can tell tokens apart in the list.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
