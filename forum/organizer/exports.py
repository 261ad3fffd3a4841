"""Exports for the venue: the agenda as CSV and XLSX, printable sheets per table and per company, the table plan. Organizers only."""

from __future__ import annotations

from forum.organizer import bp  # noqa: F401
