"""Locale and time-zone selection, and formatting helpers for templates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from flask import Flask, current_app, g
from flask_babel import get_locale, get_translations


def select_locale() -> str:
    # English is the only catalog for now; the Languages issue adds ru, uz and kk with a switcher.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


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
