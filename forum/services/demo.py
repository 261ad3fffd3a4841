"""The demo forum: "Kashkadarya Invest-2024", its two delegations, companies and demo logins.

Loading it twice changes nothing: the companies go through the CSV importer, which matches by name and
delegation, and accounts are only created when missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, Delegation, MatchSuggestion, MeetingRequest, RequestStatus, Role, User
from forum.services import agenda, matching, taxonomy
from forum.services.accounts import find_user_by_email
from forum.services.errors import ServiceError
from forum.services.forums import save_forum
from forum.services.importer import import_companies_csv

DEMO_CSV = Path(__file__).resolve().parent.parent / "demo" / "companies.csv"
DEMO_PASSWORD = "silk-road-2024"
DEMO_ORGANIZER = "organizer@demo.example"
# Demo participants: login e-mail -> the demo company they act for.
DEMO_PARTICIPANTS = {
    "almaty@demo.example": "Almaty Region (Kazakhstan)",
    "kashkadarya@demo.example": "Kashkadarya Region (Uzbekistan)",
}
DELEGATIONS = [
    ("Almaty Region (Kazakhstan)", "Kazakhstan"),
    ("Kashkadarya Region (Uzbekistan)", "Uzbekistan"),
]


@dataclass
class DemoSummary:
    forum_name: str
    companies: int
    created: int
    users: int
    logins: list[tuple[str, str]] = field(default_factory=list)


def load_demo_forum(published_agenda: bool = False) -> DemoSummary:
    """Load the demo forum. With ``published_agenda``, as ``flask demo`` does, the demo logins' companies
    also get accepted meetings, and the agenda is scheduled and published, so "My agenda" has something
    to show; tests that walk the organizer through publishing start from the unpublished forum."""
    taxonomy.ensure_default_sectors()
    db.session.flush()
    matching.ensure_default_affinity()
    forum = save_forum(
        name="Kashkadarya Invest-2024",
        city="Qarshi",
        venue="Kashkadarya Regional Congress Hall, Qarshi",
        starts_on=date(2024, 10, 17),
        ends_on=date(2024, 10, 18),
        timezone="Asia/Tashkent",
        description=(
            "The international investment forum of the Kashkadarya region. Delegations meet for two days "
            "of B2B talks on seasonal fruit and vegetable supply, joint dairy and packaging plants, "
            "logistics corridors, tourism programmes and technology transfer in agriculture."
        ),
    )
    for name, country in DELEGATIONS:
        if taxonomy.find_delegation(name) is None:
            db.session.add(Delegation(name=name, country=country))
    db.session.commit()

    # Existing demo companies are left alone: a delegate's edits survive another `demo`.
    result = import_companies_csv(DEMO_CSV.read_bytes(), update_existing=False)
    if not result.ok:  # the shipped file is tested; this guards against local edits
        raise ServiceError("; ".join(f"line {e.line}: {e.message}" for e in result.errors))

    logins = [(DEMO_ORGANIZER, _("organizer"))]
    if find_user_by_email(DEMO_ORGANIZER) is None:
        organizer = User(email=DEMO_ORGANIZER, full_name="Forum Organizer", role=Role.ORGANIZER)
        organizer.set_password(DEMO_PASSWORD)
        db.session.add(organizer)
    for email, delegation_name in DEMO_PARTICIPANTS.items():
        delegation = taxonomy.find_delegation(delegation_name)
        # The first company of the delegation in the file's order stands for it.
        company = db.session.scalar(
            select(Company).where(Company.delegation_id == delegation.id).order_by(Company.id).limit(1)
        )
        logins.append((email, _("delegate of %(company)s", company=company.name)))
        if find_user_by_email(email) is None:
            user = User(email=email, full_name=company.contact_name or "Demo Delegate",
                        role=Role.PARTICIPANT, company=company)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
    db.session.commit()
    _demo_agenda(forum, logins, published_agenda)
    return DemoSummary(
        forum_name=forum.name,
        companies=result.created + result.updated + result.unchanged,
        created=result.created,
        users=db.session.scalar(select(func.count(User.id)).where(User.email.like("%@demo.example"))),
        logins=logins,
    )


def _demo_agenda(forum, logins: list[tuple[str, str]], publish: bool) -> None:
    """Two days of sessions, 30 tables, and accepted requests between well-matched demo companies, so that
    the scheduler has something to place. Only on a forum that has no slots and no requests yet.

    With ``publish``, the demo logins' companies accept their three best matches too (the rest of their
    list stays open for trying the request flow), and the agenda is scheduled and published."""
    if agenda.slot_count() or db.session.scalar(select(func.count()).select_from(MeetingRequest)):
        return
    days = [forum.starts_on + timedelta(days=i) for i in range((forum.ends_on - forum.starts_on).days + 1)]
    agenda.save_structure(agenda.TimeStructure(
        sessions=[spec for day in days for spec in (agenda.SessionSpec(day, time(10), time(13)),
                                                      agenda.SessionSpec(day, time(14, 30), time(18)))],
        breaks=[agenda.BreakSpec(day, time(11, 20), time(11, 40), "Coffee") for day in days],
        slot_minutes=20, tables=30))
    # The demo logins' own companies keep a clean slate, for whoever tries the request flow first.
    keep_clear = {u.company_id for u in db.session.scalars(select(User).where(User.email.in_(DEMO_PARTICIPANTS)))}
    taken: set[frozenset[int]] = set()
    for suggestion in db.session.scalars(select(MatchSuggestion).where(MatchSuggestion.rank <= 3)
                                         .order_by(MatchSuggestion.company_id, MatchSuggestion.rank)):
        pair = frozenset((suggestion.company_id, suggestion.partner_id))
        if (pair & keep_clear and not (publish and suggestion.company_id in keep_clear)) or pair in taken:
            continue
        taken.add(pair)
        low, high = sorted(pair)
        db.session.add(MeetingRequest(requester_id=suggestion.company_id, recipient_id=suggestion.partner_id,
                                      pair_low=low, pair_high=high, status=RequestStatus.ACCEPTED,
                                      message="Demo: accepted from the match list."))
    db.session.commit()
    if publish:
        from forum.services import agenda_builder

        organizer = find_user_by_email(DEMO_ORGANIZER)
        agenda_builder.run_scheduler(organizer, None, time_limit=3.0)
        agenda_builder.publish(organizer, None)
