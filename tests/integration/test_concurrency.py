"""Concurrency safety: 200 clients at once against the real server (gunicorn, 4 workers, PostgreSQL).

Each scenario releases 200 requests together (a barrier) over real HTTP on 127.0.0.1: organizers moving
different meetings into one cell or one company's slot, a delegate accepting one request many times or
more requests than the forum's cap allows, strangers signing up with one e-mail address. The rule holds
for every one: the allowed writes succeed, every other answer is a clear conflict (a 409 problem with a
message, or the page with its message), no answer is a 500, and the database keeps its invariants, checked
afterwards with plain SQL and with `flask check`. Every loop is bounded: 200 attempts, a timeout per
request, a deadline per race.

The server runs on a private PostgreSQL schema (FORUM_TEST_DATABASE_URL, or the local test server); the
module is skipped, with the reason, when PostgreSQL does not answer. FORUM_TEST_CONCURRENCY_SQLITE=1 runs
every race on a SQLite file as well.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
import requests
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, text

from tests import factories
from tests.gunicorn_server import Server, gunicorn
from tests.integration import concurrency_world
from tests.integration.concurrency_world import N, World, accepted_count, agenda_problems, placements
from tests.integration.fresh_database import dispose, empty_database, make_app, pg_unreachable_reason, pg_url

# Bounds against a hung server, not speed limits: 200 requests queue for 4 sync workers, and a loaded CI
# machine takes a second per sign-up (password hashing), so the last answer may come a minute later.
REQUEST_TIMEOUT = 180  # seconds, per request
RACE_DEADLINE = 300  # seconds, for all the requests of one race
ALL_ALLOWED = 60  # attempts in the race where every write is allowed
PROBLEM_JSON = "application/problem+json"
SIGNUP_EMAIL = "race-signup@dala-milk.kz"
SIGNUP_PASSWORD = "a long enough race password"
LIMITS = {
    # 200 clients share the address 127.0.0.1: the per-address doors must let them all through.
    "SIGNUP_RATE_LIMIT": '"100000 per minute"',
    "LOGIN_RATE_LIMIT_PER_ADDRESS": '"100000 per minute"',
    "API_RATE_LIMIT": '"100000 per minute"',
}


@dataclass
class Stack:
    server: Server
    engine: Engine  # the test's own connection to the database, for the invariants
    world: World
    app: Flask  # in-process, for `flask check`


# PostgreSQL always, as production runs it. SQLite (one file shared by the 4 workers) passes the same races
# but doubles the run time, so it runs when asked: FORUM_TEST_CONCURRENCY_SQLITE=1.
DATABASES = ["postgresql", "sqlite"] if os.environ.get("FORUM_TEST_CONCURRENCY_SQLITE") == "1" else ["postgresql"]


@pytest.fixture(scope="module", params=DATABASES)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    postgres = request.param == "postgresql"
    reason = pg_unreachable_reason(pg_url()) if postgres else None
    if reason:
        pytest.skip(reason)
    tmp_path = tmp_path_factory.mktemp("concurrency")
    with empty_database(tmp_path, postgres=postgres) as url:
        app = make_app(url, tmp_path)
        engine = create_engine(url)
        try:
            with app.app_context():
                upgrade()
                world = concurrency_world.seed()
            dispose(app)
            with gunicorn(url, tmp_path / "instance", workers=4, settings=LIMITS) as server:
                yield Stack(server, engine, world, app)
        finally:
            dispose(app)
            engine.dispose()


# --- racing ----------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: str
    content_type: str = ""
    location: str = ""

    @property
    def problem(self) -> dict[str, Any]:
        return json.loads(self.body) if self.content_type.startswith(PROBLEM_JSON) else {}


def race(count: int, attempt: Callable[[int, Any], requests.Response],
         prepare: Callable[[int, requests.Session], Any] | None = None) -> list[Answer]:
    """Run ``attempt(i, prepared)`` for i in range(count) on ``count`` threads released together.

    ``prepare(i, session)`` runs first on each thread (fetching a form, say), so that only the writes race.
    A transport error (a dropped connection, a timeout) is an answer with status 0, which fails the test.
    """
    barrier = threading.Barrier(count)

    def run(i: int) -> Answer:
        with requests.Session() as session:
            try:
                prepared = prepare(i, session) if prepare else session
            except BaseException:
                barrier.abort()  # the others stop waiting for this one
                raise
            barrier.wait(timeout=RACE_DEADLINE)
            try:
                response = attempt(i, prepared)
            except requests.RequestException as exc:
                return Answer(0, f"{type(exc).__name__}: {exc}")
            return Answer(response.status_code, response.text, response.headers.get("Content-Type", ""),
                          response.headers.get("Location", ""))

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run, i) for i in range(count)]
        done, pending = wait(futures, timeout=RACE_DEADLINE)
        for future in pending:
            future.cancel()
        barrier.abort()  # threads still waiting (if any) give up instead of hanging
    assert not pending, f"{len(pending)} of {count} requests did not finish within {RACE_DEADLINE} s"
    return [future.result() for future in futures]


def api(stack: Stack, token: str) -> Callable[..., requests.Response]:
    def call(session: requests.Session, path: str, body: dict[str, Any]) -> requests.Response:
        return session.post(f"{stack.server.url}/api/v1{path}", json=body, timeout=REQUEST_TIMEOUT,
                            headers={"Authorization": f"Bearer {token}"}, allow_redirects=False)
    return call


def agenda_version(stack: Stack) -> int:
    with stack.engine.connect() as conn:
        return conn.execute(text("SELECT agenda_version FROM forum ORDER BY id LIMIT 1")).scalar()


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return unescape(match.group(1))


def page_error(page: str) -> str:
    """The message of the builder's error box, or of the page's flash message."""
    match = re.search(r'class="alert alert-error"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)', page)
    return unescape(match.group(1)).strip() if match else ""


def assert_conflicts(answers: list[Answer], winners: int, statuses: frozenset[int] = frozenset({409})) -> None:
    """Exactly ``winners`` answers succeeded; every other one is a problem with a message for a person."""
    assert sum(200 <= a.status < 400 for a in answers) == winners, Counter(a.status for a in answers)
    for answer in answers:
        if 200 <= answer.status < 400:
            continue
        assert answer.status in statuses, (answer.status, answer.body[:2000])
        assert answer.content_type.startswith(PROBLEM_JSON), answer.content_type
        assert len(answer.problem.get("detail") or "") > 15, answer.body


def assert_healthy(stack: Stack) -> None:
    """No server error: neither in the answers (checked by each test) nor in the server's log."""
    log = stack.server.log()
    assert "Traceback" not in log, log[max(0, log.index("Traceback") - 2000):][:6000]
    errors = [line for line in log.splitlines() if re.search(r'"status":\s*5\d\d', line)]
    assert not errors, errors[:5]
    with stack.engine.connect() as conn:
        assert agenda_problems(conn) == []
    # The operators' own check of the live agenda agrees.
    result = stack.app.test_cli_runner().invoke(args=["check", "--json"])
    assert (result.exit_code, json.loads(result.output)) == (0, []), result.output


# --- the agenda: one cell, many meetings -----------------------------------------------------------------


def test_many_meetings_moved_into_one_cell_at_once_only_one_gets_it(stack: Stack):
    world, call = stack.world, api(stack, stack.world.organizer_token)
    slot, table = world.slots[0], world.tables[0]
    version = agenda_version(stack)

    def move(i: int, session: requests.Session) -> requests.Response:
        # Half send the version they read, half none: those only the cell's rule can refuse (the agenda
        # checker, and the unique index behind it).
        body = {"slot_id": slot, "table_id": table, **({"version": version} if i % 2 else {})}
        return call(session, f"/organizer/agenda/meetings/{world.pairs[i]}/move", body)

    answers = race(N, move)

    assert_conflicts(answers, winners=1)
    winner = next(world.pairs[i] for i, a in enumerate(answers) if a.status == 200)
    with stack.engine.connect() as conn:
        assert placements(conn, world.pairs) == {winner: (slot, table)}
    assert agenda_version(stack) == version + 1
    assert_healthy(stack)


def test_moves_into_free_cells_with_one_version_only_the_first_is_applied(stack: Stack):
    # Every cell is free and no company is in two of these meetings: only the version can refuse them,
    # and it must refuse all but one, or an organizer's change silently overwrites another's.
    world, call = stack.world, api(stack, stack.world.organizer_token)
    with stack.engine.connect() as conn:
        movers = [rid for rid in world.pairs if rid not in placements(conn, world.pairs)]
    cells = [(s, t) for s in world.slots[1:5] for t in world.tables]
    version = agenda_version(stack)

    def move(i: int, session: requests.Session) -> requests.Response:
        slot, table = cells[i]
        return call(session, f"/organizer/agenda/meetings/{movers[i]}/move",
                    {"slot_id": slot, "table_id": table, "version": version})

    answers = race(len(movers), move)

    assert_conflicts(answers, winners=1)
    stale = [a for a in answers if a.status == 409]
    assert all("The agenda changed since you loaded it" in a.problem["detail"] for a in stale), stale[0].body
    assert agenda_version(stack) == version + 1
    assert_healthy(stack)


def test_moves_into_free_cells_without_a_version_all_succeed_and_none_is_lost(stack: Stack):
    # Agenda writes take turns (each checks the whole agenda), so fewer of them keep the run short; four
    # workers still interleave them.
    world, call = stack.world, api(stack, stack.world.organizer_token)
    with stack.engine.connect() as conn:
        movers = [rid for rid in world.pairs if rid not in placements(conn, world.pairs)][:ALL_ALLOWED]
        taken = {(s, t) for s, t in conn.execute(text("SELECT slot_id, table_id FROM scheduled_meeting"))}
    cells = [(s, t) for s in world.slots[1:5] for t in world.tables if (s, t) not in taken]
    version = agenda_version(stack)

    def move(i: int, session: requests.Session) -> requests.Response:
        slot, table = cells[i]
        return call(session, f"/organizer/agenda/meetings/{movers[i]}/move", {"slot_id": slot, "table_id": table})

    answers = race(len(movers), move)

    assert Counter(a.status for a in answers) == {200: len(movers)}, [a.body for a in answers if a.status != 200][:3]
    with stack.engine.connect() as conn:
        assert placements(conn, movers) == {rid: cells[i] for i, rid in enumerate(movers)}
    # Each change has its own version: none was written over by a concurrent one.
    assert agenda_version(stack) == version + len(movers)
    assert_healthy(stack)


# --- the agenda: one company, many meetings in one slot (pages and API together) -------------------------


def test_one_company_moved_into_one_slot_many_times_at_once_gets_one_meeting(stack: Stack):
    world, call = stack.world, api(stack, stack.world.organizer_token)
    slot = world.slots[5]
    with requests.Session() as browser:
        login = browser.get(f"{stack.server.url}/login", timeout=REQUEST_TIMEOUT)
        response = browser.post(f"{stack.server.url}/login", timeout=REQUEST_TIMEOUT, allow_redirects=False, data={
            "csrf_token": csrf_token(login.text), "email": world.organizer_email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.text[:2000]
        grid = browser.get(f"{stack.server.url}/organizer/agenda/grid", timeout=REQUEST_TIMEOUT)
        assert grid.status_code == 200
        token, cookies = csrf_token(grid.text), browser.cookies.get_dict()
    version = agenda_version(stack)

    def move(i: int, session: requests.Session) -> requests.Response:
        rid, table = world.hub_meetings[i], world.tables[i % len(world.tables)]
        if i % 4 == 1:  # the builder's form, as the organizer's browser posts it
            return session.post(f"{stack.server.url}/organizer/agenda/move", cookies=cookies, timeout=REQUEST_TIMEOUT,
                                allow_redirects=False, data={"csrf_token": token, "request_id": rid, "slot_id": slot,
                                                             "table_id": table, "version": version})
        return call(session, f"/organizer/agenda/meetings/{rid}/move", {"slot_id": slot, "table_id": table})

    answers = race(N, move)

    ok = [i for i, a in enumerate(answers) if a.status in (200, 302)]
    assert len(ok) == 1, Counter(a.status for a in answers)
    for i, answer in enumerate(answers):
        if i in ok:
            continue
        if i % 4 == 1:
            assert answer.status == 422, (answer.status, answer.body[:2000])
            assert len(page_error(answer.body)) > 15, answer.body[:4000]
        else:
            assert answer.status == 409, (answer.status, answer.body[:2000])
            assert len(answer.problem.get("detail") or "") > 15, answer.body
    with stack.engine.connect() as conn:
        placed = placements(conn, world.hub_meetings)
    winner = world.hub_meetings[ok[0]]
    assert placed == {winner: (slot, world.tables[ok[0] % len(world.tables)])}
    assert agenda_version(stack) == version + 1
    assert_healthy(stack)


def test_a_meeting_cancelled_while_organizers_move_it_leaves_the_agenda_cleanly(stack: Stack):
    # On a published agenda a move writes the meeting's request too (its calendar sequence), and a
    # cancellation writes the agenda (the freed cell, the history): the two must not wait for each other.
    world, organizer = stack.world, api(stack, stack.world.organizer_token)
    delegate = api(stack, world.cancelled_token)
    with stack.engine.begin() as conn:
        taken = {(s, t) for s, t in conn.execute(text("SELECT slot_id, table_id FROM scheduled_meeting"))}
        conn.execute(text("UPDATE forum SET agenda_published_at = CURRENT_TIMESTAMP"))
    cells = [(s, t) for s in world.slots[1:5] for t in world.tables if (s, t) not in taken]
    rid = world.cancelled
    with requests.Session() as session:
        first = organizer(session, f"/organizer/agenda/meetings/{rid}/move",
                          {"slot_id": cells[0][0], "table_id": cells[0][1]})
        assert first.status_code == 200, first.text

    def act(i: int, session: requests.Session) -> requests.Response:
        if i % 2:
            return delegate(session, f"/my/requests/{rid}/cancel", {"version": 2} if i % 4 == 1 else {})
        slot, table = cells[1 + i // 2]
        return organizer(session, f"/organizer/agenda/meetings/{rid}/move", {"slot_id": slot, "table_id": table})

    answers = race(N, act)

    cancels, moves = answers[1::2], answers[0::2]
    assert_conflicts(cancels, winners=1)
    # A move before the cancellation succeeds; one that waited for it is refused as a conflict (409), and one
    # sent after it finds no accepted meeting to move (404).
    assert {a.status for a in moves} <= {200, 404, 409}, Counter((a.status, a.problem.get("detail")) for a in moves)
    assert all(a.problem.get("detail") for a in moves if a.status != 200)
    with stack.engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM meeting_request WHERE id = :id"), {"id": rid}).scalar()
        assert status == "cancelled"
        assert placements(conn, [rid]) == {}
    assert_healthy(stack)


# --- accepting ---------------------------------------------------------------------------------------------


def test_one_request_accepted_many_times_at_once_is_accepted_once(stack: Stack):
    world, call = stack.world, api(stack, stack.world.contested_token)

    def accept(i: int, session: requests.Session) -> requests.Response:
        # Half name the version they read (1, a new request's), half none.
        return call(session, f"/my/requests/{world.contested}/accept", {"version": 1} if i % 2 else {})

    answers = race(N, accept)

    assert_conflicts(answers, winners=1)
    with stack.engine.connect() as conn:
        status, version = conn.execute(text("SELECT status, version FROM meeting_request WHERE id = :id"),
                                       {"id": world.contested}).one()
        notices = conn.execute(text("SELECT COUNT(*) FROM notification WHERE request_id = :id AND "
                                    "kind = 'request_accepted'"), {"id": world.contested}).scalar()
    assert (status, version) == ("accepted", 2)
    assert notices == 1  # the requester hears of it once
    assert_healthy(stack)


def test_more_accepts_than_the_cap_at_once_stop_at_the_cap(stack: Stack):
    world, call = stack.world, api(stack, stack.world.popular_token)
    cap = 3
    with stack.engine.begin() as conn:
        conn.execute(text("UPDATE forum SET max_meetings_per_company = :cap"), {"cap": cap})
        assert accepted_count(conn, world.popular) == 0

    def accept(i: int, session: requests.Session) -> requests.Response:
        return call(session, f"/my/requests/{world.popular_requests[i]}/accept", {})

    answers = race(N, accept)

    assert_conflicts(answers, winners=cap)
    refused = [a.problem["detail"] for a in answers if a.status == 409]
    assert all(f"already has {cap} accepted meetings" in detail for detail in refused), Counter(refused)
    with stack.engine.connect() as conn:
        assert accepted_count(conn, world.popular) == cap
    assert_healthy(stack)


# --- signing up ------------------------------------------------------------------------------------------


def test_many_signups_with_one_email_at_once_make_one_account(stack: Stack):
    world, url = stack.world, stack.server.url

    def open_form(i: int, session: requests.Session) -> tuple[requests.Session, str]:
        page = session.get(f"{url}/signup", timeout=REQUEST_TIMEOUT)
        assert page.status_code == 200
        return session, csrf_token(page.text)

    def sign_up(i: int, prepared: tuple[requests.Session, str]) -> requests.Response:
        session, token = prepared
        # A different company each time: only the e-mail address is shared.
        return session.post(f"{url}/signup", timeout=REQUEST_TIMEOUT, allow_redirects=False, data={
            "csrf_token": token, "full_name": "Aigerim Bekova", "email": SIGNUP_EMAIL,
            "password": SIGNUP_PASSWORD, "confirm": SIGNUP_PASSWORD, "name": f"Signup Race {i:03d}",
            "delegation": str(world.delegation_id), "country": "Kazakhstan", "city": "Talgar", "size": "small",
            "sectors": [str(world.sector_id)], "offers": "Pasteurised milk", "needs": "Glass bottles",
            "languages": ["ru"], "contact_name": "Aigerim Bekova", "contact_email": "sales@dala-milk.kz",
            "contact_phone": "+7 701 555 12 34"})

    answers = race(N, sign_up, prepare=open_form)

    registered = [a for a in answers if a.status == 302]
    told = [a for a in answers if a.status == 200 and "Check your e-mail" in a.body]
    assert len(registered) == 1, Counter(a.status for a in answers)
    others = [a for a in answers if a.status != 302 and "Check your e-mail" not in a.body]
    assert len(told) == N - 1, (Counter(a.status for a in others),
                                [(a.status, page_error(a.body) or a.body[-3000:]) for a in others][:3])
    with stack.engine.connect() as conn:
        accounts = conn.execute(text("SELECT company_id FROM user_account WHERE lower(email) = :e"),
                                {"e": SIGNUP_EMAIL}).scalars().all()
        companies = conn.execute(text("SELECT id FROM company WHERE name LIKE 'Signup Race %'")).scalars().all()
        mails = conn.execute(text("SELECT COUNT(*) FROM outbox_email WHERE \"to\" = :e"),
                             {"e": SIGNUP_EMAIL}).scalar()
    # One account and its company; the companies of the losing attempts were rolled back with them.
    assert len(accounts) == 1 and companies == accounts
    assert registered[0].location == f"/companies/{companies[0]}"
    # The owner hears of each refused attempt once ("someone tried to register"), and of nothing else.
    assert mails == len(told)
    assert_healthy(stack)
