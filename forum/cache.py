"""The page-fragment cache: the pages every delegate reloads all day ("My agenda", "My matches") keep their
expensive part, rendered, keyed on the content version.

Why fragments and not data or whole pages: building a page's data and rendering it are each about half of
its time (tests/benchmarks/load/profile_pages.py), and a whole page holds what belongs to one request (the
flashed messages, the CSRF token of the log-out form, "last updated"). A template wraps the costly part:

    {% call cached_fragment("agenda-cards", company.id, moment) %} ... {% endcall %}

and the part renders (loading its data lazily, inside the block) only on a miss.

Correctness rests on the key:
- ``content_version`` (models.ContentVersion, read with the forum's row): one database row that every committed write to what pages
  show changes, in the writer's own transaction (see ``_before_commit``). Every worker and app server reads
  it, so a meeting moved on one server is never shown at its old table by another, and a writer sees its
  own change on the next page it renders. Writes that no cached fragment shows (the outbox, notices,
  check-ins, logins, a calendar feed's last fetch) leave it alone, so that they do not empty the cache.
- the viewer (user id), the locale and the time zone, and the parts the template names (the company, the
  filters, the moment of the agenda).
- the CSRF token is stored as a placeholder and put back per request: a token belongs to a session.

Storage: Redis when REDIS_URL is set (every worker shares one copy), else each process's memory
(CACHE_MEMORY_MB). A Redis
that fails is skipped for a few seconds and the fragment is rendered: the cache can make a page faster,
never make it fail.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app, g
from flask_babel import get_locale, get_timezone
from markupsafe import Markup
from sqlalchemy import event, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from forum.extensions import db

log = logging.getLogger(__name__)

# Tables (all columns: None) or columns whose writes no cached fragment shows.
IGNORED_WRITES: dict[str, frozenset[str] | None] = {
    "content_version": None,
    "outbox_email": None,
    "notification": None,  # the header's unread count is read per request, outside any fragment
    "meeting_attendance": None,
    "meeting_feedback": None,
    "api_token": None,
    "user_account": frozenset({"last_login_at", "session_version", "password_hash", "locale",
                              "last_locale"}),
    "calendar_feed": frozenset({"last_fetched_at"}),
}

# Stands for the request's CSRF token in a stored fragment. Never produced by escaping user text.
CSRF_PLACEHOLDER = "\x00forum-csrf-5b0e3d\x00"
_FLAG = "forum_content_changed"


# --- the content version --------------------------------------------------------------------------------


def content_version() -> int | None:
    """The content version this request's fragments are keyed on, read with the forum's row
    (models.Forum.content_version) the first time it is asked for; None without a forum or the row, or when
    the database does not answer: then nothing is cached.

    A view that serves fragments calls this before it loads anything (``pin``): data read after the version
    can only be newer than it, which is harmless, while data read before it and rendered under a version
    that another server's commit made since would be served as that version's until the next write.
    """
    if "forum_content_version" not in g:
        from forum.services.forums import forum_for_request

        forum = forum_for_request()
        try:
            g.forum_content_version = forum.content_version if forum is not None else None
        except SQLAlchemyError:  # the expired row's refresh failed
            db.session.rollback()
            g.forum_content_version = None
    return g.forum_content_version


def pin() -> None:
    """Fix the request's content version now, before the view loads what its fragments show."""
    content_version()


def _shown(table: str, columns: set[str] | None = None) -> bool:
    """Whether a write to ``table`` can change what a fragment shows: ``columns``, the columns an update
    changed; None for a new or deleted row, or a bulk statement, which count as shown unless the whole
    table is ignored."""
    if table not in IGNORED_WRITES:
        return True
    ignored = IGNORED_WRITES[table]
    if ignored is None:
        return False
    return columns is None or not columns <= ignored


def _changed_columns(obj) -> set[str]:
    from sqlalchemy import inspect

    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _after_flush(session: Session, _context) -> None:
    if session.info.get(_FLAG):
        return
    for obj in (*session.new, *session.deleted):
        if _shown(getattr(obj, "__tablename__", "")):
            session.info[_FLAG] = True
            return
    for obj in session.dirty:
        table = getattr(obj, "__tablename__", "")
        if _shown(table, _changed_columns(obj) if table in IGNORED_WRITES else None) and \
                session.is_modified(obj):
            session.info[_FLAG] = True
            return


def _do_orm_execute(state) -> None:
    # Bulk statements (update(), delete(), insert() through the session) bypass the flush. A text() write
    # is not seen: the app has none, and one added would have to go through update() or change the version.
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(_FLAG):
        return
    table = getattr(state.statement, "table", None)
    if table is None or _shown(getattr(table, "name", "")):
        state.session.info[_FLAG] = True


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the flag waits for the commit of the whole transaction
    # The commit flushes after this hook: flush first so that the pending writes are seen.
    session.flush()
    if session.info.pop(_FLAG, False):
        from forum.models import ContentVersion

        # Last in the transaction, held only until the commit: no lock order to break.
        session.execute(update(ContentVersion).where(ContentVersion.id == 1)
                        .values(value=secrets.randbits(62)))
        session.info.pop(_FLAG, None)


def _after_transaction_end(session: Session, transaction) -> None:
    # A rolled-back savepoint keeps the flag (a needless new version is harmless); the end of the whole
    # transaction (commit or rollback) drops it.
    if transaction.parent is None:
        session.info.pop(_FLAG, None)


_listening = False


def _listen() -> None:
    global _listening
    if _listening:
        return
    from flask_sqlalchemy.session import Session as FlaskSession

    event.listen(FlaskSession, "after_flush", _after_flush)
    event.listen(FlaskSession, "do_orm_execute", _do_orm_execute)
    event.listen(FlaskSession, "before_commit", _before_commit)
    event.listen(FlaskSession, "after_transaction_end", _after_transaction_end)
    _listening = True


# --- storage --------------------------------------------------------------------------------------------


class MemoryStore:
    """This process's fragments, each for ``ttl`` seconds, in at most ``max_chars`` characters: the least
    recently used go first (an agenda or a match list is 20-50 KB)."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return found[1]

    def set(self, key: str, value: str, ttl: int) -> None:
        if len(value) > self.max_chars:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() + ttl, value)
            self._size += len(value)
            while self._size > self.max_chars:
                self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        self._size -= len(self._items.pop(key)[1])


class RedisStore:
    """Fragments in Redis, shared by every worker. After an error Redis is left alone for ``pause``
    seconds: a host that stopped answering must not cost every request a timeout."""

    def __init__(self, url: str, pause: float = 5.0) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._pause = pause
        self._down_until = 0.0

    def _failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._down_until:
            log.warning("page cache: Redis failed (%s); rendering without it for %.0f s", exc, self._pause)
        self._down_until = time.monotonic() + self._pause

    def get(self, key: str) -> str | None:
        if time.monotonic() < self._down_until:
            return None
        try:
            value = self._client.get(key)
        except Exception as exc:  # noqa: BLE001 (any Redis or socket error: render instead)
            self._failed(exc)
            return None
        return value.decode("utf-8") if value is not None else None

    def set(self, key: str, value: str, ttl: int) -> None:
        if time.monotonic() < self._down_until:
            return
        try:
            self._client.set(key, value.encode("utf-8"), ex=ttl)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)


def _store(app: Flask) -> MemoryStore | RedisStore | None:
    return app.extensions.get("forum_cache")


def init_app(app: Flask) -> None:
    """Listen for content writes (always: turning the cache on later must not serve old fragments) and
    choose the store. CACHE off: no store, every fragment renders."""
    _listen()
    if not app.config["CACHE"]:
        app.extensions["forum_cache"] = None
    elif app.config.get("REDIS_URL"):
        app.extensions["forum_cache"] = RedisStore(app.config["REDIS_URL"])
    else:
        app.extensions["forum_cache"] = MemoryStore(int(float(app.config["CACHE_MEMORY_MB"]) * 1024 * 1024))
    if not app.config.get("CACHE_KEY_PREFIX"):
        # Two forums sharing one Redis (staging and production) must not read each other's fragments.
        digest = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
        app.config["CACHE_KEY_PREFIX"] = f"forum:{digest}:"
    # A deploy that changes a template, a translation or the code's wording must not serve the old
    # release's HTML, nor share fragments with it while old and new workers run side by side.
    app.extensions["forum_cache_build"] = _build_id(app)
    app.jinja_env.globals["cached_fragment"] = cached_fragment


def _build_id(app: Flask) -> str:
    """A digest of the code, templates and compiled catalogs this process renders with."""
    template_folder = Path(app.template_folder or "templates")
    if not template_folder.is_absolute():
        template_folder = Path(app.root_path) / template_folder
    return _digest((Path(__file__).parent, template_folder))


@functools.cache
def _digest(roots: tuple[Path, ...]) -> str:
    # Once per process: the files do not change under a running release, and every app built in it (the
    # test suite builds thousands) would read them all again (about 8 ms).
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".mo") and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- fragments ------------------------------------------------------------------------------------------


def fragment_key(name: str, parts: tuple, per_viewer: bool = True) -> str | None:
    """The fragment's key for this request, or None when nothing may be cached (no version)."""
    from flask_login import current_user

    version = content_version()
    if version is None:
        return None
    viewer = (current_user.get_id() if current_user.is_authenticated else "-") if per_viewer else "*"
    raw = repr((version, viewer, str(get_locale()), str(get_timezone()), parts))
    build = current_app.extensions.get("forum_cache_build", "")
    return f"{current_app.config['CACHE_KEY_PREFIX']}{build}:frag:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_fragment(name: str, *parts, caller: Callable[[], str], per_viewer: bool = True,
                    enabled: bool = True) -> Markup:
    """Jinja call block: the block's HTML from the cache, or rendered and stored. ``parts``: what else the
    block's output depends on (the company, the filters, the moment). ``per_viewer=False`` shares one copy
    between all viewers: only for a block that reads nothing of the viewer beyond what ``parts`` names.
    ``enabled=False`` renders without the cache (a rare variant, such as a filtered list, that is not
    worth a copy, and whose keys a visitor could multiply at will)."""
    from flask_wtf.csrf import generate_csrf

    store = _store(current_app) if enabled else None
    key = fragment_key(name, parts, per_viewer) if store is not None else None
    if key is not None:
        found = store.get(key)
        if found is not None:
            if CSRF_PLACEHOLDER in found:
                found = found.replace(CSRF_PLACEHOLDER, generate_csrf())
            return Markup(found)
    html = str(caller())
    # A placeholder already in the HTML came from stored text, not from us: never swap a token into it.
    if key is not None and CSRF_PLACEHOLDER not in html:
        token = g.get("csrf_token")
        stored = html.replace(token, CSRF_PLACEHOLDER) if token else html
        store.set(key, stored, int(current_app.config["CACHE_TTL"]))
    return Markup(html)
