from flask import Blueprint

bp = Blueprint("organizer", __name__, url_prefix="/organizer")

from forum.organizer import views  # noqa: E402,F401
