"""The agenda in a calendar app: the .ics download, the private subscription feed a phone fetches
without logging in, and the forms that make a new subscription link or turn it off."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum.agenda import bp
from forum.services import calendar
from forum.services.errors import NotFound, PermissionDenied, ServiceError

ICS_TYPE = "text/calendar; charset=utf-8"


def _plain(message: str, status: int) -> Response:
    # A calendar app shows this text, if anything: no page layout, nothing about the link's owner.
    response = make_response(message + "\n", status)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


def _ics_download(company_id: int) -> Response:
    try:
        file = calendar.download(current_user, company_id)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    response = make_response(file.content)
    response.headers["Content-Type"] = ICS_TYPE
    response.headers.set("Content-Disposition", "attachment", filename=file.filename)
    # A snapshot of the agenda: never served from a cache once a meeting moved.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _no_company() -> Response:
    flash(_("Organizer accounts have no agenda of their own. Open a company to see its agenda."), "info")
    return redirect(url_for("companies.directory"))


@bp.get("/companies/<int:company_id>/agenda.ics")
@login_required
def company_ics(company_id: int) -> Response:
    return _ics_download(company_id)


@bp.get("/my/agenda.ics")
@login_required
def my_ics() -> Response:
    if current_user.company_id is None:
        return _no_company()
    return _ics_download(current_user.company_id)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """No login: the phone's calendar app fetches this on its own. The token is the credential."""
    try:
        content = calendar.feed_calendar(token)
    except calendar.FeedRevoked as exc:
        return _plain(exc.message, 410)
    except NotFound:
        return _plain(_("There is no such calendar."), 404)
    response = make_response(content)
    response.headers["Content-Type"] = ICS_TYPE
    response.headers["Cache-Control"] = f"private, max-age={calendar.FEED_MAX_AGE}"
    # The token is in the URL: keep it out of Referer headers and search engines.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/my/calendar/subscription")
@login_required
def calendar_subscribe() -> Response:
    if current_user.company_id is None:
        return _no_company()
    try:
        _feed, replaced = calendar.subscribe(current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        if replaced:
            flash(_("Your new calendar link is ready. The old link no longer works: subscribe again with the new "
                    "one on your phone."), "success")
        else:
            flash(_("Your calendar link is ready. Subscribe to it on your phone, and your calendar follows "
                    "every change to your agenda."), "success")
    return redirect(url_for("agenda.my_agenda", _anchor="calendar"))


@bp.post("/my/calendar/subscription/revoke")
@login_required
def calendar_revoke() -> Response:
    if current_user.company_id is None:
        return _no_company()
    if calendar.revoke(current_user):
        flash(_("Your calendar link is turned off. Calendars subscribed to it stop updating; the meetings "
                "already on them stay until you remove the subscription."), "success")
    else:
        flash(_("You have no calendar link to turn off."), "info")
    return redirect(url_for("agenda.my_agenda", _anchor="calendar"))
