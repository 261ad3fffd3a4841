from flask import Blueprint

bp = Blueprint("main", __name__)

from forum.main import language, views  # noqa: E402,F401
