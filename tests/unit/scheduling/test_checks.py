"""Unit tests: the shared constraint checker catches every broken rule, and breaks are counted per day."""

from __future__ import annotations

import pytest

from forum.scheduling import (
    Assignment,
    Instance,
    Lock,
    Meeting,
    Participant,
    SessionRule,
    Slot,
    Solution,
    Table,
    Unplaced,
    UnplacedReason,
    check,
    count_breaks,
)

from .support import A, M, people, slots

# Slots 0, 1 (day 0 morning), 2 (day 0 afternoon), 3 (day 1 afternoon). Table 2 is reserved for group G
# (participant 4). Meeting 1 is locked to slot 0, table 0.
FORUM = Instance(
    participants=people(4, {4: "G"}),
    meetings=(
        Meeting(1, 1, 2),
        Meeting(2, 1, 3),
        Meeting(3, 2, 3),
        Meeting(4, 3, 4, session=SessionRule.MORNING),
        Meeting(5, 1, 4, session=SessionRule.AFTERNOON),
    ),
    slots=(Slot(0, M), Slot(0, M), Slot(0, A), Slot(1, A)),
    tables=(Table(1), Table(2), Table(3, reserved_for="G")),
    unavailable={3: frozenset({2})},
    locks=(Lock(1, 0, 0),),
)
VALID = {1: (0, 0), 2: (1, 0), 3: (3, 0), 4: (0, 2), 5: (2, 2)}


def solution(instance: Instance, placed: dict[int, tuple[int, int]], unplaced: tuple[Unplaced, ...] = ()
             ) -> Solution:
    """A solution with the given placement and correctly recounted breaks."""
    assignments = tuple(Assignment(mid, s, t) for mid, (s, t) in placed.items())
    breaks = count_breaks(instance, assignments)
    return Solution(assignments, unplaced, sum(breaks.values()), breaks, 0.0)


def rules(instance: Instance, sol: Solution) -> set[str]:
    return {v.rule for v in check(instance, sol)}


def test_valid_solution_has_no_violation():
    sol = solution(FORUM, VALID)
    assert check(FORUM, sol) == []
    assert sol.breaks == {1: 0, 2: 0, 3: 0, 4: 1}  # 4 meets at slots 0 and 2: one break
    assert sol.breaks_total == 1


@pytest.mark.parametrize(("meeting", "where", "rule"), [
    (2, (0, 1), "double_booked"),  # 1 already meets 2 in slot 0, and 3 meets 4
    (4, (0, 0), "table_clash"),  # table 0 already hosts meeting 1 in slot 0
    (3, (2, 0), "unavailable"),  # participant 3 cannot attend slot 2
    (5, (1, 1), "session"),  # afternoon-only meeting in a morning slot (1 is also double-booked there)
    (2, (1, 2), "table_reserved"),  # table 2 is reserved for G; neither 1 nor 3 belongs to it
    (1, (0, 1), "lock_moved"),  # locked to table 0
    (2, (7, 0), "bad_index"),
    (2, (1, 5), "bad_index"),
])
def test_each_broken_rule_is_reported(meeting: int, where: tuple[int, int], rule: str):
    placed = {**VALID, meeting: where}
    found = rules(FORUM, solution(FORUM, placed))
    assert rule in found
    if rule not in ("double_booked", "bad_index", "session"):
        assert found == {rule}


def test_session_rule_alone():
    # Meeting 3 steps aside (unplaced) so that morning-only meeting 4 can sit in afternoon slot 3.
    placed = {**{k: v for k, v in VALID.items() if k != 3}, 4: (3, 1)}
    sol = solution(FORUM, placed, (Unplaced(3, UnplacedReason.CROWDED),))
    assert rules(FORUM, sol) == {"session"}
    ok = solution(FORUM, {**{k: v for k, v in VALID.items() if k != 3}, 5: (3, 1)},
                  (Unplaced(3, UnplacedReason.CROWDED),))
    assert check(FORUM, ok) == []  # afternoon-only in an afternoon slot of another day is fine


def test_double_booking_names_the_participants():
    sol = solution(FORUM, {**VALID, 2: (0, 1)})
    details = [v.detail for v in check(FORUM, sol) if v.rule == "double_booked"]
    assert any("participant 1" in d for d in details) and any("participant 3" in d for d in details)


def test_lock_moved_to_another_slot():
    inst = Instance(people(2), (Meeting(7, 1, 2),), slots(M, M), (Table(1),), locks=(Lock(7, 0),))
    assert check(inst, solution(inst, {7: (0, 0)})) == []
    assert rules(inst, solution(inst, {7: (1, 0)})) == {"lock_moved"}


def test_dropped_lock_needs_a_real_conflict():
    dropped = {k: v for k, v in VALID.items() if k != 1}
    crowded = solution(FORUM, dropped, (Unplaced(1, UnplacedReason.CROWDED),))
    assert rules(FORUM, crowded) == {"lock_moved"}
    fake = solution(FORUM, dropped, (Unplaced(1, UnplacedReason.LOCK_CONFLICT),))
    assert rules(FORUM, fake) == {"lock_moved"}  # nothing clashes with that lock

    # Two locks want participant 1 in slot 0: dropping one of them is justified.
    clash = Instance(FORUM.participants, FORUM.meetings, FORUM.slots, FORUM.tables, FORUM.unavailable,
                     (Lock(1, 0, 0), Lock(2, 0)))
    placed = {1: (0, 0), 3: (3, 0), 4: (1, 2), 5: (2, 2)}
    assert check(clash, solution(clash, placed, (Unplaced(2, UnplacedReason.LOCK_CONFLICT),))) == []

    # A lock into an unavailable slot is a conflict by itself.
    bad = Instance(FORUM.participants, FORUM.meetings, FORUM.slots, FORUM.tables, FORUM.unavailable,
                   (Lock(3, 2),))
    unplaced = (Unplaced(3, UnplacedReason.LOCK_CONFLICT),)
    assert check(bad, solution(bad, {k: v for k, v in VALID.items() if k != 3}, unplaced)) == []


def test_ids_unknown_duplicate_and_missing():
    sol = solution(FORUM, {**VALID, 99: (1, 1)})
    assert rules(FORUM, sol) == {"unknown_meeting"}
    dup = solution(FORUM, VALID, (Unplaced(2, UnplacedReason.CROWDED),))
    assert rules(FORUM, dup) == {"duplicate_assignment"}
    twice = Solution(dup.assignments + (Assignment(2, 1, 0),), (), dup.breaks_total, dup.breaks, 0.0)
    assert "duplicate_assignment" in rules(FORUM, twice)
    missing = solution(FORUM, {k: v for k, v in VALID.items() if k != 5})
    assert rules(FORUM, missing) == {"missing_meeting"}
    unknown_unplaced = solution(FORUM, VALID, (Unplaced(42, UnplacedReason.CROWDED),))
    assert rules(FORUM, unknown_unplaced) == {"unknown_meeting"}


def test_breaks_must_match_a_recount():
    good = solution(FORUM, VALID)
    wrong_total = Solution(good.assignments, (), 0, good.breaks, 0.0)
    assert rules(FORUM, wrong_total) == {"breaks_miscounted"}
    wrong_map = Solution(good.assignments, (), 1, {1: 1, 2: 0, 3: 0, 4: 0}, 0.0)
    assert rules(FORUM, wrong_map) == {"breaks_miscounted"}
    # Participants without a placed meeting are left out, so the fairness spread is over people who meet.
    extra = Solution(good.assignments, (), 1, {**good.breaks, 9: 0}, 0.0)
    assert rules(FORUM, extra) == {"breaks_miscounted"}


def _one_person(busy: list[int], day_sizes: list[int]) -> int:
    day_slots = tuple(Slot(d, M) for d, n in enumerate(day_sizes) for _ in range(n))
    n = len(busy)
    inst = Instance(people(n + 1), tuple(Meeting(i + 1, 1, i + 2) for i in range(n)), day_slots, (Table(1),))
    return count_breaks(inst, [Assignment(i + 1, s, 0) for i, s in enumerate(busy)])[1]


def test_count_breaks_runs_and_days():
    assert _one_person([0, 1, 2], [8]) == 0
    assert _one_person([0, 2], [8]) == 1
    assert _one_person([0, 4], [8]) == 1  # three idle slots in a row are one break
    assert _one_person([0, 1, 3, 4, 7], [8]) == 2
    assert _one_person([1, 6], [8]) == 1  # idle time before the first and after the last is free
    assert _one_person([3, 4], [4, 4]) == 0  # last of day 0, first of day 1: no break across days
    assert _one_person([0, 3, 4, 7], [4, 4]) == 2


def test_count_breaks_lists_only_participants_with_meetings():
    inst = Instance((Participant(1), Participant(2), Participant(3)), (Meeting(1, 1, 2),), slots(M), (Table(1),))
    assert count_breaks(inst, [Assignment(1, 0, 0)]) == {1: 0, 2: 0}
