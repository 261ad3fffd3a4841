"""One business write, one transaction: committed whole or rolled back whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.services.errors import ServiceError


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
    follow see every write committed before the lock was granted.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        # Already in a transaction means a write has happened, so the write lock is already held.
        if not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
        return
    db.session.execute(statement.with_for_update(key_share=True))
