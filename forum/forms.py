"""The base form every form of the platform derives from, and helpers shared by the blueprints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from forum.services.errors import ServiceError
from forum.validation import clean_text


def _clean_line(value):
    return clean_text(value) if isinstance(value, str) else value


def _clean_multiline(value):
    return clean_text(value, multiline=True) if isinstance(value, str) else value


class ForumForm(FlaskForm):
    """CSRF-protected form whose text fields arrive trimmed and free of control characters."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            # Pages post form-encoded data only. Flask-WTF would also read a JSON body, which let a login
            # sent as JSON slip past limits keyed on request.form (the typed e-mail); JSON belongs to /api/.
            if formdata is _Auto and request.is_json and not request.form and not request.files:
                return request.form
            return super().wrap_formdata(form, formdata)

        def bind_field(self, form, unbound_field, options):
            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField):
                cleaner = _clean_multiline if issubclass(cls, TextAreaField) else _clean_line
                filters = (cleaner, *unbound_field.kwargs.get("filters", ()))
                unbound_field.kwargs["filters"] = filters
            return unbound_field.bind(form=form, **options)


class CheckboxListWidget(ListWidget):
    """Checkbox groups for multi-select fields: usable on phones, no JavaScript needed."""

    def __init__(self) -> None:
        super().__init__(html_tag="ul", prefix_label=False)


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select choices from (value, label) pairs, in the form WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


checkbox_options = {"widget": CheckboxListWidget(), "option_widget": CheckboxInput()}


def attach_service_error(form: FlaskForm, error: ServiceError) -> bool:
    """Show a service refusal next to the field it concerns; False when it concerns no field."""
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        return False
    field.errors = [*field.errors, error.message]
    return True
