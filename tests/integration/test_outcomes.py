"""Integration tests: feedback after a held meeting, its rules, and the outcome totals on the dashboard
and the forum report.

Held meetings are made by inserting MeetingAttendance rows directly: the check-in itself is tested
with the meeting pass.
"""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    AttendanceStatus,
    CheckInMethod,
    DealOutcome,
    MeetingAttendance,
    MeetingFeedback,
    User,
)
from forum.services import outcomes
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from tests import factories

# 12:00 in Tashkent on the forum day: the morning slots (10:00-10:20, 10:20-10:40) are over.
NOON = datetime(2024, 10, 17, 7, 0, tzinfo=UTC)
BEFORE = datetime(2024, 10, 17, 4, 0, tzinfo=UTC)  # 09:00 in Tashkent


@pytest.fixture
def agenda(app: Flask) -> dict:
    with app.app_context():
        return factories.published_agenda()


def hold(app: Flask, request_id: int, status: AttendanceStatus = AttendanceStatus.HELD,
         absent: int | None = None) -> None:
    with app.app_context():
        db.session.add(MeetingAttendance(request_id=request_id, status=status, absent_company_id=absent,
                                         method=CheckInMethod.ORGANIZER if status == AttendanceStatus.HELD
                                         else CheckInMethod.REPORT))
        db.session.commit()


def answer(useful: str = "yes", follow_up: str = "yes", outcome: str = "supply_contract", value: str = "") -> dict:
    return {"useful": useful, "follow_up": follow_up, "outcome": outcome, "value_usd": value}


def feedback_url(company_id: int, request_id: int) -> str:
    return f"/companies/{company_id}/agenda/{request_id}/feedback"


def meeting_url(company_id: int, request_id: int) -> str:
    return f"/companies/{company_id}/agenda/{request_id}"


def feedback_rows(app: Flask) -> list[tuple]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(MeetingFeedback.request_id, MeetingFeedback.company_id, MeetingFeedback.useful,
                   MeetingFeedback.follow_up, MeetingFeedback.outcome, MeetingFeedback.value_usd,
                   MeetingFeedback.user_id).order_by(MeetingFeedback.id))]


def text_of(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    assert match is not None, testid
    return markup.unescape(re.sub(r"\s+", " ", match.group(1)).strip())


def login(login_as, agenda: dict, index: int) -> FlaskClient:
    return login_as(agenda["delegates"][index])


# --- the value field --------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "value"), [
    ("250000", 250_000), ("250 000", 250_000), ("250,000", 250_000), ("$ 250,000", 250_000),
    ("250\u00a0000", 250_000), ("1\u202f000\u202f000", 1_000_000), ("  ", None), ("", None), ("0", 0),
    ("1 000 000 000 000", 10**12), ("0" * 5000 + "7", 7),
])
def test_value_accepts_grouped_whole_dollars(app, typed, value):
    with app.test_request_context():
        assert outcomes.parse_value_usd(typed) == value


@pytest.mark.parametrize(("typed", "message"), [
    ("-5", "The value cannot be negative. Leave it empty if there is no estimate."),
    ("about 5k", "Enter the value in US dollars using digits only: for example 250 000."),
    ("250000.50", "Enter whole dollars, without cents or dots: for example 250 000."),
    ("1 000 000 000 001", "That is more than $1,000,000,000,000: check the number."),
    ("9" * 5000, "That is more than $1,000,000,000,000: check the number."),
    ("١٢٣", "Enter the value in US dollars using digits only: for example 250 000."),
])
def test_value_refuses_negatives_letters_cents_and_huge_numbers(app, typed, message):
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        outcomes.parse_value_usd(typed)
    assert refused.value.message == message
    assert refused.value.field == "value_usd"


# --- giving feedback ---------------------------------------------------------------------------------


def test_feedback_on_a_held_meeting_is_saved_with_who_sent_it(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    client = login(login_as, agenda, 0)
    response = client.post(feedback_url(c[0], r[0]), data=answer(value="250 000"))
    assert response.status_code == 302
    assert response.headers["Location"] == meeting_url(c[0], r[0]) + "#feedback"
    assert feedback_rows(app) == [(r[0], c[0], True, True, DealOutcome.SUPPLY_CONTRACT, 250_000,
                                   agenda["delegates"][0])]
    page = client.get(meeting_url(c[0], r[0])).get_data(as_text=True)
    assert "Thank you: your feedback on the meeting with Agenda Company 1 is saved." in page
    assert text_of(page, "feedback-said") == "You said: useful, follow-up planned, supply contract, ~$250,000."
    assert "Sent by Delegate 0 on" in page
    assert 'name="outcome"' not in page  # the form is gone once answered


def test_meeting_page_shows_the_form_once_held(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    page = login(login_as, agenda, 1).get(meeting_url(c[1], r[0])).get_data(as_text=True)
    form = page[page.index('data-testid="feedback"'):]
    assert f'action="{feedback_url(c[1], r[0])}"' in form
    labels = re.findall(r'<label class="chip" for="outcome-\d">([^<]+)</label>', form)
    assert labels == ["Supply contract", "Joint production", "Investment", "Memorandum", "Nothing"]
    assert re.findall(r'<label class="chip" for="useful-\d">([^<]+)</label>', form) == ["Yes", "No"]
    assert ">Send</button>" in form
    assert "/static/css/outcomes.css" in page


def test_meeting_page_before_the_check_in_says_when_feedback_opens(agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    page = login(login_as, agenda, 0).get(meeting_url(c[0], r[0])).get_data(as_text=True)
    assert text_of(page, "feedback-closed") == "Feedback opens once the meeting is checked in as held."
    assert 'name="outcome"' not in page


def test_meeting_page_after_a_no_show_has_no_form(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0], AttendanceStatus.NO_SHOW, absent=c[1])
    page = login(login_as, agenda, 0).get(meeting_url(c[0], r[0])).get_data(as_text=True)
    assert text_of(page, "feedback-closed").startswith("This meeting is recorded as a no-show.")
    assert 'name="outcome"' not in page


def test_feedback_before_the_meeting_is_held_is_refused_and_changes_nothing(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    client = login(login_as, agenda, 0)
    response = client.post(feedback_url(c[0], r[0]), data=answer())
    assert response.status_code == 302
    assert feedback_rows(app) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You can give feedback once the meeting is marked as held." in page


def test_feedback_after_a_no_show_is_refused(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0], AttendanceStatus.NO_SHOW, absent=c[1])
    with app.test_request_context():
        actor = db.session.get(User, agenda["delegates"][0])
        with pytest.raises(ServiceError) as refused:
            outcomes.submit_feedback(actor, c[0], r[0], outcomes.FeedbackAnswers(True, True, DealOutcome.INVESTMENT))
    assert refused.value.message == "You can give feedback once the meeting is marked as held."
    assert feedback_rows(app) == []


def test_second_feedback_from_the_same_company_is_refused(app, agenda, login_as, make_user):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    client = login(login_as, agenda, 0)
    assert client.post(feedback_url(c[0], r[0]), data=answer(value="100")).status_code == 302
    # a colleague of the same company tries again, with other answers
    colleague = make_user(company_id=c[0], email="colleague@example.com")
    client.post("/logout")
    client = login_as(colleague)
    response = client.post(feedback_url(c[0], r[0]), data=answer(useful="no", outcome="nothing"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your company already sent feedback on this meeting." in page
    assert feedback_rows(app) == [(r[0], c[0], True, True, DealOutcome.SUPPLY_CONTRACT, 100, agenda["delegates"][0])]


def test_second_feedback_racing_the_first_hits_the_unique_rule_with_the_same_message(app, agenda, monkeypatch):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    with app.test_request_context():
        actor = db.session.get(User, agenda["delegates"][0])
        outcomes.submit_feedback(actor, c[0], r[0], outcomes.FeedbackAnswers(True, False, DealOutcome.MEMORANDUM))
    # the second request read "no feedback yet" before the first committed: only the database can tell
    monkeypatch.setattr(outcomes.db.session, "scalar", lambda *a, **k: None)
    with app.test_request_context():
        actor = db.session.get(User, agenda["delegates"][0])
        with pytest.raises(ServiceError) as refused:
            outcomes.submit_feedback(actor, c[0], r[0], outcomes.FeedbackAnswers(False, False, DealOutcome.NOTHING))
    monkeypatch.undo()
    assert refused.value.message == "Your company already sent feedback on this meeting."
    assert feedback_rows(app) == [(r[0], c[0], True, False, DealOutcome.MEMORANDUM, None, agenda["delegates"][0])]


def test_each_side_answers_for_itself(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    client = login(login_as, agenda, 0)
    assert client.post(feedback_url(c[0], r[0]), data=answer()).status_code == 302
    client.post("/logout")
    client = login(login_as, agenda, 1)
    assert client.post(feedback_url(c[1], r[0]), data=answer(useful="no", follow_up="no",
                                                              outcome="nothing")).status_code == 302
    assert [(row[1], row[4]) for row in feedback_rows(app)] == [(c[0], DealOutcome.SUPPLY_CONTRACT),
                                                                (c[1], DealOutcome.NOTHING)]


@pytest.mark.parametrize(("data", "field", "message"), [
    (answer(value="-20"), "value_usd", "The value cannot be negative. Leave it empty if there is no estimate."),
    (answer(value="lots"), "value_usd", "Enter the value in US dollars using digits only: for example 250 000."),
    (answer(value="5000", outcome="nothing"), "value_usd",
     "An estimated value goes with an agreement: choose what was agreed, or leave the value empty."),
    ({"useful": "yes", "follow_up": "yes", "value_usd": ""}, "outcome", "Choose what came of the meeting."),
    ({"follow_up": "yes", "outcome": "investment"}, "useful", "Tell us whether the meeting was useful."),
    (answer(outcome="bribe"), "outcome", "Not a valid choice."),
])
def test_bad_feedback_is_shown_again_with_the_reason_and_changes_nothing(app, agenda, login_as, data, field,
                                                                          message):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    response = login(login_as, agenda, 0).post(feedback_url(c[0], r[0]), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    assert errors is not None and message in markup.unescape(errors.group(1))
    assert "Please correct the marked fields." in html
    assert feedback_rows(app) == []


def test_bad_value_keeps_the_chosen_answers(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    html = login(login_as, agenda, 0).post(feedback_url(c[0], r[0]),
                                           data=answer(outcome="investment", value="12k")).get_data(as_text=True)
    assert ('<input checked class="chip-input" id="outcome-2" name="outcome" required type="radio" '
            'value="investment">') in html
    assert '<input checked class="chip-input" id="useful-0" name="useful" required type="radio" value="yes">' in html
    assert 'value="12k"' in html
    assert "<h1>Agenda Company 1</h1>" in html


def test_another_companys_meeting_is_not_found_and_acting_for_another_company_is_forbidden(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[1])  # C2-C3
    client = login(login_as, agenda, 0)
    # C0 is no party to r1: 404 whether it exists or not
    assert client.post(feedback_url(c[0], r[1]), data=answer()).status_code == 404
    assert client.get(feedback_url(c[0], r[1])).status_code == 404
    assert client.post(feedback_url(c[0], 999_999), data=answer()).status_code == 404
    assert client.post(feedback_url(c[0], 2**40), data=answer()).status_code == 404
    # acting for C2 is not C0's to do
    assert client.post(feedback_url(c[2], r[1]), data=answer()).status_code == 403
    assert client.get(feedback_url(c[2], r[1])).status_code == 403
    assert feedback_rows(app) == []


def test_feedback_needs_a_login(agenda, client):
    c, r = agenda["companies"], agenda["requests"]
    response = client.post(feedback_url(c[0], r[0]), data=answer())
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unpublished_agenda_has_no_feedback(app, login_as):
    with app.app_context():
        built = factories.published_agenda(publish=False)
    c, r = built["companies"], built["requests"]
    assert login_as(built["delegates"][0]).get(feedback_url(c[0], r[0])).status_code == 404


def test_organizer_may_answer_for_a_company(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    client = login_as(agenda["organizer"])
    assert client.post(feedback_url(c[1], r[0]), data=answer(outcome="memorandum")).status_code == 302
    assert feedback_rows(app) == [(r[0], c[1], True, True, DealOutcome.MEMORANDUM, None, agenda["organizer"])]


def test_feedback_page_get_shows_the_meeting_and_the_form(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    response = login(login_as, agenda, 0).get(feedback_url(c[0], r[0]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Agenda Company 1</h1>" in html
    assert "10:00–10:20" in html and "Table 1" in html and "Asia/Tashkent (UTC+5)" in html
    assert 'name="useful"' in html


def test_the_form_carries_a_csrf_token_and_refuses_without_it(app, agenda, login_as):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    client = login(login_as, agenda, 0)
    app.config["WTF_CSRF_ENABLED"] = True  # after the login, which posts without a token
    response = client.post(feedback_url(c[0], r[0]), data=answer())
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert feedback_rows(app) == []
    page = client.get(meeting_url(c[0], r[0])).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page[page.index('data-testid="feedback"'):])
    assert token is not None
    response = client.post(feedback_url(c[0], r[0]), data={**answer(), "csrf_token": token.group(1)})
    assert response.status_code == 302
    assert len(feedback_rows(app)) == 1


def test_service_refuses_other_companies(app, agenda):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[1])
    with app.test_request_context():
        actor = db.session.get(User, agenda["delegates"][0])
        with pytest.raises(PermissionDenied):
            outcomes.submit_feedback(actor, c[2], r[1], outcomes.FeedbackAnswers(True, True, DealOutcome.NOTHING))
        with pytest.raises(NotFound):
            outcomes.submit_feedback(actor, c[0], r[1], outcomes.FeedbackAnswers(True, True, DealOutcome.NOTHING))
        with pytest.raises(NotFound):
            outcomes.detail_context(actor, c[0], r[1])
    assert feedback_rows(app) == []


# --- totals --------------------------------------------------------------------------------------------


def give(app: Flask, agenda: dict, index: int, request_id: int, useful: bool, follow_up: bool,
         outcome: DealOutcome, value: int | None = None) -> None:
    with app.test_request_context():
        actor = db.session.get(User, agenda["delegates"][index])
        outcomes.submit_feedback(actor, agenda["companies"][index], request_id,
                                 outcomes.FeedbackAnswers(useful, follow_up, outcome, value))


@pytest.fixture
def scenario(app: Flask, agenda: dict) -> dict:
    """Two held meetings, both sides answering, and one no-show.

    r0 C0-C1: both report the same supply contract ($250,000 and $300,000): one contract, worth $300,000.
    r1 C2-C3: C2 reports joint production ($1,000,000), C3 an investment (no estimate): one of each,
              worth $1,000,000.
    r2 C0-C2: C2 did not come.
    """
    r = agenda["requests"]
    hold(app, r[0])
    hold(app, r[1])
    hold(app, r[2], AttendanceStatus.NO_SHOW, absent=agenda["companies"][2])
    give(app, agenda, 0, r[0], True, True, DealOutcome.SUPPLY_CONTRACT, 250_000)
    give(app, agenda, 1, r[0], True, False, DealOutcome.SUPPLY_CONTRACT, 300_000)
    give(app, agenda, 2, r[1], True, True, DealOutcome.JOINT_PRODUCTION, 1_000_000)
    give(app, agenda, 3, r[1], False, False, DealOutcome.INVESTMENT)
    return agenda


def test_totals_count_agreements_per_meeting_and_the_larger_estimate(app, scenario):
    with app.test_request_context():
        totals = outcomes.outcome_totals(now=NOON)
    assert totals == outcomes.OutcomeTotals(
        held=2, no_shows=1, awaiting_record=0, answers=4, useful_answers=3, follow_ups=2,
        agreements=[(DealOutcome.SUPPLY_CONTRACT, 1), (DealOutcome.JOINT_PRODUCTION, 1), (DealOutcome.INVESTMENT, 1),
                    (DealOutcome.MEMORANDUM, 0)],
        meetings_with_agreement=2, value_usd=1_300_000, valued_meetings=2)
    assert totals.agreements_total == 3
    assert totals.useful_percent == 75


def test_nothing_is_not_an_agreement(app, agenda):
    r = agenda["requests"]
    hold(app, r[0])
    give(app, agenda, 0, r[0], False, False, DealOutcome.NOTHING)
    give(app, agenda, 1, r[0], True, True, DealOutcome.MEMORANDUM)
    with app.test_request_context():
        totals = outcomes.outcome_totals(now=NOON)
        rows = outcomes.agreements_by_meeting()
    assert totals.agreements == [(DealOutcome.SUPPLY_CONTRACT, 0), (DealOutcome.JOINT_PRODUCTION, 0),
                                 (DealOutcome.INVESTMENT, 0), (DealOutcome.MEMORANDUM, 1)]
    assert (totals.meetings_with_agreement, totals.value_usd, totals.valued_meetings) == (1, 0, 0)
    assert [(m.company_a, m.company_b, m.outcomes, m.value_usd) for m in rows] == [
        ("Agenda Company 0", "Agenda Company 1", [DealOutcome.MEMORANDUM], None)]


def test_totals_count_past_meetings_awaiting_a_record(app, agenda):
    hold(app, agenda["requests"][0])
    with app.test_request_context():
        # at noon r1 and r2 are over with nothing recorded; r3 was never placed
        assert outcomes.outcome_totals(now=NOON).awaiting_record == 2
        assert outcomes.outcome_totals(now=BEFORE).awaiting_record == 0


def test_totals_before_anything_is_recorded(app, agenda):
    with app.test_request_context():
        totals = outcomes.outcome_totals(now=BEFORE)
    assert (totals.held, totals.no_shows, totals.answers, totals.agreements_total, totals.value_usd) == (0, 0, 0, 0, 0)
    assert totals.useful_percent is None
    assert totals.recorded is False


def test_feedback_of_a_meeting_corrected_to_no_show_leaves_the_totals(app, scenario):
    with app.app_context():
        db.session.get(MeetingAttendance, scenario["requests"][1]).status = AttendanceStatus.NO_SHOW
        db.session.get(MeetingAttendance, scenario["requests"][1]).absent_company_id = scenario["companies"][3]
        db.session.commit()
    with app.test_request_context():
        totals = outcomes.outcome_totals(now=NOON)
    assert (totals.held, totals.no_shows, totals.answers, totals.agreements_total, totals.value_usd) == (
        1, 2, 2, 1, 300_000)


def test_agreements_by_meeting_lists_types_and_values(app, scenario):
    with app.test_request_context():
        rows = outcomes.agreements_by_meeting()
    assert [(m.company_a, m.company_b, m.delegation_a, m.table, m.outcome_labels, m.value_usd, m.follow_up)
            for m in rows] == [
        ("Agenda Company 0", "Agenda Company 1", rows[0].delegation_a, 1, ["Supply contract"], 300_000, True),
        ("Agenda Company 2", "Agenda Company 3", rows[1].delegation_a, 2, ["Joint production", "Investment"],
         1_000_000, True)]
    assert rows[0].starts_at == datetime(2024, 10, 17, 5, 0, tzinfo=UTC)


def test_totals_take_a_fixed_number_of_queries(app, scenario, count_queries):
    with app.test_request_context(), count_queries() as few:
        outcomes.outcome_totals(now=NOON)
        outcomes.agreements_by_meeting()
    with app.app_context():
        extra = [factories.company(name=f"Extra {i}") for i in range(4)]
        requests = [factories.accepted_request(extra[0], extra[1]), factories.accepted_request(extra[2], extra[3])]
    for rid in requests:
        hold(app, rid)
    for rid, (a, b) in zip(requests, [(extra[0], extra[1]), (extra[2], extra[3])], strict=True):
        with app.app_context():
            for company_id, value in ((a, 10), (b, 20)):
                db.session.add(MeetingFeedback(request_id=rid, company_id=company_id, useful=True, follow_up=True,
                                               outcome=DealOutcome.INVESTMENT, value_usd=value))
            db.session.commit()
    with app.test_request_context(), count_queries() as many:
        totals = outcomes.outcome_totals(now=NOON)
        outcomes.agreements_by_meeting()
    assert len(many) == len(few)
    assert dict(totals.agreements)[DealOutcome.INVESTMENT] == 3
    assert totals.value_usd == 1_300_000 + 20 + 20


# --- the dashboard and the report -------------------------------------------------------------------------


def test_dashboard_shows_the_outcomes(app, scenario, login_as):
    html = login_as(scenario["organizer"]).get("/organizer/").get_data(as_text=True)
    figures = {key: text_of(html, f"outcome-{key}") for key in
               ("held", "no-shows", "awaiting", "answers", "useful", "follow-ups", "agreements", "meetings", "value")}
    # the machine's clock is past the forum, and each of the three placed meetings has a record
    assert figures == {"held": "2", "no-shows": "1", "awaiting": "0", "answers": "4", "useful": "75%",
                       "follow-ups": "2", "agreements": "3", "meetings": "2", "value": "$1,300,000"}
    title = markup.unescape(re.search(r'<title id="outcomes-title">([^<]*)</title>', html).group(1))
    assert title == ("Agreements by type: Supply contract 1, Joint production 1, Investment 1, Memorandum 0")
    assert "Agreements count per meeting: a supply contract both companies report is one contract" in html
    # published: the outcomes lead the grid
    assert html.index('data-testid="outcomes"') < html.index('data-testid="chart-delegations"')


def test_dashboard_before_any_outcome(app, organizer_client):
    html = organizer_client.get("/organizer/").get_data(as_text=True)
    assert text_of(html, "outcome-held") == "0"
    assert text_of(html, "outcome-useful") == "—"
    assert text_of(html, "outcome-value") == "$0"
    # a draft agenda: the outcomes wait at the end
    assert html.index('data-testid="outcomes"') > html.index('id="least-served-title"')


@pytest.fixture
def organizer_client(make_user, login_as):
    from forum.models import Role

    return login_as(make_user(role=Role.ORGANIZER))


def test_report_shows_the_totals_and_the_agreements_per_meeting(app, scenario, login_as):
    html = login_as(scenario["organizer"]).get("/organizer/report").get_data(as_text=True)
    section = html[html.index('data-testid="report-outcomes"'):]
    section = section[:section.index("</section>")]
    assert "No outcomes recorded yet." not in section
    figures = {key: text_of(section, f"report-outcome-{key}") for key in
               ("held", "no-shows", "awaiting", "answers", "useful", "follow-ups", "agreements", "meetings",
                "value")}
    assert figures == {"held": "2", "no-shows": "1", "awaiting": "0", "answers": "4", "useful": "75%",
                       "follow-ups": "2", "agreements": "3", "meetings": "2", "value": "$1,300,000"}
    table = section[section.index('data-testid="report-agreements-table"'):]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    assert len(rows) == 2
    cells = [[re.sub(r"<[^>]+>", " ", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + row, re.S)]
             for row in rows]
    clean = [[re.sub(r"\s+", " ", markup.unescape(c)).strip() for c in row] for row in cells]
    assert clean[0][1].startswith("Agenda Company 0") and clean[0][2].startswith("Agenda Company 1")
    assert clean[0][3:] == ["Supply contract follow-up planned", "$300,000"]
    assert clean[1][1].startswith("Agenda Company 2") and clean[1][2].startswith("Agenda Company 3")
    assert clean[1][3:] == ["Joint production Investment follow-up planned", "$1,000,000"]
    assert "Table 1" in clean[0][0] and "Table 2" in clean[1][0]
    assert text_of(section, "report-agreements-total") == "$1,300,000"
    title = markup.unescape(re.search(r'<title id="report-agreements-title">([^<]*)</title>', html).group(1))
    assert title == "Agreements by type: Supply contract 1, Joint production 1, Investment 1, Memorandum 0"


def test_report_without_outcomes_says_so(app, agenda, login_as):
    html = login_as(agenda["organizer"]).get("/organizer/report").get_data(as_text=True)
    section = html[html.index('data-testid="report-outcomes"'):]
    assert "No outcomes recorded yet." in section[:section.index("</section>")]



@pytest.mark.parametrize(("value", "message"), [
    (-1, "The value cannot be negative. Leave it empty if there is no estimate."),
    (10**12 + 1, "That is more than $1,000,000,000,000: check the number."),
])
def test_service_refuses_values_out_of_range(app, agenda, value, message):
    c, r = agenda["companies"], agenda["requests"]
    hold(app, r[0])
    with app.test_request_context():
        actor = db.session.get(User, agenda["delegates"][0])
        with pytest.raises(ServiceError) as refused:
            outcomes.submit_feedback(actor, c[0], r[0],
                                     outcomes.FeedbackAnswers(True, True, DealOutcome.INVESTMENT, value))
    assert (refused.value.message, refused.value.field) == (message, "value_usd")
    assert feedback_rows(app) == []


@pytest.mark.parametrize(("answers", "summary"), [
    ((False, False, DealOutcome.INVESTMENT, None), "not useful, no follow-up planned, an investment"),
    ((True, False, DealOutcome.MEMORANDUM, 0), "useful, no follow-up planned, a memorandum, ~$0"),
    ((True, True, DealOutcome.NOTHING, None), "useful, follow-up planned, nothing agreed yet"),
    ((True, True, DealOutcome.JOINT_PRODUCTION, 1_500_000), "useful, follow-up planned, joint production, ~$1,500,000"),
])
def test_sent_feedback_reads_back_as_a_sentence(app, answers, summary):
    with app.test_request_context():
        sent = outcomes.SentFeedback(*answers, by="Delegate 0", sent_at=NOON)
        assert sent.summary == summary
