"""The page-fragment cache (forum/cache.py): "My agenda" and "My matches" come from the cache until a write
changes what they show, on every worker and server at once, and never serve one session's CSRF token to
another. CSRF is on in this module: the cache must keep the real forms working.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forum import create_app
from forum.extensions import db
from forum.models import Company, ContentVersion, User
from forum.services import agenda_builder, delegate_agenda
from tests import factories

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def forum(app: Flask) -> dict:
    with app.app_context():
        return factories.published_agenda()


def _log_in(app: Flask, client: FlaskClient, user_id: int) -> FlaskClient:
    with app.app_context():
        email = factories.email_of(user_id)
    token = _TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"csrf_token": token, "email": email, "password": factories.PASSWORD})
    assert answer.status_code == 302
    return client


def _version(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(ContentVersion.value))


def _cards(page) -> list[tuple[str, str, str]]:
    """(table, partner, time) of each agenda card, as the delegate reads them."""
    return re.findall(r'data-table="(\d+)".*?data-start="([^"]+)".*?data-partner="([^"]+)"',
                      page.get_data(as_text=True), re.S)


def test_agenda_is_served_from_the_cache_until_a_write(app, client, forum, count_queries):
    _log_in(app, client, forum["delegates"][0])
    first = client.get("/my/agenda")
    with count_queries() as again:
        second = client.get("/my/agenda")
    assert _cards(second) == _cards(first) == [("1", "10:00", "Agenda Company 1"), ("1", "10:20", "Agenda Company 2")]
    # From the cache: no meeting, partner or reason was read for the second page.
    assert not [q for q in again if "meeting_request" in q or "match_suggestion" in q]


def test_partner_renamed_shows_at_once(app, client, forum):
    _log_in(app, client, forum["delegates"][0])
    client.get("/my/agenda")
    with app.app_context():
        db.session.get(Company, forum["companies"][1]).name = "Qarshi Dairy Cluster"
        db.session.commit()
    assert ("1", "10:00", "Qarshi Dairy Cluster") in _cards(client.get("/my/agenda"))


def test_meeting_moved_by_an_organizer_shows_at_its_new_table(app, client, forum):
    _log_in(app, client, forum["delegates"][0])
    assert ("1", "10:00", "Agenda Company 1") in _cards(client.get("/my/agenda"))
    with app.app_context():
        organizer = db.session.get(User, forum["organizer"])
        agenda_builder.move(organizer, forum["requests"][0], forum["slots"][4], forum["tables"][2], None)
    cards = _cards(client.get("/my/agenda"))
    assert ("3", "14:20", "Agenda Company 1") in cards
    assert ("1", "10:00", "Agenda Company 1") not in cards


def test_a_write_on_another_server_is_seen_here(app, forum, tmp_path):
    """Two app servers on one database, each with its own memory cache: the version is in the database."""
    other = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
                       instance_path=tmp_path / "other")
    here = _log_in(app, app.test_client(), forum["delegates"][0])
    assert ("1", "10:00", "Agenda Company 1") in _cards(here.get("/my/agenda"))
    with other.app_context():
        db.session.get(Company, forum["companies"][1]).name = "Renamed Elsewhere"
        db.session.commit()
        db.engine.dispose()
    assert ("1", "10:00", "Renamed Elsewhere") in _cards(here.get("/my/agenda"))


def test_now_and_next_follow_the_clock_on_a_cached_page(app, client, forum, monkeypatch):
    _log_in(app, client, forum["delegates"][0])
    # 17 Oct 2024 10:05 in Tashkent: the first meeting runs, the second is next.
    monkeypatch.setattr(delegate_agenda, "utcnow", lambda: datetime(2024, 10, 17, 5, 5, tzinfo=UTC))
    page = client.get("/my/agenda").get_data(as_text=True)
    assert re.search(r'class="agenda-card is-now"[^>]*data-start="10:00"', page)
    monkeypatch.setattr(delegate_agenda, "utcnow", lambda: datetime(2024, 10, 17, 5, 25, tzinfo=UTC))
    page = client.get("/my/agenda").get_data(as_text=True)
    assert re.search(r'class="agenda-card is-past"[^>]*data-start="10:00"', page)
    assert re.search(r'class="agenda-card is-now"[^>]*data-start="10:20"', page)


def test_forms_in_a_cached_list_carry_this_sessions_token(app, forum):
    """The same delegate on a laptop and a phone: the phone's "Not interested" form comes from the list the
    laptop's visit cached, and must still work on the phone."""
    with app.app_context():
        from forum.services.matching import recompute_all

        recompute_all()
    laptop = _log_in(app, app.test_client(), forum["delegates"][0])
    phone = _log_in(app, app.test_client(), forum["delegates"][0])
    url = f"/companies/{forum['companies'][0]}/matches"
    laptop_page = laptop.get(url).get_data(as_text=True)
    phone_page = phone.get(url).get_data(as_text=True)
    dismiss = re.search(r'action="(/companies/\d+/matches/(\d+)/dismiss)"', phone_page)
    assert dismiss, "the list shows no match to dismiss"
    phone_token = _TOKEN.findall(phone_page)
    assert set(phone_token).isdisjoint(_TOKEN.findall(laptop_page))
    answer = phone.post(dismiss.group(1), data={"csrf_token": phone_token[-1]})
    assert answer.status_code == 302
    assert "is hidden from your matches" in phone.get(url).get_data(as_text=True)


def test_logins_and_notices_keep_the_version_and_bulk_updates_change_it(app, client, forum):
    before = _version(app)
    _log_in(app, client, forum["delegates"][1])  # writes last_login_at
    assert _version(app) == before
    with app.app_context():
        db.session.execute(update(Company).where(Company.id == forum["companies"][2]).values(city="Shahrisabz"))
        db.session.commit()
    assert _version(app) != before


def test_a_rolled_back_write_keeps_the_version(app, forum):
    before = _version(app)
    with app.app_context():
        db.session.get(Company, forum["companies"][2]).name = "Never saved"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert _version(app) == before


def test_pages_render_when_redis_is_down(app, forum, tmp_path):
    down = create_app({**app.config, "REDIS_URL": "redis://127.0.0.1:1/0", "RATELIMIT_STORAGE_URI": "memory://"},
                      instance_path=tmp_path / "down")
    client = _log_in(down, down.test_client(), forum["delegates"][0])
    for _ in range(2):
        page = client.get("/my/agenda")
        assert page.status_code == 200
        assert ("1", "10:00", "Agenda Company 1") in _cards(page)


def test_company_page_shared_between_viewers_keeps_what_each_may_see(app, forum):
    """The profile's blocks are cached once for all viewers: the owner's edit buttons, a partner's contact
    details and the meeting button must still go only to those who may see them."""
    company = forum["companies"][1]
    url = f"/companies/{company}"
    with app.app_context():
        stranger_company = factories.company(name="Stranger Trading")
        stranger = factories.user(company_id=stranger_company, email="stranger@example.com")
    owner_page = _log_in(app, app.test_client(), forum["delegates"][1]).get(url).get_data(as_text=True)
    partner_page = _log_in(app, app.test_client(), forum["delegates"][0]).get(url).get_data(as_text=True)
    stranger_page = _log_in(app, app.test_client(), stranger).get(url).get_data(as_text=True)
    anonymous_page = app.test_client().get(url).get_data(as_text=True)
    assert "Edit profile" in owner_page and "Request a meeting" not in owner_page
    # C0 has an accepted meeting with C1: a partner sees how to reach them, a stranger does not.
    assert "c1@company.example" in partner_page and "Edit profile" not in partner_page
    assert "Request a meeting" in stranger_page and "c1@company.example" not in stranger_page
    assert "Edit profile" not in stranger_page
    assert "c1@company.example" not in anonymous_page and "Request a meeting" not in anonymous_page


def test_a_write_committed_while_a_page_is_built_is_not_cached_as_the_new_version(app, forum, monkeypatch):
    """Another server commits a new offer while this one builds the company page (after the company was
    read, before the cache is asked): the page may show the old offer once, but must not be kept as the
    new version's."""
    from forum.companies import views

    company = forum["companies"][1]
    real_match_with = views.matching.match_with
    written = []

    def meanwhile(actor, partner):
        if not written:
            written.append(True)
            with db.engine.begin() as other_server:
                other_server.execute(update(Company).where(Company.id == company).values(offers="Frozen apricots"))
                other_server.execute(update(ContentVersion).values(value=424242))
        return real_match_with(actor, partner)

    monkeypatch.setattr(views.matching, "match_with", meanwhile)
    partner = _log_in(app, app.test_client(), forum["delegates"][0])
    partner.get(f"/companies/{company}")
    page = partner.get(f"/companies/{company}").get_data(as_text=True)
    # the profile's body (the meta description above it is never cached)
    assert "Frozen apricots" in page.split('<article class="company">', 1)[1]


def test_a_new_colleague_appears_on_the_company_page_at_once(app, forum):
    company = forum["companies"][1]
    partner = _log_in(app, app.test_client(), forum["delegates"][0])  # an accepted meeting: sees contacts
    assert "new.colleague@example.com" not in partner.get(f"/companies/{company}").get_data(as_text=True)
    with app.app_context():
        factories.user(company_id=company, email="new.colleague@example.com")
    assert "new.colleague@example.com" in partner.get(f"/companies/{company}").get_data(as_text=True)


def test_stored_text_that_looks_like_the_token_placeholder_never_receives_a_token(app, forum):
    from forum import cache

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL refuses the placeholder's NUL characters in text: it cannot be stored there")
    company = forum["companies"][1]
    with app.app_context():
        db.session.get(Company, company).offers = "see " + cache.CSRF_PLACEHOLDER
        db.session.commit()
    viewer = _log_in(app, app.test_client(), forum["delegates"][0])
    viewer.get(f"/companies/{company}")
    page = viewer.get(f"/companies/{company}").get_data(as_text=True)
    offers = re.search(r'<p class="prose">see ([^<]*)</p>', page).group(1)
    assert offers not in _TOKEN.findall(page)
