"""Schemathesis against the live OpenAPI description: every operation the app serves, called by a participant
and by an organizer (each with a read and write token) on a published forum, with generated valid and invalid
input. No server errors, no status code, content type, header or body the description does not announce,
and invalid input refused. Then sequences of calls are walked as state machines: over all operations, and
over the API's links alone (create a meeting request, then get/accept/decline/cancel it; register a company,
then read/update it).

The run is bounded and reproducible: a fixed number of examples per operation, derandomized Hypothesis, no
example database. Run it alone with ``pytest tests/integration/test_api_schemathesis.py``; raise the budget
with ``FORUM_SCHEMATHESIS_EXAMPLES=200``.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from forum import create_app
from forum.extensions import db
from forum.models import User
from forum.services import matching, meetings, taxonomy
from tests import factories

EXAMPLES = int(os.environ.get("FORUM_SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]
HYPOTHESIS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), print_blob=True)
CONFIG = {
    "seed": 20241017,
    "generation": {"mode": "all", "deterministic": True, "max-examples": EXAMPLES},
}
STEPS = 6  # calls per stateful scenario
SEEDED_IDS = 10  # the seeded forum's rows have ids 1..10 (companies, requests, slots, tables, sectors)


@pytest.fixture
def app_config() -> dict:
    # Thousands of calls a minute from one token: the per-token limit would answer most of them with 429
    # (documented, so the checks would pass, but nothing behind it would be exercised).
    return {"API_RATE_LIMIT": "1000000 per minute"}


def _seed(role: str) -> str:
    """A published forum (four companies with meetings on the agenda, factories.published_agenda) plus four
    companies with no meetings yet, one of which asked the first company for a meeting. Returns a write token
    of the first company's delegate (``participant``) or of the organizer."""
    ids = factories.published_agenda()
    newcomers = [factories.company(name=f"Newcomer {i}", sectors=("dairy", "packaging")) for i in range(4)]
    asking = factories.user(company_id=newcomers[0], email="newcomer0@example.com")
    meetings.request_meeting(db.session.get(User, asking), newcomers[0], ids["companies"][0],
                             "Could we talk about packaging film?")
    user_id = ids["delegates"][0] if role == "participant" else ids["organizer"]
    return factories.api_token(user_id, scope="write")


def _reseed(app: Flask, role: str) -> str:
    """Empty every table and seed again (ids start from 1 again), as the ``app`` fixture and ``_seed`` do."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        taxonomy.ensure_default_sectors()
        db.session.flush()
        matching.ensure_default_affinity()
        db.session.commit()
        secret = _seed(role)
        db.session.remove()
    return secret


@dataclass
class Caller:
    role: str
    headers: dict[str, str]


@pytest.fixture(params=["participant", "organizer"])
def caller(request: pytest.FixtureRequest, app: Flask) -> Caller:
    """The calling script: a bearer write token of a participant or of the organizer, on the seeded forum."""
    with app.app_context():
        secret = _seed(request.param)
        db.session.remove()
    return Caller(request.param, {"Authorization": f"Bearer {secret}"})


def _served_schema() -> schemathesis.BaseSchema:
    """The description as the app serves it at /api/v1/openapi.json, loaded through WSGI (test_api_openapi.py
    checks it against the OpenAPI 3.1 meta-schema). Loaded at collection, from an app of its own, because the operations are
    the test's parameters; every call then goes to the test's own ``app`` with its seeded database.
    (``schemathesis.pytest.from_fixture`` would load it from the fixture, but with pytest 9 it fails on
    ``Function._nodeid``.)"""
    served = create_app({"TESTING": True, "SECRET_KEY": "schema", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", served, config=schemathesis.Config.from_dict(CONFIG))


schema = _served_schema()
# Schemathesis adds the links it infers to the schema it walks; the links test reads the description as served.
SERVED = copy.deepcopy(schema.raw_schema)


@schema.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Random ids almost never name a row, so every operation would stop at 404 and the links would have
    nothing to follow. Half of the valid (positive) cases get their ids (path parameters and ``*_id`` body
    fields) folded into the seeded range; invalid (negative) cases are left alone, so they stay invalid."""
    meta = case.meta
    if meta is None or meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return case

    def fold(value: object) -> object:
        if type(value) is int and value > SEEDED_IDS and value % 2 == 0:
            return value % SEEDED_IDS + 1
        return value

    if case.path_parameters:
        case.path_parameters = {name: fold(value) for name, value in case.path_parameters.items()}
    if isinstance(case.body, dict):
        case.body = {name: fold(value) if name.endswith("_id") else value for name, value in case.body.items()}
    return case


@schema.parametrize()
@HYPOTHESIS
def test_api_operation_conforms_to_its_description(case: schemathesis.Case, app: Flask,
                                                  caller: Caller) -> None:
    response = case.call_and_validate(headers=caller.headers, checks=CHECKS, app=app)
    _log(case, response.status_code)


def _walk(walk_schema: schemathesis.BaseSchema, app: Flask, caller: Caller) -> None:
    machine = walk_schema.as_state_machine()

    class Walk(machine):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            # Every scenario starts from the same forum. Otherwise a replayed scenario meets the companies and
            # requests of earlier ones (a name already taken, a request already open), answers differently,
            # and Hypothesis reports its own generation as flaky instead of a finding.
            caller.headers["Authorization"] = f"Bearer {_reseed(app, caller.role)}"
            super().setup()

        def get_call_kwargs(self, case: schemathesis.Case) -> dict:
            return {**super().get_call_kwargs(case), "headers": caller.headers, "app": app}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:  # noqa: ANN001
            _log(case, response.status_code, stateful=True)
            case.validate_response(response, checks=CHECKS, headers=caller.headers, transport_kwargs=kwargs or None,
                                   recorder=getattr(self, "recorder", None))

    Walk.run(settings=settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
                               database=None, suppress_health_check=list(HealthCheck)))


def test_api_state_machine_over_all_operations_conforms(app: Flask, caller: Caller) -> None:
    """Sequences of calls, each fed by an earlier answer (declared links and the ids schemathesis infers)."""
    _walk(schema, app, caller)


def _linked_operations(raw: dict) -> list[str]:
    """The operations that declare links in their answers, and the operations those links lead to."""
    found: set[str] = set()
    for item in raw["paths"].values():
        for op in item.values():
            for response in op.get("responses", {}).values():
                for link in response.get("links", {}).values():
                    found |= {op["operationId"], link.get("operationId", "")} - {""}
    return sorted(found)


# Bodies that the services accept, for the operations that start the links: a generated profile almost
# never passes the form's own checks (an e-mail address, offers or needs), and a generated company id
# almost never names a company that may be asked. Keyed by the body's schema name.
VALID_BODIES = {
    "MeetingRequestIn": st.fixed_dictionaries(
        {"to_company_id": st.integers(1, SEEDED_IDS)},
        optional={"message": st.sampled_from(["", "Could we talk about cotton yarn?"])}),
    "CompanyProfileIn": st.builds(
        lambda n, sectors: {"name": f"Walk Company {n}", "delegation_id": 1, "country": "Uzbekistan",
                            "sector_ids": sectors, "offers": "Cotton yarn", "needs": "Dyeing lines"},
        st.integers(1, 10**6), st.lists(st.integers(1, 5), min_size=1, max_size=3, unique=True)),
}


def _links_schema() -> schemathesis.BaseSchema:
    walk = schemathesis.openapi.from_dict(
        copy.deepcopy(SERVED), config=schemathesis.Config.from_dict({
            **CONFIG, "generation": {"mode": "positive", "deterministic": True, "max-examples": EXAMPLES},
            # Declared links only: with the inferred ones, schemathesis guesses that a request needs a company
            # "produced" first and never starts a walk at POST /my/requests.
            "phases": {"stateful": {"inference": {"algorithms": []}}}}))

    @walk.hook
    def before_generate_body(context: schemathesis.HookContext, strategy: st.SearchStrategy) -> st.SearchStrategy:
        body = context.operation.definition.raw.get("requestBody", {}) if context.operation else {}
        ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        valid = VALID_BODIES.get(ref.rsplit("/", 1)[-1])
        return strategy if valid is None else st.one_of(valid, strategy)

    return walk.include(operation_id=_linked_operations(SERVED))


def test_api_links_walked_as_state_machine_conform(app: Flask, caller: Caller) -> None:
    """Only the linked operations (POST /my/requests -> get, accept, decline, cancel; POST /organizer/companies
    -> get, update), so that each walk starts where a link does."""
    assert _linked_operations(SERVED), "the description declares no links"
    _walk(_links_schema(), app, caller)


def _log(case: schemathesis.Case, status: int, stateful: bool = False) -> None:
    """FORUM_SCHEMATHESIS_LOG=path appends one line per call (operation, mode, phase, status): to see what
    the run reached, e.g. how many calls of each operation got past validation."""
    path = os.environ.get("FORUM_SCHEMATHESIS_LOG")
    if not path:
        return
    meta = case.meta
    mode = meta.generation.mode.value if meta else "-"
    phase = "stateful" if stateful else (meta.phase.name.value if meta else "-")
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"{case.operation.label}\t{mode}\t{phase}\t{status}\n")
