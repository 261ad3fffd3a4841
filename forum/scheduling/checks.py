"""The one shared constraint checker, and the break count every part of the scheduler agrees on.

``check`` never trusts the solver: it recomputes everything from the instance and the solution, so the
fast solver, the exact MILP, the tests and the services all answer to the same rules.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from forum.scheduling.types import (
    Assignment,
    Instance,
    Lock,
    Meeting,
    Session,
    SessionRule,
    Solution,
    UnplacedReason,
    Violation,
)


def day_positions(instance: Instance) -> list[tuple[int, int]]:
    """For each slot index, ``(day, position within that day)``; positions follow the slot order."""
    seen: Counter[int] = Counter()
    out: list[tuple[int, int]] = []
    for slot in instance.slots:
        out.append((slot.day, seen[slot.day]))
        seen[slot.day] += 1
    return out


def session_allows(rule: SessionRule, session: Session) -> bool:
    """Whether a meeting with session rule ``rule`` may sit in a slot of ``session``."""
    if rule is SessionRule.EITHER:
        return True
    return rule.value == session.value


def breaks_of(positions: Iterable[tuple[int, int]]) -> int:
    """Breaks of one participant given its busy ``(day, position)`` pairs: idle runs between meetings."""
    by_day: dict[int, list[int]] = defaultdict(list)
    for day, pos in positions:
        by_day[day].append(pos)
    total = 0
    for busy in by_day.values():
        busy.sort()
        # Each jump of more than one position is one maximal idle run, however long.
        total += sum(1 for x, y in zip(busy, busy[1:], strict=False) if y > x + 1)
    return total


def count_breaks(instance: Instance, assignments: Iterable[Assignment]) -> dict[int, int]:
    """Breaks per participant id, for every participant with at least one placed meeting.

    Counted per day over the day's slot sequence; idle time before the first and after the last meeting
    of a day is free. Assignments with unknown meetings or slot indices are skipped (``check`` reports them).
    """
    meetings = {m.id: m for m in instance.meetings}
    pos = day_positions(instance)
    busy: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for a in assignments:
        m = meetings.get(a.meeting_id)
        if m is None or not 0 <= a.slot < len(pos):
            continue
        busy[m.a].add(pos[a.slot])
        busy[m.b].add(pos[a.slot])
    return {p: breaks_of(slots) for p, slots in busy.items()}


def _lock_conflicts_alone(instance: Instance, lock_slot: int, lock_table: int | None, meeting_id: int) -> bool:
    """Whether a lock is impossible by itself (bad index, availability, session, reserved table)."""
    m = next((m for m in instance.meetings if m.id == meeting_id), None)
    if m is None or not 0 <= lock_slot < len(instance.slots):
        return True
    if lock_table is not None and not 0 <= lock_table < len(instance.tables):
        return True
    if m.a == m.b:
        return True
    for p in (m.a, m.b):
        if lock_slot in instance.unavailable.get(p, frozenset()):
            return True
    if not session_allows(m.session, instance.slots[lock_slot].session):
        return True
    if lock_table is not None:
        reserved = instance.tables[lock_table].reserved_for
        groups = {p.id: p.group for p in instance.participants}
        if reserved is not None and reserved not in (groups.get(m.a), groups.get(m.b)):
            return True
    return False


def check(instance: Instance, solution: Solution) -> list[Violation]:
    """Every broken hard rule in ``solution``; ``[]`` means the solution is valid.

    Rules: ids known and each meeting reported exactly once (placed or unplaced); indices in range;
    nobody twice in a slot; one meeting per table per slot; availability; session rules; reserved tables;
    locks keep their slot and table (a lock may only be dropped with ``LOCK_CONFLICT`` when it really
    conflicts); ``breaks``/``breaks_total`` equal a recount.
    """
    out: list[Violation] = []
    meetings = {m.id: m for m in instance.meetings}
    groups = {p.id: p.group for p in instance.participants}
    n_slots, n_tables = len(instance.slots), len(instance.tables)

    # --- ids: each meeting exactly once -------------------------------------------------------------
    placed_count = Counter(a.meeting_id for a in solution.assignments)
    unplaced_count = Counter(u.meeting_id for u in solution.unplaced)
    for mid in sorted(set(placed_count) | set(unplaced_count)):
        if mid not in meetings:
            out.append(Violation("unknown_meeting", f"meeting {mid} is not in the instance"))
            continue
        total = placed_count[mid] + unplaced_count[mid]
        if total > 1:
            out.append(Violation(
                "duplicate_assignment",
                f"meeting {mid} reported {total} times ({placed_count[mid]} placed, {unplaced_count[mid]} unplaced)",
            ))
    for mid in meetings:
        if mid not in placed_count and mid not in unplaced_count:
            out.append(Violation("missing_meeting", f"meeting {mid} is neither placed nor explained"))

    # --- per assignment: indices, availability, session, reservation ----------------------------------
    valid: list[Assignment] = []
    for a in solution.assignments:
        m = meetings.get(a.meeting_id)
        if m is None:
            continue
        if not 0 <= a.slot < n_slots:
            out.append(Violation("bad_index", f"meeting {m.id}: slot index {a.slot} out of 0..{n_slots - 1}"))
            continue
        if a.table is None or not 0 <= a.table < n_tables:
            out.append(Violation("bad_index", f"meeting {m.id}: table index {a.table} out of 0..{n_tables - 1}"))
            continue
        valid.append(a)
        for p in (m.a, m.b):
            if a.slot in instance.unavailable.get(p, frozenset()):
                out.append(Violation("unavailable", f"meeting {m.id}: participant {p} is unavailable in slot {a.slot}"))
        session = instance.slots[a.slot].session
        if not session_allows(m.session, session):
            out.append(Violation("session", f"meeting {m.id} is {m.session.value}-only but slot {a.slot} is {session.value}"))
        reserved = instance.tables[a.table].reserved_for
        if reserved is not None and reserved not in (groups.get(m.a), groups.get(m.b)):
            out.append(Violation(
                "table_reserved",
                f"meeting {m.id}: table {a.table} is reserved for {reserved!r}, neither {m.a} nor {m.b} belongs to it",
            ))

    # --- clashes ---------------------------------------------------------------------------------------
    by_person_slot: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_table_slot: dict[tuple[int, int], list[int]] = defaultdict(list)
    for a in valid:
        m = meetings[a.meeting_id]
        for p in {m.a, m.b}:
            by_person_slot[p, a.slot].append(m.id)
        by_table_slot[a.table, a.slot].append(m.id)
    for (p, s), mids in sorted(by_person_slot.items()):
        if len(mids) > 1:
            out.append(Violation("double_booked", f"participant {p} has meetings {sorted(mids)} in slot {s}"))
    for (t, s), mids in sorted(by_table_slot.items()):
        if len(mids) > 1:
            out.append(Violation("table_clash", f"table {t} hosts meetings {sorted(mids)} in slot {s}"))

    # --- locks -----------------------------------------------------------------------------------------
    where = {a.meeting_id: a for a in solution.assignments}
    reasons = {u.meeting_id: u.reason for u in solution.unplaced}
    locks_by_slot: dict[int, list[Lock]] = defaultdict(list)
    for lock in instance.locks:
        locks_by_slot[lock.slot].append(lock)
    for lock in instance.locks:
        a = where.get(lock.meeting_id)
        if a is not None:
            if a.slot != lock.slot:
                out.append(Violation("lock_moved", f"meeting {lock.meeting_id} is locked to slot {lock.slot}, placed in {a.slot}"))
            elif lock.table is not None and a.table != lock.table:
                out.append(Violation("lock_moved", f"meeting {lock.meeting_id} is locked to table {lock.table}, placed at {a.table}"))
            continue
        if lock.meeting_id not in reasons:
            continue  # missing_meeting already reported (or unknown lock id)
        if reasons[lock.meeting_id] is not UnplacedReason.LOCK_CONFLICT:
            out.append(Violation("lock_moved", f"locked meeting {lock.meeting_id} dropped with reason {reasons[lock.meeting_id].value}"))
        elif not _lock_conflicts_alone(instance, lock.slot, lock.table, lock.meeting_id) and not _locked_apart(
            instance, lock
        ) and not _clashes_with_locks(
            instance, lock, locks_by_slot[lock.slot], meetings
        ):
            out.append(Violation("lock_moved", f"locked meeting {lock.meeting_id} dropped as a lock conflict, but it conflicts with nothing"))

    # --- breaks recount --------------------------------------------------------------------------------
    recount = count_breaks(instance, valid)
    reported = dict(solution.breaks)
    for p in sorted(set(recount) | set(reported)):
        if p not in recount:
            out.append(Violation("breaks_miscounted", f"participant {p} has no placed meeting but is listed with {reported[p]} breaks"))
        elif p not in reported:
            out.append(Violation("breaks_miscounted", f"participant {p} has meetings but no break count (recount {recount[p]})"))
        elif reported[p] != recount[p]:
            out.append(Violation("breaks_miscounted", f"participant {p}: reported {reported[p]} breaks, recount {recount[p]}"))
    if solution.breaks_total != sum(recount.values()):
        out.append(Violation("breaks_miscounted", f"breaks_total {solution.breaks_total}, recount {sum(recount.values())}"))
    return out


def _locked_apart(instance: Instance, lock: Lock) -> bool:
    """Whether the same meeting carries another lock that disagrees with ``lock``."""
    return any(o.meeting_id == lock.meeting_id and (o.slot, o.table) != (lock.slot, lock.table) for o in instance.locks)


def _clashes_with_locks(instance: Instance, lock: Lock, same_slot: list[Lock], meetings: dict[int, Meeting]) -> bool:
    """Whether ``lock`` clashes with the other locks of its slot: a shared participant, the same meeting
    locked twice, or no table matching seats every lock of the slot (reservations, fixed tables)."""
    m = meetings.get(lock.meeting_id)
    if m is None:
        return True
    # Locks that cannot hold anyway (unavailable slot, ...) do not justify dropping this one.
    others = [o for o in same_slot
              if o is not lock and not _lock_conflicts_alone(instance, o.slot, o.table, o.meeting_id)]
    for other in others:
        if other.meeting_id == lock.meeting_id:
            return True
        o = meetings.get(other.meeting_id)
        if o is not None and {m.a, m.b} & {o.a, o.b}:
            return True
    # Seat the locks that are fine by themselves; if they cannot all be seated, dropping one is justified.
    seated = [o for o in same_slot
              if o.meeting_id in meetings and not _lock_conflicts_alone(instance, o.slot, o.table, o.meeting_id)]
    return not _all_seated(instance, seated, meetings)


def _all_seated(instance: Instance, locks: list[Lock], meetings: dict[int, Meeting]) -> bool:
    """Bipartite matching (augmenting paths) of locks to tables they may use."""
    groups = {p.id: p.group for p in instance.participants}

    def allowed(lock: Lock) -> list[int]:
        if lock.table is not None:
            return [lock.table]
        m = meetings[lock.meeting_id]
        mine = (groups.get(m.a), groups.get(m.b))
        return [t for t, table in enumerate(instance.tables) if table.reserved_for is None or table.reserved_for in mine]

    owner: dict[int, int] = {}  # table -> index in locks

    def augment(i: int, seen: set[int]) -> bool:
        for t in allowed(locks[i]):
            if t in seen:
                continue
            seen.add(t)
            if t not in owner or augment(owner[t], seen):
                owner[t] = i
                return True
        return False

    return all(augment(i, set()) for i in range(len(locks)))
