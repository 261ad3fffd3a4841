"""Outgoing e-mail through a pluggable sender.

The default sender keeps every message in the ``outbox_email`` table and logs it, so a forum without
a mail server still has a record of what would have been sent. With ``MAIL_SERVER`` configured the
SMTP sender delivers it too (and still keeps the outbox row, marked sent or with the error).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from flask import current_app

from forum.extensions import db
from forum.models import OutboxEmail, utcnow


class Sender(Protocol):
    def send(self, to: str, subject: str, body: str) -> OutboxEmail: ...


class OutboxSender:
    """Writes the message to the outbox and the log. Caller commits."""

    def send(self, to: str, subject: str, body: str) -> OutboxEmail:
        row = OutboxEmail(to=to, subject=subject[:200], body=body)
        db.session.add(row)
        current_app.logger.info("mail to %s: %s", to, subject)
        return row


class SMTPSender(OutboxSender):
    """Delivers through SMTP as well; a failure is recorded on the outbox row, never raised: a request
    must not fail because the mail server is down."""

    def send(self, to: str, subject: str, body: str) -> OutboxEmail:
        row = super().send(to, subject, body)
        cfg = current_app.config
        message = EmailMessage()
        message["From"] = cfg["MAIL_FROM"]
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        try:
            with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
                if cfg.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if cfg.get("MAIL_USERNAME"):
                    smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
                smtp.send_message(message)
            row.sent_at = utcnow()
        except (OSError, smtplib.SMTPException) as exc:
            row.error = f"{type(exc).__name__}: {exc}"[:1000]
            current_app.logger.warning("mail to %s failed: %s", to, row.error)
        return row


def sender() -> Sender:
    return SMTPSender() if current_app.config.get("MAIL_SERVER") else OutboxSender()
