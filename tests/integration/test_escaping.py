"""User text is always escaped: an XSS payload stored in every user-editable text field (a company's profile, a
meeting message, a delegate's name, a delegation's name, the forum's details) is shown escaped on every page
that shows it; a website is never a ``javascript:`` link; the ICS files cannot be given extra lines; and the
API's CSV and XLSX exports neutralise formula cells like the exports page (tests/integration/test_exports.py).

The payloads are written straight into the database, past the forms' checks, so that the pages are tested
for what could be stored by any path (an import, an old version, the API).
"""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from forum.extensions import db
from forum.models import Company, Delegation, Forum, MeetingRequest, User
from forum.services import calendar, matching
from tests import factories
from tests.integration.db_snapshot import changed_tables, snapshot

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = (SCRIPT, "<img src=x onerror")
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def payload(tag: str) -> str:
    """A value that says which field it came from and carries both payloads."""
    return f"{tag} {SCRIPT}{IMG}"


COMPANY_FIELDS = ("name", "country", "city", "offers", "needs", "description", "contact_name", "contact_email",
                  "contact_phone")


@pytest.fixture
def world(app: Flask) -> dict:
    """published_agenda() with every text field of companies 0 and 1 (and their delegates, delegation, the
    request between them and the forum) holding the payloads; match lists computed."""
    with app.app_context():
        w = factories.published_agenda()
        for i in (0, 1):
            company = db.session.get(Company, w["companies"][i])
            for name in COMPANY_FIELDS:
                setattr(company, name, payload(f"c{i}-{name}"))
            # The phone column holds 40 characters (PostgreSQL refuses more): a short tag and one payload.
            company.contact_phone = f"c{i}-phone {SCRIPT}"
            db.session.get(User, w["delegates"][i]).full_name = payload(f"d{i}-name")
        delegation = db.session.get(Company, w["companies"][0]).delegation
        delegation.name = payload("delegation")
        delegation.country = payload("delegation-country")
        db.session.get(MeetingRequest, w["requests"][0]).message = payload("message") + "\nsecond line"
        forum = db.session.query(Forum).one()
        forum.name, forum.city, forum.venue = payload("forum"), payload("forum-city"), payload("forum-venue")
        forum.description = payload("forum-description")
        db.session.commit()
        matching.recompute_all()
        db.session.commit()
        w["delegation"] = delegation.id
    return w


def _login(app: Flask, client: FlaskClient, user_id: int) -> None:
    with app.app_context():
        email = factories.email_of(user_id)
    assert client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302


def _assert_escaped(body: str, path: str) -> None:
    for raw in RAW:
        assert raw not in body, f"{raw!r} unescaped on {path}"
    assert 'href="javascript:' not in body.lower(), f"javascript: link on {path}"


# path template, expected payload tags shown escaped on it (a few that must be there)
DELEGATE_PAGES = [
    ("/", ["forum", "forum-city", "forum-venue", "forum-description", "delegation"]),
    ("/companies/", ["c1-name", "c1-offers"]),
    ("/companies/{c0}", ["c0-name", "c0-offers", "c0-needs", "c0-description", "c0-contact_name", "d0-name"]),
    ("/companies/{c1}", ["c1-name", "c1-offers", "c1-contact_name", "c1-contact_email", "c1-phone"]),
    ("/companies/{c0}/matches", ["c1-name", "c1-city", "delegation"]),
    ("/companies/{c0}/meetings", ["c1-name", "message"]),
    ("/companies/{c0}/agenda", ["c1-name"]),
    ("/companies/{c0}/agenda/{r0}", ["c1-name", "c1-contact_email", "d1-name", "message"]),
    ("/companies/{c0}/agenda/{r0}/feedback", ["c1-name"]),
    ("/companies/{c0}/edit", ["c0-name", "c0-offers", "c0-phone"]),
    ("/companies/{c0}/team", ["d0-name"]),
    ("/companies/{c1}/request-meeting", ["c1-name"]),
    ("/companies/{c0}/availability", ["c0-name"]),
    ("/account", ["c0-name", "d0-name"]),
]
ORGANIZER_PAGES = [
    ("/organizer/", ["forum"]),
    ("/organizer/companies", ["c0-name", "delegation"]),
    ("/organizer/companies/{c0}", ["c0-name", "d0-name", "c1-name", "delegation"]),
    ("/organizer/delegations", ["delegation", "delegation-country"]),
    ("/organizer/agenda/grid", ["c0-name"]),
    ("/organizer/attendance", ["c0-name"]),
    ("/organizer/print/tables", ["c0-name", "d1-name"]),
    ("/organizer/print/companies", ["c0-name", "d0-name"]),
    ("/organizer/print/table-plan", ["c0-name"]),
    ("/organizer/report", ["c0-name", "c1-city"]),
    ("/organizer/exports", []),
    ("/organizer/forum", ["forum", "forum-city", "forum-venue", "forum-description"]),
    ("/organizer/matching", []),
    ("/organizer/agenda", []),
]


def _url(template: str, w: dict) -> str:
    return template.format(c0=w["companies"][0], c1=w["companies"][1], r0=w["requests"][0])


def _check_pages(client: FlaskClient, w: dict, pages: list[tuple[str, list[str]]]) -> None:
    for template, tags in pages:
        path = _url(template, w)
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        _assert_escaped(body, path)
        for tag in tags:
            assert f"{tag} {SCRIPT_ESCAPED}" in body, f"{tag} not shown escaped on {path}"


def test_delegate_pages_escape_user_text(app: Flask, client: FlaskClient, world: dict) -> None:
    _login(app, client, world["delegates"][0])
    _check_pages(client, world, DELEGATE_PAGES)


def test_organizer_pages_escape_user_text(app: Flask, client: FlaskClient, world: dict) -> None:
    _login(app, client, world["organizer"])
    _check_pages(client, world, ORGANIZER_PAGES)


def test_anonymous_pages_escape_user_text(client: FlaskClient, world: dict) -> None:
    for path in ("/", "/login", "/signup"):
        response = client.get(path)
        assert response.status_code == 200
        _assert_escaped(response.get_data(as_text=True), path)


@pytest.mark.parametrize("website", ["javascript:alert(1)", "JavaScript:alert(1)"])
def test_company_page_never_links_a_javascript_website(app: Flask, client: FlaskClient, world: dict,
                                                        website: str) -> None:
    with app.app_context():
        db.session.get(Company, world["companies"][1]).website = website
        db.session.commit()
    _login(app, client, world["delegates"][0])
    for path in (f"/companies/{world['companies'][1]}", f"/organizer/companies/{world['companies'][1]}"):
        body = client.get(path).get_data(as_text=True)
        assert 'href="javascript:' not in body.lower(), path


def test_company_page_links_an_http_website(app: Flask, client: FlaskClient, world: dict) -> None:
    with app.app_context():
        db.session.get(Company, world["companies"][1]).website = "https://orchard.example/?a=1&b=<x>"
        db.session.commit()
    _login(app, client, world["delegates"][0])
    body = client.get(f"/companies/{world['companies'][1]}").get_data(as_text=True)
    assert 'href="https://orchard.example/?a=1&amp;b=&lt;x&gt;"' in body


@pytest.mark.parametrize("website", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                     "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                                     "java\tscript:alert(1)"])
def test_edit_form_refuses_script_website_and_writes_nothing(app: Flask, client: FlaskClient, website: str):
    with app.app_context():
        delegate = factories.user()
        company_id = db.session.get(User, delegate).company_id
    _login(app, client, delegate)
    form = client.get(f"/companies/{company_id}/edit")
    assert form.status_code == 200
    with app.app_context():
        company = db.session.get(Company, company_id)
        data = {"name": company.name, "delegation": str(company.delegation_id), "country": company.country,
                "sectors": [str(s.id) for s in company.sectors], "offers": company.offers, "website": website}
        before = snapshot()
    response = client.post(f"/companies/{company_id}/edit", data=data)
    assert response.status_code == 422
    assert "Enter a website address such as example.kz." in response.get_data(as_text=True)
    with app.app_context():
        assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("website", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x"])
def test_api_refuses_script_website_and_writes_nothing(app: Flask, client: FlaskClient, website: str):
    with app.app_context():
        delegate = factories.user()
        token = factories.api_token(delegate, "write")
        before = snapshot()
    response = client.patch("/api/v1/my/company", json={"website": website},
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    with app.app_context():
        # Only the token's last use is recorded.
        assert changed_tables(before, snapshot()) == ["api_token"]
        assert db.session.get(User, delegate).company.website == ""


# -- ICS: user text cannot add lines or properties ------------------------------------------------------

INJECT = "Evil\r\nX-INJECTED:1\nATTENDEE:mailto:evil@example.com;,\\"


def _unfolded_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.split("\r\n")


def test_ics_escapes_names_and_messages(app: Flask, client: FlaskClient, world: dict) -> None:
    with app.app_context():
        db.session.get(Company, world["companies"][1]).name = INJECT
        db.session.get(MeetingRequest, world["requests"][0]).message = INJECT
        db.session.get(User, world["delegates"][1]).full_name = INJECT
        db.session.commit()
        feed, _ = calendar.subscribe(db.session.get(User, world["delegates"][0]))
        db.session.commit()
        feed_path = f"/calendar/{calendar.feed_token(feed)}.ics"
    # The feed first, with no login: the token is the credential; then the two downloads.
    for path in (feed_path, "/my/agenda.ics", f"/companies/{world['companies'][0]}/agenda.ics"):
        if path == "/my/agenda.ics":
            _login(app, client, world["delegates"][0])
        response = client.get(path)
        assert response.status_code == 200, path
        lines = _unfolded_lines(response.data)
        assert not any(line.startswith(("X-INJECTED", "ATTENDEE:mailto:evil")) for line in lines), path
        assert any("Evil\\nX-INJECTED:1" in line for line in lines), path  # escaped, still readable
        assert all("\n" not in line and "\r" not in line for line in lines)


# -- the API's exports neutralise formula cells ----------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def formula_world(app: Flask) -> dict:
    with app.app_context():
        w = factories.published_agenda()
        for cid, formula in zip(w["companies"], FORMULAS, strict=False):
            db.session.get(Company, cid).name = formula
        db.session.get(Company, w["companies"][0]).offers = FORMULAS[5]
        db.session.get(Company, w["companies"][0]).contact_phone = "+998 90 123 45 67"
        db.session.get(User, w["delegates"][0]).full_name = "=cmd|' /C calc'!A0"
        db.session.get(Delegation, db.session.get(Company, w["companies"][0]).delegation_id).name = "@evil"
        db.session.commit()
        w["token"] = factories.api_token(w["organizer"], "read")
    return w


def _cells_csv(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def _cells_xlsx(data: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("name", ["agenda", "companies"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_api_export_files_neutralise_formula_cells(client: FlaskClient, formula_world: dict, name: str, fmt: str):
    response = client.get(f"/api/v1/organizer/exports/{name}?format={fmt}",
                          headers={"Authorization": f"Bearer {formula_world['token']}"})
    assert response.status_code == 200
    cells = _cells_csv(response.data) if fmt == "csv" else _cells_xlsx(response.data)
    dangerous = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert dangerous == []
    # The names are still there, behind the apostrophe that makes them text.
    assert "'" + FORMULAS[0] in cells
    assert "'@SUM(A1:A2)" in cells


def test_api_export_json_keeps_values_as_they_are(client: FlaskClient, formula_world: dict) -> None:
    response = client.get("/api/v1/organizer/exports/companies",
                          headers={"Authorization": f"Bearer {formula_world['token']}"})
    assert response.status_code == 200
    values = [cell for row in response.get_json()["rows"] for cell in row]
    assert FORMULAS[0] in values and "@SUM(A1:A2)" in values

