"""Unit tests of the fast solver (``forum.scheduling.solver``): every result goes through ``check``.

Reproducibility for a seed, the time limit, locks (slot and table), reserved tables, weights first, the
unplaced reason codes on hand-built forums, table continuity, and a few B2B benchmark files.
"""

from __future__ import annotations

import random

import pytest

from forum.scheduling import (
    Instance,
    Lock,
    Meeting,
    Participant,
    Session,
    SessionRule,
    Slot,
    Solution,
    Table,
    UnplacedReason,
    check,
    load_dzn,
    solve,
)

from .support import INSTANCES, meetings, people, slots, tables

M, A = Session.MORNING, Session.AFTERNOON
needs_b2b = pytest.mark.skipif(not INSTANCES.is_dir(), reason="B2B benchmark files not present")


def solved(instance: Instance, *, time_limit: float = 1.0, seed: int = 0,
           iterations: int | None = None) -> Solution:
    sol = solve(instance, time_limit=time_limit, seed=seed, iterations=iterations)
    assert check(instance, sol) == []
    assert sol.placed + len(sol.unplaced) == len(instance.meetings)
    return sol


def where(sol: Solution) -> dict[int, tuple[int, int]]:
    return {a.meeting_id: (a.slot, a.table) for a in sol.assignments}


def reasons(sol: Solution) -> dict[int, UnplacedReason]:
    assert all(u.detail for u in sol.unplaced)
    return {u.meeting_id: u.reason for u in sol.unplaced}


def random_forum(seed: int, *, n_p: int = 30, n_m: int = 90, n_s: int = 10, n_t: int = 6,
                 groups: bool = False, locks: int = 0) -> Instance:
    """A mid-size random forum with sessions, unavailability and (optionally) reserved tables and locks."""
    rng = random.Random(seed)
    parts = tuple(Participant(p, ("KZ" if p % 3 == 0 else "UZ") if groups else None) for p in range(1, n_p + 1))
    pairs = rng.sample([(a, b) for a in range(1, n_p + 1) for b in range(a + 1, n_p + 1)], n_m)
    rules = [SessionRule.EITHER] * 6 + [SessionRule.MORNING, SessionRule.AFTERNOON]
    ms = tuple(Meeting(100 + i, a, b, weight=rng.choice((1, 1, 1, 2)), session=rng.choice(rules))
               for i, (a, b) in enumerate(pairs))
    sl = tuple(Slot(0 if s < n_s // 2 else 1, M if s % (n_s // 2) < n_s // 4 else A) for s in range(n_s))
    tabs = tuple(Table(t + 1, ("KZ" if t == 0 else None) if groups else None) for t in range(n_t))
    unavailable = {p: frozenset(rng.sample(range(n_s), 2)) for p in range(1, n_p + 1) if rng.random() < 0.2}
    lk = tuple(Lock(m.id, rng.randrange(n_s), rng.randrange(n_t) if rng.random() < 0.5 else None)
               for m in rng.sample(ms, locks))
    return Instance(parts, ms, sl, tabs, unavailable, lk)


# ------------------------------------------------------------------------------------------ basics


def test_empty_and_trivial_instances():
    empty = solved(Instance(people(2), (), slots(M, M), tables(1)))
    assert empty.placed == 0 and empty.breaks_total == 0 and empty.breaks == {}
    one = solved(Instance(people(2), meetings((1, 2)), slots(M, M), tables(1)))
    assert one.placed == 1 and one.breaks_total == 0 and one.optimal
    assert set(one.breaks) == {1, 2}


def test_degenerate_forums_explain_everything():
    no_slots = solved(Instance(people(2), meetings((1, 2)), (), tables(1)))
    assert list(reasons(no_slots).values()) == [UnplacedReason.NO_COMMON_FREE_SLOT]
    no_tables = solved(Instance(people(4), meetings((1, 2), (3, 4)), slots(M, M), ()))
    assert set(reasons(no_tables).values()) == {UnplacedReason.CAPACITY}
    nothing = solved(Instance((), (), (), ()))
    assert nothing.placed == 0 and nothing.unplaced == ()


def test_same_seed_same_schedule():
    # a fixed search budget and a time limit far above it: the clock never decides, on any machine
    inst = random_forum(3)
    first = solved(inst, seed=5, time_limit=60.0, iterations=60_000)
    second = solved(inst, seed=5, time_limit=60.0, iterations=60_000)
    assert not first.clock_bound and not second.clock_bound
    assert first.assignments == second.assignments
    assert first.unplaced == second.unplaced
    assert first.breaks == second.breaks


@needs_b2b
def test_same_seed_same_schedule_after_a_full_annealing_run():
    # 302 meetings x 22 slots: too big for the MILP polish, so the run ends when its iteration budget does
    inst = load_dzn(INSTANCES / "forum-14.original.dzn")
    first = solved(inst, time_limit=120.0, iterations=150_000, seed=3)
    second = solved(inst, time_limit=120.0, iterations=150_000, seed=3)
    assert not first.clock_bound and not second.clock_bound
    assert first.assignments == second.assignments
    assert first.breaks_total == second.breaks_total


@needs_b2b
def test_time_limit_is_an_upper_bound():
    # a budget no machine finishes in half a second: only the clock can stop this search, and what it
    # returns is still a complete, valid agenda
    inst = load_dzn(INSTANCES / "forum-14.original.dzn")  # 302 meetings, not solved to 0 breaks quickly
    sol = solve(inst, time_limit=0.5, seed=0, iterations=10**9)
    assert sol.clock_bound
    assert check(inst, sol) == []
    assert sol.placed == len(inst.meetings)


def test_unknown_participant_or_bad_weight_is_a_value_error():
    with pytest.raises(ValueError, match="unknown participant"):
        solve(Instance(people(2), (Meeting(1, 1, 9),), slots(M), tables(1)))
    with pytest.raises(ValueError, match="weight"):
        solve(Instance(people(2), (Meeting(1, 1, 2, weight=0),), slots(M), tables(1)))
    with pytest.raises(ValueError, match="twice"):
        solve(Instance(people(2), (Meeting(1, 1, 2), Meeting(1, 1, 2)), slots(M, M), tables(1)))


# ------------------------------------------------------------------------------------------ objectives


def test_heavier_meeting_wins_a_conflict():
    # participant 1 can take only one of its two meetings (one slot); the weight-5 one must be placed
    inst = Instance(people(3), (Meeting(1, 1, 2, weight=1), Meeting(2, 1, 3, weight=5)), slots(M), tables(2))
    sol = solved(inst)
    assert set(where(sol)) == {2}
    assert reasons(sol) == {1: UnplacedReason.PARTICIPANT_FULL}


def test_breaks_are_closed_when_possible():
    # 1 meets 2, 3, 4; a greedy left-to-right fill with 2 unavailable in slot 1 would leave a gap
    inst = Instance(people(4), meetings((1, 2), (1, 3), (1, 4)), slots(M, M, M, M, M), tables(1),
                    unavailable={2: frozenset({1, 2})})
    sol = solved(inst)
    assert sol.breaks_total == 0 and sol.optimal
    busy = sorted(s for s, _t in where(sol).values())
    assert busy == list(range(busy[0], busy[0] + 3))


def test_breaks_never_span_two_days():
    # 1 meets 2 on day 0 (last slot) and 3 on day 1 (first slot): no break across the night
    two_days = slots(M, M, day=0) + slots(M, M, day=1)
    inst = Instance(people(3), (Meeting(1, 1, 2), Meeting(2, 1, 3)), two_days, tables(1),
                    unavailable={2: frozenset({2, 3}), 3: frozenset({0, 1})})
    sol = solved(inst)
    assert sol.placed == 2 and sol.breaks_total == 0


def test_participant_keeps_its_table_across_consecutive_meetings():
    # participant 1 meets 2, 3, 4 in a row; with free tables it should not have to move
    inst = Instance(people(4), meetings((1, 2), (1, 3), (1, 4)), slots(M, M, M), tables(3))
    sol = solved(inst)
    assert len({t for _s, t in where(sol).values()}) == 1


# ------------------------------------------------------------------------------------------ locks, tables


def test_locks_keep_slot_and_table():
    inst = random_forum(11, locks=0)
    chosen = inst.meetings[:3]
    lk = (Lock(chosen[0].id, 4), Lock(chosen[1].id, 7, 2), Lock(chosen[2].id, 0, 5))
    inst = Instance(inst.participants, inst.meetings, inst.slots, inst.tables, {}, lk)
    sol = solved(inst)
    got = where(sol)
    for lock in lk:
        if lock.meeting_id in got:
            assert got[lock.meeting_id][0] == lock.slot
            if lock.table is not None:
                assert got[lock.meeting_id][1] == lock.table
        else:
            assert reasons(sol)[lock.meeting_id] is UnplacedReason.LOCK_CONFLICT


def test_impossible_locks_are_dropped_as_conflicts_and_the_rest_is_scheduled():
    inst = Instance(people(4), (Meeting(1, 1, 2, session=SessionRule.AFTERNOON), Meeting(2, 3, 4),
                                Meeting(3, 1, 3)),
                    slots(M, M, A), tables(1), locks=(Lock(1, 0), Lock(2, 5), Lock(3, 2, 0)))
    sol = solved(inst)
    assert reasons(sol) == {1: UnplacedReason.LOCK_CONFLICT, 2: UnplacedReason.LOCK_CONFLICT}
    assert where(sol) == {3: (2, 0)}


def test_reserved_tables_only_host_their_group():
    # 4 meetings per slot would fit 4 tables, but table 1 is reserved for group G: only meetings with a
    # G member may sit there, so with one G meeting per slot at most, the others spread over the slots
    parts = tuple(Participant(p, "G" if p <= 2 else None) for p in range(1, 11))
    ms = meetings((1, 3), (2, 4), (5, 6), (7, 8), (9, 10), (5, 7), (6, 8), (9, 5))
    inst = Instance(parts, ms, slots(M, M, M), (Table(1, "G"), Table(2), Table(3)))
    sol = solved(inst)
    assert sol.placed == 8
    for a in sol.assignments:
        if a.table == 0:
            m = next(x for x in ms if x.id == a.meeting_id)
            assert {m.a, m.b} & {1, 2}


def test_reserved_tables_explain_no_table():
    # two non-G meetings, one slot, one open and one G-reserved table: one cannot sit anywhere
    parts = (Participant(1, "G"), Participant(2), Participant(3), Participant(4), Participant(5))
    inst = Instance(parts, meetings((2, 3), (4, 5)), slots(M, M), (Table(1, "G"), Table(2)),
                    unavailable={p: frozenset({1}) for p in (2, 3, 4, 5)})
    sol = solved(inst)
    assert sol.placed == 1
    assert list(reasons(sol).values()) == [UnplacedReason.NO_TABLE]


@pytest.mark.parametrize("seed", range(12))
def test_random_forums_with_groups_and_locks_are_valid(seed):
    inst = random_forum(seed, groups=seed % 2 == 0, locks=seed % 5)
    sol = solved(inst, time_limit=0.5, seed=seed)
    # everything is either placed or explained; unplaced locks only as lock conflicts
    locked = {lk.meeting_id for lk in inst.locks}
    for mid, why in reasons(sol).items():
        if mid in locked:
            assert why is UnplacedReason.LOCK_CONFLICT


# ------------------------------------------------------------------------------------------ reason codes


@pytest.mark.parametrize(("instance", "expected"), [
    pytest.param(Instance(people(2), (Meeting(1, 1, 2, session=SessionRule.AFTERNOON),), slots(M, M), tables(1)),
                 UnplacedReason.NO_COMMON_FREE_SLOT, id="no-common-free-slot"),
    pytest.param(Instance(people(3), meetings((1, 2), (1, 3)), slots(M), tables(2)),
                 UnplacedReason.PARTICIPANT_FULL, id="participant-full"),
    pytest.param(Instance(people(4), meetings((1, 2), (3, 4)), slots(M), tables(1)),
                 UnplacedReason.CAPACITY, id="capacity"),
    pytest.param(Instance(people(6), tuple(Meeting(i, a, b, session=SessionRule.MORNING)
                                           for i, (a, b) in enumerate(((1, 2), (3, 4), (5, 6)), 1)),
                          slots(M, M, A), tables(1)),
                 UnplacedReason.NO_TABLE, id="no-table"),
    pytest.param(Instance(people(3), meetings((1, 2), (1, 3)), slots(M, M), tables(2),
                          unavailable={2: frozenset({1}), 3: frozenset({1})}),
                 UnplacedReason.CROWDED, id="crowded"),
    pytest.param(Instance(people(3), meetings((1, 2), (1, 3)), slots(M, M), tables(2),
                          locks=(Lock(1, 1), Lock(2, 1))),
                 UnplacedReason.LOCK_CONFLICT, id="lock-conflict"),
])
def test_unplaced_reason_codes(instance, expected):
    sol = solved(instance)
    assert len(sol.unplaced) == 1
    assert list(reasons(sol).values()) == [expected]


def test_overfull_forum_places_as_many_as_capacity_allows():
    inst = Instance(people(20), meetings(*[(i, i + 10) for i in range(1, 11)]), slots(M, M, M), tables(2))
    sol = solved(inst)
    assert sol.placed == 6
    assert set(reasons(sol).values()) == {UnplacedReason.CAPACITY}


# ------------------------------------------------------------------------------------------ B2B files


@needs_b2b
@pytest.mark.parametrize(("name", "best"), [("tic-12.original.dzn", 0), ("tic-13crafb.original.dzn", 0)])
def test_b2b_instances_reach_the_best_known(name, best):
    inst = load_dzn(INSTANCES / name)
    sol = solved(inst, time_limit=5.0)
    assert sol.placed == len(inst.meetings)
    assert sol.breaks_total <= best
    assert sol.optimal  # zero breaks with everything placed is provably optimal


@needs_b2b
def test_b2b_overfull_participant_loses_exactly_one_meeting():
    # participant 6 has 8 meetings but one of the 8 slots is forbidden: 124 of 125 is the maximum
    inst = load_dzn(INSTANCES / "tic-12.forb0007.dzn")
    sol = solved(inst, time_limit=2.0)
    assert sol.placed == len(inst.meetings) - 1
    assert [u.reason for u in sol.unplaced] == [UnplacedReason.PARTICIPANT_FULL]
