"""Who may open every route: anonymous, a delegate of company A, a delegate of company B, an organizer.

The routes come from ``app.url_map``: a new route without a row in MATRIX fails
test_matrix_covers_every_route by name. Every URL parameter is one of company A's objects (see authz_world),
so the "b" column is B's delegate knocking on A's doors. Outcomes:

- "ok": let in (2xx, or a redirect somewhere other than the login page);
- "input": let in, but the empty form or JSON body was refused (400, 409, 422);
- "login": sent to log in (302 to /login?next=... for pages, 401 for the API);
- "403" / "404": kept out, with exactly that status.

Pages and forms run with the browser session; /api/ runs with each role's bearer token and an empty JSON body.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.integration import authz_world
from tests.integration.authz_world import World

ROLES = ("anon", "a", "b", "org")
# Requests that end the session: run last, each on a fresh login.
SESSION_ENDERS = {("auth.logout", "POST"), ("auth.logout_everywhere", "POST")}

# (endpoint, method): outcome for (anonymous, A's delegate, B's delegate, organizer).
MATRIX: dict[tuple[str, str], tuple[str, str, str, str]] = {
    # Public pages, the offline shell, the calendar feed (its token is the key) and the API's open reads.
    ("main.home", "GET"): ("ok", "ok", "ok", "ok"),
    # The load balancer's health check: no login, nothing secret in the answer.
    ("main.healthz", "GET"): ("ok", "ok", "ok", "ok"),
    # The language switcher: anyone may choose; an empty form is sent back to the home page with a message.
    ("main.choose_language", "POST"): ("ok", "ok", "ok", "ok"),
    ("companies.directory", "GET"): ("ok", "ok", "ok", "ok"),
    ("companies.detail", "GET"): ("ok", "ok", "ok", "ok"),
    ("agenda.manifest", "GET"): ("ok", "ok", "ok", "ok"),
    ("agenda.offline_page", "GET"): ("ok", "ok", "ok", "ok"),
    ("agenda.service_worker", "GET"): ("ok", "ok", "ok", "ok"),
    ("agenda.calendar_feed", "GET"): ("ok", "ok", "ok", "ok"),
    # Accounts. Logged-in people are sent on from the login, sign-up and join pages.
    ("auth.login", "GET"): ("ok", "ok", "ok", "ok"),
    ("auth.login", "POST"): ("input", "ok", "ok", "ok"),
    ("auth.signup", "GET"): ("ok", "ok", "ok", "ok"),
    ("auth.signup", "POST"): ("input", "ok", "ok", "ok"),
    ("auth.join", "GET"): ("ok", "ok", "ok", "ok"),
    ("auth.join", "POST"): ("input", "ok", "ok", "ok"),
    ("auth.forgot_password", "GET"): ("ok", "ok", "ok", "ok"),
    ("auth.forgot_password", "POST"): ("input", "input", "input", "input"),
    ("auth.reset_password", "GET"): ("ok", "ok", "ok", "ok"),
    ("auth.reset_password", "POST"): ("input", "input", "input", "input"),
    ("auth.account", "GET"): ("login", "ok", "ok", "ok"),
    ("auth.create_token", "POST"): ("login", "input", "input", "input"),
    ("auth.revoke_token", "POST"): ("login", "ok", "404", "404"),
    # Logging out when already logged out goes to the login page (not the login wall: no ?next=).
    ("auth.logout", "POST"): ("ok", "ok", "ok", "ok"),
    ("auth.logout_everywhere", "POST"): ("login", "ok", "ok", "ok"),
    # A company's own pages: its people and organizers; B gets 403.
    ("companies.edit", "GET"): ("login", "ok", "403", "ok"),
    ("companies.edit", "POST"): ("login", "input", "403", "input"),
    ("companies.team_page", "GET"): ("login", "ok", "403", "ok"),
    ("companies.team_page", "POST"): ("login", "input", "403", "input"),
    ("companies.matches", "GET"): ("login", "ok", "403", "ok"),
    ("companies.dismiss_match", "POST"): ("login", "ok", "403", "ok"),
    ("companies.restore_match", "POST"): ("login", "ok", "403", "ok"),
    ("companies.my_company", "GET"): ("login", "ok", "ok", "ok"),
    ("companies.my_matches", "GET"): ("login", "ok", "ok", "ok"),
    ("meetings.my_meetings", "GET"): ("login", "ok", "ok", "ok"),
    ("meetings.overview", "GET"): ("login", "ok", "403", "ok"),
    ("meetings.availability", "GET"): ("login", "ok", "403", "ok"),
    ("meetings.availability", "POST"): ("login", "ok", "403", "ok"),
    ("meetings.mark_read", "POST"): ("login", "ok", "403", "ok"),
    ("meetings.accept", "POST"): ("login", "ok", "403", "ok"),
    ("meetings.decline", "POST"): ("login", "ok", "403", "ok"),
    ("meetings.cancel", "POST"): ("login", "ok", "403", "ok"),
    # Asking A for a meeting is what B may do; A asking itself is refused as input.
    ("meetings.request_meeting", "GET"): ("login", "ok", "ok", "ok"),
    ("meetings.request_meeting", "POST"): ("login", "input", "input", "ok"),
    ("agenda.my_agenda", "GET"): ("login", "ok", "ok", "ok"),
    ("agenda.my_ics", "GET"): ("login", "ok", "ok", "ok"),
    ("agenda.calendar_subscribe", "POST"): ("login", "ok", "ok", "ok"),
    ("agenda.calendar_revoke", "POST"): ("login", "ok", "ok", "ok"),
    ("agenda.company_agenda", "GET"): ("login", "ok", "403", "ok"),
    ("agenda.company_ics", "GET"): ("login", "ok", "403", "ok"),
    ("agenda.meeting", "GET"): ("login", "ok", "403", "ok"),
    ("agenda.feedback", "GET"): ("login", "ok", "403", "ok"),
    ("agenda.feedback", "POST"): ("login", "ok", "403", "ok"),
    ("agenda.check_in", "POST"): ("login", "ok", "403", "ok"),
    ("agenda.no_show", "POST"): ("login", "ok", "403", "ok"),
    # A's pass for the A–B meeting: B, the partner, scans it; A cannot check in with its own pass.
    ("agenda.pass_scan", "GET"): ("login", "input", "ok", "ok"),
    ("agenda.pass_confirm", "POST"): ("login", "input", "ok", "ok"),
    # The organizer workspace: participants get 403.
    **{(endpoint, method): ("login", "403", "403", outcome) for endpoint, method, outcome in (
        ("organizer.dashboard", "GET", "ok"),
        ("organizer.companies", "GET", "ok"),
        ("organizer.company", "GET", "ok"),
        ("organizer.new_company", "GET", "ok"),
        ("organizer.new_company", "POST", "input"),
        ("organizer.import_companies", "GET", "ok"),
        ("organizer.import_companies", "POST", "input"),
        ("organizer.deactivate_company", "POST", "ok"),
        ("organizer.reactivate_company", "POST", "ok"),
        ("organizer.opt_in_company", "POST", "ok"),
        ("organizer.opt_out_company", "POST", "ok"),
        ("organizer.request_on_behalf", "POST", "input"),
        ("organizer.disable_account", "POST", "ok"),
        ("organizer.enable_account", "POST", "ok"),
        ("organizer.delegations", "GET", "ok"),
        ("organizer.delegations", "POST", "input"),
        ("organizer.rename_delegation", "POST", "input"),
        ("organizer.forum_settings", "GET", "ok"),
        ("organizer.forum_settings", "POST", "input"),
        ("organizer.matching_settings", "GET", "ok"),
        ("organizer.matching_settings", "POST", "input"),
        ("organizer.recompute", "POST", "ok"),
        ("organizer.reset_weights", "POST", "ok"),
        ("organizer.agenda_settings", "GET", "ok"),
        ("organizer.agenda_settings", "POST", "input"),
        ("organizer.run_scheduler", "POST", "ok"),
        ("organizer.agenda_grid", "GET", "ok"),
        ("organizer.agenda_add", "POST", "input"),
        ("organizer.agenda_lock", "POST", "input"),
        ("organizer.agenda_move", "POST", "input"),
        ("organizer.agenda_swap", "POST", "input"),
        ("organizer.agenda_remove", "POST", "input"),
        ("organizer.agenda_reschedule", "POST", "input"),
        ("organizer.agenda_undo", "POST", "input"),
        ("organizer.agenda_publish", "POST", "input"),
        ("organizer.attendance", "GET", "ok"),
        ("organizer.attendance_code", "POST", "input"),
        ("organizer.attendance_held", "POST", "ok"),
        ("organizer.attendance_no_show", "POST", "ok"),
        ("organizer.attendance_offer", "POST", "ok"),
        ("organizer.exports_index", "GET", "ok"),
        ("organizer.export_agenda_csv", "GET", "ok"),
        ("organizer.export_agenda_xlsx", "GET", "ok"),
        ("organizer.export_companies", "GET", "ok"),
        ("organizer.print_companies", "GET", "ok"),
        ("organizer.print_tables", "GET", "ok"),
        ("organizer.print_table_plan", "GET", "ok"),
        ("organizer.report", "GET", "ok"),
    )},
    # JSON API, open reads.
    ("api.get_forum", "GET"): ("ok", "ok", "ok", "ok"),
    ("api.list_delegations", "GET"): ("ok", "ok", "ok", "ok"),
    ("api.list_sectors", "GET"): ("ok", "ok", "ok", "ok"),
    ("api.company_directory", "GET"): ("ok", "ok", "ok", "ok"),
    ("api.company_profile", "GET"): ("ok", "ok", "ok", "ok"),
    ("api.openapi_json", "GET"): ("ok", "ok", "ok", "ok"),
    ("api.reference", "GET"): ("ok", "ok", "ok", "ok"),
    ("api.get_me", "GET"): ("login", "ok", "ok", "ok"),
    # "my" operations act on the caller's own company: B reaching A's request gets 404, organizers 403.
    ("api.my_company", "GET"): ("login", "ok", "ok", "403"),
    ("api.update_my_company", "PATCH"): ("login", "ok", "ok", "403"),
    ("api.my_matches", "GET"): ("login", "ok", "ok", "403"),
    ("api.dismiss_my_match", "POST"): ("login", "ok", "ok", "403"),
    ("api.restore_my_match", "POST"): ("login", "ok", "ok", "403"),
    ("api.list_my_requests", "GET"): ("login", "ok", "ok", "403"),
    ("api.create_my_request", "POST"): ("login", "input", "input", "403"),
    ("api.get_my_request", "GET"): ("login", "ok", "404", "403"),
    ("api.accept_my_request", "POST"): ("login", "ok", "404", "403"),
    ("api.decline_my_request", "POST"): ("login", "input", "404", "403"),
    ("api.cancel_my_request", "POST"): ("login", "ok", "404", "403"),
    ("api.get_my_agenda", "GET"): ("login", "ok", "ok", "403"),
    ("api.get_my_agenda_meeting", "GET"): ("login", "ok", "404", "403"),
    ("api.list_my_notifications", "GET"): ("login", "ok", "ok", "403"),
    ("api.mark_my_notifications_read", "POST"): ("login", "ok", "ok", "403"),
    # The organizers' API: participants get 403.
    ("api.organizer_list_companies", "GET"): ("login", "403", "403", "ok"),
    ("api.organizer_get_company", "GET"): ("login", "403", "403", "ok"),
    ("api.organizer_create_company", "POST"): ("login", "403", "403", "input"),
    ("api.organizer_update_company", "PATCH"): ("login", "403", "403", "ok"),
    ("api.organizer_schedule_dry_run", "POST"): ("login", "403", "403", "ok"),
    ("api.organizer_agenda", "GET"): ("login", "403", "403", "ok"),
    ("api.organizer_move_meeting", "POST"): ("login", "403", "403", "input"),
    ("api.organizer_lock_meeting", "POST"): ("login", "403", "403", "input"),
    ("api.organizer_publish_agenda", "POST"): ("login", "403", "403", "ok"),
    ("api.organizer_export", "GET"): ("login", "403", "403", "ok"),
}


def outcome(response) -> str:
    status = response.status_code
    location = urlparse(response.headers.get("Location", ""))
    # The login wall adds ?next=; a plain redirect to /login (after logging out) is a success.
    if status in (301, 302, 303, 307, 308) and location.path == "/login" and "next=" in location.query:
        return "login"
    if status == 401:
        return "login"
    if status < 400:
        return "ok"
    if status in (400, 409, 422):
        return "input"
    if status in (403, 404):
        return str(status)
    return f"status {status}"


def log_in(app: Flask, client: FlaskClient, user_id: int) -> None:
    with app.app_context():
        email = factories.email_of(user_id)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def call(client: FlaskClient, world: World, role: str, endpoint: str, method: str, rule: str):
    """One request of the role to the route, with A's ids in the URL."""
    url = authz_world.url_for_rule(rule, world, endpoint)
    kwargs: dict = {}
    if url.startswith("/api/"):
        if role != "anon":
            kwargs["headers"] = {"Authorization": f"Bearer {world.tokens[role]}"}
        if method in ("POST", "PATCH", "PUT"):
            kwargs["json"] = {}
    return client.open(url, method=method, **kwargs)


def run_role(app: Flask, client: FlaskClient, world: World, role: str) -> dict[tuple[str, str], str]:
    """Every route as this role: reads first, then writes, then the session enders on fresh logins."""
    if role != "anon":
        log_in(app, client, world.users[role])
    routes = sorted(authz_world.rules(app), key=lambda r: ((r[0], r[1]) in SESSION_ENDERS, r[1] != "GET", r))
    seen = {}
    for endpoint, method, rule in routes:
        if (endpoint, method) in SESSION_ENDERS and role != "anon":
            log_in(app, client, world.users[role])
        seen[(endpoint, method)] = outcome(call(client, world, role, endpoint, method, rule))
    return seen


def test_matrix_covers_every_route(app):
    routes = {(endpoint, method) for endpoint, method, _rule in authz_world.rules(app)}
    missing = sorted(routes - MATRIX.keys())
    gone = sorted(MATRIX.keys() - routes)
    assert not missing, f"routes without a row in MATRIX (add who may use them): {missing}"
    assert not gone, f"MATRIX rows for routes that no longer exist: {gone}"


@pytest.mark.parametrize("role", ROLES)
def test_matrix_every_route_as_role(app, client, role):
    world = authz_world.build(app)
    seen = run_role(app, client, world, role)
    column = ROLES.index(role)
    wrong = [f"{endpoint} {method}: expected {MATRIX[(endpoint, method)][column]}, got {got}"
             for (endpoint, method), got in sorted(seen.items())
             if (endpoint, method) in MATRIX and MATRIX[(endpoint, method)][column] != got]
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


# --- private data -------------------------------------------------------------------------------------

# Routes whose URL token is itself the key (calendar feed, pass, invitation, reset link): whoever holds it
# is let in by design, so they are not scanned for leaks.
CAPABILITY_ROUTES = {"agenda.calendar_feed", "agenda.pass_scan", "auth.join", "auth.reset_password"}
FEEDBACK_VALUE = re.compile(r"424[\s,.\u00a0\u202f]?242")


def everything_readable(app: Flask, client: FlaskClient, world: World, role: str) -> str:
    """The bodies of every GET route as this role (pages with the session, the API with its token)."""
    if role not in ("anon",):
        log_in(app, client, world.users[role])
    bodies = []
    for endpoint, method, rule in authz_world.rules(app):
        if method != "GET" or endpoint in CAPABILITY_ROUTES:
            continue
        response = call(client, world, role, endpoint, method, rule)
        if response.status_code == 200 and response.mimetype in ("text/html", "application/json", "text/csv",
                                                                   "text/calendar"):
            bodies.append(response.get_data(as_text=True))
    return "\n".join(bodies)


@pytest.mark.parametrize("role, sees_contacts, sees_private", [
    ("anon", False, False),
    ("a", True, True),
    ("a2", True, True),
    ("b", True, False),  # B has an accepted meeting with A: contacts yes, the rest no
    ("c", False, False),  # C only has a pending request to A
    ("org", True, True),
])
def test_private_data_of_company_a_reaches_only_its_people(app, client, role, sees_contacts, sees_private):
    world = authz_world.build(app)
    if role != "anon" and role not in world.tokens:
        with app.app_context():
            world.tokens[role] = factories.api_token(world.users[role])
    text = everything_readable(app, client, world, role)
    assert "Alpha Dairy" in text  # the scan did read A's pages
    assert (authz_world.A_EMAIL in text) is sees_contacts
    assert (authz_world.A_PHONE in text) is sees_contacts
    assert bool(FEEDBACK_VALUE.search(text)) is sees_private
    # The pending request's message: A (its recipient) and organizers; C wrote it, but it is not on C's
    # pages under A's ids, and B must never see it.
    if role in ("anon", "b"):
        assert authz_world.C_MESSAGE not in text
    # The accepted A–B request's message: its two companies and organizers.
    assert (authz_world.AB_MESSAGE in text) is (role in ("a", "a2", "b", "org")), role
    if role in ("a", "org"):
        assert authz_world.C_MESSAGE in text
    # A's calendar subscription secret: A's own people only.
    assert (world.feed_token_a in text) is (role in ("a",)), role


# --- IDOR ---------------------------------------------------------------------------------------------


def test_idor_refused_writes_of_b_change_nothing(app, client):
    """B's delegate sends every write route with A's ids in the URL: each refused one changes no row."""
    world = authz_world.build(app)
    log_in(app, client, world.users["b"])
    refused = [(endpoint, method, rule) for endpoint, method, rule in authz_world.rules(app)
               if method != "GET" and MATRIX.get((endpoint, method), ("",) * 4)[2] in ("403", "404")]
    assert len(refused) > 20
    for endpoint, method, rule in refused:
        # B's own token row records its last use; every other table, and A's tokens, must stay as they were.
        before = authz_world.table_snapshot(app, ignore={"api_token"}), authz_world.company_a_snapshot(app, world)
        response = call(client, world, "b", endpoint, method, rule)
        assert outcome(response) in ("403", "404"), (endpoint, method, response.status_code)
        after = authz_world.table_snapshot(app, ignore={"api_token"}), authz_world.company_a_snapshot(app, world)
        assert after == before, f"{endpoint} {method} changed the database"


# Fields a form or JSON body may carry an id in, all set to one of A's objects.
def a_ids_in_body(world: World) -> dict:
    return {
        "company_id": world.a, "from_company_id": world.a, "to_company_id": world.a, "partner_id": world.a,
        "request_id": world.ap_request, "meeting_id": world.ap_request, "slot_id": world.slots[1],
        "table_id": world.tables[0], "token_id": world.token_ids["a"], "user_id": world.users["a"],
        "delegation_id": world.delegation_a, "requester_id": world.a, "recipient_id": world.a,
        "feed_id": 1, "version": 1, "contact_email": "hijack@evil.example", "name": "Hijacked",
    }


# B's own routes where naming A is what the route is for (asking A for a meeting), or that touch no
# company data (accounts, passes, log out).
NOT_INJECTED = {"meetings.request_meeting", "api.create_my_request", "agenda.pass_confirm"}


def test_idor_ids_of_a_in_forms_and_bodies_change_nothing_of_a(app, client):
    """B's delegate uses its own routes (its own ids in the URL) with A's ids in every form field, JSON field
    and query string: nothing of A's changes, and nothing answers 500."""
    world = authz_world.build(app)
    log_in(app, client, world.users["b"])
    fields = a_ids_in_body(world)
    used = 0
    for endpoint, method, rule in authz_world.rules(app):
        # With B's own ids in the URL every participant route is B's to use; organizer routes are not.
        if (method == "GET" or endpoint in NOT_INJECTED or endpoint.startswith(("auth.", "organizer.", "api.organizer"))
                and endpoint not in ("auth.create_token", "auth.revoke_token")):
            continue
        before = authz_world.company_a_snapshot(app, world)
        url = authz_world.url_for_rule(rule, world, endpoint, own_b=True)
        query = "&".join(f"{k}={v}" for k, v in fields.items())
        if url.startswith("/api/"):
            response = client.open(f"{url}?{query}", method=method, json=fields,
                                   headers={"Authorization": f"Bearer {world.tokens['b']}"})
        else:
            response = client.open(f"{url}?{query}", method=method, data=fields)
        assert response.status_code < 500, (endpoint, response.status_code)
        assert authz_world.company_a_snapshot(app, world) == before, f"{endpoint} {method} changed A's data"
        used += 1
    assert used > 20


def test_idor_b_reads_with_a_ids_in_query_strings_show_nothing_private(app, client):
    """GET pages of B's own with A's ids in the query string (?company_id=A...) leak none of A's secrets."""
    world = authz_world.build(app)
    log_in(app, client, world.users["b"])
    query = "&".join(f"{k}={v}" for k, v in a_ids_in_body(world).items())
    for endpoint, method, rule in authz_world.rules(app):
        if method != "GET" or endpoint in CAPABILITY_ROUTES:
            continue
        url = authz_world.url_for_rule(rule, world, endpoint, own_b=True)
        headers = {"Authorization": f"Bearer {world.tokens['b']}"} if url.startswith("/api/") else {}
        response = client.get(f"{url}?{query}", headers=headers)
        assert response.status_code < 500, (endpoint, response.status_code)
        text = response.get_data(as_text=True)
        assert not FEEDBACK_VALUE.search(text), endpoint
        assert authz_world.C_MESSAGE not in text, endpoint
        assert world.feed_token_a not in text, endpoint


def test_idor_a_pass_is_no_use_to_a_company_outside_the_meeting(app, client):
    """C's delegate holds A's pass for the A–B meeting: scanning and confirming it records nothing."""
    world = authz_world.build(app)
    log_in(app, client, world.users["c"])
    before = authz_world.table_snapshot(app)
    scanned = client.get(f"/pass/{world.pass_token_a}")
    confirmed = client.post(f"/pass/{world.pass_token_a}")
    assert (scanned.status_code, confirmed.status_code) == (403, 403)
    for response in (scanned, confirmed):
        text = response.get_data(as_text=True)
        assert "Alpha Dairy" not in text and "Beta Packaging" not in text
    assert authz_world.table_snapshot(app) == before
