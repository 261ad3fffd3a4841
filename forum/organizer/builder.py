"""The agenda builder: the grid of slots x tables, moves, swaps, locks, added meetings, undo and publishing.
Organizers only. Every form carries the agenda version it was shown; the service refuses a stale one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from forum.auth.access import role_required
from forum.forms import attach_service_error, options
from forum.organizer import bp
from forum.organizer.builder_forms import (
    ActionForm,
    AddMeetingForm,
    LockForm,
    MoveForm,
    RescheduleForm,
    SwapForm,
)
from forum.services import agenda_builder
from forum.services.errors import NotFound, ServiceError


def _session_arg(value: str | None) -> int | None:
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 < number < 2**31 else None


def _slot_label(slot) -> str:
    return format_datetime(slot.starts_at, "EEE d MMM, HH:mm")


def _render(grid_session: int | None, moving: int | None = None, status: int = 200, error: str | None = None,
            **forms) -> tuple[str, int]:
    try:
        grid = agenda_builder.grid(grid_session, moving)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "error")
        return render_template("organizer/builder_empty.html"), 200
    version = grid.version
    session_id = grid.session.id if grid.session else ""
    move_form = forms.get("move_form") or MoveForm(formdata=None)
    slot_choices = options([(s.id, _slot_label(s)) for s in grid.all_slots])
    table_choices = options([(t.id, _("Table %(number)d", number=t.number)) for t in grid.tables])
    move_form.slot_id.choices, move_form.table_id.choices = slot_choices, table_choices
    add_form = forms.get("add_form") or AddMeetingForm(formdata=None, prefix="add")
    companies = options([("", _("Choose a company")), *agenda_builder.company_choices()])
    add_form.company_a.choices = companies
    add_form.company_b.choices = companies
    add_form.slot_id.choices = options([("", _("Not placed yet")), *[(s.id, _slot_label(s)) for s in grid.all_slots]])
    add_form.table_id.choices = options([("", _("Not placed yet")),
                                         *[(t.id, _("Table %(number)d", number=t.number)) for t in grid.tables]])
    if grid.moving is not None and move_form.request_id.data is None:
        move_form.request_id.data = grid.moving.id
        if grid.moving_at:
            move_form.slot_id.data, move_form.table_id.data = grid.moving_at
    for form in (move_form, add_form):
        form.session.data = session_id
    # The page carries the version it shows: after a refusal for a stale version, the organizer has seen
    # what changed, and sending again applies to the agenda now on screen.
    for form in (move_form, add_form):
        form.version.data = version
    return render_template("organizer/builder.html", grid=grid, move_form=move_form, add_form=add_form,
                           history=agenda_builder.history(15), describe_change=agenda_builder.describe_change,
                           slot_label=_slot_label, error=error), status


@bp.get("/agenda/grid")
@role_required("organizer")
def agenda_grid() -> tuple[str, int]:
    return _render(_session_arg(request.args.get("session")), _session_arg(request.args.get("move")))


def _back(form) -> Response:
    session = _session_arg(form.session.data if form.session.data else request.args.get("session"))
    return redirect(url_for("organizer.agenda_grid", session=session) if session
                    else url_for("organizer.agenda_grid"))


def _refused(form, message: str, moving: int | None = None, **forms) -> tuple[str, int]:
    return _render(_session_arg(form.session.data), moving, status=422, error=message, **forms)


def _invalid(form) -> str:
    if "csrf_token" in form.errors:
        return _("The form expired. Reload the page and try again.")
    if any(name in form.errors for name in ("company_a", "company_b", "slot_id", "table_id")):
        return _("Please correct the marked fields.")
    return _("This form is incomplete; reload the page.")


def _act(form, action, success: str, moving: int | None = None, **forms) -> Response | tuple[str, int]:
    if not form.validate_on_submit():
        return _refused(form, _invalid(form), moving, **forms)
    try:
        action()
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _refused(form, exc.message, moving, **forms)
    flash(success, "success")
    return _back(form)


@bp.post("/agenda/move")
@role_required("organizer")
def agenda_move() -> Response | tuple[str, int]:
    form = MoveForm()
    return _act(form, lambda: agenda_builder.move(current_user, form.request_id.data, form.slot_id.data,
                                                  form.table_id.data, form.version.data, form.swap.data),
                _("The meeting was moved."), moving=form.request_id.data, move_form=form)


@bp.post("/agenda/swap")
@role_required("organizer")
def agenda_swap() -> Response | tuple[str, int]:
    form = SwapForm()
    return _act(form, lambda: agenda_builder.swap(current_user, form.request_a.data, form.request_b.data,
                                                  form.version.data), _("The two meetings were swapped."))


@bp.post("/agenda/lock")
@role_required("organizer")
def agenda_lock() -> Response | tuple[str, int]:
    form = LockForm()
    return _act(form, lambda: agenda_builder.set_locked(current_user, form.request_id.data, form.locked.data,
                                                        form.version.data),
                _("The meeting is locked: the scheduler will keep it where it is.") if form.locked.data
                else _("The meeting is unlocked."))


@bp.post("/agenda/remove")
@role_required("organizer")
def agenda_remove() -> Response | tuple[str, int]:
    form = LockForm()
    return _act(form, lambda: agenda_builder.remove(current_user, form.request_id.data, form.version.data),
                _("The meeting was taken off the agenda; it is listed under Not placed."))


@bp.post("/agenda/add")
@role_required("organizer")
def agenda_add() -> Response | tuple[str, int]:
    form = AddMeetingForm(prefix="add")  # the move form on the same page has its own slot and table fields
    return _act(form, lambda: agenda_builder.add_meeting(current_user, form.company_a.data, form.company_b.data,
                                                         form.slot_id.data, form.table_id.data, form.version.data),
                _("The meeting was added."), add_form=form)


@bp.post("/agenda/undo")
@role_required("organizer")
def agenda_undo() -> Response | tuple[str, int]:
    form = ActionForm()
    return _act(form, lambda: agenda_builder.undo_last(current_user, form.version.data),
                _("The last change was undone."))


@bp.post("/agenda/publish")
@role_required("organizer")
def agenda_publish() -> Response | tuple[str, int]:
    form = ActionForm()
    return _act(form, lambda: agenda_builder.publish(current_user, form.version.data),
                _("The agenda is published: participants now see their meetings, and every later change is "
                  "announced to the companies concerned."))


@bp.post("/agenda/reschedule")
@role_required("organizer")
def agenda_reschedule() -> Response | tuple[str, int]:
    form = RescheduleForm()
    return _act(form, lambda: agenda_builder.run_scheduler(current_user, form.version.data, form.time_limit.data),
                _("The scheduler ran again; locked meetings kept their place."))
