"""Integration tests: the operator's commands `flask backup` (an online copy of the SQLite database, checked) and
`flask check` (the agenda's rules on the live database, each broken on purpose behind the services' back).

The backup tests always run on SQLite (that is what the command copies); the PostgreSQL refusal needs no server,
since it is decided from the URL. The check tests use the ``app`` fixture, so they run on PostgreSQL too when
FORUM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, make_url, select, text, update

from forum.extensions import db
from forum.models import (
    Company,
    CompanyUnavailability,
    Forum,
    ForumBreak,
    ForumSession,
    MeetingSeat,
    ScheduledMeeting,
    Slot,
    User,
    VenueTable,
)
from forum.services import agenda as agenda_service
from forum.services import backup, company_admin, demo, integrity
from tests import factories
from tests.integration.fresh_database import dispose, make_app

PG_URL = os.environ.get("FORUM_TEST_DATABASE_URL", "")
needs_demo_csv = pytest.mark.skipif(not demo.DEMO_CSV.exists(),
                                    reason=f"the demo data {demo.DEMO_CSV} is not written yet")


# --- backup ---------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    """The demo forum on a SQLite file in its own instance folder, whatever FORUM_TEST_DATABASE_URL says."""
    instance = tmp_path / "instance"
    instance.mkdir()
    app = make_app(f"sqlite:///{instance / 'forum.sqlite'}", instance, REQUEST_LOG=False)
    with app.app_context():
        db.create_all()
        demo.load_demo_forum(published_agenda=True)
    dispose(app)
    yield app
    dispose(app)


def _database(app: Flask) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def _all_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        rows = {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall() for name in names}
    conn.close()
    return rows


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


@needs_demo_csv
def test_backup_of_demo_forum_is_an_identical_checked_copy(sqlite_app: Flask, tmp_path: Path):
    target = tmp_path / "copy.sqlite"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(rf"Backup written to {re.escape(str(target))} \(\d+\.\d MB in \d+\.\d s\)\.", lines[0])
    live = _all_rows(_database(sqlite_app))
    assert lines[1] == (f"The copy passed its integrity check: {len(live)} tables, "
                        f"{sum(len(rows) for rows in live.values())} rows ({len(live['company'])} companies, "
                        f"{len(live['user_account'])} accounts, {len(live['meeting_request'])} meeting requests, "
                        f"{len(live['scheduled_meeting'])} scheduled meetings).")
    assert lines[2] == "Every table has as many rows as the live database."
    assert _integrity(target) == ["ok"]
    assert _all_rows(target) == live
    assert len(live["scheduled_meeting"]) > 100
    # One self-contained file, private to its owner, and no temporary file left beside it.
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite", "instance"]


@needs_demo_csv
def test_backup_copy_serves_the_forum(sqlite_app: Flask, tmp_path: Path):
    """The copy is a working forum: an app started on it shows the same agenda and passes `check`."""
    target = tmp_path / "copy.sqlite"
    assert sqlite_app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    restored = make_app(f"sqlite:///{target}", tmp_path, REQUEST_LOG=False)
    checked = restored.test_cli_runner().invoke(args=["check"])
    assert checked.exit_code == 0, checked.output
    with sqlite_app.app_context():
        expected = db.session.scalar(select(func.count()).select_from(ScheduledMeeting))
    assert checked.output == f"No problems found: the {expected} meetings on the agenda keep every rule.\n"
    dispose(restored)


@needs_demo_csv
def test_backup_default_path_is_dated_in_instance_backups(sqlite_app: Flask):
    result = sqlite_app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    folder = Path(sqlite_app.instance_path) / "backups"
    files = list(folder.iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"forum-\d{8}T\d{6}Z\.sqlite", files[0].name)
    assert result.output.splitlines()[0].startswith(f"Backup written to {files[0]} (")
    # Backups hold password hashes and contacts: the folder is the owner's only.
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert _integrity(files[0]) == ["ok"]


@needs_demo_csv
def test_backup_into_a_folder_gets_the_dated_name(sqlite_app: Flask, tmp_path: Path):
    folder = tmp_path / "nightly"
    folder.mkdir()
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    assert [re.fullmatch(r"forum-\d{8}T\d{6}Z\.sqlite", p.name) is not None for p in folder.iterdir()] == [True]


@needs_demo_csv
def test_backup_while_another_connection_writes_is_consistent(sqlite_app: Flask, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    """A writer commits pairs of rows (one in each of two tables, one transaction per pair) for as long as the
    backup runs: the copy holds whole pairs only, and the writer is never refused."""
    database = _database(sqlite_app)
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE probe_a (n INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE probe_b (n INTEGER PRIMARY KEY)")
    conn.close()
    # Many small steps, so that writes land between them and restart the copy.
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 1)
    monkeypatch.setattr(backup, "STEP_PAUSE", 0.002)
    started = threading.Event()
    done = threading.Event()
    errors: list[Exception] = []
    written = [0]

    def write() -> None:
        writer = sqlite3.connect(database, timeout=15, isolation_level=None)
        writer.execute("PRAGMA synchronous=OFF")  # many commits while the copy runs, not one per disk flush
        try:
            for n in range(1, 20001):  # bounded: stops with the backup, or after 20,000 pairs at most
                if done.is_set():
                    break
                writer.execute("BEGIN IMMEDIATE")
                writer.execute("INSERT INTO probe_a (n) VALUES (?)", (n,))
                writer.execute("INSERT INTO probe_b (n) VALUES (?)", (n,))
                writer.execute("COMMIT")
                written[0] = n
                started.set()
        except Exception as exc:  # reported below: a backup must not make writers fail
            errors.append(exc)
        finally:
            started.set()
            writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    # The copy starts once the writer is under way (or has failed, which the asserts below report).
    started.wait(timeout=30)
    try:
        with sqlite_app.app_context():
            result = backup.backup_sqlite(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], sqlite_app.instance_path,
                                          tmp_path / "during.sqlite")
    finally:
        done.set()
        thread.join(timeout=60)
    assert errors == []
    assert _integrity(result.path) == ["ok"]
    with sqlite3.connect(result.path) as conn:
        a = [r[0] for r in conn.execute("SELECT n FROM probe_a ORDER BY n")]
        b = [r[0] for r in conn.execute("SELECT n FROM probe_b ORDER BY n")]
    conn.close()
    assert a == b == list(range(1, len(a) + 1))
    assert len(a) <= written[0]
    assert result.tables["probe_a"] == len(a)
    # The demo forum itself came across whole.
    live = _all_rows(database)
    copy = _all_rows(result.path)
    assert {k: v for k, v in copy.items() if not k.startswith("probe_")} == \
        {k: v for k, v in live.items() if not k.startswith("probe_")}


class _WritesBetweenSteps:
    """The source connection of a backup, with a pair of rows committed by another connection after each of the
    first ``writes`` steps of the paged copy: every step then starts the copy over, for certain, so the
    restart limit and the one-step copy after it are what finish the backup."""

    def __init__(self, source: sqlite3.Connection, database: Path, writes: int, write_after: bool = False) -> None:
        self._source, self._database, self._writes, self._write_after = source, database, writes, write_after
        self.written = 0

    def backup(self, target: sqlite3.Connection, *, pages: int = -1, progress=None, sleep: float = 0.25) -> None:
        writer = sqlite3.connect(self._database, isolation_level=None)

        def write_pair() -> None:
            self.written += 1
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO probe_a (n) VALUES (?)", (self.written,))
            writer.execute("INSERT INTO probe_b (n) VALUES (?)", (self.written,))
            writer.execute("COMMIT")

        def write_then_report(status: int, remaining: int, total: int) -> None:
            if self.written < self._writes:
                write_pair()
            progress(status, remaining, total)

        try:
            self._source.backup(target, pages=pages, progress=write_then_report if progress else None,
                                sleep=sleep)
            if progress is None and self._write_after:
                write_pair()  # a delegate saves something just after the copy was taken
        finally:
            writer.close()

    def __getattr__(self, name: str):
        return getattr(self._source, name)


@needs_demo_csv
def test_backup_that_keeps_restarting_is_finished_in_one_step(sqlite_app: Flask, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    database = _database(sqlite_app)
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE probe_a (n INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE probe_b (n INTEGER PRIMARY KEY)")
    conn.close()
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 1)
    monkeypatch.setattr(backup, "STEP_PAUSE", 0)
    sources: list[_WritesBetweenSteps] = []
    connect = backup._connect_existing

    def connect_with_writer(path: Path) -> _WritesBetweenSteps:
        # More writes than the copy may restart for: without the one-step fallback, it would still be paging.
        sources.append(_WritesBetweenSteps(connect(path), database, writes=50))
        return sources[-1]

    monkeypatch.setattr(backup, "_connect_existing", connect_with_writer)
    result = backup.backup_sqlite(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], sqlite_app.instance_path,
                                  tmp_path / "restarted.sqlite")
    assert (result.restarts, result.one_step) == (backup.MAX_RESTARTS + 1, True)
    # The one-step copy came after the last write: it holds every pair, and nothing changed since.
    written = sources[0].written
    assert written == backup.MAX_RESTARTS + 2
    assert _integrity(result.path) == ["ok"]
    with sqlite3.connect(result.path) as conn:
        a = [r[0] for r in conn.execute("SELECT n FROM probe_a ORDER BY n")]
        b = [r[0] for r in conn.execute("SELECT n FROM probe_b ORDER BY n")]
    conn.close()
    assert a == b == list(range(1, written + 1))
    assert result.changed_since == {}
    assert _all_rows(result.path) == _all_rows(database)


@needs_demo_csv
def test_backup_says_when_the_forum_was_written_to_after_the_copy(sqlite_app: Flask, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    database = _database(sqlite_app)
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE probe_a (n INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE probe_b (n INTEGER PRIMARY KEY)")
    conn.close()
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 1)
    monkeypatch.setattr(backup, "STEP_PAUSE", 0)
    connect = backup._connect_existing
    monkeypatch.setattr(backup, "_connect_existing", lambda path: _WritesBetweenSteps(
        connect(path), database, writes=50, write_after=True))
    target = tmp_path / "copy.sqlite"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    # Five pairs before the one-step copy (MAX_RESTARTS 3), the sixth after it.
    assert result.output.splitlines()[2:] == [
        "The forum was written to during the backup; the copy is the state at the last (re)start of the copy "
        "(a write restarts it). Rows in the copy → in the live database now:",
        "  probe_a: 5 → 6",
        "  probe_b: 5 → 6",
    ]
    assert _integrity(target) == ["ok"]


def test_backup_with_a_relative_sqlite_url_copies_the_instance_database(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    """Flask-SQLAlchemy reads sqlite:///forum.sqlite as <instance>/forum.sqlite; the backup must copy that
    file, not a stale forum.sqlite in the working folder."""
    instance = tmp_path / "instance"
    instance.mkdir()
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    stale = sqlite3.connect(workdir / "forum.sqlite")
    stale.execute("CREATE TABLE stale_leftover (n INTEGER)")
    stale.commit()
    stale.close()
    monkeypatch.chdir(workdir)
    app = make_app("sqlite:///forum.sqlite", instance, REQUEST_LOG=False)
    with app.app_context():
        db.create_all()
        factories.company(name="Relative Path Trading LLP")
    dispose(app)
    assert (instance / "forum.sqlite").is_file()
    target = tmp_path / "copy.sqlite"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"Backup written to {target} (")
    copy = _all_rows(target)
    assert "stale_leftover" not in copy
    assert len(copy["company"]) == 1
    assert "Relative Path Trading LLP" in copy["company"][0]
    assert copy == _all_rows(instance / "forum.sqlite")
    dispose(app)


@needs_demo_csv
def test_backup_refuses_to_overwrite_a_file(sqlite_app: Flask, tmp_path: Path):
    target = tmp_path / "precious.sqlite"
    target.write_bytes(b"yesterday's backup")
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {target} already exists; a backup never overwrites a file. "
                             "Choose another name.\n")
    assert target.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance", "precious.sqlite"]


@needs_demo_csv
def test_backup_into_a_missing_folder_says_so(sqlite_app: Flask, tmp_path: Path):
    target = tmp_path / "no-such-folder" / "copy.sqlite"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 2
    assert result.output == (f"Error: The folder {target.parent} does not exist; create it first, or choose "
                             "another place.\n")
    assert not target.parent.exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write in any folder, so a read-only folder cannot be tested as root")
@needs_demo_csv
def test_backup_into_a_read_only_folder_says_so(sqlite_app: Flask, tmp_path: Path):
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(folder / "copy.sqlite")])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: The folder {folder} is not writable for this user (")
    assert list(folder.iterdir()) == []


def test_backup_of_a_damaged_database_fails_and_leaves_nothing(tmp_path: Path):
    """A file that is not a database (a botched copy, a full disk): exit 1, and no backup file or temporary
    file stays behind to be mistaken for a good backup later."""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "forum.sqlite").write_bytes(b"this is not a database " * 200)
    app = make_app(f"sqlite:///{instance / 'forum.sqlite'}", instance, REQUEST_LOG=False)
    out = tmp_path / "out"
    out.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", str(out / "copy.sqlite")])
    assert result.exit_code == 1
    assert result.output == "Error: The backup failed: file is not a database. Nothing was written.\n"
    assert list(out.iterdir()) == []


def test_backup_of_a_missing_database_file_creates_none(tmp_path: Path):
    app = make_app(f"sqlite:///{tmp_path / 'gone.sqlite'}", tmp_path, REQUEST_LOG=False)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 2
    assert result.output == f"Error: There is no database file at {tmp_path / 'gone.sqlite'}.\n"
    # Connecting would have created an empty database where the real one was expected.
    assert not (tmp_path / "gone.sqlite").exists()
    assert not (tmp_path / "copy.sqlite").exists()


def test_backup_of_a_memory_database_is_refused(tmp_path: Path):
    app = make_app("sqlite://", tmp_path, REQUEST_LOG=False)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 2
    assert result.output == "Error: The database lives in memory only; there is no file to back up.\n"


PG_REFUSAL = ("Error: This forum runs on PostgreSQL: “backup” copies SQLite databases only. Back it up with "
              "pg_dump:\n  pg_dump --format=custom --file=forum-$(date +%F).dump {url}\nand restore such a file "
              "into a new, empty database, with the app servers stopped (dropdb and createdb as PostgreSQL's "
              "superuser, e.g. sudo -u postgres):\n  {drop}\n  pg_restore --no-owner -d {url} forum-YYYY-MM-DD.dump\n")


def test_backup_on_postgresql_prints_the_pg_dump_command(tmp_path: Path):
    # Decided from the URL: no PostgreSQL server is needed to refuse, and none is contacted.
    app = make_app("postgresql+psycopg://forum:s3cret@db.internal:5432/forum", tmp_path, REQUEST_LOG=False)
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 2
    assert result.output == PG_REFUSAL.format(
        url="postgresql://forum@db.internal:5432/forum",
        drop="dropdb -h db.internal -p 5432 forum && createdb -h db.internal -p 5432 --owner forum forum") + (
        "(The password is left out: pg_dump reads it from ~/.pgpass or PGPASSWORD.)\n")
    assert "s3cret" not in result.output
    assert not (tmp_path / "backups").exists()


@pytest.mark.skipif(not PG_URL, reason="FORUM_TEST_DATABASE_URL is not set: the test app runs on SQLite")
def test_backup_on_the_postgresql_test_app_is_refused(app: Flask, runner: FlaskCliRunner):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 2
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://", 1)
    parsed = make_url(url)
    where = f"-h {parsed.host} -p {parsed.port}"
    drop = f"dropdb {where} {parsed.database} && createdb {where} --owner {parsed.username} {parsed.database}"
    assert result.output == PG_REFUSAL.format(url=f"'{url}'" if "?" in url else url, drop=drop)
    assert not (Path(app.instance_path) / "backups").exists()


def test_pg_dump_command_drops_the_driver_and_quotes_for_the_shell():
    assert backup.pg_dump_command("postgresql+psycopg://postgres@127.0.0.1:5432/forum") == (
        "pg_dump --format=custom --file=forum-$(date +%F).dump postgresql://postgres@127.0.0.1:5432/forum")
    assert backup.pg_dump_command("postgresql+psycopg://u@h/db?sslmode=require") == (
        "pg_dump --format=custom --file=forum-$(date +%F).dump 'postgresql://u@h/db?sslmode=require'")


def test_pg_restore_commands_restore_into_a_new_database_owned_by_the_app_user():
    assert backup.pg_restore_commands("postgresql+psycopg://forum:pw@127.0.0.1:5432/forum") == [
        "dropdb -h 127.0.0.1 -p 5432 forum && createdb -h 127.0.0.1 -p 5432 --owner forum forum",
        "pg_restore --no-owner -d postgresql://forum@127.0.0.1:5432/forum forum-YYYY-MM-DD.dump"]
    # A local socket connection: no host or port to pass on.
    assert backup.pg_restore_commands("postgresql+psycopg://forum@/forum")[0] == (
        "dropdb forum && createdb --owner forum forum")


# --- check ----------------------------------------------------------------------------------------------


@pytest.fixture
def agenda(app: Flask) -> dict:
    """factories.published_agenda: 17 Oct 2024 (Asia/Tashkent), sessions 10:00-11:00 and 14:00-15:00, 20-minute
    slots, tables 1-3. r0 C0-C1 at 10:00 table 1, r1 C2-C3 at 10:00 table 2, r2 C0-C2 at 10:20 table 1;
    r3 C1-C3 accepted, not placed."""
    with app.app_context():
        return factories.published_agenda()


def _check(runner: FlaskCliRunner, *args: str) -> tuple[int, list[str]]:
    result = runner.invoke(args=["check", *args])
    return result.exit_code, result.output.splitlines()


def _problems(app: Flask) -> list[integrity.AgendaProblem]:
    with app.app_context():
        return integrity.check_agenda()


def _write(app: Flask, *statements) -> None:
    """Write behind the services' back, as a bug, a hand edit or an old backup would."""
    with app.app_context():
        for statement in statements:
            db.session.execute(statement)
        db.session.commit()


def test_check_clean_agenda_exit_0(app: Flask, runner: FlaskCliRunner, agenda: dict):
    assert _check(runner) == (0, ["No problems found: the 3 meetings on the agenda keep every rule."])
    assert _check(runner, "--json") == (0, ["[]"])


def test_check_empty_agenda_exit_0(app: Flask, runner: FlaskCliRunner):
    assert _check(runner) == (0, ["No problems found: the 0 meetings on the agenda keep every rule."])


@needs_demo_csv
def test_check_demo_forum_has_no_problems(app: Flask, runner: FlaskCliRunner):
    with app.app_context():
        demo.load_demo_forum(published_agenda=True)
        placed = db.session.scalar(select(func.count()).select_from(ScheduledMeeting))
    assert placed > 100
    assert _problems(app) == []
    assert _check(runner) == (0, [f"No problems found: the {placed} meetings on the agenda keep every rule."])


# Each case breaks one rule behind the services' back; the database's own constraints cannot stop any of them.
# (A second meeting at the same table in the same slot, or a company seated twice in one slot, the unique
# indexes refuse: tests/integration/test_agenda_constraints.py. Those rules are still checked here, through
# slots that overlap and seats that lie.)


def _overlapping_slot_with(app: Flask, agenda: dict, table_index: int) -> None:
    """A hand-made slot 10:10-10:30, overlapping 10:00-10:20 and 10:20-10:40, holding r3 (C1-C3) whose seats
    are in that slot: no unique index sees a clash."""
    with app.app_context():
        first = db.session.get(Slot, agenda["slots"][0])
        extra = Slot(session_id=first.session_id, starts_at=first.starts_at + timedelta(minutes=10),
                     ends_at=first.ends_at + timedelta(minutes=10))
        db.session.add(extra)
        db.session.commit()
        factories.place(agenda["requests"][3], extra.id, agenda["tables"][table_index])


def _break_company_double_booked(app: Flask, agenda: dict) -> None:
    _overlapping_slot_with(app, agenda, table_index=2)


def _break_table_double_booked(app: Flask, agenda: dict) -> None:
    _overlapping_slot_with(app, agenda, table_index=0)


def _break_company_in_two_meetings_of_one_slot(app: Flask, agenda: dict) -> None:
    """r3 (C1-C3) at 10:00 table 3 with no seats: C1 and C3 already meet others at 10:00."""
    with app.app_context():
        db.session.add(ScheduledMeeting(request_id=agenda["requests"][3], slot_id=agenda["slots"][0],
                                        table_id=agenda["tables"][2]))
        db.session.commit()


def _break_seat_for_a_stranger(app: Flask, agenda: dict) -> None:
    with app.app_context():
        stranger = factories.company(name="Stranger Trading LLP")
    c = agenda["companies"]
    _write(app, update(MeetingSeat).where(MeetingSeat.company_id == c[0], MeetingSeat.slot_id == agenda["slots"][0])
           .values(company_id=stranger))


def _break_seat_in_another_slot(app: Flask, agenda: dict) -> None:
    c = agenda["companies"]
    _write(app, update(MeetingSeat).where(MeetingSeat.company_id == c[1], MeetingSeat.slot_id == agenda["slots"][0])
           .values(slot_id=agenda["slots"][3]))


def _break_missing_seat(app: Flask, agenda: dict) -> None:
    c = agenda["companies"]
    with app.app_context():
        seat = db.session.scalar(select(MeetingSeat).where(MeetingSeat.company_id == c[3]))
        db.session.delete(seat)
        db.session.commit()


def _status(value: str) -> Callable[[Flask, dict], None]:
    def apply(app: Flask, agenda: dict) -> None:
        # Raw SQL: the ORM would bump the optimistic-lock version, the services refuse the move.
        _write(app, text("UPDATE meeting_request SET status = :s WHERE id = :r").bindparams(
            s=value, r=agenda["requests"][1]))
    return apply


def _break_deactivated(app: Flask, agenda: dict) -> None:
    _write(app, update(Company).where(Company.id == agenda["companies"][3]).values(active=False))


def _break_slot_outside_session(app: Flask, agenda: dict) -> None:
    with app.app_context():
        first = db.session.get(Slot, agenda["slots"][0])
        session_id, starts = first.session_id, first.starts_at
    _write(app, update(ForumSession).where(ForumSession.id == session_id).values(
        starts_at=starts + timedelta(minutes=10)))


def _break_slot_in_break(app: Flask, agenda: dict) -> None:
    with app.app_context():
        starts = db.session.get(Slot, agenda["slots"][1]).starts_at
        db.session.add(ForumBreak(starts_at=starts + timedelta(minutes=10), ends_at=starts + timedelta(minutes=25),
                                  label="Press conference"))
        db.session.commit()


def _break_unavailable(app: Flask, agenda: dict) -> None:
    with app.app_context():
        db.session.add(CompanyUnavailability(company_id=agenda["companies"][2], slot_id=agenda["slots"][1]))
        db.session.commit()


def _break_reserved_table(app: Flask, agenda: dict) -> None:
    with app.app_context():
        reserved = factories.delegation(name="Samarkand Region (Uzbekistan)")
    _write(app, update(VenueTable).where(VenueTable.id == agenda["tables"][1]).values(reserved_for_id=reserved))


def _break_session_preference(app: Flask, agenda: dict) -> None:
    _write(app, text("UPDATE meeting_request SET session_preference = 'afternoon' WHERE id = :r").bindparams(
        r=agenda["requests"][0]))


def _break_forum_dates(app: Flask, agenda: dict) -> None:
    from datetime import date

    _write(app, update(Forum).values(starts_on=date(2024, 10, 18), ends_on=date(2024, 10, 19)))


WHEN_10 = "Thu 17 Oct 2024, 10:00–10:20"
WHEN_1020 = "Thu 17 Oct 2024, 10:20–10:40"
WHEN_1010 = "Thu 17 Oct 2024, 10:10–10:30"
C = [f"Agenda Company {i}" for i in range(4)]
REWRITE = ("  Move the meeting (or take it off the agenda and place it again) in the agenda builder: that "
           "rewrites it.")
# The slots can only be rebuilt from an empty agenda: save_structure refuses while meetings are scheduled.
REBUILD = ("  Move its meetings to other slots in the agenda builder. To rebuild the slots: take every meeting off "
           "the agenda in the agenda builder (unlock the locked ones first), save the time structure again "
           "(Organizer → Agenda settings), then run the scheduler again.")

BROKEN = {
    "company_double_booked": (_break_company_double_booked, [
        f"- {C[1]} has two meetings at overlapping times: with {C[0]} ({WHEN_10}, table 1) and with {C[3]} "
        f"({WHEN_1010}, table 3).",
        "  Move all but one of them to another slot in the agenda builder.",
        f"- {C[3]} has two meetings at overlapping times: with {C[2]} ({WHEN_10}, table 2) and with {C[1]} "
        f"({WHEN_1010}, table 3).",
        "  Move all but one of them to another slot in the agenda builder.",
    ]),
    "table_double_booked": (_break_table_double_booked, [
        f"- Table 1 holds two meetings at overlapping times: {C[0]} ↔ {C[1]} ({WHEN_10}) and {C[1]} ↔ {C[3]} "
        f"({WHEN_1010}).",
        "  Move all but one of them to another table or slot in the agenda builder.",
        f"- Table 1 holds two meetings at overlapping times: {C[1]} ↔ {C[3]} ({WHEN_1010}) and {C[0]} ↔ {C[2]} "
        f"({WHEN_1020}).",
        "  Move all but one of them to another table or slot in the agenda builder.",
        # The same overlap, seen from the companies.
        f"- {C[1]} has two meetings at overlapping times: with {C[0]} ({WHEN_10}, table 1) and with {C[3]} "
        f"({WHEN_1010}, table 1).",
        "  Move all but one of them to another slot in the agenda builder.",
        f"- {C[3]} has two meetings at overlapping times: with {C[2]} ({WHEN_10}, table 2) and with {C[1]} "
        f"({WHEN_1010}, table 1).",
        "  Move all but one of them to another slot in the agenda builder.",
    ]),
    "company_in_two_meetings_of_one_slot": (_break_company_in_two_meetings_of_one_slot, [
        f"- {C[1]} has 2 meetings at the same time ({WHEN_10}): with {C[0]} at table 1; with {C[3]} at table 3.",
        "  Move all but one of them to another slot in the agenda builder.",
        f"- {C[3]} has 2 meetings at the same time ({WHEN_10}): with {C[2]} at table 2; with {C[1]} at table 3.",
        "  Move all but one of them to another slot in the agenda builder.",
        f"- The meeting {C[1]} ↔ {C[3]} ({WHEN_10}, table 3) is stored inconsistently: {C[1]} has no seat; "
        f"{C[3]} has no seat. The agenda may block or double-book these companies.",
        REWRITE,
    ]),
    "seat_for_a_stranger": (_break_seat_for_a_stranger, [
        f"- The meeting {C[0]} ↔ {C[1]} ({WHEN_10}, table 1) is stored inconsistently: {C[0]} has no seat; "
        "Stranger Trading LLP has a seat but is not in this meeting. The agenda may block or double-book these "
        "companies.",
        REWRITE,
    ]),
    "seat_in_another_slot": (_break_seat_in_another_slot, [
        f"- The meeting {C[0]} ↔ {C[1]} ({WHEN_10}, table 1) is stored inconsistently: the seat of {C[1]} is in "
        "another slot. The agenda may block or double-book these companies.",
        REWRITE,
    ]),
    "missing_seat": (_break_missing_seat, [
        f"- The meeting {C[2]} ↔ {C[3]} ({WHEN_10}, table 2) is stored inconsistently: {C[3]} has no seat. The "
        "agenda may block or double-book these companies.",
        REWRITE,
    ]),
    "cancelled": (_status("cancelled"), [
        f"- The meeting {C[2]} ↔ {C[3]} ({WHEN_10}, table 2) is on the agenda, but its request is cancelled: the "
        "two companies do not expect to meet.",
        "  Take it off the agenda, or accept the request again.",
    ]),
    "declined": (_status("declined"), [
        f"- The meeting {C[2]} ↔ {C[3]} ({WHEN_10}, table 2) is on the agenda, but its request is declined: the "
        "two companies do not expect to meet.",
        "  Take it off the agenda, or accept the request again.",
    ]),
    "still_requested": (_status("requested"), [
        f"- The meeting {C[2]} ↔ {C[3]} ({WHEN_10}, table 2) is on the agenda, but its request is still waiting "
        "for an answer: the two companies do not expect to meet.",
        "  Take it off the agenda, or accept the request again.",
    ]),
    "slot_outside_session": (_break_slot_outside_session, [
        f"- The slot {WHEN_10} lies outside its session (10:10–11:00); 2 meetings are in it.",
        REBUILD,
    ]),
    "slot_in_break": (_break_slot_in_break, [
        f"- The slot {WHEN_1020} overlaps the break “Press conference” (10:30–10:45); 1 meeting is in it.",
        REBUILD,
        "- The slot Thu 17 Oct 2024, 10:40–11:00 overlaps the break “Press conference” (10:30–10:45); 0 meetings "
        "are in it.",
        REBUILD,
    ]),
    "session_preference": (_break_session_preference, [
        f"- The meeting {C[0]} ↔ {C[1]} ({WHEN_10}, table 1) was asked for the afternoon but is placed in the "
        "other half of the day.",
        "  Move the meeting to a slot in the afternoon.",
    ]),
    "forum_dates": (_break_forum_dates, [
        f"- 2 meetings are on {WHEN_10}, outside the forum's dates (2024-10-18 to 2024-10-19).",
        "  Correct the forum's dates, or move the meetings.",
        f"- 1 meeting is on {WHEN_1020}, outside the forum's dates (2024-10-18 to 2024-10-19).",
        "  Correct the forum's dates, or move the meetings.",
    ]),
}


# States normal use creates (a company withdraws, marks a slot unavailable after the run, moves to another
# delegation): warnings, which an organizer should see but monitoring must not page anybody for.
WARNED = {
    "deactivated": (_break_deactivated, [
        f"- The meeting {C[2]} ↔ {C[3]} ({WHEN_10}, table 2) is on the agenda, but {C[3]} is deactivated: its "
        "partner would wait at the table for nobody.",
        "  Take the meeting off the agenda, or reactivate the company.",
    ]),
    "unavailable": (_break_unavailable, [
        f"- {C[2]} said it cannot attend {WHEN_1020}, but has its meeting with {C[0]} (table 1) then.",
        "  Move the meeting to a slot both companies can attend.",
    ]),
    "reserved_table": (_break_reserved_table, [
        f"- Table 2 is reserved for the delegation Samarkand Region (Uzbekistan), but holds {C[2]} ↔ {C[3]} "
        f"({WHEN_10}, table 2), where neither company belongs to it.",
        "  Move the meeting to another table.",
    ]),
}
WARNING_1 = "1 warning: the app allows this, but an organizer should look at it:"
NO_RULE_BROKEN = "(3 meetings checked; no rule is broken.)"


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_check_reports_each_broken_rule_as_an_error_exit_1(app: Flask, runner: FlaskCliRunner, agenda: dict,
                                                           case: str):
    breaker, expected = BROKEN[case]
    breaker(app, agenda)
    code, lines = _check(runner)
    count = sum(1 for line in expected if line.startswith("- "))
    assert code == 1
    assert lines[0] == (f"{count} problems found on the agenda:" if count > 1
                        else "1 problem found on the agenda:")
    assert lines[1:-1] == expected
    placed = 4 if case in ("company_double_booked", "table_double_booked", "company_in_two_meetings_of_one_slot") \
        else 3
    assert lines[-1] == f"({placed} meetings checked.)"
    # An error fails with or without --strict, and says so in the JSON too.
    assert _check(runner, "--strict") == (code, lines)
    result = runner.invoke(args=["check", "--json"])
    assert result.exit_code == 1
    assert {p["severity"] for p in json.loads(result.output)} == {"error"}


@pytest.mark.parametrize("case", sorted(WARNED))
def test_check_reports_an_allowed_state_as_a_warning_exit_0(app: Flask, runner: FlaskCliRunner, agenda: dict,
                                                            case: str):
    breaker, expected = WARNED[case]
    breaker(app, agenda)
    assert _check(runner) == (0, [WARNING_1, *expected, NO_RULE_BROKEN])
    # --strict: for an organizer's own pre-forum check, where a warning must stop the script too.
    assert _check(runner, "--strict") == (1, [WARNING_1, *expected, NO_RULE_BROKEN])
    code, lines = _check(runner, "--json")
    assert code == 0
    kind = {"deactivated": "company_deactivated", "unavailable": "company_unavailable",
            "reserved_table": "table_reserved"}[case]
    assert [(p["kind"], p["severity"]) for p in json.loads("\n".join(lines))] == [(kind, "warning")]


def test_check_deactivating_a_placed_company_is_a_warning(app: Flask, runner: FlaskCliRunner, agenda: dict):
    """Through the service an organizer uses: the company's meetings stay for the record, so `check` must not
    fail a cron job for it, only --strict does."""
    with app.app_context():
        company_admin.set_active(db.session.get(User, agenda["organizer"]), agenda["companies"][3], False)
    expected = [WARNING_1, *WARNED["deactivated"][1], NO_RULE_BROKEN]
    assert _check(runner) == (0, expected)
    assert _check(runner, "--strict") == (1, expected)


def test_check_unavailability_marked_after_scheduling_is_a_warning(app: Flask, runner: FlaskCliRunner,
                                                                   agenda: dict):
    """A delegate marks a slot unavailable after the agenda was built (the service allows it and moves nothing):
    a warning, exit 0; --strict exit 1."""
    with app.app_context():
        agenda_service.set_unavailable_slots(db.session.get(User, agenda["delegates"][2]), agenda["companies"][2],
                                             {agenda["slots"][1]})
    expected = [WARNING_1, *WARNED["unavailable"][1], NO_RULE_BROKEN]
    assert _check(runner) == (0, expected)
    assert _check(runner, "--strict") == (1, expected)


def test_check_prints_errors_and_warnings_under_their_own_headings(app: Flask, runner: FlaskCliRunner,
                                                                  agenda: dict):
    _status("cancelled")(app, agenda)
    _break_unavailable(app, agenda)
    _write(app, update(Company).where(Company.id == agenda["companies"][1]).values(active=False))
    assert _check(runner) == (1, [
        "1 problem found on the agenda:",
        *BROKEN["cancelled"][1],
        "2 warnings: the app allows these, but an organizer should look at them:",
        f"- The meeting {C[0]} ↔ {C[1]} ({WHEN_10}, table 1) is on the agenda, but {C[1]} is deactivated: its "
        "partner would wait at the table for nobody.",
        "  Take the meeting off the agenda, or reactivate the company.",
        *WARNED["unavailable"][1],
        "(3 meetings checked.)",
    ])


def test_check_json_lists_problems_with_their_ids(app: Flask, runner: FlaskCliRunner, agenda: dict):
    _status("cancelled")(app, agenda)
    _break_unavailable(app, agenda)
    result = runner.invoke(args=["check", "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.output)
    with app.app_context():
        meeting_of = dict(db.session.execute(select(ScheduledMeeting.request_id, ScheduledMeeting.id)).all())
    r = agenda["requests"]
    assert [p["kind"] for p in problems] == ["request_not_accepted", "company_unavailable"]
    assert problems[0] == {
        "kind": "request_not_accepted",
        "severity": "error",
        "message": f"The meeting {C[2]} ↔ {C[3]} ({WHEN_10}, table 2) is on the agenda, but its request is "
                   "cancelled: the two companies do not expect to meet.",
        "hint": "Take it off the agenda, or accept the request again.",
        "meeting_ids": [meeting_of[r[1]]], "request_ids": [r[1]],
        "company_ids": [agenda["companies"][2], agenda["companies"][3]],
        "slot_ids": [agenda["slots"][0]], "table_numbers": [2],
    }
    assert (problems[1]["severity"], problems[1]["request_ids"], problems[1]["company_ids"],
            problems[1]["slot_ids"]) == ("warning", [r[2]], [agenda["companies"][2]], [agenda["slots"][1]])


@pytest.mark.skipif(bool(PG_URL), reason="PostgreSQL enforces foreign keys always; only SQLite lets them be off")
def test_check_reports_a_meeting_whose_table_is_gone(app: Flask, runner: FlaskCliRunner, agenda: dict):
    """A hand edit with foreign keys off (sqlite3 on the server) leaves a meeting pointing at nothing."""
    with app.app_context(), db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.execute(text("DELETE FROM venue_table WHERE id = :t"), {"t": agenda["tables"][1]})
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    code, lines = _check(runner)
    assert code == 1
    assert lines[1:3] == [
        f"- The meeting {C[2]} ↔ {C[3]} ({WHEN_10}, a table that no longer exists) is on a slot or a table that "
        "no longer exists.",
        "  Move the meeting to an existing slot and table in the agenda builder.",
    ]


def test_check_reads_a_fixed_number_of_queries(app: Flask, agenda: dict, count_queries):
    """Set-based: the same queries for 3 meetings as for 18 (the 5,000 of a big forum are not 5,000 queries)."""
    with count_queries() as few:
        assert _problems(app) == []
    with app.app_context():
        taken = set(db.session.execute(select(ScheduledMeeting.slot_id, ScheduledMeeting.table_id)).all())
        for slot in agenda["slots"]:
            for table in agenda["tables"]:
                if (slot, table) not in taken:
                    a, b = factories.company(), factories.company()
                    factories.place(factories.accepted_request(a, b), slot, table)
        assert db.session.scalar(select(func.count()).select_from(ScheduledMeeting)) == 18
    with count_queries() as many:
        assert _problems(app) == []
    assert len(many) == len(few)
