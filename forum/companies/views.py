"""The company directory, company pages, and editing a profile."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum import cache
from forum.companies import bp
from forum.companies.forms import SIZE_CHOICES, CompanyProfileForm, DirectoryFilterForm, InviteColleagueForm
from forum.forms import attach_service_error
from forum.services import companies, matching, team
from forum.services.errors import NotFound, PermissionDenied, ServiceError


@bp.app_template_filter("size_label")
def size_label(size) -> str:
    return str(dict(SIZE_CHOICES).get(size.value if size else "", ""))


def _filters(source) -> DirectoryFilterForm:
    """The delegation and sector filters of the directory and of "My matches"."""
    form = DirectoryFilterForm(source)
    form.validate()
    # A filter that does not validate (an unknown id, a mangled URL) is dropped quietly: the list
    # shows everything rather than an error about a link the visitor did not write.
    for field in (form.delegation, form.sector):
        if field.errors:
            field.data, field.errors = 0, []
    return form


@bp.get("/companies/")
def directory() -> str:
    form = _filters(request.args)
    query = companies.DirectoryQuery(
        # An over-long search is cut rather than ignored: the first words still narrow the list.
        text=(form.q.data or "")[:200],
        delegation_id=form.delegation.data or None,
        sector_id=form.sector.data or None,
        page=request.args.get("page", 1, type=int),
    )
    page = companies.search_directory(query, current_app.config["DIRECTORY_PER_PAGE"])
    filtered = bool(query.text or query.delegation_id or query.sector_id)
    return render_template("companies/directory.html", form=form, page=page, query=query, filtered=filtered)


def _company_or_404(company_id: int):
    try:
        return companies.get_company(company_id)
    except NotFound:
        abort(404)


@bp.get("/companies/<int:company_id>")
def detail(company_id: int) -> str:
    cache.pin()  # before the company is read (see forum/cache.py)
    company = _company_or_404(company_id)
    return render_template(
        "companies/detail.html",
        company=company,
        can_edit=companies.can_edit(current_user, company),
        show_contacts=companies.can_see_contacts(current_user, company),
        match=matching.match_with(current_user, company),
    )


@bp.get("/my/company")
@login_required
def my_company() -> Response:
    if current_user.company_id is None:
        flash(_("Organizer accounts have no company of their own. Pick one from the directory."), "info")
        return redirect(url_for("companies.directory"))
    return redirect(url_for("companies.edit", company_id=current_user.company_id))


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
@login_required
def edit(company_id: int) -> str | Response:
    company = _company_or_404(company_id)
    if not companies.can_edit(current_user, company):
        abort(403)
    form = CompanyProfileForm()
    if request.method == "GET":
        form.load(company)
    elif form.validate_on_submit():
        try:
            companies.update_company(current_user, company_id, form.to_profile())
        except PermissionDenied:
            abort(403)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            flash(_("Your changes to %(company)s are saved.", company=company.name), "success")
            return redirect(url_for("companies.detail", company_id=company_id))
    status = 422 if form.errors else 200
    return render_template("companies/edit.html", form=form, company=company), status


@bp.route("/companies/<int:company_id>/team", methods=["GET", "POST"])
@login_required
def team_page(company_id: int) -> str | Response:
    """The company's delegates, and invitation links for colleagues."""
    company = _company_or_404(company_id)
    if not companies.can_edit(current_user, company):
        abort(403)
    form = InviteColleagueForm()
    invite_link = None
    if form.validate_on_submit():
        try:
            token = team.invite_colleague(current_user, company_id, form.email.data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            invite_link = url_for("auth.join", token=token, _external=True)
    invited = form.email.data if invite_link else None
    if invite_link:
        form.email.data = ""  # the form now invites the next colleague, not the same one again
    status = 422 if form.errors else 200
    return render_template("companies/team.html", company=company, form=form, invite_link=invite_link,
                           invited=invited), status


# --- My matches ----------------------------------------------------------------------------------


@bp.get("/my/matches")
@login_required
def my_matches() -> Response:
    if current_user.company_id is None:
        flash(_("Organizer accounts have no matches of their own. Open a company to see its matches."), "info")
        return redirect(url_for("companies.directory"))
    return redirect(url_for("companies.matches", company_id=current_user.company_id))




@bp.get("/companies/<int:company_id>/matches")
@login_required
def matches(company_id: int) -> str:
    cache.pin()  # before anything the cached block shows is read (see forum/cache.py)

    def load() -> dict:
        # Called inside the page's cached block, so only when it renders.
        form = _filters(request.args)
        result = matching.match_list(current_user, company_id, sector_id=form.sector.data or None,
                                     delegation_id=form.delegation.data or None)
        return {"form": form, "result": result, "filtered": bool(form.sector.data or form.delegation.data)}

    try:
        company = matching.company_for_matches(current_user, company_id)
        # Only the unfiltered list is cached: it is the one delegates reload, and a visitor could make a
        # new key of every query string. Rendered inside the try: the block loads the list as it renders.
        return render_template("companies/matches.html", company=company, load_matches=load,
                               cached=not request.args)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)


def _back_to_matches(company_id: int) -> Response:
    form = _filters(request.form)
    args = {name: value for name, value in (("sector", form.sector.data), ("delegation", form.delegation.data))
            if value}
    return redirect(url_for("companies.matches", company_id=company_id, **args))


@bp.post("/companies/<int:company_id>/matches/<int:partner_id>/dismiss")
@login_required
def dismiss_match(company_id: int, partner_id: int) -> Response:
    try:
        partner = matching.dismiss(current_user, company_id, partner_id)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(company)s is hidden from your matches. You can show it again at the bottom of the page.",
                company=partner.name), "success")
    return _back_to_matches(company_id)


@bp.post("/companies/<int:company_id>/matches/<int:partner_id>/restore")
@login_required
def restore_match(company_id: int, partner_id: int) -> Response:
    try:
        partner = matching.restore(current_user, company_id, partner_id)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(company)s may be suggested to you again.", company=partner.name), "success")
    return _back_to_matches(company_id)
