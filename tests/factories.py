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
         active: bool = True, full_name: str = "Test Delegate", locale: str | None = None) -> int:
    if role == Role.PARTICIPANT and company_id is None:
        company_id = company()
    row = User(email=email or f"user{next(_seq)}@example.com", role=role, company_id=company_id,
               active=active, full_name=full_name, password_hash=_CHEAP_HASH, locale=locale)
    db.session.add(row)
    db.session.commit()
    return row.id


def email_of(user_id: int) -> str:
    return db.session.get(User, user_id).email


def accepted_request(a: int, b: int, message: str = "") -> int:
    """An accepted meeting request from company a to company b."""
    from forum.models import MeetingRequest, RequestStatus

    low, high = sorted((a, b))
    row = MeetingRequest(requester_id=a, recipient_id=b, pair_low=low, pair_high=high,
                         status=RequestStatus.ACCEPTED, message=message)
    db.session.add(row)
    db.session.commit()
    return row.id


def place(request_id: int, slot_id: int, table_id: int) -> int:
    """Put an accepted meeting on the agenda as the scheduler would (no history, no notices)."""
    from forum.models import MeetingRequest, MeetingSeat, ScheduledMeeting

    request = db.session.get(MeetingRequest, request_id)
    meeting = ScheduledMeeting(request_id=request_id, slot_id=slot_id, table_id=table_id)
    meeting.seats = [MeetingSeat(company_id=c, slot_id=slot_id) for c in (request.requester_id, request.recipient_id)]
    db.session.add(meeting)
    db.session.commit()
    return meeting.id


def published_agenda(publish: bool = True) -> dict:
    """A one-day forum (17 Oct 2024, Asia/Tashkent) with sessions 10:00-11:00 and 14:00-15:00, 20-minute
    slots (6 in all), 3 tables, 4 companies with one delegate each and an organizer.

    Meetings (requests r0..r3, all accepted): r0 C0-C1 at slot 0 table 1, r1 C2-C3 at slot 0 table 2,
    r2 C0-C2 at slot 1 table 1; r3 C1-C3 accepted but not placed. Published unless ``publish`` is False.
    Returns ids: companies, delegates, organizer, requests, slots, tables.
    """
    from datetime import date, time

    from forum.models import Forum, Slot, VenueTable
    from forum.models.types import utcnow
    from forum.services import agenda
    from forum.services.forums import save_forum

    day = date(2024, 10, 17)
    save_forum("Kashkadarya Invest-2024", "Qarshi", "Congress Hall", day, day)
    db.session.commit()
    agenda.save_structure(agenda.TimeStructure(
        sessions=[agenda.SessionSpec(day, time(10), time(11)), agenda.SessionSpec(day, time(14), time(15))],
        slot_minutes=20, tables=3))
    companies = [company(name=f"Agenda Company {i}", contact_email=f"c{i}@company.example") for i in range(4)]
    delegates = [user(company_id=cid, email=f"agenda-delegate{i}@example.com", full_name=f"Delegate {i}")
                 for i, cid in enumerate(companies)]
    organizer = user(role=Role.ORGANIZER, email="agenda-organizer@example.com")
    c = companies
    requests = [accepted_request(c[0], c[1], "Let us talk about milk supply."), accepted_request(c[2], c[3]),
                accepted_request(c[0], c[2]), accepted_request(c[1], c[3])]
    slots = list(db.session.scalars(select(Slot.id).order_by(Slot.starts_at)))
    tables = list(db.session.scalars(select(VenueTable.id).order_by(VenueTable.number)))
    place(requests[0], slots[0], tables[0])
    place(requests[1], slots[0], tables[1])
    place(requests[2], slots[1], tables[0])
    if publish:
        forum = db.session.scalar(select(Forum).order_by(Forum.id).limit(1))
        forum.agenda_published_at = utcnow()
        db.session.commit()
    return {"companies": companies, "delegates": delegates, "organizer": organizer, "requests": requests,
            "slots": slots, "tables": tables}


def api_token(user_id: int, scope: str = "write", days: int | None = None, name: str = "Test script") -> str:
    """A personal API token of the user; returns the secret to send as ``Authorization: Bearer``."""
    from forum.services import api_tokens

    return api_tokens.create_token(db.session.get(User, user_id), name, scope, days).secret
