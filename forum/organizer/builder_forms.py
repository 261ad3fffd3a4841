"""Forms of the agenda builder. Each carries the agenda version it was shown (optimistic locking)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from forum.forms import ForumForm
from forum.services.companies import MAX_ID


def _optional_int(value):
    return int(value) if value not in (None, "") else None


_ID = [InputRequired(_l("This form is incomplete; reload the page.")), NumberRange(1, MAX_ID)]


_COMPANY = [InputRequired(_l("Choose a company.")), NumberRange(1, MAX_ID, _l("Choose a company."))]


class VersionedForm(ForumForm):
    version = IntegerField(validators=[InputRequired(_l("This form is incomplete; reload the page.")),
                                       NumberRange(0, 2**31)])


class MoveForm(VersionedForm):
    request_id = IntegerField(validators=_ID)
    slot_id = SelectField(_l("Slot"), coerce=int, validate_choice=False, validators=_ID)
    table_id = SelectField(_l("Table"), coerce=int, validate_choice=False, validators=_ID)
    swap = BooleanField(_l("If the cell is taken, swap the two meetings"))
    session = HiddenField()


class SwapForm(VersionedForm):
    request_a = IntegerField(validators=_ID)
    request_b = IntegerField(validators=_ID)
    session = HiddenField()


class LockForm(VersionedForm):
    request_id = IntegerField(validators=_ID)
    locked = BooleanField()
    session = HiddenField()


class AddMeetingForm(VersionedForm):
    company_a = SelectField(_l("First company"), coerce=_optional_int, validate_choice=False, validators=_COMPANY)
    company_b = SelectField(_l("Second company"), coerce=_optional_int, validate_choice=False, validators=_COMPANY)
    slot_id = SelectField(_l("Slot (optional)"), coerce=_optional_int, validate_choice=False, validators=[Optional()])
    table_id = SelectField(_l("Table (optional)"), coerce=_optional_int, validate_choice=False, validators=[Optional()])
    session = HiddenField()


class ActionForm(VersionedForm):
    """Undo and publish: only the version."""

    session = HiddenField()


class RescheduleForm(VersionedForm):
    time_limit = FloatField(_l("Time limit (seconds)"), default=10.0,
                            validators=[InputRequired(_l("Enter a time limit in seconds.")),
                                        NumberRange(1, 120, _l("Enter a time limit from 1 to 120 seconds."))])
    session = HiddenField()
