"""Loader for the B2B benchmark instances (MiniZinc ``.dzn`` data files, Bofill et al., JAIR 2022).

The files describe one day: slots ``1..nTotalSlots``, the morning being ``1..nMorningSlots``, ``nTables``
identical unreserved tables, meetings ``requested = [| p1, p2, s | ... |]`` (s = 1 morning only,
2 afternoon only, 3 either), ``forbidden`` per participant as a list of sets where ``0`` is a dummy, and an
optional ``fixed`` per meeting (0 = free, else its slot). ``precedences``, ``meetingsxBusiness`` and
``nMeetingsBusiness`` are derived or unused and are ignored. Everything is 1-based in the file; the
:class:`Instance` uses 0-based slot and table indices, and keeps participant ids ``1..nBusiness`` and meeting
ids ``1..nMeetings`` (row order).

Only the subset of the MiniZinc data language these files use is read: integers, ``{}`` sets (with
``a..b`` ranges), 1-d ``[...]`` arrays and 2-d ``[| ... |]`` arrays, ``%`` comments. Anything else raises
:class:`InstanceError` with the line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from forum.scheduling.errors import InstanceError
from forum.scheduling.types import Instance, Lock, Meeting, Participant, Session, SessionRule, Slot, Table

_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\f\v]+)|(?P<nl>\n)|(?P<comment>%[^\n]*)|(?P<int>-?\d+)|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<sym>\[\||\|\]|\.\.|[=;\[\]{},|])"
)
_RULES = {1: SessionRule.MORNING, 2: SessionRule.AFTERNOON, 3: SessionRule.EITHER}


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "int", "ident", "sym", "eof"
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class _Val:
    """A parsed value and the line it starts on, for messages."""

    kind: str  # "int", "set", "array", "array2d"
    value: object
    line: int


def _tokens(text: str, source: str | None) -> list[_Tok]:
    out: list[_Tok] = []
    line, pos = 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise InstanceError(f"unexpected character {text[pos]!r}", line=line, source=source)
        kind = m.lastgroup or ""
        if kind == "nl":
            line += 1
        elif kind in ("int", "ident", "sym"):
            out.append(_Tok(kind, m.group(), line))
        pos = m.end()
    out.append(_Tok("eof", "", line))
    return out


class _Parser:
    def __init__(self, tokens: list[_Tok], source: str | None) -> None:
        self.toks, self.i, self.source = tokens, 0, source

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, tok: _Tok | None = None) -> InstanceError:
        tok = tok or self.peek()
        return InstanceError(message, line=tok.line, source=self.source)

    def expect(self, text: str) -> _Tok:
        tok = self.next()
        if tok.text != text or tok.kind not in ("sym",):
            raise self.fail(f"expected {text!r}, found {tok.text or 'end of file'!r}", tok)
        return tok

    def statements(self) -> dict[str, _Val]:
        out: dict[str, _Val] = {}
        while self.peek().kind != "eof":
            tok = self.next()
            if tok.kind != "ident":
                raise self.fail(f"expected a name such as 'nBusiness', found {tok.text!r}", tok)
            self.expect("=")
            value = self.value()
            end = self.next()
            if end.text != ";":
                raise self.fail(f"expected ';' after the value of {tok.text}, found {end.text or 'end of file'!r}", end)
            if tok.text in out:
                raise self.fail(f"{tok.text} is assigned twice", tok)
            out[tok.text] = value
        return out

    def integer(self) -> int:
        tok = self.next()
        if tok.kind != "int":
            raise self.fail(f"expected an integer, found {tok.text or 'end of file'!r}", tok)
        return int(tok.text)

    def value(self) -> _Val:
        tok = self.peek()
        if tok.kind == "int":
            return _Val("int", self.integer(), tok.line)
        if tok.text == "{":
            return _Val("set", self.set_(), tok.line)
        if tok.text == "[|":
            return _Val("array2d", self.array2d(), tok.line)
        if tok.text == "[":
            return _Val("array", self.array(), tok.line)
        raise self.fail(f"expected a value (integer, set or array), found {tok.text or 'end of file'!r}", tok)

    def set_(self) -> frozenset[int]:
        self.expect("{")
        items: set[int] = set()
        while self.peek().text != "}":
            lo = self.integer()
            if self.peek().text == "..":
                self.next()
                items.update(range(lo, self.integer() + 1))
            else:
                items.add(lo)
            if self.peek().text == ",":
                self.next()
            elif self.peek().text != "}":
                raise self.fail(f"expected ',' or '}}' in a set, found {self.peek().text or 'end of file'!r}")
        self.next()
        return frozenset(items)

    def array(self) -> list[_Val]:
        self.expect("[")
        items: list[_Val] = []
        while self.peek().text != "]":
            items.append(self.value())
            if self.peek().text == ",":
                self.next()
            elif self.peek().text != "]":
                raise self.fail(f"expected ',' or ']' in an array, found {self.peek().text or 'end of file'!r}")
        self.next()
        return items

    def array2d(self) -> list[tuple[int, list[int]]]:
        """Rows as ``(line, values)``: ``[| a, b, c, | d, e, f |]`` (a trailing comma per row is allowed)."""
        self.expect("[|")
        rows: list[tuple[int, list[int]]] = []
        while True:
            if self.peek().text == "|]":
                self.next()
                return rows
            line, row = self.peek().line, []
            while self.peek().text not in ("|", "|]"):
                row.append(self.integer())
                if self.peek().text == ",":
                    self.next()
                elif self.peek().text not in ("|", "|]"):
                    raise self.fail(f"expected ',' or '|' in a 2-d array, found {self.peek().text or 'end of file'!r}")
            if row:
                rows.append((line, row))
            if self.next().text == "|]":
                return rows


def _int(data: dict[str, _Val], name: str, source: str | None, *, minimum: int = 0) -> int:
    if name not in data:
        raise InstanceError(f"missing {name}", source=source)
    v = data[name]
    if v.kind != "int":
        raise InstanceError(f"{name} must be an integer", line=v.line, source=source)
    if v.value < minimum:  # type: ignore[operator]
        raise InstanceError(f"{name} = {v.value} must be at least {minimum}", line=v.line, source=source)
    return v.value  # type: ignore[return-value]


def parse_dzn(text: str, *, source: str | None = None) -> Instance:
    """Build an :class:`Instance` from the text of a B2B ``.dzn`` file; ``source`` names it in errors."""
    data = _Parser(_tokens(text, source), source).statements()
    n_part = _int(data, "nBusiness", source, minimum=1)
    n_meet = _int(data, "nMeetings", source)
    n_tables = _int(data, "nTables", source, minimum=1)
    n_slots = _int(data, "nTotalSlots", source, minimum=1)
    n_morning = _int(data, "nMorningSlots", source)
    if n_morning > n_slots:
        raise InstanceError(f"nMorningSlots = {n_morning} exceeds nTotalSlots = {n_slots}",
                            line=data["nMorningSlots"].line, source=source)

    if "requested" not in data:
        raise InstanceError("missing requested", source=source)
    req = data["requested"]
    if req.kind != "array2d":
        raise InstanceError("requested must be a 2-d array [| p1, p2, s | ... |]", line=req.line, source=source)
    rows: list[tuple[int, list[int]]] = req.value  # type: ignore[assignment]
    if len(rows) != n_meet:
        raise InstanceError(f"requested has {len(rows)} rows but nMeetings = {n_meet}", line=req.line, source=source)
    meetings: list[Meeting] = []
    for k, (line, row) in enumerate(rows):
        if len(row) != 3:
            raise InstanceError(f"meeting {k + 1}: expected 3 values p1, p2, s, found {len(row)}", line=line, source=source)
        a, b, s = row
        for p in (a, b):
            if not 1 <= p <= n_part:
                raise InstanceError(f"meeting {k + 1}: participant {p} is not in 1..{n_part}", line=line, source=source)
        if a == b:
            raise InstanceError(f"meeting {k + 1}: participant {a} cannot meet itself", line=line, source=source)
        if s not in _RULES:
            raise InstanceError(f"meeting {k + 1}: session {s} must be 1, 2 or 3", line=line, source=source)
        meetings.append(Meeting(id=k + 1, a=a, b=b, session=_RULES[s]))

    unavailable: dict[int, frozenset[int]] = {}
    if "forbidden" in data:
        forb = data["forbidden"]
        if forb.kind != "array" or any(v.kind != "set" for v in forb.value):  # type: ignore[attr-defined]
            raise InstanceError("forbidden must be an array of sets", line=forb.line, source=source)
        sets: list[_Val] = forb.value  # type: ignore[assignment]
        if len(sets) != n_part:
            raise InstanceError(f"forbidden has {len(sets)} entries but nBusiness = {n_part}", line=forb.line, source=source)
        for p, v in enumerate(sets, start=1):
            bad = [s for s in v.value if not 0 <= s <= n_slots]  # type: ignore[attr-defined]
            if bad:
                raise InstanceError(f"forbidden slot {bad[0]} of participant {p} is not in 1..{n_slots}",
                                    line=v.line, source=source)
            slots = frozenset(s - 1 for s in v.value if s != 0)  # type: ignore[attr-defined]
            if slots:
                unavailable[p] = slots

    locks: list[Lock] = []
    if "fixed" in data:
        fixed = data["fixed"]
        if fixed.kind != "array" or any(v.kind != "int" for v in fixed.value):  # type: ignore[attr-defined]
            raise InstanceError("fixed must be an array of integers", line=fixed.line, source=source)
        values: list[_Val] = fixed.value  # type: ignore[assignment]
        if len(values) != n_meet:
            raise InstanceError(f"fixed has {len(values)} entries but nMeetings = {n_meet}", line=fixed.line, source=source)
        for k, v in enumerate(values):
            if not 0 <= v.value <= n_slots:  # type: ignore[operator]
                raise InstanceError(f"fixed slot {v.value} of meeting {k + 1} is not in 0..{n_slots}", line=v.line, source=source)
            if v.value:
                locks.append(Lock(meeting_id=k + 1, slot=v.value - 1))  # type: ignore[operator]

    slots = tuple(
        Slot(day=0, session=Session.MORNING if i < n_morning else Session.AFTERNOON, label=f"slot {i + 1}")
        for i in range(n_slots)
    )
    return Instance(
        participants=tuple(Participant(id=p) for p in range(1, n_part + 1)),
        meetings=tuple(meetings),
        slots=slots,
        tables=tuple(Table(number=t) for t in range(1, n_tables + 1)),
        unavailable=unavailable,
        locks=tuple(locks),
    )


def load_dzn(text_or_path: str | Path) -> Instance:
    """Load a B2B ``.dzn`` instance from a path or from the file's text.

    A :class:`~pathlib.Path`, or a string without ``=`` (a data file always has one), is read as a path.
    Raises :class:`InstanceError` (a ``ValueError``) with the line number on malformed input.
    """
    if isinstance(text_or_path, Path) or "=" not in text_or_path:
        path = Path(text_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InstanceError(f"no such file: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InstanceError(f"cannot read {path}: {exc}") from None
        return parse_dzn(text, source=str(path))
    return parse_dzn(text_or_path)
