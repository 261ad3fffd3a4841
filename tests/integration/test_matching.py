"""Integration tests: "My matches", dismissing, keeping lists fresh, organizer settings and `flask recommend`."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Company,
    MatchDismissal,
    MatchingSettings,
    MatchSuggestion,
    Role,
    Sector,
    SectorAffinity,
    User,
)
from forum.services import matching
from forum.services.companies import CompanyProfile, update_company
from tests import factories
from tests.integration.test_companies import field_errors

DAIRY_NEEDS_FILM = {
    "name": "Esik Dairy Plant",
    "offers": "Pasteurised milk, kefir and ayran from our own farms",
    "needs": "Flexible multilayer packaging film for milk pouches",
}
FILM_MAKER = {
    "name": "Qarshi Polymer Film",
    "offers": "Multilayer barrier film and printed laminates for dairy packaging",
    "needs": "Polyethylene granules and printing inks",
}
HOTEL = {
    "name": "Shahrisabz Heritage Hotel",
    "offers": "Hotel rooms and guided tours of the old city",
    "needs": "Tour operators bringing groups from Kazakhstan",
}


@pytest.fixture
def forum_pair(app: Flask):
    """Two delegations; an Almaty dairy that needs film; a Kashkadarya film maker; a hotel."""
    with app.app_context():
        almaty = factories.delegation("Almaty Region (Kazakhstan)", "Kazakhstan")
        kashka = factories.delegation("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
        dairy = factories.company(sectors=("dairy",), delegation_id=almaty, **DAIRY_NEEDS_FILM)
        film = factories.company(sectors=("packaging",), delegation_id=kashka, country="Uzbekistan",
                                 city="Qarshi", **FILM_MAKER)
        hotel = factories.company(sectors=("tourism",), delegation_id=kashka, country="Uzbekistan",
                                  languages=["uz", "en"], **HOTEL)
        user = factories.user(company_id=dairy)
        matching.recompute_all()
        return {"almaty": almaty, "kashka": kashka, "dairy": dairy, "film": film, "hotel": hotel, "user": user}


def shown_partners(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'<h2 class="card-title"><a href="[^"]+">(.*?)</a>', page)]


def reasons_of(page: str, partner: str) -> list[str]:
    """The reasons listed on the card of one partner."""
    cards = page.split('<li class="card match-card">')[1:]
    for card in cards:
        if f">{html.escape(partner)}</a>" in card:
            block = re.search(r'<ul class="reasons">(.*?)</ul>', card, re.S)
            return [html.unescape(r) for r in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)] if block else []
    raise AssertionError(f"{partner} is not on the page")


def stored_partners(app: Flask, company_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(MatchSuggestion.partner_id)
                                       .where(MatchSuggestion.company_id == company_id)
                                       .order_by(MatchSuggestion.rank)))


# --- My matches ------------------------------------------------------------------------------------


def test_my_matches_ranks_complementary_partner_first_with_reasons(client, login_as, forum_pair):
    login_as(forum_pair["user"])
    response = client.get("/my/matches")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    partners = shown_partners(page)
    assert partners[0] == "Qarshi Polymer Film"
    reasons = reasons_of(page, "Qarshi Polymer Film")
    assert 1 <= len(reasons) <= 3
    need_reason = next(r for r in reasons if r.startswith("You need"))
    assert "film" in need_reason.lower()
    assert "they offer" in need_reason
    assert re.search(r'class="score-number">\d{1,3}%<', page)


def test_matches_reasons_name_sectors_and_delegations(client, login_as, forum_pair, app):
    login_as(forum_pair["user"])
    page = client.get(f"/companies/{forum_pair['dairy']}/matches").get_data(as_text=True)
    every_reason = " ".join(reasons_of(page, "Qarshi Polymer Film"))
    # Dairy and packaging are linked in the default value-chain table; the delegations differ by country.
    with app.app_context():
        suggestion = db.session.get(MatchSuggestion, (forum_pair["dairy"], forum_pair["film"]))
        kinds = [r["kind"] for r in suggestion.reasons]
    assert "you_need" in kinds
    if "related_sector" in kinds:
        assert "Dairy" in every_reason and "Packaging" in every_reason
    if "cross_delegation" in kinds:
        assert "cross-border partner" in every_reason


def test_matches_filter_by_sector_and_delegation(client, login_as, forum_pair, app):
    login_as(forum_pair["user"])
    with app.app_context():
        tourism = factories.sector_ids("tourism")[0]
        energy = factories.sector_ids("energy")[0]
    url = f"/companies/{forum_pair['dairy']}/matches"
    all_partners = shown_partners(client.get(url).get_data(as_text=True))
    assert "Qarshi Polymer Film" in all_partners

    only_tourism = client.get(f"{url}?sector={tourism}").get_data(as_text=True)
    assert set(shown_partners(only_tourism)) <= {"Shahrisabz Heritage Hotel"}

    none = client.get(f"{url}?sector={energy}")
    assert none.status_code == 200
    assert shown_partners(none.get_data(as_text=True)) == []
    assert "fits these filters" in none.get_data(as_text=True)

    own_delegation = client.get(f"{url}?delegation={forum_pair['almaty']}").get_data(as_text=True)
    assert shown_partners(own_delegation) == []
    # A mangled filter is ignored rather than an error.
    assert client.get(f"{url}?sector=abc&delegation=99999").status_code == 200


def test_matches_of_other_company_refused(client, login_as, forum_pair, make_user):
    other = make_user()
    login_as(other)
    assert client.get(f"/companies/{forum_pair['dairy']}/matches").status_code == 403
    assert client.post(f"/companies/{forum_pair['dairy']}/matches/{forum_pair['film']}/dismiss").status_code == 403


def test_matches_need_login(client, forum_pair):
    response = client.get(f"/companies/{forum_pair['dairy']}/matches")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_matches_unknown_company_not_found(client, login_as, forum_pair):
    login_as(forum_pair["user"])
    assert client.get("/companies/999999/matches").status_code == 404
    assert client.get(f"/companies/{2**40}/matches").status_code == 404


def test_organizer_sees_any_company_matches(client, login_as, forum_pair, make_user):
    organizer = make_user(role=Role.ORGANIZER)
    login_as(organizer)
    page = client.get(f"/companies/{forum_pair['dairy']}/matches").get_data(as_text=True)
    assert "Matches for Esik Dairy Plant" in page
    assert shown_partners(page)[0] == "Qarshi Polymer Film"
    assert client.get("/my/matches").status_code == 302


def test_dismiss_hides_partner_and_restore_brings_it_back(client, login_as, forum_pair, app):
    login_as(forum_pair["user"])
    url = f"/companies/{forum_pair['dairy']}/matches"
    response = client.post(f"{url}/{forum_pair['film']}/dismiss", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Qarshi Polymer Film is hidden from your matches" in html.unescape(page)
    assert "Qarshi Polymer Film" not in shown_partners(page)
    assert forum_pair["film"] not in stored_partners(app, forum_pair["dairy"])
    assert "Hidden from your matches" in page

    # Stays hidden after a full recompute.
    with app.app_context():
        matching.recompute_all()
    assert forum_pair["film"] not in stored_partners(app, forum_pair["dairy"])

    page = client.post(f"{url}/{forum_pair['film']}/restore", follow_redirects=True).get_data(as_text=True)
    assert shown_partners(page)[0] == "Qarshi Polymer Film"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchDismissal)) == 0


def test_dismiss_twice_and_restore_unknown_are_harmless(client, login_as, forum_pair, app):
    login_as(forum_pair["user"])
    url = f"/companies/{forum_pair['dairy']}/matches"
    client.post(f"{url}/{forum_pair['film']}/dismiss")
    assert client.post(f"{url}/{forum_pair['film']}/dismiss").status_code == 302
    page = client.post(f"{url}/{forum_pair['hotel']}/restore", follow_redirects=True).get_data(as_text=True)
    assert "is not hidden from your matches" in page
    for missing in (999999, 2**40):
        page = client.post(f"{url}/{missing}/dismiss", follow_redirects=True).get_data(as_text=True)
        assert "no longer exists" in page
        page = client.post(f"{url}/{missing}/restore", follow_redirects=True).get_data(as_text=True)
        assert "is not hidden from your matches" in page
    page = client.post(f"{url}/{forum_pair['dairy']}/dismiss", follow_redirects=True).get_data(as_text=True)
    assert "never suggested to itself" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchDismissal)) == 1


def test_dismiss_keeps_filters_in_redirect(client, login_as, forum_pair, app):
    login_as(forum_pair["user"])
    with app.app_context():
        packaging = factories.sector_ids("packaging")[0]
    response = client.post(f"/companies/{forum_pair['dairy']}/matches/{forum_pair['film']}/dismiss",
                           data={"sector": packaging})
    assert response.headers["Location"].endswith(f"/companies/{forum_pair['dairy']}/matches?sector={packaging}")


# --- keeping lists fresh ----------------------------------------------------------------------------


def test_profile_edit_puts_company_into_partner_lists_without_recompute(client, login_as, forum_pair, app):
    """The hotel starts making milk pouches: the dairy's stored list picks it up in the same request."""
    with app.app_context():
        hotel_user = factories.user(company_id=forum_pair["hotel"])
        tourism_and_packaging = factories.sector_ids("tourism", "packaging")
    login_as(hotel_user)
    form = {
        "name": HOTEL["name"], "delegation": forum_pair["kashka"], "country": "Uzbekistan", "city": "Shahrisabz",
        "sectors": tourism_and_packaging, "offers": "Laminated packaging film for milk pouches and yoghurt cups",
        "needs": HOTEL["needs"], "languages": ["uz", "en"],
    }
    assert client.post(f"/companies/{forum_pair['hotel']}/edit", data=form).status_code == 302
    dairy_list = stored_partners(app, forum_pair["dairy"])
    assert forum_pair["hotel"] in dairy_list[:2]


def test_opting_out_removes_company_from_every_list(client, login_as, forum_pair, app):
    assert forum_pair["film"] in stored_partners(app, forum_pair["dairy"])
    with app.app_context():
        film_user = factories.user(company_id=forum_pair["film"])
        packaging = factories.sector_ids("packaging")
    login_as(film_user)
    form = {"name": FILM_MAKER["name"], "delegation": forum_pair["kashka"], "country": "Uzbekistan",
            "city": "Qarshi", "sectors": packaging, "offers": FILM_MAKER["offers"], "needs": FILM_MAKER["needs"],
            "opted_out": "y"}
    assert client.post(f"/companies/{forum_pair['film']}/edit", data=form).status_code == 302
    assert forum_pair["film"] not in stored_partners(app, forum_pair["dairy"])
    assert stored_partners(app, forum_pair["film"]) == []
    page = client.get(f"/companies/{forum_pair['film']}/matches").get_data(as_text=True)
    assert "Matchmaking is paused" in page


def test_signup_adds_new_company_to_existing_lists(client, forum_pair, app):
    with app.app_context():
        packaging = factories.sector_ids("packaging")
    response = client.post("/signup", data={
        "email": "new@film.example", "password": "a-long-password-1", "confirm": "a-long-password-1",
        "full_name": "New Person",
        "name": "Guzar Flexible Packaging", "delegation": forum_pair["kashka"], "country": "Uzbekistan",
        "city": "Guzar", "sectors": packaging,
        "offers": "Flexible multilayer film for milk pouches, printed in 8 colours",
        "needs": "Dairy customers in Kazakhstan",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        new_id = db.session.scalar(select(Company.id).where(Company.name == "Guzar Flexible Packaging"))
    assert new_id in stored_partners(app, forum_pair["dairy"])[:2]
    assert forum_pair["dairy"] in stored_partners(app, new_id)


def test_stale_list_recomputed_when_read(client, login_as, forum_pair, app):
    """A change made outside the site (here: straight in the database) is caught by the profile version."""
    with app.app_context():
        db.session.execute(MatchSuggestion.__table__.delete())
        company = db.session.get(Company, forum_pair["dairy"])
        company.profile_version += 1
        db.session.commit()
    login_as(forum_pair["user"])
    page = client.get(f"/companies/{forum_pair['dairy']}/matches").get_data(as_text=True)
    assert shown_partners(page)[0] == "Qarshi Polymer Film"


def test_company_page_says_why_you_match(client, login_as, forum_pair):
    login_as(forum_pair["user"])
    page = html.unescape(client.get(f"/companies/{forum_pair['film']}").get_data(as_text=True))
    assert "Why you match" in page
    assert "You need" in page
    assert 'id="meet"' in page
    own = client.get(f"/companies/{forum_pair['dairy']}").get_data(as_text=True)
    assert "Why you match" not in own


def test_request_form_repeats_why_you_match(client, login_as, forum_pair):
    login_as(forum_pair["user"])
    client.get(f"/companies/{forum_pair['dairy']}/matches")  # the list is computed when first read
    form = html.unescape(client.get(f"/companies/{forum_pair['film']}/request-meeting").get_data(as_text=True))
    assert "Why you match" in form and "You need" in form
    hotel = html.unescape(client.get(f"/companies/{forum_pair['hotel']}/request-meeting").get_data(as_text=True))
    assert "Why you match" not in hotel  # not suggested: nothing invented


# --- empty states and odd profiles -----------------------------------------------------------------


def test_empty_profile_gets_hint_instead_of_matches(client, login_as, app):
    with app.app_context():
        empty = factories.company(sectors=(), offers="", needs="", description="")
        factories.company(sectors=("dairy",))
        user = factories.user(company_id=empty)
    login_as(user)
    page = client.get(f"/companies/{empty}/matches").get_data(as_text=True)
    assert "Tell us what you offer and what you are looking for." in page
    assert shown_partners(page) == []


def test_single_company_forum_has_empty_state(client, login_as, app):
    with app.app_context():
        only = factories.company(sectors=("dairy",))
        user = factories.user(company_id=only)
        matching.recompute_all()
    login_as(user)
    response = client.get(f"/companies/{only}/matches")
    assert response.status_code == 200
    assert "No partner to suggest yet." in response.get_data(as_text=True)


def test_stop_words_emoji_html_and_long_texts_render_safely(client, login_as, app):
    with app.app_context():
        a = factories.company(sectors=(), offers="the and of и в на", needs="🍎🍏🥛 " * 50)
        factories.company(sectors=("dairy",), offers="<script>alert(1)</script> milk " + "молоко " * 280,
                          needs="<b>film</b> " + "x" * 1900)
        factories.company(sectors=("packaging",), offers="🙂", needs="")
        user = factories.user(company_id=a)
        matching.recompute_all()
    login_as(user)
    response = client.get(f"/companies/{a}/matches")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_all_companies_in_one_delegation_with_cross_only(client, login_as, app):
    with app.app_context():
        delegation = factories.delegation("Solo Delegation")
        a = factories.company(sectors=("dairy",), delegation_id=delegation)
        factories.company(sectors=("packaging",), delegation_id=delegation, offers="Packaging film")
        settings = matching.get_settings()
        settings.cross_delegation = "only"
        settings.generation += 1
        db.session.commit()
        matching.recompute_all()
        user = factories.user(company_id=a)
    login_as(user)
    page = client.get(f"/companies/{a}/matches").get_data(as_text=True)
    assert "No partner to suggest yet." in page


# --- organizer settings ----------------------------------------------------------------------------


@pytest.fixture
def organizer(make_user) -> int:
    return make_user(role=Role.ORGANIZER)


def settings_form(app: Flask, **overrides) -> dict:
    with app.app_context():
        rows = matching.affinity_rows()
        data = {"cross_delegation": "prefer", "weight_complementarity": "0.6", "weight_sector": "0.2",
                "weight_cross_delegation": "0.1", "weight_language": "0.1",
                "new_sector_a": "0", "new_sector_b": "0", "new_strength": "0.5"}
        for i, row in enumerate(rows):
            data[f"affinity-{i}-sector_a"] = str(row.sector_a_id)
            data[f"affinity-{i}-sector_b"] = str(row.sector_b_id)
            data[f"affinity-{i}-strength"] = str(row.strength)
    data.update(overrides)
    return data


def generation(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(MatchingSettings.generation))


def test_matching_settings_only_for_organizers(client, login_as, forum_pair, organizer):
    assert client.get("/organizer/matching").status_code == 302  # to the login page
    login_as(forum_pair["user"])
    assert client.get("/organizer/matching").status_code == 403
    assert client.post("/organizer/matching/recompute").status_code == 403
    assert client.post("/organizer/matching/reset-weights").status_code == 403


def test_matching_settings_page_shows_current_values(client, login_as, organizer, app):
    login_as(organizer)
    page = html.unescape(client.get("/organizer/matching").get_data(as_text=True))
    assert "Partner matching" in page
    assert "Dairy ↔ Packaging" in page
    assert re.search(r'<input checked[^>]*value="prefer"', page)


def test_cross_delegation_only_removes_own_delegation(client, login_as, organizer, forum_pair, app):
    with app.app_context():
        neighbour = factories.company(sectors=("packaging",), delegation_id=forum_pair["almaty"],
                                      name="Talgar Film", offers="Packaging film for milk")
        matching.refresh_companies({neighbour: None})
    assert neighbour in stored_partners(app, forum_pair["dairy"])
    login_as(organizer)
    before = generation(app)
    response = client.post("/organizer/matching", data=settings_form(app, cross_delegation="only"))
    assert response.status_code == 302
    assert generation(app) == before + 1
    partners = stored_partners(app, forum_pair["dairy"])
    assert neighbour not in partners
    assert forum_pair["film"] in partners


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"weight_sector": "-1"}, "weight_sector", "Enter a number from 0 to 10."),
    ({"weight_sector": "11"}, "weight_sector", "Enter a number from 0 to 10."),
    ({"weight_language": "nan"}, "weight_language", "Enter a number."),
    ({"weight_language": "inf"}, "weight_language", "Enter a number."),
    ({"weight_complementarity": "much"}, "weight_complementarity", "Not a valid float value."),
    ({"weight_complementarity": ""}, "weight_complementarity", "Enter a number from 0 to 10."),
    ({"cross_delegation": "sometimes"}, "cross_delegation", "Not a valid choice."),
    ({"new_sector_a": "1", "new_sector_b": "1"}, "new_sector_b",
     "A sector is always related to itself; choose two different sectors."),
    ({"new_sector_a": "1", "new_sector_b": "0"}, "new_sector_b", "Choose both sectors of the new pair, or neither."),
    ({"new_sector_a": "1", "new_sector_b": "2", "new_strength": "3"}, "new_strength",
     "A strength is a number above 0 and at most 1."),
    ({"affinity-0-strength": "0"}, "affinity-0-strength", "A strength is a number above 0 and at most 1."),
])
def test_bad_matching_settings_refused_and_nothing_saved(client, login_as, organizer, app, overrides, field,
                                                         message):
    login_as(organizer)
    before = generation(app)
    response = client.post("/organizer/matching", data=settings_form(app, **overrides))
    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True)).get(field, [])
    assert generation(app) == before


@pytest.mark.parametrize("weights", [
    {"complementarity": "0", "sector": "0", "cross_delegation": "0", "language": "0"},
    {"complementarity": "0", "sector": "0", "cross_delegation": "1", "language": "1"},
])
def test_weights_without_needs_or_sectors_refused(client, login_as, organizer, forum_pair, app, weights):
    """Another delegation or a shared language alone is no reason to meet: such weights would empty every list."""
    login_as(organizer)
    before = generation(app)
    form = settings_form(app, **{f"weight_{name}": value for name, value in weights.items()})
    response = client.post("/organizer/matching", data=form)
    assert response.status_code == 422
    assert "Give “Needs met by offers” or “Sectors” a weight above zero" in \
        field_errors(response.get_data(as_text=True))["weight_complementarity"][0]
    assert generation(app) == before
    assert forum_pair["film"] in stored_partners(app, forum_pair["dairy"])


def test_tampered_affinity_row_refused(client, login_as, organizer, app):
    login_as(organizer)
    response = client.post("/organizer/matching", data=settings_form(app, **{"affinity-0-sector_a": "99999"}))
    assert response.status_code == 422
    assert "reload the page" in response.get_data(as_text=True)


def test_affinity_pairs_added_changed_and_removed(client, login_as, organizer, app):
    login_as(organizer)
    with app.app_context():
        ids = {s.key: s.id for s in db.session.scalars(select(Sector))}
        count = db.session.scalar(select(func.count()).select_from(SectorAffinity))
    form = settings_form(app, **{"affinity-0-remove": "y", "affinity-1-strength": "0.95",
                                 "new_sector_a": str(ids["tourism"]), "new_sector_b": str(ids["energy"]),
                                 "new_strength": "0.3"})
    assert client.post("/organizer/matching", data=form).status_code == 302
    with app.app_context():
        rows = matching.affinity_rows()
        assert len(rows) == count  # one removed, one added
        pairs = {frozenset((r.sector_a.key, r.sector_b.key)): r.strength for r in rows}
        assert pairs[frozenset(("tourism", "energy"))] == 0.3
        assert 0.95 in pairs.values()


def test_recompute_and_reset_buttons(client, login_as, organizer, forum_pair, app):
    login_as(organizer)
    page = client.post("/organizer/matching/recompute", follow_redirects=True).get_data(as_text=True)
    assert "Matches recomputed for 3 companies" in page
    with app.app_context():
        settings = matching.get_settings()
        settings.weight_language = 5.0
        db.session.commit()
    client.post("/organizer/matching/reset-weights")
    with app.app_context():
        assert matching.get_settings().weight_language is None


# --- the CLI -----------------------------------------------------------------------------------------


def test_recommend_cli_prints_json(runner, forum_pair):
    result = runner.invoke(args=["recommend", "--company", "esik dairy  plant", "--top", "2", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert len(items) <= 2
    assert items[0]["company_id"] == forum_pair["film"]
    assert items[0]["name"] == "Qarshi Polymer Film"
    assert items[0]["delegation"] == "Kashkadarya Region (Uzbekistan)"
    assert 0 < items[0]["score"] <= 1
    assert any(r.startswith("You need") for r in items[0]["reasons"])
    assert set(items[0]) == {"company_id", "name", "delegation", "score", "reasons"}


def test_recommend_cli_accepts_id_and_more_than_stored(runner, forum_pair, app):
    by_id = runner.invoke(args=["recommend", "--company", str(forum_pair["dairy"]), "--json"])
    assert by_id.exit_code == 0
    many = runner.invoke(args=["recommend", "--company", str(forum_pair["dairy"]), "--top", "100", "--json"])
    assert json.loads(many.output) == json.loads(by_id.output)


def test_recommend_cli_human_output(runner, forum_pair):
    result = runner.invoke(args=["recommend", "--company", "Esik Dairy Plant"])
    assert result.exit_code == 0
    assert "1. Qarshi Polymer Film · Kashkadarya Region (Uzbekistan)" in result.output
    assert "- You need" in result.output


@pytest.mark.parametrize("args", [
    ["--company", "No Such Company"],
    ["--company", "424242"],
    ["--company", "0"],
    ["--company", "-1"],
    ["--company", str(2**70)],
])
def test_recommend_cli_unknown_company_exit_2(runner, forum_pair, args):
    result = runner.invoke(args=["recommend", *args, "--json"])
    assert result.exit_code == 2
    assert "Error: No company is called" in result.output
    assert "[" not in result.stdout


@pytest.mark.parametrize("reference", ["", "   "])
def test_recommend_cli_empty_company_exit_2(runner, forum_pair, reference):
    result = runner.invoke(args=["recommend", "--company", reference])
    assert result.exit_code == 2
    assert "Error: give the company's name or id with --company." in result.output


def test_recommend_cli_ambiguous_name_asks_for_id(runner, forum_pair, app):
    with app.app_context():
        factories.company(sectors=("dairy",), delegation_id=forum_pair["kashka"], name="Esik Dairy Plant")
    result = runner.invoke(args=["recommend", "--company", "Esik Dairy Plant"])
    assert result.exit_code == 2
    assert "give the id" in result.output


@pytest.mark.parametrize("top", ["0", "-3", "many", "201"])
def test_recommend_cli_bad_top_exit_2(runner, forum_pair, top):
    result = runner.invoke(args=["recommend", "--company", "Esik Dairy Plant", "--top", top])
    assert result.exit_code == 2


def test_import_then_recommend_finds_planted_pair(runner, app, tmp_path):
    csv_text = (
        "name,delegation,country,city,sectors,offers,needs,languages\n"
        "Kegen Fruit Growers,Almaty Region (Kazakhstan),Kazakhstan,Kegen,fruit-vegetables,"
        "Apples and pears,Corrugated cardboard boxes for fruit export,ru\n"
        "Qarshi Karton,Kashkadarya Region (Uzbekistan),Uzbekistan,Qarshi,packaging,"
        "Five-layer corrugated packaging and fruit trays,Kraft paper,ru;uz\n"
        "Nishon Hotel,Kashkadarya Region (Uzbekistan),Uzbekistan,Nishon,tourism,Hotel rooms,Tourists,uz\n"
    )
    path = tmp_path / "pair.csv"
    path.write_text(csv_text, encoding="utf-8")
    assert runner.invoke(args=["import-companies", str(path)]).exit_code == 0
    result = runner.invoke(args=["recommend", "--company", "Kegen Fruit Growers", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)[0]["name"] == "Qarshi Karton"


def test_recompute_matches_cli(runner, forum_pair):
    result = runner.invoke(args=["recompute-matches"])
    assert result.exit_code == 0
    assert "Matches recomputed for 3 companies" in result.output


# --- incremental refresh equals a full recompute ---------------------------------------------------------

SMALL_FORUM = [
    ("dairy", "Milk, kefir and butter", "Packaging film and cartons"),
    ("packaging", "Corrugated boxes and fruit trays", "Kraft paper"),
    ("fruit-vegetables", "Apples, apricots and grapes", "Corrugated boxes and cold storage"),
    ("logistics", "Refrigerated trucks Almaty to Qarshi", "Backhaul cargo"),
    ("textiles", "Cotton yarn", "Knitting machines and buyers for yarn"),
    ("industry", "Knitting machines and spare parts", "Cotton yarn"),
    ("tourism", "Hotel rooms and tours", "Tour operators from Kazakhstan"),
    ("technology", "Drip irrigation systems", "Farms that grow fruit"),
    ("construction-materials", "Cement and bricks", "Gypsum and kraft paper bags"),
    ("energy", "Solar panels for farms", "Investors"),
]


def all_lists(app: Flask) -> dict[int, list[tuple[int, float]]]:
    with app.app_context():
        rows = db.session.execute(select(MatchSuggestion.company_id, MatchSuggestion.partner_id,
                                         MatchSuggestion.score).order_by(MatchSuggestion.company_id,
                                                                         MatchSuggestion.rank))
        lists: dict[int, list[tuple[int, float]]] = {}
        for company_id, partner_id, score in rows:
            lists.setdefault(company_id, []).append((partner_id, round(score, 6)))
        return lists


@pytest.fixture
def small_forum(app: Flask) -> list[int]:
    with app.app_context():
        left = factories.delegation("Almaty Region (Kazakhstan)", "Kazakhstan")
        right = factories.delegation("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
        ids = [factories.company(sectors=(sector,), delegation_id=(left, right)[i % 2], offers=offers, needs=needs,
                                 country=("Kazakhstan", "Uzbekistan")[i % 2])
               for i, (sector, offers, needs) in enumerate(SMALL_FORUM)]
        matching.recompute_all()
        return ids


@pytest.mark.parametrize(("offers", "needs", "opted_out"), [
    ("Cotton yarn and fruit trays", "Milk and refrigerated trucks", False),
    ("", "Solar panels", False),
    ("Milk, kefir and butter", "Packaging film and cartons", True),
])
def test_profile_edit_refresh_equals_full_recompute(app, small_forum, offers, needs, opted_out):
    """The lists refreshed in the saving request are exactly those a full recompute gives."""
    target = small_forum[3]
    with app.app_context():
        organizer = db.session.get(User, factories.user(role=Role.ORGANIZER))
        profile = profile_change(db.session.get(Company, target), offers=offers, needs=needs, opted_out=opted_out)
        update_company(organizer, target, profile)
    refreshed = all_lists(app)
    with app.app_context():
        matching.recompute_all()
    assert refreshed == all_lists(app)


def profile_change(company: Company, **changes) -> CompanyProfile:
    return CompanyProfile(**{
        "name": company.name, "delegation_id": company.delegation_id, "country": company.country,
        "city": company.city, "sector_ids": [s.id for s in company.sectors], "offers": company.offers,
        "needs": company.needs, "languages": list(company.languages), **changes,
    })


def test_signup_refresh_equals_full_recompute(client, app, small_forum):
    with app.app_context():
        dairy = factories.sector_ids("dairy")
        delegation = db.session.get(Company, small_forum[1]).delegation_id
    response = client.post("/signup", data={
        "email": "newcomer@example.com", "password": "a-long-password-1", "confirm": "a-long-password-1",
        "full_name": "New Comer", "name": "Newcomer Dairy", "delegation": delegation, "country": "Uzbekistan", "sectors": dairy,
        "offers": "Kurt and ayran", "needs": "Corrugated boxes and refrigerated trucks",
    })
    assert response.status_code == 302
    refreshed = all_lists(app)
    with app.app_context():
        matching.recompute_all()
    assert refreshed == all_lists(app)


def test_new_pair_already_in_table_refused(client, login_as, organizer, app):
    login_as(organizer)
    with app.app_context():
        row = matching.affinity_rows()[0]
        a, b = row.sector_a_id, row.sector_b_id
    response = client.post("/organizer/matching", data=settings_form(
        app, **{"affinity-0-strength": "0.9", "new_sector_a": str(b), "new_sector_b": str(a), "new_strength": "0.2"}))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["new_sector_b"] == [
        "This pair is already in the table: change its strength there."]


def test_same_pair_twice_in_table_refused(client, login_as, organizer, app):
    login_as(organizer)
    form = settings_form(app)
    form["affinity-1-sector_a"], form["affinity-1-sector_b"] = form["affinity-0-sector_b"], form["affinity-0-sector_a"]
    response = client.post("/organizer/matching", data=form)
    assert response.status_code == 422
    assert "The table lists the same pair twice; reload the page." in response.get_data(as_text=True)


def test_removed_row_needs_no_strength(client, login_as, organizer, app):
    login_as(organizer)
    with app.app_context():
        count = len(matching.affinity_rows())
    form = settings_form(app, **{"affinity-0-remove": "y", "affinity-0-strength": ""})
    assert client.post("/organizer/matching", data=form).status_code == 302
    with app.app_context():
        assert len(matching.affinity_rows()) == count - 1


def test_bad_strength_in_table_summarised_without_raw_data(client, login_as, organizer, app):
    login_as(organizer)
    response = client.post("/organizer/matching", data=settings_form(app, **{"affinity-3-strength": "abc"}))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert '<a href="#affinity">Related sectors: correct the marked entries.</a>' in page
    assert "{}" not in page and "{'strength'" not in page
    assert "A strength is a number above 0 and at most 1." in field_errors(page)["affinity-3-strength"]


def test_organizer_view_of_matches_has_no_request_button(client, login_as, organizer, forum_pair):
    login_as(organizer)
    page = client.get(f"/companies/{forum_pair['dairy']}/matches").get_data(as_text=True)
    assert "Request a meeting" not in page
    assert "The companies suggested to Esik Dairy Plant" in page


def test_recommend_cli_unicode_digit_is_not_an_id(runner, forum_pair):
    result = runner.invoke(args=["recommend", "--company", "²"])
    assert result.exit_code == 2
    assert "No company is called “²”" in result.output
