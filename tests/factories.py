"""Test data builders: call inside an app context; each returns the new row's id."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models import Company, Delegation, Role, Sector, User
from forum.services.companies import CompanyProfile, apply_profile

PASSWORD = "test-password-123"
# Hashing with scrypt costs ~50 ms; tests log in hundreds of times, so factories use a cheap hash.
_CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


def delegation(name: str | None = None, country: str = "Kazakhstan") -> int:
    row = Delegation(name=name or f"Delegation {next(_seq)}", country=country)
    db.session.add(row)
    db.session.commit()
    return row.id


def sector_ids(*keys: str) -> list[int]:
    return list(db.session.scalars(select(Sector.id).where(Sector.key.in_(keys))))


def company(sectors: tuple[str, ...] = ("dairy",), delegation_id: int | None = None, **overrides) -> int:
    if delegation_id is None:
        existing = db.session.scalar(select(Delegation).order_by(Delegation.id).limit(1))
        delegation_id = existing.id if existing else delegation()
    fields = {
        "name": f"Company {next(_seq)}",
        "country": "Kazakhstan",
        "city": "Almaty",
        "offers": "Pasteurised milk and kefir",
        "needs": "Packaging film",
        "languages": ["ru"],
        "contact_name": "Aigerim Bekova",
        "contact_email": "contact@company.example",
        "contact_phone": "+7 701 000 00 00",
    }
    fields.update(overrides)
    row = Company()
    apply_profile(row, CompanyProfile(delegation_id=delegation_id, sector_ids=sector_ids(*sectors), **fields))
    db.session.add(row)
    db.session.commit()
    return row.id


def user(email: str | None = None, role: Role = Role.PARTICIPANT, company_id: int | None = None,
         active: bool = True, full_name: str = "Test Delegate") -> int:
    if role == Role.PARTICIPANT and company_id is None:
        company_id = company()
    row = User(email=email or f"user{next(_seq)}@example.com", role=role, company_id=company_id,
               active=active, full_name=full_name, password_hash=_CHEAP_HASH)
    db.session.add(row)
    db.session.commit()
    return row.id


def email_of(user_id: int) -> str:
    return db.session.get(User, user_id).email
