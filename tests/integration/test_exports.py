"""Integration tests: the agenda and company exports (CSV, XLSX) and the printable sheets for the venue."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from forum.extensions import db
from forum.models import Company, Role, ScheduledMeeting
from forum.services import agenda, exports, scheduling
from forum.services.agenda import SessionSpec, TimeStructure
from forum.services.forums import current_forum, save_forum
from forum.services.importer import import_companies_csv
from tests import factories

DAY = date(2024, 10, 17)
TASHKENT = ZoneInfo("Asia/Tashkent")
ROUTES = ["/organizer/exports", "/organizer/exports/agenda.csv", "/organizer/exports/agenda.xlsx",
          "/organizer/exports/companies?format=csv", "/organizer/exports/companies?format=xlsx",
          "/organizer/print/tables", "/organizer/print/companies", "/organizer/print/table-plan"]


accepted = factories.accepted_request


@pytest.fixture
def forum(app: Flask) -> dict:
    """One morning of three 20-minute slots at four tables; four companies, one of them Cyrillic and one whose
    name a spreadsheet would take for a formula; three accepted requests, scheduled; not published."""
    with app.app_context():
        save_forum("Kashkadarya Invest-2024", "Qarshi", "Hall", DAY, DAY)
        db.session.commit()
        agenda.save_structure(TimeStructure(sessions=[SessionSpec(DAY, time(10), time(11))], slot_minutes=20,
                                            tables=4))
        c = [factories.company(name="ТОО «Алматы Сүт»"), factories.company(name="=HYPERLINK(\"http://x\")"),
             factories.company(name="Qarshi Textile"), factories.company(name="Agro Export")]
        factories.user(company_id=c[0], full_name="Айгерим Бекова")
        factories.user(company_id=c[0], full_name="Daniyar Sadykov")
        factories.user(company_id=c[2], full_name="Rustam Karimov")
        factories.user(company_id=c[2], full_name="Gone Away", active=False)
        accepted(c[0], c[1])
        accepted(c[2], c[3])
        accepted(c[0], c[2])
        report = scheduling.schedule(time_limit=2)
        assert report.placed == 3
        return {"companies": c}


@pytest.fixture
def organizer(make_user, login_as):
    return login_as(make_user(role=Role.ORGANIZER))


def expected_meetings(app: Flask) -> list[tuple[str, str, str, str, str]]:
    """(date, time, table, requester, recipient) read straight from the database, in the forum's zone."""
    with app.app_context():
        rows = []
        for m in db.session.scalars(select(ScheduledMeeting)):
            start, end = m.slot.starts_at.astimezone(TASHKENT), m.slot.ends_at.astimezone(TASHKENT)
            rows.append((start.date().isoformat(), f"{start:%H:%M}–{end:%H:%M}", str(m.table.number),
                         m.request.requester.name, m.request.recipient.name))
        return sorted(rows)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- the formula neutraliser -------------------------------------------------------------------------


@pytest.mark.parametrize("value, written", [("=1+1", "'=1+1"), ("+998 90 123", "'+998 90 123"),
                                            ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("Dairy", "Dairy"),
                                            ("a=b", "a=b"), ("", ""), (None, "")])
def test_neutralise_prefixes_formula_starts_only(value, written):
    assert exports.neutralise(value) == written
    assert exports.restore(written) == (value or "")


# --- the agenda files --------------------------------------------------------------------------------


def test_agenda_csv_lists_every_meeting_in_forum_time_with_delegates(app, client, forum, organizer):
    response = client.get("/organizer/exports/agenda.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = read_csv(response.data)
    assert rows[0] == ["Date", "Time", "Table", "Company A", "Delegation A", "Delegates A",
                       "Company B", "Delegation B", "Delegates B"]
    got = sorted((r[0], r[1], r[2], r[3], r[6]) for r in rows[1:])
    expected = [(d, t, n, a if not a.startswith("=") else "'" + a, b if not b.startswith("=") else "'" + b)
                for d, t, n, a, b in expected_meetings(app)]
    assert got == expected
    assert {r[1] for r in rows[1:]} <= {"10:00–10:20", "10:20–10:40", "10:40–11:00"}
    by_name = {r[3]: r[5] for r in rows[1:]} | {r[6]: r[8] for r in rows[1:]}
    # Only people with an active login, in the order they joined.
    assert by_name["ТОО «Алматы Сүт»"] == "Айгерим Бекова, Daniyar Sadykov"
    assert by_name["Qarshi Textile"] == "Rustam Karimov"
    assert by_name["Agro Export"] == ""


def test_agenda_csv_neutralises_formula_cells(client, forum, organizer):
    text = client.get("/organizer/exports/agenda.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert not re.search(r"(^|,)\"?=HYPERLINK", text, re.MULTILINE)


def test_agenda_xlsx_cells_header_and_formulas(app, client, forum, organizer):
    response = client.get("/organizer/exports/agenda.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:4] == ["Date", "Time", "Table", "Company A"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width > 8
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)  # nothing runs as a formula
    names = {c.value for c in cells}
    assert "ТОО «Алматы Сүт»" in names
    assert "'=HYPERLINK(\"http://x\")" in names
    assert sheet.max_row == 1 + len(expected_meetings(app))


def test_agenda_file_is_named_after_forum_and_date(client, forum, organizer):
    disposition = client.get("/organizer/exports/agenda.xlsx").headers["Content-Disposition"]
    today = datetime.now(TASHKENT).date().isoformat()
    assert disposition.startswith("attachment;")
    assert f"Kashkadarya-Invest-2024-agenda-{today}.xlsx" in disposition


def test_agenda_export_without_meetings_has_only_the_header(client, organizer):
    rows = read_csv(client.get("/organizer/exports/agenda.csv").data)
    assert len(rows) == 1


# --- the companies file ------------------------------------------------------------------------------


def test_companies_export_reimports_unchanged(app, client, make_company, organizer):
    make_company(name="ТОО «Алматы Сүт»", offers="- Пастеризованное молоко\n- кефир", needs="=упаковка",
                 sectors=("dairy", "packaging"), languages=["ru", "kk"], website="https://sut.kz")
    make_company(name="Qarshi Textile", offers="Cotton yarn", needs="+ looms", contact_email="")
    before = snapshot(app)
    response = client.get("/organizer/exports/companies?format=csv")
    assert response.status_code == 200
    data = response.data
    rows = read_csv(data)
    assert rows[0] == ["name", "delegation", "country", "city", "sectors", "offers", "needs", "description",
                       "website", "contact_name", "contact_email", "languages"]
    alma = next(r for r in rows if r[0] == "ТОО «Алматы Сүт»")
    assert alma[5] == "'- Пастеризованное молоко\n- кефир"
    assert alma[6] == "'=упаковка"
    with app.app_context():
        result = import_companies_csv(data)
        assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 0, 2)
    assert snapshot(app) == before


def snapshot(app: Flask) -> list[tuple]:
    with app.app_context():
        return [(c.name, c.offers, c.needs, sorted(s.key for s in c.sectors), sorted(c.languages), c.website,
                 c.contact_email, c.profile_version) for c in db.session.scalars(select(Company).order_by(Company.id))]


def test_companies_export_xlsx_and_inactive_left_out(app, client, make_company, organizer):
    make_company(name="Active Co")
    gone = make_company(name="Withdrawn Co")
    with app.app_context():
        db.session.get(Company, gone).active = False
        db.session.commit()
    response = client.get("/organizer/exports/companies?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Active Co"]
    assert "companies" in response.headers["Content-Disposition"]


def test_companies_export_unknown_format_refused(client, organizer):
    assert client.get("/organizer/exports/companies?format=pdf").status_code == 400


# --- the printed pages -------------------------------------------------------------------------------


def test_print_tables_one_sheet_per_table_with_its_meetings(app, client, forum, organizer):
    html = client.get("/organizer/print/tables").get_data(as_text=True)
    expected = expected_meetings(app)
    tables = sorted({int(n) for _d, _t, n, _a, _b in expected})
    assert html.count('data-testid="table-sheet"') == len(tables)
    sheets = html.split('data-testid="table-sheet"')[1:]
    for number, sheet in zip(tables, sheets, strict=True):
        assert f"Table {number}</h2>" in sheet
        shown = re.findall(r'<td class="nowrap">([^<]*)</td>\s*<td><strong>([^<]*)</strong>.*?<td><strong>([^<]*)</strong>',
                           sheet, re.DOTALL)
        wanted = [(t, a, b) for _d, t, n, a, b in expected if int(n) == number]
        assert sorted(shown) == [(t, a.replace('"', "&#34;"), b.replace('"', "&#34;")) for t, a, b in sorted(wanted)]
    assert "Thursday, October 17, 2024" in html
    assert "05:00" not in html  # UTC would be 05:00; the forum's zone is UTC+5


def test_print_companies_lists_each_company_agenda_alphabetically(app, client, forum, organizer):
    html = client.get("/organizer/print/companies").get_data(as_text=True)
    assert html.count('data-testid="company-sheet"') == 4
    headings = re.findall(r'id="company-\d+">([^<]*)</h2>', html)
    assert headings == ["Agro Export", "=HYPERLINK(&#34;http://x&#34;)", "Qarshi Textile", "ТОО «Алматы Сүт»"]
    alma = forum["companies"][0]
    single = client.get(f"/organizer/print/companies?company={alma}").get_data(as_text=True)
    assert single.count('data-testid="company-sheet"') == 1
    with app.app_context():
        mine = [m for m in expected_meetings(app) if "ТОО «Алматы Сүт»" in (m[3], m[4])]
    assert len(mine) == 2
    for _d, when, table, _a, _b in mine:
        assert when in single
        assert f'<td class="table-cell">{table}</td>' in single
    assert "Айгерим Бекова, Daniyar Sadykov" in single
    assert "Agro Export" not in single


def test_print_single_company_without_meetings_and_unknown(client, forum, organizer, make_company):
    lonely = make_company(name="Lonely Co")
    html = client.get(f"/organizer/print/companies?company={lonely}").get_data(as_text=True)
    assert "Lonely Co" in html
    assert "No meeting is scheduled for this company." in html
    assert client.get("/organizer/print/companies?company=9999").status_code == 404
    assert client.get("/organizer/print/companies?company=abc").status_code == 404


def test_print_table_plan_lists_companies_with_times_and_tables(app, client, forum, organizer):
    html = client.get("/organizer/print/table-plan").get_data(as_text=True)
    assert html.count('data-testid="plan-row"') == 4
    rows = html.split('data-testid="plan-row"')[1:]
    assert "Agro Export" in rows[0]
    (_d, when, table, _a, _b), = [m for m in expected_meetings(app) if "Agro Export" in (m[3], m[4])]
    assert f"{when[:5]}</span> → <strong>Table {table}</strong>" in rows[0]


@pytest.mark.parametrize("path", ["/organizer/print/tables", "/organizer/print/companies",
                                  "/organizer/print/table-plan"])
def test_print_pages_say_draft_until_published(app, client, forum, organizer, path):
    assert 'data-testid="draft"' in client.get(path).get_data(as_text=True)
    with app.app_context():
        current_forum().agenda_published_at = datetime(2024, 10, 10, tzinfo=UTC)
        db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="draft"' not in html
    assert "Draft" not in html


def test_exports_page_links_every_file_and_printout(client, forum, organizer):
    html = client.get("/organizer/exports").get_data(as_text=True)
    for path in ROUTES[1:]:
        assert f'href="{path.replace("&", "&amp;")}"' in html
    assert "3 meetings" in html
    assert 'data-testid="draft-notice"' in html


# --- who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
def test_participant_refused(client, make_user, login_as, path):
    login_as(make_user())
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ROUTES)
def test_anonymous_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- queries do not grow with meetings or companies ----------------------------------------------------


def test_query_counts_do_not_grow(app, client, count_queries, forum, organizer):
    def counts() -> dict[str, int]:
        result = {}
        for path in ROUTES:
            with count_queries() as statements:
                assert client.get(path).status_code == 200, path
            result[path] = len(statements)
        return result

    few = counts()
    with app.app_context():
        more = [factories.company(name=f"More {i}") for i in range(6)]
        for i in range(0, 6, 2):
            accepted(more[i], more[i + 1])
            factories.user(company_id=more[i])
        accepted(more[1], more[2])
        assert scheduling.schedule(time_limit=2).placed == 7
    assert counts() == few


def test_file_name_keeps_a_cyrillic_forum_name(app, client, organizer):
    with app.app_context():
        save_forum("Кашкадарья Инвест", "Карши", "", DAY, DAY)
        db.session.commit()
    response = client.get("/organizer/exports/companies?format=csv")
    assert response.status_code == 200
    assert "filename*=UTF-8''%D0%9A%D0%B0%D1%88" in response.headers["Content-Disposition"]
