"""Outgoing e-mail: written to an outbox inside the caller's transaction, delivered later by ``deliver-mail``.

Every message is a row of the ``outbox_email`` table, added by :func:`sender` in the same transaction as the
change it reports; a request never talks to a mail server. A message therefore leaves only if that change
was committed, and a slow or absent mail server never holds a request, its row locks or a web worker.

With ``MAIL_SERVER`` set, ``flask --app forum deliver-mail`` (:class:`Deliverer`, :func:`deliver_forever`)
sends the pending rows through SMTP and marks each one sent (``sent_at``) or failed (``error``). Without it,
the outbox and the log are the record of what would have been sent.

Delivery is at least once: a message is marked sent after the server accepted it, so a crash between the
two sends it again on the next run (the stable ``Message-ID`` lets mail clients fold the copies).
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

from flask import current_app
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.models import OutboxEmail, utcnow
from forum.models.meeting import OUTBOX_PENDING_CONDITION

# Messages sent over one SMTP connection: many servers cap the messages per connection (often at 100).
BATCH_SIZE = 100
# Tries of one message that the server refused for now (4xx) or that lost the connection, before it is
# recorded as failed; only --retry-failed makes a failed message pending again.
MAX_ATTEMPTS = 3
# The first wait before a message refused for now is tried again; each further try waits twice as long.
RETRY_AFTER_SECONDS = 30.0
# The longest wait of the polling loop while the mail server (or the database) does not answer.
MAX_BACKOFF_SECONDS = 300.0
SMTP_TIMEOUT_SECONDS = 10


class Sender(Protocol):
    def send(self, to: str, subject: str, body: str) -> OutboxEmail: ...


class OutboxSender:
    """Writes the message to the outbox and the log. Caller commits; ``deliver-mail`` sends it afterwards."""

    def send(self, to: str, subject: str, body: str) -> OutboxEmail:
        row = OutboxEmail(to=to, subject=subject[:200], body=body)
        db.session.add(row)
        current_app.logger.info("mail to %s: %s", to, subject)
        return row


def sender() -> Sender:
    """The sender for the rest of the code. Always the outbox, with or without ``MAIL_SERVER``: sending is
    ``deliver-mail``'s job, outside any request."""
    return OutboxSender()


class MailServerUnavailable(Exception):
    """The server could not be reached or refused the session (connect, STARTTLS, login): no message is at
    fault, so none is marked; they stay pending for the next try."""


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # recorded with their error; not tried again without --retry-failed
    deferred: int = 0  # refused for now or cut off; still pending, tried again later
    server_error: str = ""  # set when the server could not be reached; the rest stays pending

    @property
    def ok(self) -> bool:
        return not (self.failed or self.deferred or self.server_error)


@dataclass
class _Outcome:
    sent: bool = False
    error: str = ""
    temporary: bool = False  # the server said "try later" (4xx): the message may go through on a later try
    connection_lost: bool = False  # the connection is gone: open a new one before the next message
    # The server refuses us, not this message (our sender address, authentication, TLS required): every
    # message would fail the same way, so the pass ends and they all stay pending.
    server_problem: bool = False


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _classify(exc: Exception) -> _Outcome:
    """What a failure of send_message means for the message. smtplib's exceptions are OSErrors: the SMTP
    ones are told apart first."""
    error = _describe(exc)
    if isinstance(exc, smtplib.SMTPSenderRefused) or (
            isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code in (530, 535, 538)):
        return _Outcome(error=error, server_problem=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Outcome(error=error, connection_lost=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return _Outcome(error=error, temporary=bool(codes) and all(400 <= code < 500 for code in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        if exc.smtp_code == 421:  # "service not available, closing channel"
            return _Outcome(error=error, connection_lost=True)
        return _Outcome(error=error, temporary=400 <= exc.smtp_code < 500)
    if isinstance(exc, smtplib.SMTPException):
        return _Outcome(error=error)  # e.g. SMTPNotSupportedError: the server cannot take this address
    return _Outcome(error=error, connection_lost=True)  # OSError: a timeout or a reset in the middle


def _pending(include_failed: bool = False):
    if include_failed:
        return OutboxEmail.sent_at.is_(None)
    # Written as the partial index's condition, so that the database uses the index.
    return text(OUTBOX_PENDING_CONDITION)


def pending_count(max_age: timedelta | None = None) -> int:
    query = select(func.count(OutboxEmail.id)).where(_pending())
    if max_age is not None:
        query = query.where(OutboxEmail.created_at >= utcnow() - max_age)
    return db.session.scalar(query) or 0


def retry_failed() -> int:
    """Make every unsent message whose delivery failed pending again (their errors are logged first, since
    the row forgets them). Commits. Returns how many."""
    failed = list(db.session.execute(select(OutboxEmail.id, OutboxEmail.to, OutboxEmail.error)
                                     .where(_pending(include_failed=True), OutboxEmail.error != "")))
    for outbox_id, to, error in failed:
        current_app.logger.info("mail %s to %s: trying again after: %s", outbox_id, to, error)
    if failed:
        db.session.execute(update(OutboxEmail).where(OutboxEmail.id.in_([row.id for row in failed]))
                           .values(error="", attempts=0, next_attempt_at=None))
    db.session.commit()
    return len(failed)


class Deliverer:
    """Sends the pending outbox rows through the configured SMTP server.

    Each message is claimed in a transaction of its own (``SELECT ... FOR UPDATE SKIP LOCKED`` on
    PostgreSQL) that also records the outcome: two deliverers never send the same message, and a crash
    loses at most the outcome of the message in flight. SQLite has no row locks: there, run one deliverer.
    A message refused for now keeps its tries and the time to try again in its row (``attempts``,
    ``next_attempt_at``), so a deliverer started from cron or restarted counts on.
    """

    def __init__(self, stop: threading.Event | None = None, max_age: timedelta | None = None) -> None:
        cfg = current_app.config
        if not cfg.get("MAIL_SERVER"):
            raise ValueError("MAIL_SERVER is not set")
        self.stop = stop or threading.Event()
        self.max_age = max_age

    # --- one pass --------------------------------------------------------------------------------------

    def deliver_pending(self) -> DeliveryReport:
        """One pass over the messages pending now, in batches of BATCH_SIZE (one SMTP connection each).
        Stops early when the server cannot be reached or when ``stop`` is set (after the current message)."""
        report = DeliveryReport()
        # Rows written during the pass wait for the next one: a pass always ends.
        upto = db.session.scalar(select(func.max(OutboxEmail.id)))
        db.session.rollback()
        after = 0
        while upto is not None and not self.stop.is_set() and not report.server_error:
            ids = self._candidates(after, upto)
            if not ids:
                break
            after = ids[-1]
            self._deliver_batch(ids, report)
        return report

    def _candidates(self, after: int, upto: int) -> list[int]:
        query = select(OutboxEmail.id).where(_pending(), OutboxEmail.id > after, OutboxEmail.id <= upto)
        if self.max_age is not None:
            query = query.where(OutboxEmail.created_at >= utcnow() - self.max_age)
        query = query.where(or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= utcnow()))
        ids = list(db.session.scalars(query.order_by(OutboxEmail.id).limit(BATCH_SIZE)))
        db.session.rollback()
        return ids

    def _claim(self, outbox_id: int) -> OutboxEmail | None:
        """The row, locked until the outcome is committed; None when it was sent meanwhile or another
        deliverer holds it."""
        return db.session.scalar(select(OutboxEmail).where(OutboxEmail.id == outbox_id, _pending())
                                 .with_for_update(skip_locked=True))

    def _deliver_batch(self, ids: list[int], report: DeliveryReport) -> None:
        smtp: smtplib.SMTP | None = None
        try:
            for outbox_id in ids:
                if self.stop.is_set():
                    break
                # A lost connection is retried at once on a new one, up to MAX_ATTEMPTS for the message.
                while True:
                    row = self._claim(outbox_id)
                    if row is None:  # sent meanwhile, or another deliverer has it
                        db.session.rollback()
                        break
                    if smtp is None:
                        try:
                            smtp = self._connect()
                        except MailServerUnavailable as exc:
                            db.session.rollback()
                            report.server_error = str(exc)
                            current_app.logger.warning("mail server unavailable: %s", exc)
                            return
                    outcome = self._send(smtp, row)
                    if outcome.server_problem:
                        db.session.rollback()
                        report.server_error = outcome.error
                        current_app.logger.warning("mail server refuses to send: %s", outcome.error)
                        return
                    if outcome.connection_lost:
                        _close(smtp)
                        smtp = None
                    if not self._record(row, outcome, report):
                        break
        finally:
            if smtp is not None:
                _close(smtp, polite=True)

    def _record(self, row: OutboxEmail, outcome: _Outcome, report: DeliveryReport) -> bool:
        """Commit the outcome of one try. True when the message is to be tried again."""
        outbox_id, to = row.id, row.to
        if outcome.sent:
            row.sent_at = utcnow()
            row.next_attempt_at = None
            db.session.commit()
            report.sent += 1
            current_app.logger.info("mail %s sent to %s", outbox_id, to)
            return False
        attempts = row.attempts = (row.attempts or 0) + 1
        if (outcome.temporary or outcome.connection_lost) and attempts < MAX_ATTEMPTS:
            if outcome.temporary:
                row.next_attempt_at = utcnow() + timedelta(seconds=RETRY_AFTER_SECONDS * 2 ** (attempts - 1))
                report.deferred += 1
            db.session.commit()
            current_app.logger.warning("mail %s to %s not sent (try %d of %d): %s", outbox_id, to, attempts,
                                       MAX_ATTEMPTS, outcome.error)
            return outcome.connection_lost
        suffix = f" (gave up after {attempts} tries)" if attempts > 1 else ""
        row.error = error = (outcome.error + suffix)[:1000]
        row.next_attempt_at = None
        db.session.commit()
        report.failed += 1
        current_app.logger.warning("mail %s to %s failed: %s", outbox_id, to, error)
        return False

    # --- SMTP -------------------------------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        cfg = current_app.config
        try:
            smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS)
        except OSError as exc:  # smtplib's exceptions included
            raise MailServerUnavailable(_describe(exc)) from exc
        try:
            if cfg.get("MAIL_USE_TLS"):
                # Verify the server's certificate and name: smtplib's default context checks neither, and
                # the login that follows would hand MAIL_PASSWORD to whoever sits in between.
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        except (OSError, RuntimeError) as exc:  # RuntimeError: no SSL support in this Python
            _close(smtp)
            raise MailServerUnavailable(_describe(exc)) from exc
        return smtp

    def _send(self, smtp: smtplib.SMTP, row: OutboxEmail) -> _Outcome:
        try:
            message = build_message(row)
        except Exception as exc:  # noqa: BLE001 - e.g. a line break in a header: no server will take it,
            return _Outcome(error=_describe(exc))  # and one bad row must not stop every other message
        try:
            smtp.send_message(message)
        except OSError as exc:  # smtplib's exceptions included
            return _classify(exc)
        except Exception as exc:  # noqa: BLE001 - e.g. an address that cannot be encoded: this message only
            return _Outcome(error=_describe(exc))
        return _Outcome(sent=True)


def build_message(row: OutboxEmail) -> EmailMessage:
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = row.to
    message["Subject"] = row.subject
    # The time it was written, not sent: a message delivered after an outage says when it happened.
    message["Date"] = format_datetime(row.created_at or utcnow())
    # Stable per row, so a copy sent again after a crash is recognisably the same message; the moment it
    # was written (to the microsecond) keeps it unique across installations and databases restored from a
    # backup, which number their rows from the same ids.
    domain = parseaddr(cfg["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    written = row.created_at or utcnow()
    message["Message-ID"] = f"<outbox-{row.id}.{written.strftime('%Y%m%d%H%M%S%f')}@{domain}>"
    message.set_content(row.body)
    return message


def _close(smtp: smtplib.SMTP, polite: bool = False) -> None:
    try:
        if polite:
            smtp.quit()
        else:
            smtp.close()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def deliver_forever(stop: threading.Event, interval: float, max_age: timedelta | None = None,
                    on_pass: Callable[[DeliveryReport], None] | None = None) -> None:
    """Deliver, then wait ``interval`` seconds, until ``stop`` is set (it is checked between messages and
    ends the wait at once). While the mail server or the database does not answer, the wait doubles up to
    MAX_BACKOFF_SECONDS."""
    deliverer = Deliverer(stop=stop, max_age=max_age)
    wait = interval
    while not stop.is_set():
        try:
            report = deliverer.deliver_pending()
        except SQLAlchemyError as exc:  # the database restarts: keep the service up and try again
            db.session.rollback()
            current_app.logger.warning("deliver-mail: the database does not answer: %s", _describe(exc))
            report = DeliveryReport(server_error=_describe(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not crash-loop the service on the same row
            db.session.rollback()
            current_app.logger.exception("deliver-mail: a pass failed")
            report = DeliveryReport(server_error=_describe(exc))
        if on_pass is not None:
            on_pass(report)
        wait = min(wait * 2, MAX_BACKOFF_SECONDS) if report.server_error else interval
        stop.wait(wait)
