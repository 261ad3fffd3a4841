"""My agenda: the delegate's published meetings by day, and one meeting's detail."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum import cache
from forum.agenda import bp
from forum.services import attendance, calendar, delegate_agenda, outcomes
from forum.services.errors import NotFound, PermissionDenied


@bp.get("/my/agenda")
@login_required
def my_agenda() -> Response | str:
    if current_user.company_id is None:
        flash(_("Organizer accounts have no agenda of their own. Open a company to see its agenda."), "info")
        return redirect(url_for("companies.directory"))
    return company_agenda(current_user.company_id)


@bp.get("/companies/<int:company_id>/agenda")
@login_required
def company_agenda(company_id: int) -> str:
    cache.pin()  # before anything the cached block shows is read (see forum/cache.py)
    now = delegate_agenda.utcnow()
    try:
        ctx: dict[str, Any] = {
            "company": delegate_agenda.company_for(current_user, company_id),
            # "Last updated" also on the not-yet-published page: a saved offline copy may be hours old
            "generated_at": now,
            # The meetings are loaded inside the page's cached block, so only when it renders (a new
            # version of the agenda, or a slot that began or ended since: see agenda_moment).
            "agenda_moment": delegate_agenda.agenda_moment(now),
            # brief: the cards show neither the partners' people nor more than one reason each
            "load_agenda": lambda: delegate_agenda.agenda_for(current_user, company_id, now, brief=True),
        }
        ctx.update(calendar.page_context(current_user, company_id))
        # Inside the try: the block loads the meetings while it renders.
        return render_template("agenda/my_agenda.html", **ctx)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)


@bp.get("/companies/<int:company_id>/agenda/<int:request_id>")
@login_required
def meeting(company_id: int, request_id: int) -> str:
    try:
        found = delegate_agenda.load_meeting(current_user, company_id, request_id)
        ctx: dict[str, Any] = {"company": delegate_agenda.company_for(current_user, company_id), "meeting": found,
                               "generated_at": delegate_agenda.utcnow()}
        ctx.update(attendance.detail_context(current_user, company_id, request_id))
        ctx.update(outcomes.detail_context(current_user, company_id, request_id))
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    return render_template("agenda/meeting.html", **ctx)
