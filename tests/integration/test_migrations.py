"""Integration tests: the Alembic migrations build exactly the schema the models describe.

Each test starts from an empty database (a new SQLite file, or a private schema on the PostgreSQL test
server), runs the migrations, and asks Alembic's autogenerate for differences: there must be none.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, MetaData, String, func, inspect, select

from forum.extensions import db
from forum.models import Sector
from tests.integration.fresh_database import dispose, empty_database, make_app, pg_unreachable_reason, pg_url

TABLES = ["agenda_change", "alembic_version", "api_token", "calendar_feed", "company", "company_sector", "company_unavailability", "content_version", "delegation", "forum",
          "forum_break", "forum_session", "match_dismissal", "match_state", "match_suggestion", "matching_settings",
          "meeting_attendance", "meeting_feedback", "meeting_request", "meeting_seat", "notification", "outbox_email", "scheduled_meeting", "sector",
          "sector_affinity", "slot", "user_account", "venue_table"]


def _schema_differences(metadata: MetaData | None = None) -> list:
    """What `flask db migrate` would generate now, compared with the settings forum/migrations/env.py uses."""
    metadata = db.metadata if metadata is None else metadata
    migrate = current_app.extensions["migrate"]
    opts = {**migrate.configure_args, "target_metadata": metadata}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, metadata)


def _head_revision() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _tables() -> list[str]:
    return sorted(inspect(db.engine).get_table_names())


def _check_upgraded(app: Flask) -> None:
    with app.app_context():
        upgrade()
        assert _tables() == TABLES
        assert _current_revision() == _head_revision()
        assert _schema_differences() == []
        assert db.session.scalar(select(func.count(Sector.id))) == 14
        db.session.remove()
    # The same question through the command line, with env.py's own configuration.
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def _check_round_trip(app: Flask) -> None:
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert _tables() == ["alembic_version"]
        assert _current_revision() is None
        upgrade()
        assert _tables() == TABLES
        assert _schema_differences() == []
        assert db.session.scalar(select(func.count(Sector.id))) == 14
        db.session.remove()


@pytest.fixture
def sqlite_app(tmp_path: Path):
    with empty_database(tmp_path, postgres=False) as url:
        app = make_app(url, tmp_path)
        yield app
        dispose(app)


@pytest.fixture
def postgres_app(tmp_path: Path):
    reason = pg_unreachable_reason(pg_url())
    if reason:
        pytest.skip(reason)
    with empty_database(tmp_path, postgres=True) as url:
        app = make_app(url, tmp_path)
        yield app
        dispose(app)


def test_migrations_sqlite_upgrade_matches_models(sqlite_app: Flask):
    _check_upgraded(sqlite_app)


def test_migrations_sqlite_downgrade_to_base_and_upgrade_again(sqlite_app: Flask):
    _check_round_trip(sqlite_app)


def test_migrations_postgresql_upgrade_matches_models(postgres_app: Flask):
    _check_upgraded(postgres_app)


def test_migrations_postgresql_downgrade_to_base_and_upgrade_again(postgres_app: Flask):
    _check_round_trip(postgres_app)


def test_migrations_comparison_reports_a_column_the_migrations_lack(sqlite_app: Flask):
    # The comparison is not vacuous: on a copy of the models with one more column, it reports that column.
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["delegation"].append_column(Column("nickname", String(40), nullable=True))
    with sqlite_app.app_context():
        upgrade()
        differences = _schema_differences(changed)
        assert [(d[0], d[2], d[3].name) for d in differences] == [("add_column", "delegation", "nickname")]
        db.session.remove()
