"""Contract tests: meeting requests and my published agenda through the JSON API (forum/api/meetings.py).

Requests: Esik Dairy (delegation Almaty) and Qarshi Film (delegation Kashkadarya) ask and answer each other;
Third Party is a company outside the pair. Before a forum is set up, times are in the configured zone,
Asia/Tashkent (UTC+5). Every refusal checks that nothing was written: no request row, no notice, no e-mail,
the request's status and version unchanged.

Agenda: tests.factories.published_agenda (17 Oct 2024, Asia/Tashkent): C0 meets C1 at 10:00-10:20 table 1
(r0, C0 asked, with a message) and C2 at 10:20-10:40 table 1 (r2, C0 asked); C2 meets C3 at 10:00 table 2
(r1); C1-C3 (r3) is accepted but not placed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, MeetingRequest, Notification, OutboxEmail, Role, User
from forum.services import delegate_agenda
from forum.services import meetings as meetings_service
from tests import factories
from tests.integration.api_helpers import bearer, field_messages, problem

NOW = datetime(2024, 10, 10, 9, 30, tzinfo=UTC)  # 14:30 in Tashkent
REQUESTS = "/api/v1/my/requests"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The meetings service's clock stands at NOW, so created/expiry/answer times are exact."""
    monkeypatch.setattr(meetings_service, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def pair(app: Flask, frozen: datetime) -> dict:
    with app.app_context():
        almaty = factories.delegation("Almaty Region (Kazakhstan)")
        kashka = factories.delegation("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
        dairy = factories.company(delegation_id=almaty, name="Esik Dairy")
        film = factories.company(delegation_id=kashka, name="Qarshi Film", country="Uzbekistan",
                                 sectors=("packaging",))
        third = factories.company(delegation_id=almaty, name="Third Party")
        dairy_user = factories.user(company_id=dairy, email="dairy@example.com")
        film_user = factories.user(company_id=film, email="film@example.com")
        third_user = factories.user(company_id=third, email="third@example.com")
        organizer = factories.user(role=Role.ORGANIZER, email="organizer@example.com")
        return {
            "dairy": dairy, "film": film, "third": third, "almaty": almaty, "kashka": kashka,
            "dairy_token": factories.api_token(dairy_user), "film_token": factories.api_token(film_user),
            "third_token": factories.api_token(third_user), "organizer_token": factories.api_token(organizer),
            "dairy_read_token": factories.api_token(dairy_user, scope="read"),
        }


def _dairy(pair: dict) -> dict:
    return {"id": pair["dairy"], "name": "Esik Dairy", "country": "Kazakhstan",
            "delegation": {"id": pair["almaty"], "name": "Almaty Region (Kazakhstan)", "country": "Kazakhstan"}}


def _film(pair: dict) -> dict:
    return {"id": pair["film"], "name": "Qarshi Film", "country": "Uzbekistan",
            "delegation": {"id": pair["kashka"], "name": "Kashkadarya Region (Uzbekistan)",
                           "country": "Uzbekistan"}}


def _ask(client: FlaskClient, pair: dict, to: str = "film", token: str = "dairy_token", **fields):
    return client.post(REQUESTS, json={"to_company_id": pair[to], **fields}, headers=bearer(pair[token]))


def _state(app: Flask) -> tuple:
    """Everything a refusal must leave as it was."""
    with app.app_context():
        rows = db.session.execute(select(MeetingRequest.id, MeetingRequest.status, MeetingRequest.version,
                                         MeetingRequest.responded_at).order_by(MeetingRequest.id)).all()
        counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Notification, OutboxEmail)]
        return [tuple(r) for r in rows], counts


# --- the life cycle ----------------------------------------------------------------------------------


def test_request_life_cycle_ask_see_accept_cancel(app, client, pair):
    # Dairy asks Film
    response = _ask(client, pair, message="  About packaging film for kefir.  ", session="morning")
    assert response.status_code == 201
    created = response.get_json()
    request_id = created["id"]
    assert response.headers["Location"] == f"/api/v1/my/requests/{request_id}"
    assert response.headers["Cache-Control"] == "no-store"
    assert created == {
        "id": request_id, "from_company": _dairy(pair), "to_company": _film(pair), "direction": "outgoing",
        "status": "requested", "status_label": "waiting for an answer",
        "message": "About packaging film for kefir.", "session": "morning", "version": 1,
        "created_at": "2024-10-10T14:30:00+05:00", "expires_at": "2024-10-13T14:30:00+05:00",
        "answered_at": None, "can_accept": False, "can_decline": False, "can_cancel": True,
    }
    with app.app_context():
        assert [n.kind for n in db.session.scalars(select(Notification))] == ["request_received"]

    # Film sees it incoming, with Accept and Decline offered
    listed = client.get(f"{REQUESTS}?direction=incoming", headers=bearer(pair["film_token"]))
    assert listed.status_code == 200
    page = listed.get_json()
    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (1, 1, 1, 24)
    incoming = page["items"][0]
    assert {k: incoming[k] for k in ("id", "direction", "status", "can_accept", "can_decline", "can_cancel")} \
        == {"id": request_id, "direction": "incoming", "status": "requested", "can_accept": True,
            "can_decline": True, "can_cancel": False}
    assert client.get(f"{REQUESTS}?direction=outgoing", headers=bearer(pair["film_token"])).get_json()["total"] == 0

    # Film accepts, naming the version it read
    accepted = client.post(f"{REQUESTS}/{request_id}/accept", json={"version": 1},
                           headers=bearer(pair["film_token"]))
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert (body["status"], body["status_label"], body["version"], body["answered_at"], body["direction"]) == \
        ("accepted", "accepted", 2, "2024-10-10T14:30:00+05:00", "incoming")
    assert (body["can_accept"], body["can_decline"], body["can_cancel"]) == (False, False, True)

    # Dairy's list shows it accepted
    mine = client.get(REQUESTS, headers=bearer(pair["dairy_token"])).get_json()
    assert [(r["id"], r["direction"], r["status"], r["version"]) for r in mine["items"]] == \
        [(request_id, "outgoing", "accepted", 2)]
    one = client.get(f"{REQUESTS}/{request_id}", headers=bearer(pair["dairy_token"]))
    assert one.status_code == 200 and one.get_json() == mine["items"][0]

    # Dairy cancels the meeting, with no body at all
    cancelled = client.post(f"{REQUESTS}/{request_id}/cancel", headers=bearer(pair["dairy_token"]))
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["status"], cancelled.get_json()["version"], cancelled.get_json()["can_cancel"]) \
        == ("cancelled", 3, False)
    with app.app_context():
        kinds = [(n.company_id, n.kind) for n in db.session.scalars(select(Notification).order_by(Notification.id))]
        assert kinds == [(pair["film"], "request_received"), (pair["dairy"], "request_accepted"),
                         (pair["film"], "request_cancelled")]


def test_decline_by_recipient_without_body(client, pair):
    request_id = _ask(client, pair).get_json()["id"]
    response = client.post(f"{REQUESTS}/{request_id}/decline", headers=bearer(pair["film_token"]))
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["can_cancel"]) == ("declined", False)


def test_list_requests_filters_by_status_and_pages_with_links(app, client, pair):
    first = _ask(client, pair).get_json()["id"]
    second = _ask(client, pair, to="dairy", token="third_token").get_json()["id"]
    client.post(f"{REQUESTS}/{first}/decline", headers=bearer(pair["film_token"]))

    everything = client.get(REQUESTS, headers=bearer(pair["dairy_token"])).get_json()
    # newest first (same time: higher id first), as on the Meetings page
    assert [(r["id"], r["direction"], r["status"]) for r in everything["items"]] == \
        [(second, "incoming", "requested"), (first, "outgoing", "declined")]
    declined = client.get(f"{REQUESTS}?status=declined", headers=bearer(pair["dairy_token"])).get_json()
    assert [r["id"] for r in declined["items"]] == [first]

    paged = client.get(f"{REQUESTS}?per_page=1&page=2", headers=bearer(pair["dairy_token"]))
    body = paged.get_json()
    assert ([r["id"] for r in body["items"]], body["total"], body["pages"]) == ([first], 2, 2)
    assert body["links"]["next"] is None
    assert body["links"]["prev"] == "http://localhost/api/v1/my/requests?per_page=1&page=1"
    assert 'rel="prev"' in paged.headers["Link"]


def test_list_requests_bad_filter_is_422(client, pair):
    response = client.get(f"{REQUESTS}?direction=sideways&status=lost", headers=bearer(pair["dairy_token"]))
    body = problem(response, 422, "validation")
    assert field_messages(body) == {"direction": "Must be one of: 'incoming' or 'outgoing'.",
                                    "status": "Must be one of: 'requested', 'accepted', 'declined', "
                                              "'cancelled' or 'expired'."}


def test_list_requests_shows_expired_after_expiry(app, client, pair, monkeypatch):
    request_id = _ask(client, pair).get_json()["id"]
    monkeypatch.setattr(meetings_service, "utcnow", lambda: datetime(2024, 10, 14, tzinfo=UTC))
    body = client.get(f"{REQUESTS}/{request_id}", headers=bearer(pair["dairy_token"])).get_json()
    assert (body["status"], body["can_cancel"]) == ("expired", False)


def test_list_requests_etag_changes_when_answered(client, pair):
    request_id = _ask(client, pair).get_json()["id"]
    before = client.get(REQUESTS, headers=bearer(pair["dairy_token"]))
    etag = before.headers["ETag"]
    same = client.get(REQUESTS, headers={**bearer(pair["dairy_token"]), "If-None-Match": etag})
    assert same.status_code == 304
    client.post(f"{REQUESTS}/{request_id}/accept", headers=bearer(pair["film_token"]))
    after = client.get(REQUESTS, headers={**bearer(pair["dairy_token"]), "If-None-Match": etag})
    assert after.status_code == 200 and after.get_json()["items"][0]["status"] == "accepted"


# --- refusals: nothing written ---------------------------------------------------------------------


def test_request_own_company_is_409(app, client, pair):
    before = _state(app)
    body = problem(_ask(client, pair, to="dairy"), 409, "conflict")
    assert body["detail"] == "A company cannot request a meeting with itself."
    assert _state(app) == before


def test_request_unknown_company_is_422_on_the_field(app, client, pair):
    # The URL exists; what is wrong is the body's company id, so it is a field error, not a 404.
    before = _state(app)
    response = client.post(REQUESTS, json={"to_company_id": 999_999}, headers=bearer(pair["dairy_token"]))
    body = problem(response, 422, "validation")
    assert field_messages(body) == {"to_company_id": "That company no longer exists."}
    assert _state(app) == before


def test_request_duplicate_open_request_is_409_either_way(app, client, pair):
    assert _ask(client, pair).status_code == 201
    before = _state(app)
    again = problem(_ask(client, pair), 409, "conflict")
    assert again["detail"] == ("There is already an open request between Esik Dairy and Qarshi Film "
                               "(waiting for an answer).")
    reverse = problem(_ask(client, pair, to="dairy", token="film_token"), 409, "conflict")
    assert reverse["detail"] == ("There is already an open request between Qarshi Film and Esik Dairy "
                                 "(waiting for an answer).")
    assert _state(app) == before


def test_request_opted_out_company_is_409(app, client, pair):
    with app.app_context():
        db.session.get(Company, pair["film"]).opted_out = True
        db.session.commit()
    before = _state(app)
    body = problem(_ask(client, pair), 409, "conflict")
    assert body["detail"] == "Qarshi Film is not taking part in matchmaking at the moment."
    assert _state(app) == before


def test_request_over_pending_cap_is_409(app, client, pair):
    with app.app_context():
        from datetime import date

        from forum.services.forums import save_forum

        forum = save_forum("Kashkadarya Invest-2024", "Qarshi", "Congress Hall", date(2024, 10, 17),
                           date(2024, 10, 17))
        forum.max_pending_per_company = 1
        db.session.commit()
    assert _ask(client, pair).status_code == 201
    before = _state(app)
    body = problem(_ask(client, pair, to="third"), 409, "conflict")
    assert body["detail"] == ("Esik Dairy already has 1 requests waiting for an answer, the most the organizers "
                              "allow. Wait for answers or cancel one.")
    assert _state(app) == before


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"message": "x" * 1001}, "message", "At most 1000 characters."),
    ({"message": None}, "message", "Must be a string."),
    ({"session": "evening"}, "session", "Must be one of: 'either', 'morning' or 'afternoon'."),
    ({"to_company_id": "2"}, "to_company_id", "Must be a whole number."),
    ({"to_company_id": 0}, "to_company_id", "Must be at least 1."),
    ({"company": 2}, "company", "Unknown field."),
])
def test_request_bad_body_is_422(app, client, pair, fields, field, message):
    before = _state(app)
    response = client.post(REQUESTS, json={"to_company_id": pair["film"], **fields},
                           headers=bearer(pair["dairy_token"]))
    assert field_messages(problem(response, 422, "validation"))[field] == message
    assert _state(app) == before


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_answer_own_outgoing_request_is_403(app, client, pair, action):
    request_id = _ask(client, pair).get_json()["id"]
    before = _state(app)
    body = problem(client.post(f"{REQUESTS}/{request_id}/{action}", headers=bearer(pair["dairy_token"])),
                   403, "forbidden")
    assert body["detail"] == "Only the company that was asked can answer this request."
    assert _state(app) == before


def test_answer_with_stale_version_is_409(app, client, pair):
    request_id = _ask(client, pair).get_json()["id"]
    before = _state(app)
    body = problem(client.post(f"{REQUESTS}/{request_id}/accept", json={"version": 7},
                               headers=bearer(pair["film_token"])), 409, "conflict")
    assert body["detail"] == "This request changed since you opened it: it is now waiting for an answer."
    assert _state(app) == before


def test_cancel_declined_request_is_409(app, client, pair):
    request_id = _ask(client, pair).get_json()["id"]
    client.post(f"{REQUESTS}/{request_id}/decline", headers=bearer(pair["film_token"]))
    before = _state(app)
    body = problem(client.post(f"{REQUESTS}/{request_id}/cancel", headers=bearer(pair["dairy_token"])),
                   409, "conflict")
    assert body["detail"] == "This request is already declined, so it cannot be cancelled."
    assert _state(app) == before


def test_answer_with_wrong_version_type_is_422(app, client, pair):
    request_id = _ask(client, pair).get_json()["id"]
    before = _state(app)
    response = client.post(f"{REQUESTS}/{request_id}/accept", json={"version": "1"},
                           headers=bearer(pair["film_token"]))
    assert field_messages(problem(response, 422, "validation")) == {"version": "Must be a whole number."}
    assert _state(app) == before


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/accept"), ("POST", "/decline"),
                                                ("POST", "/cancel")])
def test_other_companies_request_is_404_like_a_missing_one(app, client, pair, method, suffix):
    request_id = _ask(client, pair).get_json()["id"]
    before = _state(app)
    other = problem(client.open(f"{REQUESTS}/{request_id}{suffix}", method=method,
                                headers=bearer(pair["third_token"])), 404, "not-found")
    missing = problem(client.open(f"{REQUESTS}/{request_id + 1000}{suffix}", method=method,
                                  headers=bearer(pair["third_token"])), 404, "not-found")
    assert other["detail"] == missing["detail"] == "There is no such meeting request."
    assert _state(app) == before


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/requests"), ("POST", "/requests"), ("GET", "/requests/1"), ("POST", "/requests/1/accept"),
    ("POST", "/requests/1/cancel"), ("GET", "/agenda"), ("GET", "/agenda/1"),
])
def test_organizer_on_my_operations_is_403(app, client, pair, method, path):
    _ask(client, pair)
    before = _state(app)
    response = client.open(f"/api/v1/my{path}", method=method, json={"to_company_id": pair["film"]}
                           if path == "/requests" and method == "POST" else None,
                           headers=bearer(pair["organizer_token"]))
    body = problem(response, 403, "forbidden")
    assert body["detail"] == "This is for company accounts. Organizer accounts have no company of their own."
    assert _state(app) == before


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/requests"), ("POST", "/requests"), ("GET", "/requests/1"), ("POST", "/requests/1/decline"),
    ("GET", "/agenda"), ("GET", "/agenda/1"),
])
def test_anonymous_on_my_operations_is_401(app, client, pair, method, path):
    _ask(client, pair)
    before = _state(app)
    response = client.open(f"/api/v1/my{path}", method=method)
    problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="forum"'
    assert _state(app) == before


def test_read_only_token_reads_but_cannot_write(app, client, pair):
    request_id = _ask(client, pair, to="dairy", token="film_token").get_json()["id"]
    read = bearer(pair["dairy_read_token"])
    assert client.get(REQUESTS, headers=read).get_json()["total"] == 1
    before = _state(app)
    problem(client.post(REQUESTS, json={"to_company_id": pair["third"]}, headers=read), 403, "read-only-token")
    problem(client.post(f"{REQUESTS}/{request_id}/accept", headers=read), 403, "read-only-token")
    assert _state(app) == before


def test_openapi_declares_links_from_created_request(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    created = spec["paths"]["/my/requests"]["post"]["responses"]["201"]
    targets = {name: link["operationId"] for name, link in created["links"].items()}
    assert targets == {"GetRequest": "get_my_request", "AcceptRequest": "accept_my_request",
                       "DeclineRequest": "decline_my_request", "CancelRequest": "cancel_my_request"}
    operation_ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert set(targets.values()) <= operation_ids
    assert "null" not in str(spec["paths"]["/my/requests"]["get"]["parameters"])


# --- my agenda -------------------------------------------------------------------------------------


@pytest.fixture
def agenda(app: Flask) -> dict:
    with app.app_context():
        ids = factories.published_agenda()
        users = db.session.get(User, ids["delegates"][0]), db.session.get(User, ids["delegates"][3])
        ids["tokens"] = [factories.api_token(u.id) for u in users]  # C0's and C3's delegates
        return ids


def test_agenda_unchanged_revalidates_as_304(client, agenda):
    headers = bearer(agenda["tokens"][0])
    first = client.get("/api/v1/my/agenda", headers=headers)

    again = client.get("/api/v1/my/agenda", headers={**headers, "If-None-Match": first.headers["ETag"]})

    # A phone polling on venue Wi-Fi gets an empty 304 while its agenda has not changed.
    assert (first.status_code, again.status_code, again.get_data()) == (200, 304, b"")


def test_agenda_unpublished_is_200_with_no_meetings(app, client):
    with app.app_context():
        ids = factories.published_agenda(publish=False)
        token = factories.api_token(ids["delegates"][0])
    response = client.get("/api/v1/my/agenda", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["published"], body["timezone"], body["meetings"], body["now_request_id"],
            body["next_request_id"]) == (False, "Asia/Tashkent", [], None, None)
    problem(client.get(f"/api/v1/my/agenda/{ids['requests'][0]}", headers=bearer(token)), 404, "not-found")


def test_agenda_published_lists_exactly_my_meetings(client, agenda, monkeypatch):
    monkeypatch.setattr(delegate_agenda, "utcnow", lambda: datetime(2024, 10, 17, 5, 5, tzinfo=UTC))
    c, r = agenda["companies"], agenda["requests"]
    body = client.get("/api/v1/my/agenda", headers=bearer(agenda["tokens"][0])).get_json()
    assert (body["published"], body["timezone"]) == (True, "Asia/Tashkent")
    got = [(m["request_id"], m["day"], m["starts_at"], m["ends_at"], m["table"], m["partner"]["id"],
            m["partner"]["name"], m["requested_by_us"]) for m in body["meetings"]]
    assert got == [
        (r[0], "2024-10-17", "2024-10-17T10:00:00+05:00", "2024-10-17T10:20:00+05:00", 1, c[1],
         "Agenda Company 1", True),
        (r[2], "2024-10-17", "2024-10-17T10:20:00+05:00", "2024-10-17T10:40:00+05:00", 1, c[2],
         "Agenda Company 2", True),
    ]
    assert (body["now_request_id"], body["next_request_id"]) == (r[0], r[2])
    assert [s["label"] for s in body["meetings"][0]["partner"]["sectors"]] == ["Dairy"]
    assert body["meetings"][0]["why"] == ""  # no match suggestions stored in this forum

    # C3 sees its one placed meeting from the other side; r3 (accepted, not placed) is on no agenda
    other = client.get("/api/v1/my/agenda", headers=bearer(agenda["tokens"][1])).get_json()
    assert [(m["request_id"], m["table"], m["partner"]["name"], m["requested_by_us"])
            for m in other["meetings"]] == [(r[1], 2, "Agenda Company 2", False)]


def test_agenda_meeting_detail_has_partner_people_contact_and_message(client, agenda):
    c, r = agenda["companies"], agenda["requests"]
    response = client.get(f"/api/v1/my/agenda/{r[0]}", headers=bearer(agenda["tokens"][0]))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["request_id"], body["starts_at"], body["ends_at"], body["table"], body["partner"]["id"]) == \
        (r[0], "2024-10-17T10:00:00+05:00", "2024-10-17T10:20:00+05:00", 1, c[1])
    assert body["partner_delegates"] == ["Delegate 1"]
    assert body["contact"] == {"name": "Aigerim Bekova", "email": "c1@company.example", "phone": "+7 701 000 00 00"}
    assert (body["message"], body["requested_by_us"], body["reasons"], body["score"]) == \
        ("Let us talk about milk supply.", True, [], None)


@pytest.mark.parametrize("which", [1, 3, 999_999])  # C2-C3's meeting, C1-C3's unplaced one, no such request
def test_agenda_meeting_not_on_my_agenda_is_404(client, agenda, which):
    request_id = agenda["requests"][which] if which < 4 else which
    body = problem(client.get(f"/api/v1/my/agenda/{request_id}", headers=bearer(agenda["tokens"][0])),
                   404, "not-found")
    assert body["detail"] == "There is no such meeting on your agenda."
