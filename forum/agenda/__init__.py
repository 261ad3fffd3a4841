"""The delegate's side of the published agenda: "My agenda" on the phone, meeting details, the meeting
pass and check-in, outcomes, and the calendar (download and subscription)."""

from flask import Blueprint

bp = Blueprint("agenda", __name__)

from forum.agenda import calendar, offline, outcomes, passes, views  # noqa: E402,F401
