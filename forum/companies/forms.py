"""The company profile form, used for sign-up and for editing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forum.forms import ForumForm, checkbox_options, options
from forum.languages import SPOKEN_LANGUAGES
from forum.models import CompanySize
from forum.models.company import (
    CITY_MAX,
    CONTACT_NAME_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    MAX_SECTORS,
    NAME_MAX,
    NEEDS_MAX,
    OFFERS_MAX,
    PHONE_MAX,
    WEBSITE_MAX,
)
from forum.models.forum import COUNTRY_MAX
from forum.services import taxonomy
from forum.services.companies import CompanyProfile
from forum.validation import clean_email, clean_phone, clean_website

SIZE_CHOICES = [
    ("", _l("Not stated")),
    (CompanySize.MICRO.value, _l("Micro (fewer than 10 people)")),
    (CompanySize.SMALL.value, _l("Small (10–49 people)")),
    (CompanySize.MEDIUM.value, _l("Medium (50–249 people)")),
    (CompanySize.LARGE.value, _l("Large (250 people or more)")),
]


def _cleaned_by(cleaner):
    """A WTForms validator that runs a shared ``clean_*`` function and keeps its cleaned value."""

    def validator(form, field):
        if not field.data:
            return
        try:
            field.data = cleaner(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    return validator


class CompanyProfileForm(ForumForm):
    name = StringField(_l("Company name"), validators=[DataRequired(_l("Enter the company name.")),
                                                      Length(max=NAME_MAX)])
    delegation = SelectField(_l("Delegation"), coerce=int,
                             validators=[DataRequired(_l("Choose your delegation."))])
    country = StringField(_l("Country"), validators=[DataRequired(_l("Enter the country.")),
                                                    Length(max=COUNTRY_MAX)])
    city = StringField(_l("City or district"), validators=[Length(max=CITY_MAX)])
    sectors = SelectMultipleField(_l("Sectors"), coerce=int, **checkbox_options)
    offers = TextAreaField(
        _l("What you offer"), validators=[Length(max=OFFERS_MAX)],
        description=_l("Products, services, capacity or investment you bring. One item per line works well."),
    )
    needs = TextAreaField(
        _l("What you are looking for"), validators=[Length(max=NEEDS_MAX)],
        description=_l("Suppliers, buyers, equipment, partners or investment you want to find."),
    )
    description = TextAreaField(_l("About the company"), validators=[Length(max=DESCRIPTION_MAX)])
    size = SelectField(_l("Company size"), choices=options(SIZE_CHOICES), validators=[Optional()])
    website = StringField(_l("Website"), validators=[Length(max=WEBSITE_MAX), _cleaned_by(clean_website)])
    languages = SelectMultipleField(_l("Languages your delegates speak"), **checkbox_options,
                                    choices=options(SPOKEN_LANGUAGES.items()))
    contact_name = StringField(_l("Contact person"), validators=[Length(max=CONTACT_NAME_MAX)])
    contact_email = StringField(_l("Contact e-mail"),
                                validators=[Length(max=EMAIL_MAX), _cleaned_by(clean_email)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=PHONE_MAX), _cleaned_by(clean_phone)])
    opted_out = BooleanField(_l("Pause matchmaking: do not suggest us to other companies"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.delegation.choices = options(
            [(0, _l("Choose…"))] + [(d.id, d.name) for d in taxonomy.all_delegations()]
        )
        self.sectors.choices = options((s.id, s.name) for s in taxonomy.all_sectors())

    def validate_sectors(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one sector."))
        if len(field.data) > MAX_SECTORS:
            raise ValidationError(_l("Choose at most %(max)d sectors.", max=MAX_SECTORS))

    def validate_needs(self, field) -> None:
        # Matchmaking has nothing to work with when both are empty.
        if not field.data and not self.offers.data:
            raise ValidationError(_l("Say what you offer, what you are looking for, or both."))

    def to_profile(self) -> CompanyProfile:
        return CompanyProfile(
            name=self.name.data,
            delegation_id=self.delegation.data,
            country=self.country.data,
            city=self.city.data or "",
            sector_ids=list(self.sectors.data or []),
            offers=self.offers.data or "",
            needs=self.needs.data or "",
            description=self.description.data or "",
            size=CompanySize(self.size.data) if self.size.data else None,
            website=self.website.data or "",
            languages=list(self.languages.data or []),
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
            opted_out=bool(self.opted_out.data),
        )

    def load(self, company) -> None:
        """Fill the form from a company, for the edit page."""
        self.process(obj=company)
        # Set after process(): WTForms prefers an attribute of `obj` over a keyword of the same name,
        # and company.delegation / company.sectors are objects the int coercion turns into nothing.
        self.delegation.data = company.delegation_id
        self.sectors.data = [s.id for s in company.sectors]
        self.size.data = company.size.value if company.size else ""
        self.languages.data = list(company.languages)


class DirectoryFilterForm(ForumForm):
    """The directory's GET filters; no CSRF, since searching changes nothing."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    delegation = SelectField(_l("Delegation"), coerce=int, validators=[Optional()])
    sector = SelectField(_l("Sector"), coerce=int, validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.delegation.choices = options(
            [(0, _l("All delegations"))] + [(d.id, d.name) for d in taxonomy.all_delegations()]
        )
        self.sector.choices = options(
            [(0, _l("All sectors"))] + [(s.id, s.name) for s in taxonomy.all_sectors()]
        )


class InviteColleagueForm(ForumForm):
    email = StringField(_l("Your colleague's e-mail"),
                        validators=[DataRequired(_l("Enter your colleague's e-mail address.")),
                                    Length(max=EMAIL_MAX), _cleaned_by(clean_email)])
