"""Unit tests: the .dzn loader against the benchmark's own size table, the JSON format, and clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from forum.scheduling import (
    Assignment,
    InstanceError,
    Lock,
    Session,
    SessionRule,
    Solution,
    Unplaced,
    UnplacedReason,
    instance_to_json,
    load_dzn,
    load_instance,
    load_json,
    solution_to_json,
)

from .support import B2B, INSTANCES, random_instance

needs_b2b = pytest.mark.skipif(not INSTANCES.is_dir(), reason="B2B benchmark files not present")


def _sizes() -> list[dict[str, str]]:
    if not (B2B / "sizes.csv").is_file():
        return []
    with open(B2B / "sizes.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------------------- dzn


@needs_b2b
@pytest.mark.parametrize("row", _sizes(), ids=lambda r: r["file"])
def test_dzn_counts_match_sizes_csv(row: dict[str, str]):
    inst = load_dzn(INSTANCES / row["file"])
    degree: dict[int, int] = {}
    for m in inst.meetings:
        degree[m.a] = degree.get(m.a, 0) + 1
        degree[m.b] = degree.get(m.b, 0) + 1
    assert len(inst.participants) == int(row["P"])
    assert len(inst.meetings) == int(row["M"])
    assert len(inst.slots) == int(row["T"])
    assert len(inst.tables) == int(row["L"])
    assert sum(s.session is Session.MORNING for s in inst.slots) == int(row["morning_slots"])
    assert max(degree.values()) == int(row["max_degree"])
    assert sum(len(v) for v in inst.unavailable.values()) == int(row["n_forbidden_pairs"])
    assert len(inst.locks) == int(row["n_fixed"])


@needs_b2b
def test_dzn_details_of_one_file():
    path = INSTANCES / "forum-13.fixed020-Forb.dzn"
    inst = load_dzn(path)
    assert inst == load_dzn(path.read_text(encoding="utf-8")) == load_dzn(str(path))
    first = inst.meetings[0]
    assert (first.id, first.a, first.b, first.session) == (1, 1, 2, SessionRule.MORNING)
    assert inst.meetings[9].session is SessionRule.AFTERNOON and inst.meetings[10].session is SessionRule.EITHER
    assert [m.id for m in inst.meetings] == list(range(1, 155))
    assert inst.unavailable[3] == frozenset({16})  # forbidden {0,17}: 0 is a dummy, slot 17 is index 16
    assert Lock(9, 0) in inst.locks and Lock(17, 9) in inst.locks  # fixed = [0,...,0,1,...,10,...]
    assert all(lock.table is None for lock in inst.locks)
    assert {s.day for s in inst.slots} == {0}
    assert all(t.reserved_for is None for t in inst.tables)


GOOD = "nBusiness = 3;\nnMeetings = 2;\nnTables = 1;\nnTotalSlots = 3;\nnMorningSlots = 2;\n" \
       "requested = [|1, 2, 1,\n|2, 3, 3, |];\nforbidden = [{0}, {3}, {1..2}];\nfixed = [0, 2];\n"


def test_dzn_small_text():
    inst = load_dzn(GOOD + "% a comment\nprecedences = [{}, {}];\n")
    assert [(m.a, m.b, m.session) for m in inst.meetings] == [(1, 2, SessionRule.MORNING), (2, 3, SessionRule.EITHER)]
    assert inst.unavailable == {2: frozenset({2}), 3: frozenset({0, 1})}
    assert inst.locks == (Lock(2, 1),)
    assert [s.session for s in inst.slots] == [Session.MORNING, Session.MORNING, Session.AFTERNOON]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("nBusiness = 3;\nnMeetings = x;\n", 2, "expected a value"),
    ("nBusiness = 3\nnMeetings = 2;\n", 2, "expected ';'"),
    ("nBusiness = 3;\n\n  # nonsense\n", 3, "unexpected character"),
    (GOOD.replace("|2, 3, 3, |]", "|2, 3, |]"), 7, "expected 3 values"),
    (GOOD.replace("|2, 3, 3, |]", "|2, 9, 3, |]"), 7, "not in 1..3"),
    (GOOD.replace("|2, 3, 3, |]", "|2, 3, 5, |]"), 7, "must be 1, 2 or 3"),
    (GOOD.replace("nMeetings = 2", "nMeetings = 4"), 6, "nMeetings = 4"),
    (GOOD.replace("{3}", "{7}"), 8, "forbidden slot 7"),
    (GOOD.replace("fixed = [0, 2]", "fixed = [0]"), 9, "fixed has 1 entries"),
    (GOOD.replace("nTables = 1", "nTables = {1}"), 3, "nTables must be an integer"),
    (GOOD + "nTables = 2;\n", 10, "assigned twice"),
    (GOOD.replace("[0, 2];", "[0, 2"), 10, "expected ',' or ']'"),
])
def test_dzn_garbage_raises_with_line(text: str, line: int, words: str):
    with pytest.raises(InstanceError) as info:
        load_dzn(text)
    assert isinstance(info.value, ValueError)
    assert info.value.line == line, str(info.value)
    assert words in str(info.value) and f"line {line}" in str(info.value)


def test_dzn_missing_fields_and_files(tmp_path: Path):
    with pytest.raises(InstanceError, match="missing requested"):
        load_dzn("nBusiness = 3; nMeetings = 0; nTables = 1; nTotalSlots = 2; nMorningSlots = 1;")
    empty = tmp_path / "empty.dzn"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InstanceError, match="missing nBusiness"):
        load_dzn(empty)
    with pytest.raises(InstanceError, match="no such file"):
        load_dzn(tmp_path / "nope.dzn")
    binary = tmp_path / "bin.dzn"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(InstanceError):
        load_dzn(binary)


# ------------------------------------------------------------------------------------------ JSON


@pytest.mark.parametrize("seed", range(25))
def test_json_round_trip(seed: int):
    inst = random_instance(seed)
    text = json.dumps(instance_to_json(inst))
    assert load_json(text) == inst


@needs_b2b
def test_json_round_trip_of_a_benchmark(tmp_path: Path):
    inst = load_dzn(INSTANCES / "forum-13.fixed020-Forb.dzn")
    path = tmp_path / "forum.json"
    path.write_text(json.dumps(instance_to_json(inst)), encoding="utf-8")
    assert load_instance(path) == inst == load_json(path)


def test_json_shorthands():
    inst = load_json({
        "slots": {"days": 2, "morning": 2, "afternoon": 1},
        "tables": 2,
        "meetings": [{"p1": 1, "p2": 2}, {"p1": 2, "p2": 3, "weight": 4, "session": 2}],
        "unavailable": {"3": [1, 6]},
        "fixed": [3, 0],
    })
    assert [p.id for p in inst.participants] == [1, 2, 3]
    assert [(s.day, s.session) for s in inst.slots] == [
        (0, Session.MORNING), (0, Session.MORNING), (0, Session.AFTERNOON),
        (1, Session.MORNING), (1, Session.MORNING), (1, Session.AFTERNOON)]
    assert [m.id for m in inst.meetings] == [1, 2] and inst.meetings[1].weight == 4
    assert inst.meetings[1].session is SessionRule.AFTERNOON
    assert inst.unavailable == {3: frozenset({0, 5})}
    assert inst.locks == (Lock(1, 2),)
    assert len(inst.tables) == 2


BASE = {"participants": [1, 2, {"id": 3, "group": "G"}], "slots": [{"day": 0, "session": "morning"}] * 2,
        "tables": [{"number": 1}, {"number": 2, "reserved_for": "G"}],
        "meetings": [{"id": 7, "p1": 1, "p2": 2}, {"id": 8, "p1": 1, "p2": 3}]}


@pytest.mark.parametrize(("patch", "words"), [
    ({"meetings": [{"p1": 1}]}, "meetings[0]: missing 'p2'"),
    ({"meetings": [{"p1": 1, "p2": "two"}]}, "meetings[0].p2: expected an integer"),
    ({"meetings": [{"p1": 1, "p2": 2, "session": "evening"}]}, "meetings[0].session"),
    ({"meetings": [{"p1": 1, "p2": 2, "weight": 0}]}, "meetings[0].weight: must be at least 1"),
    ({"meetings": [{"p1": 1, "p2": 9}]}, "participant 9 is not in participants"),
    ({"meetings": [{"p1": 1, "p2": 1}]}, "cannot meet itself"),
    ({"meetings": [{"id": 1, "p1": 1, "p2": 2}, {"id": 1, "p1": 1, "p2": 3}]}, "meeting id 1 is used twice"),
    ({"meetings": [{"p1": 1, "p2": 2, "colour": "red"}]}, "unknown key(s) ['colour']"),
    ({"slots": [{"day": 1}, {"day": 0}]}, "time order"),
    ({"slots": [{"session": "night"}]}, "slots[0].session"),
    ({"slots": []}, "at least one slot"),
    ({"tables": 0}, "tables: must be at least 1"),
    ({"tables": True}, "tables: expected a list"),
    ({"unavailable": {"1": [3]}}, "slot 3 is not in 1..2"),
    ({"unavailable": {"x": [1]}}, "not a participant id"),
    ({"fixed": [{"meeting": 99, "slot": 1}]}, "meeting 99 is not in meetings"),
    ({"fixed": [{"meeting": 7, "slot": 5}]}, "fixed[0].slot: slot 5 is not in 1..2"),
    ({"fixed": [{"meeting": 7, "slot": 1, "table": 3}]}, "fixed[0].table"),
    ({"fixed": [1]}, "one entry per meeting"),
    ({"participants": [1, 1, 2, 3]}, "participant id 1 is used twice"),
])
def test_json_malformed_values_are_named(patch: dict, words: str):
    with pytest.raises(InstanceError) as info:
        load_json({**BASE, **patch})
    assert words in str(info.value)


def test_json_syntax_errors_and_missing_keys(tmp_path: Path):
    with pytest.raises(InstanceError, match=r"line 2.*not valid JSON"):
        load_json('{"slots": 3,\n "tables": ]}')
    with pytest.raises(InstanceError, match="missing required key 'meetings'"):
        load_json('{"slots": {"morning": 1}, "tables": 1}')
    with pytest.raises(InstanceError, match="instance: expected an object"):
        load_json("[1, 2]")
    path = tmp_path / "bad.json"
    path.write_text("{ nope", encoding="utf-8")
    with pytest.raises(InstanceError, match="bad.json"):
        load_instance(path)


def test_load_instance_dispatch_and_errors(tmp_path: Path):
    with pytest.raises(InstanceError, match="unknown instance format '.txt'"):
        load_instance(tmp_path / "x.txt")
    with pytest.raises(InstanceError, match="no such file"):
        load_instance(tmp_path / "missing.json")
    p = tmp_path / "a.json"
    p.write_text(json.dumps(BASE), encoding="utf-8")
    assert load_instance(p).meetings[1].id == 8


def test_solution_to_json_is_one_based_in_input_order():
    inst = load_json(BASE)
    sol = Solution((Assignment(8, 1, 1),), (Unplaced(7, UnplacedReason.CROWDED, "busy"),), 0, {1: 0, 3: 0}, 0.1234)
    out = solution_to_json(inst, sol)
    assert out["placed"] == 1 and out["unplaced"] == 1 and out["breaks_total"] == 0
    assert out["meetings"] == [{"id": 1, "slot": None, "table": None}, {"id": 2, "slot": 2, "table": 2}]
    assert out["unplaced_reasons"] == [{"id": 1, "meeting_id": 7, "reason": "crowded", "detail": "busy"}]
    assert out["seconds"] == 0.123 and out["fairness_spread"] == 0
    json.dumps(out)  # plain JSON types only
