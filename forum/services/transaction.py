"""One business write, one transaction: committed whole or rolled back whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import Select, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from forum.config import SQLITE_BUSY_TIMEOUT_MS
from forum.extensions import db
from forum.services.errors import ServiceError

# How long a writer waits for rows another transaction holds (a scheduler run saving the whole agenda
# takes a few seconds) before it is told to try again.
LOCK_WAIT_SECONDS = 15.0


class Busy(ServiceError):
    """The rows stayed locked by another writer for LOCK_WAIT_SECONDS: nothing was written, try again."""

    def __init__(self) -> None:
        super().__init__(_("Someone else is changing the same meetings right now (a scheduler run, say). "
                           "Nothing was saved: try again in a moment."))


def _lock_refused(exc: Exception) -> bool:
    """PostgreSQL's lock_not_available, or SQLite's "database is locked" after its busy timeout."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) == "55P03" or "database is locked" in str(orig)


@contextmanager
def atomic(conflict: str) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back. A unique or check constraint that refuses the
    write (someone else wrote the same thing a moment ago) becomes ``conflict``, a message for the user;
    any other error rolls back and propagates."""
    try:
        yield
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(conflict) from None
    except Exception:
        db.session.rollback()
        raise


def lock_rows(statement: Select) -> None:
    """Lock the rows ``statement`` selects until the transaction ends, so that what the transaction reads
    next stays true until its own write is committed: concurrent writers of the same rows take turns.

    PostgreSQL locks just those rows (FOR NO KEY UPDATE: the lock an UPDATE of them would take, taken
    before reading instead of when writing). SQLite has no row locks: it takes the database's write lock
    at once (BEGIN IMMEDIATE) instead of at the first write, as the driver would. Either way the reads that
    follow see every write committed before the lock was granted. A lock not granted within
    LOCK_WAIT_SECONDS rolls the transaction back and raises Busy, a message for the user, instead of
    holding the request (and a worker) until the other writer is done.
    """
    import sqlite3

    connection = db.session.connection()
    try:
        if connection.dialect.name == "sqlite":
            raw = connection.connection.dbapi_connection
            # Already in a transaction means a write has happened, so the write lock is already held.
            if not raw.in_transaction:
                raw.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_SECONDS * 1000)}")
                try:
                    raw.execute("BEGIN IMMEDIATE")
                finally:
                    raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            return
        # SET LOCAL: for this transaction only, and reset at once so that later waits keep the default.
        db.session.execute(text(f"SET LOCAL lock_timeout = '{int(LOCK_WAIT_SECONDS * 1000)}ms'"))
        db.session.execute(statement.with_for_update(key_share=True))
        db.session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    except (OperationalError, sqlite3.OperationalError) as exc:
        # (BEGIN IMMEDIATE goes to the raw sqlite3 connection, whose errors SQLAlchemy does not wrap.)
        if not _lock_refused(exc):
            raise
        db.session.rollback()
        raise Busy() from None


def lock_agenda() -> None:
    """Take the agenda's lock for the rest of the transaction: the forum's row (see
    agenda_builder._locked_forum). Every write to the agenda, its meetings or its time structure takes it
    first. Without a forum there is no agenda to lock."""
    from forum.models import Forum

    lock_rows(select(Forum.id).order_by(Forum.id).limit(1))
