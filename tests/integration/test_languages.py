"""The interface in English, Russian, Uzbek and Kazakh: choosing the language, the switcher, what is translated
(the interface, e-mails, sector names, dates and numbers) and what is not (what companies wrote), and
matching across languages and scripts."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from babel.dates import format_interval
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from forum.extensions import db
from forum.models import Forum, OutboxEmail, Sector, User
from forum.services import matching, meetings, taxonomy
from tests import factories
from tests.integration.test_matching import shown_partners

RUSSIAN_BROWSER = {"Accept-Language": "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"}


def words(app: Flask, code: str, msgid: str, **variables) -> str:
    """``msgid`` as the catalog of ``code`` words it: the tests name the English and read the translation."""
    with app.test_request_context(), force_locale(code):
        return gettext(msgid, **variables)


def page_language(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def nav_says(page: str, text: str) -> bool:
    return f">{html.escape(text)}</a>" in page


@pytest.fixture
def delegate(make_user) -> int:
    return make_user(email="aigerim@example.kz")


def locale_of(app: Flask, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).locale


# --- choosing the language ----------------------------------------------------------------------------------


def test_browser_language_is_used_when_nothing_is_saved(app, client):
    page = client.get("/companies/", headers=RUSSIAN_BROWSER).get_data(as_text=True)
    assert page_language(page) == "ru"
    companies = words(app, "ru", "Companies")
    assert companies != "Companies" and nav_says(page, companies)


@pytest.mark.parametrize("header, expected", [
    ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
    ("uz-Latn-UZ,uz;q=0.9", "uz"),
    # The reader's first language wins even when only a lower-ranked one matches a code exactly.
    ("kk-KZ,ru-RU;q=0.9,en;q=0.8", "kk"),
    ("uz-UZ,ru;q=0.8", "uz"),
    ("ru-RU,en;q=0.5", "ru"),
    ("uz-Latn-UZ,en;q=0.9", "uz"),
    ("ru-RU,*;q=0.5", "ru"),
    ("en;q=0,ru", "ru"),  # q=0 means "not this one"
    ("fr-FR,fr;q=0.9,ru;q=0.5", "ru"),  # French is not offered: the next language the browser accepts
    ("fr-FR,de;q=0.9", "en"),  # none offered: the forum's default
    ("*", "en"),
    ("", "en"),
])
def test_accept_language_picks_the_best_offered_language(client, header, expected):
    page = client.get("/", headers={"Accept-Language": header} if header else {}).get_data(as_text=True)
    assert page_language(page) == expected


@pytest.mark.parametrize("app_config", [{"BABEL_DEFAULT_LOCALE": "ru"}])
def test_forum_default_applies_when_the_browser_names_no_offered_language(app, client):
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert page_language(page) == "ru"


def test_unknown_default_language_is_refused_at_start(tmp_path):
    from forum import create_app

    with pytest.raises(ValueError, match="BABEL_DEFAULT_LOCALE must be one of en, ru, uz, kk"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "BABEL_DEFAULT_LOCALE": "fr",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})


def test_header_switcher_is_a_plain_form_naming_each_language_in_itself(client):
    page = client.get("/companies/?q=dairy").get_data(as_text=True)
    switcher = re.search(r'<details class="lang-switch".*?</details>', page, re.S).group(0)
    assert 'method="post" action="/language"' in switcher
    assert 'name="next" value="/companies/?q=dairy"' in switcher
    buttons = re.findall(r'<button type="submit" name="locale" value="(\w+)" lang="\w+"[^>]*>([^<]+)</button>',
                         switcher)
    assert buttons == [("en", "English"), ("ru", "Русский"), ("uz", "Oʻzbekcha"), ("kk", "Қазақша")]
    assert 'value="en" lang="en" aria-current="true"' in switcher


def test_choice_in_the_switcher_beats_the_browser_and_returns_to_the_page(app, client):
    response = client.post("/language", data={"locale": "kk", "next": "/companies/?q=dairy"},
                           headers=RUSSIAN_BROWSER)
    assert response.status_code == 303
    assert response.headers["Location"] == "/companies/?q=dairy"
    page = client.get("/companies/", headers=RUSSIAN_BROWSER).get_data(as_text=True)
    assert page_language(page) == "kk"
    assert nav_says(page, words(app, "kk", "Companies"))


def test_logged_in_choice_is_saved_on_the_account_and_follows_it_to_another_browser(app, client, delegate,
                                                                                      login_as):
    login_as(delegate)
    client.post("/language", data={"locale": "uz", "next": "/"})
    assert locale_of(app, delegate) == "uz"

    laptop = app.test_client()
    laptop.post("/login", data={"email": "aigerim@example.kz", "password": factories.PASSWORD},
                headers=RUSSIAN_BROWSER)
    page = laptop.get("/companies/", headers=RUSSIAN_BROWSER).get_data(as_text=True)
    assert page_language(page) == "uz"


def test_account_page_says_which_language_is_saved(app, client, delegate, login_as):
    login_as(delegate)
    page = client.get("/account").get_data(as_text=True)
    assert "Not chosen: pages follow your browser's language, and e-mails come in English." in html.unescape(page)
    client.post("/language", data={"locale": "kk", "next": "/account"})
    page = client.get("/account").get_data(as_text=True)
    shown = re.search(r'data-testid="account-language">(.*?)</dd>', page, re.S).group(1)
    assert shown.startswith("Қазақша") and html.escape(words(app, "kk", "E-mails to you are written in it too.")) in shown


def test_choice_survives_logging_in_and_out(app, client, delegate, login_as):
    client.post("/language", data={"locale": "ru", "next": "/"})
    login_as(delegate)
    assert page_language(client.get("/companies/").get_data(as_text=True)) == "ru"
    logged_out = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert page_language(logged_out) == "ru"
    assert html.escape(words(app, "ru", "You are logged out.")) in logged_out


def test_choice_is_kept_by_the_browser_after_it_closes(client):
    response = client.post("/language", data={"locale": "uz", "next": "/"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("forum_lang="))
    assert "forum_lang=uz" in cookie and "Max-Age=" in cookie and "HttpOnly" in cookie


@pytest.mark.parametrize("value", ["xx", "", "RU", "ru-RU"])
def test_an_odd_language_cookie_is_ignored(client, value):
    client.set_cookie("forum_lang", value)
    page = client.get("/", headers={"Accept-Language": "kk"})
    assert page.status_code == 200 and page_language(page.get_data(as_text=True)) == "kk"


def test_choice_made_before_logging_in_becomes_the_accounts(app, client, delegate):
    client.post("/language", data={"locale": "kk", "next": "/"})
    client.post("/login", data={"email": "aigerim@example.kz", "password": factories.PASSWORD})
    assert locale_of(app, delegate) == "kk"


def test_accounts_language_stays_in_this_browser_after_logging_out(app, client, make_user):
    user = make_user(email="saved@example.kz", locale="kk")
    client.post("/login", data={"email": "saved@example.kz", "password": factories.PASSWORD},
                headers={"Accept-Language": "en"})
    assert page_language(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "kk"
    client.post("/logout")
    assert page_language(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "kk"
    assert user


def test_someone_who_never_chose_gets_e_mails_in_the_language_they_use(app, client, delegate):
    """A delegate who signed up or logged in with a Russian browser and never touched the switcher."""
    client.post("/login", data={"email": "aigerim@example.kz", "password": factories.PASSWORD},
                headers=RUSSIAN_BROWSER)
    with app.app_context():
        user = db.session.get(User, delegate)
        assert (user.locale, user.last_locale) == (None, "ru")
        own = user.company_id
        other = factories.company(name="Qarshi Film", sectors=("packaging",))
        asker = factories.user(company_id=other)
    with app.test_request_context():  # the asker reads English
        meetings.request_meeting(db.session.get(User, asker), other, own)
        subject = db.session.scalar(select(OutboxEmail.subject).where(OutboxEmail.to == "aigerim@example.kz"))
    assert subject == words(app, "ru", "%(company)s asks for a meeting", company="Qarshi Film")


def test_switcher_on_a_page_answered_to_a_form_comes_back_to_it(client):
    page = client.post("/login", data={"email": "nobody@example.kz", "password": "wrong"}).get_data(as_text=True)
    assert 'name="next" value="/login"' in page


def test_uzbek_names_typed_with_a_keyboard_apostrophe_are_found(app, client, make_company):
    make_company(name="Guzar Textile", sectors=("textiles",), offers="Cotton yarn", needs="Dyes")
    make_company(name="Qarshi Oʻgʻit", sectors=("agriculture",), offers="Mineral oʻgʻitlar", needs="Seeds")
    textiles = words(app, "uz", "Textiles")
    assert "ʻ" in textiles
    for typed in (textiles.replace("ʻ", "'"), textiles.replace("ʻ", "‘"), textiles.replace("ʻ", "`")):
        found = client.get("/companies/", query_string={"q": typed}).get_data(as_text=True)
        assert "Guzar Textile" in found and "Qarshi Oʻgʻit" not in found, typed
    found = client.get("/companies/", query_string={"q": "o'g'itlar"}).get_data(as_text=True)
    assert "Qarshi Oʻgʻit" in found and "Guzar Textile" not in found
    with app.test_request_context():
        assert taxonomy.sector_lookup()[words(app, "uz", "Agriculture").replace("ʻ", "'").casefold()].key == \
            "agriculture"


def test_unknown_language_is_refused_with_a_message_and_nothing_saved(app, client, delegate, login_as):
    login_as(delegate)
    response = client.post("/language", data={"locale": "xx", "next": "/companies/"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Choose one of the offered languages." in response.get_data(as_text=True)
    assert locale_of(app, delegate) is None
    assert page_language(client.get("/").get_data(as_text=True)) == "en"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\t/evil.example", ""])
def test_switcher_never_redirects_off_site(client, target):
    response = client.post("/language", data={"locale": "ru", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_pages_vary_by_language_for_caches(client):
    vary = client.get("/").headers["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


# --- what is translated -------------------------------------------------------------------------------------


def test_sector_names_are_translated_and_an_organizers_own_label_is_not(app, client, make_company):
    make_company(name="Esik Dairy", sectors=("dairy",))
    with app.app_context():
        own = Sector(key="silk", label="Silk road crafts", position=99)
        db.session.add(own)
        db.session.commit()
    page = client.get("/", headers=RUSSIAN_BROWSER).get_data(as_text=True)
    dairy = words(app, "ru", "Dairy")
    assert dairy != "Dairy" and html.escape(dairy) in page
    form = client.get("/companies/", headers=RUSSIAN_BROWSER).get_data(as_text=True)
    assert f">{html.escape(dairy)}</option>" in form
    assert ">Silk road crafts</option>" in form


def test_company_texts_stay_in_the_language_they_were_written_in(app, client, make_company):
    film = make_company(name="Qarshi Polymer Film", offers="Multilayer barrier film for milk pouches",
                        needs="Polyethylene granules")
    dairy = make_company(name="ТОО «Есик Сүт»", offers="Пастеризованное молоко и кефир", needs="Упаковка")
    page = client.get(f"/companies/{film}", headers=RUSSIAN_BROWSER).get_data(as_text=True)
    assert page_language(page) == "ru" and "Multilayer barrier film for milk pouches" in page
    page = client.get(f"/companies/{dairy}").get_data(as_text=True)
    assert page_language(page) == "en" and "Пастеризованное молоко и кефир" in page


def test_dates_and_numbers_are_written_the_readers_way(app, client):
    with app.app_context():
        forum = db.session.scalar(select(Forum)) or Forum(name="Kashkadarya Invest-2024")
        forum.starts_on, forum.ends_on = date(2024, 5, 14), date(2024, 5, 16)
        db.session.add(forum)
        db.session.commit()
    for code in ("ru", "uz", "kk"):
        page = client.get("/", headers={"Accept-Language": code}).get_data(as_text=True)
        expected = format_interval(date(2024, 5, 14), date(2024, 5, 16), skeleton="yMMMd", locale=code)
        assert html.escape(expected) in page, code
        assert "May" not in expected
    with app.test_request_context(), force_locale("ru"):
        from flask_babel import format_percent

        assert format_percent(0.85) == "85\xa0%"  # what My matches shows in Russian (see below)


def test_match_list_in_russian_shows_russian_reasons_and_percentages(app, client, login_as):
    with app.app_context():
        almaty = factories.delegation("Almaty Region (Kazakhstan)")
        kashka = factories.delegation("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
        dairy = factories.company(name="Esik Dairy", sectors=("dairy",), delegation_id=almaty,
                                  offers="Pasteurised milk", needs="Packaging film for milk pouches")
        factories.company(name="Qarshi Film", sectors=("packaging",), delegation_id=kashka,
                          offers="Multilayer packaging film for dairy", needs="Fresh milk")
        user = factories.user(company_id=dairy, locale="ru")
        matching.recompute_all()
    login_as(user)
    page = client.get(f"/companies/{dairy}/matches").get_data(as_text=True)
    assert page_language(page) == "ru"
    assert re.search(r'class="score-number">\d{1,3}\xa0%<', page)
    # Every reason is a Russian sentence around what the companies wrote (quoted as written).
    reasons = re.findall(r"<li>(.*?)</li>", re.search(r'<ul class="reasons">(.*?)</ul>', page, re.S).group(1))
    assert reasons
    for reason in reasons:
        assert re.search("[а-яё]{3}", re.sub(r"«[^»]*»|“[^”]*”", "", html.unescape(reason))), reason
    assert "You need" not in page and "They need" not in page


def test_cached_page_is_not_served_in_another_language(app, client, login_as, delegate):
    login_as(delegate)
    first = client.get("/my/agenda", follow_redirects=True).get_data(as_text=True)
    assert page_language(first) == "en"
    client.post("/language", data={"locale": "ru", "next": "/"})
    again = client.get("/my/agenda", follow_redirects=True).get_data(as_text=True)
    assert page_language(again) == "ru"
    assert words(app, "ru", "My agenda") in again


def test_notice_e_mails_are_written_in_each_recipients_language(app):
    with app.app_context():
        dairy = factories.company(name="Esik Dairy")
        film = factories.company(name="Qarshi Film", sectors=("packaging",))
        asker = factories.user(company_id=dairy, locale="ru")
        kazakh = factories.user(email="kk@film.example", company_id=film, locale="kk")
        unset = factories.user(email="none@film.example", company_id=film)
    with app.test_request_context(headers=RUSSIAN_BROWSER):  # the asker reads Russian
        meetings.request_meeting(db.session.get(User, asker), dairy, film, "О плёнке")
        subjects = dict(db.session.execute(select(OutboxEmail.to, OutboxEmail.subject)).all())
    assert subjects["kk@film.example"] == words(app, "kk", "%(company)s asks for a meeting", company="Esik Dairy")
    assert subjects["none@film.example"] == "Esik Dairy asks for a meeting"  # the forum's default
    assert kazakh and unset


def test_password_reset_mail_comes_in_the_language_it_was_asked_in(app, client, delegate):
    client.post("/password/forgot", data={"email": "aigerim@example.kz"}, headers={"Accept-Language": "uz"})
    with app.app_context():
        subject = db.session.scalar(select(OutboxEmail.subject).order_by(OutboxEmail.id.desc()))
    assert subject == words(app, "uz", "Set a new password for the forum") != "Set a new password for the forum"


def test_reset_asked_from_another_browser_comes_in_that_language_not_the_last_one(app, client, delegate):
    client.post("/login", data={"email": "aigerim@example.kz", "password": factories.PASSWORD},
                headers=RUSSIAN_BROWSER)  # last logged in with Russian
    client.post("/logout")
    app.test_client().post("/password/forgot", data={"email": "aigerim@example.kz"},
                           headers={"Accept-Language": "kk"})
    with app.app_context():
        subject = db.session.scalar(select(OutboxEmail.subject).order_by(OutboxEmail.id.desc()))
    assert subject == words(app, "kk", "Set a new password for the forum")


def test_import_and_search_accept_sector_names_in_any_language(app, client, make_company):
    make_company(name="Esik Dairy", sectors=("dairy",))
    with app.test_request_context():
        lookup = taxonomy.sector_lookup()
        for code in ("ru", "uz", "kk"):
            assert lookup[words(app, code, "Dairy").casefold()].key == "dairy"
    make_company(name="Shahrisabz Heritage Hotel", sectors=("tourism",), offers="Rooms", needs="Tour groups")
    for code in ("ru", "uz", "kk"):
        found = client.get("/companies/", query_string={"q": words(app, code, "Dairy")}).get_data(as_text=True)
        assert "Esik Dairy" in found and "Shahrisabz Heritage Hotel" not in found, code


# --- matching across languages and scripts -------------------------------------------------------------------


def test_company_writing_in_russian_finds_its_english_writing_partner(app, client, login_as):
    """An Almaty orchard describes itself in Russian; the partner it needs wrote in English, in another sector,
    among English-writing companies of that partner's own sector and others."""
    with app.app_context():
        almaty = factories.delegation("Almaty Region (Kazakhstan)")
        kashka = factories.delegation("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
        orchard = factories.company(
            name="ТОО «Сады Талгара»", sectors=("fruit-vegetables",), delegation_id=almaty, languages=["ru"],
            offers="Свежие яблоки, абрикосы и черешня урожая 2024 года, калибровка и сортировка",
            needs="Холодильные склады и рефрижераторные перевозки фруктов в Узбекистан")
        cold_chain = factories.company(
            name="Qarshi Cold Chain", sectors=("logistics",), delegation_id=kashka, languages=["en"],
            offers="Refrigerated trucks and cold storage warehouses for fruit and vegetables",
            needs="Fresh apples and apricots for export")
        for name, sector, offers, needs in [
            ("Kitob Customs Brokers", "logistics", "Customs brokerage and document services", "Office furniture"),
            ("Karshi Cement", "construction-materials", "Portland cement and concrete blocks", "Limestone"),
            ("Shahrisabz Heritage Hotel", "tourism", "Hotel rooms and guided city tours", "Tour operators"),
            ("Guzar Textile", "textiles", "Cotton yarn and knitted fabric", "Dyes and sewing machines"),
        ]:
            factories.company(name=name, sectors=(sector,), delegation_id=kashka, languages=["en"],
                              offers=offers, needs=needs)
        russian_user = factories.user(company_id=orchard)
        english_user = factories.user(company_id=cold_chain)
        matching.recompute_all()

    login_as(russian_user)
    page = client.get(f"/companies/{orchard}/matches").get_data(as_text=True)
    assert shown_partners(page)[0] == "Qarshi Cold Chain"
    client.post("/logout")
    login_as(english_user)
    page = client.get(f"/companies/{cold_chain}/matches").get_data(as_text=True)
    assert shown_partners(page)[0] == "ТОО «Сады Талгара»"
