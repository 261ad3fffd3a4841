"""The whole database as a comparable value: for every table, its row count and a hash of its sorted rows.

``snapshot()`` before and after a refused request, then ``assert after == before``: a half-written row, a
changed column or a deleted row anywhere makes the two differ, and ``changed_tables`` names where.
Call it inside an app context; it reads through the session's connection, so it sees what the app committed.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from sqlalchemy import select

from forum.extensions import db


class TableState(NamedTuple):
    rows: int
    digest: str


def snapshot() -> dict[str, TableState]:
    """Row count and a SHA-256 of the rows (each row as its repr, sorted) of every table in db.metadata."""
    state: dict[str, TableState] = {}
    # A fresh read: nothing the session cached may stand in for what is stored.
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        rows = sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        digest = hashlib.sha256("\n".join(rows).encode("utf-8", "surrogatepass")).hexdigest()
        state[table.name] = TableState(len(rows), digest)
    db.session.rollback()
    return state


def changed_tables(before: dict[str, TableState], after: dict[str, TableState]) -> list[str]:
    """The names of the tables whose rows differ between two snapshots."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
