"""Benchmark of the agenda builder's grid page at full scale (a script, not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_agenda_grid.py                       # 250 tables x 48 slots
    .venv/bin/python tests/benchmarks/bench_agenda_grid.py --tables 100 --fill 0.5 --runs 3

Builds, in a temporary SQLite database, a forum with one session of 48 fifteen-minute slots and 250
tables, 500 companies and a meeting in a given share of the cells (80 % by default, 9,600 meetings),
then times GET /organizer/agenda/grid as a logged-in organizer (the whole request: queries, grid data,
template) and counts its SQL queries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import (  # noqa: E402
    Company,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    Role,
    ScheduledMeeting,
    Slot,
    VenueTable,
)
from forum.services import agenda, taxonomy  # noqa: E402
from forum.services.agenda import SessionSpec, TimeStructure  # noqa: E402
from forum.services.forums import save_forum  # noqa: E402
from tests import factories  # noqa: E402

DAY = date(2024, 10, 17)


def build(tables: int, fill: float) -> tuple[int, int]:
    """The forum; returns (meetings, organizer id)."""
    save_forum("Kashkadarya Invest-2024", "Qarshi", "Hall", DAY, DAY)
    db.session.commit()
    taxonomy.ensure_default_sectors()
    # 09:00-21:00 in 15-minute slots: 48 slots in one session, i.e. one page of the grid.
    agenda.save_structure(TimeStructure(sessions=[SessionSpec(DAY, clock(9), clock(21))], slot_minutes=15,
                                        tables=tables))
    slots = list(db.session.scalars(select(Slot.id).order_by(Slot.starts_at)))
    table_ids = list(db.session.scalars(select(VenueTable.id).order_by(VenueTable.number)))
    delegation = factories.delegation(name="Almaty Region (Kazakhstan)")
    first = factories.company(name="Company 0", delegation_id=delegation)
    template = db.session.get(Company, first)
    rows = [{c.key: getattr(template, c.key) for c in Company.__table__.columns if c.key != "id"}
            for _ in range(2 * tables - 1)]
    for i, row in enumerate(rows, start=1):
        row["name"] = row["name_key"] = f"Company {i}"
    db.session.execute(insert(Company), rows)
    companies = list(db.session.scalars(select(Company.id).order_by(Company.id)))
    # In slot i, table j: company j meets company tables + (i + j) % tables; every company sits once per
    # slot and no pair meets twice.
    cells = [(i, j) for i in range(len(slots)) for j in range(tables) if (i * tables + j) % 100 < fill * 100]
    requests = []
    for i, j in cells:
        a, b = companies[j], companies[tables + (i + j) % tables]
        requests.append({"requester_id": a, "recipient_id": b, "pair_low": min(a, b), "pair_high": max(a, b),
                         "status": RequestStatus.ACCEPTED, "version": 1, "message": "",
                         "session_preference": "either"})
    db.session.execute(insert(MeetingRequest), requests)
    request_ids = list(db.session.scalars(select(MeetingRequest.id).order_by(MeetingRequest.id)))
    db.session.execute(insert(ScheduledMeeting), [
        {"request_id": rid, "slot_id": slots[i], "table_id": table_ids[j], "locked": (i + j) % 7 == 0}
        for rid, (i, j) in zip(request_ids, cells, strict=True)])
    meeting_ids = list(db.session.scalars(select(ScheduledMeeting.id).order_by(ScheduledMeeting.id)))
    db.session.execute(insert(MeetingSeat), [
        {"meeting_id": mid, "company_id": r["requester_id" if k == 0 else "recipient_id"], "slot_id": slots[i]}
        for mid, r, (i, _j) in zip(meeting_ids, requests, cells, strict=True) for k in (0, 1)])
    db.session.commit()
    return len(cells), factories.user(role=Role.ORGANIZER, email="organizer@example.com")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=250)
    parser.add_argument("--fill", type=float, default=0.8, help="share of the cells holding a meeting")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            meetings, organizer = build(args.tables, args.fill)
            email = factories.email_of(organizer)
            built = time.perf_counter() - started
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
        statements: list[str] = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        times, size = [], 0
        for _ in range(args.runs):
            statements.clear()
            started = time.perf_counter()
            response = client.get("/organizer/agenda/grid")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            size = len(response.data)
        print(f"grid: {args.tables} tables x 48 slots, {meetings} meetings (built in {built:.1f} s)")
        print(f"GET /organizer/agenda/grid: median {statistics.median(times) * 1000:.0f} ms, "
              f"min {min(times) * 1000:.0f} ms over {args.runs} runs; {len(statements)} SQL queries; "
              f"{size / 1024:.0f} KiB of HTML")


if __name__ == "__main__":
    main()
