"""Accounts: sign-up (user and company in one transaction), login, organizers."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from forum.extensions import db
from forum.models import Company, Role, User, utcnow
from forum.services import matching
from forum.services.companies import CompanyProfile, apply_profile
from forum.services.errors import ServiceError
from forum.services.passwords import password_problem

_TIMING_HASH = generate_password_hash("no account has this password")


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


def sign_up(email: str, password: str, full_name: str, profile: CompanyProfile) -> User:
    """Create a participant and their company together: either both exist afterwards or neither."""
    check_new_account(email, password, _("An account with this e-mail address already exists. Log in instead."))
    company = Company()
    user = User(email=email, full_name=full_name, role=Role.PARTICIPANT)
    user.set_password(password)
    try:
        apply_profile(company, profile)
        db.session.add(company)
        user.company = company
        db.session.add(user)
        db.session.commit()
    except IntegrityError:
        # A concurrent sign-up took the e-mail or the company name between the check and the insert.
        db.session.rollback()
        if find_user_by_email(email) is not None:
            raise ServiceError(_("An account with this e-mail address already exists. Log in instead."),
                               field="email") from None
        raise ServiceError(_("A company with this name has just been registered in this delegation."),
                           field="name") from None
    except Exception:
        db.session.rollback()
        raise
    matching.refresh_companies({company.id: None})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Records the login time."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same hashing time as for a real account, so timing does not reveal who is registered.
        check_password_hash(_TIMING_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
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
