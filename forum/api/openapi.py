"""The OpenAPI 3.1 description, generated from the operations' declarations and their pydantic models
(never written by hand), and the human-readable reference page built from the same description.

Pydantic writes JSON Schema 2020-12, which is OpenAPI 3.1's dialect, so its schemas go into
``components/schemas`` as they are.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from flask import Response, current_app, render_template, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.http import HTTP_STATUS_CODES

from forum.api import bp
from forum.api.framework import OPERATIONS, PROBLEM_JSON, PROBLEM_TYPES, Operation, Problem
from forum.services.companies import MAX_ID

API_VERSION = "1.0.0"
_RULE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_REF = "#/components/schemas/{model}"

DESCRIPTION = """\
The forum's companies, matches, meeting requests and agenda, for regional agencies' sites, delegation
coordinators' scripts, bots and apps.

**Authentication.** Make a personal token on your account page and send it as
`Authorization: Bearer fmk_...`. A read-only token may only `GET`. A logged-in browser session works
too; its writes need the page's CSRF token in the `X-CSRFToken` header.

**Errors** are RFC 9457 problem details (`application/problem+json`) with field-level `errors`.

**Times** are ISO 8601 in the forum's time zone, with the offset. **Ids** are stable integers.

**Caching.** Every `GET` answer has an `ETag`; send it back as `If-None-Match` to get `304 Not Modified`.

**Rate limit** per token (or per logged-in user, or per address): see the `X-RateLimit-*` headers; a
`429` carries `Retry-After`.
"""


def _error_statuses(op: Operation) -> list[int]:
    """The refusals an operation can give, from what it declares: who may call it, whether it reads a
    query or a body, whether its path names a record, and what its services add."""
    statuses = {401, 429} | op.errors  # 401: a bad or expired token is refused on any operation
    if op.auth != "public" or op.method != "GET":
        statuses.add(403)
    if _RULE_PARAM.search(op.rule):
        statuses.add(404)
    if op.query is not None:
        statuses.add(422)
    if op.body is not None:
        statuses |= {400, 413, 415, 422}
    if op.method != "GET":
        statuses.add(409)
    return sorted(statuses)


def _path(rule: str) -> str:
    return _RULE_PARAM.sub(lambda m: "{" + m.group("name") + "}", rule)


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    parameters = []
    for match in _RULE_PARAM.finditer(rule):
        schema: dict[str, Any] = ({"type": "integer", "minimum": 1, "maximum": MAX_ID}
                                  if match.group("converter") == "int" else {"type": "string"})
        parameters.append({"name": match.group("name"), "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(ref: dict[str, str], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = schemas[ref["$ref"].rsplit("/", 1)[1]]
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


# (model, "validation" | "serialization") -> {"$ref": ...}, as pydantic named the schemas: a generic
# ``Page[CompanySummary]`` or two models of one name in different modules get names of pydantic's choosing.
Refs = dict[tuple[Any, str], dict[str, str]]


def _problem(status: int, refs: Refs) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": HTTP_STATUS_CODES.get(status, "Error"),
        "content": {PROBLEM_JSON: {"schema": refs[(Problem, "serialization")]}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def _success(op: Operation, refs: Refs) -> dict[str, Any]:
    if op.response is None:
        return {"description": "Done; nothing to send back."}
    response: dict[str, Any] = {"description": HTTP_STATUS_CODES[op.status],
                                "content": {"application/json": {"schema": refs[(op.response, "serialization")]}}}
    for media_type, description in op.files.items():
        response["content"][media_type] = {"schema": {"type": "string", "contentMediaType": media_type,
                                                      "description": description}}
    headers = {name: {"description": text, "schema": {"type": "string"}} for name, text in op.headers.items()}
    if op.method == "GET":
        headers["ETag"] = {"description": "Send it back as If-None-Match to get 304.", "schema": {"type": "string"}}
    if headers:
        response["headers"] = headers
    if op.links:
        response["links"] = op.links
    return response


def _operation(op: Operation, schemas: dict[str, Any], refs: Refs) -> dict[str, Any]:
    parameters = _path_parameters(op.rule)
    if op.query is not None:
        parameters += _query_parameters(refs[(op.query, "validation")], schemas)
    who = {"public": "Anyone; no token needed.", "user": "Any logged-in user or token.", "participant": "A company's delegates (participants).",
           "organizer": "Organizers."}[op.auth]
    scope = " Needs a read and write token." if op.method != "GET" else ""
    spec: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "description": f"{op.description}\n\n**Who:** {who}{scope}".strip(),
        "tags": [op.tag],
        "parameters": parameters,
        "responses": {str(op.status): _success(op, refs)} | {str(s): _problem(s, refs) for s in _error_statuses(op)},
        "security": ([{}, {"bearerAuth": []}, {"sessionCookie": []}] if op.auth == "public"
                     else [{"bearerAuth": []}, {"sessionCookie": []}]),
    }
    if op.method == "GET":
        spec["responses"]["304"] = {"description": "Not modified: the If-None-Match ETag still matches."}
    if op.body is not None:
        spec["requestBody"] = {"required": op.body_required,
                               "content": {"application/json": {"schema": refs[(op.body, "validation")]}}}
    return spec


def build_spec() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document for the operations registered so far."""
    ops = sorted(OPERATIONS.values(), key=lambda op: (op.rule, op.method))
    keys: list[tuple[type[BaseModel], str]] = [(Problem, "serialization")]
    for op in ops:
        keys += [(m, "validation") for m in (op.query, op.body) if m is not None]
        if op.response is not None:
            keys.append((op.response, "serialization"))
    refs, top = models_json_schema(list(dict.fromkeys(keys)), ref_template=_REF)
    schemas = top.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = _operation(op, schemas, refs)
    # Query models are flattened into parameters; they need no schema of their own (unless shared).
    used = {refs[(m, mode)]["$ref"] for m, mode in keys if (m, mode) in refs and m not in
            {o.query for o in ops}}
    for op in ops:
        if op.query is not None:
            ref = refs[(op.query, "validation")]["$ref"]
            if ref not in used and not _referenced(ref, schemas):
                schemas.pop(ref.rsplit("/", 1)[1], None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Forum B2B matchmaking API", "version": API_VERSION, "description": DESCRIPTION,
                 "license": {"name": "MIT", "identifier": "MIT"}},
        "servers": [{"url": bp.url_prefix}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in OPERATIONS.values())],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A personal API token from the account page (fmk_...)."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                                  "description": "A logged-in browser session; writes also need X-CSRFToken."},
            },
        },
        "x-problem-types": sorted(PROBLEM_TYPES),
    }


def _referenced(ref: str, schemas: dict[str, Any]) -> bool:
    return f'"{ref}"' in json.dumps(schemas)


def spec() -> dict[str, Any]:
    """The description, built once per app: the operations do not change while it runs."""
    cached = current_app.extensions.get("api_spec")
    if cached is None:
        document = build_spec()
        body = json.dumps(document, indent=1, sort_keys=False)
        cached = current_app.extensions["api_spec"] = (document, body, hashlib.sha256(body.encode()).hexdigest()[:32])
    return cached[0]


@bp.get("/openapi.json")
def openapi_json() -> Response:
    spec()
    _document, body, etag = current_app.extensions["api_spec"]
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "public, no-cache"
    response.set_etag(etag)
    return response.make_conditional(request)


@bp.get("/docs")
def reference() -> str:
    """The API reference: the same description, as a page that needs no script and no CDN."""
    return render_template("api/reference.html", spec=spec(), problems=PROBLEM_TYPES)
