from flask import Blueprint

bp = Blueprint("companies", __name__)

from forum.companies import views  # noqa: E402,F401
