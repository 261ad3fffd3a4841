"""My agenda: the delegate's published meetings by day, and one meeting's detail."""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum.agenda import bp


@bp.get("/my/agenda")
@login_required
def my_agenda() -> Response:
    # placeholder until the agenda page lands in this change
    return redirect(url_for("meetings.overview", company_id=current_user.company_id))
