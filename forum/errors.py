"""Friendly error pages. A 500 is always a bug, but the person who meets one still deserves a page."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forum.extensions import db


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("That request did not work"), _("Something in the request was not right. Go back and try again.")),
        403: (_("Not for this account"), _("You do not have access to this page.")),
        404: (_("Page not found"), _("The page you asked for is not here. It may have moved, or the link is wrong.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        413: (_("The file is too large"), _("Upload a smaller file, or split it into several.")),
        500: (_("Something went wrong on our side"),
              _("The problem has been logged. Please try again in a moment.")),
    }


def render_error(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = _messages().get(code, _messages()[400])
    from forum.observability import request_id

    return render_template("errors/error.html", code=code, title=title or default_title,
                           message=message or default_message, request_id=request_id()), code


def _api_request() -> bool:
    # Clients of the JSON API get problem+json even for routes that do not exist there.
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _("The form expired"),
                            _("For your security, forms expire. Go back, reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if _api_request():
            from forum.api.framework import http_problem

            return http_problem(error)
        return render_error(error.code)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if _api_request():
            from werkzeug.exceptions import InternalServerError

            from forum.api.framework import http_problem

            return http_problem(InternalServerError())
        return render_error(500)
