"""Sign-up, login and join-a-company forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from forum.companies.forms import CompanyProfileForm, _cleaned_by
from forum.forms import ForumForm
from forum.models.company import CONTACT_NAME_MAX, EMAIL_MAX
from forum.services.passwords import password_problem
from forum.validation import clean_email


class NewAccountFields(ForumForm):
    """Name and a new password, checked against the policy and the account's e-mail."""

    full_name = StringField(_l("Your full name"), validators=[DataRequired(_l("Enter your name.")),
                                                             Length(max=CONTACT_NAME_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))],
                             description=_l("At least 10 characters. A short phrase is easy to remember."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", _l("The two passwords differ."))])

    def account_email(self) -> str:
        raise NotImplementedError

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "", self.account_email())
        if problem:
            raise ValidationError(problem)


class SignupForm(NewAccountFields, CompanyProfileForm):
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                     Length(max=EMAIL_MAX), _cleaned_by(clean_email)])

    def account_email(self) -> str:
        return self.email.data or ""


class JoinCompanyForm(NewAccountFields):
    """A colleague accepting an invitation: the e-mail and company come from the signed link."""

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invited_email = email

    def account_email(self) -> str:
        return self.invited_email


class LoginForm(ForumForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                Length(max=EMAIL_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                        Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
