"""Online backups of the SQLite database, while the app keeps serving.

The copy goes through SQLite's backup API (``sqlite3.Connection.backup``), a page at a time, so it is a
consistent snapshot even while delegates and organizers write. It is written under a temporary name in the
target folder, checked (``PRAGMA integrity_check`` and the row count of every table), and only then given its
name: a backup file that exists is a whole, checked one. PostgreSQL is backed up with ``pg_dump`` instead;
``pg_dump_command`` gives the exact command.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from flask_babel import gettext as _
from sqlalchemy import make_url
from sqlalchemy.engine import URL

from forum.services.errors import ServiceError

# Pages copied per step (4 MB with SQLite's default 4 KiB pages): between steps the source is free for others.
PAGES_PER_STEP = 1024
# Seconds to pause between steps.
STEP_PAUSE = 0.005
# A write by another connection restarts a paged copy from the first page. Under a steady stream of writes it
# could restart for ever, so after this many restarts the copy is taken in one step: in WAL mode (the app's)
# that read never blocks a writer, and a forum's database copies in well under a second.
MAX_RESTARTS = 3


class BackupError(ServiceError):
    """The backup was refused (``refused``: nothing was written) or failed (nothing was left behind)."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass
class BackupResult:
    path: Path
    size: int  # bytes
    seconds: float
    # Rows per table in the copy.
    tables: dict[str, int]
    # Tables whose row count in the live database differs now from the copy's (copy, live): writes that came
    # after the snapshot. Empty when nobody wrote during the backup.
    changed_since: dict[str, tuple[int, int]] = field(default_factory=dict)
    # How often a write restarted the paged copy, and whether it was finally taken in one step.
    restarts: int = 0
    one_step: bool = False


class _Restarted(Exception):
    pass


def pg_dump_command(url: str | URL) -> str:
    """The pg_dump command for the database at ``url`` (the SQLAlchemy URL without its driver, password hidden)."""
    return "pg_dump --format=custom --file=forum-$(date +%F).dump " + shlex.quote(_libpq_url(url))


def pg_restore_commands(url: str | URL) -> list[str]:
    """Restore into a new, empty database rather than with --clean into the live one: a dump from an older
    version, or a failed restore, then leaves no mix of old and new tables behind."""
    parsed = make_url(url)
    where = (f" -h {shlex.quote(parsed.host)}" if parsed.host else "") + (f" -p {parsed.port}" if parsed.port else "")
    name, owner = shlex.quote(parsed.database or "forum"), shlex.quote(parsed.username or "forum")
    return [f"dropdb{where} {name} && createdb{where} --owner {owner} {name}",
            "pg_restore --no-owner -d " + shlex.quote(_libpq_url(url)) + " forum-YYYY-MM-DD.dump"]


def _libpq_url(url: str | URL) -> str:
    # pg_dump speaks libpq: postgresql://, not postgresql+psycopg://. The password is left out, never printed:
    # pg_dump reads it from ~/.pgpass or PGPASSWORD.
    # (URL.set cannot clear a field: None there means "unchanged".)
    return make_url(url)._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)


def default_backup_path(instance_path: str | Path, now: datetime | None = None) -> Path:
    """instance/backups/forum-20241017T083000Z.sqlite: sorts by time, and says it is UTC."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return Path(instance_path) / "backups" / f"forum-{moment:%Y%m%dT%H%M%SZ}.sqlite"


def sqlite_file(database_uri: str) -> Path:
    """The file behind a SQLite URL; BackupError for another database or an in-memory one."""
    url = make_url(database_uri)
    backend = url.get_backend_name()
    if backend == "postgresql":
        drop, restore = pg_restore_commands(url)
        message = _("This forum runs on PostgreSQL: “backup” copies SQLite databases only. Back it up with "
                    "pg_dump:\n  %(dump)s\nand restore such a file into a new, empty database, with the app "
                    "servers stopped (dropdb and createdb as PostgreSQL's superuser, e.g. sudo -u postgres):\n"
                    "  %(drop)s\n  %(restore)s", dump=pg_dump_command(url), drop=drop, restore=restore)
        if url.password:
            message += "\n" + _("(The password is left out: pg_dump reads it from ~/.pgpass or PGPASSWORD.)")
        raise BackupError(message, refused=True)
    if backend != "sqlite":
        raise BackupError(_("“backup” copies SQLite databases only; this forum runs on %(backend)s.",
                            backend=backend), refused=True)
    name = url.database or ""
    if not name or name == ":memory:" or "mode=memory" in str(url):
        raise BackupError(_("The database lives in memory only; there is no file to back up."), refused=True)
    return Path(name)


def _target(instance_path: str | Path, target: Path | None) -> Path:
    if target is None:
        path = default_backup_path(instance_path)
        try:
            # Backups hold every account's password hash and every company's contacts: private to the owner.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(_("Cannot create the folder %(folder)s: %(error)s", folder=path.parent,
                                error=exc.strerror or exc), refused=True) from None
    elif target.is_dir():
        # A folder: the backup gets the usual dated name inside it.
        path = target / default_backup_path(instance_path).name
    else:
        path = target
    folder = path.parent
    if path.exists() or path.is_symlink():
        raise BackupError(_("%(path)s already exists; a backup never overwrites a file. Choose another name.",
                            path=path), refused=True)
    if not folder.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist; create it first, or choose another place.",
                            folder=folder), refused=True)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(_("The folder %(folder)s is not writable for this user (%(user)s).", folder=folder,
                            user=_user()), refused=True)
    return path


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):  # pragma: no cover - not on Linux
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


def _connect_existing(path: Path) -> sqlite3.Connection:
    # mode=rw: never create an empty database where the real one was expected.
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=rw", uri=True, timeout=15,
                           isolation_level=None)


def _row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
            for name in names}


def _copy(source: sqlite3.Connection, copy: sqlite3.Connection) -> tuple[int, bool]:
    """Copy page by page; returns (restarts, taken in one step)."""
    restarts = 0
    last_remaining: int | None = None

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal restarts, last_remaining
        # Every step copies pages, so "remaining" falls; when it does not, a write sent the copy back to the
        # first page (after the first step, a restart leaves it where it was: not above, equal).
        if last_remaining is not None and remaining >= last_remaining:
            restarts += 1
            if restarts > MAX_RESTARTS:
                raise _Restarted
        last_remaining = remaining

    try:
        source.backup(copy, pages=PAGES_PER_STEP, progress=progress, sleep=STEP_PAUSE)
    except _Restarted:
        source.backup(copy, pages=-1)
        return restarts, True
    return restarts, False


def _remove(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def backup_sqlite(database_uri: str, instance_path: str | Path, target: Path | None = None) -> BackupResult:
    """Copy the live SQLite database to ``target`` (default: instance/backups/forum-<UTC time>.sqlite), check
    the copy, and return what it holds. Raises BackupError, with nothing left behind, when it cannot."""
    source_path = sqlite_file(database_uri)
    if not source_path.is_file():
        raise BackupError(_("There is no database file at %(path)s.", path=source_path), refused=True)
    path = _target(instance_path, target)
    started = time.perf_counter()
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except PermissionError:
        raise BackupError(_("The folder %(folder)s is not writable for this user (%(user)s).", folder=path.parent,
                            user=_user()), refused=True) from None
    except OSError as exc:
        raise BackupError(_("Cannot write in %(folder)s: %(error)s", folder=path.parent,
                            error=exc.strerror or exc)) from None
    os.close(fd)
    source = copy = None
    try:
        source = _connect_existing(source_path)
        copy = sqlite3.connect(partial, isolation_level=None)
        restarts, one_step = _copy(source, copy)
        # The live file is in WAL mode; the copy becomes one self-contained file (no -wal beside it).
        copy.execute("PRAGMA journal_mode=DELETE")
        verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise BackupError(_("The copy failed its integrity check (%(problem)s); it was deleted.",
                                problem="; ".join(verdict[:3])))
        tables = _row_counts(copy)
        live = _row_counts(source)
        copy.close()
        copy = None
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        _publish(partial, path)
    except BackupError:
        _remove(partial)
        raise
    except (sqlite3.Error, OSError) as exc:
        _remove(partial)
        raise BackupError(_("The backup failed: %(error)s. Nothing was written.", error=exc)) from None
    except BaseException:
        _remove(partial)
        raise
    finally:
        for conn in (copy, source):
            if conn is not None:
                conn.close()
    changed = {name: (rows, live.get(name, 0)) for name, rows in tables.items() if live.get(name, 0) != rows}
    changed.update({name: (0, rows) for name, rows in live.items() if name not in tables})
    return BackupResult(path=path, size=path.stat().st_size, seconds=time.perf_counter() - started,
                        tables=tables, changed_since=changed, restarts=restarts, one_step=one_step)


def _publish(partial: Path, path: Path) -> None:
    """Give the checked copy its name, refusing to replace a file that appeared meanwhile."""
    try:
        os.link(partial, path)  # fails if the name is taken, atomically
    except FileExistsError:
        raise BackupError(_("%(path)s appeared while the backup ran; a backup never overwrites a file.",
                            path=path), refused=True) from None
    except OSError:
        # A file system without hard links: the check and the rename are then two steps.
        if path.exists():
            raise BackupError(_("%(path)s appeared while the backup ran; a backup never overwrites a file.",
                                path=path), refused=True) from None
        os.rename(partial, path)
    else:
        partial.unlink()
    _fsync_folder(path.parent)
