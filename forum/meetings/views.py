"""Meeting requests: ask from a partner's page, answer, cancel, and the notices about them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum.forms import attach_service_error
from forum.meetings import bp
from forum.meetings.forms import AnswerForm, MeetingRequestForm
from forum.models import SessionPreference
from forum.services import agenda, agenda_builder, companies, matching, meetings
from forum.services.errors import NotFound, PermissionDenied, ServiceError


@bp.app_template_global("request_status_label")
def request_status_label(status) -> str:
    return meetings.status_label(status)


@bp.app_template_global("notification_text")
def notification_text(notification) -> str:
    return meetings.describe_notification(notification.kind, notification.data or {})


@bp.get("/my/meetings")
@login_required
def my_meetings() -> Response:
    if current_user.company_id is None:
        flash(_("Organizer accounts have no meetings of their own. Open a company to see its meetings."), "info")
        return redirect(url_for("companies.directory"))
    return redirect(url_for("meetings.overview", company_id=current_user.company_id))


@bp.get("/companies/<int:company_id>/meetings")
@login_required
def overview(company_id: int) -> str:
    try:
        lists = meetings.requests_for(current_user, company_id)
        notices = meetings.notifications_for(current_user, company_id, limit=20)
        company = companies.get_company(company_id)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    # None until the organizers publish: participants never see a draft.
    schedule = agenda_builder.published_agenda_for(company.id)
    return render_template("meetings/overview.html", company=company, lists=lists, notices=notices,
                           answer_form=AnswerForm(), schedule=schedule)


@bp.route("/companies/<int:partner_id>/request-meeting", methods=["GET", "POST"])
@login_required
def request_meeting(partner_id: int) -> str | Response:
    try:
        partner = companies.get_company(partner_id)
    except NotFound:
        abort(404)
    if current_user.company_id is None:
        flash(_("Organizers request meetings on a company's behalf from its page in the organizer workspace."),
              "info")
        return redirect(url_for("companies.detail", company_id=partner_id))
    form = MeetingRequestForm()
    if form.validate_on_submit():
        try:
            meetings.request_meeting(current_user, current_user.company_id, partner_id, form.message.data or "",
                                     SessionPreference(form.session.data or SessionPreference.EITHER.value))
        except PermissionDenied:
            abort(403)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(_("Your request was sent to %(company)s. You will see their answer under Meetings.",
                    company=partner.name), "success")
            return redirect(url_for("meetings.overview", company_id=current_user.company_id))
    status = 422 if request.method == "POST" else 200
    # the reasons the matchmaking gave, to help write the message (None when it did not suggest them)
    match = matching.match_with(current_user, partner)
    return render_template("meetings/request.html", form=form, partner=partner, match=match), status


def _answer(request_id: int, action) -> Response:
    form = AnswerForm()
    company_id = current_user.company_id
    if not form.validate_on_submit():
        flash(_("The form expired. Try again."), "error")
    else:
        try:
            answered = action(current_user, request_id, form.version_number())
        except PermissionDenied:
            abort(403)
        except NotFound:
            abort(404)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            other = answered.requester if answered.recipient_id == company_id else answered.recipient
            flash(_("The request with %(company)s is now %(status)s.", company=other.name,
                    status=meetings.status_label(answered.status)), "success")
    target = company_id or request.form.get("company_id", type=int)
    if target:
        return redirect(url_for("meetings.overview", company_id=target))
    return redirect(url_for("companies.directory"))


@bp.post("/meetings/<int:request_id>/accept")
@login_required
def accept(request_id: int) -> Response:
    return _answer(request_id, meetings.accept)


@bp.post("/meetings/<int:request_id>/decline")
@login_required
def decline(request_id: int) -> Response:
    return _answer(request_id, meetings.decline)


@bp.post("/meetings/<int:request_id>/cancel")
@login_required
def cancel(request_id: int) -> Response:
    return _answer(request_id, meetings.cancel)


@bp.post("/companies/<int:company_id>/notifications/read")
@login_required
def mark_read(company_id: int) -> Response:
    try:
        meetings.mark_notifications_read(current_user, company_id)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    return redirect(url_for("meetings.overview", company_id=company_id))


@bp.route("/companies/<int:company_id>/availability", methods=["GET", "POST"])
@login_required
def availability(company_id: int) -> str | Response:
    """The slots a company cannot attend: the scheduler never puts its meetings there."""
    try:
        company, unavailable = agenda.unavailable_slots(current_user, company_id)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    form = AnswerForm()  # only its CSRF token is used
    if request.method == "POST" and form.validate_on_submit():
        chosen = set()
        for value in request.form.getlist("unavailable"):
            try:
                chosen.add(int(value))
            except ValueError:
                flash(_("The list of slots changed while you were choosing; reload the page."), "error")
                return redirect(url_for("meetings.availability", company_id=company_id))
        try:
            count = agenda.set_unavailable_slots(current_user, company_id, chosen)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(ngettext("Saved: %(num)d slot marked as unavailable.", "Saved: %(num)d slots marked as unavailable.",
                           count), "success")
            return redirect(url_for("meetings.availability", company_id=company_id))
    return render_template("meetings/availability.html", company=company, unavailable=unavailable,
                           days=agenda.slots_by_day())
