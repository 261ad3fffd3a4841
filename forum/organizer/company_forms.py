"""Organizer forms for companies and delegations: the list's filters, upload, delegations, acting for a company."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum.forms import ForumForm, options
from forum.models.forum import COUNTRY_MAX, DELEGATION_NAME_MAX
from forum.models.meeting import MESSAGE_MAX
from forum.services import taxonomy

STATUS_CHOICES = [("", _l("Any status")), ("active", _l("Active")), ("deactivated", _l("Deactivated")),
                  ("opted_out", _l("Opted out"))]


class CompanyListFilterForm(ForumForm):
    """GET filters; no CSRF, since searching changes nothing."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    delegation = SelectField(_l("Delegation"), coerce=int, validators=[Optional()])
    sector = SelectField(_l("Sector"), coerce=int, validators=[Optional()])
    status = SelectField(_l("Status"), choices=options(STATUS_CHOICES), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.delegation.choices = options([(0, _l("All delegations"))]
                                          + [(d.id, d.name) for d in taxonomy.all_delegations()])
        self.sector.choices = options([(0, _l("All sectors"))] + [(s.id, s.name) for s in taxonomy.all_sectors()])


class ActionForm(ForumForm):
    """A button that changes something (deactivate, opt out): only the CSRF token."""


class ImportForm(ForumForm):
    file = FileField(_l("CSV file"), description=_l("UTF-8 CSV with the columns of “flask import-companies”."))


class DelegationForm(ForumForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the delegation's name.")),
                                               Length(max=DELEGATION_NAME_MAX)])
    country = StringField(_l("Country"), validators=[DataRequired(_l("Enter the delegation's country.")),
                                                     Length(max=COUNTRY_MAX)])


class RenameDelegationForm(ForumForm):
    name = StringField(_l("New name"), validators=[DataRequired(_l("Enter the delegation's name.")),
                                                   Length(max=DELEGATION_NAME_MAX)])


class ActRequestForm(ForumForm):
    partner = SelectField(_l("Ask for a meeting with"), coerce=int,
                          validators=[DataRequired(_l("Choose the company to meet."))])
    message = TextAreaField(_l("Message"), validators=[Length(max=MESSAGE_MAX)])

    def __init__(self, partners=(), *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partner.choices = options([(0, _l("Choose…"))]
                                       + [(c.id, f"{c.name} ({c.delegation.name})") for c in partners])
