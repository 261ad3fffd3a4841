"""A company's team: delegates invite colleagues, who then join the company with their own login.

An invitation is a signed, expiring link bound to one e-mail address and one company. It needs no
table: once an account with that address exists, the link is spent.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from forum.extensions import db
from forum.models import Company, Role, User
from forum.services.accounts import add_account, check_new_account, find_user_by_email
from forum.services.companies import can_edit, get_company
from forum.services.errors import PermissionDenied, ServiceError

INVITE_MAX_AGE = 7 * 24 * 3600


@dataclass(frozen=True)
class Invitation:
    company: Company
    email: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="company-invitation")


def invite_colleague(actor: User, company_id: int, email: str) -> str:
    """A join token for ``email`` to become a delegate of the company."""
    company = get_company(company_id)
    if not can_edit(actor, company):
        raise PermissionDenied(_("Only the company's own delegates can invite colleagues."))
    if find_user_by_email(email) is not None:
        raise ServiceError(_("This person already has an account on the platform."), field="email")
    return _serializer().dumps({"company": company.id, "email": email})


def read_invitation(token: str) -> Invitation:
    try:
        data = _serializer().loads(token, max_age=INVITE_MAX_AGE)
    except SignatureExpired:
        raise ServiceError(_("This invitation has expired. Ask your colleague for a new link.")) from None
    except BadSignature:
        raise ServiceError(_("This invitation link is not valid. Check that it was copied whole.")) from None
    company = db.session.get(Company, data.get("company")) if isinstance(data, dict) else None
    if company is None or not isinstance(data.get("email"), str):
        raise ServiceError(_("This invitation link is not valid. Check that it was copied whole."))
    if find_user_by_email(data["email"]) is not None:
        raise ServiceError(_("This invitation has already been used. Log in with your e-mail and password."))
    return Invitation(company=company, email=data["email"])


def join_company(token: str, full_name: str, password: str) -> User:
    invitation = read_invitation(token)
    check_new_account(invitation.email, password)
    user = User(email=invitation.email, full_name=full_name, role=Role.PARTICIPANT,
                company_id=invitation.company.id)
    # Two tabs joining at once: the unique e-mail constraint lets only the first through.
    return add_account(user, password,
                       _("This invitation has already been used. Log in with your e-mail and password."))
