"""Personal API tokens: made and revoked by their owner on the account page, checked on every API call.

A token reads ``fmk_<43 url-safe characters>`` (256 random bits). Only its SHA-256 is stored, so a leaked
database does not leak working tokens; the owner sees the token once, when it is made. The
``fmk_`` prefix lets secret scanners (and people) recognise a leaked token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.models import TOKEN_NAME_MAX, ApiToken, TokenScope, User, utcnow
from forum.services.companies import MAX_ID
from forum.services.errors import NotFound, ServiceError
from forum.services.transaction import atomic
from forum.validation import check_length, clean_text

PREFIX = "fmk_"
# Lifetimes the account page offers; None is "never expires" (the owner can still revoke it).
LIFETIMES_DAYS = (7, 30, 90, 365)
# A person needs a handful (a script, a bot, a phone app); hundreds would be a leak waiting to happen.
MAX_ACTIVE_TOKENS = 20
# Writing last_used_at on every call would turn each GET into a write; once a minute is enough to see use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRejected(ServiceError):
    """A bearer token the API refuses. ``reason`` is one of "invalid", "expired", "revoked", "disabled"."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown to its owner this once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(actor: User, name: str, scope: TokenScope | str, days: int | None) -> NewToken:
    name = check_length(clean_text(name), TOKEN_NAME_MAX, _("Name"))
    if not name:
        raise ServiceError(_("Give the token a name, such as “Agenda script”."), field="name")
    try:
        scope = TokenScope(scope)
    except ValueError:
        raise ServiceError(_("Choose read-only or read and write."), field="scope") from None
    if days is not None and days not in LIFETIMES_DAYS:
        raise ServiceError(_("Choose how long the token stays valid."), field="days")
    if len(active_tokens(actor)) >= MAX_ACTIVE_TOKENS:
        raise ServiceError(_("You already have %(count)d tokens. Revoke one you no longer use first.",
                             count=MAX_ACTIVE_TOKENS))
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user_id=actor.id, name=name, scope=scope, token_hash=_digest(secret),
                     prefix=secret[: len(PREFIX) + 6], created_at=now,
                     expires_at=now + timedelta(days=days) if days else None)
    with atomic(_("The token could not be saved. Try again.")):
        db.session.add(token)
    return NewToken(token=token, secret=secret)


def tokens_for(user: User) -> list[ApiToken]:
    """The owner's tokens, newest first, revoked and expired ones included (shown as such)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def active_tokens(user: User) -> list[ApiToken]:
    now = utcnow()
    return [t for t in tokens_for(user) if t.revoked_at is None and (t.expires_at is None or t.expires_at > now)]


def revoke(actor: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id) if 0 < token_id <= MAX_ID else None
    # Someone else's token is "not found", so that ids cannot be probed.
    if token is None or token.user_id != actor.id:
        raise NotFound(_("There is no such token."))
    if token.revoked_at is None:
        with atomic(_("The token could not be revoked. Try again.")):
            token.revoked_at = utcnow()
    return token


def authenticate(secret: str, now: datetime | None = None) -> ApiToken:
    """The token for a bearer secret, or ``TokenRejected`` saying why (expired and revoked tokens are
    named as such, so that a script's owner knows to make a new one)."""
    now = now or utcnow()
    if not secret.startswith(PREFIX) or len(secret) > 100:
        raise TokenRejected(_("The API token is not valid."), "invalid")
    digest = _digest(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    # The lookup is by an index; compare_digest guards the last step against timing anyway.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise TokenRejected(_("The API token is not valid."), "invalid")
    if token.revoked_at is not None:
        raise TokenRejected(_("This API token was revoked. Make a new one on your account page."), "revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRejected(_("This API token has expired. Make a new one on your account page."), "expired")
    if not token.user.active:
        raise TokenRejected(_("This account is disabled."), "disabled")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A single UPDATE outside the caller's business transaction: a failed API write must not undo it,
        # and it must not commit the caller's half-done work either, so it runs before any of that. It is
        # best effort: a busy database (SQLite locked by a writer) must not fail a read over a timestamp.
        try:
            db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
    return token

