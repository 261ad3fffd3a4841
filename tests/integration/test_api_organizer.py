"""Contract tests for the organizer operations of the JSON API: companies, the scheduler's dry run, the agenda
(read, move, lock, publish) and the exports. Data: ``factories.published_agenda(publish=False)``."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import AgendaChange, Company, Forum, Notification, ScheduledMeeting
from tests import factories
from tests.integration.api_helpers import bearer, field_messages, problem

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data(app: Flask) -> dict[str, Any]:
    """The factory agenda (not published) plus tokens: the organizer's read-write and read-only ones, and
    the first delegate's."""
    with app.app_context():
        ids = factories.published_agenda(publish=False)
        ids["write"] = factories.api_token(ids["organizer"])
        ids["read"] = factories.api_token(ids["organizer"], scope="read")
        ids["participant"] = factories.api_token(ids["delegates"][0])
        ids["delegation"] = db.session.get(Company, ids["companies"][0]).delegation_id
        return ids


def _state(app: Flask) -> dict[str, Any]:
    """What a refused request must leave as it was."""
    with app.app_context():
        forum = db.session.scalar(select(Forum))
        return {
            "companies": list(db.session.execute(select(Company.id, Company.name, Company.active, Company.city)
                                                 .order_by(Company.id))),
            "placements": list(db.session.execute(select(ScheduledMeeting.request_id, ScheduledMeeting.slot_id,
                                                         ScheduledMeeting.table_id, ScheduledMeeting.locked)
                                                  .order_by(ScheduledMeeting.request_id))),
            "version": forum.agenda_version,
            "published_at": forum.agenda_published_at,
            "changes": db.session.scalar(select(func.count()).select_from(AgendaChange)),
            "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
        }


def _profile(app: Flask, delegation_id: int, **overrides: Any) -> dict[str, Any]:
    with app.app_context():
        dairy = factories.sector_ids("dairy")
    body = {"name": "Qarshi Milk", "delegation_id": delegation_id, "country": "Uzbekistan", "city": "Qarshi",
            "sector_ids": dairy, "offers": "Fresh milk", "needs": "Cooling tanks",
            "contact_name": "Dilnoza Rakhimova", "contact_email": "dilnoza@qarshi-milk.example",
            "contact_phone": "+998 90 123 45 67", "languages": ["uz", "ru"]}
    return {**body, **overrides}


def _operations(d: dict[str, Any]) -> list[tuple[str, str, dict | None]]:
    company, request = d["companies"][0], d["requests"][3]
    return [
        ("GET", "/organizer/companies", None),
        ("GET", f"/organizer/companies/{company}", None),
        ("POST", "/organizer/companies", {"name": "Nobody Ltd"}),
        ("PATCH", f"/organizer/companies/{company}", {"active": False}),
        ("POST", "/organizer/schedule/dry-run", {}),
        ("GET", "/organizer/agenda", None),
        ("POST", f"/organizer/agenda/meetings/{request}/move", {"slot_id": d["slots"][2], "table_id": d["tables"][0]}),
        ("POST", f"/organizer/agenda/meetings/{d['requests'][0]}/lock", {"locked": True}),
        ("POST", "/organizer/agenda/publish", {}),
        ("GET", "/organizer/exports/agenda?format=csv", None),
    ]


def _call(client: FlaskClient, method: str, path: str, body: dict | None, headers: dict | None = None):
    return client.open(API + path, method=method, json=body, headers=headers or {})


# --- who may call -----------------------------------------------------------------------------------


def test_organizer_operations_refuse_anonymous_callers(app, client, data):
    before = _state(app)
    for method, path, body in _operations(data):
        response = _call(client, method, path, body)
        problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="forum"'
    assert _state(app) == before


def test_organizer_operations_refuse_participants(app, client, data):
    before = _state(app)
    for method, path, body in _operations(data):
        body_ = problem(_call(client, method, path, body, bearer(data["participant"])), 403, "forbidden")
        assert body_["detail"] == "Only organizers can do this."
    assert _state(app) == before


def test_organizer_writes_refuse_read_only_token(app, client, data):
    before = _state(app)
    for method, path, body in _operations(data):
        response = _call(client, method, path, body, bearer(data["read"]))
        if method == "GET":
            assert response.status_code == 200, path
        else:
            problem(response, 403, "read-only-token")
    assert _state(app) == before


# --- companies --------------------------------------------------------------------------------------


def test_company_list_gives_profiles_contacts_and_counts(client, data):
    response = client.get(f"{API}/organizer/companies", headers=bearer(data["read"]))
    assert response.status_code == 200
    body = response.get_json()
    assert [c["name"] for c in body["items"]] == [f"Agenda Company {i}" for i in range(4)]
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (4, 1, 50, 1)
    first = body["items"][0]
    assert first["id"] == data["companies"][0]
    assert first["active"] is True
    # C0 asked C1 and C2: two requests, both accepted; one delegate.
    assert first["counts"] == {"delegates": 1, "requests": 2, "meetings": 2}
    assert first["contact"] == {"name": "Aigerim Bekova", "email": "c0@company.example",
                                "phone": "+7 701 000 00 00"}
    assert first["updated_at"].endswith("+05:00")
    assert response.headers["ETag"]


def test_company_list_filters_by_text_status_and_pages(app, client, data):
    with app.app_context():
        db.session.get(Company, data["companies"][2]).active = False
        db.session.commit()
    headers = bearer(data["read"])
    found = client.get(f"{API}/organizer/companies?q=kefir+", headers=headers).get_json()
    assert found["total"] == 4
    found = client.get(f"{API}/organizer/companies?q=nothing+like+this", headers=headers).get_json()
    assert (found["items"], found["total"], found["pages"]) == ([], 0, 0)
    client.patch(f"{API}/organizer/companies/{data['companies'][2]}", json={"city": "Turkestan"},
                 headers=bearer(data["write"]))
    found = client.get(f"{API}/organizer/companies?q=TURKESTAN", headers=headers).get_json()
    assert [c["id"] for c in found["items"]] == [data["companies"][2]]
    gone = client.get(f"{API}/organizer/companies?status=deactivated", headers=headers).get_json()
    assert [(c["name"], c["active"]) for c in gone["items"]] == [("Agenda Company 2", False)]
    active = client.get(f"{API}/organizer/companies?status=active&delegation_id={data['delegation']}",
                        headers=headers).get_json()
    assert [c["name"] for c in active["items"]] == ["Agenda Company 0", "Agenda Company 1", "Agenda Company 3"]
    second = client.get(f"{API}/organizer/companies?per_page=3&page=2", headers=headers)
    assert [c["name"] for c in second.get_json()["items"]] == ["Agenda Company 3"]
    assert second.get_json()["links"]["prev"].endswith("/api/v1/organizer/companies?per_page=3&page=1")
    assert second.get_json()["links"]["next"] is None


def test_company_list_queries_do_not_grow_with_companies(app, client, data, count_queries):
    client.get(f"{API}/organizer/companies", headers=bearer(data["read"]))  # the token's first use is recorded
    with count_queries() as few:
        client.get(f"{API}/organizer/companies", headers=bearer(data["read"]))
    with app.app_context():
        for n in range(10):
            factories.company(name=f"More {n}")
    with count_queries() as many:
        assert client.get(f"{API}/organizer/companies", headers=bearer(data["read"])).get_json()["total"] == 14
    assert len(many) == len(few)


def test_company_list_refuses_unknown_status(client, data):
    body = problem(client.get(f"{API}/organizer/companies?status=gone", headers=bearer(data["read"])), 422,
                   "validation")
    assert list(field_messages(body)) == ["status"]


def test_create_company_answers_201_with_location(app, client, data):
    response = client.post(f"{API}/organizer/companies", json=_profile(app, data["delegation"]),
                           headers=bearer(data["write"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["city"], body["languages"]) == ("Qarshi Milk", "Qarshi", ["uz", "ru"])
    assert body["contact"]["email"] == "dilnoza@qarshi-milk.example"
    assert response.headers["Location"] == f"http://localhost/api/v1/organizer/companies/{body['id']}"
    again = client.get(response.headers["Location"], headers=bearer(data["read"])).get_json()
    assert (again["name"], again["active"], again["counts"]) == (
        "Qarshi Milk", True, {"delegates": 0, "requests": 0, "meetings": 0})
    with app.app_context():
        assert db.session.get(Company, body["id"]).delegation_id == data["delegation"]


def test_create_company_refuses_a_taken_name_and_writes_nothing(app, client, data):
    before = _state(app)
    response = client.post(f"{API}/organizer/companies", json=_profile(app, data["delegation"], name="agenda company 1"),
                           headers=bearer(data["write"]))
    body = problem(response, 422, "validation")
    assert field_messages(body) == {
        "name": f"A company called “agenda company 1” is already registered in {_delegation_name(app, data)}."}
    assert _state(app) == before


def _delegation_name(app: Flask, data: dict) -> str:
    with app.app_context():
        return db.session.get(Company, data["companies"][0]).delegation.name


def test_create_company_refuses_an_incomplete_profile(app, client, data):
    before = _state(app)
    response = client.post(f"{API}/organizer/companies", json=_profile(app, data["delegation"], offers="", needs="",
                                                                      extra="x"),
                           headers=bearer(data["write"]))
    assert field_messages(problem(response, 422, "validation")) == {
        "extra": "Unknown field.", "needs": "Say what you offer, what you are looking for, or both."}
    response = client.post(f"{API}/organizer/companies", json=_profile(app, data["delegation"], sector_ids=[]),
                           headers=bearer(data["write"]))
    assert list(field_messages(problem(response, 422, "validation"))) == ["sector_ids"]
    # Ids that name nothing: the service's refusal, on the body's own field names.
    response = client.post(f"{API}/organizer/companies", json=_profile(app, 999999, sector_ids=[999999]),
                           headers=bearer(data["write"]))
    assert field_messages(problem(response, 422, "validation")) == {
        "delegation_id": "Choose one of the listed delegations."}
    response = client.post(f"{API}/organizer/companies", json=_profile(app, data["delegation"], sector_ids=[999999]),
                           headers=bearer(data["write"]))
    assert field_messages(problem(response, 422, "validation")) == {"sector_ids": "Choose sectors from the list."}
    assert _state(app) == before


def test_patch_company_changes_profile_fields_and_deactivates(app, client, data):
    company = data["companies"][1]
    response = client.patch(f"{API}/organizer/companies/{company}", json={"city": "Shymkent", "active": False},
                            headers=bearer(data["write"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["city"], body["active"]) == ("Agenda Company 1", "Shymkent", False)
    assert body["counts"] == {"delegates": 1, "requests": 2, "meetings": 2}
    with app.app_context():
        row = db.session.get(Company, company)
        assert (row.city, row.active, row.offers) == ("Shymkent", False, "Pasteurised milk and kefir")
    back = client.patch(f"{API}/organizer/companies/{company}", json={"active": True}, headers=bearer(data["write"]))
    assert (back.status_code, back.get_json()["active"], back.get_json()["city"]) == (200, True, "Shymkent")


def test_patch_company_refused_profile_leaves_active_unwritten(app, client, data):
    before = _state(app)
    response = client.patch(f"{API}/organizer/companies/{data['companies'][1]}",
                            json={"name": "Agenda Company 0", "city": "Turkestan", "active": False},
                            headers=bearer(data["write"]))
    body = problem(response, 422, "validation")
    assert list(field_messages(body)) == ["name"]
    assert _state(app) == before  # neither the city nor the deactivation


def test_patch_company_refuses_a_profile_that_is_no_longer_whole(app, client, data):
    before = _state(app)
    response = client.patch(f"{API}/organizer/companies/{data['companies'][1]}",
                            json={"offers": "", "needs": "", "active": False}, headers=bearer(data["write"]))
    assert field_messages(problem(response, 422, "validation")) == {
        "needs": "Say what you offer, what you are looking for, or both."}
    response = client.patch(f"{API}/organizer/companies/{data['companies'][1]}", json={"active": "no"},
                            headers=bearer(data["write"]))
    assert list(field_messages(problem(response, 422, "validation"))) == ["active"]
    assert _state(app) == before


def test_patch_unknown_company_is_404(app, client, data):
    before = _state(app)
    problem(client.patch(f"{API}/organizer/companies/999999", json={"active": False}, headers=bearer(data["write"])),
            404, "not-found")
    assert _state(app) == before


# --- the scheduler's dry run --------------------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(app, client, data):
    with app.app_context():  # C3 withdrew: its two meetings cannot be placed
        db.session.get(Company, data["companies"][3]).active = False
        db.session.commit()
    before = _state(app)
    response = client.post(f"{API}/organizer/schedule/dry-run", json={"time_limit": 1, "seed": 7},
                           headers=bearer(data["write"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["dry_run"], body["placed"]) == (True, 2)
    r1, r3 = data["requests"][1], data["requests"][3]
    c = data["companies"]
    assert body["unplaced"] == [
        {"request_id": r1, "companies": [{"id": c[2], "name": "Agenda Company 2"},
                                         {"id": c[3], "name": "Agenda Company 3"}],
         "reason": "the company was deactivated"},
        {"request_id": r3, "companies": [{"id": c[1], "name": "Agenda Company 1"},
                                         {"id": c[3], "name": "Agenda Company 3"}],
         "reason": "the company was deactivated"},
    ]
    assert isinstance(body["breaks_total"], int) and isinstance(body["fairness_spread"], int)
    assert response.headers["Cache-Control"] == "no-store"
    assert _state(app) == before  # the meetings, the version and the history


def test_dry_run_takes_an_empty_body_and_refuses_limits_out_of_range(app, client, data):
    before = _state(app)
    empty = client.post(f"{API}/organizer/schedule/dry-run", headers=bearer(data["write"]))
    assert (empty.status_code, empty.get_json()["placed"], empty.get_json()["unplaced"]) == (200, 4, [])
    response = client.post(f"{API}/organizer/schedule/dry-run", json={"time_limit": 61, "seed": -1},
                           headers=bearer(data["write"]))
    assert field_messages(problem(response, 422, "validation")) == {
        "time_limit": "Must be at most 60.0.", "seed": "Must be at least 0."}
    assert _state(app) == before


# --- the agenda -------------------------------------------------------------------------------------


def test_agenda_lists_slots_tables_meetings_and_unplaced(client, data):
    response = client.get(f"{API}/organizer/agenda", headers=bearer(data["read"]))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["version"], body["published"], body["published_at"]) == (0, False, None)
    assert [(s["id"], s["day"], s["starts_at"], s["ends_at"]) for s in body["slots"]] == [
        (data["slots"][0], "2024-10-17", "2024-10-17T10:00:00+05:00", "2024-10-17T10:20:00+05:00"),
        (data["slots"][1], "2024-10-17", "2024-10-17T10:20:00+05:00", "2024-10-17T10:40:00+05:00"),
        (data["slots"][2], "2024-10-17", "2024-10-17T10:40:00+05:00", "2024-10-17T11:00:00+05:00"),
        (data["slots"][3], "2024-10-17", "2024-10-17T14:00:00+05:00", "2024-10-17T14:20:00+05:00"),
        (data["slots"][4], "2024-10-17", "2024-10-17T14:20:00+05:00", "2024-10-17T14:40:00+05:00"),
        (data["slots"][5], "2024-10-17", "2024-10-17T14:40:00+05:00", "2024-10-17T15:00:00+05:00"),
    ]
    assert body["slots"][0]["session_id"] != body["slots"][3]["session_id"]
    assert body["tables"] == [{"id": t, "number": n, "reserved_for": None}
                              for n, t in enumerate(data["tables"], start=1)]
    c, r, s, t = data["companies"], data["requests"], data["slots"], data["tables"]

    def pair(i: int, j: int) -> list[dict]:
        return [{"id": c[i], "name": f"Agenda Company {i}"}, {"id": c[j], "name": f"Agenda Company {j}"}]

    assert body["meetings"] == [
        {"request_id": r[0], "slot_id": s[0], "table_id": t[0], "locked": False, "companies": pair(0, 1)},
        {"request_id": r[1], "slot_id": s[0], "table_id": t[1], "locked": False, "companies": pair(2, 3)},
        {"request_id": r[2], "slot_id": s[1], "table_id": t[0], "locked": False, "companies": pair(0, 2)},
    ]
    assert body["unplaced"] == [{"request_id": r[3], "companies": pair(1, 3),
                                 "reason": "not placed yet: run the scheduler or place it by hand"}]


def test_agenda_read_queries_do_not_grow_with_meetings(app, client, data, count_queries):
    client.get(f"{API}/organizer/agenda", headers=bearer(data["read"]))  # the token's first use is recorded
    with count_queries() as few:
        assert client.get(f"{API}/organizer/agenda", headers=bearer(data["read"])).status_code == 200
    with app.app_context():  # six more placed meetings, in the afternoon, between new companies
        for n in range(6):
            a, b = factories.company(name=f"Extra {n}a"), factories.company(name=f"Extra {n}b")
            factories.place(factories.accepted_request(a, b), data["slots"][3 + n % 3], data["tables"][n // 3])
    with count_queries() as many:
        body = client.get(f"{API}/organizer/agenda", headers=bearer(data["read"])).get_json()
    assert len(body["meetings"]) == 9
    assert len(many) == len(few)


def test_agenda_read_answers_304_for_its_etag(client, data):
    first = client.get(f"{API}/organizer/agenda", headers=bearer(data["read"]))
    again = client.get(f"{API}/organizer/agenda",
                       headers={**bearer(data["read"]), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def _placement(app: Flask, request_id: int) -> tuple[int, int, bool] | None:
    with app.app_context():
        row = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == request_id))
        return (row.slot_id, row.table_id, row.locked) if row else None


def test_move_places_a_meeting_and_bumps_the_version(app, client, data):
    r3, slot, table = data["requests"][3], data["slots"][2], data["tables"][0]
    response = client.post(f"{API}/organizer/agenda/meetings/{r3}/move",
                           json={"slot_id": slot, "table_id": table, "version": 0}, headers=bearer(data["write"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"version": 1, "description":
                                   "Moved Agenda Company 1 ↔ Agenda Company 3 to Thu 17 Oct, 10:40, table 1"}
    assert _placement(app, r3) == (slot, table, False)
    agenda = client.get(f"{API}/organizer/agenda", headers=bearer(data["read"])).get_json()
    assert (agenda["version"], agenda["unplaced"]) == (1, [])


def test_move_refuses_a_company_busy_in_that_slot_and_moves_nothing(app, client, data):
    before = _state(app)
    # C1 and C3 both meet someone else in slot 0; table 3 is free there.
    response = client.post(f"{API}/organizer/agenda/meetings/{data['requests'][3]}/move",
                           json={"slot_id": data["slots"][0], "table_id": data["tables"][2]},
                           headers=bearer(data["write"]))
    body = problem(response, 409, "conflict")
    assert body["detail"] == ("Agenda Company 1 ↔ Agenda Company 3: one of the two companies already has another "
                              "meeting in that slot.")
    assert _state(app) == before


def test_move_refuses_a_taken_cell_with_its_field(app, client, data):
    before = _state(app)
    response = client.post(f"{API}/organizer/agenda/meetings/{data['requests'][3]}/move",
                           json={"slot_id": data["slots"][1], "table_id": data["tables"][0]},
                           headers=bearer(data["write"]))
    body = problem(response, 409, "conflict")
    assert field_messages(body) == {"table_id": "That cell already holds Agenda Company 0 ↔ Agenda Company 2. "
                                                "Choose a free cell, or ask for a swap."}
    assert _state(app) == before


def test_move_refuses_a_stale_version_and_names_the_change(app, client, data):
    lock = client.post(f"{API}/organizer/agenda/meetings/{data['requests'][0]}/lock", json={"locked": True},
                       headers=bearer(data["write"]))
    assert lock.get_json()["version"] == 1
    before = _state(app)
    response = client.post(f"{API}/organizer/agenda/meetings/{data['requests'][3]}/move",
                           json={"slot_id": data["slots"][2], "table_id": data["tables"][0], "version": 0},
                           headers=bearer(data["write"]))
    body = problem(response, 409, "conflict")
    assert body["detail"] == ("The agenda changed since you loaded it (Locked Agenda Company 0 ↔ Agenda Company 1). "
                              "Nothing was changed: look at the agenda again and repeat your change if it still "
                              "makes sense.")
    assert list(field_messages(body)) == ["version"]
    assert _state(app) == before


def test_move_unknown_meeting_is_404_and_unknown_slot_409(app, client, data):
    before = _state(app)
    body = problem(client.post(f"{API}/organizer/agenda/meetings/999999/move",
                               json={"slot_id": data["slots"][2], "table_id": data["tables"][0]},
                               headers=bearer(data["write"])), 404, "not-found")
    assert body["detail"] == "There is no such accepted meeting; it may have been cancelled."
    body = problem(client.post(f"{API}/organizer/agenda/meetings/{data['requests'][3]}/move",
                               json={"slot_id": 999999, "table_id": data["tables"][0]},
                               headers=bearer(data["write"])), 409, "conflict")
    assert list(field_messages(body)) == ["slot_id"]
    body = problem(client.post(f"{API}/organizer/agenda/meetings/{data['requests'][3]}/move",
                               json={"slot_id": "2", "table_id": data["tables"][0]},
                               headers=bearer(data["write"])), 422, "validation")
    assert field_messages(body) == {"slot_id": "Must be a whole number."}
    body = problem(client.post(f"{API}/organizer/agenda/meetings/{data['requests'][3]}/move",
                               json={"slot_id": 1, "table_id": 1, "version": 2**63},
                               headers=bearer(data["write"])), 422, "validation")
    assert field_messages(body) == {"version": "Must be at most 2147483647."}
    assert _state(app) == before


def test_lock_and_unlock_a_meeting(app, client, data):
    r0 = data["requests"][0]
    locked = client.post(f"{API}/organizer/agenda/meetings/{r0}/lock", json={"locked": True, "version": 0},
                         headers=bearer(data["write"]))
    assert locked.get_json() == {"version": 1, "description": "Locked Agenda Company 0 ↔ Agenda Company 1"}
    assert _placement(app, r0) == (data["slots"][0], data["tables"][0], True)
    before = _state(app)
    again = problem(client.post(f"{API}/organizer/agenda/meetings/{r0}/lock", json={"locked": True},
                                headers=bearer(data["write"])), 409, "conflict")
    assert again["detail"] == "This meeting is already locked."
    moved = problem(client.post(f"{API}/organizer/agenda/meetings/{r0}/move",
                                json={"slot_id": data["slots"][2], "table_id": data["tables"][2]},
                                headers=bearer(data["write"])), 409, "conflict")
    assert moved["detail"] == "This meeting is locked: unlock it before moving it."
    assert _state(app) == before
    unlocked = client.post(f"{API}/organizer/agenda/meetings/{r0}/lock", json={"locked": False, "version": 1},
                           headers=bearer(data["write"]))
    assert unlocked.get_json() == {"version": 2, "description": "Unlocked Agenda Company 0 ↔ Agenda Company 1"}
    assert _placement(app, r0) == (data["slots"][0], data["tables"][0], False)


def test_lock_refuses_an_unplaced_meeting(app, client, data):
    before = _state(app)
    body = problem(client.post(f"{API}/organizer/agenda/meetings/{data['requests'][3]}/lock",
                               json={"locked": True}, headers=bearer(data["write"])), 409, "conflict")
    assert body["detail"] == "Only a meeting on the agenda can be locked; place it first."
    assert _state(app) == before


def test_publish_shows_the_agenda_and_tells_the_companies(app, client, data):
    stale = problem(client.post(f"{API}/organizer/agenda/publish", json={"version": 3},
                                headers=bearer(data["write"])), 409, "conflict")
    assert list(field_messages(stale)) == ["version"]
    response = client.post(f"{API}/organizer/agenda/publish", headers=bearer(data["write"]))
    assert response.get_json() == {"version": 1, "description": "Published the agenda"}
    agenda = client.get(f"{API}/organizer/agenda", headers=bearer(data["read"])).get_json()
    assert agenda["published"] is True
    assert agenda["published_at"].endswith("+05:00")
    with app.app_context():
        # each side of the three placed meetings hears of it
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 6


def test_publish_refuses_an_empty_agenda(app, client, data):
    with app.app_context():
        for row in db.session.scalars(select(ScheduledMeeting)):
            db.session.delete(row)
        db.session.commit()
    before = _state(app)
    body = problem(client.post(f"{API}/organizer/agenda/publish", json={}, headers=bearer(data["write"])),
                   409, "conflict")
    assert body["detail"] == "The agenda is empty: run the scheduler or place meetings before publishing."
    assert _state(app) == before


# --- exports ----------------------------------------------------------------------------------------


def test_export_agenda_as_json(client, data):
    response = client.get(f"{API}/organizer/exports/agenda", headers=bearer(data["read"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body["columns"] == ["Date", "Time", "Table", "Company A", "Delegation A", "Delegates A", "Company B",
                               "Delegation B", "Delegates B"]
    assert [row[:4] + row[5:7] for row in body["rows"]] == [
        ["2024-10-17", "10:00–10:20", "1", "Agenda Company 0", "Delegate 0", "Agenda Company 1"],
        ["2024-10-17", "10:00–10:20", "2", "Agenda Company 2", "Delegate 2", "Agenda Company 3"],
        ["2024-10-17", "10:20–10:40", "1", "Agenda Company 0", "Delegate 0", "Agenda Company 2"],
    ]


def _rename(app: Flask, company_id: int, name: str) -> None:
    with app.app_context():
        row = db.session.get(Company, company_id)
        row.name = name
        db.session.commit()


@pytest.mark.parametrize(("name", "page"), [("agenda", "/organizer/exports/agenda.csv"),
                                            ("companies", "/organizer/exports/companies?format=csv")])
def test_export_csv_is_the_export_page_file(app, client, data, login_as, name, page):
    _rename(app, data["companies"][1], '=HYPERLINK("http://evil.example")')
    response = client.get(f"{API}/organizer/exports/{name}?format=csv", headers=bearer(data["read"]))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    html = login_as(data["organizer"]).get(page)
    assert html.status_code == 200
    assert response.data == html.data
    assert response.headers["Content-Disposition"] == html.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith(f"attachment; filename=Kashkadarya-Invest-2024-{name}-")
    text = response.data.decode("utf-8-sig")
    assert "'=HYPERLINK(\"\"http://evil.example\"\")" in text
    assert ",=HYPERLINK" not in text and "\n=HYPERLINK" not in text


def test_export_file_name_keeps_a_cyrillic_forum_name(app, client, data, login_as):
    with app.app_context():
        db.session.scalar(select(Forum)).name = "Қашқадарё Инвест"
        db.session.commit()
    response = client.get(f"{API}/organizer/exports/companies?format=xlsx", headers=bearer(data["read"]))
    html = login_as(data["organizer"]).get("/organizer/exports/companies?format=xlsx")
    assert response.headers["Content-Disposition"] == html.headers["Content-Disposition"]
    assert "filename*=UTF-8''%D2%9A%D0%B0%D1%88" in response.headers["Content-Disposition"]


def test_export_xlsx_is_a_workbook_with_neutralised_cells(app, client, data):
    _rename(app, data["companies"][1], "=1+1")
    response = client.get(f"{API}/organizer/exports/agenda?format=xlsx", headers=bearer(data["read"]))
    assert (response.status_code, response.mimetype) == (200, XLSX)
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "agenda"
    assert sheet["G2"].value == "'=1+1"
    json_rows = client.get(f"{API}/organizer/exports/agenda", headers=bearer(data["read"])).get_json()["rows"]
    assert json_rows[0][6] == "=1+1"  # JSON carries the value as it is


def test_export_unknown_name_is_404_and_bad_format_422(client, data):
    body = problem(client.get(f"{API}/organizer/exports/passwords", headers=bearer(data["read"])), 404, "not-found")
    assert body["detail"] == "There is no such export: choose agenda or companies."
    body = problem(client.get(f"{API}/organizer/exports/agenda?format=pdf", headers=bearer(data["read"])), 422,
                   "validation")
    assert list(field_messages(body)) == ["format"]


def test_session_write_needs_csrf(app, client, data, login_as):
    login_as(data["organizer"])
    app.config["WTF_CSRF_ENABLED"] = True
    before = _state(app)
    problem(client.post(f"{API}/organizer/agenda/publish", json={}), 403, "csrf")
    assert _state(app) == before
