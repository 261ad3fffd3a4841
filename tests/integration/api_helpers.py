"""Small helpers for the JSON API tests."""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def problem(response: Any, status: int, slug: str | None = None) -> dict:
    """Assert the answer is a problem+json refusal with this status (and problem type), and return it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    if slug is not None:
        assert body["type"].endswith(f"#problem-{slug}"), body["type"]
    return body


def field_messages(body: dict) -> dict[str, str]:
    """A problem's field errors as {field: message}."""
    return {error["field"]: error["message"] for error in body["errors"]}
