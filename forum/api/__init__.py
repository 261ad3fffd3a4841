"""JSON API v1: the same services as the HTML pages, for agencies' sites, coordinators' scripts, bots and
apps. Operations are declared with ``framework.operation``; the OpenAPI description is generated from
those declarations (``openapi.py``) and served at ``/api/v1/openapi.json``."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from forum.api import (  # noqa: E402,F401  (the modules register their operations on bp)
    companies,
    me,
    meetings,
    openapi,
    organizer,
    public,
    reference,
)
from forum.api.framework import register_errors  # noqa: E402

register_errors(bp)
