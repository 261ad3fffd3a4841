"""Exact reference solver: one MILP solved by HiGHS through ``scipy.optimize.milp``. Small instances only.

Model. ``z[m, s, c]`` = 1 when meeting m sits in slot s at a table of class c, a class being the set of
tables with the same reservation (``None`` = unreserved). Tables inside a class are interchangeable, so a
per-slot, per-class capacity is exact: concrete tables follow by a per-slot bipartite matching
(:func:`assign_tables`). Variables exist only where availability, session rule, reservation and locks allow.

Breaks, per participant p and day with slots s_1..s_k, with ``y[p, s]`` = Σ z over p's meetings. When
the day has few possible busy patterns (subsets of the slots p could use, no larger than p's degree), one
continuous column per pattern: ``Σ u = 1``, ``y[p, s] = Σ_{pattern ∋ s} u``, cost = the pattern's breaks. That
is the convex hull of one participant's day, a much tighter LP bound (about 4× faster on the test batch).
Otherwise the monotone "started/remaining" chain::

    r[p, s_j] >= r[p, s_j+1],  r[p, s_j] >= y[p, s_j]           (r: "busy now or later", continuous)
    b[p, s_j] >= y[p, s_j-1] - y[p, s_j] + r[p, s_j+1] - 1        (a break starts at s_j, continuous >= 0)

Either way minimising breaks pushes the auxiliary columns to exact values, so only z is integer.

Objective, lexicographic through exact integer weights (HiGHS runs with a zero gap): locks first (a lock is
only dropped when it clashes with another lock), then placed weight, then breaks::

    minimise  breaks  -  BIG · Σ w_m z  -  LOCK · Σ_locked z,   BIG = max breaks + 1,  LOCK = BIG · (Σ w + 1)
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from forum.scheduling.checks import count_breaks, day_positions, session_allows
from forum.scheduling.types import (
    Assignment,
    Instance,
    Lock,
    Meeting,
    Solution,
    Unplaced,
    UnplacedReason,
)

# Busy-pattern columns per participant-day, and in all, above which the r/b chain is used instead.
_PATTERN_EACH = 4096
_PATTERN_TOTAL = 60_000

# ---------------------------------------------------------------------------------------------------------
# Shared helpers: allowed slots/tables, table matching, reasons
# ---------------------------------------------------------------------------------------------------------


def allowed_tables(instance: Instance, meeting: Meeting) -> list[int]:
    """Table indices ``meeting`` may use: unreserved ones, and those reserved for one of its two groups."""
    groups = {p.id: p.group for p in instance.participants}
    mine = {groups.get(meeting.a), groups.get(meeting.b)} - {None}
    return [t for t, table in enumerate(instance.tables) if table.reserved_for is None or table.reserved_for in mine]


def free_slots(instance: Instance, meeting: Meeting) -> list[int]:
    """Slots where both sides are available and the session rule allows the meeting (locks ignored)."""
    off = instance.unavailable.get(meeting.a, frozenset()) | instance.unavailable.get(meeting.b, frozenset())
    return [s for s, slot in enumerate(instance.slots)
            if s not in off and session_allows(meeting.session, slot.session)]


def lock_problem(instance: Instance, lock: Lock) -> str | None:
    """Why ``lock`` cannot hold even alone (plain English), or ``None`` when it can."""
    meetings = {m.id: m for m in instance.meetings}
    m = meetings.get(lock.meeting_id)
    if m is None:
        return f"locks unknown meeting {lock.meeting_id}"
    if not 0 <= lock.slot < len(instance.slots):
        return f"locked to slot index {lock.slot}, which does not exist"
    if lock.table is not None and not 0 <= lock.table < len(instance.tables):
        return f"locked to table index {lock.table}, which does not exist"
    for p in (m.a, m.b):
        if lock.slot in instance.unavailable.get(p, frozenset()):
            return f"locked to slot {lock.slot + 1}, where participant {p} is unavailable"
    if not session_allows(m.session, instance.slots[lock.slot].session):
        return f"locked to slot {lock.slot + 1} ({instance.slots[lock.slot].session.value}) but it is {m.session.value}-only"
    if lock.table is not None and lock.table not in allowed_tables(instance, m):
        return f"locked to table {lock.table + 1}, reserved for {instance.tables[lock.table].reserved_for!r}"
    if not allowed_tables(instance, m):
        return "no table may host it (all are reserved for other groups)"
    for other in instance.locks:
        if other.meeting_id == lock.meeting_id and (other.slot, other.table) != (lock.slot, lock.table):
            return "locked twice to different places"
    return None


def assign_tables(instance: Instance, slot_of: Mapping[int, int],
                  fixed_table: Mapping[int, int] | None = None) -> tuple[dict[int, int], list[int]]:
    """Concrete tables for meetings whose slots are decided: a bipartite matching per slot.

    ``slot_of`` maps meeting id -> slot index; ``fixed_table`` meeting id -> table index for locks with a
    table (they are seated first). Slots are processed in time order and a meeting first tries the table
    one of its participants had in the previous slot of the day, so people tend to stay put.
    Returns ``(table_of, unseated_meeting_ids)``; the second list is empty when slot capacities per
    reservation class were respected.
    """
    fixed_table = dict(fixed_table or {})
    meetings = {m.id: m for m in instance.meetings}
    pos = day_positions(instance)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for mid, s in slot_of.items():
        by_slot[s].append(mid)
    allowed_cache = {mid: allowed_tables(instance, meetings[mid]) for mid in slot_of}
    table_of: dict[int, int] = {}
    unseated: list[int] = []
    last_table: dict[int, tuple[int, int]] = {}  # participant -> (slot, table) of its latest meeting
    for s in sorted(by_slot):
        owner: dict[int, int] = {}  # table -> meeting id
        for mid in sorted(by_slot[s]):
            t = fixed_table.get(mid)
            if t is None:
                continue
            if t in owner:
                unseated.append(mid)  # two locks on one table: the second cannot sit
            else:
                owner[t] = mid
        free_mids = [mid for mid in sorted(by_slot[s]) if mid not in fixed_table]

        def prefs(mid: int, s: int = s) -> list[int]:
            m = meetings[mid]
            liked = []
            for p in (m.a, m.b):
                prev = last_table.get(p)
                if prev is not None and prev[0] == s - 1 and s > 0 and pos[s - 1][0] == pos[s][0]:
                    liked.append(prev[1])
            return [t for t in liked if t in allowed_cache[mid]] + [t for t in allowed_cache[mid] if t not in liked]

        def augment(mid: int, seen: set[int], owner: dict[int, int] = owner) -> bool:
            for t in prefs(mid):
                if t in seen:
                    continue
                seen.add(t)
                cur = owner.get(t)
                if cur is None or (cur not in fixed_table and augment(cur, seen)):
                    owner[t] = mid
                    return True
            return False

        for mid in free_mids:
            if not augment(mid, set()):
                unseated.append(mid)
        for t, mid in owner.items():
            table_of[mid] = t
            m = meetings[mid]
            last_table[m.a] = last_table[m.b] = (s, t)
    return table_of, unseated


def explain_unplaced(instance: Instance, placed: Mapping[int, Assignment] | Iterable[Assignment],
                     unplaced_ids: Iterable[int]) -> list[Unplaced]:
    """A reason code and a plain-English detail for every unplaced meeting, given the final placement."""
    if not isinstance(placed, Mapping):
        placed = {a.meeting_id: a for a in placed}
    meetings = {m.id: m for m in instance.meetings}
    n_slots, n_tables = len(instance.slots), len(instance.tables)
    locked = defaultdict(list)
    for lock in instance.locks:
        locked[lock.meeting_id].append(lock)
    busy: dict[int, set[int]] = defaultdict(set)
    used_tables: dict[int, set[int]] = defaultdict(set)
    for a in placed.values():
        m = meetings[a.meeting_id]
        busy[m.a].add(a.slot)
        busy[m.b].add(a.slot)
        used_tables[a.slot].add(a.table)
    degree: dict[int, int] = defaultdict(int)
    for m in instance.meetings:
        degree[m.a] += 1
        degree[m.b] += 1
    over_capacity = len(instance.meetings) > n_slots * n_tables

    out: list[Unplaced] = []
    for mid in unplaced_ids:
        m = meetings[mid]
        if locked[mid]:
            lock = locked[mid][0]
            why = lock_problem(instance, lock)
            if why is None:
                clash = [o.meeting_id for o in instance.locks if o.slot == lock.slot and o.meeting_id != mid
                         and o.meeting_id in placed]
                why = f"locked to slot {lock.slot + 1}, which clashes with locked meeting(s) {clash}"
            out.append(Unplaced(mid, UnplacedReason.LOCK_CONFLICT, why))
            continue
        common = free_slots(instance, m)
        tables = allowed_tables(instance, m)
        if not common:
            out.append(Unplaced(mid, UnplacedReason.NO_COMMON_FREE_SLOT,
                                f"participants {m.a} and {m.b} have no common free slot"
                                + ("" if m.session.value == "either" else f" in the {m.session.value}")))
            continue
        full = [p for p in (m.a, m.b) if degree[p] > n_slots - len(instance.unavailable.get(p, frozenset()))]
        if full:
            p = full[0]
            avail = n_slots - len(instance.unavailable.get(p, frozenset()))
            out.append(Unplaced(mid, UnplacedReason.PARTICIPANT_FULL,
                                f"participant {p} has {degree[p]} meetings but can attend only {avail} slots"))
            continue
        if over_capacity:
            out.append(Unplaced(mid, UnplacedReason.CAPACITY,
                                f"the forum has {len(instance.meetings)} meetings for {n_slots} slots × {n_tables} tables"))
            continue
        if not tables:
            out.append(Unplaced(mid, UnplacedReason.NO_TABLE, "every table is reserved for another group"))
            continue
        both_idle = [s for s in common if s not in busy[m.a] and s not in busy[m.b]]
        tables_full = [s for s in common if set(tables) <= used_tables[s]]
        if len(tables_full) == len(common) or (both_idle and set(both_idle) <= set(tables_full)):
            out.append(Unplaced(mid, UnplacedReason.NO_TABLE,
                                f"in every slot both {m.a} and {m.b} could take, all tables they may use were taken"))
            continue
        out.append(Unplaced(mid, UnplacedReason.CROWDED,
                            f"participants {m.a} and {m.b} share {len(common)} free slot(s), "
                            "but their other meetings fill them"))
    return out


def build_solution(instance: Instance, slot_of: Mapping[int, int], seconds: float, *, optimal: bool = False
                   ) -> Solution:
    """Seat the placed meetings, explain the others, count breaks: a complete :class:`Solution`."""
    fixed = {lock.meeting_id: lock.table for lock in instance.locks
             if lock.table is not None and slot_of.get(lock.meeting_id) == lock.slot}
    table_of, unseated = assign_tables(instance, slot_of, fixed)
    placed = {mid: Assignment(mid, slot_of[mid], table_of[mid]) for mid in slot_of if mid in table_of}
    assignments = tuple(placed[m.id] for m in instance.meetings if m.id in placed)
    missing = [m.id for m in instance.meetings if m.id not in placed]
    unplaced = tuple(explain_unplaced(instance, placed, missing))
    breaks = count_breaks(instance, assignments)
    return Solution(assignments, unplaced, sum(breaks.values()), breaks, seconds,
                    optimal=optimal and not unseated)


# ---------------------------------------------------------------------------------------------------------
# The MILP
# ---------------------------------------------------------------------------------------------------------


class _Rows:
    """Sparse constraint rows ``lb <= Σ coef·var <= ub`` collected before building the matrix."""

    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.lb: list[float] = []
        self.ub: list[float] = []

    def add(self, terms: Iterable[tuple[int, float]], lb: float, ub: float) -> None:
        row = len(self.lb)
        for col, coef in terms:
            self.r.append(row)
            self.c.append(col)
            self.v.append(coef)
        self.lb.append(lb)
        self.ub.append(ub)


def solve_exact(instance: Instance, *, time_limit: float = 60.0) -> Solution:
    """Lexicographically optimal schedule (locks, then placed weight, then breaks) by MILP.

    ``optimal`` is set when HiGHS proves optimality within ``time_limit``. Meant for small instances
    (about 12 participants and 10 slots); the fast ``solve`` is the production path.
    """
    t0 = time.perf_counter()
    meetings = list(instance.meetings)
    slots = instance.slots
    table_class = [t.reserved_for for t in instance.tables]
    cap: dict[str | None, int] = defaultdict(int)
    for c in table_class:
        cap[c] += 1

    # Locks that hold by themselves restrict their meeting to one slot (and class); the others are dropped.
    lock_of: dict[int, Lock] = {}
    dropped: set[int] = set()
    for lock in instance.locks:
        if lock_problem(instance, lock) is None:
            lock_of[lock.meeting_id] = lock
        else:
            dropped.add(lock.meeting_id)

    # Columns: z[m, s, c].
    z_index: list[tuple[int, int, str | None]] = []  # (meeting position, slot, class)
    for i, m in enumerate(meetings):
        if m.id in dropped:
            continue
        lock = lock_of.get(m.id)
        if lock is not None:
            cand_slots = [lock.slot]
            classes = ({table_class[lock.table]} if lock.table is not None
                       else {table_class[t] for t in allowed_tables(instance, m)})
        else:
            cand_slots = free_slots(instance, m)
            classes = {table_class[t] for t in allowed_tables(instance, m)}
        for s in cand_slots:
            for c in sorted(classes, key=lambda c: (c is not None, c or "")):
                z_index.append((i, s, c))
    n_z = len(z_index)

    rows = _Rows()
    by_meeting: dict[int, list[int]] = defaultdict(list)
    by_person_slot: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_slot_class: dict[tuple[int, str | None], list[int]] = defaultdict(list)
    for col, (i, s, c) in enumerate(z_index):
        m = meetings[i]
        by_meeting[i].append(col)
        by_person_slot[m.a, s].append(col)
        by_person_slot[m.b, s].append(col)
        by_slot_class[s, c].append(col)
    for cols in by_meeting.values():
        if len(cols) > 1:
            rows.add(((c, 1.0) for c in cols), 0, 1)
    for cols in by_person_slot.values():
        if len(cols) > 1:
            rows.add(((c, 1.0) for c in cols), 0, 1)
    for (_s, c), cols in by_slot_class.items():
        if len(cols) > cap[c]:
            rows.add(((col, 1.0) for col in cols), 0, cap[c])
    # Two locks on the same table and slot: at most one keeps it.
    same_table: dict[tuple[int, int], list[int]] = defaultdict(list)
    for col, (i, s, _c) in enumerate(z_index):
        lock = lock_of.get(meetings[i].id)
        if lock is not None and lock.table is not None:
            same_table[s, lock.table].append(col)
    for cols in same_table.values():
        if len(cols) > 1:
            rows.add(((c, 1.0) for c in cols), 0, 1)

    # Break variables, per participant and day: busy patterns when few, else the r/b chain.
    n_cols = n_z
    break_cols: list[tuple[int, int]] = []  # (column, cost in breaks)
    max_breaks = 0
    days: dict[int, list[int]] = defaultdict(list)
    for s, slot in enumerate(slots):
        days[slot.day].append(s)
    degree: dict[int, int] = defaultdict(int)
    for i in by_meeting:
        degree[meetings[i].a] += 1
        degree[meetings[i].b] += 1
    people = sorted({p for (p, _s) in by_person_slot})
    pattern_budget = _PATTERN_TOTAL
    for p in people:
        for seq in days.values():
            k = len(seq)
            ys = [by_person_slot.get((p, s), []) for s in seq]
            cands = [j for j in range(k) if ys[j]]
            if k < 3 or len(cands) < 2 or degree[p] < 2:
                continue  # fewer than two possible meetings in the day: never a break
            most = min(degree[p], len(cands))
            n_pat = sum(math.comb(len(cands), size) for size in range(most + 1))
            if n_pat <= min(_PATTERN_EACH, pattern_budget):
                # u[pattern] >= 0, Σ u = 1, y[j] = Σ_{pattern ∋ j} u: the convex hull of one participant's
                # day, so the LP bound on breaks is tight per participant (u may stay continuous: y is 0/1).
                pattern_budget -= n_pat
                first = n_cols
                members: dict[int, list[int]] = defaultdict(list)
                worst = 0
                for size in range(most + 1):
                    for pat in itertools.combinations(cands, size):
                        gaps = sum(1 for x, y in itertools.pairwise(pat) if y > x + 1)
                        worst = max(worst, gaps)
                        if gaps:
                            break_cols.append((n_cols, gaps))
                        for j in pat:
                            members[j].append(n_cols)
                        n_cols += 1
                max_breaks += worst
                rows.add(((c, 1.0) for c in range(first, n_cols)), 1, 1)
                for j in cands:
                    rows.add([(c, 1.0) for c in members[j]] + [(c, -1.0) for c in ys[j]], 0, 0)
                continue
            r = list(range(n_cols, n_cols + k))
            n_cols += k
            for j in range(k):
                # r[j] >= y[j]  and  r[j] >= r[j+1]
                if ys[j]:
                    rows.add([(r[j], 1.0)] + [(c, -1.0) for c in ys[j]], 0, np.inf)
                if j + 1 < k:
                    rows.add([(r[j], 1.0), (r[j + 1], -1.0)], 0, np.inf)
            for j in range(1, k - 1):
                if not ys[j - 1]:
                    continue  # busy at s_j-1 is impossible: no break can start at s_j
                b = n_cols
                n_cols += 1
                break_cols.append((b, 1))
                max_breaks += 1
                # b - y[j-1] + y[j] - r[j+1] >= -1
                rows.add([(b, 1.0)] + [(c, -1.0) for c in ys[j - 1]] + [(c, 1.0) for c in ys[j]]
                         + [(r[j + 1], -1.0)], -1, np.inf)

    big = max_breaks + 1
    total_w = sum(m.weight for m in meetings)
    lock_w = big * (total_w + 1)
    cost = np.zeros(n_cols)
    for col, (i, _s, _c) in enumerate(z_index):
        m = meetings[i]
        cost[col] = -(big * m.weight + (lock_w if m.id in lock_of else 0))
    for col, gaps in break_cols:
        cost[col] = gaps
    integrality = np.zeros(n_cols)
    integrality[:n_z] = 1
    bounds = Bounds(np.zeros(n_cols), np.ones(n_cols))

    slot_of: dict[int, int] = {}
    optimal = not n_z  # nothing can be placed: the empty schedule is optimal
    if n_z:
        constraints = []
        if rows.lb:
            a = coo_array((rows.v, (rows.r, rows.c)), shape=(len(rows.lb), n_cols)).tocsr()
            constraints.append(LinearConstraint(a, rows.lb, rows.ub))
        remaining = max(0.01, time_limit - (time.perf_counter() - t0))
        res = milp(cost, integrality=integrality, bounds=bounds, constraints=constraints,
                   options={"time_limit": remaining, "mip_rel_gap": 0.0, "disp": False})
        if res.x is not None:
            optimal = res.status == 0
            for col in np.flatnonzero(res.x[:n_z] > 0.5):
                i, s, _c = z_index[col]
                slot_of[meetings[i].id] = s
        else:
            slot_of = _greedy(instance, z_index, cap, lock_of)
    return build_solution(instance, slot_of, time.perf_counter() - t0, optimal=optimal)


def _greedy(instance: Instance, z_index: list[tuple[int, int, str | None]], cap: Mapping[str | None, int],
            lock_of: Mapping[int, Lock]) -> dict[int, int]:
    """Fallback when HiGHS finds no solution in time: locks first, then first fit (fewest options first)."""
    meetings = instance.meetings
    options: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for i, s, c in z_index:
        options[i].append((s, c))
    order = sorted(options, key=lambda i: (meetings[i].id not in lock_of, len(options[i]), i))
    busy: set[tuple[int, int]] = set()
    used: dict[tuple[int, str | None], int] = defaultdict(int)
    lock_tables: set[tuple[int, int]] = set()
    slot_of: dict[int, int] = {}
    for i in order:
        m = meetings[i]
        lock = lock_of.get(m.id)
        for s, c in options[i]:
            if (m.a, s) in busy or (m.b, s) in busy or used[s, c] >= cap[c]:
                continue
            if lock is not None and lock.table is not None:
                if (s, lock.table) in lock_tables:
                    continue
                lock_tables.add((s, lock.table))
            busy.update({(m.a, s), (m.b, s)})
            used[s, c] += 1
            slot_of[m.id] = s
            break
    return slot_of
