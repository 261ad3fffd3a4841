"""Errors the scheduling core raises on bad input (the services turn them into user messages)."""

from __future__ import annotations


class InstanceError(ValueError):
    """An instance file or object that cannot be read: the message says what and, when known, where.

    ``str(error)`` reads like ``forum.dzn, line 7: meeting 3: participant 99 is not in 1..70``; the parts
    are also kept as ``source``, ``line`` and ``reason`` for callers that format their own message.
    """

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None) -> None:
        self.line = line
        self.source = source
        self.reason = message
        where = ", ".join(x for x in (source, None if line is None else f"line {line}") if x)
        super().__init__(f"{where}: {message}" if where else message)
