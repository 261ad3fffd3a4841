"""Bad bodies sent to PATCH /api/v1/my/company: each gets problem+json with the right status and the
field at fault, and the company row is left exactly as it was (every column, sectors included)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String

from forum.api.schemas import CompanyPatch
from forum.models import Company
from forum.models.company import NAME_MAX
from tests import factories
from tests.integration.api_company_helpers import build_world, company_snapshot
from tests.integration.api_helpers import PROBLEM, bearer, problem

URL = "/api/v1/my/company"


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    return build_world(app)


def _patch(client: FlaskClient, world: dict[str, Any], data: bytes | str,
           content_type: str | None = "application/json") -> Any:
    headers = bearer(world["alpha_token"])
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.patch(URL, headers=headers, data=data)


def _refused(app: Flask, client: FlaskClient, world: dict[str, Any], data: bytes | str, status: int,
             slug: str | None = None, content_type: str | None = "application/json") -> dict:
    """Send a bad body; assert the refusal and that nothing about the company changed."""
    before = company_snapshot(app, world["alpha"])
    body = problem(_patch(client, world, data, content_type), status, slug)
    assert company_snapshot(app, world["alpha"]) == before
    return body


def _errors(body: dict) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in body["errors"]]


# --- the body as a whole -----------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None,
                                          "application/jsonx", "multipart/form-data; boundary=x"])
def test_wrong_content_type_is_415(app: Flask, client: FlaskClient, world, content_type) -> None:
    body = _refused(app, client, world, '{"city": "Shymkent"}', 415, "unsupported-media-type", content_type)
    assert body["detail"] == "Send the body as JSON, with the header “Content-Type: application/json”."


def test_json_with_charset_parameter_is_accepted(client: FlaskClient, world) -> None:
    response = _patch(client, world, '{"city": "Shymkent"}', "application/json; charset=utf-8")
    assert (response.status_code, response.get_json()["city"]) == (200, "Shymkent")


@pytest.mark.parametrize("data", ['{"city": "Shymkent"', "{'city': 'Shymkent'}", '{"city": }', "nul",
                                  '{"city": "x"} trailing', b'{"city": "\xff\xfe"}', b"\x00\x01", "   "])
def test_invalid_json_is_400(app: Flask, client: FlaskClient, world, data) -> None:
    body = _refused(app, client, world, data, 400, "invalid-json")
    assert body["detail"].startswith("The body is not valid JSON")
    assert body["instance"] == URL


@pytest.mark.parametrize("data", ["[]", '[{"city": "Shymkent"}]', '"Shymkent"', "42", "null", "true"])
def test_body_that_is_not_an_object_is_422(app: Flask, client: FlaskClient, world, data) -> None:
    body = _refused(app, client, world, data, 422, "validation")
    assert _errors(body) == [("(body)", "object_type")]


def test_body_over_the_limit_is_413(app: Flask, client: FlaskClient, world) -> None:
    limit = app.config["API_MAX_BODY"]
    data = json.dumps({"description": "x" * limit})
    assert len(data) > limit
    body = _refused(app, client, world, data, 413, "payload-too-large")
    assert body["detail"] == f"The body is larger than {limit} bytes."


def test_body_over_the_upload_limit_is_413_too(app: Flask, client: FlaskClient, world) -> None:
    data = json.dumps({"description": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    _refused(app, client, world, data, 413, "payload-too-large")


def test_body_just_under_the_limit_is_read(app: Flask, client: FlaskClient, world) -> None:
    # A body near the limit is parsed; this one is refused for the description's own limit, not its size.
    limit = app.config["API_MAX_BODY"]
    data = json.dumps({"description": "x" * (limit - 100)})
    body = _refused(app, client, world, data, 422, "validation")
    assert _errors(body) == [("description", "too_long")]


@pytest.mark.parametrize("data", ["[" * 10000 + "]" * 10000, '{"name": ' + "[" * 10000 + "]" * 10000 + "}",
                                  '{"name": ' + "[" * 500 + "]" * 500 + "}", '{"a":' * 5000 + "1" + "}" * 5000])
def test_deeply_nested_body_is_refused_without_a_server_error(app: Flask, client: FlaskClient, world, data) -> None:
    before = company_snapshot(app, world["alpha"])
    response = _patch(client, world, data)
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    problem(response, response.status_code)
    assert company_snapshot(app, world["alpha"]) == before


# --- fields ------------------------------------------------------------------------------------------


def test_unknown_field_is_422_naming_it(app: Flask, client: FlaskClient, world) -> None:
    body = _refused(app, client, world, '{"city": "Shymkent", "colour": "red"}', 422, "validation")
    assert [(e["field"], e["location"], e["code"], e["message"]) for e in body["errors"]] == [
        ("colour", "body", "unknown_field", "Unknown field.")]


@pytest.mark.parametrize("field", ["id", "active", "profile_version", "search_text", "contact", "delegation",
                                   "sectors", "updated_at"])
def test_read_only_and_internal_fields_are_unknown(app: Flask, client: FlaskClient, world, field) -> None:
    body = _refused(app, client, world, json.dumps({field: 1}), 422, "validation")
    assert _errors(body) == [(field, "unknown_field")]


@pytest.mark.parametrize("patch, field, code, message", [
    ({"name": 5}, "name", "string_type", "Must be a string."),
    ({"name": None}, "name", "string_type", "Must be a string."),
    ({"sector_ids": "1"}, "sector_ids", "list_type", "Must be a list."),
    ({"sector_ids": ["1"]}, "sector_ids.0", "int_type", "Must be a whole number."),
    ({"sector_ids": [1.5]}, "sector_ids.0", "int_type", "Must be a whole number."),
    ({"delegation_id": "1"}, "delegation_id", "int_type", "Must be a whole number."),
    ({"delegation_id": True}, "delegation_id", "int_type", "Must be a whole number."),
    ({"opted_out": "yes"}, "opted_out", "bool_type", "Must be true or false."),
    ({"opted_out": 1}, "opted_out", "bool_type", "Must be true or false."),
    ({"languages": "ru"}, "languages", "list_type", "Must be a list."),
    ({"city": ["Almaty"]}, "city", "string_type", "Must be a string."),
])
def test_wrong_type_is_422_on_the_field(app: Flask, client: FlaskClient, world, patch, field, code,
                                        message) -> None:
    body = _refused(app, client, world, json.dumps(patch), 422, "validation")
    assert [(e["field"], e["location"], e["code"], e["message"]) for e in body["errors"]] == [
        (field, "body", code, message)]


def test_name_too_long_is_422_too_long(app: Flask, client: FlaskClient, world) -> None:
    body = _refused(app, client, world, json.dumps({"name": "N" * (NAME_MAX + 1)}), 422, "validation")
    assert [(e["field"], e["code"], e["message"]) for e in body["errors"]] == [
        ("name", "too_long", f"At most {NAME_MAX} characters.")]


def test_name_at_the_limit_is_saved(client: FlaskClient, world) -> None:
    response = _patch(client, world, json.dumps({"name": "N" * NAME_MAX}))
    assert (response.status_code, len(response.get_json()["name"])) == (200, NAME_MAX)


@pytest.mark.parametrize("patch, field, code", [
    ({"name": "   "}, "name", "value_error"),
    ({"country": ""}, "country", "too_short"),
    ({"sector_ids": []}, "sector_ids", "too_short"),
    ({"sector_ids": [1, 2, 3, 4, 5, 6, 7]}, "sector_ids", "too_long"),
    ({"sector_ids": [0]}, "sector_ids.0", "greater_than_equal"),
    ({"delegation_id": 2**40}, "delegation_id", "less_than_equal"),
    ({"size": "huge"}, "size", "enum"),
    ({"languages": ["xx"]}, "languages.0", "enum"),
    ({"website": "javascript:alert(1)"}, "website", "value_error"),
    ({"contact_email": "not an address"}, "contact_email", "value_error"),
    ({"contact_phone": "call me"}, "contact_phone", "value_error"),
])
def test_value_the_form_would_refuse_is_422(app: Flask, client: FlaskClient, world, patch, field, code) -> None:
    body = _refused(app, client, world, json.dumps(patch), 422, "validation")
    assert _errors(body) == [(field, code)]
    assert body["errors"][0]["message"]


def test_offers_and_needs_both_empty_is_422_on_needs(app: Flask, client: FlaskClient, world) -> None:
    body = _refused(app, client, world, json.dumps({"offers": "", "needs": "  "}), 422, "validation")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("needs", "Say what you offer, what you are looking for, or both.")]


def test_emptying_needs_alone_is_fine_while_offers_remain(client: FlaskClient, world) -> None:
    response = _patch(client, world, json.dumps({"needs": ""}))
    assert (response.status_code, response.get_json()["needs"]) == (200, "")


def test_unknown_sector_id_is_422_on_sector_ids(app: Flask, client: FlaskClient, world) -> None:
    with app.app_context():
        dairy = factories.sector_ids("dairy")[0]
    body = _refused(app, client, world, json.dumps({"sector_ids": [dairy, 999999]}), 422, "validation")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [("sector_ids", "Choose sectors from the list.")]


def test_several_bad_fields_are_all_reported(app: Flask, client: FlaskClient, world) -> None:
    body = _refused(app, client, world, json.dumps({"name": 5, "opted_out": "yes", "colour": "red"}), 422,
                    "validation")
    assert sorted(_errors(body)) == [("colour", "unknown_field"), ("name", "string_type"),
                                     ("opted_out", "bool_type")]


@pytest.mark.parametrize("data", ['{"name": "\\ud800"}', '{"city": "\\udfff Almaty"}'])
def test_lone_surrogate_is_refused_as_invalid_json(app: Flask, client: FlaskClient, world, data) -> None:
    _refused(app, client, world, data, 400, "invalid-json")


def test_text_that_cleaning_lengthens_past_the_limit_is_422(app: Flask, client: FlaskClient, world) -> None:
    # U+FB2C is one character, and three once normalised (NFC) as the form and the CSV importer store text:
    # 200 of them fit the raw limit but would be a 600-character name in a 200-character column.
    body = _refused(app, client, world, json.dumps({"name": "\ufb2c" * NAME_MAX}), 422, "validation")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [("name", f"At most {NAME_MAX} characters.")]


def test_control_characters_are_cleaned_not_stored(client: FlaskClient, world) -> None:
    # PostgreSQL refuses NUL, CSV exports break on control characters: the form's cleaning applies.
    response = _patch(client, world, json.dumps({"offers": "Milk\u0000 and\u0007 kefir", "city": "Al\tmaty"}))
    assert response.status_code == 200
    assert (response.get_json()["offers"], response.get_json()["city"]) == ("Milk and kefir", "Al maty")


# --- random input ------------------------------------------------------------------------------------

_FIELDS = sorted(CompanyPatch.model_fields)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# Objects with real fields (random unicode text or any JSON value), now and then an unknown one; and, less
# often, a bare JSON value of any kind as the whole body.
_patches = st.one_of(
    st.dictionaries(st.sampled_from(_FIELDS), st.text(max_size=300) | _json_values, max_size=5),
    st.dictionaries(st.sampled_from(_FIELDS) | st.text(max_size=12), _json_values, max_size=4),
    _json_values,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patch=_patches)
def test_random_json_never_breaks_the_server_or_half_writes(app: Flask, client: FlaskClient, world,
                                                            patch: Any) -> None:
    before = company_snapshot(app, world["alpha"])
    response = _patch(client, world, json.dumps(patch))
    assert response.status_code in {200, 400, 413, 415, 422}, response.get_data(as_text=True)[:500]
    if response.status_code == 200:
        assert response.mimetype == "application/json"
        assert response.get_json()["id"] == world["alpha"]
        # What was saved fits its columns (PostgreSQL would refuse it otherwise).
        saved = company_snapshot(app, world["alpha"])
        assert all(len(saved[name]) <= column.type.length for name, column in Company.__table__.columns.items()
                   if isinstance(column.type, String) and column.type.length and isinstance(saved.get(name), str))
    else:
        assert response.mimetype == PROBLEM
        assert response.get_json()["status"] == response.status_code
        assert company_snapshot(app, world["alpha"]) == before
