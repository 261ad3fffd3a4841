"""The served OpenAPI description (/api/v1/openapi.json): valid OpenAPI 3.1, complete for every operation the
app registers, every reference resolvable, every refusal a problem+json, and cheap to poll (ETag)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from forum.api.framework import OPERATIONS, PROBLEM_TYPES

SPEC = "/api/v1/openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get(SPEC)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"external reference {ref}"
    node: Any = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_openapi_document_is_valid_openapi_3_1(spec):
    # The OpenAPI 3.1 meta-schema, as schemathesis ships it (the same check its loader relies on).
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in OPENAPI_31_VALIDATOR.iter_errors(spec)]
    assert errors == []
    assert spec["openapi"] == "3.1.0"
    assert spec["servers"] == [{"url": "/api/v1"}]


def test_openapi_component_schemas_are_valid_json_schema_2020_12(spec):
    invalid = [name for name, schema in spec["components"]["schemas"].items()
               if not jsonschema_rs.meta.is_valid(schema)]
    assert invalid == []


def test_openapi_lists_every_registered_operation(spec):
    served = {(method, path) for method, path, _op in _operations(spec)}
    registered = {(op.method, "/" + op.rule.lstrip("/")) for op in OPERATIONS.values()}
    # Rules use Flask's <int:company_id>; the document names them {company_id}.
    registered = {(method, _braces(rule)) for method, rule in registered}
    assert served == registered
    assert len(served) == len(OPERATIONS)


def _braces(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_openapi_every_operation_has_id_summary_tag_and_description(spec):
    missing = [f"{method} {path}" for method, path, op in _operations(spec)
               if not (op.get("operationId") and op.get("summary") and op.get("tags") and op.get("description"))]
    assert missing == []
    ids = [op["operationId"] for _m, _p, op in _operations(spec)]
    assert len(ids) == len(set(ids))
    declared_tags = {tag["name"] for tag in spec["tags"]}
    assert {op["tags"][0] for _m, _p, op in _operations(spec)} <= declared_tags


def test_openapi_every_reference_resolves(spec):
    refs = _refs(spec)
    assert refs  # the operations do refer to their models
    unresolved = []
    for ref in set(refs):
        try:
            _resolve(spec, ref)
        except AssertionError as error:
            unresolved.append(str(error))
    assert unresolved == []


def test_openapi_every_path_parameter_is_declared(spec):
    wrong = []
    for method, path, op in _operations(spec):
        in_path = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        if in_path != declared or any(p["in"] == "path" and not p.get("required")
                                      for p in op.get("parameters", [])):
            wrong.append(f"{method} {path}")
    assert wrong == []


def test_openapi_every_refusal_is_problem_json(spec):
    wrong = []
    for method, path, op in _operations(spec):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            content = response.get("content", {})
            if list(content) != ["application/problem+json"] or \
                    content["application/problem+json"]["schema"] != {"$ref": "#/components/schemas/Problem"}:
                wrong.append(f"{method} {path} {status}")
    assert wrong == []


def test_openapi_every_operation_documents_auth_and_rate_limit_refusals(spec):
    missing = [f"{method} {path}" for method, path, op in _operations(spec)
               if not {"401", "429"} <= set(op["responses"])]
    assert missing == []
    writes_without_403 = [f"{method} {path}" for method, path, op in _operations(spec)
                          if method != "GET" and "403" not in op["responses"]]
    assert writes_without_403 == []


def test_openapi_every_success_answer_has_a_schema_or_no_body(spec):
    wrong = []
    for method, path, op in _operations(spec):
        successes = [status for status in op["responses"] if status.startswith("2")]
        if len(successes) != 1:
            wrong.append(f"{method} {path}: {successes}")
            continue
        response = op["responses"][successes[0]]
        if successes[0] == "204":
            if response.get("content"):
                wrong.append(f"{method} {path}: 204 with a body")
        elif "application/json" not in response.get("content", {}) and not response.get("content"):
            wrong.append(f"{method} {path}: {successes[0]} without content")
    assert wrong == []


def test_openapi_gets_document_etag_and_304(spec):
    missing = [f"{method} {path}" for method, path, op in _operations(spec) if method == "GET" and not (
        "304" in op["responses"] and "ETag" in op["responses"][next(s for s in op["responses"] if s.startswith("2"))]
        .get("headers", {}))]
    assert missing == []


def test_openapi_links_name_existing_operations(spec):
    ids = {op["operationId"] for _m, _p, op in _operations(spec)}
    links = [link for _m, _p, op in _operations(spec) for response in op["responses"].values()
             for link in response.get("links", {}).values()]
    assert links  # POST /my/requests and POST /organizer/companies lead on
    assert sorted({link["operationId"] for link in links} - ids) == []


def test_openapi_problem_types_are_the_frameworks(spec):
    assert spec["x-problem-types"] == sorted(PROBLEM_TYPES)


def test_openapi_etag_gives_304_and_same_body_again(client: FlaskClient, app: Flask):
    first = client.get(SPEC)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(SPEC, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert client.get(SPEC, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(SPEC).get_data() == first.get_data()
