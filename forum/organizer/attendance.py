"""Live attendance: the day's meetings held, no-shows and not yet recorded, refreshed by itself; the
table host's check-in by code or by button; and re-offering freed places to meetings still waiting."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from forum.auth.access import role_required
from forum.forms import ForumForm, attach_service_error
from forum.organizer import bp
from forum.services import attendance as attendance_service
from forum.services.companies import MAX_ID
from forum.services.errors import NotFound, ServiceError

_ID = [InputRequired(_l("This form is incomplete; reload the page.")), NumberRange(1, MAX_ID)]


class DayForm(ForumForm):
    day = HiddenField()


class TableCodeForm(DayForm):
    code = StringField(_l("Code on the delegate's pass"), validators=[InputRequired(_l("Enter the code."))])
    table = IntegerField(_l("Table"), validators=[InputRequired(_l("Enter the table number.")),
                                                  NumberRange(1, MAX_ID, _l("Enter the table number."))])


class MarkForm(DayForm):
    absent = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])


class OfferForm(DayForm):
    request_id = IntegerField(validators=_ID)
    slot_id = IntegerField(validators=_ID)
    table_id = IntegerField(validators=_ID)
    version = IntegerField(validators=[InputRequired(_l("This form is incomplete; reload the page.")),
                                       NumberRange(0, 2**31)])


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _back(day_value: str | None) -> Response:
    day = _parse_day(day_value)
    return redirect(url_for("organizer.attendance", day=day.isoformat() if day else None))


@bp.get("/attendance")
@role_required("organizer")
def attendance() -> tuple[str, int]:
    raw = request.args.get("day")
    day = _parse_day(raw)
    status = 200
    if raw and day is None:
        flash(_("That is not a date: showing the forum's current day."), "error")
        status = 400
    try:
        live = attendance_service.live_attendance(day)
    except NotFound as exc:
        flash(exc.message, "error")
        live, status = attendance_service.live_attendance(None), 404
    code_form = TableCodeForm(formdata=None, day=live.day.isoformat() if live.day else "")
    return render_template("organizer/attendance.html", live=live, code_form=code_form), status


@bp.post("/attendance/code")
@role_required("organizer")
def attendance_code() -> Response | tuple[str, int]:
    form = TableCodeForm()
    if form.validate_on_submit():
        try:
            result = attendance_service.check_in_at_table(current_user, _parse_day(form.day.data),
                                                          form.table.data, form.code.data)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(result.message, "info" if result.already else "success")
            return _back(form.day.data)
    try:
        live = attendance_service.live_attendance(_parse_day(form.day.data))
    except NotFound:
        live = attendance_service.live_attendance(None)
    return render_template("organizer/attendance.html", live=live, code_form=form), 422


@bp.post("/attendance/<int:request_id>/held")
@role_required("organizer")
def attendance_held(request_id: int) -> Response:
    form = MarkForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Try again."), "error")
        return _back(form.day.data)
    try:
        result = attendance_service.mark_held(current_user, request_id)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(result.message, "info" if result.already else "success")
    return _back(form.day.data)


@bp.post("/attendance/<int:request_id>/no-show")
@role_required("organizer")
def attendance_no_show(request_id: int) -> Response:
    form = MarkForm()
    if not form.validate_on_submit() or form.absent.data is None:
        flash(_("The form expired. Try again."), "error")
        return _back(form.day.data)
    try:
        attendance_service.mark_no_show(current_user, request_id, form.absent.data)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Recorded as a no-show; the absent company has been told."), "success")
    return _back(form.day.data)


@bp.post("/attendance/offer")
@role_required("organizer")
def attendance_offer() -> Response:
    form = OfferForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Try again."), "error")
        return _back(form.day.data)
    try:
        placed = attendance_service.offer_slot(current_user, form.request_id.data, form.slot_id.data,
                                               form.table_id.data, form.version.data)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(a)s and %(b)s now meet there; both companies have been told.", a=placed.requester.name,
                b=placed.recipient.name), "success")
    return _back(form.day.data)
