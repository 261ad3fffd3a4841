"""The organizer's dashboard, the forum's own settings, and the forum report for the regional administrations. Organizers only."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from forum.auth.access import role_required
from forum.forms import attach_service_error
from forum.i18n import zone_label
from forum.organizer import bp
from forum.organizer.dashboard_forms import ZONES, ForumDetailsForm
from forum.services import charts, forums, outcomes, reports
from forum.services.errors import ServiceError


@bp.get("/")
@role_required("organizer")
def dashboard() -> str:
    stats = reports.dashboard()
    chart_set = {
        "delegations": charts.bar_chart(_("Companies per delegation"),
                                        [(c.label, c.value) for c in stats.per_delegation]),
        "sectors": charts.bar_chart(_("Companies per sector"), [(c.label, c.value) for c in stats.per_sector],
                                    colour=charts.PALETTE[2]),
        "requests": charts.stacked_bar(_("Meeting requests by state"),
                                       [(reports.status_label(s), n) for s, n in stats.requests],
                                       colours=(charts.PENDING, charts.GOOD, charts.REFUSED, charts.LAPSED,
                                                charts.WITHDRAWN)),
        "meetings": charts.stacked_bar(_("Accepted meetings on the agenda"),
                                       [(_("Scheduled"), stats.scheduled), (_("Not scheduled"), len(stats.unscheduled))],
                                       colours=(charts.GOOD, charts.WARNING)),
        "outcomes": _agreements_chart(stats.outcomes),
    }
    return render_template("organizer/dashboard.html", stats=stats, charts=chart_set)


def _agreements_chart(totals: outcomes.OutcomeTotals) -> charts.BarChart:
    # Counted per meeting: both sides reporting one contract make one bar unit, not two.
    return charts.bar_chart(_("Agreements by type"),
                            [(outcomes.outcome_label(kind), n) for kind, n in totals.agreements],
                            colour=charts.GOOD)


def _zone_choices(current: str | None) -> dict[str, str]:
    zones = [z for z in ZONES if forums.valid_zone(z)]
    if current and current not in zones and forums.valid_zone(current):
        zones.insert(0, current)  # a forum set elsewhere keeps its zone selectable
    return {z: zone_label(z) for z in zones}


@bp.route("/forum", methods=["GET", "POST"])
@role_required("organizer")
def forum_settings() -> str | Response:
    forum = forums.current_forum()
    form = ForumDetailsForm(obj=forum if request.method == "GET" else None)
    form.set_zone_choices(_zone_choices(forum.timezone if forum else None))
    if request.method == "GET" and forum is None:
        form.timezone.data = "Asia/Tashkent"
    if request.method == "POST" and form.validate_on_submit():
        try:
            forums.update_details(form.details())
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(_("The forum's details are saved."), "success")
            return redirect(url_for("organizer.forum_settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("organizer/forum_settings.html", form=form), status


@bp.get("/report")
@role_required("organizer")
def report() -> str:
    data = reports.forum_report()
    return render_template("organizer/report.html", report=data,
                           sectors=charts.bar_chart(_("Companies per sector"),
                                                    [(c.label, c.value) for c in data.per_sector]),
                           agreements=_agreements_chart(data.outcome_totals) if data.outcome_totals else None)
