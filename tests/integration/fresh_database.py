"""Empty databases for tests that run the migrations themselves (init-db, demo, migration checks).

The ``app`` fixture builds its tables with ``create_all``; Alembic's ``upgrade`` needs a database with no
tables at all, so these tests get a new SQLite file or a private PostgreSQL schema instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, make_url, text

from forum import create_app
from forum.extensions import db

PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    return os.environ.get("FORUM_TEST_DATABASE_URL") or PG_DEFAULT_URL


def pg_unreachable_reason(url: str) -> str | None:
    """None when a PostgreSQL server answers at ``url``, else a reason to skip with."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = make_url(url).render_as_string(hide_password=True)
        return f"PostgreSQL is not reachable at {where}: {first_line}"
    finally:
        engine.dispose()
    return None


@contextmanager
def empty_database(tmp_path: Path, postgres: bool) -> Iterator[str]:
    """Yield the URL of an empty database: a new SQLite file, or a PostgreSQL schema dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    base = pg_url()
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def make_app(url: str, instance_path: Path, **overrides: Any) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                       "WTF_CSRF_ENABLED": False, **overrides}, instance_path=instance_path)


def dispose(app: Flask) -> None:
    """Close the app's pooled connections, so that a PostgreSQL schema can be dropped."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
