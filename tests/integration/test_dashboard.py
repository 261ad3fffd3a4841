"""Integration tests: the organizer dashboard, the forum details page and the printable forum report."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, date, datetime, time

import pytest
from flask import Flask
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    AttendanceStatus,
    CheckInMethod,
    Company,
    DealOutcome,
    Forum,
    MeetingAttendance,
    MeetingFeedback,
    MeetingRequest,
    RequestStatus,
    Role,
    Sector,
)
from forum.services import agenda, scheduling
from forum.services.agenda import SessionSpec, TimeStructure
from forum.services.forums import save_forum
from tests import factories

DAY = date(2024, 10, 17)
ROUTES = ["/organizer/", "/organizer/forum", "/organizer/report"]


def request_between(a: int, b: int, status: RequestStatus) -> int:
    low, high = sorted((a, b))
    row = MeetingRequest(requester_id=a, recipient_id=b, pair_low=low, pair_high=high, status=status)
    db.session.add(row)
    db.session.commit()
    return row.id


def sector_label(key: str) -> str:
    return db.session.scalar(select(Sector.label).where(Sector.key == key))


@pytest.fixture
def forum(app: Flask) -> dict:
    """One 20-minute slot, two tables, two delegations.

    A1–K1 is scheduled; then A1–K2 is accepted (A1 has no free slot left) and A2–K3 (there is room).
    """
    with app.app_context():
        save_forum("Kashkadarya Invest-2024", "Qarshi", "Hall A", DAY, DAY)
        db.session.commit()
        agenda.save_structure(TimeStructure(sessions=[SessionSpec(DAY, time(10), time(10, 20))], slot_minutes=20,
                                            tables=2))
        almaty = factories.delegation("Almaty Region (Kazakhstan)")
        kashka = factories.delegation("Kashkadarya Region (Uzbekistan)", country="Uzbekistan")
        c = {
            "A1": factories.company(name="Almaty Dairy", delegation_id=almaty, sectors=("dairy",)),
            "A2": factories.company(name="Almaty Freight", delegation_id=almaty, sectors=("dairy", "logistics")),
            "A3": factories.company(name="Almaty Withdrawn", delegation_id=almaty, sectors=("dairy",)),
            "K1": factories.company(name="Karshi Milk", delegation_id=kashka, sectors=("dairy",)),
            "K2": factories.company(name="Karshi Pack", delegation_id=kashka, sectors=("packaging",)),
            "K3": factories.company(name="Karshi Quiet", delegation_id=kashka, sectors=("packaging",),
                                    opted_out=True),
            "K4": factories.company(name="Karshi Zero", delegation_id=kashka, sectors=("packaging",)),
        }
        db.session.get(Company, c["A3"]).active = False
        db.session.commit()
        request_between(c["A1"], c["K1"], RequestStatus.ACCEPTED)
        assert scheduling.schedule(time_limit=1).placed == 1
        request_between(c["A1"], c["K2"], RequestStatus.ACCEPTED)
        request_between(c["A2"], c["K3"], RequestStatus.ACCEPTED)
        request_between(c["A2"], c["K1"], RequestStatus.REQUESTED)
        request_between(c["A2"], c["K2"], RequestStatus.DECLINED)
        request_between(c["K3"], c["A1"], RequestStatus.EXPIRED)
        return {"companies": c, "almaty": almaty, "kashka": kashka}


@pytest.fixture
def organizer(make_user, login_as):
    return login_as(make_user(role=Role.ORGANIZER))


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start:html.index("</table>", start)]


def svg_title(html: str, chart: str) -> str:
    return markup.unescape(re.search(rf'<title id="{chart}-title">([^<]*)</title>', html).group(1))


# --- the dashboard ------------------------------------------------------------------------------------


def test_dashboard_counts_companies_per_delegation_and_sector(app, forum, organizer):
    html = organizer.get("/organizer/").get_data(as_text=True)
    with app.app_context():
        dairy, packaging, logistics = sector_label("dairy"), sector_label("packaging"), sector_label("logistics")
    # the withdrawn company is not counted; delegations in name order
    assert svg_title(html, "delegations") == ("Companies per delegation: Almaty Region (Kazakhstan) 2, "
                                              "Kashkadarya Region (Uzbekistan) 4")
    sectors = svg_title(html, "sectors")
    assert f"{dairy} 3" in sectors and f"{packaging} 3" in sectors and f"{logistics} 1" in sectors
    assert re.search(r'data-testid="figure-companies">6<', html)


def test_dashboard_counts_requests_by_state(forum, organizer):
    html = organizer.get("/organizer/").get_data(as_text=True)
    assert svg_title(html, "requests") == ("Meeting requests by state: Pending 1, Accepted 3, Declined 1, "
                                           "Expired 1, Cancelled 0")
    assert re.findall(r'data-testid="requests-value">(\d+)<', html) == ["1", "3", "1", "1", "0"]
    assert re.search(r'data-testid="figure-requests">6<', html)


def test_dashboard_counts_an_overdue_pending_request_as_expired(app, forum, organizer):
    with app.app_context():
        pending = db.session.scalar(select(MeetingRequest).where(MeetingRequest.status == RequestStatus.REQUESTED))
        pending.expires_at = datetime(2024, 1, 1, tzinfo=UTC)
        db.session.commit()
    html = organizer.get("/organizer/").get_data(as_text=True)
    assert re.findall(r'data-testid="requests-value">(\d+)<', html) == ["0", "3", "1", "2", "0"]


def test_dashboard_lists_unscheduled_meetings_with_the_schedulers_reason(forum, organizer):
    html = organizer.get("/organizer/").get_data(as_text=True)
    assert re.search(r'data-testid="figure-scheduled">1<', html)
    assert re.search(r'data-testid="figure-unscheduled">2<', html)
    assert svg_title(html, "meetings") == "Accepted meetings on the agenda: Scheduled 1, Not scheduled 2"
    listed = html[html.index('data-testid="unscheduled"'):]
    listed = listed[:listed.index("</ul>")]
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert len(items) == 2
    full, room = items
    assert "Almaty Dairy" in full and "Karshi Pack" in full
    assert "one of the companies has more meetings than slots it can attend" in full
    assert "Almaty Freight" in room and "Karshi Quiet" in room
    assert "there is room for it: run the scheduler to place it" in room
    summary = html[html.index('data-testid="unscheduled-reasons"'):]
    summary = re.sub(r"\s+", " ", summary[:summary.index("</ul>")])
    assert "<strong>1</strong> <span>one of the companies has more meetings than slots it can attend</span>" in summary


def test_dashboard_reason_without_slots_says_what_is_missing(app, organizer, make_company):
    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", DAY, DAY)
        db.session.commit()
        request_between(make_company(name="One"), make_company(name="Two"), RequestStatus.ACCEPTED)
    html = organizer.get("/organizer/").get_data(as_text=True)
    assert "The forum has no meeting slots yet" in html


def test_dashboard_ranks_busiest_and_least_served_companies(forum, organizer):
    html = organizer.get("/organizer/").get_data(as_text=True)
    busiest = section(html, "busiest")
    order = re.findall(r'<a href="/companies/\d+">([^<]+)</a>', busiest)
    assert order == ["Almaty Dairy", "Karshi Milk", "Almaty Freight", "Karshi Pack", "Karshi Quiet"]
    assert re.search(r"Almaty Dairy</a>.*?<td class=\"num\">2</td><td class=\"num\">1</td>", busiest, re.S)
    least = section(html, "least-served")
    order = re.findall(r'<a href="/companies/\d+">([^<]+)</a>', least)
    # zero first; the opted-out and the withdrawn companies are not there
    assert order == ["Karshi Zero", "Almaty Freight", "Karshi Pack", "Karshi Milk", "Almaty Dairy"]


def test_dashboard_charts_are_svg_images_with_their_numbers(forum, organizer):
    html = organizer.get("/organizer/").get_data(as_text=True)
    for chart in ("delegations", "sectors", "requests", "meetings"):
        assert re.search(rf'<svg class="chart-svg"[^>]*role="img"[^>]*aria-labelledby="{chart}-title"', html)
    delegations = html[html.index('data-testid="chart-delegations"'):html.index("</figure>",
                                                                               html.index('data-testid="chart-delegations"'))]
    # the numbers are in the drawing and in a table for screen readers
    assert re.findall(r'<text class="chart-value"[^>]*>(\d+)</text>', delegations) == ["2", "4"]
    assert re.findall(r"<td>(\d+)</td>", delegations) == ["2", "4"]
    # percentage widths: the longest bar is the widest, the other in proportion
    widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)%"', delegations)]
    assert widths == [43.0, 86.0]


def test_dashboard_with_no_data_renders_empty_states(organizer):
    response = organizer.get("/organizer/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Every accepted meeting has a slot and a table." in html
    assert "No accepted meetings yet." in html


# --- forum details -----------------------------------------------------------------------------------


def valid_details(**overrides) -> dict:
    data = {"name": "Kashkadarya Invest-2025", "city": "Qarshi", "venue": "Congress Hall",
            "starts_on": "2024-10-16", "ends_on": "2024-10-18", "timezone": "Asia/Tashkent",
            "description": "The second forum."}
    data.update(overrides)
    return data


def forum_row(app: Flask) -> tuple:
    with app.app_context():
        f = db.session.scalar(select(Forum))
        return f.name, f.city, f.venue, f.starts_on, f.ends_on, f.timezone, f.description


def test_forum_settings_shows_current_details_and_links_the_settings_area(forum, organizer):
    html = organizer.get("/organizer/forum").get_data(as_text=True)
    assert 'value="Kashkadarya Invest-2024"' in html
    assert 'value="2024-10-17"' in html
    assert '<option selected value="Asia/Tashkent">Asia/Tashkent (UTC+5)</option>' in html
    assert 'href="/organizer/agenda"' in html and 'href="/organizer/matching"' in html


def test_forum_settings_saves_valid_details(app, forum, organizer):
    response = organizer.post("/organizer/forum", data=valid_details())
    assert response.status_code == 302
    assert forum_row(app) == ("Kashkadarya Invest-2025", "Qarshi", "Congress Hall", date(2024, 10, 16),
                              date(2024, 10, 18), "Asia/Tashkent", "The second forum.")
    assert "The forum&#39;s details are saved." in organizer.get("/organizer/forum").get_data(as_text=True)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"starts_on": "2024-10-17", "ends_on": "2024-10-16"}, "ends_on",
     "The forum ends (2024-10-16) before it starts (2024-10-17)."),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "“Mars/Olympus_Mons” is not a known time zone"),
    ({"timezone": "../../etc/passwd"}, "timezone", "is not a known time zone"),
    ({"name": "   "}, "name", "Enter the forum&#39;s name."),
    ({"starts_on": "2024-10-18", "ends_on": "2024-10-19"}, "starts_on",
     "The agenda has a session on 2024-10-17, outside these dates"),
    ({"starts_on": "17/10/2024"}, "starts_on", "Not a valid date value."),
    ({"timezone": "Asia/Almaty"}, "timezone", "The sessions are set in Asia/Tashkent"),
])
def test_forum_settings_refuses_bad_input_and_changes_nothing(app, forum, organizer, overrides, field, message):
    before = forum_row(app)
    response = organizer.post("/organizer/forum", data=valid_details(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    assert errors is not None and message in errors.group(1)
    assert forum_row(app) == before


def test_forum_settings_allows_a_new_zone_before_any_session(app, organizer):
    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", DAY, DAY)
        db.session.commit()
    assert organizer.post("/organizer/forum", data=valid_details(timezone="Asia/Almaty")).status_code == 302
    assert forum_row(app)[5] == "Asia/Almaty"


# --- the report ----------------------------------------------------------------------------------------


def test_report_lists_companies_meetings_and_empty_outcomes(app, forum, organizer):
    html = organizer.get("/organizer/report").get_data(as_text=True)
    assert re.search(r'data-testid="report-companies">6<', html)
    tables = re.findall(r'data-testid="report-delegation">(.*?)</table>', html, re.S)
    names = [re.findall(r'<th scope="row">([^<]+)</th>', t) for t in tables]
    assert names == [["Almaty Dairy", "Almaty Freight"], ["Karshi Milk", "Karshi Pack", "Karshi Quiet", "Karshi Zero"]]
    with app.app_context():
        dairy = sector_label("dairy")
    assert f"{dairy} 3" in svg_title(html, "report-sectors")
    matrix = section(html, "report-sector-matrix")
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td class="num">\d+</td>)+)</tr>', matrix))
    cells = {markup.unescape(k): re.findall(r"(\d+)</td>", v) for k, v in rows.items()}
    with app.app_context():
        packaging, logistics = sector_label("packaging"), sector_label("logistics")
    # columns: Almaty, Kashkadarya; the withdrawn Almaty company is not counted
    assert cells == {dairy: ["2", "1"], packaging: ["0", "3"], logistics: ["1", "0"]}
    meetings = section(html, "report-meetings-table")
    assert meetings.count("<tr><td>") == 1
    assert "Almaty Dairy" in meetings and "Karshi Milk" in meetings and "Karshi Pack" not in meetings
    assert re.search(r'data-testid="report-meetings">1<', html)
    # not published yet: a draft
    assert 'data-testid="report-draft"' in html
    outcomes = html[html.index('data-testid="report-outcomes"'):]
    assert "No outcomes recorded yet." in outcomes[:outcomes.index("</section>")]


def test_report_of_a_published_agenda_is_not_a_draft(app, forum, organizer):
    with app.app_context():
        db.session.scalar(select(Forum)).agenda_published_at = datetime(2024, 10, 1, tzinfo=UTC)
        db.session.commit()
    html = organizer.get("/organizer/report").get_data(as_text=True)
    assert 'data-testid="report-draft"' not in html
    assert "/static/css/dashboard.css" in html


# --- access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ROUTES)
def test_participants_are_refused(make_user, login_as, path):
    participant = login_as(make_user())
    assert participant.get(path).status_code == 403


def test_participant_cannot_change_the_forum(app, forum, make_user, login_as):
    before = forum_row(app)
    participant = login_as(make_user())
    assert participant.post("/organizer/forum", data=valid_details()).status_code == 403
    assert forum_row(app) == before


# --- query counts -------------------------------------------------------------------------------------


def _count(client, count_queries, path: str) -> int:
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def _grow(app: Flask, n: int) -> None:
    with app.app_context():
        delegation = db.session.scalar(select(Company.delegation_id).limit(1))
        made = [factories.company(name=f"Grown {n}-{i}", delegation_id=delegation, sectors=("dairy", "trade"))
                for i in range(6)]
        accepted = [request_between(made[i], made[i + 1], RequestStatus.ACCEPTED) for i in range(0, 6, 2)]
        request_between(made[0], made[3], RequestStatus.REQUESTED)
        # what came of them: one held with both sides' feedback, one no-show (the outcome figures and the
        # report's agreements table must not cost a query per meeting either)
        db.session.add_all([
            MeetingAttendance(request_id=accepted[0], status=AttendanceStatus.HELD, method=CheckInMethod.QR),
            MeetingAttendance(request_id=accepted[1], status=AttendanceStatus.NO_SHOW, absent_company_id=made[2],
                              method=CheckInMethod.REPORT),
            MeetingFeedback(request_id=accepted[0], company_id=made[0], useful=True, follow_up=True,
                            outcome=DealOutcome.SUPPLY_CONTRACT, value_usd=1000 * n),
            MeetingFeedback(request_id=accepted[0], company_id=made[1], useful=True, follow_up=False,
                            outcome=DealOutcome.INVESTMENT),
        ])
        db.session.commit()


# every organizer page that is not counted in its own area's tests (grid, companies list, exports,
# print pages); {company} is a company with meetings of its own
@pytest.mark.parametrize("path", ["/organizer/", "/organizer/report", "/organizer/forum", "/organizer/agenda",
                                  "/organizer/matching", "/organizer/delegations", "/organizer/companies/new",
                                  "/organizer/companies/import", "/organizer/companies/{company}"])
def test_query_count_does_not_grow_with_companies_and_meetings(app, organizer, count_queries, path):
    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", DAY, DAY)
        db.session.commit()
        agenda.save_structure(TimeStructure(sessions=[SessionSpec(DAY, time(10), time(12))], slot_minutes=20,
                                            tables=4))
        factories.delegation("Almaty Region (Kazakhstan)")
    _grow(app, 1)
    with app.app_context():
        scheduling.schedule(time_limit=1)
        a, b = factories.company(name="Late A"), factories.company(name="Late B")
        request_between(a, b, RequestStatus.ACCEPTED)  # one unscheduled meeting, so the reasons are computed
        path = path.format(company=db.session.scalar(select(Company.id).where(Company.name == "Grown 1-0")))
    few = _count(organizer, count_queries, path)
    _grow(app, 2)
    _grow(app, 3)
    with app.app_context():
        scheduling.schedule(time_limit=1)
        c, d = factories.company(name="Later C"), factories.company(name="Later D")
        request_between(c, d, RequestStatus.ACCEPTED)
    many = _count(organizer, count_queries, path)
    assert many == few
