"""The account page: who is logged in, and the personal API tokens for scripts, bots and apps."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum.auth import bp
from forum.auth.forms import ApiTokenForm
from forum.forms import attach_service_error
from forum.models import utcnow
from forum.services import api_tokens
from forum.services.errors import NotFound, ServiceError


def _page(form: ApiTokenForm, status: int = 200, new_token: api_tokens.NewToken | None = None,
          problem: str | None = None) -> Response:
    user = current_user._get_current_object()
    response = make_response(render_template(
        "auth/account.html", user=user, form=form, tokens=api_tokens.tokens_for(user),
        active=api_tokens.active_tokens(user), now=utcnow(),
        new_token=new_token, problem=problem, max_tokens=api_tokens.MAX_ACTIVE_TOKENS), status)
    # The page lists the account's tokens (and once, a token itself): no cache, shared or private, keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account")
@login_required
def account() -> Response:
    return _page(ApiTokenForm())


@bp.post("/account/tokens")
@login_required
def create_token() -> Response:
    form = ApiTokenForm()
    problem = None
    if form.validate_on_submit():
        try:
            made = api_tokens.create_token(current_user._get_current_object(), form.name.data, form.scope.data,
                                           form.lifetime_days())
        except ServiceError as exc:
            if not attach_service_error(form, exc):
                problem = exc.message
        else:
            # Rendered here, not redirected: the secret must not travel through the session or a flash.
            return _page(ApiTokenForm(formdata=None), status=201, new_token=made)
    return _page(form, status=422 if form.errors or problem else 200, problem=problem)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    # CSRFProtect checks the form's token before this runs, as for every POST of the site.
    try:
        token = api_tokens.revoke(current_user._get_current_object(), token_id)
    except NotFound:
        abort(404)
    flash(_("The token “%(name)s” is revoked: scripts using it now get “401 Revoked token”.", name=token.name),
          "success")
    return redirect(url_for("auth.account"))
