"""Rate limits on the doors a guesser or a spammer knocks on: login, sign-up and the password-reset request.

Two budgets guard ``POST /login``:

- per client address (``LOGIN_RATE_LIMIT_PER_ADDRESS``), every attempt counts. It caps the volume (and the
  password-hashing work) one address can cause. It is generous on purpose: at the forum, hundreds of
  delegates share the venue Wi-Fi's single NAT address, and their morning login rush must pass;
- per account (``LOGIN_RATE_LIMIT_PER_ACCOUNT``), keyed on the e-mail as typed (stripped, lower-cased),
  whatever the address, so that a botnet spread over many addresses still gets only a few guesses at one
  password. Only FAILED attempts count (``deduct_when``): a delegate who logs in and out again on a shared
  phone, or on a laptop and then a phone, spends nothing. Because that budget is deducted after the
  answer, parallel guesses could all pass its check; a second, larger budget of all attempts per account
  (``LOGIN_ATTEMPT_LIMIT_PER_ACCOUNT``), counted atomically up front, caps such bursts. The budget is checked before the password is, so
  once it is spent even the right password waits: otherwise the limit would stop nothing. The key is the
  typed address whether or not an account has it, so the answers for known and unknown e-mails are the same
  (no account enumeration).

``POST /signup`` and ``POST /password/forgot`` are limited per address. GETs are never limited.

A refusal is a 429 page in the site's style that says how long to wait (with ``Retry-After``); under
``/api/`` it stays the API's problem+json. The handler is registered for the whole app through the auth
blueprint, so it applies wherever a Flask-Limiter limit is breached.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from werkzeug.wrappers import Response

from forum.auth import bp
from forum.extensions import limiter
from forum.validation import clean_text

F = TypeVar("F", bound=Callable)


def _setting(name: str) -> Callable[[], str]:
    # Read per request, so each app (and each test's app_config) has its own numbers.
    return lambda: current_app.config[name]


def address_key() -> str:
    """The client's address (after ProxyFix, when PROXY_FIX_HOPS says there are proxies in front). An IPv6
    client usually holds a whole /64, so that is counted as one address."""
    address = request.remote_addr or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address}"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return f"address:{parsed.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{parsed}/64', strict=False)}"
    return f"address:{parsed}"


def typed_email() -> str:
    """The e-mail of the login form as the account lookup sees it: cleaned as the form's fields are (NFC,
    control characters dropped, spaces trimmed), then lower-cased. Anything less, and "a@b.kz\x01" would
    open a fresh budget for the same account."""
    return clean_text(request.form.get("email")).lower()


def account_key() -> str:
    # Hashed: a fixed-size key however long the typed text, and no e-mail addresses in the counters' store.
    return "account:" + hashlib.sha256(typed_email().encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _no_email() -> bool:
    # A post without an e-mail guesses no one's password (the form refuses it): no account budget to spend.
    return not typed_email()


def login_failed(response: Response) -> bool:
    """A login that let no one in: any answer but a redirect (the form shown again for a wrong password, an
    unknown e-mail or a disabled account). Not counted: a 429, which is already a refusal, and a 5xx, which
    is our fault, not the visitor's."""
    code = response.status_code
    return code < 300 or (400 <= code < 500 and code != 429)


def _login_address_message() -> str:
    return _("There have been too many login attempts from your network. "
             "Please wait %(wait)s and try again.", wait=_wait_text())


def _login_account_message() -> str:
    return _("There have been too many failed logins for this e-mail address. For the account's safety, "
             "please wait %(wait)s and try again, or reset your password.", wait=_wait_text())


def _signup_message() -> str:
    return _("There have been too many sign-ups from your network. Please wait %(wait)s and try again.",
             wait=_wait_text())


def _reset_message() -> str:
    return _("There have been too many password-reset requests from your network. "
             "Please wait %(wait)s and try again.", wait=_wait_text())


def _compose(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(view: F) -> F:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return apply


login = _compose(
    limiter.limit(_setting("LOGIN_RATE_LIMIT_PER_ADDRESS"), key_func=address_key, methods=["POST"],
                  scope="address", error_message=_login_address_message),
    # Every attempt, counted before the password is checked: the failure budget below is only deducted once
    # an answer exists, so a burst of parallel guesses would all pass its check; this budget's hit is atomic.
    limiter.limit(_setting("LOGIN_ATTEMPT_LIMIT_PER_ACCOUNT"), key_func=account_key, methods=["POST"],
                  scope="account-attempts", exempt_when=_no_email, error_message=_login_account_message),
    limiter.limit(_setting("LOGIN_RATE_LIMIT_PER_ACCOUNT"), key_func=account_key, methods=["POST"],
                  scope="account", deduct_when=login_failed, exempt_when=_no_email,
                  error_message=_login_account_message),
)
"""Decorator for the login view (under ``@bp.route``)."""

signup = limiter.limit(_setting("SIGNUP_RATE_LIMIT"), key_func=address_key, methods=["POST"], scope="address",
                       error_message=_signup_message)
"""Decorator for the sign-up view (under ``@bp.route``)."""

password_reset = limiter.limit(_setting("PASSWORD_RESET_RATE_LIMIT"), key_func=address_key, methods=["POST"],
                               scope="address", error_message=_reset_message)
"""Decorator for the password-reset request view (under ``@bp.route``)."""


def seconds_to_wait() -> int:
    """Seconds until the breached budget lets one more attempt through."""
    try:
        current = limiter.current_limit
        if current is not None:
            # The window's own reset time: ``reset_at`` adds a second for rounding (61 s for a minute).
            return max(1, math.ceil(current.window.reset_time - time.time()))
    except Exception:  # the storage is gone (Redis restarting): a minute is a safe guess
        pass
    return 60


def _wait_text() -> str:
    seconds = seconds_to_wait()
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = math.ceil(minutes / 60)
    return ngettext("%(num)d hour", "%(num)d hours", hours)


@bp.app_errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded) -> Response | tuple[str, int, dict[str, str]]:
    if request.path.startswith("/api/"):
        from forum.api.framework import http_problem

        return http_problem(error)
    from forum.errors import render_error

    # Our limits carry their own message; any other limit gets the general one.
    message = error.description if error.limit.error_message else _(
        "There have been too many requests. Please wait %(wait)s and try again.", wait=_wait_text())
    body, code = render_error(429, _("Too many attempts"), message)
    return body, code, {"Retry-After": str(seconds_to_wait())}
