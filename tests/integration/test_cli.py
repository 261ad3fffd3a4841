"""Integration tests: the `flask` commands init-db, create-organizer and demo, run through the CLI runner.

init-db and demo run the Alembic migrations, which need an empty database: those tests build their own
app on a new SQLite file (or a private PostgreSQL schema when FORUM_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from forum.extensions import db
from forum.models import (
    Company,
    Delegation,
    Forum,
    MeetingRequest,
    RequestStatus,
    Role,
    ScheduledMeeting,
    Sector,
    User,
)
from forum.models.forum import DEFAULT_SECTORS
from forum.services import agenda_builder, demo
from tests.integration.fresh_database import dispose, empty_database, make_app
from tests.integration.test_migrations import TABLES

PG_URL_SET = bool(os.environ.get("FORUM_TEST_DATABASE_URL"))
DEMO_ACCOUNTS = 1 + len(demo.DEMO_PARTICIPANTS)
PASSWORD = "caravan-silk-road-7"
CYRILLIC = re.compile("[А-Яа-яЁёҚқҒғҮүҰұӘәӨөҺһІі]")
needs_demo_csv = pytest.mark.skipif(not demo.DEMO_CSV.exists(),
                                    reason=f"the demo data {demo.DEMO_CSV} is not written yet")


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database, for commands that run the migrations."""
    with empty_database(tmp_path, postgres=PG_URL_SET) as url:
        app = make_app(url, tmp_path)
        yield app
        dispose(app)


def _login_status(app: Flask, email: str, password: str) -> int:
    client = app.test_client()
    return client.post("/login", data={"email": email, "password": password}).status_code


def _user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


# --- init-db ------------------------------------------------------------------------------------------


def test_init_db_creates_tables_and_seeds_sectors(fresh_app: Flask):
    result = fresh_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "The database is up to date.\n"
    with fresh_app.app_context():
        assert sorted(inspect(db.engine).get_table_names()) == TABLES
        sectors = db.session.scalars(select(Sector).order_by(Sector.position)).all()
        assert [(s.key, s.label) for s in sectors] == DEFAULT_SECTORS
        assert len(sectors) == 14


def test_init_db_twice_changes_nothing(fresh_app: Flask):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "The database is up to date.\n"
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count(Sector.id))) == 14


# --- account-state ------------------------------------------------------------------------------------


def test_account_state_enables_an_organizer_another_organizer_disabled(app: Flask, runner: FlaskCliRunner):
    runner.invoke(args=["create-organizer", "boss@forum.example", "--password", PASSWORD])
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        user.active = False
        db.session.commit()
    assert _login_status(app, "boss@forum.example", PASSWORD) == 403

    result = runner.invoke(args=["account-state", "Boss@Forum.Example", "--enable"])

    assert result.exit_code == 0, result.output
    assert result.stdout == "boss@forum.example is enabled.\n"
    assert _login_status(app, "boss@forum.example", PASSWORD) == 302


def test_account_state_disable_and_unknown_address(app: Flask, runner: FlaskCliRunner):
    runner.invoke(args=["create-organizer", "boss@forum.example", "--password", PASSWORD])

    disabled = runner.invoke(args=["account-state", "boss@forum.example", "--disable"])
    unknown = runner.invoke(args=["account-state", "nobody@forum.example", "--enable"])
    missing_flag = runner.invoke(args=["account-state", "boss@forum.example"])

    assert (disabled.exit_code, disabled.stdout) == (0, "boss@forum.example is disabled and logged out everywhere.\n")
    assert _login_status(app, "boss@forum.example", PASSWORD) == 403
    assert unknown.exit_code == 2
    assert "Error: There is no account with the e-mail address nobody@forum.example." in unknown.stderr
    assert missing_flag.exit_code == 2
    assert "Error: Missing option '--enable'." in missing_flag.stderr


# --- create-organizer ---------------------------------------------------------------------------------


def test_create_organizer_with_password_option_can_log_in(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["create-organizer", " Boss@Forum.Example ", "--password", PASSWORD,
                                 "--name", "  Dilnoza Karimova "])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Organizer boss@forum.example created.\n"
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.email, user.role, user.full_name, user.company_id) == (
            "boss@forum.example", Role.ORGANIZER, "Dilnoza Karimova", None)
    assert _login_status(app, "boss@forum.example", PASSWORD) == 302
    assert _login_status(app, "boss@forum.example", "wrong-password-1") == 422


def test_create_organizer_password_prompt_can_log_in(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["create-organizer", "boss@forum.example"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Organizer boss@forum.example created.\n")
    assert "Password" in result.stdout
    assert PASSWORD not in result.output
    assert _login_status(app, "boss@forum.example", PASSWORD) == 302


def test_create_organizer_invalid_email_exit_2(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["create-organizer", "not-an-email", "--password", PASSWORD])
    assert result.exit_code == 2
    assert "Error: Invalid value for 'EMAIL': “not-an-email” is not a valid e-mail address." in result.stderr
    assert _user_count(app) == 0


def test_create_organizer_overlong_name_exit_2_nothing_created(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["create-organizer", "boss@forum.example", "--name", "N" * 121,
                                 "--password", PASSWORD])
    assert result.exit_code == 2
    assert "Invalid value for '--name': The name is too long: 121 characters, at most 120." in result.stderr
    assert _user_count(app) == 0


def test_create_organizer_name_with_control_characters_is_cleaned(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["create-organizer", "boss@forum.example", "--name", "Ann\x00 \t Lee",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(User.full_name)).all() == ["Ann Lee"]


@pytest.mark.parametrize(("password", "message"), [
    ("short", "Use at least 10 characters."),
    ("1234567890", "This password is too easy to guess. Try a short phrase of several words."),
    ("bossman-2024!", "Do not use your e-mail address in your password."),
])
def test_create_organizer_weak_password_exit_2_nothing_created(app: Flask, runner: FlaskCliRunner,
                                                              password: str, message: str):
    result = runner.invoke(args=["create-organizer", "bossman@forum.example", "--password", password])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n"
    assert _user_count(app) == 0


def test_create_organizer_duplicate_email_exit_2(app: Flask, runner: FlaskCliRunner):
    first = runner.invoke(args=["create-organizer", "boss@forum.example", "--password", PASSWORD])
    assert first.exit_code == 0, first.output
    result = runner.invoke(args=["create-organizer", "BOSS@forum.example",
                                 "--password", "another-long-phrase"])
    assert result.exit_code == 2
    assert result.stderr == "Error: An account with this e-mail address already exists.\n"
    assert _user_count(app) == 1
    assert _login_status(app, "boss@forum.example", PASSWORD) == 302


# --- demo ---------------------------------------------------------------------------------------------


def _demo_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Company, User, Delegation, Sector, Forum)}


def _demo_csv_rows() -> int:
    with demo.DEMO_CSV.open(encoding="utf-8-sig", newline="") as f:
        return sum(1 for cells in csv.DictReader(f) if any(v.strip() for v in cells.values() if v))


@needs_demo_csv
def test_demo_loads_forum_delegations_companies_and_logins(fresh_app: Flask):
    result = fresh_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    rows = _demo_csv_rows()
    lines = result.stdout.splitlines()
    assert lines[0] == (f"Demo forum “Kashkadarya Invest-2024”: {rows} demo companies ({rows} new), "
                        f"{DEMO_ACCOUNTS} demo accounts.")
    assert lines[1] == f"Demo logins (password for all: {demo.DEMO_PASSWORD}):"
    assert [line.split()[0] for line in lines[2:]] == [demo.DEMO_ORGANIZER, *demo.DEMO_PARTICIPANTS]

    with fresh_app.app_context():
        assert db.session.scalars(select(Forum.name)).all() == ["Kashkadarya Invest-2024"]
        per_delegation = dict(db.session.execute(
            select(Delegation.name, func.count(Company.id)).join(Company).group_by(Delegation.name)).all())
        assert sorted(per_delegation) == sorted(name for name, _ in demo.DELEGATIONS)
        assert all(count >= 40 for count in per_delegation.values()), per_delegation
        assert sum(per_delegation.values()) == rows
        offers = db.session.scalars(select(Company.offers)).all()
        assert sum(1 for text in offers if CYRILLIC.search(text)) >= 5
        organizer = db.session.scalars(select(User).where(User.email == demo.DEMO_ORGANIZER)).one()
        assert organizer.role == Role.ORGANIZER
        for email, delegation_name in demo.DEMO_PARTICIPANTS.items():
            demo_user = db.session.scalars(select(User).where(User.email == email)).one()
            assert demo_user.role == Role.PARTICIPANT
            assert demo_user.company.delegation.name == delegation_name
            # `flask demo` publishes the agenda: each demo login has its three best matches on it
            meetings = agenda_builder.published_agenda_for(demo_user.company_id)
            assert len(meetings) == 3, email
        assert db.session.scalar(select(Forum.agenda_published_at)) is not None
        accepted = db.session.scalar(select(func.count(MeetingRequest.id))
                                     .where(MeetingRequest.status == RequestStatus.ACCEPTED))
        assert db.session.scalar(select(func.count(ScheduledMeeting.id))) == accepted

    for email in [demo.DEMO_ORGANIZER, *demo.DEMO_PARTICIPANTS]:
        assert _login_status(fresh_app, email, demo.DEMO_PASSWORD) == 302, email


@needs_demo_csv
def test_demo_twice_is_idempotent(fresh_app: Flask):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    before = _demo_counts(fresh_app)

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    rows = _demo_csv_rows()
    assert second.stdout.splitlines()[0] == (
        f"Demo forum “Kashkadarya Invest-2024”: {rows} demo companies (0 new), "
        f"{DEMO_ACCOUNTS} demo accounts.")
    assert _demo_counts(fresh_app) == before
    assert before == {"Company": rows, "User": DEMO_ACCOUNTS, "Delegation": 2, "Sector": 14, "Forum": 1}


@needs_demo_csv
def test_demo_again_keeps_what_delegates_edited(fresh_app: Flask):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with fresh_app.app_context():
        company = db.session.scalars(select(Company).order_by(Company.id).limit(1)).one()
        company.website = "https://edited-by-the-delegate.example"
        company.needs = "Edited needs"
        db.session.commit()
        company_id = company.id

    assert runner.invoke(args=["demo"]).exit_code == 0
    with fresh_app.app_context():
        company = db.session.get(Company, company_id)
        assert (company.website, company.needs) == ("https://edited-by-the-delegate.example", "Edited needs")


@pytest.mark.parametrize("args", [
    ["recommend", "--company", "Esik Dairy Plant"],
    ["recompute-matches"],
    ["create-organizer", "boss@example.com", "--password", PASSWORD],
    ["check"],
])
def test_commands_on_database_without_tables_say_run_init_db(fresh_app: Flask, args):
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2
    assert "the database has no tables yet. Run “flask --app forum init-db”" in result.output
    assert "Traceback" not in result.output


def test_import_on_database_without_tables_says_run_init_db(fresh_app: Flask, tmp_path: Path):
    path = tmp_path / "one.csv"
    path.write_text("name,delegation,country,city,sectors,offers,needs\nA,B,C,D,dairy,milk,film\n", encoding="utf-8")
    result = fresh_app.test_cli_runner().invoke(args=["import-companies", str(path)])
    assert result.exit_code == 2
    assert "init-db" in result.output


def test_commands_on_older_schema_say_upgrade(fresh_app: Flask):
    with fresh_app.app_context():
        upgrade(revision="4b7adfa958f0")  # the schema before partner matching
        db.session.remove()
    result = fresh_app.test_cli_runner().invoke(args=["recompute-matches"])
    assert result.exit_code == 2
    assert "older than this version of the platform" in result.output


# --- backup and check ---------------------------------------------------------------------------------


def test_help_lists_backup_and_check(fresh_app: Flask):
    output = fresh_app.test_cli_runner().invoke(args=["--help"]).output
    assert re.search(r"^  backup +Back up the live SQLite database, and check the copy\.$", output, re.M)
    assert re.search(r"^  check +Check the agenda's rules on the live database\.$", output, re.M)


@needs_demo_csv
def test_demo_then_check_and_backup_on_the_migrated_database(fresh_app: Flask, tmp_path: Path):
    """On the schema the migrations build (not create_all): `check` passes on the demo forum, and `backup`
    copies it on SQLite or gives the pg_dump command on PostgreSQL."""
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with fresh_app.app_context():
        placed = db.session.scalar(select(func.count()).select_from(ScheduledMeeting))
    checked = runner.invoke(args=["check"])
    assert (checked.exit_code, checked.output) == (
        0, f"No problems found: the {placed} meetings on the agenda keep every rule.\n")
    target = tmp_path / "after-demo.sqlite"
    backed_up = runner.invoke(args=["backup", str(target)])
    if PG_URL_SET:
        assert backed_up.exit_code == 2
        assert "pg_dump --format=custom --file=forum-$(date +%F).dump" in backed_up.output
        assert not target.exists()
    else:
        assert backed_up.exit_code == 0, backed_up.output
        copy = make_app(f"sqlite:///{target}", tmp_path / "copy")
        assert copy.test_cli_runner().invoke(args=["check"]).output == checked.output
        dispose(copy)


def test_check_when_the_database_does_not_answer_exit_2(tmp_path: Path):
    app = make_app("postgresql+psycopg://forum@127.0.0.1:1/forum", tmp_path)
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 2
    assert result.output == "Error: the database does not answer (OperationalError).\n"
    dispose(app)
