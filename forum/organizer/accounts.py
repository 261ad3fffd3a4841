"""Organizers disable and enable delegates' accounts (buttons on the organizer's company page)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from forum.auth.access import role_required
from forum.organizer import bp
from forum.organizer.company_forms import ActionForm
from forum.services import accounts
from forum.services.errors import NotFound, PermissionDenied, ServiceError


def _set_active(user_id: int, active: bool) -> Response:
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Try again."), "error")
        return redirect(url_for("organizer.companies"))
    try:
        user = accounts.set_active(current_user._get_current_object(), user_id, active)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("organizer.companies"))
    if active:
        flash(_("%(email)s can log in again.", email=user.email), "success")
    else:
        flash(_("%(email)s is disabled: logged out everywhere, and neither the password nor API tokens "
                "let them in until an organizer enables the account again.", email=user.email), "success")
    if user.company_id:
        return redirect(url_for("organizer.company", company_id=user.company_id))
    return redirect(url_for("organizer.companies"))


@bp.post("/accounts/<int:user_id>/disable")
@role_required("organizer")
def disable_account(user_id: int) -> Response:
    return _set_active(user_id, False)


@bp.post("/accounts/<int:user_id>/enable")
@role_required("organizer")
def enable_account(user_id: int) -> Response:
    return _set_active(user_id, True)
