"""Accounts: sign-up (user and company in one transaction), login, password reset, ending sessions,
disabling accounts, organizers.

No answer of sign-up, login or the password-reset request tells a stranger whether an address has an
account: what differs goes by e-mail to the address's owner.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from forum.extensions import db
from forum.i18n import offered, writing_to
from forum.models import Company, Role, User, utcnow
from forum.services import mail, matching
from forum.services.companies import CompanyProfile, apply_profile
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from forum.services.passwords import password_problem

_TIMING_HASH = generate_password_hash("no account has this password")
RESET_SALT = "password-reset"
# Used when PASSWORD_RESET_MAX_AGE is not configured: an hour is long enough to open the mail.
DEFAULT_RESET_MAX_AGE = 3600


class AddressTaken(ServiceError):
    """Sign-up with an address that already has an account. Its owner has been e-mailed; the page must
    not say more than "check your e-mail"."""


class AccountDisabled(ServiceError):
    """The right password for an account an organizer disabled. Raised only after the password check,
    so it tells nothing to someone guessing."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def check_new_account(email: str, password: str, taken_message: str | None = None) -> None:
    """Refuse an e-mail that already has an account, or a weak password."""
    if find_user_by_email(email) is not None:
        raise ServiceError(taken_message or _("An account with this e-mail address already exists."),
                           field="email")
    problem = password_problem(password, email)
    if problem:
        raise ServiceError(problem, field="password")


def _tell_owner_of_signup_attempt(user: User) -> None:
    """E-mail the owner of an address someone tried to register again. Commits the outbox row."""
    with writing_to(user):
        subject = _("Someone tried to register with your e-mail address")
        body = _(
            "Someone, perhaps you, just tried to register a company on the forum with this e-mail address.\n\n"
            "This address already has an account, so nothing was created. If it was you, log in:\n"
            "%(login)s\n\nIf you have forgotten your password, set a new one here:\n%(forgot)s\n\n"
            "If it was not you, you can ignore this message: your account has not changed.",
            login=url_for("auth.login", _external=True), forgot=url_for("auth.forgot_password", _external=True))
    mail.sender().send(user.email, subject, body)
    db.session.commit()


def sign_up(email: str, password: str, full_name: str, profile: CompanyProfile,
            locale: str | None = None, last_locale: str | None = None) -> User:
    """Create a participant and their company together: either both exist afterwards or neither.

    An address that already has an account raises AddressTaken after e-mailing its owner, so the page
    can answer "check your e-mail" instead of confirming that the address is registered.
    """
    problem = password_problem(password, email)
    if problem:
        raise ServiceError(problem, field="password")
    # Every check of the form comes before the address is looked up, so that a refused profile (a company
    # name already registered, say) answers the same whether or not the address has an account.
    company = Company()
    try:
        with db.session.no_autoflush:
            apply_profile(company, profile)
            existing = find_user_by_email(email)
    except Exception:
        db.session.rollback()
        raise
    if existing is not None:
        if company in db.session:
            db.session.expunge(company)
        db.session.rollback()
        # Hash anyway, as a new account would, so the refusal is not quicker than a sign-up's first step.
        generate_password_hash(password)
        _tell_owner_of_signup_attempt(existing)
        raise AddressTaken(_("Check your e-mail."), field="email")
    user = User(email=email, full_name=full_name, role=Role.PARTICIPANT,
                locale=offered(locale), last_locale=offered(last_locale))
    user.set_password(password)
    try:
        db.session.add(company)
        user.company = company
        db.session.add(user)
        db.session.commit()
    except IntegrityError:
        # A concurrent sign-up took the e-mail or the company name between the check and the insert.
        db.session.rollback()
        existing = find_user_by_email(email)
        if existing is not None:
            _tell_owner_of_signup_attempt(existing)
            raise AddressTaken(_("Check your e-mail."), field="email") from None
        raise ServiceError(_("A company with this name has just been registered in this delegation."),
                           field="name") from None
    except Exception:
        db.session.rollback()
        raise
    matching.refresh_companies({company.id: None})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (unknown address or wrong password alike).
    Raises AccountDisabled for the right password of a disabled account. Records the login time."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same hashing time as for a real account, so timing does not reveal who is registered.
        check_password_hash(_TIMING_HASH, password)
        return None
    if not user.check_password(password):
        return None
    if not user.active:
        raise AccountDisabled(_("This account is disabled. Ask the forum's organizers to enable it again."))
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def add_account(user: User, password: str, taken_message: str) -> User:
    """Hash the password and save a new user. If a concurrent request claimed the e-mail between the
    check and the insert, the unique constraint refuses it and the caller's message is raised."""
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(taken_message, field="email") from None
    return user


def create_organizer(email: str, password: str, full_name: str = "") -> User:
    check_new_account(email, password)
    return add_account(User(email=email, full_name=full_name, role=Role.ORGANIZER), password,
                       _("An account with this e-mail address already exists."))


def set_locale(user: User, locale: str) -> None:
    """Save the interface language the person chose; e-mails to them are written in it too."""
    if offered(locale) is None:
        raise ServiceError(_("Choose one of the offered languages."), field="locale")
    user.locale = locale
    db.session.commit()


def note_language(user: User, chosen: str | None, current: str) -> None:
    """At login: adopt the language chosen in this browser when the account has none, and remember the
    one the pages are in (e-mails to people who never chose use it)."""
    changed = False
    if user.locale is None and offered(chosen):
        user.locale, changed = chosen, True
    if offered(current) and user.last_locale != current:
        user.last_locale, changed = current, True
    if changed:
        db.session.commit()


# --- ending sessions, disabling accounts ---------------------------------------------------------


def end_all_sessions(user: User) -> None:
    """Log the user out on every device: every session and remember-me cookie stops working."""
    user.end_all_sessions()
    db.session.commit()


def set_active(actor: User, user_id: int, active: bool) -> User:
    """An organizer disables or enables an account. Disabling logs it out everywhere; its API tokens are
    refused while it is disabled (forum/services/api_tokens.py)."""
    if not actor.is_organizer:
        raise PermissionDenied(_("Only organizers can disable or enable accounts."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no such account."))
    if user.id == actor.id:
        raise ServiceError(_("You cannot disable or enable your own account."))
    return _set_active(user, active)


def set_active_by_email(email: str, active: bool) -> User:
    """The server administrator's way (``flask account-state``), e.g. to enable an organizer whom another
    organizer disabled: the web pages cannot reach a disabled organizer any more."""
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(_("There is no account with the e-mail address %(email)s.", email=email))
    return _set_active(user, active)


def _set_active(user: User, active: bool) -> User:
    if user.active != active:
        user.active = active
        if not active:
            user.end_all_sessions()
        db.session.commit()
    return user


# --- password reset ---------------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _reset_max_age() -> int:
    return int(current_app.config.get("PASSWORD_RESET_MAX_AGE", DEFAULT_RESET_MAX_AGE))


def _fingerprint(user: User) -> str:
    """Changes when the password or the session version does, which spends every link sent before.
    An HMAC, because the token's payload is readable by whoever holds the link."""
    key = current_app.config["SECRET_KEY"].encode()
    material = f"{user.password_hash}:{user.session_version}".encode()
    return hmac.new(key, material, hashlib.sha256).hexdigest()[:32]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "fp": _fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Send a reset link if the address has an active account. The caller answers the same either way.

    Both paths build a signed token and end with a commit; only the owner of a real address gets mail
    (a disabled account's owner is told it is disabled instead of getting a link)."""
    user = find_user_by_email(email)
    serializer = _reset_serializer()
    if user is None:
        serializer.dumps({"user": 0, "fp": "0" * 32})
        db.session.commit()
        return
    minutes = _reset_max_age() // 60
    # Their saved language, else the one they asked in (they are most likely the owner).
    with writing_to(user, fallback=str(get_locale())):
        if user.active:
            link = url_for("auth.reset_password", token=password_reset_token(user), _external=True)
            subject = _("Set a new password for the forum")
            body = _(
                "Someone, probably you, asked to set a new password for your forum account.\n\n"
                "Open this link to choose a new password (it works once, for %(minutes)d minutes):\n%(link)s\n\n"
                "Setting a new password logs your account out on every device; API tokens stay valid until you\n"
                "revoke them on your account page.\n"
                "If you did not ask for this, ignore this message: your password has not changed.",
                minutes=minutes, link=link)
        else:
            serializer.dumps({"user": user.id, "fp": "0" * 32})
            subject = _("Your forum account is disabled")
            body = _(
                "Someone, probably you, asked to set a new password for your forum account.\n\n"
                "The forum's organizers have disabled this account, so its password cannot be reset. "
                "Ask them to enable it again.")
    mail.sender().send(user.email, subject, body)
    db.session.commit()


def read_reset_token(token: str) -> User:
    """The account a reset link is for, or a ServiceError saying why the link no longer works."""
    try:
        data = _reset_serializer().loads(token, max_age=_reset_max_age())
    except SignatureExpired:
        raise ServiceError(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise ServiceError(_("This link is not valid. Check that it was copied whole, or ask for a new one.")) from None
    user = None
    if isinstance(data, dict) and isinstance(data.get("user"), int) and isinstance(data.get("fp"), str):
        user = db.session.get(User, data["user"])
    if user is None:
        raise ServiceError(_("This link is not valid. Check that it was copied whole, or ask for a new one."))
    if not user.active:
        raise ServiceError(_("This account is disabled. Ask the forum's organizers to enable it again."))
    if not hmac.compare_digest(data["fp"], _fingerprint(user)):
        raise ServiceError(_("This link has already been used, or the password has changed since it was sent. "
                             "Ask for a new one."))
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link, and end every session of the account (the link too)."""
    user = read_reset_token(token)
    problem = password_problem(password, user.email)
    if problem:
        raise ServiceError(problem, field="password")
    user.set_password(password)
    user.end_all_sessions()
    user.last_login_at = utcnow()
    db.session.commit()
    return user
