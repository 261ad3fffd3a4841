"""Organizer forms: the matching settings and the value-chain table of related sectors."""

from __future__ import annotations

import math
import re
from datetime import date, time

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FloatField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from forum.forms import ForumForm, options
from forum.matching import CrossDelegation, Weights
from forum.models.matching import WEIGHT_MAX
from forum.services import taxonomy
from forum.services.agenda import BreakSpec, SessionSpec, TimeStructure
from forum.services.companies import MAX_ID

CROSS_DELEGATION_CHOICES = [
    (CrossDelegation.ONLY.value, _l("Only between delegations: never suggest a company of one's own delegation")),
    (CrossDelegation.PREFER.value, _l("Prefer other delegations: a bonus, weighted below")),
    (CrossDelegation.NONE.value, _l("No preference")),
]


def _finite(form, field) -> None:
    # float() accepts "nan" and "inf", which compare false with any bound and would pass NumberRange.
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(_l("Enter a number."))


def _weight(label, description):
    return FloatField(label, description=description,
                      validators=[InputRequired(_l("Enter a number from 0 to %(max)d.", max=int(WEIGHT_MAX))),
                                  _finite, NumberRange(0, WEIGHT_MAX, _l("Enter a number from 0 to %(max)d.",
                                                                        max=int(WEIGHT_MAX)))])


_STRENGTH_MESSAGE = _l("A strength is a number above 0 and at most 1.")


class AffinityRowForm(Form):
    """One related-sector pair; a sub-form, so the page's single CSRF token covers it."""

    sector_a = HiddenField()
    sector_b = HiddenField()
    strength = FloatField(_l("Strength"))
    remove = BooleanField(_l("Remove"))

    def validate_strength(self, field) -> None:
        if self.remove.data:
            field.errors.clear()  # a row on its way out needs no valid strength
            raise StopValidation()
        if field.data is None or not math.isfinite(field.data) or not 0.01 <= field.data <= 1:
            if not field.errors:
                raise StopValidation(_STRENGTH_MESSAGE)
            field.errors[:] = [_STRENGTH_MESSAGE]
            raise StopValidation()

    def pair(self) -> tuple[int, int] | None:
        try:
            return int(self.sector_a.data), int(self.sector_b.data)
        except (TypeError, ValueError):
            return None


class MatchingSettingsForm(ForumForm):
    cross_delegation = RadioField(_l("Meetings between delegations"), choices=options(CROSS_DELEGATION_CHOICES),
                                  validators=[InputRequired(_l("Choose one rule."))])
    weight_complementarity = _weight(_l("Needs met by offers"),
                                     _l("One company needs what the other offers, in either direction."))
    weight_sector = _weight(_l("Sectors"), _l("The same sector, or related sectors of one value chain."))
    weight_cross_delegation = _weight(_l("Other delegation"),
                                      _l("The bonus for a partner from another delegation (with “Prefer”)."))
    weight_language = _weight(_l("Shared language"), _l("The delegates can talk without an interpreter."))
    affinity = FieldList(FormField(AffinityRowForm), _l("Related sectors"), min_entries=0, max_entries=200)
    new_sector_a = SelectField(_l("Sector"), coerce=int, validators=[Optional()])
    new_sector_b = SelectField(_l("Related sector"), coerce=int, validators=[Optional()])
    new_strength = FloatField(_l("Strength"), default=0.5,
                              validators=[Optional(), _finite, NumberRange(0.01, 1, _STRENGTH_MESSAGE)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sectors = taxonomy.all_sectors()
        self.sector_labels = {s.id: s.name for s in sectors}
        choices = options([(0, _l("Choose…"))] + [(s.id, s.name) for s in sectors])
        self.new_sector_a.choices = choices
        self.new_sector_b.choices = list(choices)

    def validate_affinity(self, field) -> None:
        seen = set()
        for row in field:
            pair = row.form.pair()
            if pair is None or not all(i in self.sector_labels for i in pair) or pair[0] == pair[1]:
                raise ValidationError(_l("The table of related sectors was changed elsewhere; reload the page."))
            key = frozenset(pair)
            if key in seen:
                raise ValidationError(_l("The table lists the same pair twice; reload the page."))
            seen.add(key)

    def validate_new_sector_b(self, field) -> None:
        a, b = self.new_sector_a.data or 0, field.data or 0
        if bool(a) != bool(b):
            raise ValidationError(_l("Choose both sectors of the new pair, or neither."))
        if a and a == b:
            raise ValidationError(_l("A sector is always related to itself; choose two different sectors."))
        listed = {frozenset(row.form.pair() or ()) for row in self.affinity}
        if a and frozenset((a, b)) in listed:
            raise ValidationError(_l("This pair is already in the table: change its strength there."))

    def weights(self) -> Weights:
        return Weights(complementarity=self.weight_complementarity.data, sector=self.weight_sector.data,
                       cross_delegation=self.weight_cross_delegation.data, language=self.weight_language.data)

    def affinity_pairs(self) -> dict[tuple[int, int], float]:
        pairs = {}
        for row in self.affinity:
            if not row.form.remove.data:
                a, b = row.form.pair()
                pairs[tuple(sorted((a, b)))] = row.form.strength.data
        if self.new_sector_a.data and self.new_sector_b.data:
            pairs[tuple(sorted((self.new_sector_a.data, self.new_sector_b.data)))] = self.new_strength.data or 0.5
        return pairs


# --- the agenda's time structure ------------------------------------------------------------------

_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+(\d{1,2}[:.]\d{2})\s*[-–—]\s*(\d{1,2}[:.]\d{2})\s*(.*)$")


def parse_time_lines(text: str, with_label: bool = False) -> tuple[list[tuple], list[str]]:
    """Lines like "2024-10-17 10:00-13:00" (and a label after, for breaks): (rows, problems)."""
    rows, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        found = _LINE.match(line)
        try:
            if not found or (found.group(4).strip() and not with_label):
                raise ValueError
            day = date.fromisoformat(found.group(1))
            starts, ends = (time(*map(int, found.group(i).replace(".", ":").split(":"))) for i in (2, 3))
        except ValueError:
            problems.append(str(_l("Line %(line)d: write it as “2024-10-17 10:00-13:00”.", line=number)))
            continue
        rows.append((day, starts, ends, found.group(4).strip()[:80]))
    return rows, problems


def parse_table_numbers(text: str) -> set[int]:
    """ "1-5, 9" -> {1, 2, 3, 4, 5, 9}; ValueError on anything else."""
    numbers: set[int] = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, _sep, high = part.partition("-")
        first, last = int(low), int(high or low)
        if first < 1 or last < first or last - first > 10_000:
            raise ValueError(part)
        numbers.update(range(first, last + 1))
    return numbers


class ReservedTablesForm(Form):
    delegation_id = HiddenField()
    tables = StringField(_l("Tables"), validators=[Length(max=200)])

    def validate_delegation_id(self, field) -> None:
        # A hidden field the page fills in; anything but an id is a tampered or truncated form.
        if delegation_id_of(field.data) is None:
            raise ValidationError(_l("This form is incomplete. Reload the page and try again."))


def delegation_id_of(value: object) -> int | None:
    """The id a reserved-tables row names, or None when the posted value is not one."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


class AgendaSettingsForm(ForumForm):
    sessions = TextAreaField(
        _l("Sessions"), validators=[Length(max=4000)],
        description=_l("One per line, in the forum's local time: “2024-10-17 10:00-13:00”."))
    breaks = TextAreaField(
        _l("Breaks inside sessions"), validators=[Length(max=4000)],
        description=_l("One per line, with an optional name: “2024-10-17 11:20-11:40 Coffee”. No slot overlaps a break."))
    slot_minutes = IntegerField(_l("Slot length (minutes)"),
                                validators=[InputRequired(_l("Enter the slot length in minutes.")),
                                            NumberRange(5, 240, _l("A slot lasts from 5 to 240 minutes."))])
    tables = IntegerField(_l("Number of tables"),
                          validators=[InputRequired(_l("Enter how many tables the venue has.")),
                                      NumberRange(1, 1000, _l("From 1 to 1000 tables."))])
    reserved = FieldList(FormField(ReservedTablesForm), _l("Tables reserved per delegation"), max_entries=100)
    request_expiry_hours = IntegerField(
        _l("A request expires after (hours)"),
        validators=[InputRequired(_l("Enter a number of hours.")),
                    NumberRange(1, 24 * 60, _l("From 1 hour to 60 days."))])
    max_meetings_per_company = IntegerField(_l("Most accepted meetings per company"), validators=[
        Optional(), NumberRange(1, 1000, _l("From 1 to 1000, or empty for no limit."))],
        description=_l("Empty: no limit."))
    max_pending_per_company = IntegerField(_l("Most unanswered requests per company"), validators=[
        Optional(), NumberRange(1, 1000, _l("From 1 to 1000, or empty for no limit."))],
        description=_l("Empty: no limit."))

    def validate_sessions(self, field) -> None:
        rows, problems = parse_time_lines(field.data)
        if problems:
            raise ValidationError(" ".join(problems))
        if not rows:
            raise ValidationError(_l("Add at least one session."))

    def validate_breaks(self, field) -> None:
        _rows, problems = parse_time_lines(field.data, with_label=True)
        if problems:
            raise ValidationError(" ".join(problems))

    def validate_reserved(self, field) -> None:
        seen: dict[int, int] = {}
        for row in field:
            try:
                numbers = parse_table_numbers(row.form.tables.data)
            except ValueError:
                raise ValidationError(_l("Write reserved tables as numbers and ranges, e.g. “1-5, 9”.")) from None
            for number in numbers:
                if number in seen:
                    raise ValidationError(_l("Table %(number)d is reserved for two delegations.", number=number))
                seen[number] = row.form.delegation_id.data

    def structure(self) -> TimeStructure:
        sessions, _p = parse_time_lines(self.sessions.data)
        breaks, _p = parse_time_lines(self.breaks.data, with_label=True)
        reserved = {}
        for row in self.reserved:
            for number in parse_table_numbers(row.form.tables.data):
                reserved[number] = delegation_id_of(row.form.delegation_id.data)
        return TimeStructure(sessions=[SessionSpec(d, s, e) for d, s, e, _label in sessions],
                             breaks=[BreakSpec(d, s, e, label) for d, s, e, label in breaks],
                             slot_minutes=self.slot_minutes.data, tables=self.tables.data, reserved=reserved)


class RunSchedulerForm(ForumForm):
    dry_run = BooleanField(_l("Dry run: show the result without saving it"))
    time_limit = IntegerField(_l("Time limit (seconds)"), default=10,
                              validators=[InputRequired(_l("Enter a number of seconds.")),
                                          NumberRange(1, 120, _l("From 1 to 120 seconds."))])
