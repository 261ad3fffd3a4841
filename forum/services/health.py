"""Is this app server able to serve? What a load balancer's health check asks."""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db


def database_check() -> tuple[bool, float, str | None]:
    """(answers, milliseconds, error class): one small read of the forum's own table, so a server whose
    database is reachable but was never migrated (no tables) is not healthy either."""
    from forum.models import Forum

    started = time.perf_counter()
    try:
        db.session.execute(select(Forum.id).limit(1))
        db.session.rollback()
    except SQLAlchemyError as exc:
        db.session.rollback()
        # The class, not the message: the message may hold the database address and user.
        current_app.logger.warning("health check: the database does not answer: %s", exc)
        return False, (time.perf_counter() - started) * 1000, type(exc).__name__
    return True, (time.perf_counter() - started) * 1000, None
