"""Feedback after a held meeting: the form on the meeting page posts here.

GET shows the same form on a page of its own (the target when a sent form needs correcting, and a
link that works on its own); POST records the company's one answer and goes back to the meeting.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum.agenda import bp
from forum.agenda.outcome_forms import FeedbackForm
from forum.forms import attach_service_error
from forum.services import outcomes
from forum.services.errors import NotFound, PermissionDenied, ServiceError


@bp.app_template_global("blank_feedback_form")
def blank_feedback_form() -> FeedbackForm:
    """A fresh form for templates/agenda/_feedback.html on the meeting page (never bound to another
    form's POST data)."""
    return FeedbackForm(formdata=None)


@bp.app_template_filter("usd")
def usd(value: int) -> str:
    """Whole dollars for the dashboard and the report: "$1,300,000"."""
    return outcomes.format_usd(value)


def _meeting_url(company_id: int, request_id: int) -> str:
    # The meeting page belongs to the agenda pages; the feedback page stands in should it be missing.
    if "agenda.meeting" in current_app.view_functions:
        return url_for("agenda.meeting", company_id=company_id, request_id=request_id, _anchor="feedback")
    return url_for("agenda.feedback", company_id=company_id, request_id=request_id)


# Why a form cannot be taken, in the words of the service's refusals.
def _closed_message(state: str) -> str:
    if state == outcomes.SENT:
        return _("Your company already sent feedback on this meeting.")
    return _("You can give feedback once the meeting is marked as held.")


@bp.route("/companies/<int:company_id>/agenda/<int:request_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(company_id: int, request_id: int) -> str | Response | tuple[str, int]:
    try:
        page = outcomes.feedback_page(current_user, company_id, request_id)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    form = FeedbackForm()
    if request.method == "POST":
        if not page.feedback.can_give:
            flash(_closed_message(page.feedback.state), "error")
            return redirect(_meeting_url(company_id, request_id))
        if form.validate_on_submit():
            try:
                outcomes.submit_feedback(current_user, company_id, request_id, form.answers())
            except PermissionDenied:
                abort(403)
            except NotFound:
                abort(404)
            except ServiceError as exc:
                if not attach_service_error(form, exc):
                    flash(exc.message, "error")
                    return redirect(_meeting_url(company_id, request_id))
            else:
                flash(_("Thank you: your feedback on the meeting with %(company)s is saved.",
                        company=page.partner), "success")
                return redirect(_meeting_url(company_id, request_id))
    status = 422 if request.method == "POST" else 200
    return render_template("agenda/feedback.html", page=page, feedback=page.feedback, feedback_form=form,
                           meeting_url=_meeting_url(company_id, request_id)), status
