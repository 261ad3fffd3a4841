"""Instance builders shared by the scheduling tests: a tiny hand-made forum and random small instances."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from forum.scheduling import (
    Instance,
    Lock,
    Meeting,
    Participant,
    Session,
    SessionRule,
    Slot,
    Table,
)

B2B = Path("/work/shared/b2b")
INSTANCES = B2B / "instances"

M, A = Session.MORNING, Session.AFTERNOON


def slots(*sessions: Session, day: int = 0) -> tuple[Slot, ...]:
    return tuple(Slot(day, s, f"d{day} #{i + 1}") for i, s in enumerate(sessions))


def tables(n: int, *reserved: str | None) -> tuple[Table, ...]:
    extra = tuple(Table(n + i + 1, g) for i, g in enumerate(reserved))
    return tuple(Table(i + 1) for i in range(n)) + extra


def people(n: int, groups: dict[int, str] | None = None) -> tuple[Participant, ...]:
    groups = groups or {}
    return tuple(Participant(p, groups.get(p)) for p in range(1, n + 1))


def meetings(*pairs: tuple[int, int]) -> tuple[Meeting, ...]:
    return tuple(Meeting(i + 1, a, b) for i, (a, b) in enumerate(pairs))


def build_random(randint: Callable[[int, int], int]) -> Instance:
    """A random small instance: <= 8 participants, <= 8 slots over 1-2 days, <= 3 tables, a few meetings,
    some unavailability, session rules, weights, groups with reserved tables, and locks (some invalid)."""
    n_p = randint(2, 8)
    two_days = randint(0, 3) == 0
    per_day = 4 if two_days else 8
    day_slots: list[Slot] = []
    for d in range(2 if two_days else 1):
        morning = randint(0, per_day)
        afternoon = randint(0 if morning else 1, per_day - morning)
        day_slots += [Slot(d, M)] * morning + [Slot(d, A)] * afternoon
    n_s = len(day_slots)

    grouped = randint(0, 3) == 0
    parts = tuple(Participant(p, ("G" if randint(0, 2) == 0 else None) if grouped else None)
                  for p in range(1, n_p + 1))
    n_t = randint(1, 3)
    tabs = tuple(Table(t + 1, "G" if grouped and t == 0 and randint(0, 1) else None) for t in range(n_t))

    pairs = [(a, b) for a in range(1, n_p + 1) for b in range(a + 1, n_p + 1)]
    n_m = randint(1, min(len(pairs), 16))
    chosen = []
    for _ in range(n_m):
        chosen.append(pairs.pop(randint(0, len(pairs) - 1)))
    rules = [SessionRule.MORNING, SessionRule.AFTERNOON] + [SessionRule.EITHER] * 4
    meets = tuple(
        Meeting(10 * (i + 1), a, b, weight=randint(1, 3) if randint(0, 3) == 0 else 1,
                session=rules[randint(0, len(rules) - 1)])
        for i, (a, b) in enumerate(chosen)
    )
    unavailable = {}
    for p in range(1, n_p + 1):
        if randint(0, 3) == 0:
            unavailable[p] = frozenset(randint(0, n_s - 1) for _ in range(randint(1, 2)))
    locks = []
    locked: set[int] = set()
    for _ in range(randint(0, 2) if randint(0, 2) == 0 else 0):
        m = meets[randint(0, len(meets) - 1)]
        if m.id in locked:
            continue
        locked.add(m.id)
        locks.append(Lock(m.id, randint(0, n_s - 1), randint(0, n_t - 1) if randint(0, 2) == 0 else None))
    return Instance(parts, meets, tuple(day_slots), tabs, unavailable, tuple(locks))


def random_instance(seed: int) -> Instance:
    return build_random(random.Random(seed).randint)


@st.composite
def small_instances(draw: st.DrawFn) -> Instance:
    return build_random(lambda a, b: draw(st.integers(a, b)))
