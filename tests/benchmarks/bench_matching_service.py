"""Benchmark of the matching *service*: the database included (a script, not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_matching_service.py                 # N = 500 and 10,000, SQLite
    .venv/bin/python tests/benchmarks/bench_matching_service.py --sizes 2000
    FORUM_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python tests/benchmarks/bench_matching_service.py               # on PostgreSQL (a private schema)

For each N: N synthetic companies are written to a fresh database, then it times
- a full recompute (`flask recompute-matches`, which an organizer's button also runs);
- one profile edit through `companies.update_company`, which refreshes the edited company's list and
  every stored list it may enter or leave, in the saving request;
- opening "My matches" for one company (the stored list, rendered).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.matching.synthetic import planted_forum  # noqa: E402
from forum.models import Company, Delegation, Role, Sector, User, company_sector, name_key  # noqa: E402
from forum.services import companies, matching, taxonomy  # noqa: E402


def _database(tmp: Path) -> tuple[str, callable]:
    url = os.environ.get("FORUM_BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite'}", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", drop


def _fill(n: int) -> list[int]:
    """N synthetic companies, written in bulk (the importer's validation is not what is measured)."""
    profiles, _planted = planted_forum(n, seed=7)
    taxonomy.ensure_default_sectors()
    db.session.flush()
    matching.ensure_default_affinity()
    sectors = {s.key: s.id for s in db.session.scalars(select(Sector))}
    delegations = {}
    for p in profiles:
        if p.delegation not in delegations:
            row = Delegation(name=p.delegation, country=p.country)
            db.session.add(row)
            db.session.flush()
            delegations[p.delegation] = row.id
    rows = [{"id": p.id, "name": f"Company {p.id}", "name_key": name_key(f"Company {p.id}"),
             "delegation_id": delegations[p.delegation], "country": p.country, "city": "", "offers": p.offers,
             "needs": p.needs, "description": p.description, "website": "", "languages": list(p.languages),
             "contact_name": "", "contact_email": "", "contact_phone": "", "opted_out": False,
             "profile_version": 1, "search_text": ""} for p in profiles]
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(Company), rows[start:start + 1000])
    links = [{"company_id": p.id, "sector_id": sectors[key]} for p in profiles for key in p.sectors if key in sectors]
    for start in range(0, len(links), 5000):
        db.session.execute(insert(company_sector), links[start:start + 5000])
    db.session.commit()
    return [p.id for p in profiles]


def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url, drop = _database(Path(folder))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                          "WTF_CSRF_ENABLED": False})
        try:
            with app.app_context():
                db.create_all()
                ids = _fill(n)
                started = time.perf_counter()
                summary = matching.recompute_all()
                full = time.perf_counter() - started

                organizer = User(email="bench@example.com", role=Role.ORGANIZER, password_hash="x")
                db.session.add(organizer)
                db.session.commit()
                edits = []
                for company_id in ids[:5]:
                    company = db.session.get(Company, company_id)
                    profile = companies.CompanyProfile(
                        name=company.name, delegation_id=company.delegation_id, country=company.country,
                        sector_ids=[s.id for s in company.sectors], offers=company.offers + " and cold storage",
                        needs=company.needs, description=company.description, languages=company.languages)
                    started = time.perf_counter()
                    companies.update_company(organizer, company_id, profile)
                    edits.append(time.perf_counter() - started)
                db.session.remove()

            client = app.test_client()
            with app.app_context():
                user = User(email="delegate@example.com", role=Role.PARTICIPANT, company_id=ids[0])
                user.set_password("bench-password-1")
                db.session.add(user)
                db.session.commit()
            client.post("/login", data={"email": "delegate@example.com", "password": "bench-password-1"})
            pages = []
            for _ in range(20):
                started = time.perf_counter()
                response = client.get(f"/companies/{ids[0]}/matches")
                pages.append(time.perf_counter() - started)
                assert response.status_code == 200
            print(f"N={n:>6}  full recompute {full:6.2f} s ({summary.suggestions} suggestions stored)  "
                  f"one profile edit, saved and refreshed: median {statistics.median(edits):.2f} s "
                  f"(max {max(edits):.2f} s)  My matches page: median {statistics.median(pages) * 1000:.0f} ms",
                  flush=True)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 10_000])
    args = parser.parse_args()
    print(f"database: {'PostgreSQL' if os.environ.get('FORUM_BENCH_DATABASE_URL') else 'SQLite'}; "
          f"stored per company: 30")
    for n in args.sizes:
        run(n)


if __name__ == "__main__":
    main()
