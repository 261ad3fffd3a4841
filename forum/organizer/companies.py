"""Companies and delegations for organizers: list, search, edit, deactivate, add, CSV upload and export, acting for a company. Organizers only."""

from __future__ import annotations

from forum.organizer import bp  # noqa: F401
