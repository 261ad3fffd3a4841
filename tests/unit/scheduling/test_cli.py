"""Unit tests: ``python -m forum.scheduling solve`` prints the solution JSON; bad input exits with code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from forum import ROOT
from forum.scheduling import load_dzn

from .support import INSTANCES

KEYS = {"placed", "unplaced", "breaks_total", "seconds", "meetings"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "forum.scheduling", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.skipif(not INSTANCES.is_dir(), reason="B2B benchmark files not present")
def test_cli_solves_a_benchmark_file():
    path = INSTANCES / "tic-12.fixed020-Forb.dzn"
    result = run("solve", str(path), "--time-limit", "2", "--seed", "3", "--check")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) >= KEYS
    inst = load_dzn(path)
    assert [m["id"] for m in out["meetings"]] == list(range(1, len(inst.meetings) + 1))
    assert out["placed"] + out["unplaced"] == len(inst.meetings)
    assert out["placed"] == sum(m["slot"] is not None for m in out["meetings"])
    for m in out["meetings"]:
        assert (m["slot"] is None) == (m["table"] is None)
        if m["slot"] is not None:
            assert 1 <= m["slot"] <= len(inst.slots) and 1 <= m["table"] <= len(inst.tables)
    for lock in inst.locks:  # fixed meetings keep their (1-based) slot
        assert out["meetings"][lock.meeting_id - 1]["slot"] in (lock.slot + 1, None)
    assert out["violations"] == []
    assert isinstance(out["seconds"], float) and out["seconds"] < 5
    assert len(out["unplaced_reasons"]) == out["unplaced"]


def test_cli_json_instance_over_capacity(tmp_path: Path):
    # Six meetings, one slot, two tables: two placed, four explained.
    data = {"slots": [{"day": 0, "session": "morning"}], "tables": 2,
            "meetings": [{"p1": 2 * i + 1, "p2": 2 * i + 2} for i in range(6)]}
    path = tmp_path / "full.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("solve", str(path), "--time-limit", "1")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["placed"] == 2 and out["unplaced"] == 4
    assert {r["reason"] for r in out["unplaced_reasons"]} == {"capacity"}
    assert sorted(m["table"] for m in out["meetings"] if m["table"]) == [1, 2]


def test_cli_exact_flag(tmp_path: Path):
    data = {"slots": {"morning": 3}, "tables": 1,
            "meetings": [{"p1": 1, "p2": 2}, {"p1": 1, "p2": 3}, {"p1": 1, "p2": 4}]}
    path = tmp_path / "star.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("solve", str(path), "--exact", "--time-limit", "10")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["placed"] == 3 and out["breaks_total"] == 0 and out["optimal"] is True


@pytest.mark.parametrize(("name", "content", "words"), [
    ("garbage.dzn", "this is not = a dzn file at all ;;;", "line 1"),
    ("broken.json", '{"slots": [', "not valid JSON"),
    ("empty.json", "{}", "missing required key"),
    ("notes.txt", "hello", "unknown instance format"),
])
def test_cli_bad_input_exits_2(tmp_path: Path, name: str, content: str, words: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("solve", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert words in result.stderr and result.stderr.startswith("error:")


def test_cli_missing_file_and_bad_arguments(tmp_path: Path):
    result = run("solve", str(tmp_path / "missing.dzn"))
    assert result.returncode == 2 and "no such file" in result.stderr
    assert run("solve").returncode == 2  # argparse: FILE is required
    assert run("solve", str(tmp_path / "x.dzn"), "--time-limit", "-1").returncode == 2
