"""Benchmark of the JSON API on the demo forum (a script, not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_api.py              # 200 calls per operation
    .venv/bin/python tests/benchmarks/bench_api.py --runs 50
    FORUM_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python tests/benchmarks/bench_api.py          # on PostgreSQL (its tables are dropped first)

Loads the demo forum (88 companies, published agenda) into a fresh database, makes a read token for the
demo delegate and one for the organizer, and times each read operation through the WSGI stack (token check,
validation, service, JSON, ETag; no network), with its SQL query count, and a revalidation with
If-None-Match (304).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Company, User  # noqa: E402
from forum.services import api_tokens  # noqa: E402
from forum.services.demo import DEMO_ORGANIZER, DEMO_PARTICIPANTS, load_demo_forum  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="calls per operation (default 200)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    folder = tempfile.mkdtemp(prefix="bench-api-")
    url = os.environ.get("FORUM_TEST_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "API_RATE_LIMIT": "1000000 per minute"},
                     instance_path=folder)
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_demo_forum(published_agenda=True)
        delegate = db.session.scalar(select(User).where(User.email == next(iter(DEMO_PARTICIPANTS))))
        organizer = db.session.scalar(select(User).where(User.email == DEMO_ORGANIZER))
        participant_token = api_tokens.create_token(delegate, "bench", "read", None).secret
        organizer_token = api_tokens.create_token(organizer, "bench", "read", None).secret
        other = db.session.scalar(select(Company.id).where(Company.id != delegate.company_id).limit(1))
        companies = db.session.scalar(select(db.func.count(Company.id)))

    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    cases = [
        ("GET /companies (public, 24 a page)", "/api/v1/companies", None),
        ("GET /companies?q=milk", "/api/v1/companies?q=milk", None),
        ("GET /companies/{id}", f"/api/v1/companies/{other}", participant_token),
        ("GET /my/matches", "/api/v1/my/matches", participant_token),
        ("GET /my/requests", "/api/v1/my/requests", participant_token),
        ("GET /my/agenda", "/api/v1/my/agenda", participant_token),
        ("GET /my/notifications", "/api/v1/my/notifications", participant_token),
        ("GET /organizer/companies", "/api/v1/organizer/companies", organizer_token),
        ("GET /organizer/agenda", "/api/v1/organizer/agenda", organizer_token),
        ("GET /openapi.json", "/api/v1/openapi.json", None),
    ]
    client = app.test_client()
    print(f"Demo forum: {companies} companies, published agenda; {args.runs} calls per operation; "
          f"database {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
    print(f"{'operation':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>7} {'304 ms':>8}")
    for label, path, token in cases:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        first = client.get(path, headers=headers)
        assert first.status_code == 200, (path, first.status_code, first.get_data(as_text=True)[:300])
        statements.clear()
        client.get(path, headers=headers)
        queries = len(statements)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(path, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        etag = first.headers["ETag"]
        revalidations = []
        for _ in range(max(1, args.runs // 4)):
            started = time.perf_counter()
            answer = client.get(path, headers={**headers, "If-None-Match": etag})
            revalidations.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 304, (path, answer.status_code)
        print(f"{label:40} {statistics.median(timings):10.1f} {_percentile(timings, 0.95):8.1f} {queries:8d} "
              f"{len(first.get_data()) / 1024:7.1f} {statistics.median(revalidations):8.1f}")


if __name__ == "__main__":
    main()
