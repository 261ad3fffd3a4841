"""Load benchmark: 200 delegates on a seeded forum behind gunicorn, and the peak against a bare Flask ceiling.

    .venv/bin/python tests/benchmarks/load/run_load.py                        # both databases, 90 s each
    .venv/bin/python tests/benchmarks/load/run_load.py --db sqlite --duration 60
    .venv/bin/python tests/benchmarks/load/run_load.py --db postgresql --no-peak
    .venv/bin/python tests/benchmarks/load/run_load.py --db both --duration 90 --steps 5,10,20,40,80

For each database (SQLite in a file; PostgreSQL in a private schema of FORUM_TEST_DATABASE_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/test, dropped afterwards), seed.py builds the forum (500
companies with a delegate login each, 5,000 published meetings, match lists for every company), then
tests/gunicorn_server.py serves it with gunicorn.conf.py and 4 workers, with FORUM_REDIS_URL set (Redis
database 13 by default, flushed before each run) and the request log on (the server's output goes to
gunicorn.log in the work folder).

1. Steady load: locust headless, 200 users (``--users``) who log in through the real form, then loop over
   My agenda, My matches and a company page with 1-5 s of think time; spawned 5 a second, figures taken
   for ``--duration`` seconds after the last user started (locust --reset-stats).
2. Peak: the same pages with no think time at 5, 10, 20, 40, ... users (``--step-seconds`` each), until p95
   exceeds 250 ms or a request fails; the best step is the highest request rate with p95 <= 250 ms and no
   failure. The bare Flask app (bare_app.py: one route returning a short text) is measured the same way, on
   the same gunicorn config and worker count, as the ceiling.

All 200 simulated delegates come from 127.0.0.1, so the login limits per address and per account are
raised for the benchmark (see LIMITS below): with the defaults, the 101st login in a minute would be refused.
locust and gunicorn share the machine's cores: the figures are those of one box doing both.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.load.seed import seed  # noqa: E402
from tests.gunicorn_server import gunicorn  # noqa: E402
from tests.integration.fresh_database import empty_database, pg_unreachable_reason, pg_url  # noqa: E402

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locustfile.py"
PAGES = ("My agenda", "My matches", "Company page")
P95_LIMIT_MS = 250
# 200 delegates behind one address (127.0.0.1), logging in again at every peak step.
LIMITS = {
    "LOGIN_RATE_LIMIT_PER_ADDRESS": "100000 per minute",
    "LOGIN_ATTEMPT_LIMIT_PER_ACCOUNT": "1000 per minute",
    "LOGIN_RATE_LIMIT_PER_ACCOUNT": "1000 per minute",
}


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def run_locust(host: str, user_class: str, users: int, spawn_rate: float, seconds: float, think: str,
               accounts: Path | None, prefix: Path) -> dict[str, Row]:
    """One headless locust run; statistics from the moment every user has started, by request name."""
    env = {**os.environ, "LOAD_THINK": think}
    if accounts is not None:
        env["LOAD_ACCOUNTS"] = str(accounts)
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host,
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{int(seconds)}s", "--reset-stats",
               "--only-summary", "--csv", str(prefix), "--loglevel", "WARNING", "--stop-timeout", "10",
               user_class]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    rows: dict[str, Row] = {}
    with open(stats, newline="") as handle:
        for item in csv.DictReader(handle):
            name = "Total" if item["Name"] == "Aggregated" else item["Name"]
            rows[name] = Row(name, int(item["Request Count"]), int(item["Failure Count"]),
                             float(item["Requests/s"]), _ms(item["50%"]), _ms(item["95%"]), _ms(item["99%"]))
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        lines = failures.read_text().strip().splitlines()[1:]
        for line in lines[:5]:
            print(f"    failure: {line}")
    return rows


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def server_errors(log: str) -> int:
    """Responses with a 5xx status in the app's JSON request log, plus tracebacks."""
    statuses = re.findall(r'"status": (\d{3})', log)
    return sum(1 for s in statuses if s.startswith("5")) + log.count("Traceback")


def load_average() -> str:
    """The machine's 1-minute load average: other processes on these cores slow every figure down."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def print_table(title: str, rows: dict[str, Row], names: tuple[str, ...]) -> None:
    print(f"\n{title} ({load_average()} at the end)")
    print(f"  {'page':14} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
    for name in names:
        row = rows.get(name)
        if row is not None:
            print(f"  {name:14} {row.requests:8d} {row.rps:7.1f} {row.p50:7.0f} {row.p95:7.0f} {row.p99:7.0f} "
                  f"{100 * row.error_rate:6.2f}%")
    sys.stdout.flush()


def find_peak(host: str, user_class: str, steps: list[int], seconds: float, accounts: Path | None,
              folder: Path, label: str) -> Row | None:
    """Step the user count with no think time; the best step's total row (p95 <= 250 ms, no failure)."""
    best: Row | None = None
    print(f"\nPeak, {label}: no think time, {seconds:.0f} s a step")
    print(f"  {'users':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7} {'load avg':>8}")
    for users in steps:
        rows = run_locust(host, user_class, users, users, seconds + 3, "0", accounts,
                          folder / f"peak-{user_class}-{users}")
        total = rows["Total"]
        print(f"  {users:5d} {total.rps:7.1f} {total.p50:7.0f} {total.p95:7.0f} {total.p99:7.0f} "
              f"{100 * total.error_rate:6.2f}% {os.getloadavg()[0]:8.1f}", flush=True)
        if total.p95 > P95_LIMIT_MS or total.failures:
            break
        if best is None or total.rps > best.rps:
            best = Row(f"{users} users", total.requests, total.failures, total.rps, total.p50, total.p95, total.p99)
    return best


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=float, default=90, help="seconds measured after the ramp-up (default 90)")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=5,
                        help="users started a second (default 5: each login hashes a password, ~0.1 s of CPU)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--steps", default="5,10,20,40,80,160,320", help="peak: user counts to try, in order")
    parser.add_argument("--step-seconds", type=float, default=25)
    parser.add_argument("--no-peak", action="store_true", help="only the steady load")
    parser.add_argument("--no-steady", action="store_true", help="only the peak")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="a Redis database to use and flush")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, locust CSV files)")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in databases and (reason := pg_unreachable_reason(pg_url())):
        print(reason)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="load-"))
    settings = {"REDIS_URL": args.redis, **LIMITS}
    print(f"gunicorn.conf.py, {args.workers} sync workers; REDIS_URL={args.redis}; request log on "
          f"(server output in {folder}/<db>/gunicorn.log); CPUs: {os.cpu_count()}, shared by locust and gunicorn.")
    print("Login limits raised for the benchmark (all delegates come from 127.0.0.1): "
          + ", ".join(f"{k}={v!r}" for k, v in LIMITS.items()))
    peaks: dict[str, Row | None] = {}
    for database in databases:
        work = folder / database
        work.mkdir()
        with ExitStack() as stack:
            url = stack.enter_context(empty_database(work, postgres=database == "postgresql"))
            summary, logins = seed(url, work)
            accounts = work / "accounts.json"
            accounts.write_text(json.dumps(logins))
            print(f"\n== {database}: seeded {summary.companies} companies, {summary.delegates} delegate logins, "
                  f"{summary.meetings} published meetings in {summary.slots} slots, {summary.suggestions} match "
                  f"suggestions ({summary.seconds:.0f} s)")
            flush_redis(args.redis)
            server = stack.enter_context(gunicorn(url, work, workers=args.workers, settings=settings))
            if not args.no_steady:
                ramp = args.users / args.spawn_rate
                rows = run_locust(server.url, "Delegate", args.users, args.spawn_rate, ramp + args.duration,
                                  "1,5", accounts, work / "steady")
                print_table(f"Steady load, {database}: {args.users} delegates, think time 1-5 s, "
                            f"{args.duration:.0f} s after a {ramp:.0f} s ramp-up",
                            rows, (*PAGES, "POST /login", "GET /login", "Total"))
            if not args.no_peak:
                flush_redis(args.redis)
                peaks[database] = find_peak(server.url, "Delegate", steps, args.step_seconds, accounts, work,
                                            f"forum on {database}")
            print(f"  server 5xx responses and tracebacks in the log: {server_errors(server.log())}")
    if not args.no_peak:
        bare = folder / "bare"
        with gunicorn("sqlite://", bare, workers=args.workers, app="tests.benchmarks.load.bare_app:app") as server:
            ceiling = find_peak(server.url, "Bare", steps, args.step_seconds, None, bare, "bare Flask endpoint")
        print(f"\nPeak with p95 <= {P95_LIMIT_MS} ms, {args.workers} gunicorn workers (best step):")
        print(f"  {'setup':22} {'step':>10} {'req/s':>7} {'p95 ms':>7} {'% of bare':>9}")
        for name, row in [*((f"forum, {db}", r) for db, r in peaks.items()), ("bare Flask endpoint", ceiling)]:
            if row is None:
                print(f"  {name:22} {'none':>10}")
                continue
            share = f"{100 * row.rps / ceiling.rps:8.0f}%" if ceiling else "       -"
            print(f"  {name:22} {row.name:>10} {row.rps:7.1f} {row.p95:7.0f} {share}")
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"\nWork folder kept: {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
