"""The meeting pass: scanning a partner's QR code (confirm, then record), typing its short code, and
reporting that the partner did not show. The rules live in forum/services/attendance.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import StringField

from forum.agenda import bp
from forum.forms import ForumForm
from forum.services import attendance
from forum.services.errors import NotFound, PermissionDenied, ServiceError


class CodeForm(ForumForm):
    code = StringField(_l("Your partner's code"))


class ConfirmForm(ForumForm):
    """CSRF only: the button says what it does."""


def _meeting_url(company_id: int | None, request_id: int) -> str:
    """The meeting's detail page (the organizers' attendance page for an organizer without a company)."""
    if company_id is None:
        return url_for("organizer.attendance")
    return url_for("agenda.meeting", company_id=company_id, request_id=request_id)


def _problem(message: str, status: int) -> tuple[str, int]:
    return render_template("agenda/pass_problem.html", message=message), status


@bp.get("/pass/<token>")
@login_required
def pass_scan(token: str) -> tuple[str, int] | str:
    """A scanned pass: a confirmation page. A GET never records anything (link previews, prefetch)."""
    try:
        scanned = attendance.scan(current_user, token)
    except PermissionDenied as exc:
        return _problem(exc.message, 403)
    except ServiceError as exc:
        return _problem(exc.message, 400)
    return render_template("agenda/pass_confirm.html", scanned=scanned, form=ConfirmForm())


@bp.post("/pass/<token>")
@login_required
def pass_confirm(token: str) -> Response | tuple[str, int]:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Scan the pass again."), "error")
        return redirect(url_for("agenda.pass_scan", token=token))
    try:
        result = attendance.check_in_with_token(current_user, token)
    except PermissionDenied as exc:
        return _problem(exc.message, 403)
    except ServiceError as exc:
        return _problem(exc.message, 400)
    flash(result.message, "info" if result.already else "success")
    return redirect(_meeting_url(current_user.company_id, result.attendance.request_id))


@bp.post("/companies/<int:company_id>/agenda/<int:request_id>/check-in")
@login_required
def check_in(company_id: int, request_id: int) -> Response:
    form = CodeForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Try again."), "error")
        return redirect(_meeting_url(company_id, request_id))
    try:
        result = attendance.check_in_with_code(current_user, company_id, request_id, form.code.data)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(result.message, "info" if result.already else "success")
    return redirect(_meeting_url(company_id, request_id) + "#pass")


@bp.post("/companies/<int:company_id>/agenda/<int:request_id>/no-show")
@login_required
def no_show(company_id: int, request_id: int) -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Try again."), "error")
        return redirect(_meeting_url(company_id, request_id))
    try:
        attendance.report_no_show(current_user, company_id, request_id)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Recorded: your partner did not show. They have been told; if they arrive, enter their code "
                 "and the meeting counts as held."), "success")
    return redirect(_meeting_url(company_id, request_id) + "#pass")
