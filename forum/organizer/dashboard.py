"""The organizer's dashboard, the forum's own settings, and the forum report for the regional administrations. Organizers only."""

from __future__ import annotations

from forum.organizer import bp  # noqa: F401
