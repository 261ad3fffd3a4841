"""Unit tests: the MILP reference on hand-built instances with known optima, and the unplaced reason codes
(for both the exact and the fast solver)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from forum.scheduling import (
    Instance,
    Lock,
    Meeting,
    SessionRule,
    Slot,
    Solution,
    Table,
    UnplacedReason,
    check,
    solve,
    solve_exact,
)
from forum.scheduling.exact import assign_tables

from .support import A, M, meetings, people, slots, tables


def exact(instance: Instance) -> Solution:
    sol = solve_exact(instance, time_limit=30)
    assert check(instance, sol) == []
    assert sol.optimal
    return sol


def fast(instance: Instance) -> Solution:
    sol = solve(instance, time_limit=1.0, seed=0)
    assert check(instance, sol) == []
    return sol


SOLVERS = [pytest.param(exact, id="exact"), pytest.param(fast, id="fast")]


def placed_ids(sol: Solution) -> set[int]:
    return {a.meeting_id for a in sol.assignments}


def test_star_is_placed_without_breaks():
    inst = Instance(people(4), meetings((1, 2), (1, 3), (1, 4)), slots(M, M, M), tables(1))
    sol = exact(inst)
    assert sol.placed == 3 and sol.breaks_total == 0 and sol.unplaced == ()
    assert sorted(a.slot for a in sol.assignments) == [0, 1, 2]


def test_weight_comes_before_breaks():
    # 2 can only come at slot 0 and 3 only at slot 2: placing both costs participant 1 a break.
    inst = Instance(people(3), meetings((1, 2), (1, 3)), slots(M, M, M), tables(1),
                    unavailable={2: frozenset({1, 2}), 3: frozenset({0, 1})})
    sol = exact(inst)
    assert sol.placed == 2 and sol.breaks_total == 1 and sol.breaks == {1: 1, 2: 0, 3: 0}


def test_breaks_are_minimised():
    # A path 1-2-3-4 in 3 slots: the optimum has no break (2 and 3 meet in the middle slot).
    inst = Instance(people(4), meetings((1, 2), (2, 3), (3, 4), (1, 4)), slots(M, M, M, M), tables(2))
    sol = exact(inst)
    assert sol.placed == 4 and sol.breaks_total == 0


def test_break_needed_across_known_optimum():
    # 1 meets 2, 3, 4; 2 is free only at slot 0, 4 only at slot 3; 3 anywhere. 1 has slots 0, x, 3:
    # at best one break (3 at slot 1 or 2).
    inst = Instance(people(4), meetings((1, 2), (1, 3), (1, 4)), slots(M, M, M, M), tables(1),
                    unavailable={2: frozenset({1, 2, 3}), 4: frozenset({0, 1, 2})})
    sol = exact(inst)
    assert sol.placed == 3 and sol.breaks_total == 1


def test_days_do_not_join():
    # Two meetings of participant 1, one per day, at the end of day 0 and the start of day 1: no break.
    inst = Instance(people(3), meetings((1, 2), (1, 3)), (Slot(0, M), Slot(0, M), Slot(1, M), Slot(1, M)),
                    tables(1), unavailable={2: frozenset({0, 2, 3}), 3: frozenset({0, 1, 3})})
    sol = exact(inst)
    assert sol.placed == 2 and sol.breaks_total == 0


def test_heavier_meeting_wins_a_slot():
    inst = Instance(people(4), (Meeting(1, 1, 2, weight=1), Meeting(2, 3, 4, weight=3)), slots(M), tables(1))
    sol = exact(inst)
    assert placed_ids(sol) == {2}
    assert sol.unplaced[0].reason is UnplacedReason.CAPACITY


def test_reserved_tables_are_respected():
    # Tables 0 and 2 are reserved for G (participant 1); 3-4 and 5-6 compete for the one free table.
    inst = Instance(people(6, {1: "G"}), meetings((1, 2), (3, 4), (5, 6)), slots(M),
                    (Table(1, "G"), Table(2), Table(3, "G")))
    sol = exact(inst)
    assert sol.placed == 2
    seat = {a.meeting_id: a.table for a in sol.assignments}
    assert seat[1] in (0, 2)
    assert sol.unplaced[0].reason is UnplacedReason.NO_TABLE


def test_locks_keep_slot_and_table():
    inst = Instance(people(3), meetings((1, 2), (1, 3)), slots(M, M, M), tables(3),
                    locks=(Lock(1, 2, 1),))
    sol = exact(inst)
    a = {x.meeting_id: x for x in sol.assignments}
    assert (a[1].slot, a[1].table) == (2, 1)
    assert a[2].slot == 1 and sol.breaks_total == 0


def test_session_rules():
    inst = Instance(people(3), (Meeting(1, 1, 2, session=SessionRule.AFTERNOON),
                                Meeting(2, 1, 3, session=SessionRule.MORNING)),
                    slots(M, M, A, A), tables(1))
    sol = exact(inst)
    slot = {a.meeting_id: a.slot for a in sol.assignments}
    assert slot[1] == 2 and slot[2] == 1 and sol.breaks_total == 0  # adjacent across the session change


def test_tables_stay_put_for_a_participant():
    inst = Instance(people(7), meetings((1, 2), (1, 3), (1, 4), (5, 6), (6, 7)), slots(M, M, M), tables(3))
    sol = exact(inst)
    tables_of_1 = {a.table for a in sol.assignments if a.meeting_id in (1, 2, 3)}
    assert len(tables_of_1) == 1


def test_assign_tables_reports_unseated_meetings():
    inst = Instance(people(4), meetings((1, 2), (3, 4)), slots(M), tables(1))
    table_of, unseated = assign_tables(inst, {1: 0, 2: 0})
    assert len(table_of) == 1 and len(unseated) == 1


# ------------------------------------------------------------------------------------- reason codes


def _reason(solver: Callable[[Instance], Solution], inst: Instance, meeting_id: int) -> UnplacedReason:
    sol = solver(inst)
    reasons = {u.meeting_id: u for u in sol.unplaced}
    assert meeting_id in reasons, f"meeting {meeting_id} should be unplaced: {sol}"
    assert reasons[meeting_id].detail  # always explained in words
    return reasons[meeting_id].reason


@pytest.mark.parametrize("solver", SOLVERS)
def test_reason_no_common_free_slot(solver):
    inst = Instance(people(2), meetings((1, 2)), slots(M, M), tables(1),
                    unavailable={1: frozenset({0}), 2: frozenset({1})})
    assert _reason(solver, inst, 1) is UnplacedReason.NO_COMMON_FREE_SLOT
    # Session rule: morning-only, but the only common free slot is in the afternoon.
    inst2 = Instance(people(2), (Meeting(1, 1, 2, session=SessionRule.MORNING),), slots(M, A), tables(1),
                     unavailable={1: frozenset({0})})
    assert _reason(solver, inst2, 1) is UnplacedReason.NO_COMMON_FREE_SLOT


@pytest.mark.parametrize("solver", SOLVERS)
def test_reason_participant_full(solver):
    inst = Instance(people(4), meetings((1, 2), (1, 3), (1, 4)), slots(M, M), tables(3))
    sol = solver(inst)
    assert sol.placed == 2
    assert [u.reason for u in sol.unplaced] == [UnplacedReason.PARTICIPANT_FULL]


@pytest.mark.parametrize("solver", SOLVERS)
def test_reason_no_table(solver):
    # Capacity is 2 slots × 2 tables = 4 >= 3 meetings, but all three can only meet in slot 0.
    inst = Instance(people(6), meetings((1, 2), (3, 4), (5, 6)), slots(M, M), tables(2),
                    unavailable={1: frozenset({1}), 3: frozenset({1}), 5: frozenset({1})})
    sol = solver(inst)
    assert sol.placed == 2
    assert [u.reason for u in sol.unplaced] == [UnplacedReason.NO_TABLE]


@pytest.mark.parametrize("solver", SOLVERS)
def test_reason_capacity(solver):
    inst = Instance(people(6), meetings((1, 2), (3, 4), (5, 6)), slots(M, M), tables(1))
    sol = solver(inst)
    assert sol.placed == 2
    assert [u.reason for u in sol.unplaced] == [UnplacedReason.CAPACITY]


@pytest.mark.parametrize("solver", SOLVERS)
def test_reason_lock_conflict(solver):
    # Locked into a slot where participant 2 is unavailable.
    inst = Instance(people(2), meetings((1, 2)), slots(M, M), tables(1), unavailable={2: frozenset({0})},
                    locks=(Lock(1, 0),))
    assert _reason(solver, inst, 1) is UnplacedReason.LOCK_CONFLICT
    # Two locks put participant 1 twice in slot 0: one stays, the other is a conflict.
    inst2 = Instance(people(3), meetings((1, 2), (1, 3)), slots(M, M), tables(2),
                     locks=(Lock(1, 0), Lock(2, 0)))
    sol = solver(inst2)
    assert sol.placed == 1
    assert [u.reason for u in sol.unplaced] == [UnplacedReason.LOCK_CONFLICT]
    # Locked to a table reserved for another group.
    inst3 = Instance(people(2), meetings((1, 2)), slots(M), (Table(1), Table(2, "G")), locks=(Lock(1, 0, 1),))
    assert _reason(solver, inst3, 1) is UnplacedReason.LOCK_CONFLICT


@pytest.mark.parametrize("solver", SOLVERS)
def test_reason_crowded(solver):
    # A triangle needs three slots; with two, one meeting cannot fit although each is feasible alone.
    inst = Instance(people(3), meetings((1, 2), (2, 3), (1, 3)), slots(M, M), tables(3))
    sol = solver(inst)
    assert sol.placed == 2
    assert [u.reason for u in sol.unplaced] == [UnplacedReason.CROWDED]


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_unplaced_meeting_is_explained(solver):
    inst = Instance(people(5), meetings((1, 2), (1, 3), (1, 4), (1, 5), (2, 3)), slots(M, M, M), tables(1))
    sol = solver(inst)
    assert sol.placed + len(sol.unplaced) == 5
    assert all(u.detail for u in sol.unplaced)
