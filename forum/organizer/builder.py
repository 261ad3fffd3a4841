"""The agenda builder: the grid of slots x tables, moves, swaps, locks, added meetings, undo and publishing. Organizers only."""

from __future__ import annotations

from forum.organizer import bp  # noqa: F401
