"""Password policy: long enough, not a well-known password, not the e-mail address."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

# 19,646 passwords most common in breach corpora (Django's list, BSD licence, from Royce Williams' compilation
# of leaked passwords), read once. PASSWORD_MIN_LENGTH may be lowered, so the short ones are kept too.
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"

# Guesses aimed at this platform and region, which no breach list holds.
FORUM_GUESSES = frozenset(
    """
    1234567890 0123456789 12345678910 1234567891 0987654321 1111111111 0000000000 1q2w3e4r5t
    qwertyuiop qwerty1234 qwerty12345 password12 password123 password1234 passw0rd123 iloveyou12
    1qaz2wsx3edc abcdefghij abcd123456 a1b2c3d4e5 asdfghjkl1 zxcvbnm123 letmein123 welcome123
    administrator admin12345 football12 princess12 sunshine12 baseball12 superman12 trustno1234
    12345qwert 123456789a 123qweasdzxc qazwsxedcrfv 1q2w3e4r5t6y 1qazxsw23edc qwer123456 password1!
    changeme123 default123 secret1234 forum12345 forum2024! kashkadarya almaty2024 tashkent2024
    almatyalmaty uzbekistan kazakhstan samarkand1 qarshi2024 investforum investment
    """.split()
)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().casefold() for line in handle if line.strip()) | FORUM_GUESSES


def password_problem(password: str, email: str = "") -> str | None:
    """Return why a password is refused, or None when it is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(min)d characters.", min=minimum)
    if len(password) > 200:
        return _("Use at most 200 characters.")
    lowered = password.casefold()
    if lowered in common_passwords() or len(set(password)) < 4:
        return _("This password is too easy to guess. Try a short phrase of several words.")
    local = email.split("@")[0].casefold()
    if local and len(local) >= 4 and (lowered == email.casefold() or local in lowered):
        return _("Do not use your e-mail address in your password.")
    return None
