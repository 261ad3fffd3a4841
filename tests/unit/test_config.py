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
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


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
