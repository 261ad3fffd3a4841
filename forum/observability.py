"""Operations: a request id on every request and answer, and one structured (JSON) log line per request.

The id comes from the proxy's ``X-Request-ID`` when it sends a sane one (nginx: ``$request_id``), so a line
in nginx's log, the app's log and a delegate's screenshot of an error page all name the same request.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import wsgi_errors_stream

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a proxy: short, printable, no spaces or quotes that could forge log fields.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

request_log = logging.getLogger("forum.requests")


def request_id() -> str | None:
    """The current request's id, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: machine-readable for log shippers, greppable for people."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            entry["request_id"] = rid
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Stamps every record logged during a request (errors included) with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id()
        return True


def _json_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


class TextFormatter(logging.Formatter):
    """Flask's plain line, with the request id ("-" outside a request)."""

    def __init__(self) -> None:
        super().__init__("[%(asctime)s] %(levelname)s in %(module)s [%(request_id_text)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id_text = getattr(record, "request_id", None) or "-"
        return super().format(record)


def _text_handler() -> logging.Handler:
    handler = logging.StreamHandler(wsgi_errors_stream)
    handler.setFormatter(TextFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def register(app: Flask) -> None:
    # app.logger is the process-wide "forum" logger: set its handlers outright, so the format chosen is the
    # one in force (not a mix with an earlier app's), and every line carries the request id.
    if app.config["LOG_FORMAT"] == "json":
        # The app's own messages and tracebacks (app.logger) become JSON lines too, with the request id.
        app.logger.handlers[:] = [_json_handler()]
    else:
        app.logger.handlers[:] = [_text_handler()]
    app.logger.setLevel(logging.INFO)
    if app.config["REQUEST_LOG"] and not request_log.handlers:
        request_log.addHandler(_json_handler())
        request_log.setLevel(logging.INFO)
        request_log.propagate = False

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        if "request_id" not in g:  # refused before our before_request ran (another one raised)
            assign_request_id()
        rid = g.request_id
        response.headers[REQUEST_ID_HEADER] = rid
        if app.config["REQUEST_LOG"]:
            request_log.info("request", extra={"request_id": rid, "fields": _fields(response)})
        return response


def _fields(response: Response) -> dict[str, Any]:
    # Only a user the request already loaded: asking current_user here would cost a query on every
    # static file and health check.
    user = g.get("_login_user")
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    return {
        "method": request.method,
        "path": _loggable_path(),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
        # Files (exports, static) are streamed: their length is only in the header.
        "bytes": response.calculate_content_length() if not response.is_streamed else response.content_length,
        "remote_addr": request.remote_addr,
        "user_id": user_id,
        "endpoint": request.endpoint,
    }


def _loggable_path() -> str:
    """The path, with capability tokens (password reset, invitation, calendar feed, meeting pass links)
    replaced: they are keys, and logs are read by more people and kept longer than the keys live."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name and isinstance(value, str) and value:
            path = path.replace(value, "[token]")
    return path
