"""Configuration: code defaults, then ``instance/config.py``, then ``FORUM_*`` environment variables.

Every setting here is documented in the README's "Configuration" table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask

# SQLite's wait for the database's write lock (set on every connection; not a setting): a writer waits for
# another instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 15000


class Defaults:
    # Filled in by ``finalize``: read from instance/secret_key, generated on first start.
    SECRET_KEY: str | None = None
    # None means the embedded SQLite database in instance/forum.sqlite.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Set as FORUM_TIMEZONE in the environment (the FORUM_ prefix is stripped).
    TIMEZONE = "Asia/Tashkent"
    BABEL_DEFAULT_LOCALE = "en"

    DIRECTORY_PER_PAGE = 24
    PASSWORD_MIN_LENGTH = 10
    # Seconds a password-reset link works (it also stops once used or when the password changes).
    PASSWORD_RESET_MAX_AGE = 3600
    IMPORT_MAX_ROWS = 5000
    # Suggestions kept per company; the "My matches" filters choose among them.
    MATCHES_STORED = 30

    # E-mail: every message is written to the outbox table in the request's transaction; with MAIL_SERVER,
    # `flask deliver-mail` (a service of its own) sends them. Without it they are only kept and logged.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "forum@localhost"
    # Uploads (CSV) and form posts: anything larger is refused with a 413 page.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024

    # JSON API: requests per token (or per logged-in user, or per address) in a moving window.
    API_RATE_LIMIT = "600 per minute"
    # Requests with a wrong, expired or revoked token, per address.
    API_REJECTED_TOKEN_LIMIT = "30 per minute"
    # Redis shared by every app server and worker: when set (redis://127.0.0.1:6379/0), Flask-Limiter's
    # counters live there unless RATELIMIT_STORAGE_URI names another store. Unset: each process counts alone.
    REDIS_URL: str | None = None
    # The page-fragment cache (forum/cache.py) of "My agenda" and "My matches": in Redis when REDIS_URL is
    # set, else in each worker's memory (at most CACHE_MEMORY_MB of it). A fragment is dropped by any write
    # to what it shows, on every server at once; CACHE_TTL (seconds) only bounds how long an unused one
    # stays. False: every page renders in full.
    CACHE = True
    CACHE_TTL = 600
    CACHE_MEMORY_MB = 32
    # Prefix of the cache's Redis keys. None: derived from the database URL, so that two forums sharing
    # one Redis never read each other's fragments.
    CACHE_KEY_PREFIX: str | None = None
    # Flask-Limiter's counters: "memory://" per process; "redis://host:6379" to share them between workers.
    # None: REDIS_URL when set, else "memory://".
    RATELIMIT_STORAGE_URI: str | None = None
    # When Redis is down or restarting, limits are counted in each process's memory until it answers again,
    # and any other storage error lets the request through: a broken counter must never lock every
    # delegate out of the forum (a 500 on every login) while the database is fine.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Every limit counts in a moving window: a fixed window would let twice the budget through around the
    # turn of a minute (5 at 12:00:59, 5 more at 12:01:00).
    RATELIMIT_STRATEGY = "moving-window"
    # Login attempts per client address, successful or not. Sized for the venue, not for an attacker: up to
    # ~1000 delegates sit behind the forum Wi-Fi's one NAT address. When a session opens, ~300 of them may log
    # in within 5-10 minutes (30-60 a minute, plus typos); over the first hour of a day, ~1000 people on one or
    # two devices make ~1500 attempts. Guessing is stopped by the per-account limit below; this one caps what
    # one address costs in password hashing (100 a minute is a fraction of one core).
    LOGIN_RATE_LIMIT_PER_ADDRESS = "100 per minute; 2000 per hour"
    # FAILED logins per e-mail address typed (known or not), from any address: a botnet gets at most 30 guesses
    # an hour at one password. A person who mistypes on a phone rarely fails 5 times in a minute; successful
    # logins (logging in and out on a shared phone) do not count.
    LOGIN_RATE_LIMIT_PER_ACCOUNT = "5 per minute; 30 per hour"
    # Every login attempt per typed e-mail, successful or not, counted before the password is checked: caps
    # bursts of parallel guesses that the failure budget above only sees afterwards.
    LOGIN_ATTEMPT_LIMIT_PER_ACCOUNT = "10 per minute; 60 per hour"
    # Sign-up posts per client address (a refused form counts too): a room of 100 companies told to register
    # now, on one NAT, with a retry or two each; a spammer gets 300 junk companies an hour at most.
    SIGNUP_RATE_LIMIT = "30 per minute; 300 per hour"
    # "Forgot your password?" posts per client address. Each may send an e-mail, so this caps the mail one
    # address can make the forum send; a room told "use Forgot your password" (20 at once on one NAT) and
    # a morning of forgotten passwords at the venue stay below it.
    PASSWORD_RESET_RATE_LIMIT = "20 per minute; 200 per hour"
    # Reverse proxies in front of the app (nginx: 1). With 0, X-Forwarded-For is ignored and every limit
    # counts the proxy's address; set it to the real number of hops, never more (a client could then forge
    # its address in X-Forwarded-For).
    PROXY_FIX_HOPS = 0
    # Largest JSON body the API accepts, in bytes (uploads keep MAX_CONTENT_LENGTH).
    API_MAX_BODY = 64 * 1024

    # One JSON line per request on stderr (method, path, status, duration, user, request id).
    REQUEST_LOG = True
    # "json": the app's own messages and tracebacks are JSON lines too; "text": Flask's plain format.
    LOG_FORMAT = "json"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A delegate may fill the sign-up form slowly on a phone; an hour is too short.
    WTF_CSRF_TIME_LIMIT = 8 * 3600


def _database_uri(url: str | None, instance_path: Path) -> str:
    if not url:
        return f"sqlite:///{instance_path / 'forum.sqlite'}"
    # Accept the plain PostgreSQL URLs admins paste, and pin the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance_path: Path) -> str:
    key_file = instance_path / "secret_key"
    key = secrets.token_hex(32)
    try:
        # O_EXCL: when two workers start at once, one writes and the other reads the same key;
        # mode 0600 from the first byte, so the key is never readable by others.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker may have created the file a moment ago and still be writing it.
        for _ in range(100):
            existing = key_file.read_text().strip()
            if existing:
                return existing
            time.sleep(0.01)
        raise RuntimeError(f"{key_file} is empty; delete it to generate a new secret key") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def finalize(app: Flask) -> None:
    """Derive settings that depend on others once every source has been read."""
    instance_path = Path(app.instance_path)
    cfg = app.config
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = _database_uri(cfg.get("DATABASE_URL"), instance_path)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(instance_path)
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg["TIMEZONE"]
    from forum.i18n import LANGUAGES

    if cfg["BABEL_DEFAULT_LOCALE"] not in LANGUAGES:
        raise ValueError(f"BABEL_DEFAULT_LOCALE must be one of {', '.join(LANGUAGES)}, "
                         f"not {cfg['BABEL_DEFAULT_LOCALE']!r}")
    if cfg["LOG_FORMAT"] not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be 'json' or 'text', not {cfg['LOG_FORMAT']!r}")
    for name, unit in (("CACHE_TTL", "seconds"), ("CACHE_MEMORY_MB", "megabytes")):
        value = cfg[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"{name} must be a positive number of {unit}, not {value!r}")
    if not cfg.get("RATELIMIT_STORAGE_URI"):
        # Several gunicorn workers or app servers must share one count, or each would allow the whole budget.
        cfg["RATELIMIT_STORAGE_URI"] = cfg.get("REDIS_URL") or "memory://"
    if str(cfg["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://", "redis+")):
        # A Redis host that stops answering must cost a request one second, not hold a worker for minutes.
        cfg["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1,
                                            **(cfg.get("RATELIMIT_STORAGE_OPTIONS") or {})}
    # The remember-me cookie is a long-lived login: it must be as protected as the session cookie.
    cfg.setdefault("REMEMBER_COOKIE_SECURE", cfg["SESSION_COOKIE_SECURE"])
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A database host that stops answering fails the health check and the request in 5 s, instead of
        # holding a worker for the operating system's TCP timeout. A URL's own connect_timeout wins.
        options = dict(cfg["SQLALCHEMY_ENGINE_OPTIONS"])
        if "connect_timeout" not in cfg["SQLALCHEMY_DATABASE_URI"]:
            options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite has no connection pool worth pinging.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            k: v for k, v in cfg["SQLALCHEMY_ENGINE_OPTIONS"].items() if k != "pool_pre_ping"
        }
