"""Fixtures in the flaskr shape: ``app``, ``client``, ``runner``, factories and ``login_as``.

Every test gets its own database: a fresh SQLite file, or, when ``FORUM_TEST_DATABASE_URL`` names a
PostgreSQL server, a schema of its own for this run whose tables are emptied after each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from forum import create_app
from forum.extensions import db
from forum.services import matching, taxonomy
from tests import factories

PG_URL = os.environ.get("FORUM_TEST_DATABASE_URL", "")
# A production shell's FORUM_INSTANCE_PATH must not lead a test to a live instance folder.
os.environ.pop("FORUM_INSTANCE_PATH", None)
KINDS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its kind, from its folder: `pytest -m unit`, `-m "not e2e"`."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for kind in KINDS:
            if kind in parts:
                item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str | None]:
    """A private schema on the PostgreSQL test server for this run, dropped afterwards."""
    if not PG_URL:
        yield None
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.exit(f"FORUM_TEST_DATABASE_URL is set but PostgreSQL does not answer: {exc}", returncode=3)
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


_pg_tables_created = False


def _test_config(tmp_path: Path, pg_url: str | None) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": pg_url or f"sqlite:///{tmp_path / 'test.sqlite'}",
        # Most tests post forms directly; tests/integration/test_csrf.py switches it back on.
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    }


@pytest.fixture
def app_config() -> dict:
    """Overrides for one test module: ``@pytest.fixture def app_config(): return {...}``."""
    return {}


@pytest.fixture
def app(tmp_path: Path, pg_schema_url: str | None, app_config: dict) -> Iterator[Flask]:
    global _pg_tables_created
    app = create_app({**_test_config(tmp_path, pg_schema_url), **app_config})
    with app.app_context():
        if pg_schema_url is None or not _pg_tables_created:
            db.create_all()
            _pg_tables_created = pg_schema_url is not None
        taxonomy.ensure_default_sectors()
        db.session.flush()
        matching.ensure_default_affinity()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        if pg_schema_url is not None:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                # The row create_all() and the migration put there: without it nothing is cached.
                conn.execute(text("INSERT INTO content_version (id, value) VALUES (1, 1)"))
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_delegation(app: Flask) -> Callable[..., int]:
    def make(**overrides) -> int:
        with app.app_context():
            return factories.delegation(**overrides)

    return make


@pytest.fixture
def make_company(app: Flask) -> Callable[..., int]:
    def make(**overrides) -> int:
        with app.app_context():
            return factories.company(**overrides)

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., int]:
    def make(**overrides) -> int:
        with app.app_context():
            return factories.user(**overrides)

    return make


@pytest.fixture
def login_as(app: Flask, client: FlaskClient) -> Callable[[int], FlaskClient]:
    """Log the test client in as a user id, through the real login form."""

    def login(user_id: int) -> FlaskClient:
        with app.app_context():
            email = factories.email_of(user_id)
        response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Iterator[list[str]]]:
    """``with count_queries() as statements:`` collects the SQL run inside the block (N+1 checks)."""
    import contextlib

    from sqlalchemy import event

    @contextlib.contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
