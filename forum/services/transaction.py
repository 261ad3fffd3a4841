"""One business write, one transaction: committed whole or rolled back whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
