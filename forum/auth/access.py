"""Who may open a route: declared at the route, so that a reader sees it next to the URL."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from forum.models import Role


def role_required(role: str | Role) -> Callable:
    """Only logged-in users of this role; others get 403 (anonymous visitors go to the login page)."""
    wanted = Role(role)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role != wanted:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
