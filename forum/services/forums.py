"""The forum (event) this platform serves, and the figures its home page shows."""

from __future__ import annotations

from datetime import date

from flask import g
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.models import Forum


def forum_for_request() -> Forum | None:
    """The current forum, fetched once per request; None when the database does not answer,
    so that even the error page can render."""
    if "current_forum" not in g:
        try:
            g.current_forum = current_forum()
        except SQLAlchemyError:
            db.session.rollback()
            g.current_forum = None
    return g.current_forum


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
