"""The fast scheduler: greedy construction, tabu repair, then simulated annealing on breaks.

Objectives, in order: (1) total weight of placed meetings, (2) breaks, (3) fairness (spread of breaks,
spread of unplaced meetings). Hard rules are never broken at any step, so every intermediate state is a
valid schedule; ``check`` verifies the final one in the tests.

State. Each participant has a busy bitmask over slot *positions*: slots are laid out day by day with one
empty guard bit between days, so "runs of ones" never join across days and a participant's breaks are
``runs(mask) - days_used(mask)``, with ``runs(x) = popcount(x & ~(x << 1))``.

Phases. (1) Locks are placed first (an impossible or clashing lock is dropped as LOCK_CONFLICT).
(2) Greedy: most constrained meetings first (weight, fewest allowed slots, busiest participants), each
into the allowed slot that adds the fewest breaks. (3) If weight is left unplaced: tabu search with
ejections (PartialCol), stopped early at a lower bound (participants with more meetings than slots).
(4) Simulated annealing on breaks, keeping the placed weight (unplaced meetings may still get in).
(5) Small instances (meetings x slots <= 6,000): in the time left, a MILP (HiGHS via scipy) is asked
for a schedule of the same meetings with fewer breaks; when it proves there is none, the solution is
flagged ``optimal``.

Moves. A Kempe chain between slots s1 and s2: the meetings held in s1 or s2 form paths and cycles (each
participant has at most one meeting per slot), and swapping a whole component between the two slots
keeps every participant conflict-free. Only the two end participants of a path change their busy
masks, so the break delta costs two popcounts. A plain move (to a slot where both sides are free) is
a chain of length one; a pair of chains (one each way) swaps meetings when a slot is full. Half of the
moves are aimed at participants with a break (chasing the one the last move hurt); a compound move
shifts a whole run of a participant's meetings across its gap; whole slots are swapped now and then.
Every unplaced meeting is explained (``UnplacedReason``) from the final schedule.

Tables. Without reserved tables or table locks, a slot is feasible iff it holds at most L meetings.
Otherwise each slot keeps a bipartite matching meetings -> tables, grown by augmenting paths (Kuhn), so a
move is accepted only if the slot still has a table for everyone. Concrete table numbers are chosen at
the end, per slot, by an assignment that prefers the table a participant sat at in the previous slot.

Determinism: randomness only through ``random.Random(seed)``; the search runs for a fixed number of
iterations (``iterations``, by default ``time_limit`` x a planned rate, not read from the clock) and
the MILP polish for a fixed number of nodes. The clock is only an upper bound, checked every few
hundred iterations (when it runs ahead of the budget the cooling is compressed so the search still
ends cold). Whenever the clock had a say, ``Solution.clock_bound`` is set; otherwise the result
reproduces for a seed on any machine.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from .types import (
    Assignment,
    Instance,
    Session,
    SessionRule,
    Solution,
    Unplaced,
    UnplacedReason,
)

__all__ = ["solve"]

# Iterations per second of time limit the search plans for. Calibrated (about half the rate measured on
# the B2B instances) so the planned work normally ends before the clock does and results reproduce.
_ITERS_PER_SECOND = 60_000
_CLOCK_EVERY = 256  # iterations between two clock reads
_EXACT_MAX_CELLS = 6_000  # meetings x slots up to which the MILP polish is tried after the annealing
# The polish is bounded by branch-and-bound nodes (deterministic) per second of the limit; the clock
# is again only a cap, so a seed reproduces its schedule unless the machine is far slower than planned.
_EXACT_NODES_PER_SECOND = 100
# Annealing schedule, in units of one break: start hot enough to accept +1 break now and then.
ANNEAL = {"t_hi": 0.3, "t_lo": 0.04, "p_aim": 0.5, "p_adj": 0.5, "p_slot": 0.02,
          "k_z": 1, "p_shift": 0.1, "w_unp": 2.0, "p_ins": 0.05, "p_out": 0.01}


class _Model:
    """The instance compiled to 0-based integer arrays."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        parts = instance.participants
        self.pid = [p.id for p in parts]
        self.pindex: dict[int, int] = {}
        for i, p in enumerate(parts):
            if p.id in self.pindex:
                raise ValueError(f"participant id {p.id} appears twice")
            self.pindex[p.id] = i
        self.groups = [p.group for p in parts]
        self.nP = len(parts)
        self.nS = len(instance.slots)
        self.nT = len(instance.tables)
        self.nM = len(instance.meetings)

        # Bit positions: day by day in slot order, one guard bit between days.
        day_order: list[int] = []
        for sl in instance.slots:
            if sl.day not in day_order:
                day_order.append(sl.day)
        by_day: dict[int, list[int]] = {d: [] for d in day_order}
        for s, sl in enumerate(instance.slots):
            by_day[sl.day].append(s)
        self.pos = [0] * self.nS
        self.day_of = [0] * self.nS  # 0-based rank of the slot's day
        self.day_masks: list[int] = []
        self.prev_slot = [-1] * self.nS  # previous slot of the same day, for table continuity
        p = 0
        for rank, d in enumerate(day_order):
            dm = 0
            prev = -1
            for s in by_day[d]:
                self.pos[s] = p
                self.day_of[s] = rank
                dm |= 1 << p
                self.prev_slot[s] = prev
                prev = s
                p += 1
            self.day_masks.append(dm)
            p += 1  # guard bit
        self.bit = [1 << self.pos[s] for s in range(self.nS)]
        self.all_bits = 0
        for b in self.bit:
            self.all_bits |= b

        morning = 0
        afternoon = 0
        for s, sl in enumerate(instance.slots):
            if sl.session == Session.MORNING:
                morning |= self.bit[s]
            else:
                afternoon |= self.bit[s]
        # availability mask per participant
        self.avail = [self.all_bits] * self.nP
        for pid_, bad in instance.unavailable.items():
            i = self.pindex.get(pid_)
            if i is None:
                continue  # unavailability of someone without meetings here: harmless
            m_ = self.all_bits
            for s in bad:
                if 0 <= s < self.nS:
                    m_ &= ~self.bit[s]
            self.avail[i] = m_

        self.mid: list[int] = []
        self.mindex: dict[int, int] = {}
        self.pa: list[int] = []
        self.pb: list[int] = []
        self.w: list[int] = []
        self.session_mask: list[int] = []
        self.allowed: list[int] = []  # position mask: session rule and both sides available
        for k, mt in enumerate(instance.meetings):
            if mt.id in self.mindex:
                raise ValueError(f"meeting id {mt.id} appears twice")
            if mt.a not in self.pindex or mt.b not in self.pindex:
                raise ValueError(f"meeting {mt.id} names an unknown participant ({mt.a}, {mt.b})")
            if mt.a == mt.b:
                raise ValueError(f"meeting {mt.id} has the same participant on both sides")
            if mt.weight < 1:
                raise ValueError(f"meeting {mt.id} has weight {mt.weight}; weights are at least 1")
            self.mindex[mt.id] = k
            self.mid.append(mt.id)
            a, b = self.pindex[mt.a], self.pindex[mt.b]
            self.pa.append(a)
            self.pb.append(b)
            self.w.append(int(mt.weight))
            rule = SessionRule(mt.session)
            sm = morning if rule == SessionRule.MORNING else afternoon if rule == SessionRule.AFTERNOON \
                else self.all_bits
            self.session_mask.append(sm)
            self.allowed.append(sm & self.avail[a] & self.avail[b])
        self.slot_at_pos = {self.pos[s]: s for s in range(self.nS)}
        self.allowed_slots = [self.slots_of(mask) for mask in self.allowed]

        # Tables: which tables each meeting may use (reservations).
        self.reserved = any(t.reserved_for is not None for t in instance.tables)
        self.table_ok: list[list[int]] = []
        for k in range(self.nM):
            ga, gb = self.groups[self.pa[k]], self.groups[self.pb[k]]
            # reserved tables first, so the augmenting search keeps open tables for the others
            res = [t for t, tb in enumerate(instance.tables)
                   if tb.reserved_for is not None and tb.reserved_for in (ga, gb)]
            free = [t for t, tb in enumerate(instance.tables) if tb.reserved_for is None]
            self.table_ok.append(res + free)

    def slots_of(self, mask: int) -> list[int]:
        out = []
        while mask:
            low = mask & -mask
            out.append(self.slot_at_pos[low.bit_length() - 1])
            mask ^= low
        out.sort()
        return out

    def breaks_of(self, mask: int) -> int:
        if not mask:
            return 0
        runs = (mask & ~(mask << 1)).bit_count()
        if len(self.day_masks) == 1:
            return runs - 1
        return runs - sum(1 for dm in self.day_masks if mask & dm)


class _Search:
    """Mutable schedule plus the moves on it."""

    def __init__(self, model: _Model, seed: int, deadline: float) -> None:
        self.md = model
        self.rng = random.Random(seed)
        self.deadline = deadline
        self.timed_out = False  # the deadline passed
        self.clock_bound = False  # the clock, not the budget, shaped the search (see Solution.clock_bound)
        md = model
        nP, nS, nM = md.nP, md.nS, md.nM
        self.slot = [-1] * nM
        self.occ = [-1] * (nP * nS)  # occ[p * nS + s] = meeting or -1
        self.mask = [0] * nP
        self.cnt = [0] * nS
        self.members: list[list[int]] = [[] for _ in range(nS)]
        self.where = [-1] * nM  # index of the meeting in members[slot]
        self.locked = [False] * nM
        self.lock_table = [-1] * nM
        self.excluded: dict[int, tuple[UnplacedReason, str]] = {}  # never placeable, with reason
        # table matching, only when tables differ (reservations / locked tables)
        self.matching = md.reserved or any(lk.table is not None for lk in md.instance.locks)
        self.table_of = [-1] * nM
        self.at_table = [[-1] * md.nT for _ in range(nS)]
        self.cap = md.nT
        self.breaks = [0] * nP
        self.breaks_total = 0
        self.sq_total = 0  # sum of breaks squared: fairness tiebreak
        self.iterations = 0
        self.proven = False  # the MILP showed no schedule of the placed meetings has fewer breaks
        self._deg: list[int] | None = None  # meetings per participant, for explanations

    # ----------------------------------------------------------------- primitives
    def _tables_for(self, m: int) -> list[int]:
        lt = self.lock_table[m]
        return [lt] if lt >= 0 else self.md.table_ok[m]

    def _augment(self, m: int, s: int) -> bool:
        """Find a table for m in slot s, moving others along an augmenting path (Kuhn)."""
        at = self.at_table[s]
        seen: set[int] = set()
        table_of = self.table_of

        def go(x: int) -> bool:
            for t in self._tables_for(x):
                if t in seen:
                    continue
                seen.add(t)
                y = at[t]
                if y < 0 or go(y):
                    at[t] = x
                    table_of[x] = t
                    return True
            return False

        return go(m)

    def _fits(self, m: int, s: int) -> bool:
        """Slot allowed for m, both sides free, and fewer than L meetings there (the matching mode also
        needs an augmenting path, see ``_try_place``)."""
        md = self.md
        if not md.allowed[m] & md.bit[s]:
            return False
        nS = md.nS
        if self.occ[md.pa[m] * nS + s] >= 0 or self.occ[md.pb[m] * nS + s] >= 0:
            return False
        return self.cnt[s] < self.cap

    def _place(self, m: int, s: int) -> None:
        """Put m in s (caller checked participants, availability, and - unless matching - capacity)."""
        md = self.md
        nS = md.nS
        self.slot[m] = s
        a, b = md.pa[m], md.pb[m]
        self.occ[a * nS + s] = m
        self.occ[b * nS + s] = m
        bit = md.bit[s]
        self.mask[a] |= bit
        self.mask[b] |= bit
        self.cnt[s] += 1
        self.where[m] = len(self.members[s])
        self.members[s].append(m)

    def _unplace(self, m: int) -> None:
        md = self.md
        nS = md.nS
        s = self.slot[m]
        a, b = md.pa[m], md.pb[m]
        self.occ[a * nS + s] = -1
        self.occ[b * nS + s] = -1
        bit = md.bit[s]
        self.mask[a] &= ~bit
        self.mask[b] &= ~bit
        self.cnt[s] -= 1
        lst = self.members[s]
        i = self.where[m]
        last = lst.pop()
        if last != m:
            lst[i] = last
            self.where[last] = i
        self.where[m] = -1
        self.slot[m] = -1
        if self.matching:
            t = self.table_of[m]
            if t >= 0:
                self.at_table[s][t] = -1
            self.table_of[m] = -1

    def _try_place(self, m: int, s: int) -> bool:
        """Place m in s if every hard rule allows it."""
        if not self._fits(m, s):
            return False
        if self.matching and not self._augment(m, s):
            return False
        self._place(m, s)
        return True

    def _recount(self) -> None:
        md = self.md
        self.breaks = [md.breaks_of(x) for x in self.mask]
        self.breaks_total = sum(self.breaks)
        self.sq_total = sum(b * b for b in self.breaks)

    def _time_up(self) -> bool:
        if time.perf_counter() > self.deadline:
            self.timed_out = True
        return self.timed_out

    # ----------------------------------------------------------------- locks
    def place_locks(self) -> None:
        md = self.md
        inst = md.instance
        seen_lock: dict[int, int] = {}
        for lk in inst.locks:
            m = md.mindex.get(lk.meeting_id)
            if m is None:
                raise ValueError(f"lock names unknown meeting {lk.meeting_id}")
            if m in self.excluded:
                continue
            if m in seen_lock:
                if seen_lock[m] != lk.slot or (lk.table is not None and self.lock_table[m] != lk.table):
                    if self.slot[m] >= 0:
                        self._unplace(m)
                    self.excluded[m] = (UnplacedReason.LOCK_CONFLICT,
                                        f"meeting {lk.meeting_id} is locked twice to different places")
                continue
            seen_lock[m] = lk.slot
            self.locked[m] = True
            reason = self._lock_problem(m, lk.slot, lk.table)
            if reason:
                self.excluded[m] = (UnplacedReason.LOCK_CONFLICT, reason)
                continue
            if lk.table is not None:
                self.lock_table[m] = lk.table
            s = lk.slot
            if self.matching and not self._augment(m, s):
                self.lock_table[m] = -1
                self.excluded[m] = (UnplacedReason.LOCK_CONFLICT,
                                    f"locked to slot {s + 1}"
                                    + (f", table {lk.table + 1}" if lk.table is not None else "")
                                    + ", but no table is left there for it among the other locks")
                continue
            self._place(m, s)

    def _lock_problem(self, m: int, s: int, table: int | None) -> str:
        md = self.md
        inst = md.instance
        mt = inst.meetings[m]
        if not 0 <= s < md.nS:
            return f"locked to slot index {s}, which does not exist"
        if table is not None:
            if not 0 <= table < md.nT:
                return f"locked to table index {table}, which does not exist"
            if table not in md.table_ok[m]:
                return f"locked to table {inst.tables[table].number}, reserved for another group"
        bit = md.bit[s]
        if not md.session_mask[m] & bit:
            return f"locked to slot {s + 1}, outside its {mt.session.value} session"
        for side in (mt.a, mt.b):
            if not md.avail[md.pindex[side]] & bit:
                return f"locked to slot {s + 1}, when participant {side} is unavailable"
        nS = md.nS
        for side in (md.pa[m], md.pb[m]):
            other = self.occ[side * nS + s]
            if other >= 0:
                return (f"locked to slot {s + 1}, where participant {md.pid[side]} already has locked "
                        f"meeting {md.mid[other]}")
        if table is not None and self.at_table[s][table] >= 0 and \
                self.lock_table[self.at_table[s][table]] == table:
            return f"locked to table {inst.tables[table].number} in slot {s + 1}, taken by another lock"
        if self.cnt[s] >= self.cap:
            return f"locked to slot {s + 1}, whose {self.cap} tables are all taken by other locks"
        return ""

    # ----------------------------------------------------------------- greedy
    def greedy(self) -> None:
        """Most constrained first; each meeting goes to the allowed slot that adds fewest breaks."""
        md = self.md
        for m in range(md.nM):
            if m in self.excluded or self.locked[m]:
                continue
            if not md.allowed[m]:
                self.excluded[m] = (UnplacedReason.NO_COMMON_FREE_SLOT, self._no_common_detail(m))
        deg = [0] * md.nP
        for m in range(md.nM):
            if m not in self.excluded:
                deg[md.pa[m]] += 1
                deg[md.pb[m]] += 1
        todo = [m for m in range(md.nM) if m not in self.excluded and not self.locked[m]]
        rnd = {m: self.rng.random() for m in todo}
        todo.sort(key=lambda m: (-md.w[m], len(md.allowed_slots[m]),
                                 -(deg[md.pa[m]] + deg[md.pb[m]]), rnd[m]))
        for m in todo:
            self._greedy_insert(m)

    def _greedy_insert(self, m: int) -> bool:
        md = self.md
        a, b = md.pa[m], md.pb[m]
        ma, mb = self.mask[a], self.mask[b]
        best = None
        best_s = -1
        for s in md.allowed_slots[m]:
            if not self._fits(m, s):
                continue
            bit = md.bit[s]
            d = (md.breaks_of(ma | bit) - md.breaks_of(ma)) + (md.breaks_of(mb | bit) - md.breaks_of(mb))
            # prefer slots next to existing meetings (keeps blocks compact), then emptier slots
            adj = ((bit << 1) | (bit >> 1))
            near = (1 if ma & adj else 0) + (1 if mb & adj else 0)
            key = (d, -near, self.cnt[s])
            if best is None or key < best:
                if self.matching and not self._augment_probe(m, s):
                    continue
                best = key
                best_s = s
        if best_s < 0:
            return False
        return self._try_place(m, best_s)

    def _augment_probe(self, m: int, s: int) -> bool:
        """Would m get a table in s? (leaves the matching as it was)"""
        saved = list(self.at_table[s])
        saved_of = {x: self.table_of[x] for x in self.members[s]}
        ok = self._augment(m, s)
        self.at_table[s] = saved
        for x, t in saved_of.items():
            self.table_of[x] = t
        self.table_of[m] = -1
        return ok

    def _no_common_detail(self, m: int) -> str:
        md = self.md
        mt = md.instance.meetings[m]
        sess = md.session_mask[m]
        if not md.nS:
            return "the forum has no slots"
        if not sess:
            return f"no slot in the {mt.session.value} session"
        a, b = md.pa[m], md.pb[m]
        if not sess & md.avail[a]:
            return f"participant {mt.a} is unavailable in every allowed slot"
        if not sess & md.avail[b]:
            return f"participant {mt.b} is unavailable in every allowed slot"
        return (f"participants {mt.a} and {mt.b} are never free in the same slot"
                + ("" if mt.session == SessionRule.EITHER else f" of the {mt.session.value} session"))

    # ----------------------------------------------------------------- repair (weight)
    def unplaced_weight(self) -> int:
        md = self.md
        return sum(md.w[m] for m in range(md.nM) if self.slot[m] < 0 and m not in self.excluded)

    def repair(self, budget: int) -> None:
        """Tabu search with ejections (PartialCol style): put an unplaced meeting in the slot where it
        displaces the least weight; the displaced ones may not return there for a while. Ties go to
        the ejection that leaves the worst-off participant with fewer unplaced meetings (no company is
        starved), and so does the choice among equally heavy best schedules."""
        md = self.md
        rng = self.rng
        nS = md.nS
        occ, slot, w, pa, pb, locked = self.occ, self.slot, md.w, md.pa, md.pb, self.locked
        pool = [m for m in range(md.nM) if slot[m] < 0 and m not in self.excluded]
        in_pool = [-1] * md.nM
        for i, m in enumerate(pool):
            in_pool[m] = i
        tabu: dict[tuple[int, int], int] = {}
        lost = sum(w[m] for m in pool)
        uc = [0] * md.nP  # unplaced meetings per participant
        for m in pool:
            uc[pa[m]] += 1
            uc[pb[m]] += 1
        best_lost = lost
        best_starve = max(uc, default=0)
        best = self.snapshot()
        it = 0
        floor = self._lost_floor()
        last_gain = 0
        stall = max(5_000, 30 * md.nM)  # no better placement for this long: the rest is probably stuck
        while pool and it < budget and it - last_gain < stall and best_lost > floor:
            it += 1
            if not it % _CLOCK_EVERY and self._time_up():
                break
            m = pool[rng.randrange(len(pool))]
            a, b = pa[m], pb[m]
            choice: list[tuple[int, int, list[int]]] = []
            best_cost: tuple[int, int] | None = None
            for s in md.allowed_slots[m]:
                ej: list[int] = []
                ok = True
                for q in (a, b):
                    x = occ[q * nS + s]
                    if x >= 0 and x not in ej:
                        if locked[x]:
                            ok = False
                            break
                        ej.append(x)
                if not ok:
                    continue
                extra = self._room_victim(m, s, ej)
                if extra == -2:
                    continue
                if extra >= 0:
                    ej.append(extra)
                cost = sum(w[x] for x in ej) - w[m]
                if tabu.get((m, s), 0) > it and lost + cost >= best_lost:
                    continue  # tabu, and no aspiration
                starve = max((max(uc[pa[x]], uc[pb[x]]) + 1 for x in ej), default=0)
                key = (cost, starve)
                if best_cost is None or key < best_cost:
                    best_cost = key
                    choice = [(s, cost, ej)]
                elif key == best_cost:
                    choice.append((s, cost, ej))
            if not choice:
                continue
            s, cost, ej = choice[rng.randrange(len(choice))] if len(choice) > 1 else choice[0]
            for x in ej:
                self._unplace(x)
            if not self._try_place(m, s):
                # matching mode: the freed table was not enough after all; undo
                for x in ej:
                    if not self._try_place(x, s):
                        raise AssertionError("repair could not undo an ejection")
                continue
            # pool bookkeeping: m leaves, the ejected join
            i = in_pool[m]
            last = pool.pop()
            if last != m:
                pool[i] = last
                in_pool[last] = i
            in_pool[m] = -1
            uc[a] -= 1
            uc[b] -= 1
            tenure = rng.randrange(10) + (6 * len(pool)) // 10 + 1
            for x in ej:
                in_pool[x] = len(pool)
                pool.append(x)
                uc[pa[x]] += 1
                uc[pb[x]] += 1
                tabu[(x, s)] = it + tenure
            lost += cost
            if lost <= best_lost:
                starve = max(uc)
                if lost < best_lost or starve < best_starve:
                    if lost < best_lost:
                        last_gain = it
                    best_lost, best_starve = lost, starve
                    best = self.snapshot()
        self.iterations += it
        if lost != best_lost or max(uc, default=0) != best_starve:
            self.restore(best)
        else:
            self._recount()

    def _lost_floor(self) -> int:
        """A lower bound on the weight that must stay unplaced: a participant with more meetings than
        slots it can attend loses at least its lightest surplus; participants whose meeting sets are
        disjoint lose theirs independently."""
        md = self.md
        own: list[list[int]] = [[] for _ in range(md.nP)]
        for m in range(md.nM):
            if m not in self.excluded:
                own[md.pa[m]].append(m)
                own[md.pb[m]].append(m)
        cands = []
        for p in range(md.nP):
            # slots p can still use: available, and not taken by its locked meetings
            free = md.avail[p].bit_count() - sum(1 for m in own[p] if self.locked[m])
            movable = [m for m in own[p] if not self.locked[m]]
            surplus = len(movable) - max(0, free)
            if surplus > 0:
                ws = sorted(md.w[m] for m in movable)
                cands.append((sum(ws[:surplus]), p, set(movable)))
        cands.sort(key=lambda c: -c[0])
        floor = 0
        used: set[int] = set()
        for lost, _p, ms in cands:
            if not ms & used:
                floor += lost
                used |= ms
        return floor

    def _room_victim(self, m: int, s: int, ej: list[int]) -> int:
        """-1: room for m in s once ``ej`` leave; else a meeting to eject for a table; -2: none."""
        if not self.matching:
            if self.cnt[s] - len(ej) < self.cap:
                return -1
            cands = [x for x in self.members[s] if x not in ej and not self.locked[x]]
            if not cands:
                return -2
            w = self.md.w
            lo = min(w[x] for x in cands)
            cands = [x for x in cands if w[x] == lo]
            return cands[self.rng.randrange(len(cands))]
        # matching: free tables of m that ej would vacate, or an occupant of one of m's tables
        tables = self._tables_for(m)
        at = self.at_table[s]
        if any(at[t] < 0 or at[t] in ej for t in tables):
            return -1
        # m might still fit through an augmenting path; probe without the ejected ones
        saved = [(x, self.table_of[x]) for x in ej]
        for x in ej:
            at[self.table_of[x]] = -1
        fits = self._augment_probe(m, s)
        for x, t in saved:
            at[t] = x
            self.table_of[x] = t
        if fits:
            return -1
        cands = [at[t] for t in tables if not self.locked[at[t]]]
        if not cands:
            return -2
        w = self.md.w
        lo = min(w[x] for x in cands)
        cands = [x for x in cands if w[x] == lo]
        return cands[self.rng.randrange(len(cands))]

    # ----------------------------------------------------------------- anneal (breaks)
    def _chain(self, m: int, s1: int, s2: int, seen: set[int]) -> tuple[list[int], list[int], list[int]] | None:
        """Kempe chain of m (in s1) towards s2: (meetings s1->s2, meetings s2->s1, end participants)."""
        md = self.md
        slot, occ, locked, allowed, bit = self.slot, self.occ, self.locked, md.allowed, md.bit
        pa, pb, nS = md.pa, md.pb, md.nS
        if locked[m] or not allowed[m] & bit[s2]:
            return None
        c1 = [m]
        c2: list[int] = []
        ends: list[int] = []
        seen.add(m)
        stack = [m]
        while stack:
            x = stack.pop()
            sx = slot[x]
            so = s2 if sx == s1 else s1
            for q in (pa[x], pb[x]):
                y = occ[q * nS + so]
                if y < 0:
                    ends.append(q)
                elif y not in seen:
                    if locked[y] or not allowed[y] & bit[sx]:
                        return None
                    seen.add(y)
                    stack.append(y)
                    if so == s1:
                        c1.append(y)
                    else:
                        c2.append(y)
        return c1, c2, ends

    def _shift_run(self, q: int, rnd: Callable[[], float]
                   ) -> tuple[list[tuple[list[int], list[int], int, int]], list[int]] | None:
        """Shift one run of q's meetings across the gap next to it, one Kempe chain per meeting: closing
        a gap often needs several meetings to move together, which single moves reach only uphill.

        Applied to the state; returns the steps (to undo) and the participants whose masks may have
        changed, or None (state unchanged) when a step is impossible.
        """
        md = self.md
        qm = self.mask[q]
        # runs of q: (first position, last position)
        runs = []
        x = qm
        while x:
            low = x & -x
            start = low.bit_length() - 1
            y = x >> start
            length = (~y & (y + 1)).bit_length() - 1
            runs.append((start, start + length - 1))
            x &= ~(((1 << length) - 1) << start)
        pairs = [(runs[i], runs[i + 1]) for i in range(len(runs) - 1)
                 if runs[i + 1][0] - runs[i][1] - 1 > 0 and (runs[i + 1][0] - 1) in md.slot_at_pos
                 and runs[i][1] + 1 in md.slot_at_pos
                 and md.day_of[md.slot_at_pos[runs[i][1]]] == md.day_of[md.slot_at_pos[runs[i + 1][0]]]]
        if not pairs:
            return None
        left, right = pairs[int(rnd() * len(pairs))]
        gap = right[0] - left[1] - 1
        if rnd() < 0.5:
            run, off = left, gap  # left run moves right
            positions = list(range(run[1], run[0] - 1, -1))
        else:
            run, off = right, -gap  # right run moves left
            positions = list(range(run[0], run[1] + 1))
        return self._shift_positions(q, positions, off)

    def _shift_positions(self, q: int, positions: list[int], off: int
                         ) -> tuple[list[tuple[list[int], list[int], int, int]], list[int]] | None:
        md = self.md
        nS = md.nS
        slot_at_pos, allowed, bit, occ = md.slot_at_pos, md.allowed, md.bit, self.occ
        steps: list[tuple[list[int], list[int], int, int]] = []
        touched: set[int] = set()
        ok = True
        for ps in positions:
            s1 = slot_at_pos[ps]
            s2 = slot_at_pos.get(ps + off, -1)
            m = occ[q * nS + s1]
            if s2 < 0 or m < 0 or self.locked[m] or not allowed[m] & bit[s2]:
                ok = False
                break
            ch = self._chain(m, s1, s2, set())
            if ch is None:
                ok = False
                break
            c1, c2, ends = ch
            d = len(c1) - len(c2)
            if self.cnt[s2] + d > self.cap or self.cnt[s1] - d > self.cap:
                ok = False
                break
            if not self._swap_chains(c1, c2, s1, s2):
                ok = False
                break
            steps.append((c1, c2, s1, s2))
            touched.update(ends)
        if not ok:
            for c1, c2, s1, s2 in reversed(steps):
                if not self._swap_chains(c2, c1, s1, s2):
                    raise AssertionError("could not undo a run shift")
            return None
        return steps, sorted(touched)

    def _slot_swap(self, s1: int, s2: int) -> tuple[list[int], list[int], list[int]] | None:
        """All meetings of s1 to s2 and back; (meetings s1->s2, s2->s1, participants whose mask changes)."""
        md = self.md
        allowed, bit, locked = md.allowed, md.bit, self.locked
        b1, b2 = bit[s1], bit[s2]
        c1 = self.members[s1]
        c2 = self.members[s2]
        for x in c1:
            if locked[x] or not allowed[x] & b2:
                return None
        for x in c2:
            if locked[x] or not allowed[x] & b1:
                return None
        flip = b1 | b2
        mask = self.mask
        ends = []
        for x in c1:
            for q in (md.pa[x], md.pb[x]):
                if mask[q] & flip != flip:
                    ends.append(q)
        for x in c2:
            for q in (md.pa[x], md.pb[x]):
                if mask[q] & flip != flip:
                    ends.append(q)
        return list(c1), list(c2), ends

    def _swap_chains(self, c1: list[int], c2: list[int], s1: int, s2: int) -> bool:
        """Move c1 to s2 and c2 to s1; in matching mode undo and say False if tables do not fit."""
        for x in c1:
            self._unplace(x)
        for x in c2:
            self._unplace(x)
        if not self.matching:
            for x in c1:
                self._place(x, s2)
            for x in c2:
                self._place(x, s1)
            return True
        done: list[int] = []
        ok = True
        for x, s in [(x, s2) for x in c1] + [(x, s1) for x in c2]:
            if self._augment(x, s):
                self._place(x, s)
                done.append(x)
            else:
                ok = False
                break
        if ok:
            return True
        for x in done:
            self._unplace(x)
        for x in c1:
            if not self._try_place(x, s1):
                raise AssertionError("could not undo a chain move")
        for x in c2:
            if not self._try_place(x, s2):
                raise AssertionError("could not undo a chain move")
        return False

    def anneal(self, budget: int, *, seconds: float) -> None:
        """Simulated annealing over Kempe-chain moves, optionally through partial schedules.

        Moves: with probability ``p_aim`` an aimed one (a participant with a break - preferably the one
        the last move hurt - one of its meetings, a slot in its gap or next to one of its runs); with
        ``p_slot`` a swap of two whole slots; otherwise a uniform (meeting, allowed slot) pair.
        With ``w_unp`` > 0 a meeting may also be dropped (``p_out``) or an unplaced one put in a slot,
        bumping whoever is in its way (``p_ins``), at a price of ``w_unp`` breaks per unit of weight:
        gaps that need several coordinated moves can then open and close through partial schedules.
        The best state is the lexicographic best (unplaced weight, breaks, breaks squared).
        One slow geometric cooling from ``t_hi`` to ``t_lo`` (in breaks); progress is the larger of the
        iteration count and the elapsed share of ``seconds``, so a time limit still ends cold.
        """
        md = self.md
        rng = self.rng
        rnd = rng.random
        self._recount()
        nS = md.nS
        if nS < 2 or budget <= 0:
            return
        # cost = K * breaks + sum of breaks squared (fairness); K outweighs any change of the squares
        K = 1000
        slot, mask, brk, cnt, cap, occ = self.slot, self.mask, self.breaks, self.cnt, self.cap, self.occ
        pa, pb, w = md.pa, md.pb, md.w
        breaks_of, slots_of = md.breaks_of, md.slots_of
        allowed_slots, allowed, bit = md.allowed_slots, md.allowed, md.bit
        members = self.members
        locked = self.locked
        chain = self._chain
        movable = [m for m in range(md.nM) if not locked[m] and m not in self.excluded]
        if not movable:
            return
        n_mov = len(movable)
        mine: list[list[int]] = [[] for _ in range(md.nP)]  # movable meetings per participant
        for m in movable:
            mine[pa[m]].append(m)
            mine[pb[m]].append(m)
        pool = [m for m in movable if slot[m] < 0]
        pool_at = [-1] * md.nM
        for i, m in enumerate(pool):
            pool_at[m] = i
        unp = sum(w[m] for m in pool)
        best_key = (unp, self.breaks_total, self.sq_total)
        best = self.snapshot()
        t_hi, t_lo = ANNEAL["t_hi"] * K, ANNEAL["t_lo"] * K
        log_ratio = math.log(t_lo / t_hi)
        p_aim, p_slot, p_adj = ANNEAL["p_aim"], ANNEAL["p_slot"], ANNEAL["p_adj"]
        k_z = int(ANNEAL["k_z"])
        p_shift = ANNEAL["p_shift"]
        # partial schedules only when something is still unplaced: then a meeting may be bumped out
        # and put back elsewhere; with everything placed, dropping a meeting is never worth it
        wu = int(ANNEAL["w_unp"] * K) if pool else 0
        p_ins = ANNEAL["p_ins"] if wu else 0.0
        p_out = ANNEAL["p_out"] if wu else 0.0
        p_out += p_ins
        p_slot += p_out
        p_aim += p_slot
        temp = t_hi
        # participants with a break and a movable meeting, kept as a list with positions (O(1) updates)
        bad = [q for q in range(md.nP) if brk[q] > 0 and mine[q]]
        bad_at = [-1] * md.nP
        for i, q in enumerate(bad):
            bad_at[q] = i
        focus = -1  # the participant the last accepted move gave a new break: chase it next
        targets_cache: dict[int, list[int]] = {}
        t_start = time.perf_counter()
        span_t = max(1e-6, min(seconds, self.deadline - t_start))
        exp = math.exp
        it = 0
        while it < budget:
            it += 1
            if not it & (_CLOCK_EVERY - 1):
                now = time.perf_counter()
                if now > self.deadline:
                    self.timed_out = True
                    break
                frac = it / budget
                clock_frac = (now - t_start) / span_t
                if clock_frac > frac:
                    # a slow machine: the clock, not the budget, now sets the cooling
                    self.clock_bound = True
                    frac = clock_frac
                if frac >= 1.0:
                    break
                temp = t_hi * exp(log_ratio * frac)
                if not self.breaks_total and not unp:
                    break
            if bad and p_shift and rnd() < p_shift:
                # compound move: shift one run of a participant's meetings across its gap
                q = focus if focus >= 0 and brk[focus] and rnd() < 0.5 else bad[int(rnd() * len(bad))]
                done = self._shift_run(q, rnd)
                if done is None:
                    continue
                steps, touched = done
                delta = 0
                newb = []
                for q in touched:
                    nb = breaks_of(mask[q])
                    ob = brk[q]
                    newb.append(nb)
                    delta += (nb - ob) * K + nb * nb - ob * ob
                if delta > 0 and rnd() >= exp(-delta / temp):
                    for c1, c2, s1, s2 in reversed(steps):
                        if not self._swap_chains(c2, c1, s1, s2):
                            raise AssertionError("could not undo a run shift")
                    continue
                ends = touched
            else:
                newb = None
            r = rnd() if newb is None else -1.0
            dunp = 0
            gone: list[int] = []  # meetings this move drops
            come = -1  # the unplaced meeting this move places (in s2)
            if r < 0:
                pass  # the run shift above, already applied and accepted
            elif r < p_ins:
                # put an unplaced meeting in a slot, bumping the meetings in its way
                if not pool:
                    continue
                m = pool[int(rnd() * len(pool))]
                al = allowed_slots[m]
                s2 = al[int(rnd() * len(al))]
                a, b = pa[m], pb[m]
                x, y = occ[a * nS + s2], occ[b * nS + s2]
                if (x >= 0 and locked[x]) or (y >= 0 and locked[y]):
                    continue
                if x >= 0:
                    gone.append(x)
                if y >= 0 and y != x:
                    gone.append(y)
                if cnt[s2] - len(gone) >= cap:
                    lst = members[s2]
                    if not lst:
                        continue  # no tables at all
                    v = lst[int(rnd() * len(lst))]
                    if locked[v] or v in gone:
                        continue
                    gone.append(v)
                come = m
                dunp = -w[m] + sum(w[g] for g in gone)
                fl = bit[s2]
                ends = []
                for g in gone:
                    for q in (pa[g], pb[g]):
                        if q != a and q != b:
                            ends.append(q)
                if x < 0:
                    ends.append(a)
                if y < 0:
                    ends.append(b)
                s1 = s2
            elif r < p_out:
                # drop a meeting of a participant with a break
                if not bad:
                    continue
                q = bad[int(rnd() * len(bad))]
                lst = mine[q]
                m = lst[int(rnd() * len(lst))]
                s2 = slot[m]
                if s2 < 0:
                    continue
                gone.append(m)
                dunp = w[m]
                fl = bit[s2]
                ends = [pa[m], pb[m]]
                s1 = s2
            else:
                if r < p_slot:
                    # swap two whole slots: the order of the slots is half of the breaks problem
                    s1 = int(rnd() * nS)
                    s2 = int(rnd() * nS)
                    if s1 == s2:
                        continue
                    ch = self._slot_swap(s1, s2)
                    if ch is None:
                        continue
                    c1, c2, ends = ch
                else:
                    if bad and r < p_aim:
                        q = focus if focus >= 0 and brk[focus] and rnd() < 0.5 else bad[int(rnd() * len(bad))]
                        lst = mine[q]
                        m = lst[int(rnd() * len(lst))]
                        qm = mask[q]
                        lo = qm & -qm
                        span = ((1 << qm.bit_length()) - lo) | (lo >> 1)
                        targets = allowed[m] & (span & ~qm)
                        if rnd() < p_adj:
                            # next to one of its runs of meetings: the moves that can close a gap
                            near = targets & ((qm << 1) | (qm >> 1))
                            if near:
                                targets = near
                        if not targets:
                            continue
                        al = targets_cache.get(targets)
                        if al is None:
                            if len(targets_cache) > 100_000:
                                targets_cache.clear()
                            al = targets_cache[targets] = slots_of(targets)
                    else:
                        m = movable[int(rnd() * n_mov)]
                        al = allowed_slots[m]
                    s2 = al[int(rnd() * len(al))]
                    s1 = slot[m]
                    if s2 == s1 or s1 < 0:
                        continue
                    seen: set[int] = set()
                    ch = chain(m, s1, s2, seen)
                    if ch is None:
                        continue
                    c1, c2, ends = ch
                    d = len(c1) - len(c2)
                    if cnt[s2] + d > cap:
                        # swap in a second chain from s2 back to s1 to keep the count: the best of a
                        # few tries (a random one is nearly always harmful when slots are full)
                        lst = members[s2]
                        if not lst:
                            continue  # no tables at all
                        fl = bit[s1] | bit[s2]
                        pick = None
                        for _k in range(k_z):
                            z = lst[int(rnd() * len(lst))]
                            if z in seen:
                                continue
                            seen2 = set(seen)
                            ch2 = chain(z, s2, s1, seen2)
                            if ch2 is None:
                                continue
                            z2, z1, ends2 = ch2
                            dd = len(c1) + len(z1) - len(c2) - len(z2)
                            if cnt[s2] + dd > cap or cnt[s1] - dd > cap:
                                continue
                            d2 = 0
                            for q in ends2:
                                nb = breaks_of(mask[q] ^ fl)
                                ob = brk[q]
                                d2 += (nb - ob) * K + nb * nb - ob * ob
                            if pick is None or d2 < pick[0]:
                                pick = (d2, z1, z2, ends2)
                        if pick is None:
                            continue
                        _d2, z1, z2, ends2 = pick
                        c1 = c1 + z1
                        c2 = c2 + z2
                        ends = ends + ends2
                    elif cnt[s1] - d > cap:
                        continue
                fl = bit[s1] | bit[s2]
            if r >= 0:
                delta = dunp * wu
                newb = []
                for q in ends:
                    nb = breaks_of(mask[q] ^ fl)
                    ob = brk[q]
                    newb.append(nb)
                    delta += (nb - ob) * K + nb * nb - ob * ob
                if delta > 0 and rnd() >= exp(-delta / temp):
                    continue
            if r < 0:
                pass
            elif come >= 0 or gone:
                for g in gone:
                    self._unplace(g)
                if come >= 0 and not self._try_place(come, s2):
                    for g in gone:
                        if not self._try_place(g, s2):
                            raise AssertionError("could not undo an ejection")
                    continue
                if come >= 0:
                    i = pool_at[come]
                    last = pool.pop()
                    if last != come:
                        pool[i] = last
                        pool_at[last] = i
                    pool_at[come] = -1
                for g in gone:
                    pool_at[g] = len(pool)
                    pool.append(g)
                unp += dunp
            elif not self._swap_chains(c1, c2, s1, s2):
                continue
            for q, nb in zip(ends, newb, strict=True):
                ob = brk[q]
                if nb == ob:
                    continue
                brk[q] = nb
                if nb > ob:
                    focus = q
                if (nb > 0) != (ob > 0) and mine[q]:
                    if nb:
                        bad_at[q] = len(bad)
                        bad.append(q)
                    else:
                        i = bad_at[q]
                        last = bad.pop()
                        if last != q:
                            bad[i] = last
                            bad_at[last] = i
                        bad_at[q] = -1
                self.breaks_total += nb - ob
                self.sq_total += nb * nb - ob * ob
            if delta < 0 and unp <= best_key[0]:
                key = (unp, self.breaks_total, self.sq_total)
                if key < best_key:
                    best_key = key
                    best = self.snapshot()
        self.iterations += it
        if (unp, self.breaks_total, self.sq_total) != best_key:
            self.restore(best)
        else:
            self._recount()

    # ----------------------------------------------------------------- exact polish
    def exact_breaks(self, seconds: float, nodes: int) -> bool | None:
        """Ask a MILP (HiGHS) for a schedule of the same placed meetings with fewer breaks.

        Returns True if it found one (applied), False if it proved there is none (the breaks are then
        optimal for this set of placed meetings), None if it ran out of time. Locked meetings stay.
        Runs formulation: x[m, s] binary; a participant's busy level y[p, s] = fixed + sum x; a run starts
        at s when st[p, s] >= y[p, s] - y[p, s-1]; breaks = runs - days with a meeting (h[p, d] <= sum
        y). st and h stay continuous: once x is integral the optimum makes them 0/1. The objective is
        turned into a constraint (breaks <= current - 1) so HiGHS may stop at the first such schedule.
        """
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

        md = self.md
        nS = md.nS
        free = [m for m in range(md.nM) if self.slot[m] >= 0 and not self.locked[m]]
        before = self.breaks_total
        if not free or self.matching or before == 0 or seconds <= 0.05:
            return None
        old = {m: self.slot[m] for m in free}
        for m in free:
            self._unplace(m)
        occ = self.occ
        xs: list[tuple[int, int]] = []
        for m in free:
            a, b = md.pa[m], md.pb[m]
            for s in md.allowed_slots[m]:
                if occ[a * nS + s] < 0 and occ[b * nS + s] < 0 and self.cnt[s] < self.cap:
                    xs.append((m, s))
        nx = len(xs)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lo: list[float] = []
        hi: list[float] = []

        def add_row(terms: list[tuple[int, float]], low: float, high: float) -> None:
            r = len(lo)
            for c, v in terms:
                rows.append(r)
                cols.append(c)
                vals.append(v)
            lo.append(low)
            hi.append(high)

        by_m: dict[int, list[int]] = {m: [] for m in free}
        by_ps: dict[tuple[int, int], list[int]] = {}
        by_s: dict[int, list[int]] = {}
        for i, (m, s) in enumerate(xs):
            by_m[m].append(i)
            by_ps.setdefault((md.pa[m], s), []).append(i)
            by_ps.setdefault((md.pb[m], s), []).append(i)
            by_s.setdefault(s, []).append(i)
        for m in free:
            add_row([(i, 1.0) for i in by_m[m]], 1.0, 1.0)
        for idx in by_ps.values():
            if len(idx) > 1:
                add_row([(i, 1.0) for i in idx], 0.0, 1.0)
        for s, idx in by_s.items():
            room = self.cap - self.cnt[s]
            if len(idx) > room:
                add_row([(i, 1.0) for i in idx], 0.0, float(room))
        nvar = nx
        obj: list[tuple[int, float]] = []
        fixed_runs = fixed_days = 0  # runs and meeting days that the locked meetings alone decide
        days = [md.slots_of(dm) for dm in md.day_masks]
        for p in range(md.nP):
            for day in days:
                const = [1 if occ[p * nS + s] >= 0 else 0 for s in day]
                xv = [by_ps.get((p, s), []) for s in day]
                if any(const):
                    fixed_days += 1
                elif any(xv):
                    h = nvar  # 1 if p meets anyone this day
                    nvar += 1
                    obj.append((h, -1.0))
                    add_row([(h, 1.0)] + [(i, -1.0) for v in xv for i in v], -math.inf, 0.0)
                else:
                    continue
                for k in range(len(day)):
                    prev_c = const[k - 1] if k else 0
                    prev_x = xv[k - 1] if k else []
                    if not const[k] and not xv[k]:
                        continue  # never busy here: no run starts
                    if const[k] and (prev_c or not prev_x):
                        fixed_runs += 0 if prev_c else 1
                        continue
                    st = nvar
                    nvar += 1
                    obj.append((st, 1.0))
                    terms = [(st, 1.0)] + [(i, -1.0) for i in xv[k]] + [(i, 1.0) for i in prev_x]
                    add_row(terms, const[k] - prev_c, math.inf)
        add_row(obj, -math.inf, before - 1.0 - fixed_runs + fixed_days)
        c = np.zeros(nvar)
        for col, v in obj:
            c[col] = v
        integrality = np.zeros(nvar)
        integrality[:nx] = 1
        a_mat = coo_array((vals, (rows, cols)), shape=(len(lo), nvar)).tocsr()
        t_milp = time.perf_counter()
        result = milp(c, integrality=integrality, bounds=Bounds(np.zeros(nvar), np.ones(nvar)),
                      constraints=LinearConstraint(a_mat, np.array(lo), np.array(hi)),
                      options={"time_limit": seconds, "node_limit": nodes, "presolve": True,
                               "mip_rel_gap": 1.0})
        if result.status == 1 and time.perf_counter() - t_milp >= 0.95 * seconds:
            self.clock_bound = True  # HiGHS stopped on its clock, not on the node budget
        new: dict[int, int] = {}
        if result.x is not None:
            for i, (m, s) in enumerate(xs):
                if result.x[i] > 0.5:
                    new[m] = s
        found = len(new) == len(free)
        for m in free:
            self._place(m, new[m] if found else old[m])
        self._recount()
        if found and self.breaks_total >= before:  # cannot happen; keep the old schedule to be safe
            for m in free:
                self._unplace(m)
            for m in free:
                self._place(m, old[m])
            self._recount()
            return None
        if found:
            return True
        return False if result.status == 2 else None  # 2: infeasible, i.e. no schedule with fewer

    # ----------------------------------------------------------------- result
    def snapshot(self) -> list[int]:
        return list(self.slot)

    def restore(self, snap: Sequence[int]) -> None:
        md = self.md
        for m in range(md.nM):
            if self.slot[m] >= 0:
                self._unplace(m)
        if self.matching:
            self.at_table = [[-1] * md.nT for _ in range(md.nS)]
        # locked meetings first so their fixed tables are in place before the others augment
        order = sorted(range(md.nM), key=lambda m: not self.locked[m])
        for m in order:
            s = snap[m]
            if s >= 0:
                if self.matching and not self._augment(m, s):
                    raise AssertionError("restored schedule lost its table matching")
                self._place(m, s)
        self._recount()

    def assign_tables(self) -> list[int]:
        """Concrete tables per slot; prefer the table a participant used in the previous slot."""
        md = self.md
        inst = md.instance
        nS, nT = md.nS, md.nT
        table = [-1] * md.nM
        # slot order by day then time so the previous slot is already done
        order = sorted(range(nS), key=lambda s: md.pos[s])
        last_table: dict[tuple[int, int], int] = {}  # (participant, slot) -> table
        big = 10**6
        for s in order:
            ms = sorted(self.members[s])
            if not ms:
                continue
            prev = md.prev_slot[s]
            cost = np.ones((len(ms), nT))
            for i, m in enumerate(ms):
                ok = self._tables_for(m)
                row = np.full(nT, float(big))
                row[ok] = 1.0
                if prev >= 0:
                    for p in (md.pa[m], md.pb[m]):
                        t = last_table.get((p, prev), -1)
                        if t >= 0 and row[t] < big:
                            row[t] = 0.0
                cost[i] = row
            rows, cols = linear_sum_assignment(cost)
            if cost[rows, cols].max() >= big:
                # cannot happen when the search kept a matching; fall back to it
                if not self.matching:
                    raise AssertionError("no table assignment for slot")
                for m in ms:
                    table[m] = self.table_of[m]
            else:
                for r, c in zip(rows, cols, strict=True):
                    table[ms[r]] = int(c)
            for m in ms:
                last_table[(md.pa[m], s)] = table[m]
                last_table[(md.pb[m], s)] = table[m]
        del inst
        return table

    def explain(self, m: int) -> tuple[UnplacedReason, str]:
        if m in self.excluded:
            return self.excluded[m]
        md = self.md
        inst = md.instance
        mt = inst.meetings[m]
        nS = md.nS
        # a side with more meetings than slots it can attend
        if self._deg is None:
            self._deg = [0] * md.nP
            for k in range(md.nM):
                if k not in self.excluded:
                    self._deg[md.pa[k]] += 1
                    self._deg[md.pb[k]] += 1
        for side_id, p in ((mt.a, md.pa[m]), (mt.b, md.pb[m])):
            deg = self._deg[p]
            free = (md.avail[p]).bit_count()
            if deg > free:
                return (UnplacedReason.PARTICIPANT_FULL,
                        f"participant {side_id} has {deg} meetings but can attend only {free} slots")
        placeable = md.nM - len(self.excluded)
        capacity = md.nS * md.nT
        if placeable > capacity:
            return (UnplacedReason.CAPACITY,
                    f"the forum has {placeable} meetings for {md.nS} slots x {md.nT} tables = {capacity}")
        a, b = md.pa[m], md.pb[m]
        common = [s for s in md.allowed_slots[m]
                  if self.occ[a * nS + s] < 0 and self.occ[b * nS + s] < 0]
        if common:
            labels = ", ".join(str(s + 1) for s in common[:8]) + (" ..." if len(common) > 8 else "")
            return (UnplacedReason.NO_TABLE,
                    f"both sides are free in slot(s) {labels}, but every allowed table there is taken")
        return (UnplacedReason.CROWDED,
                f"{mt.a} and {mt.b} could meet in {len(md.allowed_slots[m])} slot(s), but in each one side "
                "already has a meeting the schedule could not move")


def solve(instance: Instance, *, time_limit: float = 10.0, seed: int = 0,
          iterations: int | None = None) -> Solution:
    """Schedule the instance's meetings into slots and tables.

    ``iterations`` is the search budget (default: ``time_limit`` x a planned rate). Deterministic for a
    given ``seed`` and budget as long as the time limit does not cut the search (``clock_bound`` tells);
    the time limit is an upper bound on the search, not a target.
    """
    t0 = time.perf_counter()
    model = _Model(instance)
    # keep a margin for building the result (table assignment is an LSA per slot)
    reserve = min(0.05 * time_limit, 0.2) + 20e-6 * model.nM
    deadline = t0 + max(0.0, float(time_limit) - reserve)
    search = _Search(model, seed, deadline)
    search.place_locks()
    search.greedy()
    search._recount()
    if iterations is None:
        iterations = int(time_limit * _ITERS_PER_SECOND)
    _improve(search, iterations)
    return _result(search, t0)


def _improve(search: _Search, iterations: int) -> None:
    """Repair (placed weight), then anneal (breaks); budgets in iterations, the clock only caps them."""
    budget = max(2_000, iterations)
    if search.unplaced_weight() > 0:
        search.repair(budget // 3)
    search.anneal(budget - search.iterations, seconds=search.deadline - time.perf_counter())
    # Small instances: let the MILP try to beat (or prove) the breaks in the time that is left.
    if not search.timed_out and search.md.nM * search.md.nS <= _EXACT_MAX_CELLS:
        nodes = max(50, budget * _EXACT_NODES_PER_SECOND // _ITERS_PER_SECOND)
        for _round in range(3):
            if search.breaks_total == 0:
                break
            left = search.deadline - time.perf_counter()
            if left < 0.5:
                search.clock_bound = True  # the budget would have polished further
                break
            # HiGHS checks its clock between nodes, and a node on these models can take a while
            verdict = search.exact_breaks(0.8 * left, nodes)
            if verdict is False:
                search.proven = True
            if not verdict:
                break
            # the MILP ignores fairness: a short annealing run evens the breaks out again
            search.anneal(20_000, seconds=search.deadline - time.perf_counter())


def _result(search: _Search, t0: float) -> Solution:
    md = search.md
    search._recount()
    tables = search.assign_tables()
    assignments = []
    unplaced = []
    for m in range(md.nM):
        s = search.slot[m]
        if s >= 0:
            assignments.append(Assignment(md.mid[m], s, tables[m]))
        else:
            reason, detail = search.explain(m)
            unplaced.append(Unplaced(md.mid[m], reason, detail))
    has_meeting = [False] * md.nP
    for m in range(md.nM):
        if search.slot[m] >= 0:
            has_meeting[md.pa[m]] = True
            has_meeting[md.pb[m]] = True
    breaks = {md.pid[p]: search.breaks[p] for p in range(md.nP) if has_meeting[p]}
    placeable_w = sum(md.w[m] for m in range(md.nM) if m not in search.excluded)
    placed_w = sum(md.w[m] for m in range(md.nM) if search.slot[m] >= 0)
    optimal = placed_w == placeable_w and (search.breaks_total == 0 or search.proven)
    return Solution(
        assignments=tuple(assignments),
        unplaced=tuple(unplaced),
        breaks_total=search.breaks_total,
        breaks=breaks,
        seconds=time.perf_counter() - t0,
        optimal=optimal,
        clock_bound=search.timed_out or search.clock_bound,
    )

