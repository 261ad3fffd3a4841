"""Plain data in and out of the scheduler. No Flask, no database: the services convert.

Indices are 0-based positions in the instance's tuples (slot i is ``instance.slots[i]``, table j is
``instance.tables[j]``); ids (participant ids, meeting ids) are the caller's and pass through unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Session(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"


class SessionRule(enum.StrEnum):
    """Where a meeting may go: the literature's s = 1, 2, 3."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EITHER = "either"


@dataclass(frozen=True, slots=True)
class Slot:
    """One time slot. Slots are listed in time order; breaks are counted within a ``day``."""

    day: int
    session: Session
    label: str = ""  # e.g. "2024-10-17 10:00", for messages only


@dataclass(frozen=True, slots=True)
class Table:
    number: int  # the number printed on the table
    # A reserved table hosts a meeting only if one of its two participants belongs to this group.
    reserved_for: str | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    group: str | None = None  # the delegation, for reserved tables
    name: str = ""  # for messages only


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    a: int  # participant id
    b: int  # participant id
    weight: int = 1
    session: SessionRule = SessionRule.EITHER


@dataclass(frozen=True, slots=True)
class Lock:
    """A meeting that must keep its slot (and its table, when one is given)."""

    meeting_id: int
    slot: int  # slot index
    table: int | None = None  # table index


@dataclass(frozen=True, slots=True)
class Instance:
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    slots: tuple[Slot, ...]
    tables: tuple[Table, ...]
    # participant id -> slot indices it cannot attend
    unavailable: Mapping[int, frozenset[int]] = field(default_factory=dict)
    locks: tuple[Lock, ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    meeting_id: int
    slot: int  # slot index
    table: int  # table index


class UnplacedReason(enum.StrEnum):
    NO_COMMON_FREE_SLOT = "no_common_free_slot"  # availability and session never leave a slot for both
    PARTICIPANT_FULL = "participant_full"  # a side has more meetings than slots it can attend
    NO_TABLE = "no_table"  # every slot both could take had all allowed tables taken
    CAPACITY = "capacity"  # the forum has more meetings than slots × tables
    LOCK_CONFLICT = "lock_conflict"  # a locked assignment breaks a hard rule or clashes with another lock
    CROWDED = "crowded"  # feasible alone, but the schedule could not fit it with the others


@dataclass(frozen=True, slots=True)
class Unplaced:
    meeting_id: int
    reason: UnplacedReason
    detail: str = ""  # plain English for logs and the CLI; the services word it for users


@dataclass(frozen=True, slots=True)
class Solution:
    assignments: tuple[Assignment, ...]
    unplaced: tuple[Unplaced, ...]
    breaks_total: int
    breaks: Mapping[int, int]  # participant id -> breaks
    seconds: float
    optimal: bool = False  # proven optimal (the exact solver, or a bound that is met)
    # the clock, not the planned search budget, decided where the search stopped: the result may then
    # differ between two runs with the same seed
    clock_bound: bool = False

    @property
    def placed(self) -> int:
        return len(self.assignments)

    @property
    def fairness_spread(self) -> int:
        """Max minus min breaks over the participants that have meetings."""
        return max(self.breaks.values()) - min(self.breaks.values()) if self.breaks else 0


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken hard rule, found by ``checks.check``."""

    rule: str  # "double_booked", "table_clash", "unavailable", "session", "lock_moved", "table_reserved",
    #            "unknown_meeting", "duplicate_assignment", "bad_index", "breaks_miscounted"
    detail: str
