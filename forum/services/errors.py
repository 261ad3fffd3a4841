"""Errors services raise for the caller (view, CLI, API) to turn into a message."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal a user can act on; ``message`` is already translated."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass
