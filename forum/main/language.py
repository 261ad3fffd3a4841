"""The language switcher in the header: a plain form, so it works without JavaScript."""

from __future__ import annotations

from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from forum import i18n
from forum.main import bp
from forum.services import accounts
from forum.validation import local_path


@bp.post("/language")
def choose_language() -> Response:
    """Remember the chosen language in this browser and, when logged in, on the account (its e-mails too),
    then go back to the page the visitor was reading."""
    target = local_path(request.form.get("next")) or url_for("main.home")
    code = request.form.get("locale", "")
    if code not in i18n.LANGUAGES:
        flash(_("Choose one of the offered languages."), "error")
        return redirect(target, 303)
    if current_user.is_authenticated:
        accounts.set_locale(current_user._get_current_object(), code)
    response = make_response(redirect(target, 303))
    i18n.remember_choice(response, code)
    return response
