"""Integration tests: the company directory, the company page and editing a profile, end to end."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from forum.extensions import db
from forum.models import Company, Role
from forum.services import taxonomy
from tests import factories
from tests.integration.profile_cases import BAD_PROFILE

# --- helpers ---------------------------------------------------------------------------------------


def field_errors(page: str) -> dict[str, list[str]]:
    """The error messages shown next to each field, by field id, as the reader sees them."""
    found = {}
    for field_id, items in re.findall(r'<ul class="field-errors" id="([^"]+)-errors">(.*?)</ul>', page, re.S):
        found[field_id] = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", items, re.S)]
    return found


def listed_names(page: str) -> list[str]:
    """The company names on a directory page, in the order shown."""
    return [html.unescape(name) for name in re.findall(r'<h2 class="card-title"><a href="[^"]+">(.*?)</a>', page)]


def link(page: str, rel: str) -> tuple[str, dict[str, list[str]]] | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    if found is None:
        return None
    parts = urlsplit(html.unescape(found.group(1)))
    return parts.path, parse_qs(parts.query)


class _FormReader(HTMLParser):
    """What a browser would submit from the profile form, untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str | list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = "form-card" in (a.get("class") or "")
        if not self._in_form:
            return
        if tag == "input" and a.get("type") == "checkbox":
            if "checked" in a:
                self.values.setdefault(a["name"], []).append(a.get("value", "on"))
        elif tag == "input" and a.get("type") != "submit":
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a["value"]
            if "selected" in a:
                self.values[self._select] = a["value"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            self.values.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(page: str) -> dict[str, str | list[str]]:
    reader = _FormReader()
    reader.feed(page)
    values = reader.values
    for name in ("offers", "needs", "description"):
        # A browser drops the newline that opens a textarea.
        values[name] = values[name].removeprefix("\r\n").removeprefix("\n")
    return values


def snapshot(app, company_id: int) -> dict:
    """Everything a profile edit could change, to prove that a refused edit changed nothing."""
    with app.app_context():
        company = db.session.get(Company, company_id)
        columns = {c.key: getattr(company, c.key) for c in Company.__table__.columns if c.key != "updated_at"}
        return {**columns, "sectors": [s.key for s in company.sectors]}


@pytest.fixture
def sector_ids(app) -> dict[str, int]:
    with app.app_context():
        return {key: factories.sector_ids(key)[0]
                for key in ("dairy", "packaging", "textiles", "logistics", "energy")}


# --- directory ---------------------------------------------------------------------------------------


def test_directory_lists_companies_by_name(client, make_company):
    for name in ("Samarkand Silk", "Aral Fish", "Dala Milk"):
        make_company(name=name)

    response = client.get("/companies/")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert listed_names(page) == ["Aral Fish", "Dala Milk", "Samarkand Silk"]
    assert "3 companies" in page


def test_directory_without_companies_says_none_registered(client):
    page = client.get("/companies/").get_data(as_text=True)

    assert "No company has registered yet." in page
    assert "Be the first to register" in page
    assert listed_names(page) == []


def test_directory_filters_by_delegation(client, make_company, make_delegation):
    almaty, kashkadarya = make_delegation(name="Almaty Region"), make_delegation(name="Kashkadarya Region")
    make_company(name="Dala Milk", delegation_id=almaty)
    make_company(name="Qarshi Cotton", delegation_id=kashkadarya)
    make_company(name="Talgar Apples", delegation_id=almaty)

    page = client.get(f"/companies/?delegation={kashkadarya}").get_data(as_text=True)

    assert listed_names(page) == ["Qarshi Cotton"]
    assert f'<option selected value="{kashkadarya}">Kashkadarya Region</option>' in page


def test_directory_filters_by_sector(client, make_company, sector_ids):
    make_company(name="Dala Milk", sectors=("dairy",))
    make_company(name="Film Pack", sectors=("packaging", "dairy"))
    make_company(name="Qarshi Cotton", sectors=("textiles",))

    page = client.get(f"/companies/?sector={sector_ids['dairy']}").get_data(as_text=True)

    assert listed_names(page) == ["Dala Milk", "Film Pack"]


def test_directory_combines_delegation_sector_and_text(client, make_company, make_delegation, sector_ids):
    almaty, kashkadarya = make_delegation(name="Almaty Region"), make_delegation(name="Kashkadarya Region")
    make_company(name="Dala Milk", delegation_id=almaty, sectors=("dairy",), offers="Fresh milk")
    make_company(name="Qarshi Milk", delegation_id=kashkadarya, sectors=("dairy",), offers="Fresh milk")
    make_company(name="Qarshi Cheese", delegation_id=kashkadarya, sectors=("dairy",), offers="Aged cheese")

    page = client.get(f"/companies/?delegation={kashkadarya}&sector={sector_ids['dairy']}&q=milk")

    assert listed_names(page.get_data(as_text=True)) == ["Qarshi Milk"]


@pytest.fixture
def search_companies(make_company, make_delegation):
    # A named delegation: the default "Delegation <n>" is searchable text, and "100" would find it once the
    # test data counter passes 100 (it did, depending on which tests ran before).
    make_delegation(name="Almaty Region")
    make_company(name="Dala Dairy", city="Talgar", sectors=("dairy",),
                 offers="Молоко и кефир", needs="Glass bottles")
    make_company(name="Silk Road Weavers", city="Samarkand", sectors=("textiles",),
                 offers="Cotton yarn", needs="Dyeing equipment")
    make_company(name="Cold Chain Partners", city="Qarshi", sectors=("logistics",),
                 offers="Cold storage, 100% guaranteed", needs="Refrigerated trucks")
    make_company(name="Flour Mill", city="Shymkent", sectors=("energy",),
                 offers="100 tonnes of flour a month", needs="Solar panels")


@pytest.mark.parametrize(("q", "expected"), [
    ("dala", ["Dala Dairy"]),                                       # name
    ("DYEING", ["Silk Road Weavers"]),                              # needs, other case
    ("cotton yarn", ["Silk Road Weavers"]),                         # offers
    ("qarshi", ["Cold Chain Partners"]),                            # city
    ("textiles", ["Silk Road Weavers"]),                            # sector label
    ("Transport", ["Cold Chain Partners"]),                         # sector label "Logistics & transport"
    ("молоко", ["Dala Dairy"]),
    ("МОЛОКО", ["Dala Dairy"]),                                     # Cyrillic, case-insensitive
    ("Кефир", ["Dala Dairy"]),
    ("  cold   storage  ", ["Cold Chain Partners"]),                # every word, extra spaces
    ("100", ["Cold Chain Partners", "Flour Mill"]),
    ("100%", ["Cold Chain Partners"]),                              # % is a character, not a wildcard
    ("%", ["Cold Chain Partners"]),
    ("_", []),                                                      # _ is a character, not a wildcard
    ("fl_ur", []),
])
def test_directory_text_search_finds_every_word_anywhere(client, search_companies, q, expected):
    response = client.get("/companies/", query_string={"q": q})

    assert response.status_code == 200
    assert listed_names(response.get_data(as_text=True)) == expected


def test_directory_search_requires_all_words(client, search_companies):
    page = client.get("/companies/", query_string={"q": "cold kefir"}).get_data(as_text=True)

    assert listed_names(page) == []
    assert "No company matches these filters." in page
    assert "No company has registered yet." not in page


def test_directory_search_keeps_the_query_in_the_box_escaped(client, search_companies):
    page = client.get("/companies/", query_string={"q": '"><script>alert(1)</script>'}).get_data(as_text=True)

    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script>alert(1)</script>" not in page


def test_directory_search_with_control_characters_does_not_crash(client, search_companies):
    response = client.get("/companies/", query_string={"q": "мол\x00око\x1b"})

    assert response.status_code == 200
    assert listed_names(response.get_data(as_text=True)) == ["Dala Dairy"]


def test_directory_paginates_and_keeps_the_filters(app, client, make_company, sector_ids):
    per_page = app.config["DIRECTORY_PER_PAGE"]
    names = [f"Milk Farm {n:03d}" for n in range(per_page + 1)]
    for name in names:
        make_company(name=name, sectors=("dairy",))
    make_company(name="Steel Works", sectors=("energy",))
    query = f"?q=milk&sector={sector_ids['dairy']}"

    first = client.get(f"/companies/{query}").get_data(as_text=True)
    second = client.get(f"/companies/{query}&page=2").get_data(as_text=True)

    assert listed_names(first) == names[:per_page]
    assert listed_names(second) == names[per_page:]
    filters = {"q": ["milk"], "sector": [str(sector_ids["dairy"])]}
    assert link(first, "next") == ("/companies/", {**filters, "page": ["2"]})
    assert link(first, "prev") is None
    assert link(second, "prev") == ("/companies/", {**filters, "page": ["1"]})
    assert link(second, "next") is None
    assert f"{per_page + 1} companies · page 2 of 2" in second


def test_directory_page_past_the_end_offers_the_first_page(client, make_company):
    make_company(name="Dala Milk")

    response = client.get("/companies/?q=dala&page=9999")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "There is no page 9999." in page
    assert 'href="/companies/?q=dala&amp;page=1"' in page


@pytest.mark.parametrize("query", [
    "delegation=abc",
    "delegation=99999",
    "delegation=",
    "sector=99999",
    "sector=abc",
    "sector=-1",
    "page=-5",
    "page=0",
    "page=abc",
    "page=1.5",
    "delegation=1%00",
    "q=%00%00",
])
def test_directory_garbage_parameters_are_ignored(client, make_company, query):
    make_company(name="Dala Milk")

    response = client.get(f"/companies/?{query}")

    assert response.status_code == 200
    assert listed_names(response.get_data(as_text=True)) == ["Dala Milk"]


def test_directory_page_beyond_any_integer_gives_the_no_such_page_message(client, make_company):
    make_company(name="Dala Milk")

    response = client.get("/companies/?page=99999999999999999999")

    assert response.status_code == 200
    assert "There is no page 100000." in response.get_data(as_text=True)
    assert "Invalid Choice" not in response.get_data(as_text=True)


def test_directory_invalid_filters_show_no_form_errors(client, make_company):
    make_company(name="Dala Milk")

    page = client.get("/companies/?sector=nonsense&delegation=999").get_data(as_text=True)

    assert listed_names(page) == ["Dala Milk"]
    assert 'class="field-errors"' not in page


def test_directory_very_long_search_uses_its_first_words(client, make_company):
    make_company(name="Dala Milk", offers="Молоко и кефир")
    make_company(name="Steppe Bricks", offers="Clay bricks")

    response = client.get("/companies/", query_string={"q": ("молоко " * 715)[:5000]})

    assert response.status_code == 200
    assert listed_names(response.get_data(as_text=True)) == ["Dala Milk"]


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "_external=1&_scheme=javascript", "_anchor=x"])
def test_directory_parameters_named_like_url_options_do_not_break_the_page_links(app, client, make_company,
                                                                                 query):
    for n in range(app.config["DIRECTORY_PER_PAGE"] + 1):
        make_company(name=f"Company {n:03d}")

    for url in (f"/companies/?{query}", f"/companies/?{query}&page=9999"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/companies/?{query}").get_data(as_text=True)
    assert link(page, "next") == ("/companies/", {"page": ["2"]})
    assert "javascript:" not in page
    assert "#x" not in page


# --- company page ------------------------------------------------------------------------------------


def test_company_page_shows_the_profile(client, make_company, make_delegation):
    company_id = make_company(
        name="Dala Milk", delegation_id=make_delegation(name="Almaty Region"), sectors=("dairy", "packaging"),
        city="Talgar", offers="Pasteurised milk and kefir", needs="Glass bottles", languages=["ru", "kk"],
        website="https://dala-milk.kz",
    )

    response = client.get(f"/companies/{company_id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<h1>Dala Milk</h1>" in page
    assert ">Almaty Region</a>" in page
    assert "Talgar, Kazakhstan" in page
    assert ">Dairy</a></li><li>" in page
    assert ">Packaging</a></li>" in page
    assert '<p class="prose">Pasteurised milk and kefir</p>' in page
    assert '<p class="prose">Glass bottles</p>' in page
    assert "Russian, Kazakh" in page
    assert ">dala-milk.kz</a>" in page
    assert "Edit profile" not in page


@pytest.mark.parametrize("url", ["/companies/99999", "/companies/2147483648",
                                 "/companies/99999999999999999999", "/companies/abc"])
def test_company_page_unknown_id_gives_the_404_page(client, make_company, url):
    make_company()

    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.fixture
def contact_company(make_company):
    return make_company(name="Dala Milk", contact_email="sales@dala-milk.kz", contact_phone="+7 701 555 12 34")


@pytest.mark.parametrize("viewer", ["anonymous", "participant of another company"])
def test_company_page_hides_contacts_from_outsiders(client, make_user, login_as, contact_company, viewer):
    if viewer != "anonymous":
        login_as(make_user())

    page = client.get(f"/companies/{contact_company}").get_data(as_text=True)

    assert "sales@dala-milk.kz" not in page
    assert "+7 701 555 12 34" not in page
    assert "Visible to the company's own delegates, its meeting partners and the forum organizers." in page
    assert "Edit profile" not in page


@pytest.mark.parametrize("viewer", ["own delegate", "organizer"])
def test_company_page_shows_contacts_to_its_delegate_and_organizers(client, make_user, login_as,
                                                                    contact_company, viewer):
    if viewer == "organizer":
        login_as(make_user(role=Role.ORGANIZER, company_id=None))
    else:
        login_as(make_user(company_id=contact_company))

    page = client.get(f"/companies/{contact_company}").get_data(as_text=True)

    assert '<a href="mailto:sales@dala-milk.kz">sales@dala-milk.kz</a>' in page
    assert '<a href="tel:+77015551234">+7 701 555 12 34</a>' in page
    assert "Edit profile" in page


# --- editing -----------------------------------------------------------------------------------------


@pytest.fixture
def owned(make_company, make_user, make_delegation):
    """A company in Almaty Region and the id of its own delegate."""
    delegation_id = make_delegation(name="Almaty Region")
    company_id = make_company(name="Dala Milk", delegation_id=delegation_id, offers="Fresh milk",
                              needs="Glass bottles", website="https://dala-milk.kz")
    return company_id, make_user(company_id=company_id)


def edit_form(client, company_id: int, **changes) -> dict:
    """The edit form as the browser shows it, with some fields changed."""
    response = client.get(f"/companies/{company_id}/edit")
    assert response.status_code == 200
    values = form_values(response.get_data(as_text=True))
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def test_edit_form_is_filled_with_the_profile(client, login_as, owned, sector_ids):
    company_id, user_id = owned
    login_as(user_id)

    values = edit_form(client, company_id)

    assert values["name"] == "Dala Milk"
    assert values["offers"] == "Fresh milk"
    assert values["needs"] == "Glass bottles"
    assert values["sectors"] == [str(sector_ids["dairy"])]
    assert values["languages"] == ["ru"]
    assert values["website"] == "https://dala-milk.kz"
    assert "opted_out" not in values


def test_edit_by_owner_shows_the_change_on_the_company_page(app, client, login_as, owned, sector_ids):
    company_id, user_id = owned
    login_as(user_id)

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(
        client, company_id, offers="Fresh milk\nAyran in 1 l bottles", city="Esik",
        sectors=[str(sector_ids["dairy"]), str(sector_ids["packaging"])],
    ))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company_id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your changes to Dala Milk are saved." in page
    assert "Ayran in 1 l bottles" in page
    assert "Esik, Kazakhstan" in page
    assert snapshot(app, company_id)["sectors"] == ["dairy", "packaging"]


def test_edit_content_change_increases_the_profile_version(app, client, login_as, owned):
    company_id, user_id = owned
    login_as(user_id)
    assert snapshot(app, company_id)["profile_version"] == 1

    client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id, needs="Glass bottles, 0.5 l"))
    assert snapshot(app, company_id)["profile_version"] == 2
    client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id, opted_out="y"))
    assert snapshot(app, company_id)["profile_version"] == 3


def test_edit_resubmitted_unchanged_keeps_the_profile_version(app, client, login_as, owned):
    company_id, user_id = owned
    login_as(user_id)
    before = snapshot(app, company_id)

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id))

    assert response.status_code == 302
    assert snapshot(app, company_id) == before


def test_edit_resubmitted_with_languages_in_page_order_keeps_the_profile_version(app, client, login_as,
                                                                                 make_company, make_user):
    # An import stores languages in the file's order; the page sends them in its own order.
    company_id = make_company(name="Steppe Dairy", languages=["en", "ru"])
    login_as(make_user(company_id=company_id))
    before = snapshot(app, company_id)

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id))

    assert response.status_code == 302
    assert snapshot(app, company_id)["profile_version"] == before["profile_version"]


def test_edit_by_participant_of_another_company_is_forbidden(app, client, make_user, login_as, owned,
                                                             sector_ids):
    company_id, _ = owned
    before = snapshot(app, company_id)
    login_as(make_user())

    shown = client.get(f"/companies/{company_id}/edit")
    sent = client.post(f"/companies/{company_id}/edit", data={
        "name": "Taken Over", "delegation": str(before["delegation_id"]), "country": "Kazakhstan",
        "sectors": [str(sector_ids["energy"])], "offers": "Nothing",
    })

    assert (shown.status_code, sent.status_code) == (403, 403)
    assert "Not for this account" in shown.get_data(as_text=True)
    assert "Not for this account" in sent.get_data(as_text=True)
    assert snapshot(app, company_id) == before


def test_edit_by_organizer_works_for_any_company(app, client, make_user, login_as, owned):
    company_id, _ = owned
    login_as(make_user(role=Role.ORGANIZER, company_id=None))

    response = client.post(f"/companies/{company_id}/edit",
                           data=edit_form(client, company_id, name="Dala Milk Cooperative"))

    assert response.status_code == 302
    assert snapshot(app, company_id)["name"] == "Dala Milk Cooperative"
    assert "<h1>Dala Milk Cooperative</h1>" in client.get(f"/companies/{company_id}").get_data(as_text=True)


@pytest.mark.parametrize("method", ["get", "post"])
def test_edit_by_anonymous_redirects_to_login(app, client, owned, method):
    company_id, _ = owned
    before = snapshot(app, company_id)

    response = getattr(client, method)(f"/companies/{company_id}/edit", data={"name": "Taken Over"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fcompanies%2F{company_id}%2Fedit"
    assert snapshot(app, company_id) == before


def test_edit_unknown_company_gives_the_404_page(client, make_user, login_as):
    login_as(make_user(role=Role.ORGANIZER, company_id=None))

    for url in ("/companies/99999/edit", "/companies/99999999999999999999/edit"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["Aral Fish", "aral fish", "  ARAL   Fish "])
def test_edit_rename_to_a_taken_name_in_the_delegation_is_refused(app, client, login_as, make_company,
                                                                   owned, name):
    company_id, user_id = owned
    make_company(name="Aral Fish", delegation_id=snapshot(app, company_id)["delegation_id"])
    before = snapshot(app, company_id)
    login_as(user_id)

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id, name=name))

    shown = " ".join(name.split())
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "name": [f"A company called “{shown}” is already registered in Almaty Region."]
    }
    assert snapshot(app, company_id) == before


def test_edit_moving_to_a_delegation_with_the_same_name_is_refused(app, client, login_as, make_company,
                                                                  make_delegation, owned):
    company_id, user_id = owned
    other = make_delegation(name="Kashkadarya Region")
    make_company(name="Dala Milk", delegation_id=other)
    before = snapshot(app, company_id)
    login_as(user_id)

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id, delegation=str(other)))

    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "name": ["A company called “Dala Milk” is already registered in Kashkadarya Region."]
    }
    assert snapshot(app, company_id) == before


def test_edit_changing_only_the_case_of_its_own_name_is_allowed(app, client, login_as, owned):
    company_id, user_id = owned
    login_as(user_id)

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id, name="DALA MILK"))

    assert response.status_code == 302
    assert snapshot(app, company_id)["name"] == "DALA MILK"


BAD_EDITS = {
    **BAD_PROFILE,
    "name-empty": ({"name": ""}, {"name": ["Enter the company name."]}),
    "seven-sectors": ({"sectors": "seven"}, {"sectors": ["Choose at most 6 sectors."]}),
}


@pytest.mark.parametrize(("changes", "errors"), list(BAD_EDITS.values()), ids=list(BAD_EDITS))
def test_edit_bad_input_shows_the_message_at_the_field_and_changes_nothing(app, client, login_as, owned,
                                                                           changes, errors):
    company_id, user_id = owned
    before = snapshot(app, company_id)
    login_as(user_id)
    if changes.get("sectors") == "seven":
        with app.app_context():
            changes = {"sectors": [str(s.id) for s in taxonomy.all_sectors()[:7]]}

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(client, company_id, **changes))
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_errors(page) == errors
    assert "Please correct the marked fields." in page
    assert snapshot(app, company_id) == before


def test_edit_html_is_stored_as_text_and_shown_escaped(app, client, login_as, owned):
    company_id, user_id = owned
    login_as(user_id)
    script = "<script>alert(1)</script>"

    client.post(f"/companies/{company_id}/edit", data=edit_form(
        client, company_id, name=script, description=f"About {script}", contact_name=script,
    ))

    assert snapshot(app, company_id)["name"] == script
    for url in (f"/companies/{company_id}", f"/companies/{company_id}/edit", "/companies/"):
        page = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
        assert script not in page, url


def test_edit_control_characters_are_stripped(app, client, login_as, owned):
    company_id, user_id = owned
    login_as(user_id)

    response = client.post(f"/companies/{company_id}/edit", data=edit_form(
        client, company_id, name="Dala\x00 Milk\x01 Farm", needs="Bottles\x00\r\nand caps\x1f",
    ))

    assert response.status_code == 302
    after = snapshot(app, company_id)
    assert (after["name"], after["needs"]) == ("Dala Milk Farm", "Bottles\nand caps")


def test_my_company_sends_a_participant_to_their_edit_page(client, login_as, owned):
    company_id, user_id = owned
    login_as(user_id)

    response = client.get("/my/company")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company_id}/edit"


def test_my_company_sends_an_organizer_to_the_directory_with_a_message(client, make_user, login_as):
    login_as(make_user(role=Role.ORGANIZER, company_id=None))

    response = client.get("/my/company", follow_redirects=True)

    assert response.request.path == "/companies/"
    assert "Organizer accounts have no company of their own. Pick one from the directory." in (
        response.get_data(as_text=True))
