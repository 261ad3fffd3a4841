"""Integration tests: the public pages run a fixed number of SQL queries, however many companies exist."""

from __future__ import annotations

import pytest


def _queries_for(client, count_queries, path: str) -> int:
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/", "/companies/", "/companies/?q=milk", "/companies/1"])
def test_query_count_does_not_grow_with_companies(client, count_queries, make_company, make_delegation, path):
    almaty = make_delegation(name="Almaty Region (Kazakhstan)")
    qashqadaryo = make_delegation(name="Kashkadarya Region (Uzbekistan)", country="Uzbekistan")
    for n in range(3):
        make_company(name=f"Small {n}", delegation_id=almaty if n % 2 else qashqadaryo,
                     sectors=("dairy", "packaging"))
    few = _queries_for(client, count_queries, path)
    for n in range(20):
        make_company(name=f"More {n}", delegation_id=almaty if n % 2 else qashqadaryo,
                     sectors=("dairy", "logistics", "trade"))
    many = _queries_for(client, count_queries, path)
    assert many == few


def test_query_count_company_page_for_owner_does_not_grow_with_team(client, count_queries, make_company,
                                                                      make_user, login_as):
    company_id = make_company()
    login_as(make_user(company_id=company_id))
    few = _queries_for(client, count_queries, f"/companies/{company_id}")
    for _ in range(5):
        make_user(company_id=company_id)
    many = _queries_for(client, count_queries, f"/companies/{company_id}")
    assert many == few
