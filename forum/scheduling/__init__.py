"""Meeting scheduling: the pure domain core.

It takes plain data and returns plain data; it never imports Flask, SQLAlchemy or the app's
models (an import-linter contract in setup.cfg enforces this).

Public API:

- data: :class:`Instance` (participants, meetings, slots, tables, unavailable, locks) in, :class:`Solution`
  (assignments, unplaced meetings with an :class:`UnplacedReason`, breaks) out; see :mod:`.types`;
- :func:`solve` — the fast solver (greedy + local search, deterministic for a given ``seed`` unless the
  ``time_limit`` cuts it short);
- :func:`solve_exact` — the MILP reference (HiGHS via scipy), small instances only;
- :func:`check` — the one constraint checker (``[]`` means valid); :func:`count_breaks`;
- loaders: :func:`load_dzn` (B2B benchmark files), :func:`load_json` (format in :mod:`.jsonio`),
  :func:`load_instance` (by extension); :func:`solution_to_json`; :class:`InstanceError` on bad input.

Command line: ``python -m forum.scheduling solve FILE [--time-limit S] [--seed N]``.
"""

from forum.scheduling.checks import check, count_breaks
from forum.scheduling.dzn import load_dzn
from forum.scheduling.errors import InstanceError
from forum.scheduling.exact import solve_exact
from forum.scheduling.jsonio import instance_to_json, load_instance, load_json, solution_to_json
from forum.scheduling.solver import solve
from forum.scheduling.types import (
    Assignment,
    Instance,
    Lock,
    Meeting,
    Participant,
    Session,
    SessionRule,
    Slot,
    Solution,
    Table,
    Unplaced,
    UnplacedReason,
    Violation,
)

__all__ = [
    "Assignment",
    "Instance",
    "InstanceError",
    "Lock",
    "Meeting",
    "Participant",
    "Session",
    "SessionRule",
    "Slot",
    "Solution",
    "Table",
    "Unplaced",
    "UnplacedReason",
    "Violation",
    "check",
    "count_breaks",
    "instance_to_json",
    "load_dzn",
    "load_instance",
    "load_json",
    "solution_to_json",
    "solve",
    "solve_exact",
]
