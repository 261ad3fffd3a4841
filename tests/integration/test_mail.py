"""Integration tests: e-mail goes through the outbox; ``deliver-mail`` sends it through SMTP afterwards.

smtplib.SMTP is replaced by FakeSMTP, which records the connections and messages and can refuse, drop
the connection or be unreachable, the way a real server does.
"""

from __future__ import annotations

import os
import re
import signal
import smtplib
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, select, text, update

from forum.extensions import db
from forum.models import Forum, OutboxEmail, utcnow
from forum.services import mail
from tests import factories


class FakeSMTP:
    """Stands in for smtplib.SMTP. Class attributes are the server's behaviour and what it received."""

    connections: list[FakeSMTP] = []
    unreachable = False
    # address -> (code, reply) refused at RCPT; "drop" -> the connection dies while sending to it
    refuse: dict[str, tuple[int, bytes] | str] = {}
    on_send = None  # called with the message after it is accepted
    refuse_sender: tuple[int, bytes] | None = None  # (code, reply) refused at MAIL FROM

    def __init__(self, host: str, port: int, timeout: float) -> None:
        if FakeSMTP.unreachable:
            raise ConnectionRefusedError(111, "Connection refused")
        self.host, self.port, self.timeout = host, port, timeout
        self.tls = False
        self.login_as: tuple[str, str] | None = None
        self.messages: list = []
        self.closed = False
        FakeSMTP.connections.append(self)

    def starttls(self, context=None) -> None:
        self.tls, self.tls_context = True, context

    def login(self, user: str, password: str) -> None:
        self.login_as = (user, password)

    def send_message(self, message) -> dict:
        assert not self.closed, "a message was sent over a closed connection"
        if FakeSMTP.refuse_sender is not None:
            raise smtplib.SMTPSenderRefused(*FakeSMTP.refuse_sender, message["From"])
        behaviour = FakeSMTP.refuse.get(message["To"])
        if behaviour == "drop":
            self.closed = True
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if behaviour is not None:
            raise smtplib.SMTPRecipientsRefused({message["To"]: behaviour})
        self.messages.append(message)
        if FakeSMTP.on_send is not None:
            FakeSMTP.on_send(message)
        return {}

    def quit(self) -> None:
        self.closed = True

    def close(self) -> None:
        self.closed = True

    @classmethod
    def sent(cls) -> list:
        return [m for c in cls.connections for m in c.messages]


@pytest.fixture(autouse=True)
def fake_smtp(monkeypatch) -> type[FakeSMTP]:
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "connections", [])
    monkeypatch.setattr(FakeSMTP, "unreachable", False)
    monkeypatch.setattr(FakeSMTP, "refuse", {})
    monkeypatch.setattr(FakeSMTP, "on_send", None)
    monkeypatch.setattr(FakeSMTP, "refuse_sender", None)
    return FakeSMTP


@pytest.fixture
def app_config() -> dict:
    return {"MAIL_SERVER": "smtp.example.org", "MAIL_PORT": 2525, "MAIL_USE_TLS": True,
            "MAIL_USERNAME": "forum", "MAIL_PASSWORD": "s3cret", "MAIL_FROM": "Forum <forum@invest.example>"}


def write(app: Flask, *messages: tuple[str, str, str]) -> list[int]:
    """Messages written to the outbox the way the services do, committed."""
    with app.app_context():
        rows = [mail.sender().send(to, subject, body) for to, subject, body in messages]
        db.session.commit()
        return [row.id for row in rows]


def rows(app: Flask) -> dict[str, OutboxEmail]:
    with app.app_context():
        result = {row.to: row for row in db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id))}
        db.session.expunge_all()
        return result


def deliver(runner, *args: str):
    return runner.invoke(args=["deliver-mail", *args])


THREE = (("a@example.com", "Subject A", "Body A"), ("b@example.com", "Subject B", "Body B"),
         ("c@example.com", "Subject C", "Body C"))


def test_writing_a_message_does_no_smtp_even_with_a_mail_server(app, fake_smtp):
    write(app, *THREE)
    assert fake_smtp.connections == []
    assert all(row.sent_at is None and row.error == "" for row in rows(app).values())


def test_deliver_once_sends_each_pending_message_once_over_one_connection(app, runner, fake_smtp):
    write(app, *THREE)
    result = deliver(runner, "--once")
    assert result.exit_code == 0, result.output
    assert "3 e-mails sent" in result.output
    assert len(fake_smtp.connections) == 1
    smtp = fake_smtp.connections[0]
    assert (smtp.host, smtp.port, smtp.tls, smtp.login_as) == ("smtp.example.org", 2525, True, ("forum", "s3cret"))
    assert smtp.closed
    assert [(m["From"], m["To"], m["Subject"], m.get_content().strip()) for m in smtp.messages] == [
        ("Forum <forum@invest.example>", to, subject, body) for to, subject, body in THREE]
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(set(ids)) == 3 and all(i.endswith("@invest.example>") for i in ids)
    assert all(row.sent_at is not None and row.error == "" for row in rows(app).values())

    again = deliver(runner, "--once")
    assert again.exit_code == 0, again.output
    assert "Nothing to send" in again.output
    assert len(fake_smtp.sent()) == 3
    assert len(fake_smtp.connections) == 1  # nothing pending: no connection at all


def test_a_refused_message_is_recorded_the_others_go_and_it_is_not_sent_again(app, runner, fake_smtp):
    write(app, *THREE)
    fake_smtp.refuse["b@example.com"] = (550, b"5.1.1 No such user")
    result = deliver(runner, "--once")
    assert result.exit_code == 1
    assert "2 e-mails sent" in result.output and "1 not sent (its error is recorded" in result.output
    assert [m["To"] for m in fake_smtp.sent()] == ["a@example.com", "c@example.com"]
    outbox = rows(app)
    assert outbox["b@example.com"].sent_at is None
    assert "SMTPRecipientsRefused" in outbox["b@example.com"].error and "No such user" in outbox["b@example.com"].error
    assert outbox["a@example.com"].sent_at and outbox["c@example.com"].sent_at

    assert deliver(runner, "--once").exit_code == 0
    assert len(fake_smtp.sent()) == 2  # neither the refused one nor the sent ones again

    # The operator fixed the address book: --retry-failed sends it, once.
    fake_smtp.refuse.clear()
    result = deliver(runner, "--once", "--retry-failed")
    assert result.exit_code == 0, result.output
    assert "1 failed message is pending again" in result.output
    assert [m["To"] for m in fake_smtp.sent()] == ["a@example.com", "c@example.com", "b@example.com"]
    assert rows(app)["b@example.com"].sent_at is not None and rows(app)["b@example.com"].error == ""


def _time_passes(app: Flask) -> None:
    """The wait a refused message was given is over."""
    with app.app_context():
        db.session.execute(update(OutboxEmail).where(OutboxEmail.next_attempt_at.is_not(None))
                           .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_a_temporary_refusal_leaves_the_message_pending(app, runner, fake_smtp):
    write(app, *THREE)
    fake_smtp.refuse["a@example.com"] = (450, b"4.2.1 Mailbox busy, try later")
    result = deliver(runner, "--once")
    assert result.exit_code == 1
    assert "1 refused for now" in result.output
    assert rows(app)["a@example.com"].sent_at is None and rows(app)["a@example.com"].error == ""
    fake_smtp.refuse.clear()
    # A run straight after (cron, a restart) still waits the time the server was given.
    assert deliver(runner, "--once").exit_code == 0
    assert sorted(m["To"] for m in fake_smtp.sent()) == ["b@example.com", "c@example.com"]
    _time_passes(app)
    assert deliver(runner, "--once").exit_code == 0
    assert sorted(m["To"] for m in fake_smtp.sent()) == ["a@example.com", "b@example.com", "c@example.com"]


def test_tries_refused_for_now_are_counted_across_runs(app, runner, fake_smtp):
    """Each run of `deliver-mail --once` (from cron) is a new process: the tries live in the row."""
    write(app, ("a@example.com", "Agenda", "Your agenda changed."))
    fake_smtp.refuse["a@example.com"] = (451, b"4.3.0 Try again later")
    for _ in range(mail.MAX_ATTEMPTS):
        deliver(runner, "--once")
        _time_passes(app)
    row = rows(app)["a@example.com"]
    assert row.sent_at is None
    assert f"gave up after {mail.MAX_ATTEMPTS} tries" in row.error
    # given up: the next run leaves it alone
    deliver(runner, "--once")
    assert fake_smtp.sent() == []


def test_a_message_that_keeps_dropping_the_connection_is_given_up_after_its_tries(app, runner, fake_smtp):
    write(app, *THREE)
    fake_smtp.refuse["b@example.com"] = "drop"
    result = deliver(runner, "--once")
    assert result.exit_code == 1
    assert [m["To"] for m in fake_smtp.sent()] == ["a@example.com", "c@example.com"]
    # one connection to start, one more for each retry of b, one for c after b was given up
    assert len(fake_smtp.connections) == mail.MAX_ATTEMPTS + 1
    error = rows(app)["b@example.com"].error
    assert "SMTPServerDisconnected" in error and f"gave up after {mail.MAX_ATTEMPTS} tries" in error


def test_an_unreachable_server_leaves_every_message_pending(app, runner, fake_smtp):
    write(app, *THREE)
    fake_smtp.unreachable = True
    result = deliver(runner, "--once")
    assert result.exit_code == 1
    assert "the mail server does not answer" in result.output and "ConnectionRefusedError" in result.output
    assert all(row.sent_at is None and row.error == "" for row in rows(app).values())
    fake_smtp.unreachable = False
    assert deliver(runner, "--once").exit_code == 0
    assert len(fake_smtp.sent()) == 3


def test_old_pending_messages_can_be_left_with_max_age(app, runner, fake_smtp):
    """Rows written while no MAIL_SERVER was configured need not all go out the day one is; by default
    nothing pending is ever left unsent."""
    (old,) = write(app, ("old@example.com", "Last month", "Stale"))
    write(app, ("new@example.com", "Today", "Fresh"))
    with app.app_context():
        db.session.get(OutboxEmail, old).created_at = utcnow() - timedelta(days=30)
        db.session.commit()
    assert deliver(runner, "--once", "--max-age", "24").exit_code == 0
    assert [m["To"] for m in fake_smtp.sent()] == ["new@example.com"]
    assert deliver(runner, "--once").exit_code == 0
    assert [m["To"] for m in fake_smtp.sent()] == ["new@example.com", "old@example.com"]


def test_a_server_that_refuses_our_sender_leaves_every_message_pending(app, runner, fake_smtp):
    """A wrong MAIL_FROM or a login the relay wants is the server refusing us, not one message: nothing is
    marked failed, and once it is fixed everything goes."""
    write(app, ("a@example.com", "A", "a"), ("b@example.com", "B", "b"))
    fake_smtp.refuse_sender = (553, b"5.7.1 Sender address rejected: not owned by user")
    result = deliver(runner, "--once")
    assert result.exit_code == 1
    assert all(row.sent_at is None and row.error == "" for row in rows(app).values())
    fake_smtp.refuse_sender = None
    assert deliver(runner, "--once").exit_code == 0
    assert sorted(m["To"] for m in fake_smtp.sent()) == ["a@example.com", "b@example.com"]


def test_starttls_verifies_the_servers_certificate(app, runner, fake_smtp):
    import ssl

    write(app, ("a@example.com", "A", "a"))
    assert deliver(runner, "--once").exit_code == 0
    [connection] = fake_smtp.connections
    assert connection.tls_context is not None
    assert connection.tls_context.verify_mode == ssl.CERT_REQUIRED and connection.tls_context.check_hostname


def test_without_a_mail_server_there_is_nothing_to_deliver_to(app, runner, fake_smtp):
    app.config["MAIL_SERVER"] = None
    write(app, *THREE)
    result = deliver(runner, "--once")
    assert result.exit_code == 2
    assert "MAIL_SERVER is not set" in result.output and "3 pending" in result.output
    assert fake_smtp.connections == []


def test_sigterm_stops_the_loop_after_the_message_in_hand(app, runner, fake_smtp):
    write(app, *THREE)
    # systemd stops the service with SIGTERM while the first message is being sent
    fake_smtp.on_send = lambda message: os.kill(os.getpid(), signal.SIGTERM)
    handler_before = signal.getsignal(signal.SIGTERM)
    result = deliver(runner, "--interval", "0.1")
    assert result.exit_code == 0, result.output
    assert "Stopped." in result.output
    assert [m["To"] for m in fake_smtp.sent()] == ["a@example.com"]
    outbox = rows(app)
    assert outbox["a@example.com"].sent_at is not None  # its outcome was committed before stopping
    assert outbox["b@example.com"].sent_at is None and outbox["c@example.com"].sent_at is None
    assert signal.getsignal(signal.SIGTERM) is handler_before


def test_a_message_another_deliverer_holds_is_skipped(app, runner, fake_smtp):
    """Two deliverers never send the same message: a row another one has locked is left to it."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only; SQLite runs one deliverer")
    first, *_ = write(app, *THREE)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as other:
            other.execute(text("SELECT id FROM outbox_email WHERE id = :id FOR UPDATE"), {"id": first})
            result = deliver(runner, "--once")
            assert result.exit_code == 0, result.output
            assert [m["To"] for m in fake_smtp.sent()] == ["b@example.com", "c@example.com"]
            other.rollback()
    finally:
        engine.dispose()
    assert rows(app)["a@example.com"].sent_at is None
    assert deliver(runner, "--once").exit_code == 0
    assert sorted(m["To"] for m in fake_smtp.sent()) == ["a@example.com", "b@example.com", "c@example.com"]


def test_publishing_with_a_mail_server_does_no_smtp_in_the_request(app, client, runner, login_as, fake_smtp):
    with app.app_context():
        world = factories.published_agenda(publish=False)
        version = db.session.scalar(select(Forum.agenda_version))
    login_as(world["organizer"])
    response = client.post("/organizer/agenda/publish", data={"version": version})
    assert response.status_code == 302
    assert fake_smtp.connections == []
    with app.app_context():
        pending = list(db.session.scalars(select(OutboxEmail)))
        assert pending and all(row.sent_at is None for row in pending)

    result = deliver(runner, "--once")
    assert result.exit_code == 0, result.output
    sent = {(m["To"], m["Subject"]) for m in fake_smtp.sent()}
    # each placed meeting announced to the delegates of both its companies, each message once
    assert ("agenda-delegate0@example.com",
            "Your meeting with Agenda Company 1 is now on the agenda: see its time and table") in sent
    assert ("agenda-delegate1@example.com",
            "Your meeting with Agenda Company 0 is now on the agenda: see its time and table") in sent
    assert len(fake_smtp.sent()) == len(pending) == len(sent)
    assert {m["To"] for m in fake_smtp.sent()} == {f"agenda-delegate{i}@example.com" for i in range(4)}


def test_a_password_reset_link_arrives_through_deliver_mail_and_works(app, client, runner, make_user, fake_smtp):
    make_user(email="reset-me@example.com")
    response = client.post("/password/forgot", data={"email": "reset-me@example.com"})
    assert response.status_code == 200
    assert fake_smtp.connections == []
    assert deliver(runner, "--once").exit_code == 0
    (message,) = fake_smtp.sent()
    assert message["To"] == "reset-me@example.com"
    link = re.search(r"https?://\S+/password/reset/\S+", message.get_content())
    assert link, message.get_content()
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
