"""Integration tests: what operations see of the app. /healthz for the load balancer, the request id on every
answer and in every log line, the one-JSON-line-per-request log, and rate limits shared through Redis by
separate app servers (real gunicorn processes: in one process every app shares Flask-Limiter's one storage).
"""

from __future__ import annotations

import io
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.extensions import db
from forum.observability import REQUEST_ID_HEADER, JsonFormatter, request_log
from tests import factories
from tests.gunicorn_server import gunicorn
from tests.integration.fresh_database import dispose, make_app

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class LogCapture:
    """The lines the app's own handlers write (the request log, and app.logger's JSON lines), redirected from
    stderr into memory: the real formatter and request-id filter, only another stream."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def records(self, logger: str | None = None) -> list[dict]:
        entries = [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]
        return [e for e in entries if logger is None or e["logger"] == logger]


@pytest.fixture
def capture_logs() -> Iterator[Callable[[Flask], LogCapture]]:
    restore: list[tuple[logging.StreamHandler, object]] = []

    def start(app: Flask) -> LogCapture:
        capture = LogCapture()
        # The app's handlers, not pytest's own capture handlers that may sit beside them.
        mine = [[h for h in logger.handlers if isinstance(h, logging.StreamHandler)
                 and isinstance(h.formatter, JsonFormatter)] for logger in (request_log, app.logger)]
        assert [len(handlers) for handlers in mine] == [1, 1], mine
        for handler in (mine[0][0], mine[1][0]):
            restore.append((handler, handler.setStream(capture.stream)))
        return capture

    yield start
    for handler, stream in reversed(restore):
        handler.setStream(stream)


# --- /healthz ---------------------------------------------------------------------------------------------


def test_healthz_answers_200_with_the_database_round_trip(client: FlaskClient):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body == {"status": "ok", "database": {"ok": True, "ms": body["database"]["ms"]}}
    assert isinstance(body["database"]["ms"], float) and body["database"]["ms"] >= 0


def _assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert GENERATED_ID.fullmatch(response.headers[REQUEST_ID_HEADER])
    body = response.get_json()
    assert body == {"status": "unavailable",
                    "database": {"ok": False, "ms": body["database"]["ms"], "error": "OperationalError"}}


def test_healthz_503_when_the_sqlite_file_cannot_be_opened(tmp_path: Path):
    # The instance folder's disk was unmounted, or the path is wrong: SQLite cannot create the file there.
    app = make_app(f"sqlite:///{tmp_path / 'unmounted' / 'forum.sqlite'}", tmp_path)
    response = app.test_client().get("/healthz")
    _assert_unavailable(response)
    dispose(app)


def test_healthz_503_when_postgresql_does_not_answer(tmp_path: Path):
    # Nothing listens on port 1: the server is down (connection refused at once, no timeout to wait for).
    app = make_app("postgresql+psycopg://forum@127.0.0.1:1/forum", tmp_path)
    response = app.test_client().get("/healthz")
    _assert_unavailable(response)
    # The body names the error's class only: never the address, user or message of the database.
    assert "127.0.0.1" not in response.get_data(as_text=True)
    dispose(app)


def test_healthz_recovers_when_the_database_comes_back(tmp_path: Path):
    folder = tmp_path / "later"
    app = make_app(f"sqlite:///{folder / 'forum.sqlite'}", tmp_path)
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    folder.mkdir()
    with app.app_context():
        db.create_all()  # the database is back, with its tables
    assert client.get("/healthz").status_code == 200
    dispose(app)


# --- request ids ------------------------------------------------------------------------------------------


def _boom_app(tmp_path: Path) -> Flask:
    """An app with one view that fails, its exception not propagated to the test: a real 500 page."""
    app = make_app(f"sqlite:///{tmp_path / 'boom.sqlite'}", tmp_path, PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("boom: a bug in a view")

    app.add_url_rule("/boom", "boom", boom)
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"), ("GET", "/healthz"), ("GET", "/companies/"), ("GET", "/no-such-page"),
    ("GET", "/static/css/forum.css"), ("GET", "/api/v1/me"), ("POST", "/login"), ("GET", "/organizer/"),
])
def test_every_answer_carries_a_fresh_request_id(client: FlaskClient, method: str, path: str):
    first = client.open(path, method=method)
    second = client.open(path, method=method)
    ids = [first.headers.get(REQUEST_ID_HEADER), second.headers.get(REQUEST_ID_HEADER)]
    assert [GENERATED_ID.fullmatch(i or "") is not None for i in ids] == [True, True], (first.status_code, ids)
    assert ids[0] != ids[1]


def test_a_500_page_carries_the_request_id(tmp_path: Path):
    app = _boom_app(tmp_path)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert GENERATED_ID.fullmatch(response.headers[REQUEST_ID_HEADER])
    dispose(app)


@pytest.mark.parametrize("incoming", [
    "0f8fad5bd9cb469fa16570867728950e",  # nginx's $request_id
    "req-2024.10.17:0930_a",
    "A" * 64,
])
def test_a_sane_incoming_request_id_is_echoed(client: FlaskClient, incoming: str):
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: incoming})
    assert response.headers[REQUEST_ID_HEADER] == incoming


@pytest.mark.parametrize("incoming", [
    "has spaces in it",
    'quote"injected-1234',
    "x" * 500,
    "A" * 65,
    "short",
    "ünïcode-request-id",
    '{"level":"error"}',
])
def test_an_insane_incoming_request_id_is_replaced(client: FlaskClient, incoming: str):
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: incoming})
    assert GENERATED_ID.fullmatch(response.headers[REQUEST_ID_HEADER])


# --- the request log --------------------------------------------------------------------------------------


REQUEST_FIELDS = {"time", "level", "logger", "message", "request_id", "method", "path", "status", "duration_ms",
                  "bytes", "remote_addr", "user_id", "endpoint"}


def test_request_log_line_is_json_with_the_user_after_login(app: Flask, client: FlaskClient, login_as,
                                                            capture_logs):
    with app.app_context():
        company = factories.company()
        user = factories.user(company_id=company)
    login_as(user)
    logs = capture_logs(app)
    response = client.get(f"/companies/{company}/meetings", headers={REQUEST_ID_HEADER: "trace-0001-abcd"})
    assert response.status_code == 200
    [line] = logs.records("forum.requests")
    assert set(line) == REQUEST_FIELDS
    assert {k: v for k, v in line.items() if k not in ("time", "duration_ms", "bytes")} == {
        "level": "info", "logger": "forum.requests", "message": "request", "request_id": "trace-0001-abcd",
        "method": "GET", "path": f"/companies/{company}/meetings", "status": 200, "remote_addr": "127.0.0.1",
        "user_id": user, "endpoint": "meetings.overview",
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["bytes"] == len(response.get_data())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_request_log_anonymous_request_has_no_user(app: Flask, client: FlaskClient, capture_logs):
    logs = capture_logs(app)
    response = client.get("/no-such-page")
    [line] = logs.records("forum.requests")
    assert (line["status"], line["path"], line["user_id"], line["endpoint"]) == (404, "/no-such-page", None, None)
    assert line["request_id"] == response.headers[REQUEST_ID_HEADER]


def test_request_log_one_line_per_request(app: Flask, client: FlaskClient, capture_logs):
    logs = capture_logs(app)
    responses = [client.get(path) for path in ("/", "/healthz", "/companies/")]
    lines = logs.records("forum.requests")
    assert [(e["path"], e["status"], e["request_id"]) for e in lines] == [
        (p, r.status_code, r.headers[REQUEST_ID_HEADER]) for p, r in zip(("/", "/healthz", "/companies/"),
                                                                          responses, strict=True)]


def test_request_log_can_be_switched_off(tmp_path: Path, capture_logs):
    app = make_app(f"sqlite:///{tmp_path / 'forum.sqlite'}", tmp_path, REQUEST_LOG=False)
    with app.app_context():
        db.create_all()
    logs = capture_logs(app)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response.headers[REQUEST_ID_HEADER])  # the id stays: error pages quote it
    assert logs.records("forum.requests") == []
    dispose(app)


def test_an_error_logged_during_a_request_carries_its_id(tmp_path: Path, capture_logs):
    app = _boom_app(tmp_path)
    logs = capture_logs(app)
    response = app.test_client().get("/boom", headers={REQUEST_ID_HEADER: "support-ticket-4711"})
    assert response.status_code == 500
    [error] = logs.records("forum")
    assert (error["level"], error["request_id"]) == ("error", "support-ticket-4711")
    assert "RuntimeError: boom: a bug in a view" in error["exception"]
    [line] = logs.records("forum.requests")
    assert (line["status"], line["request_id"]) == (500, "support-ticket-4711")
    dispose(app)


def test_a_health_check_warning_carries_the_request_id(tmp_path: Path, capture_logs):
    app = make_app(f"sqlite:///{tmp_path / 'unmounted' / 'forum.sqlite'}", tmp_path)
    logs = capture_logs(app)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    [warning] = logs.records("forum")
    assert warning["level"] == "warning"
    assert warning["message"].startswith("health check: the database does not answer: ")
    assert warning["request_id"] == response.headers[REQUEST_ID_HEADER]
    dispose(app)


def test_log_lines_outside_a_request_have_no_request_id(app: Flask, capture_logs):
    logs = capture_logs(app)
    with app.app_context():
        app.logger.warning("the nightly import found 2 bad rows")
    [entry] = logs.records("forum")
    assert "request_id" not in entry
    assert entry["message"] == "the nightly import found 2 bad rows"


def test_text_log_lines_carry_the_request_id_too(tmp_path: Path):
    app = make_app(f"sqlite:///{tmp_path / 'unmounted' / 'forum.sqlite'}", tmp_path, LOG_FORMAT="text")
    [handler] = app.logger.handlers
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = app.test_client().get("/healthz", headers={REQUEST_ID_HEADER: "text-mode-0042"})
        with app.app_context():
            app.logger.warning("outside a request")
    finally:
        handler.setStream(previous)
    assert response.status_code == 503
    lines = stream.getvalue().splitlines()
    assert re.fullmatch(r"\[.+\] WARNING in health \[text-mode-0042\]: health check: the database does not answer: "
                        r".+", lines[0])
    assert re.fullmatch(r"\[.+\] WARNING in test_observability \[-\]: outside a request", lines[-1])
    dispose(app)


# --- rate limits shared through Redis ---------------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database number of these tests' own, flushed before and after
ACCOUNT_LIMIT = 4


def _redis_unreachable_reason() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis does not answer at {REDIS_URL}: {type(exc).__name__}: {exc}"
    return None


@pytest.fixture
def redis_db() -> Iterator[str]:
    reason = _redis_unreachable_reason()
    if reason:
        pytest.skip(reason)
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def shared_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    app = make_app(url, tmp_path / "setup")
    with app.app_context():
        db.create_all()
    dispose(app)
    return url


def _failed_login(base_url: str, email: str) -> int:
    data = urllib.parse.urlencode({"email": email, "password": "not-the-password-1"}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(base_url + "/login", data=data), timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _two_servers(database: str, tmp_path: Path, settings: dict[str, str]):
    base = {"LOGIN_RATE_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT} per minute", "WTF_CSRF_ENABLED": "false",
            "REQUEST_LOG": "false", **settings}
    return (gunicorn(database, tmp_path / "server-a", workers=1, settings=base),
            gunicorn(database, tmp_path / "server-b", workers=1, settings=base))


def test_login_limit_is_shared_by_two_app_servers_through_redis(redis_db: str, shared_database: str,
                                                                tmp_path: Path):
    first, second = _two_servers(shared_database, tmp_path, {"REDIS_URL": redis_db})
    with first as a, second as b:
        statuses = [_failed_login(server.url, "victim@example.com") for server in (a, b, a, b)]
        assert statuses == [422] * ACCOUNT_LIMIT
        # The fifth failure for the same account, wherever it lands, is over the one shared budget.
        assert _failed_login(a.url, "victim@example.com") == 429
        assert _failed_login(b.url, "victim@example.com") == 429
        # Another account keeps its own budget.
        assert _failed_login(b.url, "someone-else@example.com") == 422


def test_login_limit_without_redis_is_counted_per_server(shared_database: str, tmp_path: Path):
    """What FORUM_REDIS_URL is for: without it each server counts alone, and a guesser spread over two servers
    gets twice the budget."""
    first, second = _two_servers(shared_database, tmp_path, {})
    with first as a, second as b:
        statuses = [_failed_login(server.url, "victim@example.com") for server in (a, b, a, b, a, b)]
        assert statuses == [422] * 6


def test_logins_still_work_while_redis_is_down(shared_database: str, tmp_path: Path):
    """Redis restarting during the forum must not lock delegates out: the limits fall back to each
    server's memory (a wrong password is still a 422, not a 500) until Redis answers again."""
    dead_redis = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with gunicorn(shared_database, tmp_path / "server", workers=1,
                  settings={"REDIS_URL": dead_redis, "LOGIN_RATE_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT} per minute",
                            "WTF_CSRF_ENABLED": "false"}) as server:
        statuses = [_failed_login(server.url, "victim@example.com") for _ in range(ACCOUNT_LIMIT + 1)]
        # Counted all the same, in the server's memory.
        assert statuses == [422] * ACCOUNT_LIMIT + [429]
        with urllib.request.urlopen(server.url + "/api/v1/sectors", timeout=30) as answer:
            assert answer.status == 200
        assert '"status": 500' not in server.log()


# --- requests refused early, capability links, the 500 page --------------------------------------------------


def test_a_request_refused_by_csrf_still_has_an_id_and_a_log_line(tmp_path: Path, capture_logs):
    app = make_app(f"sqlite:///{tmp_path / 'csrf.sqlite'}", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    logs = capture_logs(app)
    response = app.test_client().post("/login", data={"email": "a@example.com", "password": "x" * 12},
                                      headers={REQUEST_ID_HEADER: "nginx-id-12345678"})
    assert response.status_code == 400
    assert response.headers[REQUEST_ID_HEADER] == "nginx-id-12345678"
    [line] = logs.records("forum.requests")
    assert (line["status"], line["path"], line["request_id"]) == (400, "/login", "nginx-id-12345678")
    dispose(app)


@pytest.mark.parametrize("path", ["/password/reset/{t}", "/join/{t}", "/calendar/{t}.ics", "/pass/{t}"])
def test_capability_tokens_stay_out_of_the_request_log(app: Flask, client: FlaskClient, capture_logs, path: str):
    token = "s3cret-capability-token-AbCdEf0123456789"
    logs = capture_logs(app)
    client.get(path.format(t=token))
    [line] = logs.records("forum.requests")
    assert token not in json.dumps(line)
    assert line["path"] == path.format(t="[token]")


def test_the_500_page_quotes_the_request_id_as_a_reference(tmp_path: Path):
    app = _boom_app(tmp_path)
    response = app.test_client().get("/boom", headers={REQUEST_ID_HEADER: "support-ticket-4711"})
    assert response.status_code == 500
    assert "quote this reference: support-ticket-4711" in response.get_data(as_text=True)
    dispose(app)


def test_healthz_503_when_the_database_was_never_migrated(tmp_path: Path):
    """A server pointed at an empty database answers, but cannot serve a page: not healthy."""
    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False
    dispose(app)
