"""Companies and delegations for organizers: list, search, edit, deactivate, add, CSV upload and export, acting for a company. Organizers only."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from forum.auth.access import role_required
from forum.companies.forms import CompanyProfileForm
from forum.forms import attach_service_error
from forum.meetings.forms import AnswerForm
from forum.organizer import bp
from forum.organizer.company_forms import (
    ActionForm,
    ActRequestForm,
    CompanyListFilterForm,
    DelegationForm,
    ImportForm,
    RenameDelegationForm,
)
from forum.services import company_admin
from forum.services.companies import get_company
from forum.services.errors import NotFound, PermissionDenied, ServiceError

PER_PAGE = 50


def _company_or_404(company_id: int):
    try:
        return get_company(company_id)
    except NotFound:
        abort(404)


@bp.get("/companies")
@role_required("organizer")
def companies() -> str:
    form = CompanyListFilterForm(request.args)
    form.validate()
    # A mangled filter in a URL is dropped, not reported: the list shows everything instead.
    for item in (form.delegation, form.sector, form.status):
        if item.errors:
            item.data, item.errors = item.default, []
    query = company_admin.CompanyListQuery(
        text=(form.q.data or "")[:200], delegation_id=form.delegation.data or None,
        sector_id=form.sector.data or None, status=form.status.data or "",
        page=request.args.get("page", 1, type=int))
    listing = company_admin.list_companies(query, PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("organizer/companies.html", form=form, listing=listing, page=listing.page,
                           query=query, page_args=args, action_form=ActionForm(),
                           can_export="organizer.export_companies" in current_app.view_functions)


@bp.route("/companies/new", methods=["GET", "POST"])
@role_required("organizer")
def new_company() -> str | Response:
    form = CompanyProfileForm()
    if request.method == "GET" and request.args.get("delegation", type=int):
        form.delegation.data = request.args.get("delegation", type=int)
    if form.validate_on_submit():
        try:
            company = company_admin.create_company(current_user, form.to_profile())
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(_("%(company)s is registered for %(delegation)s.", company=company.name,
                    delegation=company.delegation.name), "success")
            return redirect(url_for("organizer.company", company_id=company.id))
    status = 422 if request.method == "POST" else 200
    return render_template("organizer/companies_new.html", form=form), status


def _company_page(company, request_form: ActRequestForm | None = None, status: int = 200) -> tuple[str, int]:
    lists, users = company_admin.requests_with_actors(current_user, company.id)
    partners = company_admin.partners_for(company)
    return render_template(
        "organizer/companies_detail.html", company=company, lists=lists, users=users,
        organizers=company_admin.organizer_names(users), action_form=ActionForm(), answer_form=AnswerForm(),
        request_form=request_form or ActRequestForm(partners), pending=[r for r in lists.incoming
                                                                        if r.status.value == "requested"],
    ), status


@bp.get("/companies/<int:company_id>")
@role_required("organizer")
def company(company_id: int) -> tuple[str, int]:
    return _company_page(_company_or_404(company_id))


def _toggle(company_id: int, change, done: str) -> Response:
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Try again."), "error")
    else:
        try:
            company = change(current_user, company_id)
        except NotFound:
            abort(404)
        else:
            flash(done % {"company": company.name}, "success")
    target = request.form.get("next", "")
    # Back to the list the button was on (with its filters), else to the company.
    if target.startswith("/organizer/companies") and "//" not in target:
        return redirect(target)
    return redirect(url_for("organizer.company", company_id=company_id))


@bp.post("/companies/<int:company_id>/deactivate")
@role_required("organizer")
def deactivate_company(company_id: int) -> Response:
    return _toggle(company_id, lambda u, i: company_admin.set_active(u, i, False),
                   _("%(company)s is deactivated: it left the directory, the match lists and the scheduler."))


@bp.post("/companies/<int:company_id>/reactivate")
@role_required("organizer")
def reactivate_company(company_id: int) -> Response:
    return _toggle(company_id, lambda u, i: company_admin.set_active(u, i, True),
                   _("%(company)s is active again."))


@bp.post("/companies/<int:company_id>/opt-out")
@role_required("organizer")
def opt_out_company(company_id: int) -> Response:
    return _toggle(company_id, lambda u, i: company_admin.set_opted_out(u, i, True),
                   _("%(company)s is opted out of matchmaking."))


@bp.post("/companies/<int:company_id>/opt-in")
@role_required("organizer")
def opt_in_company(company_id: int) -> Response:
    return _toggle(company_id, lambda u, i: company_admin.set_opted_out(u, i, False),
                   _("%(company)s takes part in matchmaking again."))


@bp.post("/companies/<int:company_id>/request-meeting")
@role_required("organizer")
def request_on_behalf(company_id: int) -> str | Response | tuple[str, int]:
    company = _company_or_404(company_id)
    form = ActRequestForm(company_admin.partners_for(company))
    if form.validate_on_submit():
        try:
            made = company_admin.request_on_behalf(current_user, company.id, form.partner.data,
                                                   form.message.data or "")
        except PermissionDenied:
            abort(403)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                form.partner.errors = [*form.partner.errors, exc.message]
        else:
            flash(_("Requested a meeting with %(partner)s on behalf of %(company)s.",
                    partner=made.recipient.name, company=company.name), "success")
            return redirect(url_for("organizer.company", company_id=company.id))
    return _company_page(company, form, 422)


@bp.route("/companies/import", methods=["GET", "POST"])
@role_required("organizer")
def import_companies() -> str | tuple[str, int]:
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.read(company_admin.MAX_UPLOAD_BYTES + 1) if upload else b""
            result = company_admin.import_upload(current_user, data)
        except ServiceError as exc:
            form.file.errors = [*form.file.errors, exc.message]
    # The page itself reports the outcome (the counts, or a table of the bad rows): no flash.
    status = 422 if request.method == "POST" and (form.errors or (result and not result.ok)) else 200
    return render_template("organizer/import.html", form=form, result=result,
                           columns=company_admin.importer.COLUMNS,
                           required=company_admin.importer.REQUIRED_COLUMNS), status


@bp.route("/delegations", methods=["GET", "POST"])
@role_required("organizer")
def delegations() -> str | Response | tuple[str, int]:
    form = DelegationForm()
    if form.validate_on_submit():
        try:
            added = company_admin.add_delegation(current_user, form.name.data, form.country.data)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(_("The delegation %(name)s is added.", name=added.name), "success")
            return redirect(url_for("organizer.delegations"))
    return _delegations_page(form, status=422 if request.method == "POST" else 200)


def _delegations_page(form: DelegationForm, rename: tuple[int, RenameDelegationForm] | None = None,
                      status: int = 200) -> tuple[str, int]:
    rows = company_admin.delegations_with_counts()
    return render_template("organizer/delegations.html", form=form, rows=rows, rename=rename,
                           rename_form=RenameDelegationForm(formdata=None),
                           total=ngettext("%(num)d delegation", "%(num)d delegations", len(rows))), status


@bp.post("/delegations/<int:delegation_id>/rename")
@role_required("organizer")
def rename_delegation(delegation_id: int) -> Response | tuple[str, int]:
    form = RenameDelegationForm()
    if form.validate_on_submit():
        try:
            renamed = company_admin.rename_delegation(current_user, delegation_id, form.name.data)
        except NotFound:
            abort(404)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(_("The delegation is now called %(name)s.", name=renamed.name), "success")
            return redirect(url_for("organizer.delegations"))
    return _delegations_page(DelegationForm(formdata=None), (delegation_id, form), 422)
