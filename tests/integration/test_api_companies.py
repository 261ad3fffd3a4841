"""Contract tests of the company and match operations of the JSON API, per role: anonymous, a delegate
of Alpha Dairy (Almaty), a delegate of Bukhara Pack (Samarkand), and an organizer."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.extensions import db
from forum.models import MatchDismissal
from forum.services import taxonomy
from tests import factories
from tests.integration.api_company_helpers import build_world, company_snapshot, dismissal_count
from tests.integration.api_helpers import bearer, field_messages, problem


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    return build_world(app)


def _as(world: dict[str, Any], who: str) -> dict[str, str]:
    return bearer(world[f"{who}_token"]) if who != "anonymous" else {}


def _names(body: dict) -> list[str]:
    return [item["name"] for item in body["items"]]


def _query(url: str | None) -> dict[str, list[str]]:
    assert url is not None
    return parse_qs(urlsplit(url).query)


def _sector_id(app: Flask, key: str) -> int:
    with app.app_context():
        return factories.sector_ids(key)[0]


# --- GET /companies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "alpha", "bukhara", "organizer"])
def test_directory_lists_active_companies_by_name_for_everyone(client: FlaskClient, world, who) -> None:
    response = client.get("/api/v1/companies", headers=_as(world, who))
    assert response.status_code == 200
    body = response.get_json()
    # The deactivated "Zeta Closed Dairy" is never listed, whoever asks.
    assert _names(body) == ["Alpha Dairy", "Aral Textiles", "Bukhara Pack", "Samarkand Foods"]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 24, 4, 1)
    alpha = body["items"][0]
    assert alpha["delegation"] == {"id": world["almaty"], "name": "Almaty Region", "country": "Kazakhstan"}
    assert [s["key"] for s in alpha["sectors"]] == ["dairy"]
    assert "contact" not in alpha and "contact_email" not in alpha
    assert response.headers["ETag"]


def test_directory_search_needs_every_word(client: FlaskClient, world) -> None:
    # Zeta Closed Dairy needs packaging film too, but it withdrew.
    assert _names(client.get("/api/v1/companies?q=packaging").get_json()) == ["Alpha Dairy", "Bukhara Pack"]
    assert _names(client.get("/api/v1/companies?q=PACKAGING+dairies").get_json()) == ["Bukhara Pack"]
    assert _names(client.get("/api/v1/companies?q=Samarkand").get_json()) == ["Bukhara Pack", "Samarkand Foods"]
    assert client.get("/api/v1/companies?q=nothing-like-this").get_json()["total"] == 0


def test_directory_search_over_200_characters_is_cut_not_refused(client: FlaskClient, world) -> None:
    # As on the page: the first 200 characters count, so "Alpha" narrows the list and "Bukhara" is cut off.
    response = client.get("/api/v1/companies", query_string={"q": "Alpha" + " " * 300 + "Bukhara"})
    assert response.status_code == 200
    assert _names(response.get_json()) == ["Alpha Dairy"]


def test_directory_filters_by_delegation_and_sector(app: Flask, client: FlaskClient, world) -> None:
    samarkand = client.get(f"/api/v1/companies?delegation_id={world['samarkand']}").get_json()
    assert _names(samarkand) == ["Bukhara Pack", "Samarkand Foods"]
    dairy = client.get(f"/api/v1/companies?sector_id={_sector_id(app, 'dairy')}").get_json()
    assert _names(dairy) == ["Alpha Dairy"]
    both = client.get(f"/api/v1/companies?sector_id={_sector_id(app, 'dairy')}"
                      f"&delegation_id={world['samarkand']}").get_json()
    assert both["items"] == [] and both["total"] == 0


def test_directory_unknown_delegation_or_sector_gives_an_empty_page(client: FlaskClient, world) -> None:
    for parameter in ("delegation_id", "sector_id"):
        response = client.get(f"/api/v1/companies?{parameter}=999999")
        assert response.status_code == 200
        body = response.get_json()
        assert (body["items"], body["total"], body["pages"]) == ([], 0, 0)


@pytest.mark.parametrize("query, field", [
    ("delegation_id=0", "delegation_id"), ("sector_id=-3", "sector_id"), ("delegation_id=abc", "delegation_id"),
    ("sector_id=99999999999", "sector_id"), ("per_page=0", "per_page"), ("per_page=101", "per_page"),
    ("page=0", "page"), ("page=x", "page"), ("colour=red", "colour"),
])
def test_directory_bad_query_is_422_with_the_parameter(client: FlaskClient, world, query, field) -> None:
    body = problem(client.get(f"/api/v1/companies?{query}"), 422, "validation")
    assert [(e["field"], e["location"]) for e in body["errors"]] == [(field, "query")]


def test_directory_per_page_limits_are_1_and_100(client: FlaskClient, world) -> None:
    assert client.get("/api/v1/companies?per_page=1").get_json()["pages"] == 4
    assert client.get("/api/v1/companies?per_page=100").get_json()["pages"] == 1


def test_directory_pages_link_to_each_other(client: FlaskClient, world) -> None:
    first = client.get("/api/v1/companies?per_page=3&q=a").get_json()
    assert (_names(first), first["total"], first["pages"]) == (["Alpha Dairy", "Aral Textiles", "Bukhara Pack"], 4, 2)
    links = first["links"]
    assert links["prev"] is None
    assert _query(links["next"]) == {"q": ["a"], "per_page": ["3"], "page": ["2"]}
    assert _query(links["last"])["page"] == ["2"]
    assert _query(links["first"])["page"] == ["1"]

    response = client.get(links["next"])
    second = response.get_json()
    assert (_names(second), second["page"]) == (["Samarkand Foods"], 2)
    assert second["links"]["next"] is None
    assert _query(second["links"]["prev"])["page"] == ["1"]
    header = response.headers["Link"]
    assert f'<{second["links"]["prev"]}>; rel="prev"' in header
    assert f'<{second["links"]["first"]}>; rel="first"' in header
    assert f'<{second["links"]["last"]}>; rel="last"' in header
    assert 'rel="next"' not in header


def test_directory_page_past_the_end_is_empty_with_links_back(client: FlaskClient, world) -> None:
    body = client.get("/api/v1/companies?per_page=3&page=7").get_json()
    assert (body["items"], body["page"], body["total"], body["pages"]) == ([], 7, 4, 2)
    assert body["links"]["next"] is None
    assert _query(body["links"]["prev"])["page"] == ["2"]


def test_directory_answers_304_to_its_own_etag(client: FlaskClient, world) -> None:
    etag = client.get("/api/v1/companies").headers["ETag"]
    assert client.get("/api/v1/companies", headers={"If-None-Match": etag}).status_code == 304


# --- GET /companies/{id} -----------------------------------------------------------------------------

_ALPHA_CONTACT = {"name": "Aigerim Bekova", "email": "aigerim@alpha.example", "phone": "+7 701 111 11 11"}


@pytest.mark.parametrize("who, sees_contact", [
    ("anonymous", False), ("bukhara", False), ("alpha", True), ("organizer", True),
])
def test_company_contact_shown_only_to_own_people_and_organizers(client: FlaskClient, world, who,
                                                                   sees_contact) -> None:
    response = client.get(f"/api/v1/companies/{world['alpha']}", headers=_as(world, who))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["name"], body["city"], body["languages"]) == (world["alpha"], "Alpha Dairy",
                                                                          "Almaty", ["ru"])
    assert body["contact"] == (_ALPHA_CONTACT if sees_contact else None)
    assert body["updated_at"].endswith("+05:00")


def test_company_contact_shown_to_a_partner_with_an_accepted_meeting(app: Flask, client: FlaskClient, world) -> None:
    url = f"/api/v1/companies/{world['alpha']}"
    assert client.get(url, headers=_as(world, "bukhara")).get_json()["contact"] is None
    with app.app_context():
        factories.accepted_request(world["bukhara"], world["alpha"])
    assert client.get(url, headers=_as(world, "bukhara")).get_json()["contact"] == _ALPHA_CONTACT
    # ...and the other way round.
    back = client.get(f"/api/v1/companies/{world['bukhara']}", headers=_as(world, "alpha")).get_json()
    assert back["contact"]["email"] == "dilshod@bukhara.example"


def test_company_contact_hidden_from_a_partner_with_a_pending_request(app: Flask, client: FlaskClient, world) -> None:
    from forum.models import MeetingRequest, RequestStatus

    with app.app_context():
        low, high = sorted((world["bukhara"], world["alpha"]))
        db.session.add(MeetingRequest(requester_id=world["bukhara"], recipient_id=world["alpha"], pair_low=low,
                                      pair_high=high, status=RequestStatus.REQUESTED))
        db.session.commit()
    body = client.get(f"/api/v1/companies/{world['alpha']}", headers=_as(world, "bukhara")).get_json()
    assert body["contact"] is None


def test_company_match_says_why_for_a_suggested_partner(client: FlaskClient, world) -> None:
    body = client.get(f"/api/v1/companies/{world['alpha']}", headers=_as(world, "bukhara")).get_json()
    assert 0 < body["match"]["score"] <= 1
    assert body["match"]["reasons"][:2] == [
        "You need “Milk powder”; they offer “Pasteurised milk, kefir and milk powder”.",
        "They need “Packaging film and cartons”; you offer “Packaging film and cartons for dairies”.",
    ]


@pytest.mark.parametrize("who", ["anonymous", "alpha", "organizer"])
def test_company_match_is_null_without_a_suggestion(client: FlaskClient, world, who) -> None:
    # Anonymous and organizers have no company; Alpha is not its own match.
    body = client.get(f"/api/v1/companies/{world['alpha']}", headers=_as(world, who)).get_json()
    assert body["match"] is None


def test_company_deactivated_is_shown_as_on_its_page(client: FlaskClient, world) -> None:
    # The HTML page still opens for a company that withdrew (old links keep working); so does the API.
    assert client.get(f"/companies/{world['closed']}").status_code == 200
    body = client.get(f"/api/v1/companies/{world['closed']}").get_json()
    assert (body["name"], body["contact"], body["match"]) == ("Zeta Closed Dairy", None, None)


@pytest.mark.parametrize("company_id", ["999999", "2147483648", "99999999999999999999"])
def test_company_unknown_id_is_404(client: FlaskClient, world, company_id) -> None:
    body = problem(client.get(f"/api/v1/companies/{company_id}"), 404, "not-found")
    assert body["instance"] == f"/api/v1/companies/{company_id}"


# --- GET /my/company ---------------------------------------------------------------------------------


def test_my_company_is_the_callers_own_with_contact(client: FlaskClient, world) -> None:
    body = client.get("/api/v1/my/company", headers=_as(world, "bukhara")).get_json()
    assert (body["id"], body["name"], body["country"]) == (world["bukhara"], "Bukhara Pack", "Uzbekistan")
    assert body["contact"] == {"name": "Dilshod Karimov", "email": "dilshod@bukhara.example",
                               "phone": "+998 90 000 00 00"}
    assert "match" not in body


def test_my_company_with_read_only_token_is_readable(client: FlaskClient, world) -> None:
    response = client.get("/api/v1/my/company", headers=bearer(world["alpha_read_token"]))
    assert response.status_code == 200
    assert response.get_json()["name"] == "Alpha Dairy"


def test_my_company_through_the_browser_session(client: FlaskClient, world, login_as) -> None:
    login_as(world["alpha_user"])
    assert client.get("/api/v1/my/company").get_json()["name"] == "Alpha Dairy"


def test_my_company_anonymous_is_401(client: FlaskClient, world) -> None:
    response = client.get("/api/v1/my/company")
    problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_my_company_organizer_is_403(client: FlaskClient, world) -> None:
    problem(client.get("/api/v1/my/company", headers=_as(world, "organizer")), 403, "forbidden")


# --- PATCH /my/company -------------------------------------------------------------------------------


def test_patch_my_company_changes_the_given_fields_only(app: Flask, client: FlaskClient, world) -> None:
    before = company_snapshot(app, world["alpha"])
    response = client.patch("/api/v1/my/company", headers=_as(world, "alpha"),
                            json={"city": "  Shymkent ", "website": "alpha.example", "size": "medium"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert (body["city"], body["website"], body["size"]) == ("Shymkent", "https://alpha.example", "medium")
    assert (body["name"], body["offers"], body["contact"]) == ("Alpha Dairy", before["offers"], _ALPHA_CONTACT)
    after = company_snapshot(app, world["alpha"])
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"city", "website", "size", "search_text", "profile_version", "updated_at"}
    assert (after["city"], after["website"]) == ("Shymkent", "https://alpha.example")


def test_patch_my_company_touches_only_the_callers_company(app: Flask, client: FlaskClient, world) -> None:
    alpha_before = company_snapshot(app, world["alpha"])
    body = client.patch("/api/v1/my/company", headers=_as(world, "bukhara"), json={"city": "Navoi"}).get_json()
    assert (body["id"], body["name"], body["city"]) == (world["bukhara"], "Bukhara Pack", "Navoi")
    assert company_snapshot(app, world["alpha"]) == alpha_before
    assert company_snapshot(app, world["bukhara"])["city"] == "Navoi"


def test_patch_my_company_sectors_and_delegation(app: Flask, client: FlaskClient, world) -> None:
    ids = [_sector_id(app, "food-processing"), _sector_id(app, "dairy")]
    body = client.patch("/api/v1/my/company", headers=_as(world, "alpha"),
                        json={"sector_ids": ids, "delegation_id": world["samarkand"]}).get_json()
    # Sectors come back in the taxonomy's order, whatever the order sent.
    assert [s["key"] for s in body["sectors"]] == ["dairy", "food-processing"]
    assert body["delegation"]["name"] == "Samarkand Region"


def test_patch_my_company_opting_out_empties_its_matches(client: FlaskClient, world) -> None:
    headers = _as(world, "alpha")
    assert client.get("/api/v1/my/matches", headers=headers).get_json()["total"] == 2
    assert client.patch("/api/v1/my/company", headers=headers, json={"opted_out": True}).status_code == 200
    body = client.get("/api/v1/my/matches", headers=headers).get_json()
    assert (body["items"], body["total"], body["matchmaking_paused"]) == ([], 0, True)
    # and Alpha drops out of Bukhara's list
    partners = [m["partner"]["name"] for m in client.get("/api/v1/my/matches",
                                                          headers=_as(world, "bukhara")).get_json()["items"]]
    assert "Alpha Dairy" not in partners


def test_patch_my_company_empty_object_changes_nothing(app: Flask, client: FlaskClient, world) -> None:
    before = company_snapshot(app, world["alpha"])
    response = client.patch("/api/v1/my/company", headers=_as(world, "alpha"), json={})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Alpha Dairy"
    after = company_snapshot(app, world["alpha"])
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"}


def test_patch_my_company_unknown_delegation_is_422_on_delegation_id(app: Flask, client: FlaskClient, world) -> None:
    before = company_snapshot(app, world["alpha"])
    body = problem(client.patch("/api/v1/my/company", headers=_as(world, "alpha"),
                                json={"delegation_id": 999999}), 422, "validation")
    assert field_messages(body) == {"delegation_id": "Choose one of the listed delegations."}
    assert company_snapshot(app, world["alpha"]) == before


def test_patch_my_company_duplicate_name_is_422_on_name(app: Flask, client: FlaskClient, world) -> None:
    before = company_snapshot(app, world["alpha"])
    body = problem(client.patch("/api/v1/my/company", headers=_as(world, "alpha"),
                                json={"name": "aral   TEXTILES"}), 422, "validation")
    assert field_messages(body) == {
        "name": "A company called “aral TEXTILES” is already registered in Almaty Region."}
    assert company_snapshot(app, world["alpha"]) == before


def test_patch_my_company_read_only_token_is_403(app: Flask, client: FlaskClient, world) -> None:
    before = company_snapshot(app, world["alpha"])
    body = problem(client.patch("/api/v1/my/company", headers=bearer(world["alpha_read_token"]),
                                json={"city": "Shymkent"}), 403, "read-only-token")
    assert body["errors"] == []
    assert company_snapshot(app, world["alpha"]) == before


def test_patch_my_company_organizer_is_403(app: Flask, client: FlaskClient, world) -> None:
    before = company_snapshot(app, world["alpha"])
    problem(client.patch("/api/v1/my/company", headers=_as(world, "organizer"), json={"city": "X"}), 403,
            "forbidden")
    assert company_snapshot(app, world["alpha"]) == before


def test_patch_my_company_anonymous_is_401(app: Flask, client: FlaskClient, world) -> None:
    before = company_snapshot(app, world["alpha"])
    problem(client.patch("/api/v1/my/company", json={"city": "X"}), 401, "unauthorized")
    assert company_snapshot(app, world["alpha"]) == before


def test_patch_my_company_revoked_token_is_401(app: Flask, client: FlaskClient, world) -> None:
    from forum.models import ApiToken
    from forum.models.types import utcnow

    with app.app_context():
        for token in db.session.query(ApiToken).filter_by(user_id=world["alpha_user"]):
            token.revoked_at = utcnow()
        db.session.commit()
    before = company_snapshot(app, world["alpha"])
    problem(client.patch("/api/v1/my/company", headers=_as(world, "alpha"), json={"city": "X"}), 401,
            "token-revoked")
    assert company_snapshot(app, world["alpha"]) == before


def test_patch_my_company_session_needs_csrf(app: Flask, client: FlaskClient, world, login_as) -> None:
    login_as(world["alpha_user"])
    app.config["WTF_CSRF_ENABLED"] = True
    before = company_snapshot(app, world["alpha"])
    problem(client.patch("/api/v1/my/company", json={"city": "X"}), 403, "csrf")
    assert company_snapshot(app, world["alpha"]) == before


# --- GET /my/matches ---------------------------------------------------------------------------------


def test_my_matches_best_first_with_score_and_reasons(client: FlaskClient, world) -> None:
    response = client.get("/api/v1/my/matches", headers=_as(world, "alpha"))
    assert response.status_code == 200
    body = response.get_json()
    assert [(m["partner"]["name"], m["rank"], m["dismissed"]) for m in body["items"]] == [
        ("Bukhara Pack", 1, False), ("Samarkand Foods", 2, False)]
    first, second = body["items"]
    assert 1 >= first["score"] >= second["score"] > 0
    assert first["reasons"] == [
        "They need “Milk powder”; you offer “Pasteurised milk, kefir and milk powder”.",
        "You need “Packaging film and cartons”; they offer “Packaging film and cartons for dairies”.",
        "Almaty Region ↔ Samarkand Region: cross-border partner.",
    ]
    assert (body["total"], body["suggested"], body["matchmaking_paused"], body["profile_empty"]) == (
        2, 2, False, False)
    assert "contact" not in first["partner"]


def test_my_matches_score_matches_the_company_page(client: FlaskClient, world) -> None:
    listed = client.get("/api/v1/my/matches", headers=_as(world, "alpha")).get_json()["items"][0]
    page = client.get(f"/api/v1/companies/{world['bukhara']}", headers=_as(world, "alpha")).get_json()
    assert page["match"] == {"score": listed["score"], "reasons": listed["reasons"]}


def test_my_matches_filters_by_sector_and_delegation(app: Flask, client: FlaskClient, world) -> None:
    headers = _as(world, "alpha")
    packaging = _sector_id(app, "packaging")
    body = client.get(f"/api/v1/my/matches?sector_id={packaging}", headers=headers).get_json()
    assert ([m["partner"]["name"] for m in body["items"]], body["total"], body["suggested"]) == (
        ["Bukhara Pack"], 1, 2)
    body = client.get(f"/api/v1/my/matches?delegation_id={world['almaty']}", headers=headers).get_json()
    assert (body["items"], body["suggested"]) == ([], 2)


def test_my_matches_pages(client: FlaskClient, world) -> None:
    headers = _as(world, "alpha")
    first = client.get("/api/v1/my/matches?per_page=1", headers=headers)
    body = first.get_json()
    assert ([m["partner"]["name"] for m in body["items"]], body["pages"]) == (["Bukhara Pack"], 2)
    assert 'rel="next"' in first.headers["Link"]
    second = client.get(body["links"]["next"], headers=headers).get_json()
    assert [m["rank"] for m in second["items"]] == [2]
    assert second["links"]["next"] is None


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "sector_id=0", "include_dismissed=maybe"])
def test_my_matches_bad_query_is_422(client: FlaskClient, world, query) -> None:
    body = problem(client.get(f"/api/v1/my/matches?{query}", headers=_as(world, "alpha")), 422, "validation")
    assert [e["field"] for e in body["errors"]] == [query.split("=")[0]]


def test_my_matches_organizer_is_403_and_anonymous_401(client: FlaskClient, world) -> None:
    problem(client.get("/api/v1/my/matches", headers=_as(world, "organizer")), 403, "forbidden")
    problem(client.get("/api/v1/my/matches"), 401, "unauthorized")


def test_my_matches_profile_with_nothing_to_match_on(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        bare = factories.company(sectors=(), offers="", needs="")
        secret = factories.api_token(factories.user(company_id=bare))
    body = client.get("/api/v1/my/matches", headers=bearer(secret)).get_json()
    assert (body["items"], body["profile_empty"], body["suggested"]) == ([], True, 0)


# --- dismiss / restore -------------------------------------------------------------------------------


def test_dismiss_hides_the_partner_and_restore_brings_it_back(app: Flask, client: FlaskClient, world) -> None:
    headers = _as(world, "alpha")
    url = f"/api/v1/my/matches/{world['bukhara']}"
    response = client.post(f"{url}/dismiss", headers=headers)
    assert (response.status_code, response.get_data()) == (204, b"")
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        row = db.session.get(MatchDismissal, (world["alpha"], world["bukhara"]))
        assert row.dismissed_by_id == world["alpha_user"]

    body = client.get("/api/v1/my/matches", headers=headers).get_json()
    assert [(m["partner"]["name"], m["rank"]) for m in body["items"]] == [("Samarkand Foods", 1)]
    shown = client.get("/api/v1/my/matches?include_dismissed=true", headers=headers).get_json()
    assert [(m["partner"]["name"], m["dismissed"], m["score"], m["rank"], m["reasons"]) for m in shown["items"]] == [
        ("Samarkand Foods", False, body["items"][0]["score"], 1, body["items"][0]["reasons"]),
        ("Bukhara Pack", True, None, None, []),
    ]
    assert (shown["total"], shown["suggested"]) == (2, 1)
    # The company page no longer says why: it is no longer a suggestion.
    assert client.get(f"/api/v1/companies/{world['bukhara']}", headers=headers).get_json()["match"] is None

    assert client.post(f"{url}/restore", headers=headers).status_code == 204
    assert dismissal_count(app) == 0
    again = client.get("/api/v1/my/matches?include_dismissed=true", headers=headers).get_json()
    assert [(m["partner"]["name"], m["dismissed"]) for m in again["items"]] == [
        ("Bukhara Pack", False), ("Samarkand Foods", False)]


def test_dismiss_twice_is_still_204(app: Flask, client: FlaskClient, world) -> None:
    url = f"/api/v1/my/matches/{world['bukhara']}/dismiss"
    assert client.post(url, headers=_as(world, "alpha")).status_code == 204
    assert client.post(url, headers=_as(world, "alpha")).status_code == 204
    assert dismissal_count(app) == 1


def test_dismissed_partners_follow_the_filters(app: Flask, client: FlaskClient, world) -> None:
    headers = _as(world, "alpha")
    client.post(f"/api/v1/my/matches/{world['bukhara']}/dismiss", headers=headers)
    food = _sector_id(app, "food-processing")
    body = client.get(f"/api/v1/my/matches?include_dismissed=true&sector_id={food}", headers=headers).get_json()
    assert [m["partner"]["name"] for m in body["items"]] == ["Samarkand Foods"]


def test_dismiss_unknown_partner_is_404(app: Flask, client: FlaskClient, world) -> None:
    for partner_id in (999999, 2147483648):
        body = problem(client.post(f"/api/v1/my/matches/{partner_id}/dismiss", headers=_as(world, "alpha")), 404,
                       "not-found")
        assert body["detail"] == "That company no longer exists."
    assert dismissal_count(app) == 0


def test_dismiss_own_company_is_409(app: Flask, client: FlaskClient, world) -> None:
    body = problem(client.post(f"/api/v1/my/matches/{world['alpha']}/dismiss", headers=_as(world, "alpha")), 409,
                   "conflict")
    assert body["detail"] == "A company is never suggested to itself."
    assert dismissal_count(app) == 0


def test_restore_a_partner_that_is_not_dismissed_is_404(app: Flask, client: FlaskClient, world) -> None:
    body = problem(client.post(f"/api/v1/my/matches/{world['bukhara']}/restore", headers=_as(world, "alpha")),
                   404, "not-found")
    assert body["detail"] == "That company is not hidden from your matches."


def test_restore_only_undoes_the_callers_own_dismissal(app: Flask, client: FlaskClient, world) -> None:
    client.post(f"/api/v1/my/matches/{world['samarkand_foods']}/dismiss", headers=_as(world, "alpha"))
    problem(client.post(f"/api/v1/my/matches/{world['samarkand_foods']}/restore", headers=_as(world, "bukhara")),
            404, "not-found")
    assert dismissal_count(app) == 1


@pytest.mark.parametrize("action", ["dismiss", "restore"])
def test_dismiss_and_restore_refusals_write_nothing(app: Flask, client: FlaskClient, world, action) -> None:
    url = f"/api/v1/my/matches/{world['bukhara']}/{action}"
    if action == "restore":
        client.post(f"/api/v1/my/matches/{world['bukhara']}/dismiss", headers=_as(world, "alpha"))
    before = dismissal_count(app)
    problem(client.post(url, headers=bearer(world["alpha_read_token"])), 403, "read-only-token")
    problem(client.post(url, headers=_as(world, "organizer")), 403, "forbidden")
    problem(client.post(url), 401, "unauthorized")
    problem(client.get(url, headers=_as(world, "alpha")), 405, "method-not-allowed")
    assert dismissal_count(app) == before


# --- the description ---------------------------------------------------------------------------------


def test_openapi_documents_the_company_operations(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert set(paths["/my/company"]) == {"get", "patch"}
    assert set(paths["/my/matches/{partner_id}/dismiss"]["post"]["responses"]) >= {"204", "401", "403", "404", "409"}
    directory = paths["/companies"]["get"]
    assert [p["name"] for p in directory["parameters"]] == ["page", "per_page", "q", "delegation_id", "sector_id"]
    assert directory["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CompanyPage"}
    schemas = spec["components"]["schemas"]
    for name in ("CompanyPage", "CompanyDetail", "MatchPage", "MatchOut", "CompanyPatch"):
        assert name in schemas
    score = schemas["MatchOut"]["properties"]["score"]["anyOf"][0]
    assert (score["minimum"], score["maximum"]) == (0, 1)


def test_directory_sector_filter_sees_a_renamed_label(app: Flask, client: FlaskClient, world) -> None:
    # Ids are stable: a reworded sector label does not change what the filter finds.
    with app.app_context():
        sector = next(s for s in taxonomy.all_sectors() if s.key == "dairy")
        sector.label = "Milk and dairy"
        db.session.commit()
        sector_id = sector.id
    body = client.get(f"/api/v1/companies?sector_id={sector_id}").get_json()
    assert [(c["name"], c["sectors"][0]["label"]) for c in body["items"]] == [("Alpha Dairy", "Milk and dairy")]
