"""Sign-up, login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from forum.auth import bp
from forum.auth.forms import JoinCompanyForm, LoginForm, SignupForm
from forum.forms import attach_service_error
from forum.services import accounts, taxonomy, team
from forum.services.errors import ServiceError


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: an open redirect after login is a phishing tool."""
    if not target:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        # Browsers drop tabs and newlines ("/\t/evil.example" is "//evil.example"), and a newline in
        # the Location header is a server error: such a target is never a link of ours.
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _start_session(user, remember: bool = False) -> None:
    # A fresh session on login, so a session id planted before login is worthless.
    session.clear()
    login_user(user, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response:
    if current_user.is_authenticated:
        flash(_("You are already registered and logged in. Log out first to register another company."),
              "info")
        return redirect(url_for("companies.my_company"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(form.email.data, form.password.data, form.full_name.data, form.to_profile())
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                flash(exc.message, "error")
        else:
            _start_session(user)
            flash(_("Welcome! %(company)s is registered for the forum.", company=user.company.name), "success")
            return redirect(url_for("companies.detail", company_id=user.company_id))
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form,
                           has_delegations=bool(taxonomy.all_delegations())), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            # The same answer for an unknown address and a wrong password: no account enumeration.
            form.password.errors.append(_("The e-mail or the password is not right."))
        else:
            _start_session(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            landing = (url_for("companies.detail", company_id=user.company_id) if user.company_id
                       else url_for("main.home"))
            return redirect(_safe_next(request.args.get("next")) or landing)
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    if not current_user.is_authenticated:
        # Already logged out (an expired session, another tab). Not @login_required: its
        # ?next=/logout would send the user, once logged in again, to a POST-only URL (a 405 page).
        return redirect(url_for("auth.login"))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str) -> str | Response:
    """A colleague's invitation: create a login that acts for the inviting company."""
    if current_user.is_authenticated:
        flash(_("Log out first to accept an invitation for another account."), "info")
        return redirect(url_for("main.home"))
    try:
        invitation = team.read_invitation(token)
    except ServiceError as exc:
        return render_template("auth/join_invalid.html", message=exc.message), 404
    form = JoinCompanyForm(email=invitation.email)
    if form.validate_on_submit():
        try:
            user = team.join_company(token, form.full_name.data, form.password.data)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                return render_template("auth/join_invalid.html", message=exc.message), 409
        else:
            _start_session(user)
            flash(_("Welcome! You now act for %(company)s.", company=invitation.company.name), "success")
            return redirect(url_for("companies.detail", company_id=invitation.company.id))
    status = 422 if form.errors else 200
    return render_template("auth/join.html", form=form, invitation=invitation), status
