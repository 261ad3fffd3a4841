"""The JSON API's plumbing. One decorator, ``operation``, declares an endpoint: its route, who may call it,
the pydantic models of its query, body and answer, and the errors it can give. The same declaration
drives the request checks here and the OpenAPI description in ``openapi.py``, so the two cannot drift.

A view receives validated models and returns a model (or ``None`` for 204, or a ready ``Response`` for
file downloads); it calls one service, as the HTML views do. Everything else lives here:

- who is calling: a bearer token (``Authorization: Bearer fmk_...``) or the browser session;
- the token's scope (read-only tokens may only GET) and CSRF for session writes (``X-CSRFToken``);
- JSON bodies: content type, syntax, unknown fields, types and limits, before anything is written;
- refusals as RFC 9457 problem details, with field-level ``errors``;
- ETags on every GET (``If-None-Match`` gives 304), and the rate limit per token.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from limits import parse as parse_limit
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from forum.extensions import csrf, db, limiter
from forum.i18n import select_timezone
from forum.models import ApiToken, TokenScope, User
from forum.services import api_tokens
from forum.services.errors import NotFound, PermissionDenied, ServiceError

PROBLEM_JSON = "application/problem+json"
Auth = Literal["public", "user", "participant", "organizer"]
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


# ---------------------------------------------------------------------------------------------------
# Base models. Bodies are strict (no "1" for 1, no unknown fields); queries arrive as strings, so they
# are converted, but unknown parameters are still refused: a typo in a filter should not pass silently.

class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """An answer. Fields are documented from the model; ``None`` values are sent as ``null``."""


class FieldError(Out):
    field: str = Field(description="Where the problem is: a body field (``name``, ``sector_ids.1``), a query "
                                   "parameter or a path parameter.")
    location: Literal["body", "query", "path", "header"]
    message: str
    code: str = Field(description="A stable machine-readable code, e.g. ``missing``, ``too_long``.")


class Problem(Out):
    """RFC 9457 problem details."""

    type: str = Field(description="A URI naming the kind of problem; its page in the API reference explains it.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path that was called.")
    errors: list[FieldError] = Field(default_factory=list)


class PageLinks(Out):
    self: str
    first: str
    last: str
    prev: str | None
    next: str | None


class Page(Out, Generic[T]):
    items: list[T]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    total: int = Field(ge=0)
    pages: int = Field(ge=0)
    links: PageLinks


class PageQuery(Query):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    per_page: int = Field(24, ge=1, le=100, description="Items per page, at most 100.")


# ---------------------------------------------------------------------------------------------------
# Problems

# slug -> (status, title). The slug is the fragment of the problem type URI in the API reference.
PROBLEM_TYPES: dict[str, int] = {
    "bad-request": 400,
    "invalid-json": 400,
    "unauthorized": 401,
    "token-invalid": 401,
    "token-expired": 401,
    "token-revoked": 401,
    "token-disabled": 401,
    "forbidden": 403,
    "read-only-token": 403,
    "csrf": 403,
    "not-found": 404,
    "method-not-allowed": 405,
    "conflict": 409,
    "payload-too-large": 413,
    "unsupported-media-type": 415,
    "validation": 422,
    "rate-limited": 429,
    "server-error": 500,
}


def problem_titles() -> dict[str, str]:
    return {
        "bad-request": _("Bad request"),
        "invalid-json": _("The body is not valid JSON"),
        "unauthorized": _("Authentication needed"),
        "token-invalid": _("Invalid token"),
        "token-expired": _("Expired token"),
        "token-revoked": _("Revoked token"),
        "token-disabled": _("Disabled account"),
        "forbidden": _("Not allowed"),
        "read-only-token": _("Read-only token"),
        "csrf": _("CSRF token missing or wrong"),
        "not-found": _("Not found"),
        "method-not-allowed": _("Method not allowed"),
        "conflict": _("Conflict"),
        "payload-too-large": _("Body too large"),
        "unsupported-media-type": _("Unsupported media type"),
        "validation": _("Invalid input"),
        "rate-limited": _("Too many requests"),
        "server-error": _("Server error"),
    }


class InvalidBody(Exception):
    """A body that validated alone but not once combined with the stored record (a PATCH that would
    leave a profile without a name): raised by the schemas, answered 422 like any other body error."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.error = error


class ApiError(Exception):
    """A refusal, answered as problem+json. Raised by the plumbing; views raise service errors."""

    def __init__(self, slug: str, detail: str, errors: Sequence[FieldError] = (),
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.slug, self.detail, self.errors, self.headers = slug, detail, list(errors), headers or {}
        self.status = PROBLEM_TYPES[slug]


def problem_response(error: ApiError) -> Response:
    body = Problem(
        type=url_for("api.reference", _anchor=f"problem-{error.slug}", _external=True),
        title=problem_titles()[error.slug], status=error.status, detail=error.detail,
        instance=request.path, errors=error.errors,
    )
    response = Response(body.model_dump_json(), status=error.status, mimetype=PROBLEM_JSON)
    response.headers.update(error.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


_HTTP_SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
               405: "method-not-allowed", 409: "conflict", 413: "payload-too-large",
               415: "unsupported-media-type", 422: "validation", 429: "rate-limited"}


def http_problem(error: HTTPException) -> Response:
    """Werkzeug's errors inside /api/ (no such route, wrong method, body too large, rate limit)."""
    code = error.code or 500
    slug = _HTTP_SLUGS.get(code, "server-error" if code >= 500 else "bad-request")
    details = {
        404: _("There is no such API resource. The reference lists them all."),
        405: _("This resource does not accept %(method)s.", method=request.method),
        413: _("The body is larger than %(size)d bytes.", size=current_app.config["MAX_CONTENT_LENGTH"] or 0),
        429: _("Too many requests. Wait a moment and try again."),
    }
    headers = {}
    allowed = getattr(error, "valid_methods", None)
    if code == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    if code == 429:
        headers["Retry-After"] = str(_retry_after())
    detail = details.get(code) or (_("The server failed. The problem has been logged.") if code >= 500
                                   else HTTP_STATUS_CODES.get(code, ""))
    return problem_response(ApiError(slug, detail, headers=headers))


def _retry_after() -> int:
    """Seconds until the caller's window lets a request through again."""
    try:
        current = limiter.current_limit
        if current is not None:
            return max(1, int(current.reset_at - time.time()) + 1)
    except Exception:  # the storage is gone (Redis restarting): a minute is a safe guess
        pass
    return 60


# ---------------------------------------------------------------------------------------------------
# Callers

@dataclass(frozen=True)
class Caller:
    user: User | None
    token: ApiToken | None = None

    @property
    def via_session(self) -> bool:
        return self.user is not None and self.token is None


def caller() -> Caller:
    """Who is calling this operation (set by the plumbing before the view runs)."""
    return g.api_caller


def actor() -> User:
    """The calling user, for operations that require one."""
    user = caller().user
    assert user is not None  # the operation's auth rule guarantees it
    return user


def own_company_id() -> int:
    """The caller's company, for operations with auth="participant" (which guarantees there is one)."""
    company_id = actor().company_id
    assert company_id is not None
    return company_id


def forum_zone() -> str:
    """The forum's time zone (the configured one before a forum is set up), read once per request."""
    return select_timezone()


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError("unauthorized", _("Send the token as “Authorization: Bearer <token>”."),
                       headers={"WWW-Authenticate": 'Bearer realm="forum"'})
    return secret.strip()


def _identify() -> Caller:
    secret = _bearer_secret()
    if secret is not None:
        try:
            token = api_tokens.authenticate(secret)
        except api_tokens.TokenRejected as rejected:
            _count_rejected_token()
            raise ApiError(f"token-{rejected.reason}", rejected.message,
                           headers={"WWW-Authenticate": 'Bearer realm="forum", error="invalid_token"'}) from None
        return Caller(user=token.user, token=token)
    # A session of an account disabled since it logged in no longer counts (tokens are checked likewise).
    if current_user.is_authenticated and current_user.is_active:
        return Caller(user=current_user._get_current_object())
    return Caller(user=None)


def _count_rejected_token() -> None:
    """Made-up tokens each get a budget of their own, so wrong tokens are also counted per address: a
    client guessing (or a script with a revoked token in a loop) is slowed down, not served for ever."""
    limit = parse_limit(current_app.config["API_REJECTED_TOKEN_LIMIT"])
    try:
        allowed = limiter.limiter.hit(limit, "api-rejected-token", request.remote_addr or "")
    except Exception:  # noqa: BLE001 - the counter's storage is down: the token is refused all the same
        current_app.logger.warning("rate-limit storage unavailable; rejected token not counted", exc_info=True)
        allowed = True
    if not allowed:
        raise ApiError("rate-limited", _("Too many requests with a wrong token. Wait a moment and try again."),
                       headers={"Retry-After": str(int(limit.get_expiry()))})


def _authorize(op: Operation, who: Caller) -> None:
    if op.auth != "public" and who.user is None:
        raise ApiError("unauthorized", _("Log in, or send an API token as “Authorization: Bearer <token>”."),
                       headers={"WWW-Authenticate": 'Bearer realm="forum"'})
    if op.auth == "participant" and who.user is not None and who.user.company_id is None:
        raise ApiError("forbidden", _("This is for company accounts. Organizer accounts have no company of "
                                      "their own."))
    if op.auth == "organizer" and who.user is not None and not who.user.is_organizer:
        raise ApiError("forbidden", _("Only organizers can do this."))
    if op.method != "GET":
        if who.token is not None and who.token.scope != TokenScope.WRITE:
            raise ApiError("read-only-token", _("This token is read-only. Make a read and write token to "
                                                "change anything."))
        if who.via_session:
            try:
                csrf.protect()
            except CSRFError:
                raise ApiError("csrf", _("Send the page's CSRF token in the X-CSRFToken header. Scripts should "
                                         "use an API token instead of a browser session.")) from None


# ---------------------------------------------------------------------------------------------------
# Input

_MESSAGES: dict[str, Callable[[dict], str]] = {
    "missing": lambda ctx: _("This field is required."),
    "extra_forbidden": lambda ctx: _("Unknown field."),
    "string_too_long": lambda ctx: _("At most %(max)d characters.", max=ctx.get("max_length", 0)),
    "string_too_short": lambda ctx: _("At least %(min)d characters.", min=ctx.get("min_length", 0)),
    "too_long": lambda ctx: _("At most %(max)d items.", max=ctx.get("max_length", 0)),
    "int_type": lambda ctx: _("Must be a whole number."),
    "int_parsing": lambda ctx: _("Must be a whole number."),
    "int_from_float": lambda ctx: _("Must be a whole number."),
    "string_type": lambda ctx: _("Must be a string."),
    "bool_type": lambda ctx: _("Must be true or false."),
    "bool_parsing": lambda ctx: _("Must be true or false."),
    "list_type": lambda ctx: _("Must be a list."),
    "greater_than_equal": lambda ctx: _("Must be at least %(min)s.", min=ctx.get("ge")),
    "less_than_equal": lambda ctx: _("Must be at most %(max)s.", max=ctx.get("le")),
    "enum": lambda ctx: _("Must be one of: %(values)s.", values=ctx.get("expected", "")),
    "literal_error": lambda ctx: _("Must be one of: %(values)s.", values=ctx.get("expected", "")),
    "model_type": lambda ctx: _("Must be a JSON object."),
    "model_attributes_type": lambda ctx: _("Must be a JSON object."),
    "dict_type": lambda ctx: _("Must be a JSON object."),
}
_CODES = {"string_too_long": "too_long", "string_too_short": "too_short", "too_long": "too_long",
          "extra_forbidden": "unknown_field", "int_parsing": "int_type", "int_from_float": "int_type",
          "bool_parsing": "bool_type", "literal_error": "enum", "model_attributes_type": "object_type",
          "model_type": "object_type", "dict_type": "object_type"}


def field_errors(error: ValidationError, location: Literal["body", "query", "path", "header"]) -> list[FieldError]:
    """Pydantic's errors, one per field, in words a script's author can act on (and in the reader's language)."""
    found = []
    for item in error.errors(include_url=False):
        kind = item["type"]
        ctx = item.get("ctx") or {}
        message = _MESSAGES[kind](ctx) if kind in _MESSAGES else item["msg"]
        if kind == "value_error":  # raised by our own validators: their message is already for people
            message = str(ctx.get("error", item["msg"]))
        found.append(FieldError(field=".".join(str(part) for part in item["loc"]) or "(body)", location=location,
                                message=message, code=_CODES.get(kind, kind)))
    return found


def _parse_query(model: type[M]) -> M:
    raw = {key: request.args.getlist(key) for key in request.args}
    repeated = [key for key, values in raw.items() if len(values) > 1]
    if repeated:
        raise ApiError("validation", _("Give each query parameter once."), [
            FieldError(field=key, location="query", message=_("Given more than once."), code="repeated")
            for key in repeated])
    try:
        return model.model_validate({key: values[0] for key, values in raw.items()})
    except ValidationError as error:
        raise ApiError("validation", _("Some query parameters are not right."),
                       field_errors(error, "query")) from None


def _parse_body(model: type[M], required: bool) -> M:
    limit = current_app.config["API_MAX_BODY"]
    too_large = ApiError("payload-too-large", _("The body is larger than %(size)d bytes.", size=limit))
    if (request.content_length or 0) > limit:
        raise too_large
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise too_large
    if not raw.strip() and not required:
        return model()
    if request.mimetype != "application/json":
        raise ApiError("unsupported-media-type",
                       _("Send the body as JSON, with the header “Content-Type: application/json”."))
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ApiError("invalid-json", _("The body is not valid JSON: %(error)s", error=str(error)[:200])) from None
    if not isinstance(data, dict):
        raise ApiError("validation", _("The body must be a JSON object."),
                       [FieldError(field="(body)", location="body", message=_("Must be a JSON object."),
                                   code="object_type")])
    try:
        # Validated from the JSON text: strict mode then still takes "supply_contract" for an enum.
        return model.model_validate_json(raw)
    except ValidationError as error:
        if all(item["type"] == "json_invalid" for item in error.errors()):
            # JSON that Python's parser takes but pydantic's refuses (a lone surrogate, extreme nesting).
            raise ApiError("invalid-json", _("The body is not valid JSON: %(error)s",
                                             error=error.errors()[0]["msg"][:200])) from None
        raise ApiError("validation", _("Some fields are not right."), field_errors(error, "body")) from None


# ---------------------------------------------------------------------------------------------------
# Output

def local_time(moment: datetime | None, zone: str) -> datetime | None:
    """A stored UTC time as the forum's local time with its offset: "2024-10-17T09:00:00+05:00"."""
    return moment.astimezone(ZoneInfo(zone)) if moment is not None else None


def _link(page: int, per_page: int) -> str:
    args = {**request.view_args, **request.args.to_dict(), "page": page, "per_page": per_page}
    return url_for(request.endpoint, _external=True, **args)


def page_of(items: Sequence[Any], *, page: int, per_page: int, total: int) -> dict[str, Any]:
    """The fields of a ``Page``: the items, the counts and the links to the neighbouring pages.
    A page past the end is an empty page with links back, not an error."""
    pages = -(-total // per_page) if total else 0
    links = PageLinks(
        self=_link(page, per_page), first=_link(1, per_page), last=_link(max(pages, 1), per_page),
        prev=_link(min(page - 1, max(pages, 1)), per_page) if page > 1 else None,
        next=_link(page + 1, per_page) if page < pages else None,
    )
    return {"items": list(items), "page": page, "per_page": per_page, "total": total, "pages": pages,
            "links": links}


def _link_header(links: PageLinks) -> str:
    parts = [f'<{url}>; rel="{rel}"' for rel, url in
             (("first", links.first), ("prev", links.prev), ("next", links.next), ("last", links.last)) if url]
    return ", ".join(parts)


def _respond(op: Operation, result: Any, who: Caller) -> Response:
    extra_headers: dict[str, str] = {}
    if isinstance(result, tuple):
        result, extra_headers = result
    if isinstance(result, Response):  # a file download (exports)
        response = result
        # send_file streams; the export is small and the ETag needs its bytes.
        response.direct_passthrough = False
    elif result is None:
        response = Response(status=204)
    else:
        response = Response(result.model_dump_json(), status=op.status, mimetype="application/json")
        links = getattr(result, "links", None)
        if isinstance(links, PageLinks):
            response.headers["Link"] = _link_header(links)
    response.headers.update(extra_headers)
    if op.method == "GET" and response.status_code == 200:
        # Private data must not sit in shared caches; "no-cache" still lets clients revalidate by ETag.
        response.headers["Cache-Control"] = "private, no-cache" if who.user else "public, no-cache"
        response.headers["Vary"] = "Authorization, Cookie, Accept-Language"
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.make_conditional(request)
    elif op.method != "GET":
        response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------------
# Declaring operations

@dataclass
class Operation:
    endpoint: str
    rule: str
    method: str
    summary: str
    description: str
    tag: str
    auth: Auth
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    body_required: bool
    response: Any  # a model class, or None for 204
    status: int
    errors: set[int]
    links: dict[str, dict] = field(default_factory=dict)
    # Other answers than JSON (exports): media type -> description.
    files: dict[str, str] = field(default_factory=dict)
    conflicts: bool = False
    headers: dict[str, str] = field(default_factory=dict)


OPERATIONS: dict[str, Operation] = {}


def _rate_key() -> str:
    """The rate limit counts per token, per logged-in user, or per address for anonymous callers. The key
    is the token itself (hashed), however the header is spelled, so that extra spaces or "bearer" in
    lower case do not open a fresh budget."""
    header = request.headers.get("Authorization", "")
    if header:
        _scheme, _sep, secret = header.strip().partition(" ")
        return "token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:24]
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def operation(bp: Blueprint, method: str, rule: str, *, summary: str, tag: str, auth: Auth = "public",
              query: type[BaseModel] | None = None, body: type[BaseModel] | None = None, body_required: bool = True,
              response: Any = None, status: int | None = None, errors: Sequence[int] = (),
              description: str | None = None, links: dict[str, dict] | None = None,
              files: dict[str, str] | None = None, conflicts: bool = False,
              headers: dict[str, str] | None = None) -> Callable:
    """Register ``view`` as an API operation. The view gets the path parameters, plus ``query=`` and
    ``body=`` when the operation declares those models, and returns a model, ``None`` (204) or a
    ``Response``, or ``(model, {header: value})`` to add headers such as ``Location``. ``errors`` lists the
    statuses the view's services may add to the automatic ones. ``conflicts``: the services' field errors
    are clashes with the current state (a taken slot), answered 409 rather than 422. ``headers`` documents
    the success answer's headers (name -> description)."""
    method = method.upper()

    def decorator(view: Callable) -> Callable:
        name = view.__name__
        if name in OPERATIONS:
            raise RuntimeError(f"API operation {name!r} is declared twice")
        op = Operation(
            endpoint=name, rule=rule, method=method, summary=summary,
            description=description if description is not None else (view.__doc__ or "").strip(), tag=tag,
            auth=auth, query=query, body=body, body_required=body_required, response=response,
            status=status or (200 if response is not None else 204), errors=set(errors), links=links or {},
            files=files or {}, conflicts=conflicts, headers=headers or {},
        )
        OPERATIONS[name] = op

        @wraps(view)
        def wrapped(**path: Any) -> Response:
            who = _identify()
            g.api_caller = who
            _authorize(op, who)
            kwargs = dict(path)
            if query is not None:
                kwargs["query"] = _parse_query(query)
            if body is not None:
                kwargs["body"] = _parse_body(body, body_required)
            try:
                result = view(**kwargs)
            except InvalidBody as error:  # a merged patch that no longer makes a whole record
                db.session.rollback()
                raise ApiError("validation", _("Some fields are not right."),
                               field_errors(error.error, "body")) from None
            except NotFound as error:
                db.session.rollback()
                raise ApiError("not-found", error.message) from None
            except PermissionDenied as error:
                db.session.rollback()
                raise ApiError("forbidden", error.message) from None
            except ServiceError as error:
                db.session.rollback()
                raise _service_problem(op, error) from None
            return _respond(op, result, who)

        # One budget per caller for the whole API, not one per operation.
        limited = limiter.shared_limit(_rate_limit, scope="api", key_func=_rate_key)(wrapped)
        bp.add_url_rule(rule, endpoint=name, view_func=limited, methods=[method])
        return limited

    return decorator


# Services name fields as the web forms do; the API's bodies name them after the ids they carry.
SERVICE_FIELDS = {"delegation": "delegation_id", "sectors": "sector_ids"}


def _service_problem(op: Operation, error: ServiceError) -> ApiError:
    """A service's refusal: 422 when one field's value is wrong, 409 when the request clashes with the
    current state (a stale ``version``, a taken slot, a request already answered)."""
    conflict = not error.field or error.field == "version" or op.conflicts
    fields = []
    if error.field:
        name = SERVICE_FIELDS.get(error.field, error.field)
        fields = [FieldError(field=name, location="body", message=error.message,
                             code="conflict" if conflict else "invalid")]
    return ApiError("conflict" if conflict else "validation", error.message, fields)


def register_errors(bp: Blueprint) -> None:
    bp.register_error_handler(ApiError, problem_response)
