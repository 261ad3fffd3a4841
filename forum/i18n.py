"""Locale and time-zone selection, and formatting helpers for templates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from flask import current_app
from flask_babel import get_locale


def select_locale() -> str:
    # English is the only catalog for now; the Languages issue adds ru, uz and kk with a switcher.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    from forum.services.forums import forum_for_request

    forum = forum_for_request()
    return forum.timezone if forum is not None else current_app.config["TIMEZONE"]


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
