"""Input limits: every text field of every form is capped, no more than the column it is stored in; uploads
are capped by MAX_CONTENT_LENGTH and the importer's own limits, and a refused upload writes nothing.

``FIELDS`` maps each text field (StringField and its subclasses: TextAreaField, EmailField, PasswordField,
HiddenField) of each form class found in the ``forum`` package to the column it is stored in, or to the
reason it needs no Length validator. A new text field without an entry fails
``test_every_text_field_has_an_entry``.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import pkgutil
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Column, String, Text, func, select
from wtforms import Form, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import forum
from forum.extensions import db
from forum.models import ApiToken, Company, Delegation, Forum, MeetingRequest, Role, User
from forum.services import company_admin
from forum.services.importer import COLUMNS
from tests import factories
from tests.integration.db_snapshot import changed_tables, snapshot


@dataclass(frozen=True)
class Stored:
    """Saved in this column: the form's Length(max) must not exceed the column's length."""

    column: Column


@dataclass(frozen=True)
class Bounded:
    """Not stored as typed: the reason says what bounds it instead of a Length validator."""

    reason: str


def _c(model, name: str) -> Stored:
    return Stored(model.__table__.c[name])


_PROFILE = {
    "name": _c(Company, "name"), "country": _c(Company, "country"), "city": _c(Company, "city"),
    "offers": _c(Company, "offers"), "needs": _c(Company, "needs"), "description": _c(Company, "description"),
    "website": _c(Company, "website"), "contact_name": _c(Company, "contact_name"),
    "contact_email": _c(Company, "contact_email"), "contact_phone": _c(Company, "contact_phone"),
}
_NEW_PASSWORD = {
    "password": Bounded("hashed, never stored as typed; password_problem() refuses more than 200 characters"),
    "confirm": Bounded("must equal password (EqualTo), which is capped at 200 characters"),
}
_VERSION = Bounded("parsed as an int by version_number(); anything else is a stale form")
_DAY = Bounded("parsed as an ISO date by _parse_day(); anything else falls back to today")
_SESSION = Bounded("parsed as a session number by _session_arg(); never stored")
_CODE = Bounded("compared with a 6-character pass code; never stored")
_SECTOR = Bounded("parsed as a sector id; an unknown id is refused")
_Q = Bounded("truncated to 200 characters by the view, and only 10 words are searched")

FIELDS: dict[str, dict[str, Stored | Bounded]] = {
    "forum.agenda.outcome_forms.FeedbackForm": {
        "value_usd": Bounded("parsed to whole dollars by parse_value_usd(), at most VALUE_USD_MAX")},
    "forum.agenda.passes.CodeForm": {"code": _CODE},
    "forum.auth.forms.ApiTokenForm": {"name": _c(ApiToken, "name")},
    "forum.auth.forms.ForgotPasswordForm": {"email": _c(User, "email")},
    "forum.auth.forms.JoinCompanyForm": {"full_name": _c(User, "full_name"), **_NEW_PASSWORD},
    "forum.auth.forms.LoginForm": {"email": _c(User, "email"),
                                   "password": Bounded("only checked against the hash; Length(max=200)")},
    "forum.auth.forms.NewAccountFields": {"full_name": _c(User, "full_name"), **_NEW_PASSWORD},
    "forum.auth.forms.ResetPasswordForm": dict(_NEW_PASSWORD),
    "forum.auth.forms.SignupForm": {**_PROFILE, "email": _c(User, "email"), "full_name": _c(User, "full_name"),
                                    **_NEW_PASSWORD},
    "forum.companies.forms.CompanyProfileForm": dict(_PROFILE),
    "forum.companies.forms.DirectoryFilterForm": {"q": _Q},
    "forum.companies.forms.InviteColleagueForm": {"email": _c(User, "email")},
    "forum.meetings.forms.AnswerForm": {"version": _VERSION},
    "forum.meetings.forms.MeetingRequestForm": {"message": _c(MeetingRequest, "message")},
    "forum.organizer.attendance.DayForm": {"day": _DAY},
    "forum.organizer.attendance.MarkForm": {"day": _DAY},
    "forum.organizer.attendance.OfferForm": {"day": _DAY},
    "forum.organizer.attendance.TableCodeForm": {"day": _DAY, "code": _CODE},
    "forum.organizer.builder_forms.ActionForm": {"session": _SESSION},
    "forum.organizer.builder_forms.AddMeetingForm": {"session": _SESSION},
    "forum.organizer.builder_forms.LockForm": {"session": _SESSION},
    "forum.organizer.builder_forms.MoveForm": {"session": _SESSION},
    "forum.organizer.builder_forms.RescheduleForm": {"session": _SESSION},
    "forum.organizer.builder_forms.SwapForm": {"session": _SESSION},
    "forum.organizer.company_forms.ActRequestForm": {"message": _c(MeetingRequest, "message")},
    "forum.organizer.company_forms.CompanyListFilterForm": {"q": _Q},
    "forum.organizer.company_forms.DelegationForm": {"name": _c(Delegation, "name"),
                                                      "country": _c(Delegation, "country")},
    "forum.organizer.company_forms.RenameDelegationForm": {"name": _c(Delegation, "name")},
    "forum.organizer.dashboard_forms.ForumDetailsForm": {
        "name": _c(Forum, "name"), "city": _c(Forum, "city"), "venue": _c(Forum, "venue"),
        "description": _c(Forum, "description")},
    "forum.organizer.forms.AffinityRowForm": {"sector_a": _SECTOR, "sector_b": _SECTOR},
    "forum.organizer.forms.AgendaSettingsForm": {
        "sessions": Bounded("parsed into sessions; Length(max=4000) caps the text"),
        "breaks": Bounded("parsed into breaks; Length(max=4000) caps the text")},
    "forum.organizer.forms.ReservedTablesForm": {
        "delegation_id": Bounded("parsed as a delegation id"),
        "tables": Bounded("parsed into table numbers; Length(max=200) caps the text")},
}


def _forum_form_classes() -> dict[str, type[Form]]:
    """Every WTForms form class defined in the forum package (migrations and __main__ are not importable)."""
    found: dict[str, type[Form]] = {}
    for info in pkgutil.walk_packages(forum.__path__, "forum."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Form) and obj.__module__.startswith("forum."):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def _text_fields(cls: type[Form]) -> dict[str, UnboundField]:
    return {name: value for name in dir(cls) if isinstance(value := getattr(cls, name), UnboundField)
            and issubclass(value.field_class, StringField)}


def _length_max(unbound: UnboundField) -> int | None:
    validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else ())
    caps = [v.max for v in validators if isinstance(v, Length) and v.max >= 0]
    return min(caps) if caps else None


FORMS = _forum_form_classes()
ROWS = [(form, name, entry) for form, fields in FIELDS.items() for name, entry in fields.items()]


def test_every_text_field_has_an_entry() -> None:
    actual = {(form, name) for form, cls in FORMS.items() for name in _text_fields(cls)}
    listed = {(form, name) for form, name, _ in ROWS}
    assert actual - listed == set(), "add these fields to FIELDS"
    assert listed - actual == set(), "these fields are gone: drop them from FIELDS"


def test_forms_are_found_in_every_blueprint() -> None:
    # The walk must reach the forms in views modules too, not only in forms.py files.
    assert {"forum.agenda.passes.CodeForm", "forum.organizer.attendance.OfferForm",
            "forum.auth.forms.SignupForm", "forum.organizer.forms.MatchingSettingsForm"} <= FORMS.keys()


@pytest.mark.parametrize(("form", "name", "entry"), [r for r in ROWS if isinstance(r[2], Stored)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_stored_text_field_capped_within_its_column(form: str, name: str, entry: Stored) -> None:
    cap = _length_max(_text_fields(FORMS[form])[name])
    assert cap is not None, f"{form}.{name} has no Length(max=...)"
    column_type = entry.column.type
    if isinstance(column_type, String) and column_type.length is not None:
        assert cap <= column_type.length
    else:
        assert isinstance(column_type, Text)  # TEXT has no limit of its own: the form's cap is the limit


@pytest.mark.parametrize(("form", "name"), [(f, n) for f, n, e in ROWS if isinstance(e, Bounded)
                                            and "Length(max=" in e.reason])
def test_bounded_field_claiming_a_length_has_it(form: str, name: str) -> None:
    reason = FIELDS[form][name].reason
    claimed = int(reason.split("Length(max=")[1].split(")")[0])
    assert _length_max(_text_fields(FORMS[form])[name]) == claimed


# -- uploads -------------------------------------------------------------------------------------------

ALMATY = "Almaty Region (Kazakhstan)"


def _csv(count: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    cells = {"delegation": ALMATY, "country": "Kazakhstan", "sectors": "agriculture", "offers": "Apples"}
    for i in range(count):
        writer.writerow([{**cells, "name": f"Orchard {i}"}.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode()


@pytest.fixture
def organizer(app: Flask, login_as) -> FlaskClient:
    with app.app_context():
        factories.delegation(name=ALMATY)
        user_id = factories.user(role=Role.ORGANIZER)
    return login_as(user_id)


def _upload(client: FlaskClient, data: bytes):
    return client.post("/organizer/companies/import", data={"file": (io.BytesIO(data), "companies.csv")},
                       content_type="multipart/form-data")


def test_upload_over_max_content_length_refused_with_413_and_nothing_written(app: Flask, organizer):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 4 * 1024 * 1024
    data = _csv(3) + b"#" * limit
    with app.app_context():
        before = snapshot()
    response = _upload(organizer, data)
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    with app.app_context():
        assert changed_tables(before, snapshot()) == []


def test_upload_over_import_byte_cap_refused_with_message_and_nothing_written(app: Flask, organizer):
    data = _csv(3) + b"\r\n" * (company_admin.MAX_UPLOAD_BYTES // 2)
    assert len(data) < app.config["MAX_CONTENT_LENGTH"]
    with app.app_context():
        before = snapshot()
    response = _upload(organizer, data)
    assert response.status_code == 422
    assert "The file is larger than 2 MB; split it into smaller files." in response.get_data(as_text=True)
    with app.app_context():
        assert changed_tables(before, snapshot()) == []


def test_upload_over_import_max_rows_refused_with_message_and_nothing_written(app: Flask, organizer):
    app.config["IMPORT_MAX_ROWS"] = 3
    with app.app_context():
        before = snapshot()
    response = _upload(organizer, _csv(4))
    assert response.status_code == 422
    assert "The file has more than 3 companies; split it into smaller files." in response.get_data(as_text=True)
    with app.app_context():
        assert changed_tables(before, snapshot()) == []


def test_upload_at_import_max_rows_accepted(app: Flask, organizer):
    app.config["IMPORT_MAX_ROWS"] = 3
    response = _upload(organizer, _csv(3))
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Company)) == 3
