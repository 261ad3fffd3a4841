"""The API reference page's helpers: the little Markdown the OpenAPI descriptions use, and the OpenAPI
document turned into plain rows (operations by tag, parameters, body and answer fields, refusals) so that
``templates/api/reference.html`` only lays them out. Everything comes from the served description, so the
page lists whatever operations exist; nothing here knows one operation from another.

Registered as template filters on the API blueprint: ``spec|api_reference(problems)`` and
``text|api_markdown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from forum.api import bp

_METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
# **bold**, ``code`` (pydantic docstrings) and `code` (the API description); applied to escaped text.
_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|``(?P<code2>.+?)``|`(?P<code>[^`]+?)`")
_WHO = re.compile(r"\n*\*\*Who:\*\*\s*(?P<who>.+)$", re.S)
_MAX_DEPTH = 3  # nested objects shown as "contact.email", "items[].sectors[].key"; deeper ones by name

# When each problem type is answered, for the "Problem types" section. A slug the framework adds later
# without an entry here is still listed, with its status.
PROBLEM_HELP: dict[str, Any] = {
    "bad-request": _l("The request cannot be read at all, for example a malformed Authorization header or "
                      "query string."),
    "invalid-json": _l("The body is not valid JSON. The detail quotes the parser's complaint."),
    "unauthorized": _l("The operation needs a caller and none was given: send an API token as "
                       "“Authorization: Bearer <token>”, or call it from a logged-in browser session."),
    "token-invalid": _l("The bearer token is unknown or mistyped. Tokens are shown once, when made; make a "
                        "new one on your account page if it is lost."),
    "token-expired": _l("The token has passed the expiry date chosen when it was made. Make a new one."),
    "token-revoked": _l("The token was revoked on the account page. Make a new one."),
    "token-disabled": _l("The token's account has been disabled by an organizer."),
    "forbidden": _l("The caller is known but may not do this: an organizer-only operation called by a "
                    "participant, a company operation called by an organizer, or a record of another "
                    "company."),
    "read-only-token": _l("A read-only token was used for a write (anything but GET). Make a read and write "
                          "token."),
    "csrf": _l("A browser session wrote without the page's CSRF token in the X-CSRFToken header. Scripts "
               "should use an API token instead."),
    "not-found": _l("No such record (or no such API path). Ids are stable, so a record that was there has been "
                    "deleted."),
    "method-not-allowed": _l("The path exists but not with this HTTP method; the Allow header lists the ones "
                             "it takes."),
    "conflict": _l("The request is well formed but the current state forbids it: for example a meeting "
                   "request that was already answered, or an agenda that is locked. Nothing was changed."),
    "payload-too-large": _l("The body is larger than the API accepts. Nothing was read or changed."),
    "unsupported-media-type": _l("A body was sent without “Content-Type: application/json”."),
    "validation": _l("Some input is wrong. The errors list names each field (body, query or path), with a "
                     "message and a stable code such as missing, too_long or unknown_field. Nothing was "
                     "changed."),
    "rate-limited": _l("Too many requests from this token (or user, or address). Wait the number of seconds in "
                       "Retry-After."),
    "server-error": _l("The server failed. The error has been logged; try again later."),
}


@dataclass
class FieldRow:
    name: str
    type: str
    required: bool
    description: str = ""
    limits: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # enum values
    location: str = ""  # parameters only: path or query


@dataclass
class ErrorRow:
    status: str
    title: str
    slugs: list[str]


@dataclass
class OperationView:
    id: str
    method: str
    path: str
    summary: str
    description: str
    who: str
    parameters: list[FieldRow]
    body: list[FieldRow] | None
    body_required: bool
    body_type: str
    success_status: str
    success_title: str
    answer: list[FieldRow] | None
    answer_type: str
    other_media: list[str]
    headers: list[tuple[str, str]]  # answer headers: (name, description)
    errors: list[ErrorRow]
    links: list[tuple[str, str]]  # (name, target operationId)


@dataclass
class TagView:
    name: str
    anchor: str
    operations: list[OperationView]


@dataclass
class ProblemView:
    slug: str
    status: int
    help: str


@dataclass
class Reference:
    title: str
    version: str
    description: str
    tags: list[TagView]
    problems: list[ProblemView]
    operation_count: int


# ---------------------------------------------------------------------------------------------------
# Markdown

def _inline(escaped: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("bold") is not None:
            return f"<strong>{_inline(match.group('bold'))}</strong>"
        return f"<code>{match.group('code2') or match.group('code')}</code>"

    return _INLINE.sub(replace, escaped)


@bp.app_template_filter("api_markdown")
def api_markdown(text: str | None) -> Markup:
    """Paragraphs, **bold** and `code`, nothing else. The text is escaped first, so a description can never
    inject markup; the tags are added to the escaped text."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return Markup("".join(f"<p>{_inline(str(escape(' '.join(p.split()))))}</p>" for p in paragraphs))


# ---------------------------------------------------------------------------------------------------
# JSON Schema as rows

class _Schemas:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.components = spec.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The schema behind a $ref (and the component's name), or the schema itself."""
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            return self.components.get(name, {}), name
        return schema, None

    def branches(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The alternatives of an anyOf/oneOf (pydantic writes ``X | None`` so), or the schema alone."""
        return list(schema.get("anyOf") or schema.get("oneOf") or [schema])

    def type_label(self, schema: dict[str, Any]) -> str:
        alternatives = self.branches(schema)
        if len(alternatives) > 1:
            labels = list(dict.fromkeys(self.type_label(b) for b in alternatives))
            return _(" or ").join(labels)
        target, name = self.resolve(alternatives[0])
        if "const" in target:
            return repr(target["const"]).replace("'", '"')
        kind = target.get("type")
        if isinstance(kind, list):
            return _(" or ").join(kind)
        if kind == "array":
            return _("array of %(items)s", items=self.type_label(target.get("items", {})))
        if kind == "object" or (kind is None and "properties" in target):
            return _("object") if name is None else _("object (%(name)s)", name=name)
        if kind is None:
            return _("any")
        if target.get("format"):
            return f"{kind} ({target['format']})"
        return kind

    def values(self, schema: dict[str, Any]) -> list[str]:
        found: list[str] = []
        for branch in self.branches(schema):
            target, _name = self.resolve(branch)
            if target.get("type") == "array":
                target, _name = self.resolve(target.get("items", {}))
            found += [str(v) for v in target.get("enum", [])]
        return list(dict.fromkeys(found))

    def limits(self, schema: dict[str, Any]) -> list[str]:
        limits: list[str] = []
        for branch in self.branches(schema):
            target, _name = self.resolve(branch)
            if "minimum" in target and "maximum" in target:
                limits.append(_("from %(min)s to %(max)s", min=target["minimum"], max=target["maximum"]))
                target = {k: v for k, v in target.items() if k not in ("minimum", "maximum")}
            checks = (
                ("minLength", lambda v: _("at least %(n)s characters", n=v)),
                ("maxLength", lambda v: _("at most %(n)s characters", n=v)),
                ("minimum", lambda v: _("at least %(n)s", n=v)),
                ("exclusiveMinimum", lambda v: _("more than %(n)s", n=v)),
                ("maximum", lambda v: _("at most %(n)s", n=v)),
                ("exclusiveMaximum", lambda v: _("less than %(n)s", n=v)),
                ("minItems", lambda v: _("at least %(n)s items", n=v)),
                ("maxItems", lambda v: _("at most %(n)s items", n=v)),
                ("pattern", lambda v: _("matches %(pattern)s", pattern=v)),
            )
            limits += [describe(target[key]) for key, describe in checks if key in target]
            if target.get("uniqueItems"):
                limits.append(_("no repeats"))
            if target.get("type") == "array":
                items, _n = self.resolve(target.get("items", {}))
                limits += [_("each %(limit)s", limit=limit) for limit in self.limits(items)
                           if "properties" not in items]
        if "default" in schema and schema["default"] not in (None, [], {}, ""):
            limits.append(_("default: %(value)s", value=schema["default"]))
        return list(dict.fromkeys(limits))

    def _object_of(self, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, str, str | None]:
        """If the schema (possibly nullable) is an object or an array of objects: its object schema, the name
        suffix for nested rows ("." or "[]."), and the component name."""
        for branch in self.branches(schema):
            target, name = self.resolve(branch)
            if "properties" in target:
                return target, ".", name
            if target.get("type") == "array":
                items, name = self.resolve(target.get("items", {}))
                if "properties" in items:
                    return items, "[].", name
        return None, "", None

    def rows(self, schema: dict[str, Any], prefix: str = "", depth: int = 0,
             seen: tuple[str, ...] = ()) -> list[FieldRow]:
        target, name = self.resolve(schema)
        seen = seen + ((name,) if name else ())
        required = set(target.get("required", []))
        rows = []
        for prop_name, prop in target.get("properties", {}).items():
            resolved, _name = self.resolve(prop)
            description = prop.get("description") or resolved.get("description") or ""
            rows.append(FieldRow(name=prefix + prop_name, type=self.type_label(prop),
                                 required=prop_name in required, description=description,
                                 limits=self.limits(prop), values=self.values(prop)))
            nested, joiner, nested_name = self._object_of(prop)
            if nested is not None and depth < _MAX_DEPTH and nested_name not in seen:
                rows += self.rows(nested if nested_name is None else {"$ref": f"#/components/schemas/{nested_name}"},
                                  prefix + prop_name + joiner, depth + 1, seen)
        return rows


# ---------------------------------------------------------------------------------------------------
# Operations

def _split_who(description: str) -> tuple[str, str]:
    match = _WHO.search(description or "")
    if match is None:
        return description or "", ""
    return description[:match.start()].strip(), match.group("who").strip()


def _statuses_to_slugs(problems: dict[str, int]) -> dict[int, list[str]]:
    by_status: dict[int, list[str]] = {}
    for slug, status in problems.items():
        by_status.setdefault(status, []).append(slug)
    return by_status


def _operation(path: str, method: str, op: dict[str, Any], schemas: _Schemas,
               slugs: dict[int, list[str]]) -> OperationView:
    description, who = _split_who(op.get("description", ""))
    parameters = []
    for parameter in op.get("parameters", []):
        schema = parameter.get("schema", {})
        parameters.append(FieldRow(
            name=parameter["name"], type=schemas.type_label(schema), required=bool(parameter.get("required")),
            description=parameter.get("description") or schema.get("description", ""),
            limits=schemas.limits(schema), values=schemas.values(schema), location=parameter.get("in", "")))
    body = None
    body_type = ""
    request_body = op.get("requestBody")
    if request_body:
        body_schema = request_body.get("content", {}).get("application/json", {}).get("schema", {})
        body = schemas.rows(body_schema)
        body_type = schemas.type_label(body_schema)
    success = next(((code, r) for code, r in op.get("responses", {}).items() if code.startswith("2")), ("200", {}))
    content = success[1].get("content", {})
    answer = None
    answer_type = ""
    if "application/json" in content:
        answer_schema = content["application/json"].get("schema", {})
        answer = schemas.rows(answer_schema)
        answer_type = schemas.type_label(answer_schema)
    errors = [ErrorRow(status=code, title=response.get("description", ""), slugs=slugs.get(int(code), []))
              for code, response in op.get("responses", {}).items()
              if code.isdigit() and int(code) >= 400]
    errors.sort(key=lambda row: row.status)
    links = [(name, link.get("operationId", "")) for name, link in success[1].get("links", {}).items()]
    return OperationView(
        id=op.get("operationId") or f"{method}-{path}", method=method.upper(), path=path,
        summary=op.get("summary", ""), description=description, who=who,
        parameters=parameters, body=body, body_required=bool(request_body and request_body.get("required")),
        body_type=body_type, success_status=success[0], success_title=success[1].get("description", ""),
        answer=answer, answer_type=answer_type, other_media=[m for m in content if m != "application/json"],
        headers=[(name, header.get("description", "")) for name, header in success[1].get("headers", {}).items()],
        errors=errors, links=links,
    )


def _anchor(name: str) -> str:
    return "tag-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "other")


@bp.app_template_filter("api_reference")
def api_reference(spec: dict[str, Any], problems: dict[str, int]) -> Reference:
    """The OpenAPI document as the reference page shows it: operations grouped by tag in the document's
    tag order (untagged ones last), each with its rows; and the problem types with their explanations."""
    schemas = _Schemas(spec)
    slugs = _statuses_to_slugs(problems)
    by_tag: dict[str, list[OperationView]] = {t["name"]: [] for t in spec.get("tags", [])}
    count = 0
    for path, item in spec.get("paths", {}).items():
        for method in sorted((m for m in item if m in _METHOD_ORDER), key=_METHOD_ORDER.__getitem__):
            op = item[method]
            tag = (op.get("tags") or [_("Other")])[0]
            by_tag.setdefault(tag, []).append(_operation(path, method, op, schemas, slugs))
            count += 1
    tags = [TagView(name=name, anchor=_anchor(name), operations=ops) for name, ops in by_tag.items() if ops]
    problem_views = [ProblemView(slug=slug, status=status,
                                 help=str(PROBLEM_HELP.get(slug, _("Answered with status %(status)s.",
                                                                   status=status))))
                     for slug, status in sorted(problems.items(), key=lambda item: (item[1], item[0]))]
    info = spec.get("info", {})
    return Reference(title=info.get("title", "API"), version=info.get("version", ""),
                     description=info.get("description", ""), tags=tags, problems=problem_views,
                     operation_count=count)
