"""The feedback form after a held meeting: three rows of large radio chips and an optional value."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, ValidationError

from forum.forms import ForumForm, options
from forum.models import DealOutcome
from forum.services import outcomes
from forum.services.errors import ServiceError

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]

OUTCOME_CHOICES = [
    (DealOutcome.SUPPLY_CONTRACT.value, _l("Supply contract")),
    (DealOutcome.JOINT_PRODUCTION.value, _l("Joint production")),
    (DealOutcome.INVESTMENT.value, _l("Investment")),
    (DealOutcome.MEMORANDUM.value, _l("Memorandum")),
    (DealOutcome.NOTHING.value, _l("Nothing")),
]


def _value_usd(form: FeedbackForm, field: StringField) -> None:
    try:
        field.parsed = outcomes.parse_value_usd(field.data)
    except ServiceError as exc:
        raise ValidationError(exc.message) from None


class FeedbackForm(ForumForm):
    useful = RadioField(_l("Was the meeting useful?"), choices=options(YES_NO),
                        validators=[InputRequired(message=_l("Tell us whether the meeting was useful."))])
    follow_up = RadioField(_l("Is a follow-up planned?"), choices=options(YES_NO),
                           validators=[InputRequired(message=_l("Tell us whether a follow-up is planned."))])
    outcome = RadioField(_l("What came of it?"), choices=options(OUTCOME_CHOICES),
                         validators=[InputRequired(message=_l("Choose what came of the meeting."))])
    value_usd = StringField(_l("Estimated value in US dollars (optional)"), validators=[_value_usd],
                            description=_l("Whole dollars, for example 250 000. Leave it empty if you cannot say."),
                            render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 32})

    def answers(self) -> outcomes.FeedbackAnswers:
        """The validated answers for ``outcomes.submit_feedback``."""
        return outcomes.FeedbackAnswers(useful=self.useful.data == "yes", follow_up=self.follow_up.data == "yes",
                                        outcome=DealOutcome(self.outcome.data),
                                        value_usd=getattr(self.value_usd, "parsed", None))
