"""Locale and time-zone selection, and formatting helpers for templates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import force_locale, get_locale, get_translations

# The interface languages, each named in itself: a reader scans the switcher for their own language's name.
# English is the source; forum/translations holds the others (tests/unit/test_catalogs.py keeps them complete).
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "uz": "Oʻzbekcha", "kk": "Қазақша"}

# The session key of a visitor's choice in the switcher (logged in or not).
SESSION_KEY = "locale"


def default_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    """The saved preference (the account's, else this browser's choice), then Accept-Language, then the
    forum's default. Outside a request (CLI, workers) the default."""
    if not has_request_context():
        return default_locale()
    from flask_login import current_user

    saved = getattr(current_user, "locale", None) if current_user else None
    if saved in LANGUAGES:
        return saved
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or default_locale()


def recipient_locale(user: object | None, fallback: str | None = None) -> str:
    """The language to write to someone in: their saved preference, else ``fallback``, else the forum's
    default. A notice to a partner must not come in the language of whoever caused it."""
    saved = getattr(user, "locale", None)
    if saved in LANGUAGES:
        return saved
    return fallback if fallback in LANGUAGES else default_locale()


@contextmanager
def writing_to(user: object | None, fallback: str | None = None) -> Iterator[None]:
    """Words translated inside the block are in the recipient's language (e-mails)."""
    with force_locale(recipient_locale(user, fallback)):
        yield


def select_timezone() -> str:
    from forum.services.forums import forum_for_request

    forum = forum_for_request()
    return forum.timezone if forum is not None else current_app.config["TIMEZONE"]


def _catalog():
    """The current locale's catalog, found once per request and locale. Flask-Babel's template callables look
    it up anew on every call (locale, string key, dict), and a page of 30 match cards makes a hundred of
    them: about 1 ms of every page."""
    locale = get_locale()
    cached = g.get("_forum_catalog")
    if cached is None or cached[0] is not locale:  # force_locale() swaps the Locale object: look again
        cached = g._forum_catalog = (locale, get_translations())
    return cached[1]


def install_template_gettext(app: Flask) -> None:
    """Templates' _() and ngettext() through the per-request catalog (Jinja formats the arguments)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalog().ugettext(s),
        ngettext=lambda s, p, n: _catalog().ungettext(s, p, n),
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
        newstyle=True)


def vary_by_language(app: Flask) -> None:
    """Pages are in the language of the account, the session or Accept-Language: a cache in between (a
    proxy, the browser's own) must not give one reader's page to another."""

    @app.after_request
    def _vary(response):
        if response.mimetype == "text/html":
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response


def format_date_range(start: date, end: date) -> str:
    """A date range as the reader's locale writes it, e.g. "May 14 – 16, 2024"."""
    return format_interval(start, end, skeleton="yMMMd", locale=get_locale())


def zone_label(zone: str) -> str:
    """"Asia/Tashkent (UTC+5)": delegates know offsets better than zone names."""
    offset = datetime.now(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    minutes_part = f":{rest:02d}" if rest else ""
    return f"{zone} (UTC{sign}{hours}{minutes_part})"
