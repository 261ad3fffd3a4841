"""Integration tests: the API's rate limit counts per token, and a refusal says when to try again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Notification, User
from tests import factories
from tests.integration.api_helpers import bearer, problem


@pytest.fixture
def app_config() -> dict:
    return {"API_RATE_LIMIT": "3 per minute", "API_REJECTED_TOKEN_LIMIT": "4 per minute"}


def test_fourth_call_in_a_minute_is_429_with_retry_after(client, app):
    with app.app_context():
        secret = factories.api_token(factories.user(), scope="read")

    answers = [client.get("/api/v1/sectors", headers=bearer(secret)) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    body = problem(answers[3], 429, "rate-limited")
    assert body["detail"] == "Too many requests. Wait a moment and try again."
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 61


def test_limit_is_per_token(client, app):
    with app.app_context():
        user_id = factories.user()
        first = factories.api_token(user_id, scope="read", name="Script one")
        second = factories.api_token(user_id, scope="read", name="Script two")
    for _ in range(3):
        client.get("/api/v1/me", headers=bearer(first))

    spent = client.get("/api/v1/me", headers=bearer(first))
    fresh = client.get("/api/v1/me", headers=bearer(second))

    problem(spent, 429, "rate-limited")
    assert fresh.status_code == 200
    assert fresh.get_json()["token"]["name"] == "Script two"


def test_limited_write_changes_nothing(client, app):
    with app.app_context():
        user_id = factories.user()
        company_id = db.session.get(User, user_id).company_id
        secret = factories.api_token(user_id, scope="write")
    for _ in range(3):
        assert client.post("/api/v1/my/notifications/read", headers=bearer(secret)).status_code == 200
    with app.app_context():
        db.session.add(Notification(company_id=company_id, kind="request_received",
                                    data={"other": "Guzar Textiles", "other_id": 1}))
        db.session.commit()

    response = client.post("/api/v1/my/notifications/read", headers=bearer(secret))

    problem(response, 429, "rate-limited")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.read_at.is_(None))) == 1


def test_limit_is_one_budget_across_the_api(client, app):
    with app.app_context():
        secret = factories.api_token(factories.user(), scope="read")

    answers = [client.get(path, headers=bearer(secret)) for path in ("/api/v1/me", "/api/v1/sectors",
                                                                     "/api/v1/forum", "/api/v1/delegations")]

    # Three calls to three different operations spend the token's whole budget of three.
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    problem(answers[3], 429, "rate-limited")


def test_spelling_the_header_differently_does_not_open_a_new_budget(client, app):
    with app.app_context():
        secret = factories.api_token(factories.user(), scope="read")
    spellings = [f"Bearer {secret}", f"Bearer {secret} ", f"bearer {secret}", f"  Bearer   {secret}"]

    answers = [client.get("/api/v1/sectors", headers={"Authorization": header}) for header in spellings]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]


def test_wrong_tokens_are_limited_per_address(client, app):
    with app.app_context():
        secret = factories.api_token(factories.user(), scope="read")
    # Each made-up token would be a fresh budget of its own; the address's budget for wrong ones is not.
    answers = [client.get("/api/v1/forum", headers=bearer(f"fmk_made-up-{i}")) for i in range(5)]

    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert problem(answers[4], 429, "rate-limited")["detail"] == \
        "Too many requests with a wrong token. Wait a moment and try again."
    # A genuine token from the same address still works.
    assert client.get("/api/v1/sectors", headers=bearer(secret)).status_code == 200
