"""Locale and time-zone selection, and formatting helpers for templates."""

from __future__ import annotations

from datetime import date

from babel.dates import format_interval
from flask import current_app, g
from flask_babel import get_locale


def select_locale() -> str:
    # English is the only catalog for now; the Languages issue adds ru, uz and kk with a switcher.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    forum = g.get("current_forum")
    return forum.timezone if forum is not None else current_app.config["FORUM_TIMEZONE"]


def format_date_range(start: date, end: date) -> str:
    """A date range as the reader's locale writes it, e.g. "May 14 – 16, 2024"."""
    return format_interval(start, end, skeleton="yMMMd", locale=get_locale())
