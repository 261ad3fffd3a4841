"""Integration tests: sign-up, login and logout through the real forms, views, services and database."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, Role, User
from tests import factories
from tests.integration.profile_cases import BAD_PROFILE

GOOD_PASSWORD = "green apricot valley"


# --- helpers ---------------------------------------------------------------------------------------


def field_errors(page: str) -> dict[str, list[str]]:
    """The error messages shown next to each field, by field id, as the reader sees them."""
    found = {}
    for field_id, items in re.findall(r'<ul class="field-errors" id="([^"]+)-errors">(.*?)</ul>', page, re.S):
        found[field_id] = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", items, re.S)]
    return found


def row_counts(app) -> tuple[int, int]:
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(User))
        companies = db.session.scalar(select(func.count()).select_from(Company))
    return users, companies


@pytest.fixture
def delegation_id(make_delegation) -> int:
    return make_delegation(name="Almaty Region", country="Kazakhstan")


@pytest.fixture
def sector_ids(app) -> dict[str, int]:
    with app.app_context():
        return {key: factories.sector_ids(key)[0] for key in ("dairy", "packaging", "logistics")}


@pytest.fixture
def signup_data(delegation_id, sector_ids):
    """A complete, valid sign-up form as a browser posts it; keyword arguments replace fields."""

    def build(**overrides) -> dict:
        data = {
            "full_name": "Aigerim Bekova",
            "email": "aigerim@dala-milk.kz",
            "password": GOOD_PASSWORD,
            "confirm": GOOD_PASSWORD,
            "name": "Dala Milk",
            "delegation": str(delegation_id),
            "country": "Kazakhstan",
            "city": "Talgar",
            "size": "small",
            "website": "dala-milk.kz",
            "sectors": [str(sector_ids["dairy"]), str(sector_ids["packaging"])],
            "offers": "Pasteurised milk and kefir, 20 tonnes a week",
            "needs": "Glass bottles and a cold-chain partner",
            "description": "A family dairy founded in 1998.",
            "languages": ["ru", "kk"],
            "contact_name": "Aigerim Bekova",
            "contact_email": "sales@dala-milk.kz",
            "contact_phone": "+7 701 555 12 34",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return build


def login(client, email: str, password: str = factories.PASSWORD, query: str = ""):
    return client.post(f"/login{query}", data={"email": email, "password": password})


# --- sign-up: the good path ------------------------------------------------------------------------


def test_signup_page_shows_the_form(client, delegation_id):
    response = client.get("/signup")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Register your company" in page
    assert f'<option value="{delegation_id}">Almaty Region</option>' in page


def test_signup_valid_creates_exactly_one_user_and_one_company(app, client, signup_data):
    assert row_counts(app) == (0, 0)

    response = client.post("/signup", data=signup_data())

    assert response.status_code == 302
    assert row_counts(app) == (1, 1)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "aigerim@dala-milk.kz"
        assert user.full_name == "Aigerim Bekova"
        assert user.role == Role.PARTICIPANT
        assert user.company.name == "Dala Milk"
        assert user.check_password(GOOD_PASSWORD)


def test_signup_valid_logs_in_and_redirects_to_the_company_page(app, client, signup_data):
    response = client.post("/signup", data=signup_data())

    with app.app_context():
        company_id = db.session.scalar(select(Company.id))
    assert response.headers["Location"] == f"/companies/{company_id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome! Dala Milk is registered for the forum." in page
    assert "Logged in as aigerim@dala-milk.kz" in page
    assert ">My company</a>" in page
    # The owner sees the contact details that anonymous visitors do not.
    assert "sales@dala-milk.kz" in page
    assert "+7 701 555 12 34" in page
    assert "Edit profile" in page


def test_signup_valid_saves_the_whole_profile(app, client, signup_data, delegation_id):
    client.post("/signup", data=signup_data(email="  Aigerim@Dala-Milk.KZ ", languages=["ru", "kk"]))

    with app.app_context():
        company = db.session.scalar(select(Company))
        assert [s.key for s in company.sectors] == ["dairy", "packaging"]
        assert company.languages == ["ru", "kk"]
        assert company.delegation_id == delegation_id
        assert company.size.value == "small"
        assert company.website == "https://dala-milk.kz"
        assert company.city == "Talgar"
        assert company.offers == "Pasteurised milk and kefir, 20 tonnes a week"
        assert company.contact_phone == "+7 701 555 12 34"
        assert company.profile_version == 1
        assert db.session.scalar(select(User.email)) == "aigerim@dala-milk.kz"


def test_signup_page_when_logged_in_redirects_to_my_company(client, make_user, login_as):
    login_as(make_user())

    response = client.get("/signup")

    assert response.status_code == 302
    assert response.headers["Location"] == "/my/company"
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "You are already registered and logged in." in page


def test_signup_page_without_delegations_shows_the_notice(client):
    response = client.get("/signup")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Registration opens once the organizers have added the delegations." in page
    assert 'name="password"' not in page


# --- sign-up: bad input ----------------------------------------------------------------------------

EMPTY_FORM_ERRORS = {
    "full_name": ["Enter your name."],
    "email": ["Enter your e-mail address."],
    "password": ["Choose a password."],
    "name": ["Enter the company name."],
    "delegation": ["Choose your delegation."],
    "country": ["Enter the country."],
    "sectors": ["Choose at least one sector."],
    "needs": ["Say what you offer, what you are looking for, or both."],
}

BAD_SIGNUPS = {
    **BAD_PROFILE,
    "password-too-short": (
        {"password": "short pw", "confirm": "short pw"}, {"password": ["Use at least 10 characters."]},
    ),
    "password-common": (
        {"password": "1234567890", "confirm": "1234567890"},
        {"password": ["This password is too easy to guess. Try a short phrase of several words."]},
    ),
    # From the breach list, not from the forum's own guesses: the whole list is in use.
    "password-common-breached": (
        {"password": "Tinkerbell", "confirm": "Tinkerbell"},
        {"password": ["This password is too easy to guess. Try a short phrase of several words."]},
    ),
    "password-is-email-local-part": (
        {"password": "aigerim.bekova", "confirm": "aigerim.bekova", "email": "aigerim.bekova@dala-milk.kz"},
        {"password": ["Do not use your e-mail address in your password."]},
    ),
    "password-confirmation-differs": (
        {"confirm": GOOD_PASSWORD + "!"}, {"confirm": ["The two passwords differ."]},
    ),
    "email-invalid": ({"email": "aigerim at dala-milk"},
                      {"email": ["“aigerim at dala-milk” is not a valid e-mail address."]}),
}


def test_signup_empty_form_shows_every_missing_field_and_writes_nothing(app, client, delegation_id):
    response = client.post("/signup", data={})
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_errors(page) == EMPTY_FORM_ERRORS
    assert "Please correct the marked fields." in page
    assert '<form method="post"' in page
    assert row_counts(app) == (0, 0)


@pytest.mark.parametrize(("overrides", "errors"), list(BAD_SIGNUPS.values()), ids=list(BAD_SIGNUPS))
def test_signup_bad_input_shows_the_message_at_the_field_and_writes_nothing(app, client, signup_data,
                                                                            overrides, errors):
    response = client.post("/signup", data=signup_data(**overrides))
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_errors(page) == errors
    assert '<form method="post"' in page
    assert row_counts(app) == (0, 0)


def test_signup_bad_input_keeps_what_was_typed(client, signup_data):
    page = client.post("/signup", data=signup_data(name="N" * 201)).get_data(as_text=True)

    assert 'value="Talgar"' in page
    assert "Glass bottles and a cold-chain partner" in page
    # A password is never sent back to the browser.
    assert GOOD_PASSWORD not in page


@pytest.mark.parametrize("email", ["a@b.kz", "A@B.kz", "  A@b.KZ  "])
def test_signup_duplicate_email_does_not_say_the_address_is_taken(app, client, signup_data, make_user, email):
    make_user(email="a@b.kz")
    before = row_counts(app)

    response = client.post("/signup", data=signup_data(email=email))

    # No "already exists" for a stranger to read; the owner is told by e-mail instead, and nothing is made.
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    assert "already exists" not in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_signup_refused_profile_answers_the_same_for_a_registered_and_a_free_address(
        app, client, signup_data, make_user, make_company, delegation_id):
    # A stranger posting a company name that is already taken must not learn from the answer whether the
    # e-mail has an account: the profile is checked before the address is looked up.
    make_user(email="owner@b.kz")
    make_company(name="Dala Milk", delegation_id=delegation_id)
    before = row_counts(app)

    registered = client.post("/signup", data=signup_data(email="owner@b.kz"))
    free = client.post("/signup", data=signup_data(email="nobody@b.kz"))

    assert (registered.status_code, field_errors(registered.get_data(as_text=True))) == \
        (free.status_code, field_errors(free.get_data(as_text=True)))
    assert registered.status_code == 422
    assert row_counts(app) == before


@pytest.mark.parametrize("name", ["Dala Milk", "dala milk", "  DALA   milk "])
def test_signup_duplicate_company_name_in_the_same_delegation_is_refused(app, client, signup_data,
                                                                          make_company, delegation_id, name):
    make_company(name="Dala Milk", delegation_id=delegation_id)
    before = row_counts(app)

    response = client.post("/signup", data=signup_data(name=name))

    shown = " ".join(name.split())
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "name": [f"A company called “{shown}” is already registered in Almaty Region."]
    }
    assert row_counts(app) == before


def test_signup_same_company_name_in_another_delegation_is_accepted(app, client, signup_data, make_company,
                                                                    make_delegation):
    make_company(name="Dala Milk", delegation_id=make_delegation(name="Kashkadarya Region"))

    response = client.post("/signup", data=signup_data())

    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Company.name == "Dala Milk")) == 2


def test_signup_html_and_sql_strings_are_stored_as_text_and_shown_escaped(app, client, signup_data):
    script = "<script>alert(1)</script>"
    sql = "'); DROP TABLE company;--"

    response = client.post("/signup", data=signup_data(name=script, offers=sql, needs=f"needs {script}"))

    assert response.status_code == 302
    with app.app_context():
        company = db.session.scalar(select(Company))
        assert (company.name, company.offers, company.needs) == (script, sql, f"needs {script}")
    for url in (response.headers["Location"], "/companies/", f"/companies/?q={sql}"):
        page = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
        assert script not in page, url
        assert "&#39;); DROP TABLE company;--" in page, url
    assert row_counts(app) == (1, 1)


def test_signup_control_characters_are_stripped_and_stored(app, client, signup_data):
    response = client.post("/signup", data=signup_data(
        full_name="Aigerim\x00 Bekova",
        email="aigerim\x00@dala-milk.kz",
        name="Dala\x00 Milk\x07",
        city="Tal\x1bgar",
        offers="Milk\x00 and kefir\r\nsecond\x0b line",
        needs="Bottles\x7f",
        contact_phone="+7 701\x00 555 12 34",
    ))

    assert response.status_code == 302
    with app.app_context():
        company = db.session.scalar(select(Company))
        user = db.session.scalar(select(User))
        assert (user.full_name, user.email) == ("Aigerim Bekova", "aigerim@dala-milk.kz")
        assert (company.name, company.city) == ("Dala Milk", "Talgar")
        assert (company.offers, company.needs) == ("Milk and kefir\nsecond line", "Bottles")
        assert company.contact_phone == "+7 701 555 12 34"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Dala Milk</h1>" in page


def test_signup_only_control_characters_counts_as_empty(app, client, signup_data):
    response = client.post("/signup", data=signup_data(name="\x00\x01\x02", country="\x00"))

    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "name": ["Enter the company name."],
        "country": ["Enter the country."],
    }
    assert row_counts(app) == (0, 0)


# --- login -------------------------------------------------------------------------------------------


def test_login_right_password_logs_in_and_goes_to_the_company(client, make_user, make_company):
    company_id = make_company()
    make_user(email="delegate@example.kz", company_id=company_id)

    response = login(client, "delegate@example.kz")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company_id}"
    page = client.get("/").get_data(as_text=True)
    assert "You are logged in." in page
    assert "Logged in as delegate@example.kz" in page


def test_login_as_organizer_goes_home(client, make_user):
    make_user(email="organizer@example.kz", role=Role.ORGANIZER, company_id=None)

    response = login(client, "organizer@example.kz")

    assert response.headers["Location"] == "/"


def test_login_page_shows_the_form(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="email"' in response.get_data(as_text=True)


def test_login_empty_form_asks_for_both_fields(client):
    response = client.post("/login", data={})

    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "email": ["Enter your e-mail address."],
        "password": ["Enter your password."],
    }


def test_login_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user(email="delegate@example.kz")

    wrong_password = login(client, "delegate@example.kz", "not-the-password-1")
    unknown_email = login(client, "nobody@example.kz", factories.PASSWORD)

    assert (wrong_password.status_code, unknown_email.status_code) == (422, 422)
    expected = {"password": ["The e-mail or the password is not right."]}
    assert field_errors(wrong_password.get_data(as_text=True)) == expected
    assert field_errors(unknown_email.get_data(as_text=True)) == expected
    assert "Logged in as" not in client.get("/").get_data(as_text=True)


def test_login_disabled_user_is_told_only_after_the_right_password(client, make_user):
    make_user(email="gone@example.kz", active=False)

    response = login(client, "gone@example.kz")
    wrong = login(client, "gone@example.kz", "wrong-password-123")

    assert response.status_code == 403
    assert field_errors(response.get_data(as_text=True)) == {
        "password": ["This account is disabled. Ask the forum's organizers to enable it again."]
    }
    # A guesser without the password learns nothing.
    assert wrong.status_code == 422
    assert field_errors(wrong.get_data(as_text=True)) == {"password": ["The e-mail or the password is not right."]}
    assert "Logged in as" not in client.get("/").get_data(as_text=True)


def test_login_disabled_while_logged_in_ends_the_session(app, client, make_user, login_as):
    user_id = make_user(email="soon-gone@example.kz")
    login_as(user_id)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert "Logged in as" not in page
    assert client.get("/my/company").headers["Location"] == "/login?next=%2Fmy%2Fcompany"


@pytest.mark.parametrize("typed", ["DELEGATE@Example.KZ", "  delegate@example.kz  ", "Delegate@example.kz"])
def test_login_email_is_case_insensitive(client, make_user, typed):
    make_user(email="delegate@example.kz")

    response = login(client, typed)

    assert response.status_code == 302
    assert "Logged in as delegate@example.kz" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["/companies/", "/companies/?q=milk&sector=3", "/my/company"])
def test_login_next_same_site_path_is_followed(client, make_user, target):
    make_user(email="delegate@example.kz")

    response = client.post("/login", query_string={"next": target},
                           data={"email": "delegate@example.kz", "password": factories.PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "companies/",
    "/companies/\r\nSet-Cookie: planted=1",
    "/companies/\x00",
])
def test_login_next_outside_the_site_is_ignored(client, make_user, make_company, target):
    company_id = make_company()
    make_user(email="delegate@example.kz", company_id=company_id)

    response = client.post("/login", query_string={"next": target},
                           data={"email": "delegate@example.kz", "password": factories.PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company_id}"
    assert "Logged in as delegate@example.kz" in client.get("/").get_data(as_text=True)


def test_login_required_page_sends_the_user_back_after_login(client, make_user):
    make_user(email="delegate@example.kz")

    to_login = client.get("/my/company")
    assert to_login.headers["Location"] == "/login?next=%2Fmy%2Fcompany"
    response = client.post(to_login.headers["Location"],
                           data={"email": "delegate@example.kz", "password": factories.PASSWORD})

    assert response.headers["Location"] == "/my/company"


def test_login_clears_the_previous_session(client, make_user):
    user_id = make_user(email="delegate@example.kz")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    login(client, "delegate@example.kz")

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user_id}:0"


def test_login_page_when_logged_in_redirects_home(client, make_user, login_as):
    login_as(make_user())

    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- logout ------------------------------------------------------------------------------------------


def test_logout_ends_the_session(client, make_user, login_as):
    login_as(make_user(email="delegate@example.kz"))
    assert ">My company</a>" in client.get("/").get_data(as_text=True)

    response = client.post("/logout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "You are logged out." in page
    assert ">My company</a>" not in page
    assert "Logged in as" not in page
    assert client.get("/my/company").status_code == 302


def test_logout_by_get_gives_the_405_page_and_keeps_the_session(client, make_user, login_as):
    login_as(make_user(email="delegate@example.kz"))

    response = client.get("/logout")

    assert response.status_code == 405
    assert "Not allowed" in response.get_data(as_text=True)
    assert "Logged in as delegate@example.kz" in client.get("/").get_data(as_text=True)


def test_logout_while_anonymous_redirects_to_login(client, make_user, make_company):
    company_id = make_company()
    make_user(email="delegate@example.kz", company_id=company_id)

    response = client.post("/logout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    # Logging in from there lands on a page, not on the POST-only logout URL.
    after = client.post(response.headers["Location"],
                        data={"email": "delegate@example.kz", "password": factories.PASSWORD})
    assert after.headers["Location"] == f"/companies/{company_id}"


def test_signup_problem_summary_links_to_each_field(client, make_delegation):
    make_delegation(name="Almaty Region")
    page = client.post("/signup", data={"email": "not-an-email"}).get_data(as_text=True)
    assert '<a href="#name">Company name: Enter the company name.</a>' in page
    assert '<a href="#sectors">Sectors: Choose at least one sector.</a>' in page
    assert '<a href="#email">Your e-mail: “not-an-email” is not a valid e-mail address.</a>' in page


def test_signup_name_that_grows_when_case_folded_is_accepted(app, client, signup_data):
    # "ß" folds to "ss": the identity key of a 200-character name may be longer than the name.
    response = client.post("/signup", data=signup_data(name="ß" * 200))

    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Company.name)).all() == ["ß" * 200]
