from flask import Blueprint

bp = Blueprint("organizer", __name__, url_prefix="/organizer")

from forum.organizer import accounts, attendance, builder, companies, dashboard, exports, views  # noqa: E402,F401
