"""Locust users for the load benchmark; run_load.py starts locust with this file (not collected by pytest).

    LOAD_ACCOUNTS=/tmp/load/accounts.json .venv/bin/locust -f tests/benchmarks/load/locustfile.py \\
        --headless -u 200 -r 10 -t 90s --host http://127.0.0.1:8000 Delegate

``Delegate``: logs in through the real form (GET /login, the form's csrf_token, POST), then loops over
"My agenda", "My matches" and a company page (another company, at random), waiting LOAD_THINK seconds
("1,5": between 1 and 5; "0": none) between pages. Each user takes the next login of LOAD_ACCOUNTS.
``Bare``: GET / on the bare Flask app (bare_app.py), the ceiling, with the same waiting.
Requests are named by page, so locust's statistics are per page.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, constant, task

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _wait_time():
    low, _sep, high = os.environ.get("LOAD_THINK", "1,5").partition(",")
    return between(float(low), float(high)) if high else constant(float(low))


def _accounts() -> list[dict]:
    path = os.environ.get("LOAD_ACCOUNTS")
    return json.loads(open(path, encoding="utf-8").read()) if path else []


ACCOUNTS = _accounts()
COMPANY_IDS = [a["company_id"] for a in ACCOUNTS]
_next_account = itertools.count()


class Delegate(FastHttpUser):
    wait_time = _wait_time()

    def on_start(self) -> None:
        account = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]
        self.company_id = account["company_id"]
        with self.client.get("/login", name="GET /login", catch_response=True) as page:
            found = _CSRF.search(page.text or "")
            if page.status_code != 200 or not found:
                page.failure(f"login form: {page.status_code}, csrf_token {'found' if found else 'missing'}")
                return
        with self.client.post("/login", name="POST /login", allow_redirects=False, catch_response=True,
                              data={"csrf_token": found.group(1), "email": account["email"],
                                    "password": account["password"]}) as answer:
            if answer.status_code != 302:
                answer.failure(f"login refused: {answer.status_code}")

    def _page(self, path: str, name: str, marker: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"{page.status_code} (a redirect means the session was lost)")
            elif marker not in (page.text or ""):
                page.failure(f"the page lacks {marker!r}")

    @task
    def browse(self) -> None:
        # One visit: the three pages in a row, as a delegate between two meetings does, thinking between them.
        self._page("/my/agenda", "My agenda", "/agenda/")
        self.wait()
        self._page(f"/companies/{self.company_id}/matches", "My matches", "/companies/")
        self.wait()
        # Some companies draw most visits (the well-known ones): the pick is among the first 50 companies
        # and 5 drawn from all 500, so about nine visits in ten go to those 50. Never the user's own.
        other = random.choice([c for c in COMPANY_IDS[:50] + random.sample(COMPANY_IDS, 5) if c != self.company_id])
        self._page(f"/companies/{other}", "Company page", "<h1")


class Bare(FastHttpUser):
    wait_time = _wait_time()

    @task
    def hello(self) -> None:
        with self.client.get("/", name="Bare endpoint", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(str(page.status_code))
