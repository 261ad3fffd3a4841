"""JSON instance format, solution JSON, and ``load_instance`` (dispatch on the file extension).

Instance format (``.json``; slot and table numbers are 1-based, like the ``.dzn`` files and the CLI output)::

    {
      "participants": [1, 2, {"id": 3, "group": "FR", "name": "Acme"}],   # ints or objects
      "slots": [{"day": 0, "session": "morning", "label": "09:00"}, ...],  # in time order
          # or the shorthand {"days": 2, "morning": 4, "afternoon": 4}: per day, morning slots then afternoon
      "tables": 3,                                                        # a count of unreserved tables,
          # or [{"number": 1, "reserved_for": "FR"}, {"number": 2}, ...]
      "meetings": [{"p1": 1, "p2": 2, "weight": 2, "session": "morning", "id": 10}, ...],
          # weight >= 1 (default 1); session "morning" | "afternoon" | "either" (or 1 | 2 | 3; default either);
          # id defaults to the 1-based position
      "unavailable": {"1": [3, 4]},                                       # participant id -> slot numbers
      "fixed": [{"meeting": 10, "slot": 2, "table": 1}]                  # table optional;
          # or, as in the .dzn files, one entry per meeting in order: 0 = free, else the slot number
    }

Only ``participants`` (or implied by the meetings), ``slots``, ``tables`` and ``meetings`` are required. Any
malformed value raises :class:`InstanceError` naming the offending field (``meetings[3].p2``, ...).

Solution JSON (``solution_to_json``)::

    {"placed": int, "unplaced": int, "breaks_total": int, "seconds": float, "fairness_spread": int,
     "placed_weight": int, "optimal": bool, "clock_bound": bool,
     "meetings": [{"id": <1-based position in input order>, "slot": <1-based or null>, "table": <1-based or null>}],
     "unplaced_reasons": [{"id": <position>, "meeting_id": <caller id>, "reason": "no_table", "detail": "..."}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from forum.scheduling.errors import InstanceError
from forum.scheduling.types import (
    Instance,
    Lock,
    Meeting,
    Participant,
    Session,
    SessionRule,
    Slot,
    Solution,
    Table,
)

_RULES: dict[Any, SessionRule] = {
    1: SessionRule.MORNING, 2: SessionRule.AFTERNOON, 3: SessionRule.EITHER,
    "morning": SessionRule.MORNING, "afternoon": SessionRule.AFTERNOON, "either": SessionRule.EITHER,
}


def _err(where: str, message: str, source: str | None) -> InstanceError:
    return InstanceError(f"{where}: {message}", source=source)


def _int(value: Any, where: str, source: str | None, *, minimum: int | None = None) -> int:
    # bool is an int in Python; true/false in a JSON instance is always a mistake.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _err(where, f"expected an integer, got {json.dumps(value)}", source)
    if minimum is not None and value < minimum:
        raise _err(where, f"must be at least {minimum}, got {value}", source)
    return value


def _list(value: Any, where: str, source: str | None) -> list[Any]:
    if not isinstance(value, list):
        raise _err(where, f"expected a list, got {type(value).__name__}", source)
    return value


def _obj(value: Any, where: str, source: str | None, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _err(where, f"expected an object, got {json.dumps(value)[:60]}", source)
    unknown = set(value) - allowed
    if unknown:
        raise _err(where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}", source)
    return value


def _group(value: Any, where: str, source: str | None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _err(where, f"expected a string or null, got {json.dumps(value)}", source)
    return value


def instance_from_dict(data: Any, *, source: str | None = None) -> Instance:
    """Build and validate an :class:`Instance` from the decoded JSON format above."""
    top = _obj(data, "instance", source,
               {"participants", "slots", "tables", "meetings", "unavailable", "fixed", "format", "name"})
    for key in ("slots", "tables", "meetings"):
        if key not in top:
            raise _err("instance", f"missing required key {key!r}", source)

    # Slots.
    slots: list[Slot] = []
    raw_slots = top["slots"]
    if isinstance(raw_slots, dict):
        spec = _obj(raw_slots, "slots", source, {"days", "morning", "afternoon"})
        days = _int(spec.get("days", 1), "slots.days", source, minimum=1)
        morning = _int(spec.get("morning", 0), "slots.morning", source, minimum=0)
        afternoon = _int(spec.get("afternoon", 0), "slots.afternoon", source, minimum=0)
        for d in range(days):
            slots += [Slot(d, Session.MORNING) for _ in range(morning)]
            slots += [Slot(d, Session.AFTERNOON) for _ in range(afternoon)]
    else:
        for i, raw in enumerate(_list(raw_slots, "slots", source)):
            obj = _obj(raw, f"slots[{i}]", source, {"day", "session", "label"})
            day = _int(obj.get("day", 0), f"slots[{i}].day", source, minimum=0)
            try:
                session = Session(obj.get("session", "morning"))
            except ValueError:
                raise _err(f"slots[{i}].session", f"expected 'morning' or 'afternoon', got {json.dumps(obj.get('session'))}",
                           source) from None
            label = obj.get("label", "")
            if not isinstance(label, str):
                raise _err(f"slots[{i}].label", "expected a string", source)
            if slots and day < slots[-1].day:
                raise _err(f"slots[{i}].day", "slots must be listed in time order (days never decrease)", source)
            slots.append(Slot(day, session, label))
    if not slots:
        raise _err("slots", "at least one slot is needed", source)
    n_slots = len(slots)

    # Tables.
    raw_tables = top["tables"]
    if isinstance(raw_tables, int) and not isinstance(raw_tables, bool):
        tables = [Table(number=t) for t in range(1, _int(raw_tables, "tables", source, minimum=1) + 1)]
    else:
        tables = []
        for i, raw in enumerate(_list(raw_tables, "tables", source)):
            obj = _obj(raw, f"tables[{i}]", source, {"number", "reserved_for"})
            number = _int(obj.get("number", i + 1), f"tables[{i}].number", source)
            tables.append(Table(number, _group(obj.get("reserved_for"), f"tables[{i}].reserved_for", source)))
        if not tables:
            raise _err("tables", "at least one table is needed", source)

    # Meetings (participants may be implied by them).
    meetings: list[Meeting] = []
    for i, raw in enumerate(_list(top["meetings"], "meetings", source)):
        where = f"meetings[{i}]"
        obj = _obj(raw, where, source, {"id", "p1", "p2", "weight", "session"})
        for key in ("p1", "p2"):
            if key not in obj:
                raise _err(where, f"missing {key!r}", source)
        a, b = _int(obj["p1"], f"{where}.p1", source), _int(obj["p2"], f"{where}.p2", source)
        if a == b:
            raise _err(where, f"participant {a} cannot meet itself", source)
        rule = obj.get("session", "either")
        if isinstance(rule, bool) or not isinstance(rule, int | str) or rule not in _RULES:
            raise _err(f"{where}.session", f"expected 'morning', 'afternoon', 'either' or 1/2/3, got {json.dumps(rule)}",
                       source)
        meetings.append(Meeting(
            id=_int(obj.get("id", i + 1), f"{where}.id", source),
            a=a, b=b,
            weight=_int(obj.get("weight", 1), f"{where}.weight", source, minimum=1),
            session=_RULES[rule],
        ))
    ids = [m.id for m in meetings]
    if len(set(ids)) != len(ids):
        dup = next(x for x in ids if ids.count(x) > 1)
        raise _err("meetings", f"meeting id {dup} is used twice", source)

    if "participants" in top:
        participants = []
        for i, raw in enumerate(_list(top["participants"], "participants", source)):
            if isinstance(raw, dict):
                obj = _obj(raw, f"participants[{i}]", source, {"id", "group", "name"})
                if "id" not in obj:
                    raise _err(f"participants[{i}]", "missing 'id'", source)
                name = obj.get("name", "")
                if not isinstance(name, str):
                    raise _err(f"participants[{i}].name", "expected a string", source)
                participants.append(Participant(_int(obj["id"], f"participants[{i}].id", source),
                                                _group(obj.get("group"), f"participants[{i}].group", source), name))
            else:
                participants.append(Participant(_int(raw, f"participants[{i}]", source)))
        pids = [p.id for p in participants]
        if len(set(pids)) != len(pids):
            raise _err("participants", f"participant id {next(x for x in pids if pids.count(x) > 1)} is used twice", source)
        known = set(pids)
        for i, m in enumerate(meetings):
            for key, p in (("p1", m.a), ("p2", m.b)):
                if p not in known:
                    raise _err(f"meetings[{i}].{key}", f"participant {p} is not in participants", source)
    else:
        participants = [Participant(p) for p in sorted({p for m in meetings for p in (m.a, m.b)})]
    known = {p.id for p in participants}

    # Unavailability: participant id -> 1-based slot numbers.
    unavailable: dict[int, frozenset[int]] = {}
    raw_un = top.get("unavailable", {})
    if not isinstance(raw_un, dict):
        raise _err("unavailable", "expected an object {participant id: [slot numbers]}", source)
    for key, raw in raw_un.items():
        try:
            pid = int(key)
        except ValueError:
            raise _err("unavailable", f"key {key!r} is not a participant id", source) from None
        if pid not in known:
            raise _err(f"unavailable[{key}]", f"participant {pid} is not in participants", source)
        nums = [_int(s, f"unavailable[{key}]", source) for s in _list(raw, f"unavailable[{key}]", source)]
        for s in nums:
            if not 1 <= s <= n_slots:
                raise _err(f"unavailable[{key}]", f"slot {s} is not in 1..{n_slots}", source)
        if nums:
            unavailable[pid] = frozenset(s - 1 for s in nums)

    # Fixed meetings.
    locks: list[Lock] = []
    raw_fixed = _list(top.get("fixed", []), "fixed", source)
    if raw_fixed and all(isinstance(x, int) and not isinstance(x, bool) for x in raw_fixed):
        if len(raw_fixed) != len(meetings):
            raise _err("fixed", f"a list of slot numbers needs one entry per meeting ({len(meetings)}), got {len(raw_fixed)}",
                       source)
        for i, s in enumerate(raw_fixed):
            if not 0 <= s <= n_slots:
                raise _err(f"fixed[{i}]", f"slot {s} is not in 0..{n_slots}", source)
            if s:
                locks.append(Lock(meetings[i].id, s - 1))
    else:
        id_set = set(ids)
        for i, raw in enumerate(raw_fixed):
            obj = _obj(raw, f"fixed[{i}]", source, {"meeting", "slot", "table"})
            for key in ("meeting", "slot"):
                if key not in obj:
                    raise _err(f"fixed[{i}]", f"missing {key!r}", source)
            mid = _int(obj["meeting"], f"fixed[{i}].meeting", source)
            if mid not in id_set:
                raise _err(f"fixed[{i}].meeting", f"meeting {mid} is not in meetings", source)
            s = _int(obj["slot"], f"fixed[{i}].slot", source)
            if not 1 <= s <= n_slots:
                raise _err(f"fixed[{i}].slot", f"slot {s} is not in 1..{n_slots}", source)
            table = None
            if obj.get("table") is not None:
                t = _int(obj["table"], f"fixed[{i}].table", source)
                if not 1 <= t <= len(tables):
                    raise _err(f"fixed[{i}].table", f"table {t} is not in 1..{len(tables)}", source)
                table = t - 1
            locks.append(Lock(mid, s - 1, table))
        locked = [lock.meeting_id for lock in locks]
        if len(set(locked)) != len(locked):
            raise _err("fixed", f"meeting {next(x for x in locked if locked.count(x) > 1)} is fixed twice", source)

    return Instance(tuple(participants), tuple(meetings), tuple(slots), tuple(tables), unavailable, tuple(locks))


def load_json(text_or_path: str | Path | Mapping[str, Any]) -> Instance:
    """Load a JSON instance from a path, from JSON text, or from an already decoded dict.

    A :class:`~pathlib.Path`, or a string not starting with ``{`` or ``[`` (after spaces), is read as a path.
    """
    if isinstance(text_or_path, Mapping):
        return instance_from_dict(dict(text_or_path))
    source = None
    text = text_or_path
    if isinstance(text_or_path, Path) or not text_or_path.lstrip().startswith(("{", "[")):
        path = Path(text_or_path)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InstanceError(f"no such file: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InstanceError(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno, source=source) from None
    return instance_from_dict(data, source=source)


def instance_to_json(instance: Instance) -> dict[str, Any]:
    """The JSON form of ``instance`` (``load_json`` of it gives back an equal instance)."""
    return {
        "participants": [{"id": p.id, "group": p.group, "name": p.name} for p in instance.participants],
        "slots": [{"day": s.day, "session": s.session.value, "label": s.label} for s in instance.slots],
        "tables": [{"number": t.number, "reserved_for": t.reserved_for} for t in instance.tables],
        "meetings": [{"id": m.id, "p1": m.a, "p2": m.b, "weight": m.weight, "session": m.session.value}
                     for m in instance.meetings],
        "unavailable": {str(p): sorted(s + 1 for s in slots) for p, slots in sorted(instance.unavailable.items())
                        if slots},
        "fixed": [{"meeting": lock.meeting_id, "slot": lock.slot + 1,
                   "table": None if lock.table is None else lock.table + 1} for lock in instance.locks],
    }


def load_instance(path: str | Path) -> Instance:
    """Load ``path`` as ``.dzn`` or ``.json`` by its extension; anything else raises :class:`InstanceError`."""
    from forum.scheduling.dzn import load_dzn  # here, so jsonio and dzn stay independent otherwise

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".dzn", ".json"):
        raise InstanceError(f"unknown instance format {suffix or '(no extension)'!r} for {path}: use .dzn or .json")
    if not path.is_file():
        raise InstanceError(f"no such file: {path}")
    return load_dzn(path) if suffix == ".dzn" else load_json(path)


def solution_to_json(instance: Instance, solution: Solution, input_order_ids: Sequence[int] | None = None
                     ) -> dict[str, Any]:
    """The CLI's output: counts, breaks, and every meeting in input order with 1-based slot and table.

    ``input_order_ids`` lists the meeting ids in the caller's input order (default: the instance's order);
    the ``id`` in the output is the 1-based position in that list.
    """
    order = list(input_order_ids) if input_order_ids is not None else [m.id for m in instance.meetings]
    placed = {a.meeting_id: a for a in solution.assignments}
    weights = {m.id: m.weight for m in instance.meetings}
    position = {mid: i + 1 for i, mid in enumerate(order)}
    meetings = []
    for i, mid in enumerate(order, start=1):
        a = placed.get(mid)
        meetings.append({"id": i, "slot": None if a is None else a.slot + 1, "table": None if a is None else a.table + 1})
    return {
        "placed": solution.placed,
        "unplaced": len(solution.unplaced),
        "breaks_total": solution.breaks_total,
        "seconds": round(solution.seconds, 3),
        "fairness_spread": solution.fairness_spread,
        "placed_weight": sum(weights.get(a.meeting_id, 0) for a in solution.assignments),
        "optimal": solution.optimal,
        "clock_bound": solution.clock_bound,
        "meetings": meetings,
        "unplaced_reasons": [
            {"id": position.get(u.meeting_id), "meeting_id": u.meeting_id, "reason": u.reason.value, "detail": u.detail}
            for u in sorted(solution.unplaced, key=lambda u: position.get(u.meeting_id, 0))
        ],
    }
