"""The organizer's pages. Every route here is for organizers only."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from forum.auth.access import role_required
from forum.forms import attach_service_error
from forum.matching import CrossDelegation
from forum.organizer import bp
from forum.organizer.forms import AgendaSettingsForm, MatchingSettingsForm, RunSchedulerForm, delegation_id_of
from forum.services import agenda, agenda_builder, matching, scheduling, taxonomy
from forum.services.errors import ServiceError
from forum.services.forums import current_forum


def _recomputed(summary: matching.RecomputeSummary) -> str:
    return _("Matches recomputed for %(companies)d companies in %(seconds)s s.",
             companies=summary.companies, seconds=format_decimal(summary.seconds, "0.0"))


@bp.route("/matching", methods=["GET", "POST"])
@role_required("organizer")
def matching_settings() -> str | Response:
    settings = matching.get_settings()
    form = MatchingSettingsForm()
    if request.method == "GET":
        weights = matching.effective_weights(settings)
        form.cross_delegation.data = settings.cross_delegation
        form.weight_complementarity.data = weights.complementarity
        form.weight_sector.data = weights.sector
        form.weight_cross_delegation.data = weights.cross_delegation
        form.weight_language.data = weights.language
        for row in matching.affinity_rows():
            form.affinity.append_entry({"sector_a": row.sector_a_id, "sector_b": row.sector_b_id,
                                        "strength": row.strength})
    elif form.validate_on_submit():
        change = matching.SettingsChange(cross_delegation=CrossDelegation(form.cross_delegation.data),
                                         weights=form.weights(), affinity=form.affinity_pairs())
        try:
            summary = matching.update_settings(change)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(_("The matching settings are saved.") + " " + _recomputed(summary), "success")
            return redirect(url_for("organizer.matching_settings"))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("organizer/matching.html", form=form, settings=settings,
                           stats=matching.statistics()), status


@bp.post("/matching/recompute")
@role_required("organizer")
def recompute() -> Response:
    flash(_recomputed(matching.recompute_all()), "success")
    return redirect(url_for("organizer.matching_settings"))


@bp.post("/matching/reset-weights")
@role_required("organizer")
def reset_weights() -> Response:
    summary = matching.reset_weights()
    flash(_("The weights are back to the platform defaults.") + " " + _recomputed(summary), "success")
    return redirect(url_for("organizer.matching_settings"))


# --- the agenda's time structure and the scheduler ----------------------------------------------


def _fill_agenda_form(form: AgendaSettingsForm) -> None:
    structure = agenda.current_structure()
    forum = current_forum()
    form.sessions.data = "\n".join(f"{s.day.isoformat()} {s.starts:%H:%M}-{s.ends:%H:%M}" for s in structure.sessions)
    form.breaks.data = "\n".join(f"{b.day.isoformat()} {b.starts:%H:%M}-{b.ends:%H:%M} {b.label}".rstrip()
                                 for b in structure.breaks)
    form.slot_minutes.data = structure.slot_minutes
    form.tables.data = structure.tables or None
    if forum is not None:
        form.request_expiry_hours.data = forum.request_expiry_hours
        form.max_meetings_per_company.data = forum.max_meetings_per_company
        form.max_pending_per_company.data = forum.max_pending_per_company


def _reserved_rows(form: AgendaSettingsForm, fill: bool) -> list:
    """One row per delegation, in the order of the directory."""
    delegations = taxonomy.all_delegations()
    if fill:
        reserved = agenda.current_structure().reserved
        for d in delegations:
            numbers = sorted(n for n, owner in reserved.items() if owner == d.id)
            form.reserved.append_entry({"delegation_id": d.id, "tables": ", ".join(map(str, numbers))})
    names = {d.id: d.name for d in delegations}
    return [(row, names.get(delegation_id_of(row.form.delegation_id.data), "?")) for row in form.reserved]


@bp.route("/agenda", methods=["GET", "POST"])
@role_required("organizer")
def agenda_settings() -> str | Response:
    form = AgendaSettingsForm()
    if request.method == "GET":
        _fill_agenda_form(form)
    elif form.validate_on_submit():
        try:
            slots = agenda.save_agenda(form.structure(), form.request_expiry_hours.data,
                                       form.max_meetings_per_company.data, form.max_pending_per_company.data)
        except agenda.StructureError as exc:
            form.sessions.errors = [*form.sessions.errors, *exc.problems]
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            message = _("The agenda settings are saved.")
            if slots is not None:
                message += " " + ngettext("The forum has %(num)d meeting slot.", "The forum has %(num)d meeting slots.",
                                          slots)
            flash(message, "success")
            return redirect(url_for("organizer.agenda_settings"))
    rows = _reserved_rows(form, fill=request.method == "GET")
    status = 422 if request.method == "POST" else 200
    return render_template("organizer/agenda.html", form=form, reserved_rows=rows, run_form=RunSchedulerForm(),
                           slots=agenda.slot_count()), status


@bp.post("/agenda/schedule")
@role_required("organizer")
def run_scheduler() -> str | Response:
    form = RunSchedulerForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return redirect(url_for("organizer.agenda_settings"))
    try:
        if form.dry_run.data:
            report = scheduling.schedule(dry_run=True, time_limit=form.time_limit.data)
        else:  # recorded in the agenda's history, so that the builder can undo it
            report = agenda_builder.run_scheduler(current_user, None, time_limit=form.time_limit.data)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("organizer.agenda_settings"))
    return render_template("organizer/schedule_result.html", report=report)
