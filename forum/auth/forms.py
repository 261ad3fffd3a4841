"""Sign-up and login forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from forum.companies.forms import CompanyProfileForm, _cleaned_by
from forum.forms import ForumForm
from forum.models.company import CONTACT_NAME_MAX, EMAIL_MAX
from forum.services.passwords import password_problem
from forum.validation import clean_email


class SignupForm(CompanyProfileForm):
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                     Length(max=EMAIL_MAX), _cleaned_by(clean_email)])
    full_name = StringField(_l("Your full name"), validators=[DataRequired(_l("Enter your name.")),
                                                             Length(max=CONTACT_NAME_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))],
                             description=_l("At least 10 characters. A short phrase is easy to remember."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", _l("The two passwords differ."))])

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "", self.email.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(ForumForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                Length(max=EMAIL_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                        Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
