"""The organizer's pages. Every route here is for organizers only."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from forum.auth.access import role_required
from forum.forms import attach_service_error
from forum.matching import CrossDelegation
from forum.organizer import bp
from forum.organizer.forms import MatchingSettingsForm
from forum.services import matching
from forum.services.errors import ServiceError


def _recomputed(summary: matching.RecomputeSummary) -> str:
    return _("Matches recomputed for %(companies)d companies in %(seconds).1f s.",
             companies=summary.companies, seconds=summary.seconds)


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
