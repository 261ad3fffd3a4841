from flask import Blueprint

bp = Blueprint("auth", __name__)

from forum.auth import account, views  # noqa: E402,F401
