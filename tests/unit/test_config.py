"""Unit tests: configuration precedence and derived settings (forum.config through create_app).

Sources, weakest first: code defaults, <instance>/config.py, FORUM_* environment variables, the mapping
passed to create_app. Every test uses a temporary instance folder, never the real ROOT/instance.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from forum import ROOT, create_app


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # FORUM_TEST_DATABASE_URL and a developer's own FORUM_* settings must not leak into these tests.
    for name in list(os.environ):
        if name.startswith("FORUM_"):
            monkeypatch.delenv(name)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder


def _write_instance_config(instance: Path, text: str) -> None:
    (instance / "config.py").write_text(text, encoding="utf-8")


def test_config_directory_per_page_default_is_24(instance: Path):
    app = create_app(instance_path=instance)
    assert app.config["DIRECTORY_PER_PAGE"] == 24


def test_config_instance_file_beats_default(instance: Path):
    _write_instance_config(instance, "DIRECTORY_PER_PAGE = 10\n")
    app = create_app(instance_path=instance)
    assert app.config["DIRECTORY_PER_PAGE"] == 10


def test_config_environment_beats_instance_file(instance: Path, monkeypatch: pytest.MonkeyPatch):
    _write_instance_config(instance, "DIRECTORY_PER_PAGE = 10\n")
    monkeypatch.setenv("FORUM_DIRECTORY_PER_PAGE", "7")
    app = create_app(instance_path=instance)
    assert app.config["DIRECTORY_PER_PAGE"] == 7


def test_config_test_mapping_beats_environment(instance: Path, monkeypatch: pytest.MonkeyPatch):
    _write_instance_config(instance, "DIRECTORY_PER_PAGE = 10\n")
    monkeypatch.setenv("FORUM_DIRECTORY_PER_PAGE", "7")
    app = create_app({"DIRECTORY_PER_PAGE": 3}, instance_path=instance)
    assert app.config["DIRECTORY_PER_PAGE"] == 3


def test_config_instance_path_defaults_to_root_instance():
    # Only reads the path: a test mapping with a secret key means nothing is written there.
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.instance_path == str(ROOT / "instance")


def test_config_instance_path_override_is_used(instance: Path):
    app = create_app(instance_path=instance)
    assert app.instance_path == str(instance.resolve())


def test_config_secret_key_generated_on_first_start_with_mode_0600(instance: Path):
    app = create_app(instance_path=instance)
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_config_secret_key_reused_on_next_start(instance: Path):
    first = create_app(instance_path=instance).config["SECRET_KEY"]
    second = create_app(instance_path=instance).config["SECRET_KEY"]
    assert second == first


def test_config_secret_key_from_settings_writes_no_key_file(instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORUM_SECRET_KEY", "from-the-environment")
    app = create_app(instance_path=instance)
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert (instance / "secret_key").exists() is False


def test_config_default_database_is_sqlite_in_instance_folder(instance: Path):
    app = create_app(instance_path=instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance.resolve() / 'forum.sqlite'}"
    # SQLite has no pool worth pinging.
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_config_database_url_gets_psycopg_driver(instance: Path, monkeypatch: pytest.MonkeyPatch, url: str):
    monkeypatch.setenv("FORUM_DATABASE_URL", url)
    app = create_app(instance_path=instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    # Pre-ping for connections PostgreSQL closed, and a connect timeout for a host that stopped answering.
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}


def test_config_connect_timeout_in_the_url_wins(instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORUM_DATABASE_URL", "postgresql://u@h/db?connect_timeout=30")
    app = create_app(instance_path=instance)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


def test_config_redis_limits_get_short_socket_timeouts(instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORUM_REDIS_URL", "redis://127.0.0.1:6379/0")
    app = create_app(instance_path=instance)
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_config_database_url_with_explicit_driver_kept(instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORUM_DATABASE_URL", "postgresql+psycopg://u:p@h:5433/db")
    app = create_app(instance_path=instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h:5433/db"


def test_config_database_url_from_instance_file(instance: Path):
    _write_instance_config(instance, 'DATABASE_URL = "postgresql://forum@db.internal/forum"\n')
    app = create_app(instance_path=instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://forum@db.internal/forum"


def test_config_forum_timezone_drives_babel_default_timezone(instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORUM_TIMEZONE", "Asia/Almaty")
    app = create_app(instance_path=instance)
    assert (app.config["TIMEZONE"], app.config["BABEL_DEFAULT_TIMEZONE"]) == ("Asia/Almaty", "Asia/Almaty")


def test_config_remember_cookie_follows_secure_session_cookie(instance: Path, monkeypatch: pytest.MonkeyPatch):
    assert create_app(instance_path=instance).config["REMEMBER_COOKIE_SECURE"] is False
    monkeypatch.setenv("FORUM_SESSION_COOKIE_SECURE", "true")
    assert create_app(instance_path=instance).config["REMEMBER_COOKIE_SECURE"] is True


def test_config_rate_limit_storage_is_memory_without_redis(instance: Path):
    from forum.extensions import limiter

    app = create_app(instance_path=instance)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert type(limiter.storage).__name__ == "MemoryStorage"


def test_config_redis_url_becomes_the_rate_limit_storage(instance: Path, monkeypatch: pytest.MonkeyPatch):
    # Every gunicorn worker and app server then counts in one place. Building the app does not connect.
    from forum.extensions import limiter

    monkeypatch.setenv("FORUM_REDIS_URL", "redis://cache.internal:6379/2")
    app = create_app(instance_path=instance)
    assert (app.config["REDIS_URL"], app.config["RATELIMIT_STORAGE_URI"]) == ("redis://cache.internal:6379/2",) * 2
    assert type(limiter.storage).__name__ == "RedisStorage"


def test_config_explicit_rate_limit_storage_wins_over_redis_url(instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORUM_REDIS_URL", "redis://cache.internal:6379/2")
    monkeypatch.setenv("FORUM_RATELIMIT_STORAGE_URI", "redis://limits.internal:6379/0")
    app = create_app(instance_path=instance)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://limits.internal:6379/0"


def test_config_redis_url_from_instance_file(instance: Path):
    _write_instance_config(instance, 'REDIS_URL = "redis://127.0.0.1:6379/0"\n')
    app = create_app(instance_path=instance)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("value", ["xml", "JSON", ""])
def test_config_bad_log_format_is_a_clear_error(instance: Path, monkeypatch: pytest.MonkeyPatch, value: str):
    monkeypatch.setenv("FORUM_LOG_FORMAT", value)
    with pytest.raises(ValueError) as refused:
        create_app(instance_path=instance)
    assert str(refused.value) == f"LOG_FORMAT must be 'json' or 'text', not {value!r}"


def test_config_log_format_chooses_the_app_log_lines(instance: Path, monkeypatch: pytest.MonkeyPatch):
    # The "forum" logger is one per process: the format of the app built last is the one in force, alone.
    from forum.observability import JsonFormatter, TextFormatter

    assert [type(h.formatter) for h in create_app(instance_path=instance).logger.handlers] == [JsonFormatter]
    monkeypatch.setenv("FORUM_LOG_FORMAT", "text")
    app = create_app(instance_path=instance)
    assert app.config["LOG_FORMAT"] == "text"
    assert [type(h.formatter) for h in app.logger.handlers] == [TextFormatter]


def test_config_request_log_switch_read_from_environment(instance: Path, monkeypatch: pytest.MonkeyPatch):
    assert create_app(instance_path=instance).config["REQUEST_LOG"] is True
    monkeypatch.setenv("FORUM_REQUEST_LOG", "false")
    assert create_app(instance_path=instance).config["REQUEST_LOG"] is False


@pytest.mark.parametrize(("name", "value"), [("CACHE_TTL", "0"), ("CACHE_TTL", '"ten"'), ("CACHE_MEMORY_MB", "-1"),
                                             ("CACHE_MEMORY_MB", "true")])
def test_config_bad_cache_sizes_are_a_clear_error(instance: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                                  value: str):
    monkeypatch.setenv(f"FORUM_{name}", value)
    with pytest.raises(ValueError, match=f"^{name} must be a positive number of "):
        create_app(instance_path=instance)


def test_config_cache_switch_and_store(instance: Path, monkeypatch: pytest.MonkeyPatch):
    from forum.cache import MemoryStore, RedisStore

    assert isinstance(create_app(instance_path=instance).extensions["forum_cache"], MemoryStore)
    monkeypatch.setenv("FORUM_REDIS_URL", "redis://127.0.0.1:6379/14")
    assert isinstance(create_app(instance_path=instance).extensions["forum_cache"], RedisStore)
    monkeypatch.setenv("FORUM_CACHE", "false")
    assert create_app(instance_path=instance).extensions["forum_cache"] is None


def test_memory_cache_keeps_within_its_size_and_forgets_expired_parts(monkeypatch: pytest.MonkeyPatch):
    from forum import cache

    store = cache.MemoryStore(max_chars=10)
    store.set("a", "aaaa", ttl=60)
    store.set("b", "bbbb", ttl=60)
    assert store.get("a") == "aaaa"  # now the most recently used
    store.set("c", "cccc", ttl=60)  # 12 characters: the least recently used (b) goes
    assert (store.get("a"), store.get("b"), store.get("c")) == ("aaaa", None, "cccc")
    store.set("big", "x" * 11, ttl=60)  # larger than the whole store: not kept, nothing dropped for it
    assert (store.get("big"), store.get("a")) == (None, "aaaa")
    now = cache.time.monotonic()
    monkeypatch.setattr(cache.time, "monotonic", lambda: now + 61)
    assert store.get("a") is None
