"""Integration tests: the organizer's companies and delegations — list, add, deactivate, opt out, CSV upload,
acting for a company."""

from __future__ import annotations

import html
import io
import re
from datetime import date, time

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, Delegation, MatchSuggestion, MeetingRequest, RequestStatus, Role
from forum.services import agenda, matching, scheduling
from forum.services.agenda import SessionSpec, TimeStructure
from forum.services.forums import save_forum
from tests import factories
from tests.integration.test_companies import field_errors
from tests.integration.test_schedule import accepted

ALMATY = "Almaty Region (Kazakhstan)"
HEADER = "name,delegation,country,city,sectors,offers,needs\n"


@pytest.fixture
def almaty(make_delegation) -> int:
    return make_delegation(name=ALMATY)


@pytest.fixture
def organizer(make_user) -> int:
    return make_user(role=Role.ORGANIZER, full_name="Dilnoza Karimova")


@pytest.fixture
def org(login_as, organizer):
    return login_as(organizer)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def company_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Company))


def get(app: Flask, company_id: int) -> Company:
    with app.app_context():
        company = db.session.get(Company, company_id)
        db.session.expunge(company)
        return company


# --- access ----------------------------------------------------------------------------------------

ROUTES = [("get", "/organizer/companies"), ("get", "/organizer/companies/new"), ("post", "/organizer/companies/new"),
          ("get", "/organizer/companies/{id}"), ("post", "/organizer/companies/{id}/deactivate"),
          ("post", "/organizer/companies/{id}/reactivate"), ("post", "/organizer/companies/{id}/opt-out"),
          ("post", "/organizer/companies/{id}/opt-in"), ("post", "/organizer/companies/{id}/request-meeting"),
          ("get", "/organizer/companies/import"), ("post", "/organizer/companies/import"),
          ("get", "/organizer/delegations"), ("post", "/organizer/delegations"),
          ("post", "/organizer/delegations/1/rename")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_participant_and_anonymous_are_refused(app, client, login_as, make_user, almaty, method, path):
    company_id = factories_company(app, almaty)
    url = path.format(id=company_id)
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code in (302, 401) and "/login" in anonymous.headers.get("Location", "/login")
    login_as(make_user(company_id=company_id))
    assert getattr(client, method)(url).status_code == 403
    assert get(app, company_id).active  # nothing changed


def factories_company(app: Flask, delegation_id: int, **overrides) -> int:
    with app.app_context():
        return factories.company(delegation_id=delegation_id, **overrides)


# --- list ------------------------------------------------------------------------------------------


def test_list_search_and_filters(app, org, make_delegation, almaty):
    other = make_delegation(name="Kashkadarya Region (Uzbekistan)", country="Uzbekistan")
    milk = factories_company(app, almaty, name="Almaty Milk", sectors=("dairy",))
    cotton = factories_company(app, other, name="Qarshi Cotton", offers="Cotton fibre", sectors=("textiles",))
    org.post(f"/organizer/companies/{cotton}/deactivate")
    page = text(org.get("/organizer/companies"))
    assert "Almaty Milk" in page and "Qarshi Cotton" in page and "Deactivated" in page
    assert "Qarshi Cotton" not in text(org.get("/organizer/companies?q=milk"))
    assert "Almaty Milk" not in text(org.get(f"/organizer/companies?delegation={other}"))
    assert "Qarshi Cotton" not in text(org.get("/organizer/companies?status=active"))
    only = text(org.get("/organizer/companies?status=deactivated"))
    assert "Qarshi Cotton" in only and "Almaty Milk" not in only
    # a mangled filter shows everything rather than an error
    assert org.get("/organizer/companies?delegation=abc&status=zzz&page=-4").status_code == 200
    assert milk


def test_list_counts_delegates_requests_and_meetings(app, org, make_user, almaty):
    a = factories_company(app, almaty, name="Alpha Dairy")
    b = factories_company(app, almaty, name="Beta Pack")
    make_user(company_id=a)
    make_user(company_id=a)
    with app.app_context():
        accepted(a, b)
    row = re.search(r"Alpha Dairy</a></td>(.*?)</tr>", text(org.get("/organizer/companies")), re.S).group(1)
    assert re.findall(r'class="num">(\d+)<', row) == ["2", "1", "1"]


def test_list_query_count_does_not_grow_with_companies(app, org, count_queries, make_user, almaty):
    def queries() -> int:
        with count_queries() as statements:
            assert org.get("/organizer/companies").status_code == 200
        return len(statements)

    for n in range(3):
        make_user(company_id=factories_company(app, almaty, name=f"Few {n}"))
    few = queries()
    for n in range(15):
        make_user(company_id=factories_company(app, almaty, name=f"More {n}", sectors=("dairy", "logistics")))
    assert queries() == few


# --- add ---------------------------------------------------------------------------------------------


def profile_form(delegation_id: int, **changes) -> dict:
    with_sector = {"name": "Shymkent Juice", "delegation": str(delegation_id), "country": "Kazakhstan",
                   "city": "Almaty", "offers": "Apple juice", "needs": "Glass bottles"}
    with_sector.update(changes)
    return with_sector


def test_add_company_on_behalf_of_a_delegation(app, org, almaty):
    with app.app_context():
        sector = factories.sector_ids("dairy")[0]
    response = org.post("/organizer/companies/new", data={**profile_form(almaty), "sectors": [str(sector)]})
    assert response.status_code == 302
    assert "Shymkent Juice" in text(org.get(response.headers["Location"]))
    assert "Shymkent Juice" in text(org.get("/companies/"))


def test_add_company_refused_with_field_messages(app, org, almaty):
    factories_company(app, almaty, name="Taken Name")
    with app.app_context():
        sector = factories.sector_ids("dairy")[0]
    before = company_count(app)
    missing = org.post("/organizer/companies/new", data=profile_form(almaty, name="", offers="", needs=""))
    assert missing.status_code == 422
    errors = field_errors(missing.get_data(as_text=True))
    assert {"name", "sectors", "needs"} <= set(errors)
    duplicate = org.post("/organizer/companies/new",
                         data={**profile_form(almaty, name="taken  name"), "sectors": [str(sector)]})
    assert duplicate.status_code == 422
    assert "already registered" in " ".join(field_errors(text(duplicate))["name"])
    assert company_count(app) == before


# --- deactivate, reactivate, opt out -------------------------------------------------------------


def test_deactivate_hides_from_directory_and_matches_then_reactivate(app, org, almaty):
    a = factories_company(app, almaty, name="Almaty Dairy", offers="Milk", needs="Packaging film")
    b = factories_company(app, almaty, name="Film Packaging Plant", offers="Packaging film", needs="Milk")
    with app.app_context():
        matching.recompute_all()
        assert db.session.get(MatchSuggestion, (a, b)) is not None
    done = org.post(f"/organizer/companies/{b}/deactivate", follow_redirects=True)
    assert "is deactivated" in text(done) and not get(app, b).active
    assert "Film Packaging Plant" not in text(org.get("/companies/"))
    with app.app_context():
        assert db.session.get(MatchSuggestion, (a, b)) is None
        assert not db.session.scalars(select(MatchSuggestion).where(MatchSuggestion.company_id == b)).all()
        assert all(p.id != b for p in matching.load_profiles())
    assert "Film Packaging Plant" not in text(org.get(f"/companies/{a}/matches"))

    assert "is active again" in text(org.post(f"/organizer/companies/{b}/reactivate", follow_redirects=True))
    assert get(app, b).active
    assert "Film Packaging Plant" in text(org.get("/companies/"))
    with app.app_context():
        assert db.session.get(MatchSuggestion, (a, b)) is not None


def test_deactivated_company_meetings_are_left_out_of_the_schedule(app, org, almaty):
    day = date(2024, 10, 17)
    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", day, day)
        db.session.commit()
        agenda.save_structure(TimeStructure(sessions=[SessionSpec(day, time(10), time(11))], slot_minutes=20,
                                            tables=2))
    a, b, c = (factories_company(app, almaty, name=n) for n in ("Able", "Baker", "Cooper"))
    with app.app_context():
        kept, dropped = accepted(a, b), accepted(a, c)
    org.post(f"/organizer/companies/{c}/deactivate")
    with app.app_context():
        loaded = scheduling.load_instance()
        assert [m.id for m in loaded.instance.meetings] == [kept]
        report = scheduling.schedule(time_limit=2)
        assert report.placed == 1
        assert [(u.request.id, u.reason) for u in report.unplaced] == [(dropped, "the company was deactivated")]


def test_opt_out_toggle(app, org, almaty):
    a = factories_company(app, almaty)
    org.post(f"/organizer/companies/{a}/opt-out")
    assert get(app, a).opted_out
    assert "Opted out" in text(org.get(f"/organizer/companies/{a}"))
    org.post(f"/organizer/companies/{a}/opt-in")
    assert not get(app, a).opted_out


def test_unknown_company_is_404(org):
    assert org.get("/organizer/companies/999999").status_code == 404
    assert org.post("/organizer/companies/99999999999/deactivate").status_code == 404


# --- CSV upload ----------------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "companies.csv"):
    return client.post("/organizer/companies/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_imports_companies(app, org, almaty):
    csv = HEADER + f"Talgar Apples,{ALMATY},Kazakhstan,Talgar,agriculture,Apples,Hail nets\n" \
                   f"Issyk Honey,{ALMATY},Kazakhstan,Esik,agriculture,Honey,Jars\n"
    response = upload(org, csv.encode())
    assert response.status_code == 200
    assert "Imported: 2 new, 0 updated, 0 unchanged." in text(response)
    listing = text(org.get("/organizer/companies"))
    assert "Talgar Apples" in listing and "Issyk Honey" in listing


@pytest.mark.parametrize(("data", "message"), [
    ((HEADER + f"Қазақ Сүт,{ALMATY},Kazakhstan,Алматы,dairy,Молоко,Тара\n").encode("cp1251", "replace"),
     "The file is not UTF-8 text"),
    (f"name,delegation,country\nAlpha,{ALMATY},Kazakhstan\n".encode(), "missing columns: city, sectors, offers, needs"),
    (b"", "Choose a CSV file"),
])
def test_upload_refuses_whole_file_with_message(app, org, almaty, data, message):
    before = company_count(app)
    response = upload(org, data)
    assert response.status_code == 422
    assert message in " ".join(field_errors(text(response)).get("file", []))
    assert company_count(app) == before


def test_upload_with_bad_and_duplicate_rows_imports_nothing_and_lists_rows(app, org, almaty):
    csv = (HEADER + f"Good One,{ALMATY},Kazakhstan,Almaty,dairy,Milk,Film\n"
           f"Bad Sector,{ALMATY},Kazakhstan,Almaty,spaceships,Rockets,Fuel\n"
           f"good  one,{ALMATY},Kazakhstan,Almaty,dairy,Milk,Film\n")
    response = upload(org, csv.encode())
    assert response.status_code == 422
    page = text(response)
    assert "Nothing was imported: 2 rows have problems." in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", page)
    assert rows[0][0] == "3" and "unknown sector “spaceships”" in rows[0][1]
    assert rows[1][0] == "4" and "the same company as on line 2" in rows[1][1]
    assert company_count(app) == 0


def test_upload_too_large_is_refused(app, org, almaty):
    response = upload(org, HEADER.encode() + b"x" * (2 * 1024 * 1024 + 10))
    assert response.status_code == 422
    assert "larger than 2 MB" in text(response)


# --- delegations ---------------------------------------------------------------------------------


def test_delegations_list_add_rename(app, org, make_user, almaty):
    make_user(company_id=factories_company(app, almaty))
    page = text(org.get("/organizer/delegations"))
    assert ALMATY in page and "Kazakhstan · 1 company · 1 delegate" in page
    assert org.post("/organizer/delegations", data={"name": "Tashkent City", "country": "Uzbekistan"}).status_code == 302
    taken = org.post("/organizer/delegations", data={"name": "tashkent city", "country": "Uzbekistan"})
    assert taken.status_code == 422 and "already exists" in text(taken)
    empty = org.post(f"/organizer/delegations/{almaty}/rename", data={"name": "   "})
    assert empty.status_code == 422 and "Enter the delegation" in text(empty)
    clash = org.post(f"/organizer/delegations/{almaty}/rename", data={"name": "Tashkent City"})
    assert clash.status_code == 422
    assert org.post(f"/organizer/delegations/{almaty}/rename", data={"name": "Almaty Oblast"}).status_code == 302
    with app.app_context():
        names = set(db.session.scalars(select(Delegation.name)))
    assert names == {"Almaty Oblast", "Tashkent City"}
    assert org.post("/organizer/delegations/424242/rename", data={"name": "X"}).status_code == 404


# --- acting for a company -----------------------------------------------------------------------


def test_organizer_requests_and_answers_on_behalf(app, org, organizer, almaty):
    a = factories_company(app, almaty, name="Asker Ltd")
    b = factories_company(app, almaty, name="Answerer Ltd")
    response = org.post(f"/organizer/companies/{a}/request-meeting", data={"partner": str(b), "message": "Meet?"})
    assert response.status_code == 302
    with app.app_context():
        request = db.session.scalar(select(MeetingRequest))
        request_id, version = request.id, request.version
        assert (request.requester_id, request.recipient_id, request.created_by_id) == (a, b, organizer)
    page = text(org.get(f"/organizer/companies/{b}"))
    assert "requested by Dilnoza Karimova on behalf of Asker Ltd" in page
    answer = org.post(f"/meetings/{request_id}/accept", data={"version": str(version), "company_id": str(b)})
    assert answer.status_code == 302
    with app.app_context():
        request = db.session.get(MeetingRequest, request_id)
        assert request.status == RequestStatus.ACCEPTED and request.responded_by_id == organizer
    assert "answered by Dilnoza Karimova on behalf of Answerer Ltd" in text(org.get(f"/organizer/companies/{a}"))


def test_request_on_behalf_refused_with_reason(app, org, almaty):
    a = factories_company(app, almaty, name="Asker Ltd")
    b = factories_company(app, almaty, name="Paused Ltd", opted_out=True)
    refused = org.post(f"/organizer/companies/{a}/request-meeting", data={"partner": str(b)})
    assert refused.status_code == 422  # not offered: the choice is not valid
    c = factories_company(app, almaty, name="Gone Ltd")
    org.post(f"/organizer/companies/{a}/deactivate")
    gone = org.post(f"/organizer/companies/{a}/request-meeting", data={"partner": str(c)})
    assert gone.status_code == 422 and "Asker Ltd was deactivated" in text(gone)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 0
