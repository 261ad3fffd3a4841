"""One small forum in which every kind of private object exists, for the authorization, CSRF and header tests.

Company A (delegation 1) is the company whose data everybody probes. B (delegation 2) has an accepted meeting
with A on the published agenda (so B may see A's contacts); C (delegation 2) has only a pending request to A (so
C may not); P (delegation 2) has a held meeting with A that A gave feedback on. Every URL parameter is filled
with A's ids, so B's delegate knocking on A's doors is the normal case of every test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Role, Slot, VenueTable
from tests import factories

A_EMAIL = "alpha-private-inbox@alpha.example"
A_PHONE = "+7 701 555 12 34"
A_FEEDBACK_VALUE = 424242
C_MESSAGE = "Confidential pitch from Gamma to Alpha about the dairy plant"
AB_MESSAGE = "Alpha and Beta talk about kefir supply"


@dataclass
class World:
    delegation_a: int
    delegation_b: int
    a: int  # company ids
    b: int
    c: int
    p: int
    users: dict[str, int]  # role name -> user id: a, a2, b, c, org
    tokens: dict[str, str]  # role name -> API bearer secret
    token_ids: dict[str, int]
    ab_request: int  # accepted A–B, at slot 0 table 1, published
    ap_request: int  # accepted A–P, at slot 1 table 1, held, with A's feedback
    ca_request: int  # pending C -> A
    bc_request: int  # accepted B–C, not placed: B's own request that does not involve A
    slots: list[int]
    tables: list[int]
    feed_token_a: str
    pass_token_a: str
    join_token_a: str
    reset_token_a2: str
    extra: dict = field(default_factory=dict)


def build(app: Flask) -> World:
    """Create the world in the app's database (its own app context; nothing stays pushed)."""
    from forum.models import Forum
    from forum.models.outcome import DealOutcome
    from forum.models.types import utcnow
    from forum.services import accounts, agenda, attendance, calendar, meetings, outcomes, team
    from forum.services.forums import save_forum

    with app.app_context():
        day = date(2024, 10, 17)
        save_forum("Kashkadarya Invest-2024", "Qarshi", "Congress Hall", day, day)
        db.session.commit()
        agenda.save_structure(agenda.TimeStructure(
            sessions=[agenda.SessionSpec(day, time(10), time(11)), agenda.SessionSpec(day, time(14), time(15))],
            slot_minutes=20, tables=3))
        d1 = factories.delegation("Almaty Region", "Kazakhstan")
        d2 = factories.delegation("Kashkadarya Region", "Uzbekistan")
        a = factories.company(name="Alpha Dairy", delegation_id=d1, contact_email=A_EMAIL, contact_phone=A_PHONE)
        b = factories.company(name="Beta Packaging", delegation_id=d2, sectors=("packaging",),
                              contact_email="beta@beta.example", contact_phone="+998 90 111 11 11",
                              country="Uzbekistan", city="Qarshi")
        c = factories.company(name="Gamma Foods", delegation_id=d2, contact_email="gamma@gamma.example",
                              contact_phone="+998 90 222 22 22", country="Uzbekistan", city="Qarshi")
        p = factories.company(name="Pi Logistics", delegation_id=d2, contact_email="pi@pi.example",
                              contact_phone="+998 90 333 33 33", country="Uzbekistan", city="Qarshi")
        users = {
            "a": factories.user(company_id=a, email="alpha@alpha.example", full_name="Aigerim Alpha"),
            "a2": factories.user(company_id=a, email="alpha2@alpha.example", full_name="Daniyar Alpha"),
            "b": factories.user(company_id=b, email="beta@beta-people.example", full_name="Bobur Beta"),
            "c": factories.user(company_id=c, email="gamma@gamma-people.example", full_name="Gulnora Gamma"),
            "p": factories.user(company_id=p, email="pi@pi-people.example", full_name="Pulat Pi"),
            "org": factories.user(role=Role.ORGANIZER, email="organizer@forum.example", full_name="Olga Org"),
        }
        ab = factories.accepted_request(a, b, AB_MESSAGE)
        ap = factories.accepted_request(a, p)
        bc = factories.accepted_request(b, c)
        slots = list(db.session.scalars(select(Slot.id).order_by(Slot.starts_at)))
        tables = list(db.session.scalars(select(VenueTable.id).order_by(VenueTable.number)))
        factories.place(ab, slots[0], tables[0])
        factories.place(ap, slots[1], tables[0])
        forum = db.session.scalar(select(Forum).order_by(Forum.id).limit(1))
        forum.agenda_published_at = utcnow()
        db.session.commit()

        from forum.models import User

        def u(key: str) -> User:
            return db.session.get(User, users[key])

        # A pending request from C to A leaves a notification for A.
        ca = meetings.request_meeting(u("c"), c, a, C_MESSAGE).id
        db.session.commit()
        attendance.mark_held(u("org"), ap)
        db.session.commit()
        outcomes.submit_feedback(u("a"), a, ap, outcomes.FeedbackAnswers(
            useful=True, follow_up=True, outcome=DealOutcome.SUPPLY_CONTRACT, value_usd=A_FEEDBACK_VALUE))
        db.session.commit()
        feed, _created = calendar.subscribe(u("a"))
        db.session.commit()
        feed_token = calendar.feed_token(feed)
        pass_token = attendance.pass_token(ab, slots[0], tables[0], a)
        join_token = team.invite_colleague(u("a"), a, "new-colleague@alpha.example")
        reset_token = accounts.password_reset_token(u("a2"))
        tokens, token_ids = {}, {}
        from forum.models import ApiToken

        for key in ("a", "b", "c", "org"):
            tokens[key] = factories.api_token(users[key])
            token_ids[key] = db.session.scalar(
                select(ApiToken.id).where(ApiToken.user_id == users[key]).order_by(ApiToken.id.desc()).limit(1))
        return World(delegation_a=d1, delegation_b=d2, a=a, b=b, c=c, p=p, users=users, tokens=tokens,
                     token_ids=token_ids, ab_request=ab, ap_request=ap, ca_request=ca, bc_request=bc, slots=slots, tables=tables,
                     feed_token_a=feed_token, pass_token_a=pass_token, join_token_a=join_token,
                     reset_token_a2=reset_token)


def row_counts(app: Flask) -> dict[str, int]:
    """The number of rows of every table in the metadata: a refused request must leave them all alone."""
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def table_snapshot(app: Flask, ignore: set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table but ``ignore``, sorted: finer than counts, for "nothing changed at all"."""
    with app.app_context():
        snap = {}
        for table in db.metadata.sorted_tables:
            if table.name in ignore:
                continue
            rows = db.session.execute(select(table)).all()
            snap[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
        return snap


def rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route but static files, HEAD and OPTIONS."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def url_for_rule(rule: str, world: World, endpoint: str, own_b: bool = False) -> str:
    """The rule's path with every parameter filled with company A's object of that kind, or with
    ``own_b`` with B's own objects (for B's legitimate requests that carry A's ids in the body)."""
    if own_b:
        values = {"company_id": world.b, "request_id": world.bc_request, "partner_id": world.c,
                  "token_id": world.token_ids["b"], "user_id": world.users["b"],
                  "delegation_id": world.delegation_b, "name": "companies", "filename": "css/app.css"}
        return PARAM.sub(lambda m: str(values[m.group(1)]), rule)
    request_id = world.ap_request
    if endpoint in {"meetings.accept", "meetings.decline", "api.accept_my_request", "api.decline_my_request"}:
        request_id = world.ca_request  # pending, A is the recipient
    values = {
        "company_id": world.a,
        "request_id": request_id,
        "partner_id": world.a if endpoint in {"meetings.request_meeting"} else world.c,
        "token_id": world.token_ids["a"],
        "user_id": world.users["a2"],
        "delegation_id": world.delegation_a,
        "name": "companies",
        "filename": "css/app.css",
    }
    if endpoint == "agenda.calendar_feed":
        values["token"] = world.feed_token_a
    elif endpoint.startswith("agenda.pass"):
        values["token"] = world.pass_token_a
    elif endpoint == "auth.join":
        values["token"] = world.join_token_a
    elif "reset" in endpoint:
        values["token"] = world.reset_token_a2

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"authz_world.url_for_rule does not know the URL parameter <{name}> of {rule}")
        return str(values[name])

    return PARAM.sub(fill, rule)


def company_a_snapshot(app: Flask, world: World) -> dict[str, list[tuple]]:
    """Every row that belongs to or involves company A: its row, its people, their tokens and calendar
    feeds, its requests and what hangs off them (meetings, seats, attendance, feedback, notifications...)."""
    with app.app_context():
        a_users = {uid for key, uid in world.users.items() if key in ("a", "a2")}
        a_requests = {world.ab_request, world.ap_request, world.ca_request}
        by_column = {
            "company_id": {world.a}, "requester_id": {world.a}, "recipient_id": {world.a},
            "pair_low": {world.a}, "pair_high": {world.a}, "absent_company_id": {world.a},
            "user_id": a_users, "request_id": a_requests,
        }
        snap = {}
        for table in db.metadata.sorted_tables:
            conditions = [table.c[name].in_(ids) for name, ids in by_column.items() if name in table.c]
            if table.name == "company":
                conditions.append(table.c.id == world.a)
            elif table.name == "user_account":
                conditions.append(table.c.id.in_(a_users))
            elif table.name == "meeting_request":
                conditions.append(table.c.id.in_(a_requests))
            if not conditions:
                continue
            from sqlalchemy import or_

            rows = db.session.execute(select(table).where(or_(*conditions))).all()
            snap[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
        return snap
