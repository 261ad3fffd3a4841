"""Sign-up, login, logout, log out everywhere, and the password reset by e-mailed link."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from forum import i18n
from forum.auth import bp, throttle
from forum.auth.forms import (
    ForgotPasswordForm,
    JoinCompanyForm,
    LoginForm,
    LogoutEverywhereForm,
    ResetPasswordForm,
    SignupForm,
)
from forum.forms import attach_service_error
from forum.services import accounts, taxonomy, team
from forum.services.errors import ServiceError
from forum.validation import local_path


def _start_session(user, remember: bool = False) -> None:
    # A fresh session on login, so a session id planted before login is worthless.
    session.clear()
    login_user(user, remember=remember)
    # A language chosen in this browser before logging in becomes the account's, if it has none; the one
    # the pages are in is kept for e-mails to someone who never chose.
    accounts.note_language(user, i18n.browser_choice(), str(get_locale()))


@bp.route("/signup", methods=["GET", "POST"])
@throttle.signup
def signup() -> str | Response:
    if current_user.is_authenticated:
        flash(_("You are already registered and logged in. Log out first to register another company."),
              "info")
        return redirect(url_for("companies.my_company"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(form.email.data, form.password.data, form.full_name.data, form.to_profile(),
                                   locale=i18n.browser_choice(), last_locale=str(get_locale()))
        except accounts.AddressTaken:
            # The address has an account; its owner got an e-mail. Say no more than that mail was sent.
            return render_template("auth/signup_check_email.html", email=form.email.data)
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
@throttle.login
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except accounts.AccountDisabled as exc:
            # Only after the right password: a guesser learns nothing from it.
            form.password.errors.append(exc.message)
            return render_template("auth/login.html", form=form), 403
        if user is None:
            # The same answer for an unknown address and a wrong password: no account enumeration.
            form.password.errors.append(_("The e-mail or the password is not right."))
        else:
            _start_session(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            landing = (url_for("companies.detail", company_id=user.company_id) if user.company_id
                       else url_for("main.home"))
            return redirect(local_path(request.args.get("next")) or landing)
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


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    if not LogoutEverywhereForm().validate_on_submit():
        flash(_("The form expired. Try again."), "error")
        return redirect(url_for("auth.account"))
    accounts.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are logged out on every device, this one included. Log in again to go on."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle.password_reset
def forgot_password() -> str | Response | tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        # The same page whether or not the address has an account: no enumeration.
        return render_template("auth/password_forgot_sent.html")
    status = 422 if form.errors else 200
    return render_template("auth/password_forgot.html", form=form), status


def _reset_page(template: str, status: int, **context) -> Response:
    # The token is in the URL: no Referer carries it on, and no cache keeps the page.
    response = make_response(render_template(template, **context), status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response:
    try:
        user = accounts.read_reset_token(token)
    except ServiceError as exc:
        return _reset_page("auth/password_reset_invalid.html", 404, message=exc.message)
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                return _reset_page("auth/password_reset_invalid.html", 409, message=exc.message)
        else:
            _start_session(user)
            flash(_("Your new password is set, and you are logged in. Every other device was logged out."),
                  "success")
            landing = (url_for("companies.detail", company_id=user.company_id) if user.company_id
                       else url_for("main.home"))
            return redirect(landing)
    return _reset_page("auth/password_reset.html", 422 if form.errors else 200, form=form, email=user.email)


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
