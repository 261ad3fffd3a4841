"""Meeting request forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import Length, Optional

from forum.forms import ForumForm, options
from forum.models import SessionPreference
from forum.models.meeting import MESSAGE_MAX

SESSION_CHOICES = [
    (SessionPreference.EITHER.value, _l("Any time")),
    (SessionPreference.MORNING.value, _l("Mornings only")),
    (SessionPreference.AFTERNOON.value, _l("Afternoons only")),
]


class MeetingRequestForm(ForumForm):
    message = TextAreaField(_l("Message (optional)"), validators=[Length(max=MESSAGE_MAX)],
                            description=_l("What you would like to discuss: it helps them say yes."))
    session = RadioField(_l("When"), choices=options(SESSION_CHOICES), default=SessionPreference.EITHER.value,
                         validators=[Optional()])


class AnswerForm(ForumForm):
    """Accept, decline or cancel: carries the version the page showed, so a stale click is refused."""

    version = HiddenField()

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None
