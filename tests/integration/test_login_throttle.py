"""Integration tests: login, sign-up and password-reset requests are rate limited per address, failed logins
per account (whatever the address), and a refusal is a friendly 429 page that says how long to wait."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, OutboxEmail, User
from tests import factories
from tests.integration.api_helpers import bearer, problem
from tests.integration.test_password_reset import page_text

ADDRESS_LIMIT = 10
ACCOUNT_LIMIT = 3
ATTEMPT_LIMIT = 9
WAIT = r"(\d+ seconds?|1 minute)"
ADDRESS_MESSAGE = rf"There have been too many login attempts from your network\. Please wait {WAIT} and try again\."
ACCOUNT_MESSAGE = (rf"There have been too many failed logins for this e-mail address\. For the account&#39;s safety, "
                   rf"please wait {WAIT} and try again, or reset your password\.")


@pytest.fixture
def app_config() -> dict:
    return {
        "LOGIN_RATE_LIMIT_PER_ADDRESS": f"{ADDRESS_LIMIT} per minute",
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT} per minute",
        "LOGIN_ATTEMPT_LIMIT_PER_ACCOUNT": f"{ATTEMPT_LIMIT} per minute",
        "SIGNUP_RATE_LIMIT": "2 per minute",
        "PASSWORD_RESET_RATE_LIMIT": "2 per minute",
        "API_RATE_LIMIT": "3 per minute",
    }


def login(client, email: str, password: str = factories.PASSWORD, address: str = "192.0.2.10", **extra):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **extra)


def lead(response) -> str:
    """The message of an error page, as written in the HTML."""
    found = re.search(r'<p class="lead-small">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert found, response.get_data(as_text=True)
    return found.group(1)


def assert_friendly_429(response, message_pattern: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "<h1>Too many attempts</h1>" in page
    assert 'class="error-code" aria-hidden="true">429<' in page
    assert re.fullmatch(message_pattern, lead(response)), lead(response)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # The site's own page: its header and the way home.
    assert "Go to the home page" in page


def logins_recorded(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(User.last_login_at.is_not(None)))


def logged_in(client) -> bool:
    return client.get("/login").status_code == 302


@pytest.fixture
def user_email(app) -> str:
    with app.app_context():
        return factories.email_of(factories.user(email="aziz@samarkand-silk.uz"))


# --- per address -----------------------------------------------------------------------------------


def test_login_over_the_address_limit_is_429_with_the_friendly_page(app, client, user_email):
    # Different e-mails each time (a password sprayer), so only the address's budget is spent.
    answers = [login(client, f"guess{i}@example.com", "wrong password") for i in range(ADDRESS_LIMIT)]

    refused = login(client, user_email)  # even the right password waits

    assert [a.status_code for a in answers] == [422] * ADDRESS_LIMIT
    assert_friendly_429(refused, ADDRESS_MESSAGE)
    assert not logged_in(client)
    assert logins_recorded(app) == 0


def test_address_limit_is_per_address(app, client, user_email):
    for i in range(ADDRESS_LIMIT):
        login(client, f"guess{i}@example.com", "wrong password", address="192.0.2.10")
    assert login(client, user_email, address="192.0.2.10").status_code == 429

    response = login(client, user_email, address="198.51.100.7")

    assert response.status_code == 302
    assert logins_recorded(app) == 1


def test_forged_forwarded_for_does_not_open_a_new_budget(client, user_email):
    # PROXY_FIX_HOPS is 0: X-Forwarded-For is the client's own word and is ignored.
    for i in range(ADDRESS_LIMIT):
        login(client, f"guess{i}@example.com", "wrong password", headers={"X-Forwarded-For": f"203.0.113.{i}"})

    response = login(client, user_email, headers={"X-Forwarded-For": "203.0.113.200"})

    assert_friendly_429(response, ADDRESS_MESSAGE)


def test_ipv6_addresses_of_one_network_share_a_budget(client, user_email):
    # An IPv6 client holds a whole /64: changing the last bits must not give it a fresh budget.
    for i in range(ADDRESS_LIMIT):
        login(client, f"guess{i}@example.com", "wrong password", address=f"2001:db8:5:7::{i + 1:x}")

    same_network = login(client, user_email, address="2001:db8:5:7::ffff")
    other_network = login(client, user_email, address="2001:db8:5:8::1")

    assert_friendly_429(same_network, ADDRESS_MESSAGE)
    assert other_network.status_code == 302


# --- per account -----------------------------------------------------------------------------------


def test_failed_logins_for_one_account_are_limited_across_addresses(app, client, user_email):
    # A botnet: every guess from another address, the e-mail spelled a little differently each time.
    spellings = [user_email, f"  {user_email.upper()} ", f"\x1b{user_email}\x7f"]
    answers = [login(client, email, "wrong password", address=f"198.51.100.{i}")
               for i, email in enumerate(spellings)]

    refused = login(client, user_email, address="203.0.113.99")  # the right password, from a fresh address

    assert [a.status_code for a in answers] == [422] * ACCOUNT_LIMIT
    assert_friendly_429(refused, ACCOUNT_MESSAGE)
    assert not logged_in(client)
    assert logins_recorded(app) == 0


def test_account_limit_leaves_other_accounts_alone(app, client, user_email):
    with app.app_context():
        other_email = factories.email_of(factories.user(email="dilnoza@bukhara-ceramics.uz"))
    for i in range(ACCOUNT_LIMIT):
        login(client, user_email, "wrong password", address=f"198.51.100.{i}")
    assert login(client, user_email, address="198.51.100.50").status_code == 429

    response = login(client, other_email, address="198.51.100.50")

    assert response.status_code == 302
    assert logins_recorded(app) == 1


def test_successful_logins_do_not_spend_the_account_budget(app, client, user_email):
    # A delegate logs in and out on a shared phone more often than the budget of failures.
    for _ in range(ACCOUNT_LIMIT + 2):
        assert login(client, user_email).status_code == 302
        client.post("/logout")
    failures = [login(client, user_email, "wrong password").status_code for _ in range(ACCOUNT_LIMIT)]

    refused = login(client, user_email, "wrong password")

    assert failures == [422] * ACCOUNT_LIMIT
    assert_friendly_429(refused, ACCOUNT_MESSAGE)


def test_unknown_email_is_limited_exactly_like_a_known_one(client, user_email):
    unknown = "nobody@samarkand-silk.uz"
    known_answers = [login(client, user_email, "wrong password", address="198.51.100.1")
                     for _ in range(ACCOUNT_LIMIT + 1)]
    unknown_answers = [login(client, unknown, "wrong password", address="198.51.100.2")
                       for _ in range(ACCOUNT_LIMIT + 1)]

    assert [a.status_code for a in known_answers] == [a.status_code for a in unknown_answers] == [422] * 3 + [429]
    assert_friendly_429(known_answers[-1], ACCOUNT_MESSAGE)
    assert_friendly_429(unknown_answers[-1], ACCOUNT_MESSAGE)
    # The same page (but for the e-mail typed, shown again) and the same budget headers: nothing tells which
    # address has an account.
    # (The 429 pages are compared above: their wait may differ by a second.)
    for known, unknown_answer in zip(known_answers[:-1], unknown_answers[:-1], strict=True):
        assert page_text(known).replace(user_email, "E") == page_text(unknown_answer).replace(unknown, "E")
        assert known.headers.get("X-RateLimit-Remaining") == unknown_answer.headers.get("X-RateLimit-Remaining")


def test_posts_without_an_email_spend_no_account_budget(client, user_email):
    answers = [client.post("/login", data={"password": "x"}) for _ in range(ACCOUNT_LIMIT + 1)]

    assert [a.status_code for a in answers] == [422] * (ACCOUNT_LIMIT + 1)
    assert login(client, user_email).status_code == 302


# --- sign-up and password reset ------------------------------------------------------------------------


def signup_data(app) -> dict:
    with app.app_context():
        delegation_id = factories.delegation(name="Samarkand Region", country="Uzbekistan")
        sector_id = factories.sector_ids("dairy")[0]
    return {"full_name": "Aziz Karimov", "email": "aziz@silk-road-dairy.uz", "password": "green apricot valley",
            "confirm": "green apricot valley", "name": "Silk Road Dairy", "delegation": str(delegation_id),
            "country": "Uzbekistan", "city": "Samarkand", "size": "small", "sectors": [str(sector_id)],
            "offers": "Kefir and ayran", "needs": "Glass bottles", "languages": ["uz", "ru"],
            "contact_name": "Aziz Karimov", "contact_email": "sales@silk-road-dairy.uz"}


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (User, Company, OutboxEmail))


def test_signup_over_the_address_limit_is_429_and_creates_nothing(app, client):
    valid = signup_data(app)
    # Two refused forms (a missing field) spend the budget as well.
    first = [client.post("/signup", data={**valid, "name": ""}).status_code for _ in range(2)]
    before = counts(app)

    refused = client.post("/signup", data=valid)

    assert first == [422, 422]
    assert_friendly_429(refused, r"There have been too many sign-ups from your network\. "
                                 rf"Please wait {WAIT} and try again\.")
    assert counts(app) == before
    assert not logged_in(client)
    # Another address may still register.
    assert client.post("/signup", data=valid, environ_base={"REMOTE_ADDR": "198.51.100.3"}).status_code == 302


def test_password_reset_requests_over_the_address_limit_are_429_and_send_nothing(app, client, user_email):
    sent = [client.post("/password/forgot", data={"email": user_email}).status_code for _ in range(2)]
    before = counts(app)

    refused = client.post("/password/forgot", data={"email": user_email})

    assert sent == [200, 200]
    assert before[2] == 2  # two links were mailed
    assert_friendly_429(refused, r"There have been too many password-reset requests from your network\. "
                                 rf"Please wait {WAIT} and try again\.")
    assert counts(app) == before


def test_gets_are_never_limited(client, user_email):
    for i in range(ADDRESS_LIMIT + 1):
        login(client, f"guess{i}@example.com", "wrong password")
    for _ in range(3):
        client.post("/password/forgot", data={"email": user_email})
        client.post("/signup", data={})

    pages = [client.get(path) for path in ("/login", "/signup", "/password/forgot") for _ in range(ADDRESS_LIMIT + 2)]

    assert {page.status_code for page in pages} == {200}


# --- the API keeps its own limit ---------------------------------------------------------------------


def test_api_keeps_its_own_limit_and_problem_json(app, client, user_email):
    with app.app_context():
        secret = factories.api_token(factories.user(), scope="read")
    for i in range(ADDRESS_LIMIT + 1):  # the address's login budget is spent...
        login(client, f"guess{i}@example.com", "wrong password", address="127.0.0.1")

    answers = [client.get("/api/v1/sectors", headers=bearer(secret)) for _ in range(4)]

    # ...which does not touch the API; its own budget of three gives a problem+json 429.
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    body = problem(answers[3], 429, "rate-limited")
    assert body["detail"] == "Too many requests. Wait a moment and try again."
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 61
    # And the spent API budget does not touch logins from another address.
    assert login(client, user_email, address="198.51.100.8").status_code == 302


# --- behind a reverse proxy --------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"PROXY_FIX_HOPS": 1, "LOGIN_RATE_LIMIT_PER_ADDRESS": "2 per minute"}])
def test_behind_one_proxy_each_forwarded_client_has_its_own_budget(client, user_email):
    # The proxy (127.0.0.1) passes every client's address in X-Forwarded-For.
    for _ in range(2):
        login(client, "guess@example.com", "wrong password", address="127.0.0.1",
              headers={"X-Forwarded-For": "192.0.2.44"})
    spent = login(client, user_email, address="127.0.0.1", headers={"X-Forwarded-For": "192.0.2.44"})

    fresh = login(client, user_email, address="127.0.0.1", headers={"X-Forwarded-For": "192.0.2.45"})

    assert spent.status_code == 429
    assert html.unescape(lead(spent)).startswith("There have been too many login attempts from your network.")
    assert fresh.status_code == 302


def test_login_sent_as_json_is_not_a_way_around_the_account_limit(app, client, user_email):
    # Flask-WTF reads JSON bodies too; the pages take form posts only, so the account key always sees the e-mail.
    for _ in range(ACCOUNT_LIMIT):
        login(client, user_email, "wrong password")

    response = client.post("/login", json={"email": user_email, "password": factories.PASSWORD},
                           environ_base={"REMOTE_ADDR": "192.0.2.77"})

    assert response.status_code != 302
    assert not logged_in(client)
    assert logins_recorded(app) == 0


def test_parallel_guesses_cannot_outrun_the_account_limit(app, user_email):
    # The failure budget is deducted after each answer, so simultaneous guesses all pass its check; the
    # budget of attempts is counted before the password is, atomically.
    import threading

    statuses: list[int] = []

    def guess(number: int) -> None:
        response = app.test_client().post("/login", data={"email": user_email, "password": f"guess {number}"},
                                          environ_base={"REMOTE_ADDR": f"198.51.100.{number}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(2 * ATTEMPT_LIMIT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses).count(429) >= ATTEMPT_LIMIT
    assert len([s for s in statuses if s != 429]) <= ATTEMPT_LIMIT
