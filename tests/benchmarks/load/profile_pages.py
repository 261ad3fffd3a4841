"""Profile the load benchmark's pages in-process (a script, not collected by pytest).

    .venv/bin/python tests/benchmarks/load/profile_pages.py sqlite:////tmp/load/forum.sqlite
    .venv/bin/python tests/benchmarks/load/profile_pages.py --seed sqlite:////tmp/load/forum.sqlite   # seed first
    .venv/bin/python tests/benchmarks/load/profile_pages.py URL --profile "My agenda"   # pyinstrument or cProfile
    .venv/bin/python tests/benchmarks/load/profile_pages.py URL --no-cache   # every page rendered in full
    .venv/bin/python tests/benchmarks/load/profile_pages.py URL --language ru   # the pages in Russian

Logs one delegate in through the test client on a database seeded by seed.py (--seed seeds an empty one),
then times each page of the benchmark (median and p95 of --runs calls, SQL queries per call), served from the
page cache after the first call (each worker's memory here), or rendered in full with --no-cache. With
--profile, prints pyinstrument's call tree of that page (cProfile's top functions when pyinstrument is not
installed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import User  # noqa: E402
from tests.benchmarks.load.seed import PASSWORD, seed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--seed", action="store_true", help="seed the (empty) database first")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--profile", help="the page to profile: My agenda, My matches or Company page")
    parser.add_argument("--delegate", type=int, default=1, help="which delegate (1-500) logs in")
    parser.add_argument("--no-cache", action="store_true",
                        help="render every page in full (CACHE off): the cost of a page-cache miss")
    parser.add_argument("--language", default="en",
                        help="the browser's Accept-Language (en, ru, uz, kk): the cost of a translated page")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="load-profile-")
    if args.seed:
        seed(args.database_url, Path(folder))
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "profile", "REQUEST_LOG": False,
                      "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT_PER_ADDRESS": "100000 per minute",
                      "CACHE": not args.no_cache},
                     instance_path=folder)
    with app.app_context():
        email = f"delegate{args.delegate:03d}@load.example"
        user = db.session.scalar(select(User).where(User.email == email))
        company_id, other = user.company_id, user.company_id % 500 + 1
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = args.language
    answer = client.post("/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    pages = {"My agenda": "/my/agenda", "My matches": f"/companies/{company_id}/matches",
             "Company page": f"/companies/{other}"}
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    print(f"{'page':14} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'KiB':>6}")
    for name, path in pages.items():
        first = client.get(path)
        assert first.status_code == 200, (path, first.status_code)
        assert f'<html lang="{args.language}">'.encode() in first.get_data(), f"{path} is not in {args.language}"
        statements.clear()
        client.get(path)
        queries = len(statements)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(f"{name:14} {statistics.median(timings):9.1f} {timings[int(0.95 * (len(timings) - 1))]:7.1f} "
              f"{queries:7d} {len(first.get_data()) / 1024:6.1f}")
    if args.profile:
        path = pages[args.profile]
        try:
            from pyinstrument import Profiler
        except ImportError:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.runs):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            return
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.runs):
            client.get(path)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
