"""Sign-up, login, join-a-company, password reset, log-out-everywhere and API token forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from forum.companies.forms import CompanyProfileForm, _cleaned_by
from forum.forms import ForumForm, options
from forum.models import TOKEN_NAME_MAX, TokenScope
from forum.models.company import CONTACT_NAME_MAX, EMAIL_MAX
from forum.services.api_tokens import LIFETIMES_DAYS
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


class ForgotPasswordForm(ForumForm):
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                     Length(max=EMAIL_MAX)])


class ResetPasswordForm(ForumForm):
    """A new password from a reset link, under the same rules as at sign-up."""

    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password."))],
                             description=_l("At least 10 characters. A short phrase is easy to remember."))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", _l("The two passwords differ."))])

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = email

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "", self.account_email)
        if problem:
            raise ValidationError(problem)


class LogoutEverywhereForm(ForumForm):
    """The "Log out everywhere" button: only the CSRF token."""


TOKEN_SCOPE_CHOICES = [
    (TokenScope.READ.value, _l("Read only")),
    (TokenScope.WRITE.value, _l("Read and write")),
]
NEVER = "never"


def _lifetime_choices() -> list[tuple[str, object]]:
    return [*((str(days), _l("%(days)d days", days=days)) for days in LIFETIMES_DAYS), (NEVER, _l("Never expires"))]


class ApiTokenForm(ForumForm):
    """A new personal API token. The service checks the name, scope and lifetime again, so the form's
    checks are for quick feedback only."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the token a name, such as “Agenda script”.")),
                                               Length(max=TOKEN_NAME_MAX)],
                       description=_l("What uses it, so that you know which one to revoke later."))
    scope = RadioField(_l("Access"), choices=options(TOKEN_SCOPE_CHOICES), default=TokenScope.READ.value,
                       validate_choice=True)
    days = SelectField(_l("Valid for"), default="90")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.days.choices = options(_lifetime_choices())

    def lifetime_days(self) -> int | None:
        """The chosen lifetime in days; None for a token that never expires."""
        return None if self.days.data == NEVER else int(self.days.data)
