"""Scale benchmark of the fast scheduler on planted forums (a script, not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_scheduling_scale.py                 # 2,000/10,000 and 500/2,500
    .venv/bin/python tests/benchmarks/bench_scheduling_scale.py --sizes 500:2500 --time-limit 30

A planted forum is generated so that a schedule placing every meeting with zero breaks exists: each
company gets one contiguous block of slots on one day (blocks laid where the load is lowest, so no slot
needs more than the tables), then in every slot the companies whose block covers it are paired at random
(never the same pair twice). The pairs are the meetings; the schedule is then forgotten (meetings are
shuffled) and handed to ``solve``. A few meetings get the session rule of the slot they had, and a few
companies are unavailable in slots outside their block, so those constraints are exercised too.

Targets: under 60 s for 2,000 companies / 10,000 meetings / 2 days x 24 slots / 250 tables, at least
99.5 % placed; breaks reported (0 is possible by construction). Every solution is checked with ``check``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from forum.scheduling.checks import check  # noqa: E402
from forum.scheduling.solver import solve  # noqa: E402
from forum.scheduling.types import (  # noqa: E402
    Instance,
    Meeting,
    Participant,
    Session,
    SessionRule,
    Slot,
    Table,
)


def planted_forum(companies: int, meetings: int, *, days: int = 2, slots_per_day: int = 24, tables: int = 250,
                  seed: int = 0) -> tuple[Instance, dict[int, int]]:
    """A forum with a known zero-break schedule of every meeting; returns (instance, meeting id -> slot)."""
    rng = random.Random(seed)
    per_day = slots_per_day
    n_slots = days * per_day
    # block lengths: mean 2 * meetings / companies, spread +-50 %
    mean = 2.04 * meetings / companies  # a little more; trimmed back to ``meetings`` below
    lengths = [max(1, min(per_day, round(rng.uniform(0.5, 1.5) * mean))) for _ in range(companies)]
    load = [0] * n_slots
    blocks: dict[int, list[int]] = {}
    order = sorted(range(companies), key=lambda c: -lengths[c])
    for c in order:
        n = lengths[c]
        best = None
        for d in range(days):
            for start in range(per_day - n + 1):
                s0 = d * per_day + start
                worst = max(load[s0:s0 + n])
                key = (worst, sum(load[s0:s0 + n]), rng.random())
                if best is None or key < best[0]:
                    best = (key, s0)
        assert best is not None
        s0 = best[1]
        blocks[c] = list(range(s0, s0 + n))
        for s in blocks[c]:
            load[s] += 1
    # make every slot's active count even by trimming a block at its start or end (stays contiguous)
    for s in range(n_slots):
        active = [c for c in range(companies) if blocks[c] and s in blocks[c]]
        if len(active) % 2:
            edge = [c for c in active if blocks[c][0] == s or blocks[c][-1] == s]
            c = edge[0] if edge else active[0]
            if blocks[c][0] == s:
                blocks[c] = blocks[c][1:]
            elif blocks[c][-1] == s:
                blocks[c] = blocks[c][:-1]
            else:  # cannot happen often; splitting would make a break, so drop the company's block tail
                blocks[c] = [x for x in blocks[c] if x < s]
    used: set[tuple[int, int]] = set()
    planted: list[tuple[int, int, int]] = []
    for s in range(n_slots):
        active = [c for c in range(companies) if s in blocks[c]]
        rng.shuffle(active)
        pairs = [(active[i], active[i + 1]) for i in range(0, len(active), 2)]
        # a random pairing repeats a few earlier pairs: swap partners with another pair until none does
        for _attempt in range(100 * len(pairs) + 100):
            bad = [i for i, (a, b) in enumerate(pairs) if (min(a, b), max(a, b)) in used]
            if not bad:
                break
            i = bad[0]
            j = rng.randrange(len(pairs))
            (a, b), (c, d) = pairs[i], pairs[j]
            if i != j and (min(a, d), max(a, d)) not in used and (min(c, b), max(c, b)) not in used:
                pairs[i], pairs[j] = (a, d), (c, b)
        pairs = [(min(a, b), max(a, b)) for a, b in pairs]
        if any(p in used for p in pairs):
            raise RuntimeError(f"seed {seed}: could not pair slot {s} without repeating a pair")
        for a, b in pairs:
            used.add((a, b))
            planted.append((a, b, s))
    # trim to the requested count, only meetings at an end of both sides' blocks (no gap appears)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for a, b, s in planted:
        for c in (a, b):
            first[c] = min(first.get(c, s), s)
            last[c] = max(last.get(c, s), s)
    rng.shuffle(planted)
    kept = []
    excess = len(planted) - meetings
    for a, b, s in planted:
        ends_a = s in (first[a], last[a])
        ends_b = s in (first[b], last[b])
        if excess > 0 and ends_a and ends_b:
            excess -= 1
            for c in (a, b):  # the block shrinks from that end
                if first[c] == s and last[c] != s:
                    first[c] = s + 1
                elif last[c] == s and first[c] != s:
                    last[c] = s - 1
                else:
                    first[c], last[c] = 10**9, -1
            continue
        kept.append((a, b, s))
    if excess > 0:
        raise RuntimeError(f"seed {seed}: could not trim to {meetings} meetings")
    planted = kept
    slots = tuple(
        Slot(day=s // per_day, session=Session.MORNING if s % per_day < per_day // 2 else Session.AFTERNOON,
             label=f"day {s // per_day + 1} slot {s % per_day + 1}")
        for s in range(n_slots)
    )
    ms = []
    plant: dict[int, int] = {}
    for i, (a, b, s) in enumerate(planted):
        rule = SessionRule.EITHER
        if rng.random() < 0.05:
            rule = SessionRule(slots[s].session.value)
        ms.append(Meeting(id=i + 1, a=a + 1, b=b + 1, weight=1, session=rule))
        plant[i + 1] = s
    busy: dict[int, set[int]] = {}
    for a, b, s in planted:
        busy.setdefault(a + 1, set()).add(s)
        busy.setdefault(b + 1, set()).add(s)
    unavailable: dict[int, frozenset[int]] = {}
    for c in range(1, companies + 1):
        if rng.random() < 0.1:
            free = [s for s in range(n_slots) if s not in busy.get(c, set())]
            unavailable[c] = frozenset(rng.sample(free, min(len(free), 3)))
    inst = Instance(
        participants=tuple(Participant(id=c + 1) for c in range(companies)),
        meetings=tuple(ms),
        slots=slots,
        tables=tuple(Table(number=t + 1) for t in range(tables)),
        unavailable=unavailable,
    )
    return inst, plant


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="*", default=["2000:10000", "500:2500"],
                        help="companies:meetings pairs (default: 2000:10000 500:2500)")
    parser.add_argument("--time-limit", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{'companies':>9} {'meetings':>8} {'slots':>5} {'tables':>6} {'placed':>7} {'placed%':>8} "
          f"{'breaks':>6} {'spread':>6} {'seconds':>8} {'valid':>5}")
    for size in args.sizes:
        companies, meetings = (int(x) for x in size.split(":"))
        tables = 250 if companies >= 2000 else max(10, round(250 * companies / 2000))
        inst, _plant = planted_forum(companies, meetings, tables=tables, seed=args.seed)
        t0 = time.perf_counter()
        sol = solve(inst, time_limit=args.time_limit, seed=args.seed)
        wall = time.perf_counter() - t0
        violations = check(inst, sol)
        n = len(inst.meetings)
        print(f"{companies:>9} {n:>8} {len(inst.slots):>5} {len(inst.tables):>6} {sol.placed:>7} "
              f"{100 * sol.placed / n:>7.2f}% {sol.breaks_total:>6} {sol.fairness_spread:>6} {wall:>8.1f} "
              f"{'yes' if not violations else 'NO'}", flush=True)
        for v in violations[:5]:
            print("   ", v.rule, v.detail)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
