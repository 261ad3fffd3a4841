"""Cleaning and checking single values, shared by the web forms and the CSV importer.

Each ``clean_*`` returns the cleaned value or raises ``ValueError`` with a message a person can act on.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from forum.matching.vectorize import APOSTROPHES
from forum.models.company import WEBSITE_MAX

# Control characters break CSV exports and PostgreSQL refuses NUL outright; keep tabs and newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not multiline:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    return text.strip()


def check_length(value: str, maximum: int, label: str) -> str:
    if len(value) > maximum:
        raise ValueError(
            _("%(field)s is too long: %(length)d characters, at most %(max)d.",
              field=label, length=len(value), max=maximum)
        )
    return value


def clean_email(value: str) -> str:
    text = clean_text(value)
    if not text:
        raise ValueError(_("Enter an e-mail address."))
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(_("“%(value)s” is not a valid e-mail address.", value=text[:80])) from None
    return result.normalized.lower()


# A URL that names its scheme ("https://", "ftp://") or is one of the schemes that need no slashes and
# must never become a link ("javascript:", "data:"). Anything else is a bare address like "example.kz".
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*://|(javascript|vbscript|data|file|mailto|tel):)", re.IGNORECASE)


def clean_website(value: str) -> str:
    """Accept "example.kz" or a full http(s) URL; return a full URL, or "" when empty."""
    text = clean_text(value)
    if not text:
        return ""
    if not _SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        scheme, host = parts.scheme, parts.hostname or ""
    except ValueError:  # e.g. "http://[::1": urlsplit's own message is no help to a person
        scheme, host = "", ""
    if scheme not in ("http", "https") or "." not in host or " " in text or host.startswith("."):
        raise ValueError(_("Enter a website address such as example.kz."))
    # Checked after "https://" is added: the column must hold the cleaned value.
    return check_length(text, WEBSITE_MAX, _("Website"))


_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,}$")


def clean_phone(value: str) -> str:
    text = clean_text(value)
    if text and not _PHONE.match(text):
        raise ValueError(_("Enter a phone number with digits, spaces and an optional leading +."))
    return text


_ONE_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


def fold_apostrophes(text: str) -> str:
    """One apostrophe for all: Uzbek Latin writes oʻ and gʻ with U+02BB, but keyboards type ' or ‘ or `."""
    return text.translate(_ONE_APOSTROPHE)


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: an open redirect (after login, after choosing
    a language) is a phishing tool."""
    if not target:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        # Browsers drop tabs and newlines ("/\t/evil.example" is "//evil.example"), and a newline in
        # the Location header is a server error: such a target is never a link of ours.
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target

