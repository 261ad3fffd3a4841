"""Locale and time-zone selection, and formatting helpers for templates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations

# The interface languages, each named in itself: a reader scans the switcher for their own language's name.
# English is the source; forum/translations holds the others (tests/unit/test_catalogs.py keeps them complete).
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "uz": "Oʻzbekcha", "kk": "Қазақша"}

# This browser's choice in the switcher, logged in or not. A cookie of its own rather than the session:
# it outlives closing the browser and logging out, and the login session stays a session.
COOKIE = "forum_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def default_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def offered(code: object) -> str | None:
    """``code`` when it names an interface language (anything else, from a cookie or a form: None)."""
    return code if isinstance(code, str) and code in LANGUAGES else None


def browser_choice() -> str | None:
    """The language chosen in this browser's switcher, if any."""
    return offered(request.cookies.get(COOKIE))


def negotiate(accept_language: Iterable[tuple[str, float]]) -> str | None:
    """The first offered language in the browser's order of preference, matched on the primary subtag:
    "kk-KZ, ru;q=0.9, en;q=0.8" is Kazakh. (werkzeug's best_match prefers a lower-ranked exact "en" to
    "kk-KZ".) A "*" ends the search: the reader takes anything, so the forum's default."""
    for value, quality in accept_language:
        if quality <= 0:
            continue
        if value == "*":
            return None
        code = offered(value.replace("_", "-").split("-")[0].lower())
        if code:
            return code
    return None


def select_locale() -> str:
    """The account's saved language, then this browser's choice, then Accept-Language, then the forum's
    default. Outside a request (CLI, workers) the default."""
    if not has_request_context():
        return default_locale()
    from flask_login import current_user

    return (offered(getattr(current_user, "locale", None)) or browser_choice()
            or negotiate(request.accept_languages) or default_locale())


def remember_choice(response: Response, code: str) -> None:
    """Keep ``code`` as this browser's language (the switcher, or an account's saved language at login)."""
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


def recipient_locale(user: object | None, fallback: str | None = None) -> str:
    """The language to write to someone in: the one they chose; else ``fallback``, the language of the
    request when it is theirs (a reset they asked for, their phone's calendar app); else the one they last
    logged in with; else the forum's default. A notice to a partner must not come in the language of
    whoever caused it, so notices pass no fallback."""
    return (offered(getattr(user, "locale", None)) or offered(fallback)
            or offered(getattr(user, "last_locale", None)) or default_locale())


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


def register(app: Flask) -> None:
    @app.after_request
    def _language_of_pages(response: Response) -> Response:
        if response.mimetype != "text/html":
            return response
        # Pages are in the language of the account, the browser's choice or Accept-Language: a cache in
        # between (a proxy, the browser's own) must not give one reader's page to another.
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        # An account's language becomes this browser's too, so that pages after logging out keep it.
        from flask_login import current_user

        saved = offered(getattr(current_user, "locale", None))
        if saved and request.cookies.get(COOKIE) != saved and COOKIE not in _cookies_set(response):
            remember_choice(response, saved)
        return response


def _cookies_set(response: Response) -> set[str]:
    return {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}


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
