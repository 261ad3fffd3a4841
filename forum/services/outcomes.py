"""Feedback after a held meeting (useful, follow-up, what came of it, value) and its totals."""

from __future__ import annotations

from typing import Any

from forum.models import User


def detail_context(actor: User, company_id: int, request_id: int) -> dict[str, Any]:
    """What templates/agenda/_feedback.html needs on a meeting's detail page."""
    return {}
