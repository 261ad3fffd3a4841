"""The API reference page (/api/v1/docs): built from the served description, so it lists every operation
with its method and path, explains every problem type at the anchor the problem+json ``type`` names, and
needs nothing from outside the forum (no CDN, no script)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask.testing import FlaskClient
from markupsafe import Markup

from forum.api.framework import PROBLEM_TYPES
from forum.api.reference import api_markdown
from tests.integration.api_helpers import problem

DOCS = "/api/v1/docs"
METHODS = {"get", "post", "put", "patch", "delete"}


class _Page(HTMLParser):
    """The page's ids, link and source addresses, and the method/path of each operation section."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[str] = []
        self.operations: set[tuple[str, str]] = set()
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
        for name in ("href", "src", "action", "srcset"):
            if found.get(name):
                self.urls.append(found[name])
        if "data-method" in found:
            self.operations.add((found["data-method"], found["data-path"]))
        if "style" in found or (tag == "script" and not found.get("src")) or tag == "style":
            self.inline.append(tag)


def _page(client: FlaskClient) -> tuple[_Page, str]:
    response = client.get(DOCS)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    parser = _Page()
    parser.feed(html)
    return parser, html


def test_api_reference_lists_every_operation_with_method_and_path(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    expected = {(method.upper(), path) for path, item in spec["paths"].items() for method in item if method in METHODS}
    page, html = _page(client)
    assert page.operations == expected
    for item in spec["paths"].values():
        for method, op in item.items():
            if method not in METHODS:
                continue
            assert f"op-{op['operationId']}" in page.ids
            # The table of contents links to it.
            assert f'href="#op-{op["operationId"]}"' in html


def test_api_reference_has_an_anchor_for_every_problem_type(client):
    page, html = _page(client)
    assert {f"problem-{slug}" for slug in PROBLEM_TYPES} <= page.ids
    # The problem+json "type" of a real refusal points at one of them.
    body = problem(client.get("/api/v1/my/company"), 401, "unauthorized")
    assert body["type"] == "http://localhost/api/v1/docs#problem-unauthorized"
    assert body["type"].split("#", 1)[1] in page.ids


def test_api_reference_sends_no_external_urls_and_no_inline_code(client):
    page, _html = _page(client)
    external = [url for url in page.urls if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)
                and not url.startswith("http://localhost/")]
    assert external == []
    assert page.inline == []  # the CSP allows neither inline styles nor inline scripts
    assert "/static/css/api.css" in page.urls
    assert "/api/v1/openapi.json" in page.urls


def test_api_reference_shows_fields_limits_and_enums_of_bodies(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    _page_parsed, html = _page(client)
    # Every request body field of every operation is named on the page, with its limits.
    for path, item in spec["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody") if method in METHODS else None
            if not body:
                continue
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for name, prop in spec["components"]["schemas"][ref].get("properties", {}).items():
                # Long names may break after "_" and "." on phones (<wbr>).
                assert f'<code class="api-name">{name.replace("_", "_<wbr>")}</code>' in html, (method, path, name)
                if "maxLength" in prop:
                    assert f"at most {prop['maxLength']} characters" in html


def test_api_reference_explains_who_may_call_each_operation(client):
    _page_parsed, html = _page(client)
    assert "Who may call it" in html
    assert "Anyone; no token needed." in html
    assert "Needs a read and write token." in html
    assert "Organizers." in html


def test_api_reference_is_public_and_sends_the_csp(client):
    response = client.get(DOCS)
    assert response.status_code == 200  # no login needed
    assert "Content-Security-Policy" in response.headers


def test_api_markdown_escapes_before_adding_markup():
    rendered = api_markdown("**Bold** and `<script>alert(1)</script>` and ``dairy``.\n\n<b>raw</b> text")
    assert isinstance(rendered, Markup)
    assert rendered == Markup("<p><strong>Bold</strong> and <code>&lt;script&gt;alert(1)&lt;/script&gt;</code> and "
                              "<code>dairy</code>.</p><p>&lt;b&gt;raw&lt;/b&gt; text</p>")


def test_api_markdown_of_nothing_is_empty():
    assert api_markdown(None) == Markup("")
    assert api_markdown("   \n\n  ") == Markup("")
