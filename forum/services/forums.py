"""The forum (event) this platform serves, and the figures its home page shows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from forum.extensions import db
from forum.models import Forum


def current_forum() -> Forum | None:
    """The forum being served: the platform runs one forum at a time."""
    return db.session.scalar(select(Forum).order_by(Forum.id).limit(1))


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
