"""The forum the concurrency tests race on, seeded in-process before gunicorn starts, and the database
invariants they check afterwards with their own SQL (not the app's code, which is what is under test).

The world: one day, 6 slots (two sessions of three 20-minute slots), 50 tables, a delegation, an organizer
and:

- ``pairs``: 200 accepted, unplaced meetings between 400 companies, each company in exactly one of them,
  so that two of them can only clash on a cell (slot, table), never on a company;
- ``hub``: a company with 200 accepted, unplaced meetings, one with each of 200 of those companies, so that
  any two of them clash on the hub's seat;
- ``popular``: a company with a delegate and 200 pending requests from 200 different companies (for the
  cap on accepted meetings), and ``contested``: one pending request whose recipient's delegate answers it
  many times at once;
- ``cancelled``: an accepted meeting that one of its delegates cancels while organizers move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import Connection, text

from forum.extensions import db
from forum.models import Company, MeetingRequest, RequestStatus, Role, User, utcnow
from forum.services import agenda, api_tokens
from forum.services.companies import CompanyProfile, apply_profile
from forum.services.forums import save_forum
from tests import factories

N = 200
TABLES = 50
ORGANIZER_EMAIL = "race-organizer@example.com"


@dataclass
class World:
    organizer_email: str
    organizer_token: str
    delegation_id: int
    sector_id: int
    slots: list[int]
    tables: list[int]
    pairs: list[int]  # request ids
    hub: int  # company id
    hub_meetings: list[int]  # request ids
    popular: int  # company id
    popular_token: str
    popular_requests: list[int]  # pending request ids
    contested: int  # pending request id
    contested_token: str  # its recipient's delegate
    cancelled: int  # accepted request id, to be cancelled while organizers move it
    cancelled_token: str  # its requester's delegate


def _companies(count: int, prefix: str, delegation_id: int, sector_id: int) -> list[int]:
    rows = []
    for i in range(count):
        row = Company()
        apply_profile(row, CompanyProfile(
            delegation_id=delegation_id, sector_ids=[sector_id], name=f"{prefix} {i:03d}", country="Kazakhstan",
            city="Almaty", offers="Pasteurised milk", needs="Packaging film", languages=["ru"],
            contact_name="Aigerim Bekova", contact_email=f"{prefix.lower().replace(' ', '-')}-{i}@company.example",
            contact_phone="+7 701 000 00 00"))
        db.session.add(row)
        rows.append(row)
    db.session.commit()
    return [row.id for row in rows]


def _requests(pairs: list[tuple[int, int]], status: RequestStatus) -> list[int]:
    now = utcnow()
    rows = []
    for a, b in pairs:
        low, high = sorted((a, b))
        rows.append(MeetingRequest(requester_id=a, recipient_id=b, pair_low=low, pair_high=high, status=status,
                                   created_at=now, expires_at=now + timedelta(days=30),
                                   responded_at=now if status == RequestStatus.ACCEPTED else None))
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _delegate_token(company_id: int, email: str) -> str:
    user_id = factories.user(email=email, company_id=company_id)
    return api_tokens.create_token(db.session.get(User, user_id), "Race script", "write", None).secret


def seed() -> World:
    """Build the world in the app context's database (migrated, empty but for the sectors)."""
    day = date(2024, 10, 17)
    save_forum("Race Forum 2024", "Qarshi", "Congress Hall", day, day)
    db.session.commit()
    agenda.save_structure(agenda.TimeStructure(
        sessions=[agenda.SessionSpec(day, time(10), time(11)), agenda.SessionSpec(day, time(14), time(15))],
        slot_minutes=20, tables=TABLES))
    delegation_id = factories.delegation("Almaty Region")
    sector_id = factories.sector_ids("dairy")[0]
    organizer = factories.user(email=ORGANIZER_EMAIL, role=Role.ORGANIZER, full_name="Race Organizer")
    organizer_token = api_tokens.create_token(db.session.get(User, organizer), "Race script", "write", None).secret

    pool = _companies(2 * N, "Pair Company", delegation_id, sector_id)
    pairs = _requests([(pool[2 * i], pool[2 * i + 1]) for i in range(N)], RequestStatus.ACCEPTED)
    hub = _companies(1, "Hub Company", delegation_id, sector_id)[0]
    hub_meetings = _requests([(hub, pool[i]) for i in range(N)], RequestStatus.ACCEPTED)
    popular = _companies(1, "Popular Company", delegation_id, sector_id)[0]
    popular_requests = _requests([(pool[i], popular) for i in range(N)], RequestStatus.REQUESTED)
    x, y = _companies(2, "Contested Company", delegation_id, sector_id)
    contested = _requests([(x, y)], RequestStatus.REQUESTED)[0]
    u, v = _companies(2, "Cancelling Company", delegation_id, sector_id)
    cancelled = _requests([(u, v)], RequestStatus.ACCEPTED)[0]

    rows = db.session.execute(text("SELECT id FROM slot ORDER BY starts_at")).scalars().all()
    tables = db.session.execute(text("SELECT id FROM venue_table ORDER BY number")).scalars().all()
    return World(
        organizer_email=ORGANIZER_EMAIL, organizer_token=organizer_token, delegation_id=delegation_id,
        sector_id=sector_id, slots=list(rows), tables=list(tables), pairs=pairs, hub=hub, hub_meetings=hub_meetings,
        popular=popular, popular_token=_delegate_token(popular, "popular-delegate@example.com"),
        popular_requests=popular_requests, contested=contested,
        contested_token=_delegate_token(y, "contested-delegate@example.com"), cancelled=cancelled,
        cancelled_token=_delegate_token(u, "cancelling-delegate@example.com"))


# --- the invariants, in plain SQL ------------------------------------------------------------------------


def agenda_problems(conn: Connection) -> list[str]:
    """Every way the stored agenda breaks its rules; empty when it keeps them all."""
    problems = []
    for slot_id, table_id, count in conn.execute(text(
            "SELECT slot_id, table_id, COUNT(*) FROM scheduled_meeting GROUP BY slot_id, table_id "
            "HAVING COUNT(*) > 1")):
        problems.append(f"{count} meetings at slot {slot_id}, table {table_id}")
    # From the meetings themselves, not from the seats: a company in two meetings of one slot.
    for slot_id, company_id, count in conn.execute(text(
            "SELECT m.slot_id, c.company_id, COUNT(*) FROM scheduled_meeting m "
            "JOIN meeting_request r ON r.id = m.request_id "
            "JOIN (SELECT id, requester_id AS company_id FROM meeting_request "
            "      UNION ALL SELECT id, recipient_id FROM meeting_request) c ON c.id = r.id "
            "GROUP BY m.slot_id, c.company_id HAVING COUNT(*) > 1")):
        problems.append(f"company {company_id} has {count} meetings in slot {slot_id}")
    for request_id, status in conn.execute(text(
            "SELECT r.id, r.status FROM scheduled_meeting m JOIN meeting_request r ON r.id = m.request_id "
            "WHERE r.status <> 'accepted'")):
        problems.append(f"request {request_id} is on the agenda but {status}")
    # Seats: exactly the meeting's two companies, in the meeting's slot.
    for meeting_id, seats, matching in conn.execute(text(
            "SELECT m.id, COUNT(s.id), SUM(CASE WHEN s.slot_id = m.slot_id AND "
            "  s.company_id IN (r.requester_id, r.recipient_id) THEN 1 ELSE 0 END) "
            "FROM scheduled_meeting m JOIN meeting_request r ON r.id = m.request_id "
            "LEFT JOIN meeting_seat s ON s.meeting_id = m.id GROUP BY m.id")):
        if seats != 2 or matching != 2:
            problems.append(f"meeting {meeting_id} has {seats} seats, {matching or 0} of them right")
    orphans = conn.execute(text("SELECT COUNT(*) FROM meeting_seat s LEFT JOIN scheduled_meeting m "
                                "ON m.id = s.meeting_id WHERE m.id IS NULL")).scalar()
    if orphans:
        problems.append(f"{orphans} seats without a meeting")
    # The optimistic lock's counter: one version per recorded change, none lost to a concurrent write.
    version = conn.execute(text("SELECT agenda_version FROM forum ORDER BY id LIMIT 1")).scalar()
    changes, distinct, highest = conn.execute(text(
        "SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM agenda_change")).one()
    if changes != distinct or (highest or 0) != version:
        problems.append(f"agenda version {version}, but {changes} changes with {distinct} distinct versions up "
                        f"to {highest}")
    # One open request per pair.
    for low, high, count in conn.execute(text(
            "SELECT pair_low, pair_high, COUNT(*) FROM meeting_request WHERE status IN ('requested', 'accepted') "
            "GROUP BY pair_low, pair_high HAVING COUNT(*) > 1")):
        problems.append(f"{count} open requests between companies {low} and {high}")
    return problems


def accepted_count(conn: Connection, company_id: int) -> int:
    return conn.execute(text("SELECT COUNT(*) FROM meeting_request WHERE status = 'accepted' AND "
                             "(requester_id = :c OR recipient_id = :c)"), {"c": company_id}).scalar()


def placements(conn: Connection, request_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = conn.execute(text("SELECT request_id, slot_id, table_id FROM scheduled_meeting"))
    wanted = set(request_ids)
    return {rid: (slot_id, table_id) for rid, slot_id, table_id in rows if rid in wanted}
