"""Seed the load benchmark's forum into an empty database (a script, not collected by pytest).

    .venv/bin/python tests/benchmarks/load/seed.py sqlite:////tmp/load/forum.sqlite --accounts /tmp/load/accounts.json
    .venv/bin/python tests/benchmarks/load/seed.py postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dmyschema

The forum: 500 companies (the demo forum's 88 profiles, repeated with numbered names, in its two
delegations), one delegate login per company, match suggestions computed for every company, and 5,000
accepted meetings (~20 per company, preferably with a suggested partner) placed on 2 days x 24 slots of
20 minutes at 130 tables, then published as an organizer does (so every company has its notifications too).
The tables are created with ``create_all``; the database must be empty. Writes the logins (e-mail,
password, company id) to ``--accounts`` as JSON for the locustfile.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import random
import sys
import time as clock
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import (  # noqa: E402
    Company,
    MatchSuggestion,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    Role,
    ScheduledMeeting,
    Slot,
    User,
    VenueTable,
)
from forum.services import agenda, agenda_builder, matching, taxonomy  # noqa: E402
from forum.services.demo import DEMO_CSV  # noqa: E402
from forum.services.forums import save_forum  # noqa: E402
from forum.services.importer import import_companies_csv  # noqa: E402

PASSWORD = "load-test-password"
ORGANIZER = "organizer@load.example"
DAYS = 2
TABLES = 130


@dataclass
class SeedSummary:
    companies: int
    delegates: int
    meetings: int
    suggestions: int
    slots: int
    seconds: float


def _companies_csv(count: int) -> bytes:
    """``count`` company rows from the demo file's profiles; copies after the first get a numbered name."""
    rows = list(csv.DictReader(io.StringIO(DEMO_CSV.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for i in range(count):
        row = dict(rows[i % len(rows)])
        copy = i // len(rows)
        if copy:
            row["name"] = f"{row['name']} {copy + 1}"
            row["contact_email"] = row["contact_email"].replace("@", f"+{copy + 1}@")
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _pairs(company_ids: list[int], suggested: dict[int, list[int]], slots: int, meetings: int,
           rng: random.Random) -> list[tuple[int, int, int]]:
    """(a, b, slot index) meetings: each slot pairs free companies, a suggested partner first, no pair twice,
    at most ``TABLES`` a slot, until ``meetings`` are placed."""
    per_slot = -(-meetings // slots)
    if per_slot > TABLES or 2 * per_slot > len(company_ids):
        raise SystemExit(f"{meetings} meetings do not fit {slots} slots x {TABLES} tables")
    met: set[tuple[int, int]] = set()
    count = dict.fromkeys(company_ids, 0)
    quota = -(-2 * meetings // len(company_ids)) + 1
    out: list[tuple[int, int, int]] = []
    for slot in range(slots):
        busy: set[int] = set()
        order = sorted(company_ids, key=lambda c: (count[c], rng.random()))  # the least booked first
        placed = 0
        for a in order:
            if placed >= per_slot or len(out) >= meetings:
                break
            if a in busy or count[a] >= quota:
                continue
            free = [b for b in suggested.get(a, []) if b not in busy and count[b] < quota
                    and (min(a, b), max(a, b)) not in met and b != a]
            if not free:
                free = [b for b in order if b not in busy and b != a and count[b] < quota
                        and (min(a, b), max(a, b)) not in met][:20]
            if not free:
                continue
            b = free[0] if rng.random() < 0.7 else rng.choice(free)
            busy |= {a, b}
            met.add((min(a, b), max(a, b)))
            count[a] += 1
            count[b] += 1
            out.append((a, b, slot))
            placed += 1
    if len(out) < meetings:
        raise SystemExit(f"placed only {len(out)} of {meetings} meetings")
    return out


def seed(url: str, instance_path: Path, companies: int = 500, meetings: int = 5000,
         seed_value: int = 0) -> tuple[SeedSummary, list[dict]]:
    """Fill the empty database at ``url``; returns the summary and the delegate logins."""
    started = clock.perf_counter()
    rng = random.Random(seed_value)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "seed", "IMPORT_MAX_ROWS": 100_000,
                      "REQUEST_LOG": False}, instance_path=str(instance_path))
    # Publishing "mails" every delegate about each meeting: 10,000 log lines nobody reads here.
    logging.getLogger("forum").setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
        taxonomy.ensure_default_sectors()
        db.session.flush()
        matching.ensure_default_affinity()
        first_day = date.today() + timedelta(days=30)
        save_forum(name="Load Test Invest Forum", city="Qarshi", venue="Congress Hall",
                   starts_on=first_day, ends_on=first_day + timedelta(days=DAYS - 1),
                   timezone="Asia/Tashkent", description="The load benchmark's forum.")
        db.session.commit()
        result = import_companies_csv(_companies_csv(companies), update_existing=False)
        if not result.ok:
            raise SystemExit("; ".join(f"line {e.line}: {e.message}" for e in result.errors[:5]))
        company_ids = list(db.session.scalars(select(Company.id).order_by(Company.id)))

        # One password hash for every login: hashing 500 times would take longer than the rest.
        password_hash = generate_password_hash(PASSWORD)
        logins = []
        organizer = User(email=ORGANIZER, full_name="Load Organizer", role=Role.ORGANIZER,
                         password_hash=password_hash)
        db.session.add(organizer)
        for n, company_id in enumerate(company_ids, start=1):
            email = f"delegate{n:03d}@load.example"
            db.session.add(User(email=email, full_name=f"Delegate {n}", role=Role.PARTICIPANT,
                                company_id=company_id, password_hash=password_hash))
            logins.append({"email": email, "password": PASSWORD, "company_id": company_id})
        db.session.commit()

        recompute = matching.recompute_all()

        days = [first_day + timedelta(days=i) for i in range(DAYS)]
        agenda.save_structure(agenda.TimeStructure(
            sessions=[spec for day in days for spec in (agenda.SessionSpec(day, time(9), time(13)),
                                                          agenda.SessionSpec(day, time(14), time(18)))],
            breaks=[], slot_minutes=20, tables=TABLES))
        db.session.commit()
        slots = list(db.session.execute(select(Slot.id).order_by(Slot.starts_at)).scalars())
        tables = list(db.session.execute(select(VenueTable.id).order_by(VenueTable.number)).scalars())
        suggested: dict[int, list[int]] = {}
        for row in db.session.execute(select(MatchSuggestion.company_id, MatchSuggestion.partner_id)
                                      .order_by(MatchSuggestion.company_id, MatchSuggestion.rank)):
            suggested.setdefault(row.company_id, []).append(row.partner_id)
        placed = _pairs(company_ids, suggested, len(slots), meetings, rng)
        next_table: dict[int, int] = {}
        for a, b, slot_index in placed:
            low, high = sorted((a, b))
            request = MeetingRequest(requester_id=a, recipient_id=b, pair_low=low, pair_high=high,
                                     status=RequestStatus.ACCEPTED, message="Load test: accepted from the match list.")
            table = next_table.get(slot_index, 0)
            next_table[slot_index] = table + 1
            meeting = ScheduledMeeting(request=request, slot_id=slots[slot_index], table_id=tables[table])
            meeting.seats = [MeetingSeat(company_id=c, slot_id=slots[slot_index]) for c in (a, b)]
            db.session.add(meeting)
        db.session.commit()
        agenda_builder.publish(organizer, None)
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum would gather within a minute of such a bulk load: the first
            # queries must not be planned on empty-table estimates. (SQLite is left as deployed: unanalyzed.)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        summary = SeedSummary(companies=len(company_ids), delegates=len(logins), meetings=len(placed),
                              suggestions=recompute.suggestions, slots=len(slots),
                              seconds=clock.perf_counter() - started)
        db.session.remove()
        db.engine.dispose()
    return summary, logins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--accounts", type=Path, help="write the delegate logins here (JSON)")
    parser.add_argument("--companies", type=int, default=500)
    parser.add_argument("--meetings", type=int, default=5000)
    args = parser.parse_args()
    folder = Path(args.accounts.parent if args.accounts else ".").resolve()
    summary, logins = seed(args.database_url, folder, args.companies, args.meetings)
    if args.accounts:
        args.accounts.write_text(json.dumps(logins))
    print(summary)


if __name__ == "__main__":
    main()
