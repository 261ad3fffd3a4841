"""The forum matchmaking platform: a Flask application factory."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from forum import config
from forum.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Several gunicorn workers share the file: in WAL mode readers never wait for a writer (a delegate's
        # agenda still loads while an organizer saves), and a writer waits up to 15 s for another one
        # instead of failing with "database is locked". The mode is stored in the file; memory databases
        # keep theirs.
        cursor.execute(f"PRAGMA busy_timeout={config.SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | Path | None = None) -> Flask:
    """Build the app. The instance folder is ``instance_path`` (tests use a temporary folder), else
    ``FORUM_INSTANCE_PATH`` (a server keeps its data outside the code tree, e.g. /var/lib/forum), else
    ROOT/instance."""
    instance_path = instance_path or os.environ.get("FORUM_INSTANCE_PATH") or ROOT / "instance"
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FORUM")
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.finalize(app)
    if app.config["PROXY_FIX_HOPS"]:
        # Behind N trusted proxies, the client's address and scheme come from X-Forwarded-For/-Proto.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from forum import cli, errors, observability, security

    # First: its before_request must run before CSRFProtect's, which may refuse the request.
    observability.register(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    errors.register(app)
    security.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from forum import (
        i18n,
        models,  # noqa: F401  (models must be imported before migrations look at them)
    )
    from forum.i18n import install_template_gettext, select_locale, select_timezone

    db.init_app(app)
    from forum import cache

    cache.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    install_template_gettext(app)
    i18n.register(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")

    @login_manager.user_loader
    def load_user(user_id: str):
        """``"<id>:<session_version>"`` from User.get_id. A bumped version (password reset, disabling,
        "Log out everywhere") or a disabled account ends the session and the remember-me cookie; the
        plain ``"<id>"`` of sessions made before versions existed is refused too."""
        from forum.models import User

        try:
            raw_id, _sep, raw_version = user_id.partition(":")
            wanted_id, version = int(raw_id), int(raw_version)
        except ValueError:
            return None
        if not 0 < wanted_id < 2**31:  # the ids of an INTEGER column; SQLite overflows on larger ones
            return None
        try:
            user = db.session.get(User, wanted_id)
        except SQLAlchemyError:
            db.session.rollback()  # leave no broken transaction behind for the rest of the request
            return None
        if user is None or not user.active or user.session_version != version:
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    from forum.agenda import bp as agenda_bp
    from forum.api import bp as api_bp
    from forum.auth import bp as auth_bp
    from forum.companies import bp as companies_bp
    from forum.main import bp as main_bp
    from forum.meetings import bp as meetings_bp
    from forum.organizer import bp as organizer_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(companies_bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(agenda_bp)
    # The API checks CSRF itself, and only for browser sessions: a bearer token is not sent by browsers
    # on their own, so it needs none.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def _register_template_helpers(app: Flask) -> None:
    from forum.i18n import LANGUAGES, format_date_range, zone_label
    from forum.languages import language_label
    from forum.services.forums import forum_for_request

    @app.context_processor
    def inject_forum() -> dict[str, Any]:
        return {"current_forum": forum_for_request}

    from flask_babel import get_locale

    app.jinja_env.globals["format_date_range"] = format_date_range
    app.jinja_env.globals["query_args"] = _query_args
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["interface_languages"] = LANGUAGES
    app.jinja_env.globals["zone_label"] = zone_label
    app.jinja_env.filters["language_label"] = language_label
    app.jinja_env.globals["unread_notices"] = _unread_notices
    app.jinja_env.filters["web_link"] = _web_link


def _web_link(url: str | None) -> str:
    """An http(s) address to link to, or "" for anything else. Every input path cleans websites already;
    this keeps a row written any other way (an old import, a database edit) from becoming a
    javascript: or data: link."""
    text = (url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


def _unread_notices() -> int:
    """The header's badge on "Meetings": what changed since the company's people last looked."""
    from flask_login import current_user

    from forum.services.meetings import unread_count

    if not current_user.is_authenticated or not current_user.company_id:
        return 0
    return unread_count(current_user.company_id)


def _query_args() -> dict[str, str]:
    """The current query string as ``url_for`` keywords, for links that keep the filters.

    Leaves out the names ``url_for`` itself takes (``endpoint``, ``_external``, ``_anchor``, ``_method``,
    ...): passed on, ``?endpoint=x`` or ``?_method=POST`` made every such link a server error.
    """
    return {key: value for key, value in request.args.items() if key != "endpoint" and not key.startswith("_")}
