"""Meeting passes and check-in (held / no-show), and the organizers' live attendance page."""

from __future__ import annotations

from typing import Any

from forum.models import User


def detail_context(actor: User, company_id: int, request_id: int) -> dict[str, Any]:
    """What templates/agenda/_pass.html needs on a meeting's detail page."""
    return {}
